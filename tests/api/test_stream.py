"""``/run_sse`` end to end against the cloud stand-in: styles, errors, the watchdog, no re-send."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from nemowidgets.api import (
    AgentError,
    AuthError,
    ConfigurationError,
    MalformedPayloadError,
    NemoClient,
    RetryPolicy,
    ServerError,
    SessionNotFoundError,
    StreamError,
    StreamPolicy,
)
from nemowidgets.api.events import AgentEvent
from tests.support import sse_scripts as S
from tests.support.cloud_server import CloudState, Fault

FAST = RetryPolicy(base=0.0, cap=0.0)


async def run_turn(client: NemoClient, sid: str, prompt: str = "make a slideshow",
                   policy: StreamPolicy | None = None) -> list[AgentEvent]:  # fmt: skip
    return [event async for event in client.stream(sid, prompt, policy=policy)]


async def collect(events: AsyncIterator[AgentEvent], into: list[AgentEvent]) -> None:
    """Append every event to ``into``, so what came before an exception can be checked."""
    async for event in events:
        into.append(event)


async def wait_closed(cloud: CloudState) -> None:
    for _ in range(200):
        if cloud.open_streams == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the server's stream was never closed")


@pytest.mark.anyio
async def test_adk_stream_text_once_tools_and_keepalives(cloud: CloudState) -> None:
    sid = cloud.add_session()
    async with NemoClient(cloud.base_url, retry=FAST) as client:
        events = await run_turn(client, sid)
    texts = "".join(e.text for e in events if e.kind == "text")
    assert texts == "I made a 3-photo slideshow with crossfades."  # partials + final: once
    assert [e.name for e in events if e.kind == "tool_call"] == ["make_slideshow"]
    results = [e.data for e in events if e.kind == "tool_result"]
    assert results == [{"ok": True, "duration_ms": 9000}]
    assert [e.kind for e in events].count("keepalive") >= 2  # the comment and the empty data
    assert cloud.prompts == ["make a slideshow"]
    body_headers = cloud.calls("run_sse")[0].headers
    assert body_headers["accept"] == "text/event-stream"
    await wait_closed(cloud)


@pytest.mark.anyio
async def test_typed_stream_with_heartbeats(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.sse_script = S.typed_script("Done: 3 photos.")
    async with NemoClient(cloud.base_url) as client:
        events = await run_turn(client, sid)
    assert [(e.kind, e.name or e.text) for e in events] == [
        ("keepalive", ""), ("tool_call", "make_slideshow"), ("keepalive", ""),
        ("tool_result", "make_slideshow"), ("text", "Done: 3 photos."),
        ("keepalive", "")]  # fmt: skip


@pytest.mark.anyio
@pytest.mark.parametrize(
    "error_event",
    [S.adk_error("INTERNAL", "The agent could not edit the draft."),
     {"error": "The agent could not edit the draft."},
     {"type": "error", "message": "The agent could not edit the draft."}],
    ids=["adk", "error-object", "typed"],
)  # fmt: skip
async def test_in_band_error_ends_the_turn(cloud: CloudState, error_event: dict) -> None:
    sid = cloud.add_session()
    cloud.sse_script = [S.data(S.adk_text("Working on it.")), S.data(error_event),
                        S.data(S.adk_text("never seen"))]  # fmt: skip
    seen: list[AgentEvent] = []
    async with NemoClient(cloud.base_url) as client:
        with pytest.raises(AgentError, match="could not edit the draft"):
            await collect(client.stream(sid, "edit"), seen)
    assert [e.kind for e in seen] == ["text", "error"]
    assert all(e.text != "never seen" for e in seen)
    await wait_closed(cloud)


@pytest.mark.anyio
async def test_trailing_temporary_issue_is_not_an_error(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.sse_script = [S.data(S.adk_text("Title added.")),
                        S.data({"error": "I encountered a temporary issue."})]  # fmt: skip
    async with NemoClient(cloud.base_url) as client:
        events = await run_turn(client, sid)
    assert [(e.kind, e.text) for e in events] == [("text", "Title added.")]


@pytest.mark.fault
@pytest.mark.anyio
async def test_broken_stream_raises_and_the_prompt_is_not_resent(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.sse_script = [S.data(S.adk_text("Start", partial=True)), 0.05, S.DROP]
    async with NemoClient(cloud.base_url) as client:
        seen: list[AgentEvent] = []
        with pytest.raises(StreamError, match="broke") as info:
            await collect(client.stream(sid, "make a slideshow"), seen)
        assert "127.0.0.1" in str(info.value)  # names the host
        assert info.value.hint.startswith("Your prompt was not re-sent")
    assert [e.text for e in seen] == ["Start"]
    assert cloud.prompts == ["make a slideshow"]  # exactly once
    assert cloud.count("run_sse") == 1


@pytest.mark.fault
@pytest.mark.anyio
async def test_server_error_on_run_sse_is_never_retried(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.inject("run_sse", Fault(status=503), times=3)
    async with NemoClient(cloud.base_url, retry=FAST) as client:
        with pytest.raises(ServerError, match="HTTP 503"):
            await run_turn(client, sid)
    assert cloud.count("run_sse") == 1


@pytest.mark.fault
@pytest.mark.anyio
async def test_expired_anonymous_token_on_run_sse_is_refreshed(cloud: CloudState) -> None:
    sid = cloud.add_session()
    async with NemoClient(cloud.base_url) as client:
        await client.credits()  # gets a token
        cloud.expire_tokens()
        events = await run_turn(client, sid)
    assert any(e.kind == "text" for e in events)
    assert cloud.count("token") == 2
    assert next(r.headers["x-client-id"] for r in cloud.calls("token")) == client.client_id
    assert len(cloud.prompts) == 1  # the refused request never reached the agent


@pytest.mark.anyio
async def test_run_sse_on_a_missing_session(cloud: CloudState) -> None:
    async with NemoClient(cloud.base_url) as client:
        with pytest.raises(SessionNotFoundError, match="1002"):
            await run_turn(client, "999")


@pytest.mark.fault
@pytest.mark.anyio
async def test_json_instead_of_a_stream_is_malformed(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.inject("run_sse", Fault(status=200, code=0, message="ok"))
    async with NemoClient(cloud.base_url) as client:
        with pytest.raises(MalformedPayloadError, match="expected an event stream"):
            await run_turn(client, sid)


@pytest.mark.fault
@pytest.mark.anyio
async def test_malformed_event_json_breaks_the_stream(cloud: CloudState) -> None:
    """The rest of the turn is lost, as with a broken connection: StreamError, no re-send."""
    sid = cloud.add_session()
    cloud.sse_script = [S.data(S.adk_text("ok")), b"data: {broken\n\n", S.data(S.adk_text("x"))]
    seen: list[AgentEvent] = []
    async with NemoClient(cloud.base_url) as client:
        with pytest.raises(StreamError, match=r"malformed event.*not valid JSON") as info:
            await collect(client.stream(sid, "go"), seen)
    assert isinstance(info.value.__cause__, MalformedPayloadError)
    assert info.value.details == {"reason": "malformed", "field": "data"}
    assert [e.text for e in seen] == ["ok"]
    assert cloud.prompts == ["go"]
    await wait_closed(cloud)


@pytest.mark.badinput
@pytest.mark.anyio
@pytest.mark.parametrize("prompt", ["", "   ", " \n\t\u3000"])
async def test_empty_prompt_is_refused_before_sending(cloud: CloudState, prompt: str) -> None:
    async with NemoClient(cloud.base_url) as client:
        with pytest.raises(ConfigurationError, match="prompt"):
            await run_turn(client, "1", prompt)
    assert cloud.requests == []


@pytest.mark.anyio
async def test_leaving_early_closes_the_stream(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.sse_script = [S.data(S.adk_text("one")), *S.pings(200, 0.01)]
    async with NemoClient(cloud.base_url) as client:
        async with contextlib_aclosing(client.stream(sid, "go")) as events:
            async for event in events:
                if event.kind == "text":
                    break
        await wait_closed(cloud)


def contextlib_aclosing(agen):
    import contextlib

    return contextlib.aclosing(agen)


# -- the watchdog, with tiny intervals ------------------------------------------------------


@pytest.mark.fault
@pytest.mark.anyio
async def test_keepalives_only_gives_notices_then_gives_up(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.sse_script = S.pings(1000, 0.01)
    policy = StreamPolicy(still_working_every=0.1, keepalive_timeout=0.65, total_timeout=5)
    seen: list[AgentEvent] = []
    start = time.monotonic()
    async with NemoClient(cloud.base_url) as client:
        with pytest.raises(StreamError, match=r"only keep-alives for 0\.65 s"):
            await collect(client.stream(sid, "go", policy=policy), seen)
    elapsed = time.monotonic() - start
    notices = [e for e in seen if e.kind == "notice"]
    assert 3 <= len(notices) <= 6  # one per 0.1 s of silence (fewer only on a starved loop)
    assert all(e.text == "Still working…" for e in notices)
    assert [e.data["elapsed"] for e in notices] == sorted(e.data["elapsed"] for e in notices)
    assert 0.65 <= elapsed < 5.0
    assert cloud.prompts == ["go"]
    await wait_closed(cloud)


@pytest.mark.fault
@pytest.mark.anyio
async def test_silent_connection_gives_up_too(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.sse_script = [30.0]
    policy = StreamPolicy(still_working_every=0.1, keepalive_timeout=0.3, total_timeout=5)
    async with NemoClient(cloud.base_url) as client:
        with pytest.raises(StreamError, match="stalled"):
            await run_turn(client, sid, policy=policy)
    await wait_closed(cloud)


@pytest.mark.fault
@pytest.mark.anyio
async def test_total_timeout_even_while_text_flows(cloud: CloudState) -> None:
    sid = cloud.add_session()
    script: list = []
    for i in range(100):
        script += [S.data(S.adk_text(f"step {i}. ")), 0.03]
    cloud.sse_script = script
    policy = StreamPolicy(still_working_every=0.5, keepalive_timeout=1.0, total_timeout=0.4)
    seen: list[AgentEvent] = []
    async with NemoClient(cloud.base_url) as client:
        with pytest.raises(StreamError, match=r"longer than 0\.4 s"):
            await collect(client.stream(sid, "go", policy=policy), seen)
    assert len([e for e in seen if e.kind == "text"]) >= 5
    assert not [e for e in seen if e.kind == "notice"]  # text kept coming


@pytest.mark.anyio
async def test_notices_restart_after_text_and_the_turn_completes(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.sse_script = [S.data(S.adk_text("A.")), *S.pings(25, 0.01), S.data(S.adk_text("B.")),
                        *S.pings(25, 0.01), S.data(S.adk_text("C."))]  # fmt: skip
    policy = StreamPolicy(still_working_every=0.12, keepalive_timeout=2, total_timeout=5)
    async with NemoClient(cloud.base_url) as client:
        events = await run_turn(client, sid, policy=policy)
    kinds = [e.kind for e in events if e.kind != "keepalive"]
    assert "".join(e.text for e in events if e.kind == "text") == "A.B.C."
    assert kinds[0] == "text"
    assert kinds[-1] == "text"
    first, second = kinds.index("text", 1), len(kinds) - 1
    # Notices in *both* silences: had the count not restarted after "B.", the second
    # silence (as long as the first) would have stayed quiet.
    assert set(kinds[1:first]) == {"notice"}
    assert set(kinds[first + 1 : second]) == {"notice"}


@pytest.mark.fault
@pytest.mark.anyio
async def test_read_error_mid_stream_from_a_transport() -> None:
    """A fault shape a loopback server cannot make on demand: the read itself raising."""

    class Breaking(httpx.AsyncByteStream):
        async def __aiter__(self):  # type: ignore[override]
            yield b'data: {"type": "text", "content": "partial reply"}\n\n'
            raise httpx.ReadError("connection reset by peer")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Breaking())

    async with NemoClient("http://cloud.test", token="nmv_usr_t",
                          transport=httpx.MockTransport(handler)) as client:  # fmt: skip
        seen: list[AgentEvent] = []
        with pytest.raises(StreamError, match=r"cloud\.test broke: ReadError"):
            await collect(client.stream("1", "go"), seen)
    assert [e.text for e in seen] == ["partial reply"]


@pytest.mark.anyio
async def test_own_token_1001_on_run_sse_is_an_auth_error(cloud: CloudState) -> None:
    sid = cloud.add_session()
    async with NemoClient(cloud.base_url, token="nmv_usr_not_valid") as client:
        with pytest.raises(AuthError):
            await run_turn(client, sid)
    assert cloud.count("token") == 0
