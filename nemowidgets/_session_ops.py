"""The Session's operations: uploads, exports and renders, credits, state, thumbnails.

Split from :mod:`nemowidgets.session` to keep each file about one thing: the
Session class is the public surface and the plumbing (loop, observers, busy,
errors); these coroutines are what it does.  They run on the Session's loop
thread and work on its private fields (a friend module, not a public API).
Prompts (turns) live in :mod:`nemowidgets._session_turn`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemowidgets import _session_args as args
from nemowidgets import _session_conn as conn
from nemowidgets._media_files import (
    UploadItem,
    expand_items,
    image_thumbnail,
    probe_video,
    video_thumbnail,
)
from nemowidgets._session_events import ExportResult
from nemowidgets.api.errors import (
    CancelledByUser,
    DraftError,
    NemoError,
    NotFoundError,
    RateLimitedError,
    RenderError,
    ServerError,
    TransportError,
)
from nemowidgets.api.models import MediaInfo, RenderJob
from nemowidgets.draft import Draft

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.session import Session

__all__ = ["export", "read_state", "resume_render", "thumbnail", "upload", "wait_resumed"]

log = logging.getLogger("nemowidgets.session")
EXPORT_FOLDER = "nemowidgets-exports"


# -- credits and state ----------------------------------------------------------
async def read_state(s: Session) -> dict[str, Any]:
    client = await s._get_client()
    data = await conn.with_session(s, client.state)
    conn.adopt_state(s, data)
    return data


# -- uploads ---------------------------------------------------------------------
async def upload(
    s: Session,
    items: UploadItem | Iterable[UploadItem],
    progress: Callable[[str, int, int], None] | None,
) -> list[MediaInfo]:
    args.check_callable("progress", progress, "(filename, sent, total)")
    pairs = expand_items(items)  # checks paths before anything is sent
    client = await s._get_client()

    def on_progress(filename: str, sent: int, total: int) -> None:
        s._emit("upload_progress", filename=filename, sent=sent, total=total)
        if progress is not None:
            try:
                progress(filename, sent, total)
            except Exception:
                log.exception("An upload progress callback raised (ignored)")

    await conn.connect(s)
    async with s._busy("upload"):
        media = await conn.with_session(
            s, lambda sid: client.upload(sid, [item for item, _ in pairs], progress=on_progress)
        )
        for info, (item, source) in zip(media, pairs, strict=False):
            key = conn.media_key(info)
            if source is not None:
                s._sources[key] = source
            elif info.file_type == "image" and not info.thumbnail_url:
                # Browser uploads: thumbnail the bytes now, as they will not be kept.
                with contextlib.suppress(Exception):
                    s._thumbs[key] = await asyncio.to_thread(image_thumbnail, item[1])
        s._media = s._media + tuple(media)
        s._emit("media", media=s._media)
    return list(media)


async def thumbnail(s: Session, media: MediaInfo) -> bytes | None:
    args.check_media(media)
    key = conn.media_key(media)
    if key in s._thumbs:
        return s._thumbs[key]
    if media.file_type == "audio":
        return None
    data: bytes | None = None
    if media.thumbnail_url:
        try:
            data = await (await s._get_client()).fetch_bytes(media.thumbnail_url)
        except NemoError as exc:
            log.warning("Thumbnail of %s not fetched: %s", media.filename, exc.message)
    source = s._sources.get(key)
    if data is None and source is not None:
        maker = image_thumbnail if media.file_type == "image" else video_thumbnail
        try:
            data = await asyncio.to_thread(maker, source)
        except Exception as exc:
            log.warning("No thumbnail for %s: %s", source, exc)
    if data is not None:
        s._thumbs[key] = data
    return data


# -- exports -----------------------------------------------------------------------
def _export_path(s: Session, folder: Path | None = None) -> Path:
    folder = (folder or s.export_dir or Path.cwd() / EXPORT_FOLDER).resolve()
    n = len(s._exports) + 1
    while True:
        path = folder / f"{s._session_id}-{n}.mp4"
        if not path.exists() and path not in s._reserved:
            s._reserved.add(path)
            return path
        n += 1


def _dest(s: Session, target: Path) -> Path:
    """An existing folder gets the default file name inside it."""
    if target.is_dir():
        return _export_path(s, target)
    return target.resolve()


async def export(
    s: Session, quality: str, draft: Draft | dict[str, Any] | None, path: str | Path | None
) -> ExportResult:
    args.check_quality(quality)  # all arguments before any work
    chosen = args.check_draft(draft)
    chosen = s._draft if chosen is None else chosen
    target = args.check_export_path(path)
    if chosen is None:
        raise DraftError("Nothing to export yet: there is no timeline.")
    if not chosen.is_exportable:
        raise DraftError("The timeline is empty (no track has segments): nothing to render.")
    client = await s._get_client()
    await conn.connect(s)
    async with s._busy("export"):
        job = await conn.with_session(
            s, lambda sid: client.export(sid, conn.remap_media(s, chosen.raw), quality)
        )
        dest = _export_path(s) if target is None else _dest(s, target)
        record = {
            "id": job.id,
            "session_id": s._session_id,
            "quality": quality,
            "path": str(dest),
            "created": time.time(),
        }
        s._states.add_render(s._key, record)
        s._emit("render_started", job=job, path=str(dest), resumed=False)
        return await _finish_render(s, job, dest, quality)


def outage_limit(s: Session) -> float:
    """How long render polling rides out an unreachable or failing server (seconds)."""
    return max(30.0, 20 * s.render_interval)


async def _wait_render(s: Session, client: Any, render_id: str) -> RenderJob:
    """``client.wait_render``, riding out a server that is briefly unreachable.

    The render runs on the server whatever happens to our connection, and a
    status poll is harmless to repeat; so a restart, a burst of 5xx or a 429
    while polling costs a notice and a wait, not the video.  Only an outage
    longer than :func:`outage_limit` raises (the job stays in the session file
    for ``Session.resume()``).
    """
    loop = asyncio.get_running_loop()
    down_since: float | None = None
    told = False

    def progress(job: RenderJob) -> None:
        nonlocal down_since, told
        if told and down_since is not None:
            s._emit(
                "notice",
                text=f"Back in contact with the server; render {render_id} "
                f"is {job.status} ({job.progress:.0f}%).",
            )
        down_since, told = None, False
        s._emit("render_progress", job=job)

    tries = 0
    while True:
        try:
            return await client.wait_render(
                render_id, progress=progress, interval=s.render_interval
            )
        except (TransportError, ServerError, RateLimitedError) as exc:
            now = loop.time()
            down_since = now if down_since is None else down_since
            tries = 1 if now == down_since else tries + 1
            if now - down_since >= outage_limit(s):
                exc.hint = (
                    f"The render {render_id} may still finish on the server: "
                    "Session.resume() picks it up and downloads the video."
                )
                raise
            if not told:
                told = True
                s._emit(
                    "notice",
                    text=f"Lost contact with the server while rendering "
                    f"({exc.message}); the render goes on there, "
                    "still waiting for it…",
                )
            retry_after = exc.retry_after if isinstance(exc, RateLimitedError) else None
            await asyncio.sleep(retry_after or min(max(s.render_interval, 0.5) * 2**tries, 30.0))


async def _finish_render(s: Session, job: RenderJob, dest: Path, quality: str) -> ExportResult:
    """Poll ``job`` to the end, download it, probe it; keep the session file in step."""
    client = await s._get_client()
    s._active_renders.add(job.id)
    try:
        job = await _wait_render(s, client, job.id)
        dest.parent.mkdir(parents=True, exist_ok=True)
        await client.download(job, dest)
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task in s._user_cancelled:  # the user's cancel: stop the server's job too
            with contextlib.suppress(NemoError):
                await client.cancel_render(job.id)
            s._states.remove_render(s._key, job.id)
        raise  # closing the Session keeps the record, so resume() finds the job
    except (RenderError, NotFoundError, CancelledByUser):  # over for good: forget the job
        s._states.remove_render(s._key, job.id)
        raise
    finally:
        s._active_renders.discard(job.id)
        s._reserved.discard(dest)
    duration, width, height = await asyncio.to_thread(probe_video, dest)
    result = ExportResult(dest, job.url, job, duration, width, height, quality)
    s._exports.append(result)
    s._states.remove_render(s._key, job.id)
    s._emit("render_done", export=result)
    return result


async def resume_render(s: Session, record: dict[str, Any]) -> ExportResult:
    """Pick up a render started before a restart and deliver its video."""
    client = await s._get_client()
    dest = Path(record.get("path") or _export_path(s))
    try:
        job = await client.render_status(str(record["id"]))
    except NotFoundError:
        s._states.remove_render(s._key, str(record["id"]))
        s._emit(
            "notice",
            text=f"Render {record['id']} from before the restart is unknown to "
            "the server; export again.",
        )
        raise
    s._emit(
        "notice",
        text=f"Resuming render {job.id} from before the restart "
        f"({job.status}, {job.progress:.0f}%).",
    )
    s._emit("render_started", job=job, path=str(dest), resumed=True)
    async with s._busy("export"):
        return await _finish_render(s, job, dest, str(record.get("quality") or "high"))


async def wait_resumed(s: Session) -> list[ExportResult]:
    await conn.connect(s)
    if not s._resume_tasks:
        return []
    results = await asyncio.gather(*s._resume_tasks, return_exceptions=True)
    return [r for r in results if isinstance(r, ExportResult)]
