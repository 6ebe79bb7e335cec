"""StatusBar: is the Session connected, to which backend, how many credits, what went wrong.

Only what is true for the backend: the local backend has no credits (nothing
costs anything), so none are shown, and the server's session id (a 19-digit
number) means nothing to a user, so it is only in the line's tooltip.

It is also what starts the connection: a Studio shows "Connecting…" at once and
the Session connects on its own thread (``session.submit(session.aconnect())``),
so displaying the widget never blocks the kernel.  Errors are shown with the
action to take - the error's ``hint`` - with links clickable (on 2001 for an
anonymous user that is the registration link).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, ClassVar

import ipywidgets as W

from nemowidgets.widgets._base import CSS, SessionWidget, linkify

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.session import Session

__all__ = ["StatusBar"]

_BUSY_WORDS = {
    "turn": "the agent is working",
    "upload": "uploading",
    "export": "rendering the video",
}


class StatusBar(SessionWidget):
    """One line of status (connection, backend, credits, work) and an error box.

    ``StatusBar(session, connect=True)``: with ``connect`` (the default) an
    unconnected Session is connected in the background.
    """

    _kinds: ClassVar[tuple[str, ...]] = (
        "connected",
        "session_replaced",
        "busy",
        "credits",
        "turn_started",
        "render_started",
        "error",
        "closed",
    )
    _css_class = "nemo-statusbar"

    def __init__(self, session: Session, *, connect: bool = True, **kwargs: Any) -> None:
        super().__init__(session, **kwargs)
        self._state = "connecting" if connect else "offline"
        self._busy_what: str | None = None
        self._line = W.HTML(layout=W.Layout(width="100%"))
        self._line.add_class("nemo-status")
        self._error = W.HTML(layout=W.Layout(width="100%", display="none"))
        self._error.add_class("nemo-status-error")
        self._dismiss = W.Button(
            description="Dismiss",
            tooltip="Hide this message",
            layout=W.Layout(width="auto", display="none"),
        )
        self._dismiss.on_click(lambda _: self._clear_error())
        self.children = (
            W.HTML(CSS),
            self._line,
            W.HBox([self._error, self._dismiss], layout=W.Layout(width="100%")),
        )
        self._bind()
        if connect and not session.connected and not getattr(session, "closed", False):
            try:
                session.submit(session.aconnect())  # a failure arrives as an "error" event
            except RuntimeError:
                self._state = "closed"
                self._render()

    # -- state -> HTML -----------------------------------------------------------
    def _sync(self) -> None:
        s = self._session
        if getattr(s, "closed", False):
            self._state = "closed"
        elif s.connected:
            self._state = "ready"
        self._busy_what = getattr(s, "busy_what", None) if s.busy else None
        self._render()
        if s.last_error is not None and not s.connected:
            self._show_error(s.last_error.message, getattr(s.last_error, "hint", ""))

    def _render(self) -> None:
        s = self._session
        esc = html.escape
        if self._state == "connecting":
            head = "<span title='connecting'>◷</span> Connecting…"
        elif self._state == "ready":
            head = "<span style='color:#1b7f3b' title='connected'>●</span> Ready"
        elif self._state == "closed":
            head = "<span title='closed'>○</span> Session closed"
        else:
            head = "<span style='color:#b00020' title='not connected'>●</span> Not connected"
        local = s.backend == "local"
        parts = [
            head,
            "local backend (on this machine, free)" if local else f"{esc(s.backend)} backend",
        ]
        credits = s.balance
        if credits is not None and not local:
            parts.append(f"{credits.available:g} credits available · {credits.frozen:g} frozen")
        if self._busy_what:
            parts.append(f"◷ {esc(_BUSY_WORDS.get(self._busy_what, self._busy_what))}…")
        tip = f" title='session {esc(str(s.session_id), quote=True)}'" if s.session_id else ""
        self._line.value = (
            f"<div role='status' aria-live='polite'{tip}>"
            + " &nbsp;·&nbsp; ".join(parts)
            + "</div>"
        )

    def _show_error(self, message: str, hint: str) -> None:
        body = f"<b>{linkify(message)}</b>"
        if hint and hint not in message:
            body += f"<br>➜ {linkify(hint)}"
        self._error.value = f"<div class='nemo-error-box' role='alert'>{body}</div>"
        self._error.layout.display = None
        self._dismiss.layout.display = None

    def _clear_error(self) -> None:
        self._error.value = ""
        self._error.layout.display = "none"
        self._dismiss.layout.display = "none"

    # -- events (Session thread) -----------------------------------------------
    def _on_connected(self, data: dict[str, Any]) -> None:
        self._state = "ready"
        self._render()

    def _on_session_replaced(self, data: dict[str, Any]) -> None:
        self._show_error(str(data.get("message", "A new session was started.")), "")
        self._render()

    def _on_busy(self, data: dict[str, Any]) -> None:
        self._busy_what = data.get("what") if data.get("busy") else None
        self._render()

    def _on_credits(self, data: dict[str, Any]) -> None:
        self._render()

    def _on_turn_started(self, data: dict[str, Any]) -> None:
        self._clear_error()  # a new attempt: the old message no longer applies

    _on_render_started = _on_turn_started

    def _on_error(self, data: dict[str, Any]) -> None:
        if self._state == "connecting" and not self._session.connected:
            self._state = "offline"
        self._show_error(
            str(data.get("message") or "Something went wrong."), str(data.get("hint") or "")
        )
        self._render()

    def _on_closed(self, data: dict[str, Any]) -> None:
        self._state = "closed"
        self._busy_what = None
        self._render()
