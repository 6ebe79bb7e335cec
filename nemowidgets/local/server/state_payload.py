"""The state endpoint's ``data``: built in one place for ``GET state`` and the edit routes.

The edit routes (``/_local/edits``, ``/_local/draft``) answer with the same
payload as the state endpoint, read under the session's lock right after the
new version is stored, so the client adopts it without a second request.
Media the user removed (``m.removed_media`` of the current draft) are left out
of the media lists; they stay stored, and a draft without them brings them back.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from nemowidgets.local.agent.edits import hidden_media
from nemowidgets.local.server import media_routes
from nemowidgets.local.server.context import Context
from nemowidgets.protocol import RENDER_COMPLETED

__all__ = ["iso", "state_payload"]


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def state_payload(ctx: Context, session: dict[str, Any], base: str) -> dict[str, Any]:
    """``{"session_id", "task_id", "state": {...}}`` of ``session`` as of now."""
    sid = session["session_id"]
    version, draft, _parent = ctx.store.current_draft(sid)
    hidden = hidden_media(draft)
    media = [
        media_routes.media_entry(m, base)
        for m in ctx.store.list_media(sid)
        if m["id"] not in hidden
    ]
    meta: dict[str, Any] = {}
    if isinstance(draft, dict) and isinstance(draft.get("m"), dict):
        meta = draft["m"]
    generated = []
    for job in ctx.store.session_renders(sid):
        item = {k: job[k] for k in ("id", "status", "progress", "quality")}
        item["created_at"] = iso(job["created_at"])
        if job["status"] == RENDER_COMPLETED:
            item["url"] = f"{base}/renders/{job['id']}.mp4"
        if job.get("error"):
            item["error"] = job["error"]
        generated.append(item)
    return {
        "session_id": sid,
        "task_id": session["task_id"],
        "state": {
            "draft": draft,
            "draft_version": version,
            "video_infos": media,
            "media": media,
            "canvas_config": {
                "width": meta.get("width", 1920),
                "height": meta.get("height", 1080),
                "aspect": meta.get("aspect", "16:9"),
            },
            "video_analyses": [],
            "generated_media": generated,
        },
    }
