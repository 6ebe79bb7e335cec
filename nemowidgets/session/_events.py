"""What a Session tells its observers, and the records it returns.

Widgets never poll: they :meth:`Observers.observe` a Session and receive
:class:`SessionEvent` objects.  Callbacks run on the Session's loop thread, one
at a time and in emission order; a callback that raises is logged and skipped,
never allowed to break the Session or the other observers.

Event kinds and their ``data`` (``nemowidgets.session`` re-exports all this)::

    "connected"        {"backend", "session_id", "base_url"}
    "session_replaced" {"old", "new", "message"}
    "busy"             {"busy": bool, "what": "turn" | "upload" | "export" | None}
    "media"            {"media": tuple[MediaInfo, ...]}
    "upload_progress"  {"filename", "sent", "total"}
    "turn_started"     {"prompt", "action"}
    "agent_event"      {"event": AgentEvent}
    "turn_finished"    {"turn": Turn}
    "draft"            {"draft": Draft | None, "diff": str, "version": int, "restored": bool}
                       (None only after "session_replaced": the new session is empty)
    "credits"          {"credits": Credits}
    "render_started"   {"job": RenderJob, "path": str, "resumed": bool}
    "render_progress"  {"job": RenderJob}
    "render_done"      {"export": ExportResult}
    "error"            {"error": Exception, "message": str, "hint": str}
    "notice"           {"text": str}
    "closed"           {}
"""

from __future__ import annotations

import html
import logging
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemowidgets.api.errors import ConfigurationError

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.api.errors import NemoError
    from nemowidgets.api.events import AgentEvent
    from nemowidgets.api.models import RenderJob
    from nemowidgets.draft import Draft
    from nemowidgets.session._loop import LoopThread

__all__ = ["EVENT_KINDS", "ExportResult", "Observers", "SessionEvent", "Turn"]

log = logging.getLogger("nemowidgets.session")

EVENT_KINDS = frozenset(
    {
        "connected",
        "session_replaced",
        "busy",
        "media",
        "upload_progress",
        "turn_started",
        "agent_event",
        "turn_finished",
        "draft",
        "credits",
        "render_started",
        "render_progress",
        "render_done",
        "error",
        "notice",
        "closed",
    }
)


@dataclass(frozen=True)
class SessionEvent:
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Turn:
    """One prompt and what came of it.

    ``action`` is the route taken (``"agent"``, ``"export"``, ...); ``events`` the
    agent's events (text GUI-translated; tool calls kept for a debug view);
    ``draft`` the draft after the turn; ``diff`` what changed, in words; ``reply``
    what to show the user (the agent's text, else the diff, else the error).

    ``actions`` are the client actions the agent's reply points at ("click the
    Export button" -> ``("export",)``), read from its text *before* GUI translation
    (:func:`nemowidgets.routing.gui_actions`), in the order it says them.  Each is a
    :func:`~nemowidgets.routing.route` action the Session performs itself
    (``"export"``, ``"status"``, ``"upload"``, ``"credits"``): the Studio shows one
    button per action, and ``session.send(turn.actions[0])`` does it from code.
    """

    prompt: str
    action: str
    events: tuple[AgentEvent, ...]
    draft: Draft | None
    diff: str
    reply: str
    error: NemoError | None = None
    actions: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class ExportResult:
    """A rendered video on disk: ``path`` (local MP4), ``url`` (the server's copy)."""

    path: Path
    url: str | None
    job: RenderJob
    duration: float | None
    width: int | None
    height: int | None
    quality: str = "high"

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the renderer could not draw faithfully (e.g. a character no font has)."""
        return self.job.warnings

    def _repr_html_(self) -> str:
        # Jupyter serves files under its root: a path relative to the notebook's
        # folder (where the export was written by default) plays inline.
        try:
            src = os.path.relpath(self.path)
        except ValueError:  # pragma: no cover - another drive on Windows
            src = str(self.path)
        size = f"{self.width}×{self.height}" if self.width else "?"
        dur = f"{self.duration:.2f} s" if self.duration is not None else "?"
        return (
            f"<video src='{html.escape(src)}' controls style='max-width:100%'></video>"
            f"<div>{html.escape(self.path.name)} · {size} · {dur}</div>"
            + "".join(f"<div>⚠ {html.escape(w)}</div>" for w in self.warnings)
        )


class Observers:
    """The observer list of one Session; dispatches on its loop thread."""

    def __init__(self, loop: LoopThread) -> None:
        self._loop = loop
        self._lock = threading.Lock()
        self._subs: list[tuple[Callable[[SessionEvent], None], frozenset[str] | None]] = []

    def observe(
        self, callback: Callable[[SessionEvent], None], kinds: Iterable[str] | None = None
    ) -> Callable[[], None]:
        """Call ``callback(event)`` for every event (or only ``kinds``); returns unsubscribe."""
        if not callable(callback):
            raise ConfigurationError(
                f"callback must be a function taking one SessionEvent, not "
                f"{type(callback).__name__}.",
                hint="",
                field="callback",
            )
        if isinstance(kinds, str):
            kinds = [kinds]
        try:
            wanted = None if kinds is None else frozenset(kinds)
        except TypeError:  # not iterable, or unhashable items
            wanted = frozenset({repr(kinds)})
        unknown = {k for k in wanted or () if not isinstance(k, str) or k not in EVENT_KINDS}
        if unknown:
            raise ConfigurationError(
                f"Unknown event kinds {sorted(map(str, unknown))} (argument 'kinds'): pass "
                f"None (all) or some of {sorted(EVENT_KINDS)}.",
                hint="",
                field="kinds",
            )
        entry = (callback, wanted)
        with self._lock:
            self._subs.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._subs:
                    self._subs.remove(entry)

        return unsubscribe

    def emit(self, kind: str, **data: Any) -> SessionEvent:
        event = SessionEvent(kind, data)
        if self._loop.in_thread():
            self._dispatch(event)
        else:
            self._loop.call_soon(self._dispatch, event)
        return event

    def _dispatch(self, event: SessionEvent) -> None:
        with self._lock:
            subs = list(self._subs)
        for callback, wanted in subs:
            if wanted is not None and event.kind not in wanted:
                continue
            try:
                callback(event)
            except Exception:
                log.exception("A nemowidgets observer raised on a %r event (ignored)", event.kind)
