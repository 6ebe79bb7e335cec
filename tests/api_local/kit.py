"""Helpers of the client-against-local-server tests: a wire log, clients, media, decoding.

:class:`Wire` is a real ``httpx`` transport wrapped to *record* what the client
sent and what came back (method, path, status, headers, and the raw bytes of
event streams).  It changes nothing on the way: the server is real, the bytes
are real.  It is how a test proves "nothing was sent" (client pre-checks), "sent
twice" (retries) or "the token call happened once" (renewal) from the client's
side, while the server's own counters (prompts, fault hits) prove it from the other.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from nemowidgets import protocol as P
from nemowidgets.api import MediaInfo, NemoClient, RetryPolicy
from nemowidgets.api.media import CONTENT_TYPES, UploadItem
from nemowidgets.local.server.launch import LocalServer
from tests.support.local_server import RawClient

__all__ = [
    "FAST",
    "Exchange",
    "Sleeps",
    "Wire",
    "decode",
    "media_dicts",
    "new_client",
    "server_stats",
    "unchecked_upload",
]

#: Quick retries, so fault tests take milliseconds, not the protocol's seconds.
FAST = RetryPolicy(base=0.01, cap=0.05, jitter=0.0, rate_limit_wait=0.2, max_rate_limit_wait=5.0)


@dataclass
class Exchange:
    """One HTTP request the client made and the status it got."""

    method: str
    path: str
    status: int
    headers: httpx.Headers
    body: bytearray = field(default_factory=bytearray)  # only for event streams


class _Tee(httpx.AsyncByteStream):
    """Passes a response body through unchanged, keeping a copy."""

    def __init__(self, inner: httpx.AsyncByteStream, sink: bytearray) -> None:
        self.inner = inner
        self.sink = sink

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            self.sink += chunk
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


class Wire(httpx.AsyncBaseTransport):
    """A recording wrapper around ``httpx.AsyncHTTPTransport`` (see the module docstring)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.log: list[Exchange] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        entry = Exchange(request.method, request.url.path, response.status_code, request.headers)
        self.log.append(entry)
        if "text/event-stream" in response.headers.get("content-type", ""):
            assert isinstance(response.stream, httpx.AsyncByteStream)
            response.stream = _Tee(response.stream, entry.body)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    def statuses(self, path: str, method: str | None = None) -> list[int]:
        """The statuses of the calls to ``path`` (and ``method``), in order."""
        return [
            e.status for e in self.log if e.path == path and (method is None or e.method == method)
        ]

    def token_calls(self) -> int:
        return len(self.statuses(P.ANONYMOUS_TOKEN_PATH, "POST"))


class Sleeps:
    """A retry policy's ``sleep`` that really waits and remembers how long it was asked to."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(seconds)


def new_client(
    server: LocalServer,
    *,
    wire: Wire | None = None,
    secret: str | None = "",
    client_id: str | None = None,
    retry: RetryPolicy = FAST,
    **kw: Any,
) -> NemoClient:
    """A client of ``server`` with a fresh client id; ``secret=""`` means the kernel's secret."""
    return NemoClient(
        server.url,
        local_secret=server.secret if secret == "" else secret,
        client_id=str(uuid.uuid4()) if client_id is None else client_id,
        retry=retry,
        transport=wire,
        **kw,
    )


def server_stats(server: LocalServer, client_id: str, session_id: str) -> dict[str, int]:
    """The server's own counts for a session (prompts received, drafts, media, renders).

    Read over the wire with the same client id, hence the same user, as the client under test.
    """
    raw = RawClient.anonymous(server, client_id)
    try:
        return raw.stats(session_id)
    finally:
        raw.close()


def media_dicts(infos: list[MediaInfo]) -> list[dict[str, Any]]:
    """Uploaded media as the dicts ``photo_draft`` takes."""
    return [{"id": m.id, "filename": m.filename, "file_type": m.file_type} for m in infos]


def unchecked_upload(item: str | Path | tuple[str, bytes]) -> UploadItem:
    """An upload item made *without* the client's checks (to see the server's own answer)."""
    if isinstance(item, tuple):
        name, data = item
        ext = name.rsplit(".", 1)[-1].lower()
        return UploadItem(name, len(data), "image", CONTENT_TYPES.get(ext, "text/plain"), data=data)
    path = Path(item)
    ext = path.suffix.lstrip(".").lower()
    return UploadItem(
        path.name,
        path.stat().st_size,
        "video",
        CONTENT_TYPES.get(ext, "application/octet-stream"),
        path=path,
    )


@dataclass(frozen=True)
class Decoded:
    duration: float  # the last decoded frame's end, seconds
    width: int
    height: int
    fps: float
    frames: int
    audio: bool


def decode(path: Path) -> Decoded:
    """Decode every video frame of an MP4 with PyAV (not just read its header)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate or 0)
        end, frames = 0.0, 0
        for frame in container.decode(stream):
            frames += 1
            if frame.time is not None:
                end = max(end, frame.time + (1 / fps if fps else 0.0))
        return Decoded(
            end,
            stream.codec_context.width,
            stream.codec_context.height,
            fps,
            frames,
            bool(container.streams.audio),
        )
