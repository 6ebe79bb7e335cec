"""Every error code and HTTP status, and the policy for each, against the cloud stand-in."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from nemowidgets import protocol
from nemowidgets.api import (
    APIError,
    AuthError,
    DraftError,
    ExportBlockedError,
    FileTooLargeError,
    MalformedPayloadError,
    MissingClientIdError,
    NemoClient,
    NoCreditsError,
    NotFoundError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    SessionNotFoundError,
    TransportError,
    UnsupportedFileError,
)
from nemowidgets.samples import make_photo
from tests.support.cloud_server import OWN_TOKEN, CloudState, Fault

DRAFT = {"t": [{"tt": 0, "sg": [{"id": "seg_1", "s": 0, "d": 2000}]}], "d": 2000}


class Sleeps:
    """An injectable sleep that records the waits instead of doing them."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def client_for(cloud: CloudState, sleeps: Sleeps | None = None, **kw) -> NemoClient:
    policy = RetryPolicy(sleep=sleeps or Sleeps(), random=lambda: 0.5)
    return NemoClient(cloud.base_url, retry=policy, **kw)


# -- 1001 ----------------------------------------------------------------------------------


@pytest.mark.fault
@pytest.mark.anyio
async def test_1001_anonymous_gets_a_new_token_and_retries_once(cloud: CloudState) -> None:
    async with client_for(cloud) as client:
        await client.credits()
        old_user = client.user_id
        cloud.expire_tokens()
        assert (await client.credits()).available == 100
    assert cloud.count("token") == 2
    assert cloud.count("credits") == 3
    ids = {r.headers["x-client-id"] for r in cloud.calls("token")}
    assert ids == {client.client_id}
    assert client.user_id == old_user  # same client id -> same user


@pytest.mark.fault
@pytest.mark.anyio
async def test_1001_twice_is_an_auth_error(cloud: CloudState) -> None:
    cloud.inject("credits", Fault(status=200, code=1001, message="token expired"), times=2)
    async with client_for(cloud) as client:
        with pytest.raises(AuthError, match="code 1001") as info:
            await client.credits()
    assert info.value.code == 1001
    assert cloud.count("token") == 2
    assert cloud.count("credits") == 2


@pytest.mark.fault
@pytest.mark.anyio
async def test_1001_with_own_token_is_a_clear_error(cloud: CloudState) -> None:
    async with client_for(cloud, token="nmv_usr_expired_one") as client:
        with pytest.raises(AuthError) as info:
            await client.credits()
    assert "NEMO_TOKEN" in str(info.value)  # says what to do
    assert cloud.count("token") == 0
    assert cloud.count("credits") == 1


@pytest.mark.fault
@pytest.mark.anyio
async def test_wrong_local_secret_is_an_auth_error_without_retry_loops(cloud: CloudState) -> None:
    cloud.local_secret = "right"
    async with client_for(cloud, local_secret="wrong") as client:
        with pytest.raises(AuthError):
            await client.credits()
    assert cloud.count("token") == 1


# -- 1002, 2001, 4001, 4002 ----------------------------------------------------------------


@pytest.mark.anyio
async def test_1002_session_not_found(cloud: CloudState) -> None:
    async with client_for(cloud) as client:
        with pytest.raises(SessionNotFoundError, match="1002") as info:
            await client.state("123")
    assert info.value.code == 1002
    assert cloud.count("state") == 1  # the Session decides what to do, not the client


@pytest.mark.fault
@pytest.mark.anyio
async def test_2001_anonymous_gets_the_registration_link(cloud: CloudState) -> None:
    cloud.inject("credits", Fault(status=200, code=2001, message="insufficient credits"))
    async with client_for(cloud) as client:
        await client.anonymous_token()
        with pytest.raises(NoCreditsError) as info:
            await client.credits()
    url = f"https://nemovideo.com/register?bind={client.user_id}"
    assert info.value.hint.endswith(url)
    assert url in str(info.value)
    assert info.value.details["register_url"] == url


