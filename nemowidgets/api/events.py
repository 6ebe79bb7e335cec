"""SSE payloads -> one small event model.

``/run_sse`` speaks three payload styles (docs/protocol.md), and the widgets should
not care which one a backend chose:

1. Google ADK events (camelCase): ``content.parts[]`` with ``text``,
   ``functionCall {id, name, args}`` or ``functionResponse {id, name, response}``,
   plus ``partial``, ``errorCode``/``errorMessage`` and bookkeeping we ignore;
2. typed events: ``{"type": "text" | "tool_call" | "tool_result" | "heartbeat", ...}``;
3. ``{"error": "..."}``.

:func:`parse_payload` turns the ``data`` of one SSE event into zero or more
:class:`AgentEvent` s; an empty ``data`` is a keep-alive.  Payloads that carry
nothing a user sees (an ADK event holding only ``actions``, an unknown ``type``)
become keep-alives too: they prove the agent is alive, and a newer server
should not break an older client.  JSON that does not parse, or a field of the
wrong type, raises :class:`MalformedPayloadError` naming the field.

ADK streams text twice: ``partial`` chunks as they are generated, then one final
event with the whole text.  :class:`TextAssembler` makes sure each piece is
shown once, and drops the backend's trailing "I encountered a temporary issue"
after a normal reply (docs/protocol.md: it can be ignored).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from nemowidgets.api.errors import MalformedPayloadError

__all__ = [
    "AgentEvent",
    "EventKind",
    "TextAssembler",
    "is_temporary_issue",
    "keepalive",
    "parse_payload",
]

EventKind = Literal["text", "tool_call", "tool_result", "keepalive", "error", "notice"]


@dataclass(frozen=True)
class AgentEvent:
    """One thing that happened in an agent turn.

    ``text`` holds the text of ``text`` events, the message of ``error`` events and
    the words of ``notice`` events (e.g. "Still working…", added by the client);
    ``name`` and ``data`` hold a tool call's name and args, or a tool result.
    """

    kind: EventKind
    text: str = ""
    name: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    partial: bool = False


_KEEPALIVE = AgentEvent("keepalive")
_HEARTBEATS = frozenset({"heartbeat", "ping", "keepalive", "keep_alive"})
_TEMPORARY_ISSUE = "i encountered a temporary issue"


def keepalive(**data: Any) -> AgentEvent:
    """A keep-alive event (``data`` says where it came from, e.g. ``comment=" ping"``)."""
    return AgentEvent("keepalive", data=data) if data else _KEEPALIVE


def is_temporary_issue(text: str) -> bool:
    """The backend's boilerplate "I encountered a temporary issue…" sentence."""
    return text.strip().lower().startswith(_TEMPORARY_ISSUE)


def parse_payload(data: str) -> list[AgentEvent]:
    """The events in one SSE ``data`` string (see the module docstring)."""
    if not data.strip():
        return [_KEEPALIVE]
    try:
        obj = json.loads(data)
    except ValueError as exc:
        raise MalformedPayloadError(
            f"An event of the agent's stream is not valid JSON (field 'data': {_clip(data)}).",
            field="data",
        ) from exc
    if not isinstance(obj, dict):
        raise MalformedPayloadError(
            f"An event of the agent's stream is {type(obj).__name__}, not a JSON object "
            "(field 'data').",
            field="data",
        )
    if isinstance(obj.get("type"), str):
        return _typed(obj)
    if any(key in obj for key in ("content", "errorCode", "errorMessage")):
        return _adk(obj)
    if "error" in obj:
        return [_error(obj["error"], "error")]
    return [keepalive(ignored=sorted(obj)[:8])]


# -- the three styles ---------------------------------------------------------


