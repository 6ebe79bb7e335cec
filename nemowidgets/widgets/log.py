"""StreamLog: the conversation as it streams, without flooding the browser.

Agent text (already GUI-translated by the Session) grows in place as its chunks
arrive; a tool call is one compact line (``⚙ make_slideshow ✓``); "Still
working…" notices and errors (with the action to take) stand out.

Two things keep 1,000 events a second cheap for the browser:

* **Coalescing** - events only change the log's model; the HTML value is
  rebuilt by a :class:`~nemowidgets.widgets._base.Coalescer`, at most once per
  ``interval`` (0.1 s: ~10 frontend updates a second), leading + trailing edge,
  scheduled on the Session's own loop.  See ``benchmarks/log_coalescing.py``.
* **Folding** - only the last ``max_lines`` lines are kept; older ones fold
  into "… 950 earlier lines" (``session.events`` still has every agent event).

When a turn's reply points at a client action ("click the Export button":
``turn.actions``), the log shows one button per action under the conversation.
A button sends the action's command (:data:`nemowidgets.routing.ACTION_COMMANDS`)
with ``session.submit(session.asend(...))``, so it runs the same handler as typing
"export" and never blocks the kernel; the buttons go away when the next turn starts.
"""

from __future__ import annotations

import html
import threading
from collections import deque
from typing import TYPE_CHECKING, Any, ClassVar

import ipywidgets as W

from nemowidgets.routing import ACTION_COMMANDS
from nemowidgets.widgets._base import CSS, Coalescer, SessionWidget, linkify

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Future

    from nemowidgets.session import Session

__all__ = ["StreamLog"]

#: The button for each client action a reply can point at (``turn.actions``).
_ACTION_LABELS = {
    "export": ("Export", "download", "Render and download the video (as typing 'export')"),
    "status": ("Status", "list", "Show the timeline and media (as typing 'status')"),
    "upload": ("Upload", "upload", "How to add photos and music (as typing 'upload')"),
    "credits": ("Credits", "info", "Show the credit balance (as typing 'credits')"),
}


class _Line:
    """One log line; agent text grows chunk by chunk (joined only when shown)."""

    __slots__ = ("chunks", "hint", "kind", "name", "open")

    def __init__(self, kind: str, text: str, *, open_: bool = False, name: str = "") -> None:
        self.kind = kind
        self.chunks = [text]
        self.open = open_
        self.name = name
        self.hint = ""

    @property
    def text(self) -> str:
        if len(self.chunks) > 1:
            self.chunks = ["".join(self.chunks)]
        return self.chunks[0]