@pytest.mark.fault
@pytest.mark.anyio
async def test_2001_registered_user_is_told_to_top_up(cloud: CloudState) -> None:
    cloud.inject("credits", Fault(status=200, code=2001, message="insufficient credits"))
    async with client_for(cloud, token=OWN_TOKEN) as client:
        with pytest.raises(NoCreditsError) as info:
            await client.credits()
    assert "top up" in info.value.hint.lower()
    assert "register" not in str(info.value)


@pytest.mark.fault
@pytest.mark.anyio
@pytest.mark.parametrize(("code", "cls"), [(4001, UnsupportedFileError), (4002, FileTooLargeError)])
async def test_server_side_file_errors(
    cloud: CloudState, tmp_path: Path, code: int, cls: type
) -> None:
    sid = cloud.add_session()
    cloud.inject("upload", Fault(status=200, code=code, message="beach.jpg refused"))
    photo = make_photo(tmp_path / "beach.jpg", 0, (64, 48))
    async with client_for(cloud) as client:
        with pytest.raises(cls, match=r"beach\.jpg refused") as info:
            await client.upload(sid, [photo])
    assert info.value.code == code


# -- 4000 (the local backend's "cannot use this request") ----------------------------------

_SEG = (
    "Segment seg_3 uses media m_ab12, which is not in this session: upload it again or remove "
    "the segment (draft.t[0].sg[2])."
)


@pytest.mark.fault
@pytest.mark.anyio
async def test_4000_on_export_is_a_draft_error_quoting_the_segment(cloud: CloudState) -> None:
    """Not UnsupportedFileError (4001), whose hint lists file formats: the draft is wrong."""
    sid = cloud.add_session()
    cloud.inject("render", Fault(status=422, code=4000, message=_SEG))
    async with client_for(cloud) as client:
        with pytest.raises(DraftError) as info:
            await client.export(sid, DRAFT)
    err = info.value
    assert type(err) is DraftError
    assert (err.code, err.status) == (4000, 422)
    assert "seg_3 uses media m_ab12, which is not in this session" in str(err)
    assert "Supported formats" not in str(err)
    assert "make a slideshow" not in str(err)
    assert "segment" in err.hint
    assert cloud.count("render") == 1  # a refused draft is not re-sent


@pytest.mark.fault
@pytest.mark.anyio
async def test_4000_elsewhere_is_a_plain_api_error_with_the_servers_message(
    cloud: CloudState,
) -> None:
    cloud.inject("state", Fault(status=422, code=4000, message="'language' must be a short code"))
    cloud.inject("poll", Fault(status=404, code=4000, message="render r was not found"))
    async with client_for(cloud) as client:
        with pytest.raises(APIError) as info:
            await client.state("123")
        with pytest.raises(NotFoundError):  # the status still decides what 4000 does not
            await client.render_status("r")
    assert type(info.value) is APIError
    assert (info.value.code, info.value.status) == (4000, 422)
    assert "'language' must be a short code" in str(info.value)


