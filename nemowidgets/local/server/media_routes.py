"""Upload endpoint and the authenticated media URLs (originals and thumbnails)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from nemowidgets.local.render.memory import release_free_memory
from nemowidgets.local.server.context import (
    BAD_REQUEST,
    ApiError,
    Context,
    base_url,
    ctx_of,
    ok,
    read_json,
)
from nemowidgets.local.server.uploads import BadUpload, Incoming, receive_multipart
from nemowidgets.local.server.url_fetch import fetch_urls
from nemowidgets.local.store.beats import beats_of_file
from nemowidgets.local.store.probe import probe
from nemowidgets.local.store.space import full_after, is_disk_full, require_space
from nemowidgets.local.store.upload_checks import MediaRejected, stored_extension
from nemowidgets.protocol import MAX_UPLOAD_REQUEST_BYTES

__all__ = ["media_entry", "serve_media", "serve_thumbnail", "upload"]

_MEDIA_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "m4a": "audio/mp4",
    "avi": "video/x-msvideo",
    "matroska": "video/x-matroska",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "aac": "audio/aac",
}


def media_entry(record: dict[str, Any], base: str) -> dict[str, Any]:
    """A media record as the protocol's ``files[]`` entry (+ local ``id``, ``size``, thumbnail,
    and for a song its ``beats``, seconds, and ``bpm``)."""
    url = f"{base}/media/{record['session_id']}/{record['id']}"
    return {
        "id": record["id"],
        "filename": record["filename"],
        "file_type": record["file_type"],
        "cdn_url": url,
        "duration": record["duration"],
        "width": record["width"],
        "height": record["height"],
        "fps": record["fps"],
        "hash": record["hash"],
        "size": record["size"],
        "thumbnail_url": f"{url}/thumbnail.jpg" if record.get("thumb") else None,
        "beats": record.get("beats"),
        "bpm": record.get("bpm"),
    }


async def upload(request: Request) -> Response:
    """``POST /api/upload-video/nemo_agent/me/{sid}``: multipart ``files`` or JSON ``urls``."""
    ctx = ctx_of(request)
    session = ctx.require_session(request, request.path_params["session_id"])
    length = _content_length(request)
    size = f" ({length / 2**20:,.1f} MB)" if length else ""
    if length is not None and length <= MAX_UPLOAD_REQUEST_BYTES:  # (over it: 4002 below)
        require_space(ctx.data_dir, length, f"this upload{size}")
    try:
        records = await _receive(request, ctx, session["session_id"], length)
    except OSError as exc:
        if is_disk_full(exc):
            raise full_after(ctx.data_dir, f"this upload{size}", length) from None
        raise
    base = base_url(request)
    return ok({"files": [media_entry(r, base) for r in records], "session_state_applied": True})


async def _receive(
    request: Request, ctx: Context, session_id: str, length: int | None
) -> list[dict[str, Any]]:
    """The request's files, received, filed and recorded: all of them, or none."""
    tmp_dir = ctx.data_dir / "tmp"
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.lower().startswith("multipart/form-data"):
            incoming = await receive_multipart(
                request.stream(), content_type, tmp_dir, length=length, owner=ctx.jobs.owner
            )
        elif content_type.lower().startswith("application/json"):
            body = await read_json(request)
            incoming = await fetch_urls(
                body.get("urls"),
                tmp_dir,
                allow_private=ctx.allow_private_urls,
                owner=ctx.jobs.owner,
            )
        else:
            raise ApiError(
                BAD_REQUEST,
                "Send multipart/form-data with one 'files' field per "
                'file, or JSON {"urls": [...], "source_type": "url"}.',
                415,
            )
    except MediaRejected as exc:
        raise ApiError(exc.code, exc.message, hint=exc.hint) from None
    except BadUpload as exc:
        raise ApiError(BAD_REQUEST, str(exc)) from None
    if not incoming:
        raise ApiError(
            BAD_REQUEST,
            "The request holds no file: send one multipart field named 'files' per file.",
        )
    try:
        records = await anyio.to_thread.run_sync(_file_all, ctx, session_id, incoming)
    except MediaRejected as exc:
        raise ApiError(exc.code, exc.message, hint=exc.hint) from None
    try:
        ctx.store.add_media(records)
    except BaseException:  # e.g. the database's disk is full: no file without its record
        for record in records:
            for key in ("path", "thumb"):
                if record.get(key):
                    (ctx.data_dir / record[key]).unlink(missing_ok=True)
        raise
    return records


