"""The read-only face of a Session: its configuration, what the user works with, display.

:class:`SessionView` is the base of :class:`~nemowidgets.session.Session`: the
Session's file is about what a user does (upload, send, export), this one about
what they can look at.  Every property reads a collaborator's public state.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.api.client import NemoClient
    from nemowidgets.api.errors import NemoError
    from nemowidgets.api.events import AgentEvent
    from nemowidgets.api.models import Credits, MediaInfo
    from nemowidgets.api.retry import StreamPolicy
    from nemowidgets.draft import Draft
    from nemowidgets.session._connection import Connection
    from nemowidgets.session._conversation import Conversation
    from nemowidgets.session._drafts import Drafts
    from nemowidgets.session._events import ExportResult, SessionEvent
    from nemowidgets.session._exports import Exports
    from nemowidgets.session._loop import LoopThread
    from nemowidgets.session._media import MediaLibrary
    from nemowidgets.session._runtime import Runtime
    from nemowidgets.session._settings import Settings

__all__ = ["SessionView"]


class SessionView:
    """Read-only properties over the Session's collaborators (set by the Session)."""

    _settings: Settings
    _runtime: Runtime
    _connection: Connection
    _media: MediaLibrary
    _drafts: Drafts
    _exports: Exports
    _conversation: Conversation

    # -- configuration (read-only) ----------------------------------------------
    @property
    def backend(self) -> str:
        """'local' or 'cloud'."""
        return self._settings.backend

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def language(self) -> str:
        return self._settings.language

    @property
    def stream_policy(self) -> StreamPolicy | None:
        return self._settings.stream_policy

    @property
    def render_interval(self) -> float:
        """Seconds between render polls."""
        return self._settings.render_interval

    @property
    def export_dir(self) -> Path | None:
        return self._settings.export_dir

    # -- what the user works with (read-only) -----------------------------------
    @property
    def session_id(self) -> str | None:
        """The server's session id."""
        return self._connection.session_id

    @property
    def connected(self) -> bool:
        return self._connection.connected

    @property
    def balance(self) -> Credits | None:
        """Credits, refreshed after prompts."""
        return self._connection.balance

    @property
    def media(self) -> tuple[MediaInfo, ...]:
        """Uploaded media, in upload order."""
        return self._media.media

    @property
    def draft(self) -> Draft | None:
        """The current Draft (None before one)."""
        return self._drafts.draft

    @property
    def history(self) -> tuple[Draft, ...]:
        """Every draft version seen."""
        return self._drafts.history

    @property
    def can_undo(self) -> bool:
        """Whether :meth:`undo` has a change to take back."""
        return self._drafts.can_undo

    @property
    def can_redo(self) -> bool:
        """Whether :meth:`redo` has an undone change to repeat."""
        return self._drafts.can_redo

    @property
    def last_state(self) -> dict[str, Any] | None:
        """The latest state payload."""
        return self._drafts.state

    @property
    def exports(self) -> tuple[ExportResult, ...]:
        return self._exports.exports

    @property
    def events(self) -> tuple[AgentEvent, ...]:
        """The agent events of all turns."""
        return self._conversation.events

    @property
    def log(self) -> tuple[SessionEvent, ...]:
        """The last 1,000 SessionEvents."""
        return self._runtime.log

    @property
    def busy(self) -> bool:
        """True while work runs."""
        return self._runtime.busy

    @property
    def busy_what(self) -> str | None:
        """What runs: 'turn', 'upload', 'export'."""
        return self._runtime.busy_what

    @property
    def closed(self) -> bool:
        return self._runtime.closed

    @property
    def last_error(self) -> NemoError | None:
        return self._runtime.last_error

    # The client, the loop and the session-file key, for tests that look inside.
    @property
    def _client(self) -> NemoClient | None:
        return self._connection.client

    @property
    def _loop(self) -> LoopThread:
        return self._runtime.loop

    @property
    def _key(self) -> str:
        return self._settings.key

    # -- display -------------------------------------------------------------------
    def __repr__(self) -> str:
        draft = self.draft.summary() if self.draft is not None else "no draft"
        return (
            f"<Session {self.backend} {self._settings.where} session={self.session_id or '-'} "
            f"media={len(self.media)} {draft}>"
        )

    def _repr_html_(self) -> str:
        """The Session as a small table: backend, session id, media, draft; never the token."""
        rows = {
            "backend": f"{self.backend} ({self._settings.where})",
            "session": self.session_id or "not connected",
            "media": f"{len(self.media)} file(s)",
            "draft": self.draft.summary() if self.draft is not None else "none yet",
            "exports": str(len(self.exports)),
        }
        cells = "".join(
            f"<tr><th style='text-align:left'>{k}</th><td>{html.escape(v)}</td></tr>"
            for k, v in rows.items()
        )
        return f"<table class='nemo-session'>{cells}</table>"
