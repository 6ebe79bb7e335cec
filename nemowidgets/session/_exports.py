"""The Session's exports: render jobs, their videos on disk, and resuming them.

:class:`Exports` starts a render of a draft, polls it to the end (riding out a
server that is briefly unreachable), downloads and probes the MP4, and keeps the
session file (:mod:`nemowidgets.session._state_file`) in step: a job is recorded
when it starts and forgotten once delivered, failed or cancelled by the user, so
``Session.resume()`` after a kernel restart picks up exactly the unfinished ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemowidgets.api.errors import (
    CancelledByUser,
    ConfigurationError,
    DraftError,
    NemoError,
    NotFoundError,
    RateLimitedError,
    RenderError,
    ServerError,
    SessionClosedError,
    StorageFullError,
    TransportError,
)
from nemowidgets.api.models import RenderJob
from nemowidgets.draft import Draft
from nemowidgets.draft._names import export_stem
from nemowidgets.session import _args as args
from nemowidgets.session._connection import Connection
from nemowidgets.session._drafts import Drafts
from nemowidgets.session._events import ExportResult
from nemowidgets.session._files import probe_video
from nemowidgets.session._media import MediaLibrary
from nemowidgets.session._render_args import check_aspect, check_parallel
from nemowidgets.session._runtime import Runtime

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.api.client import NemoClient

__all__ = ["EXPORT_FOLDER", "Exports"]

log = logging.getLogger("nemowidgets.session")
EXPORT_FOLDER = "nemowidgets-exports"
_OUTAGE = (TransportError, ServerError, RateLimitedError)
#: ``rename(width, height)``: where a finished video goes once its size is known.
Rename = Callable[[int | None, int | None], Path]


def _closed_mid_render(render_id: str, dest: Path) -> SessionClosedError:
    return SessionClosedError(
        f"The Session was closed while the export was running. The render {render_id} is "
        "kept: it goes on on the server, and the session file remembers it.",
        hint=f"Session.resume() picks it up: then session.resume_renders() waits for it and "
        f"saves the video to {dest}.",
        render_id=render_id,
        path=str(dest),
    )


class _Outage:
    """How long render polling has been out of contact with the server, and what was said."""

    def __init__(self, runtime: Runtime, render_id: str, limit: float) -> None:
        self._runtime = runtime
        self._render_id = render_id
        self._limit = limit
        self._since: float | None = None
        self._told = False
        self._tries = 0

    def back(self, job: RenderJob) -> None:
        """A poll answered: say so if we had said contact was lost."""
        if self._told and self._since is not None:
            self._runtime.emit(
                "notice",
                text=f"Back in contact with the server; render {self._render_id} "
                f"is {job.status} ({job.progress:.0f}%).",
            )
        self._since, self._told = None, False

    def lost(self, exc: NemoError, interval: float) -> float:
        """A poll failed: the seconds to wait before the next, or raise ``exc`` when too long."""
        now = asyncio.get_running_loop().time()
        self._since = now if self._since is None else self._since
        self._tries = 1 if now == self._since else self._tries + 1
        if now - self._since >= self._limit:
            exc.hint = (
                f"The render {self._render_id} may still finish on the server: "
                "Session.resume() picks it up and downloads the video."
            )
            raise exc
        if not self._told:
            self._told = True
            self._runtime.emit(
                "notice",
                text=f"Lost contact with the server while rendering ({exc.message}); "
                "the render goes on there, still waiting for it…",
            )
        retry_after = exc.retry_after if isinstance(exc, RateLimitedError) else None
        return retry_after or min(max(interval, 0.5) * 2**self._tries, 30.0)


class Exports:
    """Render jobs of the session, the videos delivered, and the renders being resumed."""

    def __init__(
        self, runtime: Runtime, connection: Connection, media: MediaLibrary, drafts: Drafts
    ) -> None:
        self._runtime = runtime
        self._connection = connection
        self._media = media
        self._drafts = drafts
        self._settings = connection.settings
        self._states = connection.states
        self._exports: list[ExportResult] = []
        self._reserved: set[Path] = set()  # default paths handed out, not yet written
        self._resumed: list[asyncio.Task[ExportResult]] = []

    @property
    def exports(self) -> tuple[ExportResult, ...]:
        return tuple(self._exports)

    # -- where videos go -----------------------------------------------------------
    def _default_path(
        self, draft: Draft | None = None, quality: str = "high", folder: Path | None = None
    ) -> Path:
        """A new file named for what it holds (``slideshow-v3-1080p.mp4``), never an old one."""
        folder = (folder or self._settings.export_dir or Path.cwd() / EXPORT_FOLDER).resolve()
        stem = "video" if draft is None else export_stem(draft, quality, self._version(draft))
        n = 1
        while True:
            path = folder / (f"{stem}.mp4" if n == 1 else f"{stem}-{n}.mp4")
            if not path.exists() and path not in self._reserved:
                self._reserved.add(path)
                return path
            n += 1

    def _version(self, draft: Draft) -> int | None:
        """The draft's version, else its place in the history (as the history menu shows it)."""
        if draft.version is not None:
            return draft.version
        return next((i + 1 for i, d in enumerate(self._drafts.history) if d is draft), None)

    def _dest(self, target: Path | None, draft: Draft, quality: str) -> Path:
        """The default path; inside an existing folder; or the file asked for."""
        if target is None:
            return self._default_path(draft, quality)
        if target.is_dir():
            return self._default_path(draft, quality, target)
        return target.resolve()

    # -- exporting -----------------------------------------------------------------
    async def export(
        self,
        quality: str,
        draft: Draft | dict[str, Any] | None,
        path: str | Path | None,
        *,
        aspect: str | None = None,
        parallel: bool | str | None = None,
        rename: Rename | None = None,
    ) -> ExportResult:
        """Render ``draft`` (default: the current one) and download the MP4.

        ``aspect`` / ``parallel``: the local backend's render options (docs/protocol.md);
        ``rename(width, height)``: the file's final path once its size is known.
        """
        args.check_quality(quality)  # all arguments before any work
        chosen = args.check_draft(draft)
        chosen = self._drafts.draft if chosen is None else chosen
        target = args.check_export_path(path)
        aspect = check_aspect(aspect)
        mode = check_parallel(parallel)
        if (aspect or mode) and self._settings.backend != "local":
            raise ConfigurationError(
                "aspect= and parallel= need the local backend: the cloud's render call has "
                "no such options. For another aspect on the cloud, ask the agent "
                "(e.g. 'make it 9:16') and export again.",
                field="aspect" if aspect else "parallel",
            )
        if chosen is None:
            raise DraftError("Nothing to export yet: there is no timeline.")
        if not chosen.is_exportable:
            raise DraftError("The timeline is empty (no track has segments): nothing to render.")
        client = await self._connection.get_client()
        await self._connection.connect()
        async with self._runtime.busy_with("export"):
            job = await self._connection.with_session(
                lambda sid: client.export(
                    sid, self._media.remap(chosen.raw), quality, aspect=aspect, parallel=mode
                )
            )
            dest = self._dest(target, chosen, quality)
            record = {
                "id": job.id,
                "session_id": self._connection.session_id,
                "quality": quality,
                "path": str(dest),
                "created": time.time(),
            }
            self._states.add_render(self._settings.key, record)
            self._runtime.emit("render_started", job=job, path=str(dest), resumed=False)
            return await self._finish(job, dest, quality, rename)

    async def _wait(self, client: NemoClient, render_id: str) -> RenderJob:
        """``client.wait_render``, riding out a server that is briefly unreachable.

        The render runs on the server whatever happens to our connection, and a
        status poll is harmless to repeat; so a restart, a burst of 5xx or a 429
        while polling costs a notice and a wait, not the video.  Only an outage
        longer than the settings' ``outage_limit`` raises (the job stays in the
        session file for ``Session.resume()``).
        """
        interval = self._settings.render_interval
        outage = _Outage(self._runtime, render_id, self._settings.outage_limit)

        told: set[str] = set()

        def progress(job: RenderJob) -> None:
            outage.back(job)
            if job.notice and job.notice not in told:  # e.g. the cluster was lost
                told.add(job.notice)
                self._runtime.emit("notice", text=f"Render {job.id}: {job.notice}")
            self._runtime.emit("render_progress", job=job)

        while True:
            try:
                return await client.wait_render(render_id, progress=progress, interval=interval)
            except _OUTAGE as exc:
                await asyncio.sleep(outage.lost(exc, interval))

    async def _finish(
        self, job: RenderJob, dest: Path, quality: str, rename: Rename | None = None
    ) -> ExportResult:
        """Poll ``job`` to the end, download it, probe it; keep the session file in step."""
        client = await self._connection.get_client()
        key = self._settings.key
        try:
            job = await self._wait(client, job.id)
            dest.parent.mkdir(parents=True, exist_ok=True)
            await client.download(job, dest)
        except asyncio.CancelledError:
            if self._runtime.cancelled_by_user(asyncio.current_task()):
                # The user's cancel: stop the server's job too.
                with contextlib.suppress(NemoError):
                    await client.cancel_render(job.id)
                self._states.remove_render(key, job.id)
            elif self._runtime.closed:  # the record stays, so resume() finds the job
                raise _closed_mid_render(job.id, dest) from None
            raise
        except (RenderError, NotFoundError, CancelledByUser, StorageFullError):  # over for good
            self._states.remove_render(key, job.id)
            raise
        finally:
            self._reserved.discard(dest)
        duration, width, height = await asyncio.to_thread(probe_video, dest)
        if rename is not None:
            final = rename(width, height)
            dest = await asyncio.to_thread(dest.replace, final)
        result = ExportResult(dest, job.url, job, duration, width, height, quality)
        self._exports.append(result)
        self._states.remove_render(key, job.id)
        self._runtime.emit("render_done", export=result)
        return result

    # -- resuming ------------------------------------------------------------------
    def resume(self, records: list[dict[str, Any]]) -> None:
        """Start picking up the renders of the session file (on the loop thread)."""
        self._resumed = [self._runtime.spawn(self._resume_one(r)) for r in records]

    async def _resume_one(self, record: dict[str, Any]) -> ExportResult:
        """Pick up a render started before a restart and deliver its video."""
        client = await self._connection.get_client()
        dest = Path(record.get("path") or self._default_path())
        try:
            job = await client.render_status(str(record["id"]))
        except NotFoundError:
            self._states.remove_render(self._settings.key, str(record["id"]))
            self._runtime.emit(
                "notice",
                text=f"Render {record['id']} from before the restart is unknown to "
                "the server; export again.",
            )
            raise
        self._runtime.emit(
            "notice",
            text=f"Resuming render {job.id} from before the restart "
            f"({job.status}, {job.progress:.0f}%).",
        )
        self._runtime.emit("render_started", job=job, path=str(dest), resumed=True)
        async with self._runtime.busy_with("export"):
            return await self._finish(job, dest, str(record.get("quality") or "high"))

    async def wait_resumed(self) -> list[ExportResult]:
        """The videos of the renders resumed on connect, once they are all over."""
        await self._connection.connect()
        if not self._resumed:
            return []
        results = await asyncio.gather(*self._resumed, return_exceptions=True)
        return [r for r in results if isinstance(r, ExportResult)]