def _adk(obj: dict[str, Any]) -> list[AgentEvent]:
    events: list[AgentEvent] = []
    partial = bool(obj.get("partial"))
    content = obj.get("content")
    if content is not None and not isinstance(content, dict):
        raise _bad("content", "an object", content)
    parts = (content or {}).get("parts")
    if parts is not None and not isinstance(parts, list):
        raise _bad("content.parts", "a list", parts)
    for i, part in enumerate(parts or []):
        where = f"content.parts[{i}]"
        if not isinstance(part, dict):
            raise _bad(where, "an object", part)
        if part.get("thought"):  # model reasoning, not a reply
            continue
        if "text" in part and part["text"] is not None:
            text = part["text"]
            if not isinstance(text, str):
                raise _bad(f"{where}.text", "a string", text)
            if text:
                events.append(AgentEvent("text", text, partial=partial))
        if part.get("functionCall") is not None:
            call = _obj(part["functionCall"], f"{where}.functionCall")
            args = _obj(call.get("args") or {}, f"{where}.functionCall.args")
            name = _name(call.get("name"), f"{where}.functionCall.name")
            events.append(AgentEvent("tool_call", name=name, data=dict(args)))
        if part.get("functionResponse") is not None:
            resp = _obj(part["functionResponse"], f"{where}.functionResponse")
            name = _name(resp.get("name"), f"{where}.functionResponse.name")
            events.append(AgentEvent("tool_result", name=name, data=_result(resp.get("response"))))
    code, message = obj.get("errorCode"), obj.get("errorMessage")
    if code or message:
        text = str(message) if message else f"The agent failed (error {code})."
        events.append(AgentEvent("error", text, data={"code": code} if code else {}))
    return events or [keepalive(adk=True)]


def _typed(obj: dict[str, Any]) -> list[AgentEvent]:
    kind = obj["type"].lower()
    if kind == "text":
        text = obj.get("content", obj.get("text", ""))
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise _bad("content", "a string", text)
        return [AgentEvent("text", text, partial=bool(obj.get("partial")))] if text else []
    if kind == "tool_call":
        args = _obj(obj.get("args") or {}, "args")
        return [AgentEvent("tool_call", name=_name(obj.get("name"), "name"), data=dict(args))]
    if kind == "tool_result":
        data = _result(obj.get("result", obj.get("content")))
        return [AgentEvent("tool_result", name=_name(obj.get("name"), "name"), data=data)]
    if kind in _HEARTBEATS:
        return [keepalive(heartbeat=True)]
    if kind == "error":
        return [_error(obj.get("message", obj.get("error", obj.get("content"))), "message")]
    return [keepalive(type=kind)]  # a type this client does not know yet


# -- helpers ------------------------------------------------------------------


def _error(value: Any, where: str) -> AgentEvent:
    if isinstance(value, dict):
        message = value.get("message") or value.get("msg") or json.dumps(value)[:300]
        return AgentEvent("error", str(message), data={"code": value.get("code")})
    text = str(value).strip() if value not in (None, "") else ""
    return AgentEvent("error", text or f"The agent failed (empty '{where}').")


def _result(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    return dict(value) if isinstance(value, dict) else {"result": value}


def _obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(where, "an object", value)
    return value


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise _bad(where, "a non-empty string", value)
    return value


def _bad(where: str, expected: str, value: Any) -> MalformedPayloadError:
    return MalformedPayloadError(
        f"An event of the agent's stream has a bad field '{where}': expected {expected}, "
        f"got {_clip(json.dumps(value, default=str))}.",
        field=where,
    )


def _clip(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


class TextAssembler:
    """Shows each piece of agent text once, across ADK partial and final events.

    Feed it every event of a turn in order; it returns the event to show, a
    shortened one, or ``None`` (already shown / to be ignored):

    * ``partial`` text is shown as it comes and remembered;
    * the final event that repeats the partials is swallowed (or only its new
      tail is shown); a final that *differs* from what streamed is shown whole,
      flagged ``data={"replaces_partial": True}`` so a view can swap it in;
    * a text or error that is the backend's "I encountered a temporary issue"
      boilerplate is dropped when the turn already showed a reply.

    ``text`` is everything shown so far: the reply of the turn.
    """

    def __init__(self) -> None:
        self._pending = ""  # partial text not yet confirmed by a final event
        self.text = ""

    def feed(self, event: AgentEvent) -> AgentEvent | None:
        if event.kind == "error":
            return None if self.text.strip() and is_temporary_issue(event.text) else event
        if event.kind != "text":
            return event
        if event.partial:
            self._pending += event.text
            self.text += event.text
            return event
        pending, self._pending = self._pending, ""
        if pending:
            if event.text == pending:
                return None
            if event.text.startswith(pending):
                return self._show(AgentEvent("text", event.text[len(pending) :]))
            self.text = self.text[: len(self.text) - len(pending)]
            return self._show(replace(event, data={**event.data, "replaces_partial": True}))
        if self.text.strip() and is_temporary_issue(event.text):
            return None
        return self._show(event)

    def _show(self, event: AgentEvent) -> AgentEvent:
        self.text += event.text
        return event
