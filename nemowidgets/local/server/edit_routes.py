"""``POST /_local/edits`` and ``POST /_local/draft``: hand edits and setting the draft.

Both are local extensions (docs/protocol.md).  ``/_local/edits`` applies named
edits, the same functions the agent's prompts use, checked by
:mod:`nemowidgets.local.agent.hand_edits`; ``/_local/draft`` stores a whole
draft, or a copy of an earlier version, which is how the client's undo, redo
and restore change the server's draft.  Each stores a **new version** (never an
overwrite) under the session's lock, so an edit and a prompt never interleave.

``base_version`` is the version the caller's edit was made on.  If the session
moved on since (a prompt, another tab), the request is refused with 4000 /
HTTP 409 and nothing changes: the newer draft is never lost under a stale edit.
The answer is the state endpoint's payload as of right after the change, plus
``"edit": {"version", "changed", "applied"}``.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from nemowidgets.local.agent.hand_edits import HandEditError, apply_edits
from nemowidgets.local.server.context import (
    BAD_REQUEST,
    ApiError,
    Context,
    base_url,
    ctx_of,
    ok,
    read_json,
)
from nemowidgets.local.server.render_routes import validate_draft
from nemowidgets.local.server.state_payload import state_payload
from nemowidgets.protocol import DRAFT_SET_SOURCES

__all__ = ["post_draft", "post_edits"]


def _base_version(body: dict[str, Any]) -> int | None:
    base = body.get("base_version")
    if base is None:
        return None
    if not isinstance(base, int) or isinstance(base, bool) or base < 0:
        raise ApiError(
            BAD_REQUEST, "'base_version' must be the draft version the edit is based on."
        )
    return base


def _check_base(base: int | None, current: int) -> None:
    if base is not None and base != current:
        raise ApiError(
            BAD_REQUEST,
            f"The draft moved on: this change was made on version {base}, but the session "
            f"is at version {current} (a newer prompt or edit). Nothing was changed: "
            "reload the draft and make the change again.",
            409,
        )


def _answer(
    ctx: Context,
    session: dict[str, Any],
    base: str,
    version: int,
    changed: bool,
    applied: list[Any],
) -> dict[str, Any]:
    data = state_payload(ctx, session, base)
    data["edit"] = {"version": version, "changed": changed, "applied": applied}
    return data


def _edit(ctx: Context, session: dict[str, Any], base: str, body: dict[str, Any]) -> dict[str, Any]:
    """Worker thread: apply the edits on the current draft, store the new version."""
    sid = session["session_id"]
    wanted = _base_version(body)
    with ctx.session_lock(sid):
        version, draft, _parent = ctx.store.current_draft(sid)
        _check_base(wanted, version)
        media = [ctx.store.agent_media(m) for m in ctx.store.list_media(sid)]
        try:
            new, applied = apply_edits(draft, body.get("edits"), media)
        except HandEditError as exc:
            raise ApiError(BAD_REQUEST, f"{exc} Nothing was changed.") from None
        if new == draft:
            return _answer(ctx, session, base, version, False, applied)
        stored = ctx.store.add_draft(sid, new, parent=version, source="edit")
        return _answer(ctx, session, base, stored, True, applied)


async def post_edits(request: Request) -> Response:
    """``{"session_id", "edits": [{"name", "args"}], "base_version"}`` → the new state."""
    ctx = ctx_of(request)
    body = await read_json(request)
    session = ctx.require_session(request, body.get("session_id"))
    data = await anyio.to_thread.run_sync(_edit, ctx, session, base_url(request), body)
    return ok(data)


def _chosen(ctx: Context, sid: str, body: dict[str, Any]) -> tuple[Any, int | None, bool]:
    """The draft to store, its parent, and whether it was sent (not copied from a version)."""
    if ("draft" in body) == ("version" in body):
        raise ApiError(
            BAD_REQUEST, "Send either 'draft' (a whole draft) or 'version' (a stored one)."
        )
    if "version" in body:
        wanted = body["version"]
        found = (
            ctx.store.get_draft(sid, wanted)
            if isinstance(wanted, int) and not isinstance(wanted, bool) and wanted > 0
            else None
        )
        if found is None:
            raise ApiError(BAD_REQUEST, f"'version': this session has no draft version {wanted!r}.")
        return found[0], found[1], False
    return body["draft"], None, True


def _set(ctx: Context, session: dict[str, Any], base: str, body: dict[str, Any]) -> dict[str, Any]:
    """Worker thread: store the chosen draft as a new version."""
    sid = session["session_id"]
    wanted = _base_version(body)
    source = body.get("source", "set")
    if source not in DRAFT_SET_SOURCES:
        raise ApiError(BAD_REQUEST, f"'source' must be one of {', '.join(DRAFT_SET_SOURCES)}.")
    with ctx.session_lock(sid):
        version, current, _parent = ctx.store.current_draft(sid)
        _check_base(wanted, version)
        draft, parent, sent = _chosen(ctx, sid, body)
        if sent:
            every = {m["id"] for m in ctx.store.list_media(sid)}
            validate_draft(draft, every, require_segments=False)
            parent = version
        if draft == current:
            return _answer(ctx, session, base, version, False, [])
        stored = ctx.store.add_draft(sid, draft, parent=parent, source=str(source))
        return _answer(ctx, session, base, stored, True, [])


async def post_draft(request: Request) -> Response:
    """``{"session_id", "draft" | "version", "base_version", "source"}`` → the new state."""
    ctx = ctx_of(request)
    body = await read_json(request)
    session = ctx.require_session(request, body.get("session_id"))
    data = await anyio.to_thread.run_sync(_set, ctx, session, base_url(request), body)
    return ok(data)
