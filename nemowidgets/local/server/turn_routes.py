"""``POST /run_sse``: one agent turn, committed first, then streamed.

Order matters for reliability: the prompt is counted, the agent runs (in a
worker thread, so the event loop keeps serving keep-alives and other calls)
and its draft is stored *before* any event is sent.  A client whose stream
breaks therefore finds the edit in the state when it polls, and never needs
to re-send the prompt (which the prompt counter lets tests verify).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.to_thread
from starlette.requests import Request

from nemowidgets.local.server.context import BAD_REQUEST, ApiError, Context, ctx_of, read_json
from nemowidgets.local.server.sse import (
    DROP,
    KEEPALIVE,
    SSEResponse,
    error_event,
    reply_events,
    sse,
)
from nemowidgets.local.store.space import DRAFT_BYTES, full_after, is_disk_full, require_space
from nemowidgets.protocol import lone_surrogate, surrogate_message

__all__ = ["MAX_PROMPT_CHARS", "run_sse"]

log = logging.getLogger(__name__)

#: Longer prompts are refused (a clear error beats an agent chewing on a megabyte).
MAX_PROMPT_CHARS = 10_000
NOTHING_TO_UNDO = "There is nothing to undo yet: the timeline is as it was at the start."


@dataclass
class TurnResult:
    text: str = ""
    calls: list[Any] = field(default_factory=list)
    version: int = 0
    changed: bool = False
    error: str | None = None
    error_code: str = "AGENT_ERROR"


def _prompt_of(body: dict[str, Any]) -> str:
    message = body.get("new_message")
    parts = message.get("parts") if isinstance(message, dict) else None
    if not isinstance(parts, list):
        raise ApiError(BAD_REQUEST, 'The request needs "new_message": {"parts": [{"text": ...}]}.')
    texts = [p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str)]
    prompt = "\n".join(texts)
    bad = lone_surrogate(prompt)  # a JSON escape such as "\udce9": not text we can store
    if bad is not None:
        raise ApiError(BAD_REQUEST, surrogate_message(prompt, bad))
    return prompt


def run_turn(ctx: Context, session_id: str, prompt: str) -> TurnResult:
    """The agent's turn (worker thread): read draft and media, respond, store the new version."""
    from nemowidgets.local.agent import respond
    from nemowidgets.local.agent.edits import hidden_media

    with ctx.session_lock(session_id):
        version, draft, _parent = ctx.store.current_draft(session_id)
        hidden = hidden_media(draft)  # files the user removed: the agent does not see them
        media = [
            ctx.store.agent_media(m)
            for m in ctx.store.list_media(session_id)
            if m["id"] not in hidden
        ]
        canvas = (
            dict(draft["m"])
            if isinstance(draft, dict) and isinstance(draft.get("m"), dict)
            else None
        )
        try:
            reply = respond(prompt, draft, media, canvas=canvas)
        except Exception as exc:
            log.exception("the agent failed on a prompt")
            return TurnResult(
                version=version,
                error=f"The agent failed on this request "
                f"({type(exc).__name__}: {exc}). Rephrase it "
                f"or try again.",
            )
        result = TurnResult(
            text=str(getattr(reply, "text", "") or ""),
            calls=list(getattr(reply, "calls", None) or []),
            version=version,
        )
        try:
            _store_reply(ctx, session_id, reply, result, hidden)
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            full = full_after(ctx.data_dir, "the agent's new draft", DRAFT_BYTES)
            log.warning("a turn of session %s: %s", session_id, full.message)
            return TurnResult(
                version=version, error=f"{full.message} {full.hint}", error_code="STORAGE_FULL"
            )
        return result


def _store_reply(
    ctx: Context, session_id: str, reply: Any, result: TurnResult, hidden: set[str]
) -> None:
    """Store the agent's edit (or undo) as a new draft version; ``result`` says which.

    Media the user removed (``hidden``) stay removed in the agent's new draft.
    """
    from nemowidgets.local.agent.edits import keep_hidden

    if getattr(reply, "undo", False):
        undone = ctx.store.undo(session_id)
        if undone is None:
            result.text = NOTHING_TO_UNDO
        else:
            result.version, result.changed = undone[0], True
    elif getattr(reply, "draft", None) is not None:
        new = keep_hidden(reply.draft, hidden)
        result.version = ctx.store.add_draft(session_id, new, parent=result.version)
        result.changed = True


async def _too_long(ctx: Context, session_id: str, length: int) -> TurnResult:
    version = ctx.store.current_draft(session_id)[0]
    return TurnResult(
        version=version,
        text=(
            f"Your message is {length:,} characters long, and I read requests of up to "
            f"{MAX_PROMPT_CHARS:,}. The timeline is unchanged. Send a short request, e.g. 'make a "
            f"slideshow with crossfades and music', 'make it 9:16' or 'add the title Summer'."
        ),
    )


async def run_sse(request: Request) -> SSEResponse:
    ctx = ctx_of(request)
    body = await read_json(request)
    session = ctx.require_session(request, body.get("session_id"))
    session_id = session["session_id"]
    # Before the prompt is counted: a turn whose draft cannot be stored is not started.
    require_space(ctx.data_dir, DRAFT_BYTES, "the agent's new draft")
    ctx.store.count_prompt(session_id)
    prompt = _prompt_of(body)
    if not prompt.strip():
        raise ApiError(
            BAD_REQUEST,
            "The prompt is empty: type what you want, e.g. 'make a "
            "slideshow with transitions and music'.",
        )
    faults: dict[str, dict[str, Any] | None] = {}
    if ctx.faults is not None and ctx.faults.armed:
        faults = {
            name: ctx.faults.take(name)
            for name in ("drop_stream", "stall_stream", "malformed_event")
        }
    if len(prompt) > MAX_PROMPT_CHARS:  # answered, not refused: the draft stays as it is
        work = _too_long(ctx, session_id, len(prompt))
    else:
        work = anyio.to_thread.run_sync(run_turn, ctx, session_id, prompt)
    task = asyncio.ensure_future(work)
    ctx.background.add(task)  # the turn finishes even if the client goes away
    task.add_done_callback(ctx.background.discard)
    return SSEResponse(_events(ctx, task, faults))


async def _events(
    ctx: Context, task: asyncio.Future[TurnResult], faults: dict[str, dict[str, Any] | None]
) -> AsyncIterator[Any]:
    """Keep-alives until the turn is done, then its events (fault injection aside)."""
    invocation_id = "e-" + uuid.uuid4().hex
    yield KEEPALIVE  # at once: the headers go out and the client knows the turn started
    while not task.done():
        await asyncio.wait({task}, timeout=ctx.keepalive)
        if not task.done():
            yield KEEPALIVE
    result: TurnResult = task.result()
    stall = faults.get("stall_stream")
    if stall is not None:
        deadline = anyio.current_time() + float(stall["seconds"])
        while (left := deadline - anyio.current_time()) > 0:  # no cancel scope across a yield
            yield KEEPALIVE
            await anyio.sleep(min(float(stall["interval"]), left))
        return
    if faults.get("malformed_event") is not None:
        yield b'data: {"content": {"role": "model", "parts": [{"text": "Half an ev\n\n'
    if result.error is not None:
        events = [error_event(invocation_id, result.error, result.error_code)]
    else:
        events = reply_events(
            invocation_id, result.text, result.calls, result.version if result.changed else None
        )
    for index, event in enumerate(events):
        yield sse(event)
        if index == 0 and faults.get("drop_stream") is not None:
            yield DROP
            return
