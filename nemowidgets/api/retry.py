"""When to try again and how long to wait: the client's retry and stream policies.

Why a module of its own: the numbers here (2 retries, 30 s after a 429, a
"Still working…" every 2 minutes, give up after 10/15 minutes) are product
decisions (docs/protocol.md), and tests must be able to shrink every one of them
to milliseconds without monkeypatching.  Both policies are frozen dataclasses
with an injectable ``sleep`` so a test can record the waits instead of doing them.

``Retry-After`` (RFC 9110 §10.2.3) is a number of seconds or an HTTP date; some
servers send milliseconds (``"1500ms"``).  :func:`parse_retry_after` accepts all
three and returns seconds, or ``None`` when the value is unusable, in which
case the caller falls back to the protocol's 30 s.  Decisions:

* negative numbers are not valid ``delta-seconds``: ``None`` (use the default),
  never "retry at once", which would hammer a server that asked us to slow down;
* a date in the past means "now": ``0.0``;
* anything above :data:`MAX_RETRY_AFTER` (an hour) is capped to it.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

__all__ = ["MAX_RETRY_AFTER", "RetryPolicy", "StreamPolicy", "parse_retry_after"]

#: The longest wait a ``Retry-After`` value can ask for, in seconds.
MAX_RETRY_AFTER = 3600.0

_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s|sec|secs|seconds)?$", re.IGNORECASE)
_NEGATIVE = re.compile(r"^-\s*\d+(?:\.\d+)?\s*(ms|s)?$", re.IGNORECASE)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value, or ``None`` if unusable.

    ``now`` (timezone-aware, default: the current UTC time) is where a date is
    measured from; tests pass a fixed one.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    match = _NUMBER.match(text)
    if match:
        seconds = float(match.group(1))
        if (match.group(2) or "").lower() == "ms":
            seconds /= 1000.0
        return min(seconds, MAX_RETRY_AFTER)
    if _NEGATIVE.match(text):
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:  # pragma: no cover - older Pythons returned None on garbage
        return None
    if when.tzinfo is None:  # asctime dates carry no zone; HTTP dates are always GMT
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    delta = (when - now).total_seconds()
    if math.isnan(delta):  # pragma: no cover - defensive
        return None
    return min(max(delta, 0.0), MAX_RETRY_AFTER)


@dataclass(frozen=True)
class RetryPolicy:
    """How the client retries a failed call.

    * transport errors and HTTP 5xx on idempotent calls (GET, cancel, the token
      call): at most ``max_retries`` retries, waiting :meth:`backoff` between;
      a connection that could not even be opened is retried for any call except
      ``/run_sse`` (nothing was sent, so nothing can be done twice);
    * HTTP 429: wait ``Retry-After`` (else ``rate_limit_wait``) and retry once;
      a server asking for more than ``max_rate_limit_wait`` gets no retry: the
      error reaches the user at once, with the wait in its message;
    * 1001 with an anonymous token: a fresh token, then one retry (no wait).
    """

    max_retries: int = 2
    base: float = 0.5  # first backoff, seconds
    cap: float = 8.0  # no backoff is longer than this
    jitter: float = 0.5  # +-50 % spread, so clients that failed together retry apart
    rate_limit_wait: float = 30.0
    max_rate_limit_wait: float = 120.0
    sleep: Callable[[float], Awaitable[object]] = field(
        default=asyncio.sleep, repr=False, compare=False
    )
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be within 0..1")
        if self.base < 0 or self.cap < 0:
            raise ValueError("base and cap must be >= 0")

    def backoff(self, retry: int) -> float:
        """The wait before retry number ``retry`` (1-based): capped exponential, jittered."""
        raw = min(self.cap, self.base * 2.0 ** max(retry - 1, 0))
        spread = raw * self.jitter
        return max(0.0, min(self.cap, raw - spread + 2.0 * spread * self.random()))


@dataclass(frozen=True)
class StreamPolicy:
    """The clock of one agent turn on ``/run_sse`` (all in seconds).

    ``still_working_every``: a "Still working…" notice after each such stretch
    without agent text.  ``keepalive_timeout``: give up when only keep-alives
    (comments, empty data, heartbeats) came for this long.  ``total_timeout``:
    give up on the turn after this long in all.  ``state_poll_intervals``: after
    a broken stream the Session polls the state at these delays (it never
    re-sends the prompt, which would be charged twice).
    """

    still_working_every: float = 120.0
    keepalive_timeout: float = 600.0
    total_timeout: float = 900.0
    state_poll_intervals: tuple[float, ...] = (30.0, 60.0, 90.0, 120.0, 150.0)

    def __post_init__(self) -> None:
        for name in ("still_working_every", "keepalive_timeout", "total_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"StreamPolicy.{name} must be > 0")
        if any(delay < 0 for delay in self.state_poll_intervals):
            raise ValueError("StreamPolicy.state_poll_intervals must be >= 0")
