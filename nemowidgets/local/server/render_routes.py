"""Render endpoints: create, poll, cancel, download, and the ``/renders/<id>.mp4`` URL.

They use the ``{"success": ..., "data"|"error": ...}`` envelope; the poll answer is
the first variant in docs/protocol.md: ``{"id", "status", "progress", "output": {"url"}}``.

Local extensions (docs/protocol.md): ``output.aspect`` re-frames the draft to an
aspect preset before it is queued (one draft, several variants), ``output.parallel``
says where to render it (``none`` / ``jobs`` / ``chunks``), and the poll answer adds
``where`` (threads, local-cluster or the scheduler's address), ``dashboard`` (the
Dask dashboard's URL) and ``notice`` (e.g. the cluster was lost and the render went
on here) once they are known.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from nemowidgets.local.agent.timing import canvas_size
from nemowidgets.local.server.context import (
    BAD_REQUEST,
    ApiError,
    Context,
    base_url,
    ctx_of,
    read_json,
    render_ok,
)
from nemowidgets.local.store import DuplicateRenderId
from nemowidgets.local.store.job_progress import render_path
from nemowidgets.local.store.space import render_bytes, require_space
from nemowidgets.protocol import (
    HEADER_SKILL_PLATFORM,
    HEADER_SKILL_SOURCE,
    HEADER_SKILL_VERSION,
    RENDER_ASPECTS,
    RENDER_COMPLETED,
    RENDER_FAILED,
    RENDER_PARALLEL,
    RENDER_QUALITIES,
)

__all__ = [
    "cancel_render",
    "create_render",
    "download_render",
    "poll_render",
    "serve_render",
    "validate_draft",
]

_RENDER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")
MAX_DRAFT_MS = 2 * 3600 * 1000
MAX_CANVAS_SIDE = 4096


def validate_draft(draft: Any, session_media: set[str], *, require_segments: bool = True) -> None:
    """Refuse a draft that cannot be rendered here, naming the bad field.

    ``require_segments=False`` (setting a draft, which may be an emptied timeline)
    skips only the "at least one segment" rule.

    The renderer checks the rest; this catches what must not even be queued: a
    malformed shape, an empty timeline, absurd sizes, and media of another session.
    Every refusal is 4000 (``BAD_REQUEST``, HTTP 422), which the client raises as a
    ``DraftError`` on an export.
    """
    if not isinstance(draft, dict):
        raise ApiError(BAD_REQUEST, "The render request needs a 'draft' object.")
    tracks = draft.get("t")
    if not isinstance(tracks, list):
        raise ApiError(BAD_REQUEST, "draft.t must be a list of tracks.")
    meta = draft.get("m", {})
    if not isinstance(meta, dict):
        raise ApiError(BAD_REQUEST, "draft.m must be an object.")
    _check_meta(draft, meta, session_media)
    segments = sum(_check_track(ti, track, session_media) for ti, track in enumerate(tracks))
    if not segments and require_segments:
        raise ApiError(
            BAD_REQUEST,
            "The draft has no segments: build a timeline before "
            "exporting (e.g. 'make a slideshow').",
        )


def _check_meta(draft: dict[str, Any], meta: dict[str, Any], session_media: set[str]) -> None:
    """The canvas size, the length and the logo's media."""
    for key in ("width", "height"):
        value = meta.get(key)
        if value is not None and (not _number(value) or not 16 <= value <= MAX_CANVAS_SIDE):
            raise ApiError(BAD_REQUEST, f"draft.m.{key} must be 16-{MAX_CANVAS_SIDE} pixels.")
    duration = draft.get("d")
    if duration is not None and (not _number(duration) or not 0 <= duration <= MAX_DRAFT_MS):
        raise ApiError(BAD_REQUEST, f"draft.d must be 0-{MAX_DRAFT_MS} ms (up to 2 hours).")
    logo = meta.get("logo")
    if (
        isinstance(logo, dict)
        and logo.get("src") is not None
        and str(logo["src"]) not in session_media
    ):
        raise ApiError(
            BAD_REQUEST,
            f"The logo (draft.m.logo) uses media {str(logo['src'])[:40]}, which is not in "
            "this session: upload it again or remove the logo.",
            422,
        )