@pytest.mark.fault
@pytest.mark.anyio
async def test_4000_with_409_on_export_still_retries_the_duplicate_id(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.inject("render", Fault(status=409, code=4000, message="render id is already used"))
    async with client_for(cloud) as client:
        job = await client.export(sid, DRAFT)
    assert job.id.startswith("render_")
    assert cloud.count("render") == 2


# -- HTTP statuses -------------------------------------------------------------------------


@pytest.mark.fault
@pytest.mark.anyio
async def test_400_on_the_token_call_is_missing_client_id(cloud: CloudState) -> None:
    cloud.inject("token", Fault(status=400, message="X-Client-Id required"))
    async with client_for(cloud) as client:
        with pytest.raises(MissingClientIdError, match="X-Client-Id"):
            await client.credits()


def test_the_stand_in_really_wants_a_client_id(cloud: CloudState) -> None:
    answer = httpx.post(cloud.base_url + protocol.ANONYMOUS_TOKEN_PATH)
    assert answer.status_code == 400


@pytest.mark.anyio
async def test_402_export_blocked_on_the_free_plan(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.export_blocked = True
    async with client_for(cloud) as client:
        with pytest.raises(ExportBlockedError, match="402") as info:
            await client.export(sid, DRAFT)
    assert "register or upgrade" in info.value.hint.lower()


def test_the_stand_in_blocks_export_without_attribution(cloud: CloudState) -> None:
    sid = cloud.add_session()
    body = {
        "id": "render_x",
        "sessionId": sid,
        "draft": DRAFT,
        "output": {"format": "mp4", "quality": "high"},
    }
    answer = httpx.post(cloud.base_url + protocol.RENDER_PATH, json=body,
                        headers={"Authorization": f"Bearer {OWN_TOKEN}"})  # fmt: skip
    assert answer.status_code == 402
    assert answer.json()["success"] is False


@pytest.mark.fault
@pytest.mark.anyio
@pytest.mark.parametrize(("header", "wait"), [("1500ms", 1.5), ("7", 7.0), (None, 30.0)])
async def test_429_waits_retry_after_then_retries_once(
    cloud: CloudState, header: str | None, wait: float
) -> None:
    headers = {"Retry-After": header} if header else {}
    cloud.inject("credits", Fault(status=429, message="slow down", headers=headers))
    sleeps = Sleeps()
    async with client_for(cloud, sleeps) as client:
        assert (await client.credits()).available == 100
    assert sleeps.waits == [wait]
    assert cloud.count("credits") == 2


@pytest.mark.fault
@pytest.mark.anyio
async def test_429_twice_is_a_rate_limited_error(cloud: CloudState) -> None:
    cloud.inject("credits", Fault(status=429, headers={"Retry-After": "2"}), times=2)
    sleeps = Sleeps()
    async with client_for(cloud, sleeps) as client:
        with pytest.raises(RateLimitedError, match="retry after 2 s") as info:
            await client.credits()
    assert info.value.retry_after == 2.0
    assert sleeps.waits == [2.0]


@pytest.mark.fault
@pytest.mark.anyio
async def test_429_asking_too_long_is_not_waited_for(cloud: CloudState) -> None:
    cloud.inject("credits", Fault(status=429, headers={"Retry-After": "3000"}))
    sleeps = Sleeps()
    async with client_for(cloud, sleeps) as client:
        with pytest.raises(RateLimitedError) as info:
            await client.credits()
    assert sleeps.waits == []
    assert info.value.retry_after == 3000


@pytest.mark.fault
@pytest.mark.anyio
async def test_5xx_on_a_post_is_not_retried(cloud: CloudState) -> None:
    cloud.inject("session", Fault(status=502))
    async with client_for(cloud) as client:
        with pytest.raises(ServerError, match="HTTP 502"):
            await client.create_session()
    assert cloud.count("session") == 1


@pytest.mark.fault
@pytest.mark.anyio
async def test_404_render_is_not_found(cloud: CloudState) -> None:
    async with client_for(cloud) as client:
        with pytest.raises(NotFoundError, match="render render_nope"):
            await client.render_status("render_nope")


@pytest.mark.fault
@pytest.mark.anyio
async def test_other_4xx_and_unknown_codes_are_api_errors(cloud: CloudState) -> None:
    cloud.inject("credits", Fault(status=418, message="teapot"))
    cloud.inject("credits", Fault(status=200, code=3999, message="new rule"))
    async with client_for(cloud) as client:
        with pytest.raises(APIError, match=r"HTTP 418.*teapot"):
            await client.credits()
        with pytest.raises(APIError, match=r"code 3999.*new rule") as info:
            await client.credits()
    assert type(info.value) is APIError


# -- malformed answers ---------------------------------------------------------------------


def mock_client(
    body: bytes | str, status: int = 200, ctype: str = "application/json"
) -> NemoClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": ctype})

    transport = httpx.MockTransport(handler)
    return NemoClient("http://cloud.test", token="nmv_usr_t", transport=transport)


@pytest.mark.fault
@pytest.mark.anyio
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("<html>502 Bad Gateway</html>", "body"),
        ("", "body"),
        ("[1, 2]", "body"),
        ('{"code": 0, "data": {"frozen": 1}}', "data.available"),
        ('{"code": 0, "data": {"available": "lots"}}', "data.available"),
        ('{"code": 0, "data": {"available": true}}', "data.available"),
        ('{"code": 0, "data": []}', "data"),
    ],
)
async def test_malformed_answers_name_the_field(body: str, field: str) -> None:
    async with mock_client(body) as client:
        with pytest.raises(MalformedPayloadError) as info:
            await client.credits()
    assert info.value.details["field"] == field
    assert "credits" in str(info.value)