def _content_length(request: Request) -> int | None:
    """The declared body size; ``None`` for a chunked body (or a header we cannot read)."""
    value = request.headers.get("content-length", "").strip()
    return int(value) if value.isdigit() else None


def _file_all(ctx: Context, session_id: str, incoming: list[Incoming]) -> list[dict[str, Any]]:
    """Move each file into the session's folder under a generated name and probe it.

    All or nothing: if one file is refused, every file of the request is removed.
    """
    media_dir = ctx.store.media_dir(session_id)
    records: list[dict[str, Any]] = []
    created: list[Path] = []
    try:
        for item in incoming:
            media_id = "m_" + secrets.token_hex(6)
            ext = stored_extension(item.filename, item.format)
            dest = media_dir / f"{media_id}.{ext}"
            thumb = media_dir / f"{media_id}.thumb.jpg"
            os.replace(item.path, dest)
            created += [dest, thumb]
            found = probe(dest, item.filename, item.format, thumb)
            beats = beats_of_file(dest) if found.file_type == "audio" else None
            records.append(
                {
                    "id": media_id,
                    "session_id": session_id,
                    "filename": item.filename,
                    "file_type": found.file_type,
                    "format": found.format,
                    "path": str(dest.relative_to(ctx.data_dir)),
                    "thumb": str(thumb.relative_to(ctx.data_dir)) if thumb.exists() else None,
                    "size": item.size,
                    "hash": item.sha256,
                    "duration": found.duration,
                    "width": found.width,
                    "height": found.height,
                    "fps": found.fps,
                    "beats": beats.as_record() if beats else None,
                    "bpm": beats.bpm if beats else None,
                }
            )
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        for item in incoming:
            item.path.unlink(missing_ok=True)
        raise
    finally:
        # Probing (thumbnails) and beat detection free their buffers on this worker
        # thread; glibc would keep them resident in its arena through the render.
        release_free_memory()
    return records


def _owned_media(request: Request) -> tuple[Context, dict[str, Any]]:
    ctx = ctx_of(request)
    session = ctx.require_session(request, request.path_params["session_id"])
    record = ctx.store.get_media(request.path_params["media_id"], session["session_id"])
    if record is None:
        # 404 as for an unknown path, not 1002: the session exists, so a client must not
        # conclude it is gone (and start a new one) over one unknown media id.
        raise ApiError(404, "No such media in this session.", 404)
    return ctx, record


def _file(path: Path, media_type: str) -> FileResponse:
    if not path.is_file():
        raise ApiError(BAD_REQUEST, "The file is missing from the server's data dir.", 404)
    return FileResponse(
        path,
        media_type=media_type,
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


async def serve_media(request: Request) -> Response:
    """``GET /media/{sid}/{media_id}``: the original upload (Range requests work)."""
    ctx, record = _owned_media(request)
    media_type = _MEDIA_TYPES.get(record.get("format") or "", "application/octet-stream")
    return _file(ctx.data_dir / record["path"], media_type)


async def serve_thumbnail(request: Request) -> Response:
    """``GET /media/{sid}/{media_id}/thumbnail.jpg``: a ~160 px JPEG."""
    ctx, record = _owned_media(request)
    if not record.get("thumb"):
        raise ApiError(BAD_REQUEST, "This media has no thumbnail.", 404)
    return _file(ctx.data_dir / record["thumb"], "image/jpeg")
