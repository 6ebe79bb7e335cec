"""The retry matrix: {0, 2, 4 failures} x {status, exception} x {sync, async}, no leaked sockets.

"exception" is a real connection drop: the stand-in starts an answer and breaks
the connection, so httpx raises ``RemoteProtocolError`` from a real socket.
"sync" runs the async client under ``asyncio.run`` from a plain function, as a
script would (the Session's own sync bridge is tested with the Session).
"""

from __future__ import annotations

import asyncio
from typing import Any

import psutil
import pytest

from nemowidgets.api import NemoClient, RetryPolicy, ServerError, TransportError
from tests.support.cloud_server import OWN_TOKEN, CloudState, Fault


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def pool_connections(client: NemoClient) -> list[Any]:
    return list(client._http._transport._pool.connections)  # type: ignore[attr-defined]


def client_sockets(port: int) -> list[Any]:
    """This process's established TCP sockets *to* the stand-in (not the server's own)."""
    return [
        c
        for c in psutil.Process().net_connections("tcp")
        if c.raddr and c.raddr.port == port and c.status == psutil.CONN_ESTABLISHED
    ]


async def scenario(cloud: CloudState, failures: int, shape: str) -> dict[str, Any]:
    fault = Fault(drop=True) if shape == "exception" else Fault(status=503)
    cloud.inject("credits", fault, times=failures)
    sleeps = Sleeps()
    policy = RetryPolicy(max_retries=2, base=0.1, cap=1.0, sleep=sleeps, random=lambda: 0.5)
    port = int(cloud.base_url.rsplit(":", 1)[1])
    outcome: dict[str, Any] = {}
    client = NemoClient(cloud.base_url, token=OWN_TOKEN, retry=policy)
    try:
        try:
            outcome["result"] = await client.credits()
        except (ServerError, TransportError) as exc:
            outcome["error"] = exc
        outcome["busy_after_call"] = [c for c in pool_connections(client) if not c.is_idle()]
    finally:
        await client.aclose()
    outcome["pool_after_close"] = pool_connections(client)
    for _ in range(100):  # the kernel may take a moment to drop the socket
        outcome["sockets_after_close"] = client_sockets(port)
        if not outcome["sockets_after_close"]:
            break
        await asyncio.sleep(0.01)
    outcome["waits"] = sleeps.waits
    return outcome


def check(cloud: CloudState, outcome: dict[str, Any], failures: int, shape: str) -> None:
    calls = min(failures, 2) + 1
    assert cloud.count("credits") == calls
    assert outcome["waits"] == pytest.approx([0.1, 0.2][: calls - 1])  # exponential backoff
    if failures <= 2:
        assert outcome["result"].available == 100
    else:
        expected = TransportError if shape == "exception" else ServerError
        assert type(outcome["error"]) is expected
        text = str(outcome["error"])
        assert "RemoteProtocolError" in text if shape == "exception" else "HTTP 503" in text
        assert "127.0.0.1" in text
    assert outcome["busy_after_call"] == []  # every response was closed
    assert outcome["pool_after_close"] == []
    assert outcome["sockets_after_close"] == []


MATRIX = [(n, shape) for n in (0, 2, 4) for shape in ("status", "exception")]


@pytest.mark.fault
@pytest.mark.anyio
@pytest.mark.parametrize(("failures", "shape"), MATRIX)
async def test_retries_async(cloud: CloudState, failures: int, shape: str) -> None:
    check(cloud, await scenario(cloud, failures, shape), failures, shape)


@pytest.mark.fault
@pytest.mark.parametrize(("failures", "shape"), MATRIX)
def test_retries_sync(cloud: CloudState, failures: int, shape: str) -> None:
    check(cloud, asyncio.run(scenario(cloud, failures, shape)), failures, shape)


@pytest.mark.fault
@pytest.mark.anyio
async def test_a_post_is_retried_only_when_nothing_was_sent(cloud: CloudState) -> None:
    """A drop *after* the request reached the server must not create a second session."""
    cloud.inject("session", Fault(drop=True))
    sleeps = Sleeps()
    async with NemoClient(cloud.base_url, token=OWN_TOKEN, retry=RetryPolicy(sleep=sleeps)) as c:
        with pytest.raises(TransportError, match="create session"):
            await c.create_session()
    assert cloud.count("session") == 1
    assert sleeps.waits == []
