"""How the agent's streamed text is shown: GUI-translated a sentence at a time.

The agent's text names the vendor's GUI ("click the Export button"); before a
user sees it, :func:`nemowidgets.routing.translate_gui` rewrites it for the
widgets.  Partial chunks can cut such a phrase in two, and each half alone
translates wrongly; so :class:`StreamDisplay` shows partial text up to its last
sentence end and keeps the rest for the next chunk (or the end of the message).
"""

from __future__ import annotations

import dataclasses
import re

from nemowidgets.api.events import AgentEvent
from nemowidgets.routing import translate_gui

__all__ = ["StreamDisplay", "is_glitch"]

#: Where streamed text may be cut for display: after a sentence or a line.
_BOUNDARY = re.compile(r"[.!?]\s+|[。！？\n]\s*")
_GLITCH = re.compile(r"encountered a temporary issue", re.IGNORECASE)


def is_glitch(text: str) -> bool:
    """The agent's "I encountered a temporary issue" (noise after a normal reply)."""
    return bool(_GLITCH.search(text))


class StreamDisplay:
    """Turns the agent's events into the events shown, text translated by whole sentences."""

    def __init__(self) -> None:
        self.pending = ""

    def feed(self, event: AgentEvent) -> list[AgentEvent]:
        """What to show for ``event`` (text held back until a sentence ends)."""
        if event.kind != "text":
            return [*self.flush(), event]
        if not event.partial:
            text = event.text if event.data.get("replaces_partial") else self.pending + event.text
            self.pending = ""
            return [dataclasses.replace(event, text=translate_gui(text))]
        self.pending += event.text
        cut = max((m.end() for m in _BOUNDARY.finditer(self.pending)), default=0)
        if not cut:
            return []
        shown, self.pending = self.pending[:cut], self.pending[cut:]
        return [dataclasses.replace(event, text=translate_gui(shown))]

    def flush(self) -> list[AgentEvent]:
        """The held-back text, shown now (the message or the stream ended)."""
        shown, self.pending = self.pending, ""
        return [AgentEvent("text", translate_gui(shown), partial=True)] if shown else []