def _check_track(ti: int, track: Any, session_media: set[str]) -> int:
    """One track's shape and segments; how many segments it has."""
    if not isinstance(track, dict):
        raise ApiError(BAD_REQUEST, f"draft.t[{ti}] must be a track object.")
    if not isinstance(track.get("sg", []), list):
        raise ApiError(BAD_REQUEST, f"draft.t[{ti}].sg must be a list of segments.")
    count = 0
    for si, seg in enumerate(track.get("sg", [])):
        _check_segment(ti, si, seg, session_media)
        count += 1
    return count


def _check_segment(ti: int, si: int, seg: Any, session_media: set[str]) -> None:
    """One segment: an object, its times in range, its media in this session."""
    if not isinstance(seg, dict):
        raise ApiError(BAD_REQUEST, f"draft.t[{ti}].sg[{si}] must be a segment object.")
    where = f"draft.t[{ti}].sg[{si}] (segment {str(seg.get('id', '?'))[:40]})"
    for key in ("s", "d"):
        if key in seg and (not _number(seg[key]) or seg[key] < 0 or seg[key] > MAX_DRAFT_MS):
            raise ApiError(
                BAD_REQUEST,
                f"{where}: '{key}' is {str(seg[key])[:20]}; it must be 0-{MAX_DRAFT_MS} ms.",
            )
    src = seg.get("src")
    if src is not None and str(src) not in session_media:
        # 4000, not 4001: the file is fine (or unknown); the draft is what is wrong.
        # Another user's media gets the same answer, so its existence does not leak.
        name = str(seg["id"])[:40] if seg.get("id") else f"draft.t[{ti}].sg[{si}]"
        raise ApiError(
            BAD_REQUEST,
            f"Segment {name} uses media {str(src)[:40]}, which is not in this session: "
            f"upload it again or remove the segment (draft.t[{ti}].sg[{si}]).",
            422,
        )


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _job_data(job: dict[str, Any], base: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": job["id"],
        "status": job["status"],
        "progress": round(float(job["progress"]), 1),
        "sessionId": job["session_id"],
        "quality": job["quality"],
    }
    if job["status"] == RENDER_COMPLETED:
        data["output"] = {"url": f"{base}/renders/{job['id']}.mp4"}
    if job["status"] == RENDER_FAILED and job.get("error"):
        data["error"] = job["error"]
    warnings = (job.get("stats") or {}).get("warnings")
    if job["status"] == RENDER_COMPLETED and warnings:
        data["warnings"] = list(warnings)  # local extension: what could not be drawn
    if job["status"] == RENDER_FAILED and job.get("error_code"):
        data["errorCode"] = job["error_code"]  # local: why it failed (5007: the disk)
    found = job.get("stats")
    stats: dict[str, Any] = found if isinstance(found, dict) else {}
    for key in ("where", "dashboard", "notice"):
        if stats.get(key):
            data[key] = stats[key]
    aspect = (job.get("options") or {}).get("aspect")
    if aspect:
        data["aspect"] = aspect
    return data


def render_options(output: dict[str, Any]) -> dict[str, Any]:
    """The local extensions of ``output``: ``aspect`` and ``parallel``, checked."""
    options: dict[str, Any] = {}
    aspect = output.get("aspect")
    if aspect is not None:
        if aspect not in RENDER_ASPECTS:
            raise ApiError(
                BAD_REQUEST, f"output.aspect must be one of {', '.join(RENDER_ASPECTS)}."
            )
        options["aspect"] = aspect
    parallel = output.get("parallel")
    if parallel is not None:
        if parallel not in RENDER_PARALLEL:
            raise ApiError(
                BAD_REQUEST,
                f"output.parallel must be one of {', '.join(RENDER_PARALLEL)} (or left out).",
            )
        options["parallel"] = parallel
    return options


def reframe(draft: dict[str, Any], aspect: str) -> dict[str, Any]:
    """``draft`` on an ``aspect`` canvas with the same short side (photos are re-fitted)."""
    new = copy.deepcopy(draft)
    found = new.get("m")
    meta: dict[str, Any] = found if isinstance(found, dict) else {}
    width, height = int(meta.get("width") or 1920), int(meta.get("height") or 1080)
    meta["width"], meta["height"] = canvas_size(aspect, max(16, min(width, height)))
    meta["aspect"] = aspect
    new["m"] = meta
    return new