class StreamLog(SessionWidget):
    """The live log of prompts, agent text, tool activity, notices and errors.

    ``max_lines``: lines kept visible (older ones fold away); ``interval``:
    the least time between two frontend updates, in seconds.
    """

    _kinds: ClassVar[tuple[str, ...]] = (
        "turn_started",
        "agent_event",
        "turn_finished",
        "notice",
        "error",
        "session_replaced",
        "render_started",
        "render_done",
    )
    _css_class = "nemo-streamlog"

    def __init__(
        self, session: Session, *, max_lines: int = 200, interval: float = 0.1, **kwargs: Any
    ) -> None:
        super().__init__(session, **kwargs)
        if max_lines < 1:
            raise ValueError("max_lines must be at least 1.")
        self._lines: deque[_Line] = deque(maxlen=max_lines)
        self._folded = 0
        self._lock = threading.RLock()
        self._view = W.HTML(layout=W.Layout(width="100%"))
        self._view.add_class("nemo-log")
        self._coalescer = Coalescer(self._flush, interval)
        self._buttons: dict[str, W.Button] = {}
        for action, (label, icon, tip) in _ACTION_LABELS.items():
            button = W.Button(description=label, icon=icon, tooltip=tip)
            button.layout.display = "none"
            button.on_click(lambda _, a=action: self.run_action(a))
            self._buttons[action] = button
        self._shown: tuple[str, ...] = ()
        self._action_row = W.HBox(list(self._buttons.values()))
        self._action_row.add_class("nemo-log-actions")
        self.children = (W.HTML(CSS), W.Label("Conversation"), self._view, self._action_row)
        self._bind()

    # -- public ----------------------------------------------------------------------
    @property
    def text(self) -> str:
        """The visible lines as plain text (the fold note first, when lines folded away)."""
        with self._lock:
            lines = [self._line_text(line) for line in self._lines]
            if self._folded:
                lines.insert(0, f"… {self._folded} earlier lines")
        return "\n".join(lines)

    @property
    def actions(self) -> tuple[str, ...]:
        """The actions offered as buttons now (from the last turn's ``turn.actions``)."""
        return self._shown

    def run_action(self, action: str) -> Future[Any] | None:
        """Do ``action`` (what its button does): its command, sent without blocking."""
        command = ACTION_COMMANDS.get(action)
        if command is None:
            raise ValueError(f"Unknown action {action!r}: one of {', '.join(ACTION_COMMANDS)}.")
        self._offer(())
        try:
            return self._session.submit(self._session.asend(command))
        except RuntimeError as exc:  # the Session is closed
            self._add("error", str(exc))
            self._changed()
            return None

    def _offer(self, actions: tuple[str, ...]) -> None:
        """Show one button per action, in the order the reply said them."""
        shown = tuple(a for a in dict.fromkeys(actions) if a in self._buttons)
        self._shown = shown
        for action, button in self._buttons.items():
            button.layout.display = "" if action in shown else "none"
        rest = [b for a, b in self._buttons.items() if a not in shown]
        self._action_row.children = [self._buttons[a] for a in shown] + rest

    @property
    def updates(self) -> int:
        """How many times the HTML was rebuilt (each is one frontend update)."""
        return self._coalescer.flushes

    def clear(self) -> None:
        """Forget the shown lines (the Session keeps its events)."""
        with self._lock:
            self._lines.clear()
            self._folded = 0
        self._coalescer.flush_now()

    def close(self) -> None:
        if hasattr(self, "_coalescer"):
            self._coalescer.close()
        super().close()

    # -- model ---------------------------------------------------------------------
    def _add(self, kind: str, text: str, **kwargs: Any) -> _Line:
        line = _Line(kind, text, **kwargs)
        with self._lock:
            self._close_open()
            if len(self._lines) == self._lines.maxlen:
                self._folded += 1
            self._lines.append(line)
        return line

    def _close_open(self) -> None:
        if self._lines and self._lines[-1].open and self._lines[-1].kind == "agent":
            self._lines[-1].open = False

    def _changed(self) -> None:
        self._coalescer.request()

    @staticmethod
    def _line_text(line: _Line) -> str:
        return f"{line.text}\n➜ {line.hint}" if line.hint else line.text

    # -- view ------------------------------------------------------------------------
    def _flush(self) -> None:
        with self._lock:
            rows = []
            if self._folded:
                rows.append(f"<div class='nemo-fold'>… {self._folded} earlier lines</div>")
            for line in self._lines:
                body = html.escape(line.text) if line.kind != "error" else linkify(line.text)
                if line.hint:
                    body += f"<br>➜ {linkify(line.hint)}"
                rows.append(f"<div class='nemo-l nemo-l-{line.kind}'>{body}</div>")
            if not rows:
                rows.append(
                    "<div class='nemo-fold'>Send a prompt to start; the agent's "
                    "replies appear here.</div>"
                )
            self._view.value = (
                "<div class='nemo-log-scroll'><div role='log' "
                "aria-label='Conversation with the agent'>" + "".join(rows) + "</div></div>"
            )

    def _sync(self) -> None:
        self._coalescer.flush_now()

    # -- events (Session thread) ------------------------------------------------------
    def _on_turn_started(self, data: dict[str, Any]) -> None:
        self._offer(())
        action = data.get("action") or "agent"
        suffix = f"   → {action}" if action != "agent" else ""
        self._add("you", f"› {data.get('prompt', '')}{suffix}")
        self._changed()

    def _on_agent_event(self, data: dict[str, Any]) -> None:
        event = data.get("event")
        kind = getattr(event, "kind", "")
        if kind == "keepalive" or event is None:
            return
        with self._lock:
            if kind == "text":
                self._agent_text(event)
            elif kind == "tool_call":
                self._add("tool", f"⚙ {event.name or 'tool'}", name=event.name, open_=True)
            elif kind == "tool_result":
                self._tool_result(event)
            elif kind == "notice":
                self._add(
                    "notice",
                    f"◷ {event.text}" if "working" in event.text.lower() else f"ℹ {event.text}",
                )
            elif kind == "error":
                self._add("error", event.text or "The agent reported an error.")
        self._changed()

    def _agent_text(self, event: Any) -> None:
        last = self._lines[-1] if self._lines else None
        if last is not None and last.kind == "agent" and last.open:
            if event.data.get("replaces_partial"):
                last.chunks = [event.text]  # the final text differs from the stream: it wins
            else:
                last.chunks.append(event.text)
            last.open = bool(event.partial)
        elif event.text:
            self._add("agent", event.text, open_=bool(event.partial))

    def _tool_result(self, event: Any) -> None:
        failed = event.data.get("ok") is False or bool(event.data.get("error"))
        for line in reversed(self._lines):
            if line.kind == "tool" and line.open and line.name == event.name:
                line.chunks.append(" ✗" if failed else " ✓")
                line.open = False
                return

    def _on_turn_finished(self, data: dict[str, Any]) -> None:
        with self._lock:
            self._close_open()
        self._offer(tuple(getattr(data.get("turn"), "actions", ()) or ()))
        self._changed()

    def _on_notice(self, data: dict[str, Any]) -> None:
        self._add("notice", f"ℹ {data.get('text', '')}")
        self._changed()

    def _on_error(self, data: dict[str, Any]) -> None:
        message = str(data.get("message") or "Something went wrong.")
        hint = str(data.get("hint") or "")
        with self._lock:
            # The agent's in-band error was logged already: give it the hint.
            for line in list(self._lines)[-3:]:
                if line.kind == "error" and line.text == message:
                    line.hint = hint if hint not in message else ""
                    break
            else:
                self._add("error", message).hint = hint if hint not in message else ""
        self._changed()

    def _on_session_replaced(self, data: dict[str, Any]) -> None:
        self._add("notice", f"ℹ {data.get('message', 'A new session was started.')}")
        self._changed()

    def _on_render_started(self, data: dict[str, Any]) -> None:
        verb = "Resuming the render" if data.get("resumed") else "Rendering the video"
        self._add("tool", f"▶ {verb}…")
        self._changed()

    def _on_render_done(self, data: dict[str, Any]) -> None:
        result = data.get("export")
        path = getattr(result, "path", None)
        details = []
        if getattr(result, "duration", None) is not None:
            details.append(f"{result.duration:.1f} s")  # type: ignore[union-attr]
        if getattr(result, "width", None):
            details.append(f"{result.width}×{result.height}")  # type: ignore[union-attr]
        name = getattr(path, "name", "video")
        self._add(
            "done", f"✓ Video ready: {name}" + (f" ({', '.join(details)})" if details else "")
        )
        self._changed()
