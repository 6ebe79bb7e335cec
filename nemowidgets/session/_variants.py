"""Variants: one draft rendered in several aspect presets at once, one file each.

Each variant is a render job with the local backend's ``output.aspect`` (the server
re-frames the draft to that canvas, same short side) and ``output.parallel: "jobs"``
(so the jobs run side by side on worker processes, docs/parallel-rendering.md).
They are started together and awaited together; every file gets a readable name
from the draft's title (as the other exports), the aspect and the file's short side,
e.g. ``slideshow-9x16-1080p.mp4`` (``-preview`` for a preview), and never overwrites
an existing file (``-2``, ``-3``, ... are added).

On the cloud there is no aspect override, so variants are refused with a
:class:`ConfigurationError` saying what to do instead; nothing is rendered.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from pathlib import Path
from typing import Any

from nemowidgets.api.errors import ConfigurationError, DraftError
from nemowidgets.draft import Draft
from nemowidgets.draft._names import title_stem
from nemowidgets.session import _args as args
from nemowidgets.session._events import ExportResult
from nemowidgets.session._exports import EXPORT_FOLDER, Exports
from nemowidgets.session._render_args import check_aspects

__all__ = ["Variants", "variant_stem"]

_TAKEN_LOCK = threading.Lock()


def variant_stem(draft: Draft) -> str:
    """The name part from the draft: its title, slugified, else ``slideshow``."""
    return title_stem(draft)


def _namer(folder: Path, stem: str, aspect: str, quality: str) -> Any:
    tag = aspect.replace(":", "x")

    def name(width: int | None, height: int | None) -> Path:
        size = f"-{min(width, height)}p" if width and height else ""
        size = "-preview" if quality == "preview" else size  # as the other exports are named
        with _TAKEN_LOCK:
            path, n = folder / f"{stem}-{tag}{size}.mp4", 2
            while path.exists():
                path, n = folder / f"{stem}-{tag}{size}-{n}.mp4", n + 1
            path.touch()  # reserved: the rename replaces it
            return path

    return name


class Variants:
    """Starts the variants of a draft on :class:`Exports` and names their files."""

    def __init__(self, exports: Exports, backend: str, export_dir: Path | None) -> None:
        self._exports = exports
        self._backend = backend
        self._export_dir = export_dir

    async def export(
        self,
        aspects: Any,
        quality: str,
        draft: Draft | dict[str, Any] | None,
        folder: str | Path | None,
        current: Draft | None,
    ) -> list[ExportResult]:
        """Render ``draft`` (default: ``current``) in every aspect of ``aspects`` at once."""
        chosen_aspects = check_aspects(aspects)
        args.check_quality(quality)
        chosen = args.check_draft(draft)
        chosen = current if chosen is None else chosen
        target = args.check_export_path(folder)
        if self._backend != "local":
            raise ConfigurationError(
                "Variants need the local backend: the cloud's render call cannot change "
                "the aspect. On the cloud, ask the agent for each format ('make it 9:16') "
                "and export after each.",
                field="aspects",
            )
        if chosen is None or not chosen.is_exportable:
            raise DraftError("Nothing to export yet: there is no timeline.")
        where = (target or self._export_dir or Path.cwd() / EXPORT_FOLDER).resolve()
        if where.suffix.lower() == ".mp4":
            raise ConfigurationError(
                f"folder must be a folder for the variants' files, not the file {where}.",
                field="folder",
            )
        where.mkdir(parents=True, exist_ok=True)
        stem = variant_stem(chosen)
        token = uuid.uuid4().hex[:8]  # other variants of a draft like it may be rendering
        jobs = [
            self._exports.export(
                quality,
                chosen,
                where / f".{stem}-{aspect.replace(':', 'x')}-{token}.rendering.mp4",
                aspect=aspect,
                parallel="jobs",
                rename=_namer(where, stem, aspect, quality),
            )
            for aspect in chosen_aspects
        ]
        results = await asyncio.gather(*jobs, return_exceptions=True)
        for result in results:  # every variant has finished (or failed) by now
            if isinstance(result, BaseException):
                raise result
        return [r for r in results if isinstance(r, ExportResult)]
