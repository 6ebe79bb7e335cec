"""One prompt, start to finish: routing, the agent's stream, the draft afterwards.

The protocol's rules for a turn (docs/protocol.md), in one place:

* Route first (:func:`nemowidgets.routing.route`): export / credits / status /
  upload are done by the client and never cost an agent call.
* Agent text is GUI-translated before anyone sees it; tool calls and results are
  kept in the turn's events (widgets hide them); keep-alives are dropped; a
  trailing "I encountered a temporary issue" after a normal reply is ignored.
* A broken stream - cut, stalled, timed out, or carrying a malformed event - is
  never answered by re-sending the prompt (that would charge twice): the state
  is polled at the stream policy's ``state_poll_intervals`` until the draft
  changes or the tries run out (a failed poll just waits for the next), and the
  turn ends with the server's stored draft and a notice saying what happened.
* Once the prompt was received, the turn is returned even when the state cannot
  be read back afterwards (``turn.error`` set, a notice saying so): raising then
  would lose the agent's reply and invite the user to re-send.
* An in-band agent error ends the turn with an ``error`` event.
* After every agent turn the state is read, the draft rebuilt and compared with
  the one before; a turn that produced no text replies with that diff.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from typing import TYPE_CHECKING, Any

from nemowidgets import _session_conn as conn
from nemowidgets import _session_ops as ops
from nemowidgets._session_args import check_prompt
from nemowidgets._session_events import Turn
from nemowidgets.api.errors import (
    AgentError,
    AuthError,
    CancelledByUser,
    DraftError,
    MalformedPayloadError,
    MediaError,
    NemoError,
    RenderError,
    SessionNotFoundError,
    StreamError,
)
from nemowidgets.api.events import AgentEvent
from nemowidgets.api.retry import StreamPolicy
from nemowidgets.draft import Draft, format_seconds
from nemowidgets.routing import export_quality, route, translate_gui

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.session import Session

__all__ = ["UPLOAD_HELP", "send"]

log = logging.getLogger("nemowidgets.session")
UPLOAD_HELP = (
    "Prompts cannot carry files. To upload, use the Uploader (browser files or the "
    "kernel's file chooser), or call session.upload('photos/') with a file or folder."
)
NO_DRAFT = "No timeline yet: try 'make a slideshow with transitions and music'."
_GLITCH = re.compile(r"encountered a temporary issue", re.IGNORECASE)
#: Where streamed text may be cut for display: after a sentence or a line.
_BOUNDARY = re.compile(r"[.!?]\s+|[。！？\n]\s*")
#: Failures that end a turn (kept in ``turn.error``) instead of raising from send().
_TURN_ERRORS = (AgentError, DraftError, RenderError, MediaError)


async def send(s: Session, prompt: str) -> Turn:
    check_prompt(prompt)  # before connecting: a bad argument does no work
    action = route(prompt)
    await conn.connect(s)
    async with s._busy("turn"):
        s._emit("turn_started", prompt=prompt, action=action)
        try:
            if action == "agent":
                turn = await _agent_turn(s, prompt)
            else:
                turn = await _action_turn(s, prompt, action)
        except BaseException as exc:  # the turn still finishes, for the widgets
            error: NemoError | None = None
            if isinstance(exc, NemoError):
                error = exc
            elif isinstance(exc, asyncio.CancelledError):
                error = CancelledByUser("Cancelled.")
            s._emit(
                "turn_finished",
                turn=Turn(prompt, action, (), s._draft, "No changes", str(error or exc), error),
            )
            raise
        s._emit("turn_finished", turn=turn)
    if action != "credits":
        await conn.refresh_credits(s, quiet=True)
    return turn


class _Display:
    """GUI-translates streamed text a sentence at a time.

    Partial chunks can cut "click the Export button" in two, and each half alone
    translates wrongly; so partial text is shown up to its last sentence end and
    the rest waits for the next chunk (or the end of the message).
    """

    def __init__(self) -> None:
        self.pending = ""

    def feed(self, event: AgentEvent) -> list[AgentEvent]:
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
        shown, self.pending = self.pending, ""
        return [AgentEvent("text", translate_gui(shown), partial=True)] if shown else []


def _say(s: Session, event: AgentEvent, events: list[AgentEvent]) -> None:
    events.append(event)
    s._events.append(event)
    s._emit("agent_event", event=event)


async def _action_turn(s: Session, prompt: str, action: str) -> Turn:
    error: NemoError | None = None
    try:
        if action == "export":
            result = await ops.export(s, export_quality(prompt), None, None)
            size = f"{result.width}x{result.height}" if result.width else "?"
            length = format_seconds(result.duration) if result.duration is not None else "?"
            reply = f"Exported {result.path} ({length} s, {size})."
        elif action == "credits":
            credits = await conn.refresh_credits(s)
            assert credits is not None
            reply = (
                f"Credits: {credits.available:g} available, {credits.frozen:g} frozen. "
                "Export is free; agent prompts use credits."
            )
        elif action == "status":
            await ops.read_state(s)
            summary = s._draft.summary() if s._draft is not None else NO_DRAFT
            reply = f"{summary} Media: {len(s._media)} file(s)."
        else:
            reply = UPLOAD_HELP
    except _TURN_ERRORS as exc:
        s._report(exc)
        error, reply = exc, str(exc)
    events: list[AgentEvent] = []
    _say(s, AgentEvent("error" if error else "notice", text=reply), events)
    return Turn(prompt, action, tuple(events), s._draft, "No changes", reply, error)


def _poll_intervals(s: Session) -> tuple[float, ...]:
    policy = s.stream_policy if s.stream_policy is not None else StreamPolicy()
    return tuple(float(x) for x in policy.state_poll_intervals)


def _changed(before: Draft | None, data: dict[str, Any]) -> bool:
    new = Draft.from_state(data)
    if new is None:
        return False
    return before is None or new.raw != before.raw or new.version != before.version


async def _poll_after_break(
    s: Session, client: Any, before: Draft | None
) -> tuple[dict[str, Any] | None, bool]:
    """Poll the state (never re-send the prompt) until the draft changes.

    Returns the last state read (``None`` if no read succeeded) and whether its
    draft differs from ``before``.  A failed read (the server restarting, a 5xx,
    a 429, a malformed payload) only costs that try: the next interval may work.
    A forgotten session or a dead token ends the polling (nothing to wait for);
    the caller's final read deals with them.
    """
    last: dict[str, Any] | None = None
    for delay in _poll_intervals(s):
        await asyncio.sleep(delay)
        try:
            data = await client.state(s._session_id)
            changed = _changed(before, data)
        except (SessionNotFoundError, AuthError):
            break
        except NemoError as exc:
            log.info("State poll after a broken stream failed: %s", exc.message)
            continue
        last = data
        if changed:
            return data, True
    return last, False


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


async def _agent_turn(s: Session, prompt: str) -> Turn:
    client = await s._get_client()
    before = s._server_draft
    events: list[AgentEvent] = []
    pieces: list[str] = []  # finished messages, raw (translated as a whole at the end)
    current: list[str] = []  # the message streaming in partial chunks
    error: NemoError | None = None
    notice = ""
    options = {"policy": s.stream_policy} if s.stream_policy is not None else {}
    display = _Display()

    async def run(session_id: str) -> None:
        async for event in client.stream(session_id, prompt, **options):
            if event.kind == "keepalive":
                continue
            if event.kind == "error":
                raise AgentError(event.text or "The agent reported an error.")
            if event.kind == "text":
                if not event.partial and (pieces or current) and _GLITCH.search(event.text):
                    continue  # docs/protocol.md: a trailing glitch is noise
                if event.data.get("replaces_partial"):
                    current.clear()  # the final text differs from what streamed: it wins
                current.append(event.text)
                if not event.partial:
                    pieces.append("".join(current))
                    current.clear()
            for shown in display.feed(event):
                _say(s, shown, events)

    polled: dict[str, Any] | None = None
    try:
        try:
            await conn.with_session(s, run)
        except MalformedPayloadError as exc:
            raise _stream_broken(exc) from exc
        finally:
            for shown in display.flush():
                _say(s, shown, events)
    except StreamError as exc:
        s._emit(
            "notice",
            text=f"{exc.message} Your prompt was not re-sent; checking the server for the result…",
        )
        polled, changed = await _poll_after_break(s, client, before)
        notice = f"{exc.message} Your prompt was not re-sent; " + (
            "the new draft was read back from the server."
            if changed
            else "the draft did not change, so try again."
        )
        _say(s, AgentEvent("notice", text=notice), events)
    except AgentError as exc:
        error = exc
        _say(s, AgentEvent("error", text=exc.message), events)
        s._report(exc)
    diff = "No changes"
    try:
        data = await conn.with_session(s, client.state)
    except NemoError as exc:
        # The prompt was received (and charged): raising would lose the agent's reply
        # and invite a re-send.  End the turn with what is known and say so.
        data = polled
        if data is None:
            s._report(exc)
            error = error or exc
            unread = (
                f"The new draft could not be read back ({exc.message}); run "
                "session.state() to refresh it. Your prompt was not re-sent."
            )
            notice = f"{notice}\n{unread}" if notice else unread
            _say(s, AgentEvent("notice", text=unread), events)
    if data is not None:
        try:
            _, diff, _ = conn.adopt_state(s, data)
        except MalformedPayloadError as exc:  # the server's draft is broken: say so, keep ours
            s._report(exc)
            error = error or exc
    pieces.append("".join(current))
    text = translate_gui("\n".join(p.strip() for p in pieces if p.strip()))
    if error is not None and error.message not in notice:
        reply = f"{text}\n{error.message}".strip()
    elif error is not None or text:
        reply = text
    else:
        reply = diff
        _say(s, AgentEvent("text", text=diff, data={"synthesized": True}), events)
    if notice:
        reply = f"{notice}\n{reply}".strip() if reply != notice else reply
    return Turn(prompt, "agent", tuple(events), s._draft, diff, reply, error)