@pytest.mark.fault
@pytest.mark.anyio
@pytest.mark.parametrize(
    ("call", "body", "field"),
    [
        ("session", '{"code": 0, "data": {"task_id": "t"}}', "data.session_id"),
        ("token", '{"code": 0, "data": {"user_id": "anon_1"}}', "data.token"),
        ("upload", '{"code": 0, "data": {"files": {}}}', "data.files"),
        ("upload", '{"code": 0, "data": {"files": [{"file_type": "image"}]}}',
         "data.files[0].filename"),
        ("upload", '{"code": 0, "data": {"files": [{"filename": "a.jpg", "width": "wide"}]}}',
         "data.files[0].width"),
        ("state", '{"code": 0, "data": {"session_id": "1"}}', "data.state"),
        ("poll", '{"success": true, "data": {"id": "r", "status": "exploded"}}', "data.status"),
        ("poll", '{"success": true, "data": {"id": "r"}}', "data.status"),
        ("poll", '{"success": true, "data": {"status": "processing", "progress": "half"}}',
         "data.progress"),
    ],
)  # fmt: skip
async def test_malformed_payloads_of_each_endpoint(call: str, body: str, field: str) -> None:
    async with mock_client(body) as client:
        with pytest.raises(MalformedPayloadError) as info:
            await CALLS[call](client)
    assert info.value.details["field"] == field


def make_png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes(32)


CALLS = {
    "session": lambda c: c.create_session(),
    "token": lambda c: c.anonymous_token(),
    "upload": lambda c: c.upload("1", [("a.png", make_png())]),
    "state": lambda c: c.state("1"),
    "poll": lambda c: c.render_status("r"),
}


# -- transport -----------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.fault
@pytest.mark.anyio
async def test_unreachable_host_is_a_transport_error_naming_it() -> None:
    port = closed_port()
    sleeps = Sleeps()
    policy = RetryPolicy(sleep=sleeps)
    async with NemoClient(f"http://127.0.0.1:{port}", token="nmv_usr_t", retry=policy) as client:
        with pytest.raises(TransportError, match=f"Cannot reach http://127.0.0.1:{port}") as info:
            await client.credits()
    assert "ConnectError" in str(info.value)
    assert len(sleeps.waits) == 2
    assert info.value.hint  # what to do


@pytest.mark.fault
@pytest.mark.anyio
async def test_read_timeout_is_a_transport_error(cloud: CloudState) -> None:
    cloud.inject("credits", Fault(status=200, code=0, delay=1.0), times=3)
    async with client_for(cloud, token=OWN_TOKEN, timeout=0.2) as client:
        with pytest.raises(TransportError, match=r"no answer within 0\.2 s"):
            await client.credits()
    assert cloud.count("credits") == 3  # a GET: 2 retries


@pytest.mark.fault
@pytest.mark.anyio
async def test_an_upload_is_sent_whole_again_after_a_token_refresh(
    cloud: CloudState, tmp_path: Path
) -> None:
    sid = cloud.add_session()
    photo = make_photo(tmp_path / "beach.jpg", 0, (64, 48))
    sleeps = Sleeps()
    async with client_for(cloud, sleeps) as client:
        await client.credits()
        cloud.expire_tokens()
        cloud.inject("upload", Fault(status=429, headers={"Retry-After": "1"}))
        (media,) = await client.upload(sid, [photo])
    assert media.filename == "beach.jpg"
    assert cloud.count("upload") == 3  # 429, then 1001 (expired), then accepted
    assert sleeps.waits == [1.0]
    (accepted,) = cloud.uploads
    assert accepted["files"][0]["size"] == photo.stat().st_size  # the body was re-streamed