def _owned_job(request: Request, render_id: str | None = None) -> tuple[Context, dict[str, Any]]:
    ctx = ctx_of(request)
    render_id = render_id or request.path_params["render_id"]
    job = ctx.store.get_render(render_id)
    if job is None or job["user_id"] != request.state.user_id:
        raise ApiError(BAD_REQUEST, f"Render {render_id[:140]!r} was not found.", 404)
    return ctx, job


async def create_render(request: Request) -> Response:
    """``POST /api/render/proxy/lambda``: queue a job; the worker pool renders it."""
    ctx = ctx_of(request)
    body = await read_json(request)
    missing = [
        h
        for h in (HEADER_SKILL_SOURCE, HEADER_SKILL_VERSION, HEADER_SKILL_PLATFORM)
        if not request.headers.get(h)
    ]
    if missing:
        raise ApiError(
            BAD_REQUEST,
            f"Export needs the attribution headers {', '.join(missing)} (as on the cloud).",
            402,
        )
    render_id = body.get("id")
    if not isinstance(render_id, str) or not _RENDER_ID.match(render_id):
        raise ApiError(
            BAD_REQUEST,
            "The render 'id' must be 1-128 letters, digits, '_', '-' or "
            "'.', e.g. 'render_<unique>'.",
        )
    session = ctx.require_session(request, body.get("sessionId") or body.get("session_id"))
    output = body.get("output") or {}
    if not isinstance(output, dict):
        raise ApiError(BAD_REQUEST, '\'output\' must be an object like {"format": "mp4"}.')
    quality = output.get("quality", "high")
    if quality not in RENDER_QUALITIES:
        raise ApiError(BAD_REQUEST, f"output.quality must be one of {', '.join(RENDER_QUALITIES)}.")
    if output.get("format", "mp4") != "mp4":
        raise ApiError(BAD_REQUEST, "output.format must be 'mp4'.")
    session_id = session["session_id"]
    media_ids = {m["id"] for m in ctx.store.list_media(session_id)}
    draft = body.get("draft")
    validate_draft(draft, media_ids)
    checked = cast(dict[str, Any], draft)  # validate_draft refuses anything but an object
    options = render_options(output)
    if "aspect" in options:
        checked = reframe(checked, options["aspect"])
    size = render_bytes(checked, quality)
    require_space(ctx.data_dir, size, f"this render (about {size / 2**20:,.1f} MB)")
    try:
        job = ctx.store.create_render(
            render_id,
            session_id=session_id,
            user_id=request.state.user_id,
            quality=quality,
            draft=checked,
            options=options,
        )
    except DuplicateRenderId:
        raise ApiError(
            BAD_REQUEST, f"The render id {render_id!r} is already used: retry with a new id.", 409
        ) from None
    ctx.jobs.submit(render_id)
    return render_ok(_job_data(job, base_url(request)))


async def poll_render(request: Request) -> Response:
    ctx, job = _owned_job(request)
    ctx.jobs.check_orphan(job)
    job = ctx.store.get_render(job["id"]) or job
    return render_ok(_job_data(job, base_url(request)))


async def cancel_render(request: Request) -> Response:
    ctx, job = _owned_job(request)
    job = ctx.jobs.cancel(job["id"]) or job
    return render_ok(_job_data(job, base_url(request)))


def _finished_file(request: Request, render_id: str, *, attachment: bool) -> Response:
    ctx, job = _owned_job(request, render_id)
    path = render_path(ctx.store, job)
    if path is None:
        raise ApiError(
            BAD_REQUEST,
            f"Render {render_id!r} is not finished (status "
            f"{job['status']}): poll it until it is completed.",
            409,
        )
    return FileResponse(
        path,
        media_type="video/mp4",
        filename=f"{render_id}.mp4" if attachment else None,
        content_disposition_type="attachment" if attachment else "inline",
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


async def download_render(request: Request) -> Response:
    """``GET /api/render/proxy/{id}/download``: the MP4 bytes as an attachment."""
    return _finished_file(request, request.path_params["render_id"], attachment=True)


async def serve_render(request: Request) -> Response:
    """``GET /renders/{id}.mp4``: the MP4 inline, with Range support (browser ``<video>``)."""
    return _finished_file(request, request.path_params["render_id"], attachment=False)
