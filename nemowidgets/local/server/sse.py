"""The ``/run_sse`` stream: an agent reply as Google-ADK-style events, plus keep-alives.

docs/protocol.md lists three payload styles; the local backend emits the first, ADK
events in camelCase, the way an ADK ``/run_sse`` endpoint with streaming on
would: for each edit a ``functionCall`` event and its ``functionResponse``,
then the reply text as partial chunks, then one final aggregated text event
with ``turnComplete``.  The stream opens with a ``: ping`` comment and carries
one every few seconds while the agent works, so proxies and clients know it
is alive.  An agent failure is an
event with ``errorCode``/``errorMessage``.  There is no end marker: the stream
closing is the end.

:class:`SSEResponse` is a small ASGI response (rather than Starlette's
``StreamingResponse``) because fault injection needs to *drop* a stream: end
the connection without finishing the chunked body, as a broken network would.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import anyio
from starlette.types import Receive, Scope, Send

__all__ = ["DROP", "KEEPALIVE", "SSEResponse", "error_event", "reply_events", "sse"]

AUTHOR = "nemo_agent"
KEEPALIVE = b": ping\n\n"
#: Yielded by a stream generator to cut the connection (fault injection only).
DROP = object()


def sse(payload: dict[str, Any]) -> bytes:
    """One SSE event: a single ``data:`` line (JSON never contains a raw newline)."""
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode("utf-8") + b"\n\n"


def _event(
    invocation_id: str,
    parts: list[dict[str, Any]] | None,
    *,
    role: str = "model",
    partial: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "invocationId": invocation_id,
        "author": AUTHOR,
        "id": uuid.uuid4().hex,
        "timestamp": time.time(),
        "partial": partial,
    }
    if parts is not None:
        event["content"] = {"role": role, "parts": parts}
    event.update(extra)
    return event


def _chunks(text: str, pieces: int = 2) -> list[str]:
    """Split text into ``pieces`` deltas at word boundaries (their concatenation is the text)."""
    if len(text) < 24:
        return [text]
    out, rest = [], text
    for i in range(pieces - 1, 0, -1):
        cut = rest.find(" ", len(rest) // (i + 1))
        if cut <= 0:
            break
        out.append(rest[: cut + 1])
        rest = rest[cut + 1 :]
    out.append(rest)
    return [piece for piece in out if piece]


def reply_events(
    invocation_id: str, text: str, calls: list[Any], draft_version: int | None = None
) -> list[dict[str, Any]]:
    """The ADK events of one agent reply: call/response pairs, partial text, final text."""
    events: list[dict[str, Any]] = []
    for index, call in enumerate(calls, 1):
        call_id = f"adk-{invocation_id[-8:]}-{index}"
        name = str(getattr(call, "name", "edit"))
        args = _jsonable(getattr(call, "args", {}) or {})
        result = _jsonable(getattr(call, "result", {}) or {})
        events.append(
            _event(invocation_id, [{"functionCall": {"id": call_id, "name": name, "args": args}}])
        )
        events.append(
            _event(
                invocation_id,
                [{"functionResponse": {"id": call_id, "name": name, "response": result}}],
                role="user",
            )
        )
    actions = {"stateDelta": {"draft_version": draft_version}} if draft_version else None
    if text:
        pieces = _chunks(text)
        if len(pieces) > 1:
            events.extend(_event(invocation_id, [{"text": p}], partial=True) for p in pieces)
        final = _event(invocation_id, [{"text": text}], turnComplete=True)
    else:
        final = _event(invocation_id, None, turnComplete=True)
    if actions:
        final["actions"] = actions
    events.append(final)
    return events


def error_event(invocation_id: str, message: str, code: str = "AGENT_ERROR") -> dict[str, Any]:
    return _event(invocation_id, None, errorCode=code, errorMessage=message, turnComplete=True)


def _jsonable(value: Any) -> Any:
    """Tool args/results as JSON (the agent's are plain data; anything else becomes text)."""
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return json.loads(json.dumps(value, default=str))
    return value


class SSEResponse:
    """An ASGI ``text/event-stream`` response fed by an async iterator of bytes (or ``DROP``).

    Stops when the client disconnects (the generator is cancelled: a turn already
    running in its thread still finishes and stores its draft).
    """

    def __init__(self, events: AsyncIterator[Any]) -> None:
        self.events = events

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-cache"),
                    (b"x-accel-buffering", b"no"),
                ],
            }
        )
        dropped = False

        async def pump(cancel: anyio.CancelScope) -> None:
            nonlocal dropped
            async for chunk in self.events:
                if chunk is DROP:
                    dropped = True
                    break
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            cancel.cancel()

        async def watch(cancel: anyio.CancelScope) -> None:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    cancel.cancel()
                    return

        try:
            async with anyio.create_task_group() as group:
                group.start_soon(pump, group.cancel_scope)
                group.start_soon(watch, group.cancel_scope)
        except OSError:  # the client went away mid-write
            return
        finally:
            aclose = getattr(self.events, "aclose", None)
            if aclose is not None:
                with anyio.CancelScope(shield=True):
                    await aclose()
        if not dropped:
            with contextlib.suppress(OSError):  # the client may be gone already
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        # dropped: return without finishing the body; the server closes the connection.
