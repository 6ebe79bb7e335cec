"""Byte-exact SSE streams for tests: ADK, typed and error payloads, comments and pauses.

A *script* is a list the cloud stand-in plays in order: ``bytes`` are written as
one chunk, a ``float`` is a pause in seconds, and :data:`DROP` breaks the
connection mid-stream (no terminating chunk), the way a crashed backend or a
dead proxy does.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "DROP",
    "adk",
    "adk_call",
    "adk_error",
    "adk_result",
    "adk_script",
    "adk_text",
    "comment",
    "data",
    "pings",
    "typed_script",
]

DROP = "drop"


def data(obj: Any, *, eol: str = "\n") -> bytes:
    """One event: ``data: <json>`` and a blank line."""
    text = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
    return f"data: {text}{eol}{eol}".encode()


def comment(text: str = "ping") -> bytes:
    return f": {text}\n\n".encode()


def pings(count: int, every: float) -> list[Any]:
    """``count`` keep-alive comments ``every`` seconds apart."""
    out: list[Any] = []
    for _ in range(count):
        out += [comment(), every]
    return out


def adk(parts: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"author": "nemo_agent", "invocationId": "e-1", "id": "ev", "timestamp": 1.0,
            "content": {"role": "model", "parts": parts}, **extra}  # fmt: skip


def adk_text(text: str, *, partial: bool = False) -> dict[str, Any]:
    return adk([{"text": text}], partial=partial) if partial else adk([{"text": text}])


def adk_call(name: str, args: dict[str, Any], call_id: str = "call-1") -> dict[str, Any]:
    return adk([{"functionCall": {"id": call_id, "name": name, "args": args}}])


def adk_result(name: str, response: dict[str, Any], call_id: str = "call-1") -> dict[str, Any]:
    return adk([{"functionResponse": {"id": call_id, "name": name, "response": response}}])


def adk_error(code: str, message: str) -> dict[str, Any]:
    return {"author": "nemo_agent", "errorCode": code, "errorMessage": message}


def adk_script(reply: str = "I made a 3-photo slideshow with crossfades.") -> list[Any]:
    """A full ADK turn: comment, partial text, a tool call and result, the final text."""
    half = len(reply) // 2
    return [
        comment("ping"),
        data(adk_text(reply[:half], partial=True)),
        data(""),
        data(adk_text(reply[half:], partial=True)),
        data(adk_call("make_slideshow", {"transition": "crossfade"})),
        data(adk_result("make_slideshow", {"ok": True, "duration_ms": 9000})),
        data(adk_text(reply)),
        data({**adk([]), "turnComplete": True, "actions": {"stateDelta": {"draft": 1}}}),
    ]


def typed_script(reply: str = "Done: 3 photos, 9 seconds.") -> list[Any]:
    """A typed-event turn with heartbeats between the steps."""
    return [
        data({"type": "heartbeat"}),
        data({"type": "tool_call", "name": "make_slideshow", "args": {"per_photo": 3}}),
        data({"type": "heartbeat"}),
        data({"type": "tool_result", "name": "make_slideshow", "result": {"ok": True}}),
        data({"type": "text", "content": reply}),
        data({"type": "heartbeat"}),
    ]
