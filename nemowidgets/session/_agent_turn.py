"""One prompt to the agent: its stream, what a broken stream costs, the draft afterwards.

The protocol's rules for an agent turn (``docs/protocol.md``), in one place:

* Agent text is GUI-translated before anyone sees it (:mod:`._display`); tool
  calls and results are kept in the turn's events (widgets hide them);
  keep-alives are dropped; a trailing "I encountered a temporary issue" after a
  normal reply is ignored.
* A broken stream - cut, stalled, timed out, or carrying a malformed event - is
  never answered by re-sending the prompt (that would charge twice): the state
  is polled at the stream policy's ``state_poll_intervals`` until the draft
  changes or the tries run out (a failed poll just waits for the next), and the
  turn ends with the server's stored draft and a notice saying what happened.
* Once the prompt was received, the turn is returned even when the state cannot
  be read back afterwards (``turn.error`` set, a notice saying so): raising then
  would lose the agent's reply and invite the user to re-send.
* An in-band agent error ends the turn with an ``error`` event.
* After the stream the state is read, the draft rebuilt and compared with the
  one before; a turn that produced no text replies with that diff.
* The client actions the reply points at ("click the Export button") are read
  from its text before translation and kept as ``turn.actions``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nemowidgets.api.errors import (
    AgentError,
    AuthError,
    MalformedPayloadError,
    NemoError,
    SessionNotFoundError,
    StreamError,
)
from nemowidgets.api.events import AgentEvent
from nemowidgets.routing import gui_actions, translate_gui
from nemowidgets.session._connection import Connection
from nemowidgets.session._display import StreamDisplay, is_glitch
from nemowidgets.session._drafts import Drafts, draft_moved
from nemowidgets.session._events import Turn
from nemowidgets.session._runtime import Runtime

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.api.client import NemoClient

__all__ = ["AgentTurn"]

log = logging.getLogger("nemowidgets.session")


def _stream_broken(exc: NemoError) -> StreamError:
    """A malformed event means the rest of the turn is lost: the same as a broken stream.

    The client reports it as a StreamError already; this also covers a
    MalformedPayloadError that escapes its parser, so a bad event can never
    end a turn without the state being read back.
    """
    err = StreamError(
        f"The agent's stream sent a malformed event: {exc.message}",
        reason="malformed",
        field=exc.details.get("field"),
    )
    err.__cause__ = exc
    return err


class AgentTurn:
    """The state of one agent turn while it streams, and the Turn it ends with."""

    def __init__(
        self,
        runtime: Runtime,
        connection: Connection,
        drafts: Drafts,
        say: Callable[[AgentEvent], None],
        prompt: str,
    ) -> None:
        self._runtime = runtime
        self._connection = connection
        self._drafts = drafts
        self._say_everywhere = say
        self._prompt = prompt
        self._before = drafts.server_draft
        self._events: list[AgentEvent] = []
        self._pieces: list[str] = []  # finished messages, raw (translated as a whole at the end)
        self._current: list[str] = []  # the message streaming in partial chunks
        self._display = StreamDisplay()
        self._error: NemoError | None = None
        self._notice = ""

    def _say(self, event: AgentEvent) -> None:
        self._events.append(event)
        self._say_everywhere(event)

    async def run(self) -> Turn:
        """Stream the prompt, recover from a broken stream, read the draft back, reply."""
        client = await self._connection.get_client()
        polled: dict[str, Any] | None = None
        try:
            await self._stream(client)
        except StreamError as exc:
            polled = await self._after_break(client, exc)
        except AgentError as exc:
            self._error = exc
            self._say(AgentEvent("error", text=exc.message))
            self._runtime.report(exc)
        diff = await self._read_back(client, polled)
        self._pieces.append("".join(self._current))
        self._current.clear()
        said = "\n".join(p.strip() for p in self._pieces if p.strip())
        actions = gui_actions(said)  # before translation: "click Export" still says so
        reply = self._reply(diff, translate_gui(said))
        events = tuple(self._events)
        draft = self._drafts.draft
        return Turn(self._prompt, "agent", events, draft, diff, reply, self._error, actions)

    # -- the stream ----------------------------------------------------------------
    async def _stream(self, client: NemoClient) -> None:
        policy = self._connection.settings.stream_policy
        options = {"policy": policy} if policy is not None else {}

        async def run(session_id: str) -> None:
            async for event in client.stream(session_id, self._prompt, **options):
                self._on_event(event)

        try:
            await self._connection.with_session(run)
        except MalformedPayloadError as exc:
            raise _stream_broken(exc) from exc
        finally:
            for shown in self._display.flush():
                self._say(shown)

    def _on_event(self, event: AgentEvent) -> None:
        if event.kind == "keepalive":
            return
        if event.kind == "error":
            raise AgentError(event.text or "The agent reported an error.")
        if event.kind == "text":
            if not event.partial and (self._pieces or self._current) and is_glitch(event.text):
                return  # a trailing glitch after a reply is noise (docs/protocol.md)
            if event.data.get("replaces_partial"):
                self._current.clear()  # the final text differs from what streamed: it wins
            self._current.append(event.text)
            if not event.partial:
                self._pieces.append("".join(self._current))
                self._current.clear()
        for shown in self._display.feed(event):
            self._say(shown)

    # -- a broken stream -----------------------------------------------------------
    async def _after_break(self, client: NemoClient, exc: StreamError) -> dict[str, Any] | None:
        """Say the prompt is not re-sent, poll for its result, say what was found."""
        self._runtime.emit(
            "notice",
            text=f"{exc.message} Your prompt was not re-sent; checking the server for the result…",
        )
        polled, changed = await self._poll(client)
        self._notice = f"{exc.message} Your prompt was not re-sent; " + (
            "the new draft was read back from the server."
            if changed
            else "the draft did not change, so try again."
        )
        self._say(AgentEvent("notice", text=self._notice))
        return polled

    async def _poll(self, client: NemoClient) -> tuple[dict[str, Any] | None, bool]:
        """Poll the state (never re-send the prompt) until the draft changes.

        Returns the last state read (``None`` if no read succeeded) and whether its
        draft differs from the one before the turn.  A failed read (the server
        restarting, a 5xx, a 429, a malformed payload) only costs that try: the next
        interval may work.  A forgotten session or a dead token ends the polling
        (nothing to wait for); the final read-back deals with them.
        """
        last: dict[str, Any] | None = None
        session_id = self._connection.session_id or ""
        for delay in self._connection.settings.poll_intervals:
            await asyncio.sleep(delay)
            try:
                data = await client.state(session_id)
                changed = draft_moved(self._before, data)
            except (SessionNotFoundError, AuthError):
                break
            except NemoError as exc:
                log.info("State poll after a broken stream failed: %s", exc.message)
                continue
            last = data
            if changed:
                return data, True
        return last, False

    # -- afterwards ----------------------------------------------------------------
    async def _read_back(self, client: NemoClient, polled: dict[str, Any] | None) -> str:
        """Read the state and adopt its draft; the change in words."""
        try:
            data: dict[str, Any] | None = await self._connection.with_session(client.state)
        except NemoError as exc:
            # The prompt was received (and charged): raising would lose the agent's reply
            # and invite a re-send.  End the turn with what is known and say so.
            data = polled
            if data is None:
                self._unread(exc)
        if data is None:
            return "No changes"
        try:
            return self._drafts.adopt(data).diff
        except MalformedPayloadError as exc:  # the server's draft is broken: say so, keep ours
            self._runtime.report(exc)
            self._error = self._error or exc
            return "No changes"

    def _unread(self, exc: NemoError) -> None:
        self._runtime.report(exc)
        self._error = self._error or exc
        unread = (
            f"The new draft could not be read back ({exc.message}); run "
            "session.state() to refresh it. Your prompt was not re-sent."
        )
        self._notice = f"{self._notice}\n{unread}" if self._notice else unread
        self._say(AgentEvent("notice", text=unread))

    def _reply(self, diff: str, text: str) -> str:
        """The agent's (translated) text, else the diff (said as the reply), plus errors
        and notices."""
        error, notice = self._error, self._notice
        if error is not None and error.message not in notice:
            reply = f"{text}\n{error.message}".strip()
        elif error is not None or text:
            reply = text
        else:
            reply = diff
            self._say(AgentEvent("text", text=diff, data={"synthesized": True}))
        if notice:
            reply = f"{notice}\n{reply}".strip() if reply != notice else reply
        return reply
