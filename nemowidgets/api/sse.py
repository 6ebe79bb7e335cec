"""SSE framing and the clock of a turn: bytes -> events and comments -> watchdog.

Why not just ``httpx_sse.EventSource.aiter_sse()``: it swallows comment lines,
and ``: ping`` comments are exactly how the backend says "still alive" during a
long edit (docs/protocol.md).  So the client splits lines itself and hands every
non-comment line to httpx-sse's own :class:`~httpx_sse._decoders.SSEDecoder`
(field parsing, ``id``/``retry`` rules), while comments surface as
:class:`Comment` frames.

Line splitting follows the WHATWG "event stream" grammar: a line ends at CRLF,
LF or a lone CR.  A CR is acted on at once (a live stream whose lines end in CR
must not wait for the next chunk) and a LF right after it, even one that
arrives in the next chunk, is skipped.  Bytes are decoded as UTF-8 whatever the
``Content-Type`` says (the spec's rule), incrementally, so a multi-byte
character split across chunks survives; a leading BOM is dropped.  An event is
dispatched only when its block ends with a blank line and had at least one
``data`` line; a block cut off by the end of the stream is discarded (spec).
"""

from __future__ import annotations

import asyncio
import codecs
import re
import time
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from httpx_sse import ServerSentEvent
from httpx_sse._decoders import SSEDecoder

from nemowidgets.api.errors import AgentError, MalformedPayloadError, StreamError
from nemowidgets.api.events import AgentEvent, TextAssembler, keepalive, parse_payload
from nemowidgets.api.retry import StreamPolicy

__all__ = ["Comment", "SSEFramer", "StreamWatchdog", "aiter_frames", "read_turn"]

STILL_WORKING = "Still working…"
_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Comment:
    """An SSE comment line (``: ping``); ``text`` is what follows the colon."""

    text: str


Frame = ServerSentEvent | Comment


class SSEFramer:
    """Incremental ``text/event-stream`` parser: feed bytes, get frames."""

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._decoder = SSEDecoder()
        self._line = ""  # an unfinished line
        self._skip_lf = False  # the last chunk ended in CR: a LF first in the next is its pair
        self._started = False
        self._data_lines = 0  # data fields in the current block

    def feed(self, chunk: bytes) -> list[Frame]:
        return self._feed_text(self._utf8.decode(chunk))

    def close(self) -> list[Frame]:
        """End of stream: finish decoding; an unterminated block is dropped."""
        frames = self._feed_text(self._utf8.decode(b"", final=True))
        self._line = ""  # pending data is discarded at the end of the stream
        return frames

    def _feed_text(self, text: str) -> list[Frame]:
        if not text:
            return []
        if not self._started:
            self._started = True
            text = text.removeprefix("\ufeff")
        if self._skip_lf:
            self._skip_lf = False
            text = text.removeprefix("\n")
        frames: list[Frame] = []
        pos = 0
        for match in _LINE_END.finditer(text):
            line = self._line + text[pos : match.start()]
            self._line = ""
            pos = match.end()
            frame = self._line_done(line)
            if frame is not None:
                frames.append(frame)
        self._line += text[pos:]
        if text.endswith("\r"):
            self._skip_lf = True
        return frames

    def _line_done(self, line: str) -> Frame | None:
        if line.startswith(":"):
            return Comment(line[1:].removeprefix(" "))
        if line.split(":", 1)[0] == "data":
            self._data_lines += 1
        event = self._decoder.decode(line)
        if not line:  # end of a block
            had_data, self._data_lines = self._data_lines, 0
            return event if had_data else None
        return event


async def aiter_frames(chunks: AsyncIterable[bytes]) -> AsyncGenerator[Frame, None]:
    """The frames of a byte stream (e.g. ``response.aiter_bytes()``)."""
    framer = SSEFramer()
    async for chunk in chunks:
        for frame in framer.feed(chunk):
            yield frame
    for frame in framer.close():
        yield frame


