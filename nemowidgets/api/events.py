"""SSE payloads -> one small event model.

(Parser to be completed: see the api issue.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

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
