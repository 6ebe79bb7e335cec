"""Small helpers shared by the reliability tests: an event recorder, a user, polling, probing."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from nemowidgets.session import Session, SessionEvent

__all__ = ["Recorder", "User", "decode_duration", "wait_for"]

T = TypeVar("T")


class Recorder:
    """Every SessionEvent a Session emits, in order (callbacks run on the Session's thread)."""

    def __init__(self, session: Session) -> None:
        self.events: list[SessionEvent] = []
        self.unsubscribe = session.observe(self.events.append)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e.data for e in list(self.events) if e.kind == kind]

    def notices(self) -> list[str]:
        """What the user was told in passing."""
        return [str(d.get("text", "")) for d in self.of("notice")]

    def errors(self) -> list[str]:
        """The errors the user was shown (message and hint)."""
        return [f"{d.get('message', '')} {d.get('hint', '')}".strip() for d in self.of("error")]


@dataclass
class User:
    """A Session under test, what it was told, and the server it talks to."""

    s: Session
    rec: Recorder
    server: Any  # nemowidgets.local.server.launch.LocalServer
    _baseline: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.server.faults is not None:
            self._baseline = dict(self.server.faults.hits)

    def fired(self, name: str) -> int:
        """How often fault ``name`` fired since this user was made (plans outlive tests)."""
        return int(self.server.faults.hits[name]) - self._baseline.get(name, 0)

    @property
    def plan(self) -> Any:
        return self.server.faults

    @property
    def store(self) -> Any:
        return self.server.app.state.ctx.store

    def prompts(self) -> int:
        """The server's own count of prompts received for this session."""
        return int(self.store.prompt_count(self.s.session_id))


def wait_for(probe: Callable[[], T], timeout: float, interval: float = 0.02) -> T:
    """``probe()`` once it is truthy; AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {probe}")
        time.sleep(interval)


def decode_duration(path: Path) -> float:
    """The MP4's duration as decoded (last frame's end), not as its header claims."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        end = 0.0
        for frame in container.decode(stream):
            if frame.time is not None:
                end = max(
                    end, frame.time + float((stream.average_rate and 1 / stream.average_rate) or 0)
                )
        return end
