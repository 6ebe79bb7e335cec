"""Every endpoint's happy path against the cloud stand-in, and what goes on the wire."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from nemowidgets import __version__, protocol
from nemowidgets.api import Credits, MediaInfo, NemoClient, RetryPolicy
from nemowidgets.samples import make_music, make_photo
from tests.support.cloud_server import OWN_TOKEN, CloudState

FAST = RetryPolicy(base=0.0, cap=0.0)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    return make_photo(tmp_path / "beach.jpg", 0, (160, 120))


@pytest.mark.anyio
async def test_anonymous_token_with_persisted_client_id(cloud: CloudState, tmp_path: Path) -> None:
    async with NemoClient(cloud.base_url) as client:
        info = await client.anonymous_token()
        assert client.is_anonymous
        assert client.user_id == info.user_id
        assert info.user_id.startswith("anon_")
        assert info.credits == 100
        assert info.expires_at == "2030-01-01T00:00:00Z"
        first_id = client.client_id
    saved = (tmp_path / "config" / "client_id").read_text().strip()
    assert saved == first_id
    async with NemoClient(cloud.base_url) as again:  # a new kernel: same id, same user
        info2 = await again.anonymous_token()
    assert [r.headers["x-client-id"] for r in cloud.calls("token")] == [first_id, first_id]
    assert info2.user_id == info.user_id
    assert "authorization" not in cloud.calls("token")[0].headers


@pytest.mark.anyio
async def test_token_is_fetched_lazily_once_and_sent_as_bearer(cloud: CloudState) -> None:
    async with NemoClient(cloud.base_url) as client:
        await client.credits()
        await client.credits()
    assert cloud.count("token") == 1
    issued = next(iter(cloud.issued))
    assert [r.headers["authorization"] for r in cloud.calls("credits")] == [f"Bearer {issued}"] * 2


@pytest.mark.anyio
async def test_own_token_from_env_is_used_and_no_anonymous_call(
    cloud: CloudState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEMO_TOKEN", OWN_TOKEN)
    monkeypatch.setenv("NEMO_API_URL", cloud.base_url + "/")
    async with NemoClient() as client:
        assert client.base_url == cloud.base_url
        assert not client.is_anonymous
        assert await client.credits() == Credits(available=100, frozen=0, total=100)
    assert cloud.count("token") == 0
    assert cloud.calls("credits")[0].headers["authorization"] == f"Bearer {OWN_TOKEN}"


def test_default_base_url_is_the_cloud() -> None:
    client = NemoClient()
    assert client.base_url == protocol.CLOUD_BASE_URL


@pytest.mark.anyio
async def test_local_secret_goes_only_to_the_token_call(cloud: CloudState) -> None:
    cloud.local_secret = "kernel-secret-123"
    async with NemoClient(cloud.base_url, local_secret="kernel-secret-123") as client:
        await client.credits()
    assert cloud.calls("token")[0].headers["x-nemo-local-secret"] == "kernel-secret-123"
    assert "x-nemo-local-secret" not in cloud.calls("credits")[0].headers


@pytest.mark.anyio
async def test_attribution_headers_on_every_call(
    cloud: CloudState, photo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKILL_SOURCE", "classroom-fork")
    async with NemoClient(cloud.base_url, platform="voila") as client:
        session = await client.create_session()
        await client.upload(session.session_id, [photo])
        await client.credits()
        await client.state(session.session_id)
        job = await client.export(session.session_id, {"t": [{"tt": 0, "sg": [{"id": "s"}]}]})
        await client.render_status(job.id)
        await client.cancel_render(job.id)
    assert len(cloud.requests) >= 8
    for call in cloud.requests:
        assert call.headers["x-skill-source"] == "classroom-fork", call
        assert call.headers["x-skill-version"] == __version__, call
        assert call.headers["x-skill-platform"] == "voila", call


@pytest.mark.anyio
@pytest.mark.parametrize("numeric", [False, True])
async def test_create_session_keeps_the_long_id_a_string(cloud: CloudState, numeric: bool) -> None:
    cloud.numeric_session_id = numeric
    async with NemoClient(cloud.base_url) as client:
        info = await client.create_session(language="zh")
    assert info.session_id == "7301234567890123456789"  # beyond int64 and float precision
    assert info.task_id == "task_1"
    assert info.user_id == client.user_id


@pytest.mark.anyio
async def test_upload_files_and_bytes_multipart(
    cloud: CloudState, tmp_path: Path, photo: Path
) -> None:
    sid = cloud.add_session()
    music = make_music(tmp_path / "song.wav", 1.0)
    png = make_photo(tmp_path / "p.png", 1, (64, 48)).read_bytes()
    progress: list[tuple[str, int, int]] = []
    async with NemoClient(cloud.base_url) as client:
        media = await client.upload(sid, [photo, str(music), ("ciel bleu \u4e2d.png", png)],
                                    progress=lambda *a: progress.append(a))  # fmt: skip
    assert [m.filename for m in media] == ["beach.jpg", "song.wav", "ciel bleu \u4e2d.png"]
    assert [m.file_type for m in media] == ["image", "audio", "image"]
    assert isinstance(media[0], MediaInfo)
    assert media[0].width == 320
    assert media[1].duration == 3.0
    assert media[0].extra == {"vendor_extra": "kept"}
    (upload,) = cloud.uploads
    parts = upload["files"]
    assert [p["field"] for p in parts] == ["files"] * 3
    assert [p["size"] for p in parts] == [photo.stat().st_size, music.stat().st_size, len(png)]
    assert parts[2]["hash"] == hashlib.sha1(png).hexdigest()
    assert [p["content_type"] for p in parts] == ["image/jpeg", "audio/wav", "image/png"]
    call = cloud.calls("upload")[0]
    assert call.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert "transfer-encoding" not in call.headers  # exact Content-Length, not chunked
    assert progress[0] == ("beach.jpg", 0, photo.stat().st_size)
    assert ("song.wav", music.stat().st_size, music.stat().st_size) in progress
    assert progress[-1] == ("ciel bleu \u4e2d.png", len(png), len(png))


@pytest.mark.anyio
async def test_upload_urls(cloud: CloudState) -> None:
    sid = cloud.add_session()
    urls = ["https://example.com/a/sunset.jpg", "http://example.com/track.mp3"]
    async with NemoClient(cloud.base_url) as client:
        media = await client.upload_urls(sid, urls)
    assert [(m.filename, m.file_type, m.cdn_url) for m in media] == [
        ("sunset.jpg", "image", urls[0]), ("track.mp3", "audio", urls[1])]  # fmt: skip
    assert cloud.calls("upload")[0].headers["content-type"] == "application/json"


@pytest.mark.anyio
async def test_state(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.sessions[sid]["draft"] = {"t": [], "d": 0}
    async with NemoClient(cloud.base_url) as client:
        data = await client.state(sid)
    assert data["session_id"] == sid
    assert data["state"]["draft"] == {"t": [], "d": 0}
    assert data["state"]["canvas_config"]["width"] == 1920


@pytest.mark.anyio
@pytest.mark.parametrize("key", ["message", "msg"])
async def test_credits_with_either_message_key(cloud: CloudState, key: str) -> None:
    cloud.error_key = key
    cloud.credits = {"available": "42.5", "frozen": 3}
    async with NemoClient(cloud.base_url) as client:
        assert await client.credits() == Credits(available=42.5, frozen=3, total=None)


@pytest.mark.anyio
async def test_fetch_bytes_sends_the_token_only_to_its_own_origin(cloud: CloudState) -> None:
    port = cloud.base_url.rsplit(":", 1)[1]
    async with NemoClient(cloud.base_url) as client:
        own = await client.fetch_bytes(f"{cloud.base_url}/media/thumb_1")
        relative = await client.fetch_bytes("/media/thumb_2")
        other = await client.fetch_bytes(f"http://localhost:{port}/external/cdn_1")
    assert own == b"\xff\xd8\xffthumb_1"
    assert relative == b"\xff\xd8\xffthumb_2"
    assert other == b"external:cdn_1"
    assert all("authorization" in r.headers for r in cloud.calls("media"))
    assert "authorization" not in cloud.calls("external")[0].headers