class StreamWatchdog:
    """Decides, from a turn's events and the clock, when to nudge and when to give up.

    ``timeout()`` is how long the reader may wait for the next frame;
    when that wait runs out it calls ``expired()``, which returns a "Still
    working…" notice or raises :class:`StreamError`.
    """

    def __init__(self, policy: StreamPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        now = clock()
        self._start = now
        self._last_text = now  # the last text the user saw
        self._last_progress = now  # the last event that was more than a keep-alive
        self._notices = 0  # notices since the last text

    def seen(self, event: AgentEvent) -> None:
        now = self._clock()
        if event.kind == "text":
            self._last_text = now
            self._notices = 0
        if event.kind not in ("keepalive", "notice"):
            self._last_progress = now

    def _next_notice(self) -> float:
        return self._last_text + self.policy.still_working_every * (self._notices + 1)

    def _deadline(self) -> tuple[float, str]:
        stalled = self._last_progress + self.policy.keepalive_timeout
        total = self._start + self.policy.total_timeout
        if stalled <= total:
            return stalled, (
                f"The agent's stream stalled: only keep-alives for "
                f"{self.policy.keepalive_timeout:g} s."
            )
        return total, f"The agent's turn took longer than {self.policy.total_timeout:g} s."

    def timeout(self) -> float:
        deadline, _ = self._deadline()
        return max(0.0, min(self._next_notice(), deadline) - self._clock())

    def expired(self) -> AgentEvent | None:
        now = self._clock()
        deadline, message = self._deadline()
        if now >= deadline:
            raise StreamError(message, reason="stalled" if "stalled" in message else "timeout")
        if now >= self._next_notice():
            self._notices += 1
            elapsed = now - self._start
            return AgentEvent("notice", STILL_WORKING, data={"elapsed": round(elapsed, 3)})
        return None


_END = object()


async def _next(frames: AsyncIterator[Frame]) -> Any:
    try:
        return await frames.__anext__()
    except StopAsyncIteration:
        return _END


async def read_turn(
    chunks: AsyncIterable[bytes],
    policy: StreamPolicy,
    host: str = "the server",
    *,
    clock: Callable[[], float] = time.monotonic,
) -> AsyncIterator[AgentEvent]:
    """The events of one agent turn, from the raw bytes of ``/run_sse``.

    Yields text (each piece once), tool calls and results, keep-alives and
    "Still working…" notices.  Raises :class:`AgentError` right after yielding
    an in-band error, and :class:`StreamError` whenever the rest of the turn is
    lost: the bytes stop coming in time (the watchdog), the connection breaks,
    or an event is malformed (its ``MalformedPayloadError`` is the cause).  One
    exception type for all three, because the remedy is the same: read the
    state back, never re-send the prompt.  The next frame is awaited in a task
    of its own so the watchdog can speak while the read is still pending.
    """
    watchdog = StreamWatchdog(policy, clock)
    assembler = TextAssembler()
    frames = aiter_frames(chunks)
    pending: asyncio.Future[Any] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(_next(frames))
            done, _ = await asyncio.wait({pending}, timeout=watchdog.timeout())
            if not done:
                notice = watchdog.expired()  # raises StreamError when it is time to give up
                if notice is not None:
                    yield notice
                continue
            task, pending = pending, None
            frame = _received(task, host)
            if frame is _END:
                return
            for event in _events_of(frame, host):
                shown = assembler.feed(event)
                if shown is None:
                    continue
                watchdog.seen(shown)
                yield shown
                if shown.kind == "error":
                    code = shown.data.get("code")
                    raise AgentError(f"The agent reported an error: {shown.text}", code=code)
    finally:
        await _stop_reading(pending, frames)


def _received(task: asyncio.Future[Any], host: str) -> Any:
    """The frame a read brought, or the broken connection as a :class:`StreamError`."""
    import httpx  # the only httpx use here: recognising a broken connection

    try:
        return task.result()
    except httpx.TransportError as exc:
        raise StreamError(
            f"The agent's stream from {host} broke: {type(exc).__name__}.", reason="broken"
        ) from exc


def _events_of(frame: Frame, host: str) -> list[AgentEvent]:
    """A frame's events: a keep-alive for a comment, else its parsed payload."""
    if isinstance(frame, Comment):
        return [keepalive(comment=frame.text)]
    try:
        return parse_payload(frame.data)
    except MalformedPayloadError as exc:  # the rest of the turn cannot be trusted
        raise StreamError(
            f"The agent's stream from {host} sent a malformed event: {exc.message}",
            reason="malformed",
            field=exc.details.get("field"),
        ) from exc


async def _stop_reading(
    pending: asyncio.Future[Any] | None, frames: AsyncGenerator[Frame, None]
) -> None:
    """Cancel a read still pending (its error retrieved) and close the frames."""
    if pending is not None:
        pending.cancel()
        await asyncio.wait({pending})
        if not pending.cancelled():
            pending.exception()  # retrieved, so asyncio does not warn about it
    await frames.aclose()
