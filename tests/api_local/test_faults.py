"""The client's error and retry policies against the local server's own fault switch.

Each test arms one fault of ``nemowidgets.local.faults`` and asserts what the
client does with it, from both sides: the :class:`~tests.api_local.kit.Wire` log
(what the client sent) and the server's counters (fault hits, prompts received).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from nemowidgets import protocol as P
from nemowidgets.api import (
    AuthError,
    CancelledByUser,
    NemoClient,
    RateLimitedError,
    RenderError,
    RetryPolicy,
    ServerError,
    SessionNotFoundError,
    StreamError,
    StreamPolicy,
)
from nemowidgets.api.sse import STILL_WORKING
from nemowidgets.local.faults import FaultPlan
from nemowidgets.local.server.launch import LocalServer
from tests.api_local.kit import FAST, Sleeps, Wire, media_dicts, new_client, server_stats
from tests.support.local_server import photo_draft

pytestmark = pytest.mark.fault

SLIDESHOW = "make a slideshow with 1 second per photo"


async def _session(c: NemoClient, media: dict[str, Path] | None = None) -> tuple[str, list[Any]]:
    sid = (await c.create_session()).session_id
    infos = await c.upload(sid, [media["photo0"], media["photo1"]]) if media else []
    return sid, infos


# -- 1002, 1001 --------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_forgotten_session_is_1002_and_not_retried(
    fault_server: LocalServer, faults: FaultPlan
) -> None:
    wire = Wire()
    async with new_client(fault_server, wire=wire) as c:
        sid, _ = await _session(c)
        kept, _ = await _session(c)
        faults.arm("forget_session", session_id=sid)
        with pytest.raises(SessionNotFoundError) as info:
            await c.state(sid)
        with pytest.raises(SessionNotFoundError):  # it stays forgotten
            await c.stream(sid, SLIDESHOW).__anext__()
        assert (await c.state(kept))["session_id"] == kept  # other sessions are unharmed
        fresh, _ = await _session(c)  # what the Session does next: a new one
        assert (await c.state(fresh))["state"]["draft"] is None
    assert (info.value.code, info.value.status) == (P.ErrorCode.SESSION_NOT_FOUND, 404)
    assert sid in str(info.value)
    assert wire.statuses(P.STATE_PATH.format(session_id=sid)) == [404]
    assert faults.hits["forget_session"] == 1


@pytest.mark.anyio
async def test_expired_anonymous_token_is_renewed_once_transparently(
    fault_server: LocalServer, faults: FaultPlan
) -> None:
    wire = Wire()
    async with new_client(fault_server, wire=wire) as c:
        sid, _ = await _session(c)
        user = c.user_id
        faults.arm("expire_token")
        data = await c.state(sid)  # 1001, new token, the same call again
        assert data["session_id"] == sid
        assert c.user_id == user
        await c.credits()
    state = P.STATE_PATH.format(session_id=sid)
    assert [(e.path, e.status) for e in wire.log[-4:]] == [
        (state, 401),
        (P.ANONYMOUS_TOKEN_PATH, 200),
        (state, 200),
        (P.CREDITS_PATH, 200),
    ]
    assert wire.token_calls() == 2
    assert faults.hits["expire_token"] == 1
    old, new = wire.log[-4].headers["authorization"], wire.log[-2].headers["authorization"]
    assert old != new
    gone = httpx.get(
        fault_server.url + P.CREDITS_PATH, headers={"Authorization": old}, trust_env=False
    )
    assert gone.status_code == 401  # the old token really is expired, not just refused once


@pytest.mark.anyio
async def test_token_expired_before_a_prompt_is_renewed_and_the_prompt_sent_once(
    fault_server: LocalServer, faults: FaultPlan, sample_media
) -> None:
    wire = Wire()
    async with new_client(fault_server, wire=wire) as c:
        sid, _ = await _session(c, sample_media)
        faults.arm("expire_token")
        kinds = [e.kind async for e in c.stream(sid, SLIDESHOW)]
    assert {"tool_call", "text"} <= set(kinds)
    assert wire.statuses(P.RUN_SSE_PATH) == [401, 200]  # refused at the door, then sent
    assert wire.token_calls() == 2
    assert server_stats(fault_server, c.client_id, sid)["prompts"] == 1


@pytest.mark.anyio
async def test_token_expiring_again_after_renewal_is_an_auth_error(
    fault_server: LocalServer, faults: FaultPlan
) -> None:
    wire = Wire()
    async with new_client(fault_server, wire=wire) as c:
        await c.credits()
        faults.arm("expire_token", times=2)
        with pytest.raises(AuthError) as info:
            await c.credits()
    assert wire.statuses(P.CREDITS_PATH) == [200, 401, 401]
    assert wire.token_calls() == 2  # renewed once, no loop
    assert info.value.code == P.ErrorCode.BAD_TOKEN


@pytest.mark.anyio
async def test_fixed_token_is_not_renewed(start_local_server: Any) -> None:
    token = "nwl_fixed-test-token-0123456789"
    srv = start_local_server(token=token, faults=True)
    wire = Wire()
    async with NemoClient(srv.url, token=token, transport=wire, retry=FAST) as c:
        assert not c.is_anonymous
        assert (await c.credits()).available == 100
        srv.faults.arm("expire_token")
        with pytest.raises(AuthError) as info:
            await c.credits()
    assert wire.token_calls() == 0
    assert wire.statuses(P.CREDITS_PATH) == [200, 401]
    assert token not in str(info.value)
    assert token not in repr(info.value)


# -- 429 and 5xx -------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_rate_limit_waits_retry_after_then_retries_once(
    fault_server: LocalServer, faults: FaultPlan
) -> None:
    wire, sleeps = Wire(), Sleeps()
    retry = RetryPolicy(base=0.01, cap=0.05, rate_limit_wait=30.0, sleep=sleeps)
    async with new_client(fault_server, wire=wire, retry=retry) as c:
        await c.credits()
        faults.arm("rate_limit", retry_after="0.2", path=P.CREDITS_PATH)
        start = time.monotonic()
        assert (await c.credits()).available == 100
        elapsed = time.monotonic() - start
        faults.arm("rate_limit", times=2, retry_after="0.2", path=P.CREDITS_PATH)
        with pytest.raises(RateLimitedError) as info:
            await c.credits()
    assert sleeps.waits == [0.2, 0.2]  # Retry-After, not the 30 s default
    assert elapsed >= 0.2
    assert wire.statuses(P.CREDITS_PATH) == [200, 429, 200, 429, 429]
    assert (info.value.status, info.value.retry_after) == (429, 0.2)
    assert "0.2 s" in str(info.value)
    assert faults.hits["rate_limit"] == 3


@pytest.mark.anyio
async def test_rate_limit_longer_than_the_cap_is_raised_at_once(
    fault_server: LocalServer, faults: FaultPlan
) -> None:
    wire, sleeps = Wire(), Sleeps()
    retry = RetryPolicy(max_rate_limit_wait=5.0, sleep=sleeps)
    async with new_client(fault_server, wire=wire, retry=retry) as c:
        await c.credits()
        faults.arm("rate_limit", retry_after="600", path=P.CREDITS_PATH)
        with pytest.raises(RateLimitedError) as info:
            await c.credits()
    assert sleeps.waits == []
    assert info.value.retry_after == 600
    assert wire.statuses(P.CREDITS_PATH) == [200, 429]


@pytest.mark.anyio
@pytest.mark.parametrize("call", ["credits", "state", "render_status", "cancel_render"])
@pytest.mark.parametrize("failures", [2, 3])
async def test_5xx_on_idempotent_calls_is_retried_twice(
    fault_server: LocalServer, faults: FaultPlan, sample_media, call: str, failures: int
) -> None:
    wire = Wire()
    async with new_client(fault_server, wire=wire) as c:
        sid, media = await _session(c, sample_media)
        job = await c.export(sid, photo_draft(media_dicts(media[:1]), seconds=0.5), "preview")
        method, path, run = {
            "credits": ("GET", P.CREDITS_PATH, lambda: c.credits()),
            "state": ("GET", P.STATE_PATH.format(session_id=sid), lambda: c.state(sid)),
            "render_status": (
                "GET",
                P.RENDER_POLL_PATH.format(render_id=job.id),
                lambda: c.render_status(job.id),
            ),
            "cancel_render": (
                "POST",
                P.RENDER_CANCEL_PATH.format(render_id=job.id),
                lambda: c.cancel_render(job.id),
            ),
        }[call]
        faults.arm("http_error", times=failures, status=502, path=path)
        if failures <= 2:
            assert await run() is not None
        else:
            with pytest.raises(ServerError) as info:
                await run()
            assert info.value.status == 502
            assert "HTTP 502" in str(info.value)
            assert fault_server.url in str(info.value)
        await c.cancel_render(job.id)
    expected = [502] * min(failures, 3) + ([200] if failures <= 2 else [])
    assert wire.statuses(path, method)[: len(expected)] == expected
    assert faults.hits["http_error"] == min(failures, 3)


@pytest.mark.anyio
async def test_5xx_on_create_session_is_not_retried(
    fault_server: LocalServer, faults: FaultPlan
) -> None:
    wire = Wire()
    async with new_client(fault_server, wire=wire) as c:
        await c.credits()
        faults.arm("http_error", times=2, status=503, path=P.CREATE_SESSION_PATH)
        with pytest.raises(ServerError):
            await c.create_session()
    assert wire.statuses(P.CREATE_SESSION_PATH) == [503]
    assert faults.hits["http_error"] == 1


@pytest.mark.anyio
async def test_5xx_on_run_sse_is_not_retried(
    fault_server: LocalServer, faults: FaultPlan, sample_media
) -> None:
    wire = Wire()
    async with new_client(fault_server, wire=wire) as c:
        sid, _ = await _session(c, sample_media)
        faults.arm("http_error", times=2, status=503, path=P.RUN_SSE_PATH)
        with pytest.raises(ServerError) as info:
            async for _event in c.stream(sid, SLIDESHOW):
                pass
        assert server_stats(fault_server, c.client_id, sid)["prompts"] == 0  # never re-sent
        faults.clear()
        texts = [e.text async for e in c.stream(sid, SLIDESHOW) if e.kind == "text"]
    assert info.value.status == 503
    assert wire.statuses(P.RUN_SSE_PATH) == [503, 200]
    assert faults.hits["http_error"] == 1
    assert texts
    assert server_stats(fault_server, c.client_id, sid)["prompts"] == 1


# -- broken streams ----------------------------------------------------------------------------
async def _turn(c: NemoClient, sid: str, policy: StreamPolicy | None = None) -> tuple[list, Any]:
    events: list = []
    try:
        async for event in c.stream(sid, SLIDESHOW, policy=policy):
            events.append(event)
    except StreamError as exc:
        return events, exc
    return events, None


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fault", "reason"), [("drop_stream", "broken"), ("malformed_event", "malformed")]
)
async def test_broken_stream_is_a_stream_error_and_the_prompt_counted_once(
    fault_server: LocalServer, faults: FaultPlan, sample_media, fault: str, reason: str
) -> None:
    wire = Wire()
    async with new_client(fault_server, wire=wire) as c:
        sid, media = await _session(c, sample_media)
        faults.arm(fault)
        events, error = await _turn(c, sid)
        state = (await c.state(sid))["state"]  # what the Session does instead of re-sending
    assert isinstance(error, StreamError)
    assert error.details["reason"] == reason
    assert "re-sent" in str(error)  # the hint says the prompt was not sent again
    assert not [e for e in events if e.kind == "text"]
    assert faults.hits[fault] == 1
    assert wire.statuses(P.RUN_SSE_PATH) == [200]
    assert server_stats(fault_server, c.client_id, sid)["prompts"] == 1
    assert state["draft_version"] == 1  # the turn's edit is kept
    assert [s["src"] for s in state["draft"]["t"][0]["sg"]] == [m.id for m in media]


@pytest.mark.anyio
async def test_stalled_stream_gives_notices_then_a_stream_error(
    fault_server: LocalServer, faults: FaultPlan, sample_media
) -> None:
    policy = StreamPolicy(still_working_every=0.2, keepalive_timeout=0.7, total_timeout=10.0)
    async with new_client(fault_server) as c:
        sid, _ = await _session(c, sample_media)
        faults.arm("stall_stream", seconds=5.0, interval=0.1)
        start = time.monotonic()
        events, error = await _turn(c, sid, policy)
        elapsed = time.monotonic() - start
    assert isinstance(error, StreamError)
    assert error.details["reason"] == "stalled"
    assert [e.text for e in events if e.kind == "notice"][:2] == [STILL_WORKING] * 2
    assert elapsed < 3.0  # gave up on its own clock, not the server's 5 s
    assert server_stats(fault_server, c.client_id, sid)["prompts"] == 1


# -- renders -----------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_cancel_render(fault_server: LocalServer, faults: FaultPlan, sample_media) -> None:
    async with new_client(fault_server) as c:
        sid, media = await _session(c, sample_media)
        faults.arm("render_stall", seconds=30.0)
        job = await c.export(sid, photo_draft(media_dicts(media)), "preview")
        cancelled = await c.cancel_render(job.id)
        with pytest.raises(CancelledByUser) as info:
            await c.wait_render(job.id, interval=0.05)
    assert cancelled is not None
    assert cancelled.status == P.RENDER_CANCELLED
    assert info.value.details["job"].status == P.RENDER_CANCELLED
    assert job.id in str(info.value)


@pytest.mark.anyio
async def test_failed_render_is_a_render_error(
    fault_server: LocalServer, faults: FaultPlan, sample_media
) -> None:
    async with new_client(fault_server) as c:
        sid, media = await _session(c, sample_media)
        faults.arm("render_fail", message="photo1.jpg (segment seg_2) could not be decoded")
        job = await c.export(sid, photo_draft(media_dicts(media)), "preview")
        with pytest.raises(RenderError) as info:
            await c.wait_render(job.id, interval=0.05)
    assert info.value.details["job"].status == P.RENDER_FAILED
    assert "seg_2" in str(info.value)
    assert "photo1.jpg" in str(info.value)
