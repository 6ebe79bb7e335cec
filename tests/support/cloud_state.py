"""The cloud stand-in's knobs and records: what a test sets up and what it checks afterwards."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from nemowidgets import protocol
from tests.support import sse_scripts

__all__ = ["OWN_TOKEN", "RENDER_ENDPOINTS", "SKILL_HEADERS", "CloudState", "Fault", "Recorded"]

OWN_TOKEN = "nmv_usr_owntoken0123456789abcdef"
SKILL_HEADERS = (protocol.HEADER_SKILL_SOURCE, protocol.HEADER_SKILL_VERSION,
                 protocol.HEADER_SKILL_PLATFORM)  # fmt: skip
RENDER_ENDPOINTS = frozenset({"render", "poll", "cancel"})


@dataclass
class Fault:
    """One injected failure. ``envelope``: "code" | "success" | "text" | "auto"."""

    status: int = 500
    code: int | None = None
    message: str = "injected failure"
    headers: dict[str, str] = field(default_factory=dict)
    envelope: str = "auto"
    drop: bool = False  # send part of an answer, then break the connection
    delay: float = 0.0


@dataclass(frozen=True)
class Recorded:
    endpoint: str
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body_bytes: int = 0


@dataclass
class CloudState:
    base_url: str = ""
    token: str = OWN_TOKEN
    local_secret: str | None = None
    error_key: str = "message"  # or "msg"
    numeric_session_id: bool = False
    sse_script: list[Any] = field(default_factory=sse_scripts.adk_script)
    render_envelope: str = "success"  # poll answers: "success" | "code" | "bare"
    render_url_key: str = "output.url"  # or "outputUrl" | "output_url"
    render_steps: list[tuple[str, float]] = field(
        default_factory=lambda: [
            ("pending", 0.0),
            ("processing", 40.0),
            ("processing", 80.0),
            ("completed", 100.0),
        ]
    )
    render_error: str = "segment seg_2: cannot decode beach.jpg"
    render_url_broken: bool = False
    output_origin: str | None = None  # serve the output URL from another origin (no token)
    output_size: int = 300_000
    output_bytes: bytes | None = None  # a real MP4 to serve instead of ``output_size`` filler
    duplicate_render_once: bool = False
    export_blocked: bool = False
    cancel_answer: str = "job"  # or "empty"
    credits: dict[str, float] = field(
        default_factory=lambda: {"available": 100, "frozen": 0, "total": 100}
    )
    # bookkeeping
    issued: dict[str, str] = field(default_factory=dict)  # token -> user id
    users: dict[str, str] = field(default_factory=dict)  # client id -> user id
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    renders: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    requests: list[Recorded] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    uploads: list[dict[str, Any]] = field(default_factory=list)
    open_streams: int = 0

    def inject(self, endpoint: str, fault: Fault | None = None, *, times: int = 1) -> None:
        for _ in range(times):
            self.faults[endpoint].append(fault or Fault())

    def expire_tokens(self) -> None:
        self.issued.clear()

    def count(self, endpoint: str) -> int:
        return sum(1 for r in self.requests if r.endpoint == endpoint)

    def calls(self, endpoint: str) -> list[Recorded]:
        return [r for r in self.requests if r.endpoint == endpoint]

    def add_session(self, session_id: str = "7301234567890123456789") -> str:
        self.sessions[session_id] = {"task_id": "task_1", "draft": None}
        return session_id


def tiny_mp4(width: int = 64, height: int = 36, frames: int = 5) -> bytes:
    """A real, decodable H.264 MP4 (a few grey frames) for ``CloudState.output_bytes``."""
    import io

    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(frames):
            rgb = np.full((height, width, 3), 40 + 30 * i, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()
