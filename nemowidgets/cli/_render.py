"""``nemowidgets render``: photos and music in, an MP4 out, with a progress bar.

Through the same :class:`~nemowidgets.session.Session` the widgets use, on the
embedded local backend by default (no account, no network).
"""

from __future__ import annotations

import argparse
import io
import logging
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemowidgets.cli._common import UsageError
from nemowidgets.cli._progress import ProgressBar
from nemowidgets.protocol import SUPPORTED_FORMATS_TEXT, media_kind

if TYPE_CHECKING:
    from nemowidgets.session import Session, SessionEvent

__all__ = ["DEFAULT_PROMPT", "cmd_render"]

DEFAULT_PROMPT = "turn my photos into a smooth video slideshow with transitions and music"


def _check_inputs(photos: Sequence[Path], music: Path | None) -> list[Path]:
    """Fail fast, before any server starts, on files that do not exist or cannot be used."""
    items: list[Path] = []
    for path in photos:
        if not path.exists():
            raise UsageError(f"photo not found: {path}")
        if path.is_file() and media_kind(path.name) is None:
            raise UsageError(f"{path} is not a supported file. Supported: {SUPPORTED_FORMATS_TEXT}")
        items.append(path.resolve())
    if music is not None:
        if not music.is_file():
            raise UsageError(f"music file not found: {music}")
        if media_kind(music.name) != "audio":
            raise UsageError(f"--music {music} is not an audio file (mp3 wav m4a aac)")
        items.append(music.resolve())
    return items


def _total_bytes(session: Session, items: Sequence[Path]) -> int:
    """Bytes to upload: the files, and the files the Session uploads from each folder."""
    total = 0
    for item in items:
        files = session.media_files_in(item) if item.is_dir() else [item]
        total += sum(f.stat().st_size for f in files)
    return total


def _progress_observer(bar: ProgressBar, upload_bytes: int) -> Callable[[SessionEvent], None]:
    """Session events -> the text bar (runs on the Session's loop thread).

    Upload progress arrives per file; the bar shows all files together.
    """
    sent: dict[str, int] = {}

    def on_event(event: SessionEvent) -> None:
        data: dict[str, Any] = event.data
        if event.kind == "upload_progress":
            sent[str(data.get("filename"))] = int(data.get("sent") or 0)
            total = max(upload_bytes, sum(sent.values()), 1)
            bar.update("upload", 100.0 * sum(sent.values()) / total)
        elif event.kind == "render_progress":
            job = data.get("job")
            bar.update("export", float(getattr(job, "progress", 0) or 0))
        elif event.kind == "notice":
            bar.message(str(data.get("text", "")))

    return on_event


def _open_session(cloud: bool) -> Session:
    from nemowidgets.session import Session

    return Session.cloud() if cloud else Session.local()


def cmd_render(args: argparse.Namespace) -> int:
    if args.batch:
        if args.photos or args.music or args.sample:
            raise UsageError("--batch takes folders only: put photos and music in each folder")
        from nemowidgets.cli._batch import cmd_batch

        return cmd_batch(args)
    photos: list[Path] = list(args.photos)
    music: Path | None = args.music
    if not photos and not args.sample:
        raise UsageError("give photos (files or folders), or --sample to use generated ones")
    items = _check_inputs(photos, music)
    output: Path = args.output.expanduser().resolve()
    if output.suffix.lower() != ".mp4":
        raise UsageError(f"-o {args.output}: the output must be an .mp4 file")
    if not output.parent.is_dir():
        raise UsageError(f"-o {args.output}: folder {output.parent} does not exist")

    bar = ProgressBar(stream=io.StringIO() if args.quiet else sys.stderr)
    # Errors are printed once, below, with their hint; the library's own warnings would
    # repeat them (the Session also logs what it emits as error events).
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    else:
        logging.getLogger("nemowidgets").addHandler(logging.NullHandler())
    with tempfile.TemporaryDirectory(prefix="nemowidgets-sample-") as tmp:
        if not photos:  # --sample
            from nemowidgets.samples import make_samples

            samples = make_samples(tmp)
            items = [p for p in samples if media_kind(p.name) == "image"]
            items += [music.resolve()] if music else [p for p in samples if p not in items]
        return _render(items, args, output, bar)


def _render(items: list[Path], args: argparse.Namespace, output: Path, bar: ProgressBar) -> int:
    session = _open_session(args.cloud)
    unsubscribe = session.observe(_progress_observer(bar, _total_bytes(session, items)))
    started = time.monotonic()
    try:
        session.connect()
        bar.update("upload", 0)
        session.upload(items)
        bar.finish()
        bar.message(f"uploaded {len(session.media)} files; asking: {args.prompt!r}")
        turn = session.send(args.prompt)
        if turn.error is not None:  # the turn ended in an error the Session reported
            raise turn.error
        if turn.reply:
            bar.message(f"agent: {turn.reply}")
        if session.draft is None or not session.draft.is_exportable:
            from nemowidgets.api.errors import DraftError

            raise DraftError(
                f"The agent built no timeline from the prompt {args.prompt!r}.",
                hint="Try the default prompt, or say e.g. 'make a slideshow with music'.",
            )
        bar.update("export", 0)
        result = session.export(args.quality, path=output)
        bar.finish()
    except KeyboardInterrupt:
        bar.finish()
        session.cancel()
        raise
    except Exception:
        bar.finish()  # the error message starts on a line of its own
        raise
    finally:
        unsubscribe()
        session.close()
    size = f"{result.width}x{result.height}" if result.width else ""
    length = f"{result.duration:.1f} s" if result.duration else ""
    took = time.monotonic() - started
    bar.message(f"done in {took:.0f} s: {' '.join(x for x in (length, size) if x)}")
    print(result.path)
    return 0
