"""The protocol client against the real local server: tokens, sessions, uploads, credits, state.

The same client behaviour ``tests/api`` asserts against the cloud stand-in,
asserted here against ``nemowidgets.local``: what each call returns, and which
of our exceptions each refusal the server can produce becomes.
"""

from __future__ import annotations

import io
import struct
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image

from nemowidgets import protocol as P
from nemowidgets.api import (
    AuthError,
    Credits,
    FileTooLargeError,
    MissingClientIdError,
    NotFoundError,
    UnsupportedFileError,
)
from nemowidgets.api import client as client_module
from nemowidgets.local.server.launch import LocalServer
from tests.api_local.kit import Wire, new_client, unchecked_upload

PHOTOS = ("photo0", "photo1", "photo2")


# -- the anonymous token ---------------------------------------------------------------------
@pytest.mark.anyio
async def test_anonymous_token_with_the_kernels_secret(server: LocalServer) -> None:
    async with new_client(server) as c:
        info = await c.anonymous_token()
        assert c.is_anonymous
        assert c.user_id == info.user_id
        assert info.user_id.startswith("anon_")
        assert info.credits == P.DEFAULT_CREDITS
        assert info.expires_at is not None
        expires = datetime.fromisoformat(info.expires_at.replace("Z", "+00:00"))
        week = datetime.now(timezone.utc) + timedelta(days=7)
        assert abs((expires - week).total_seconds()) < 120
        assert info.token not in repr(info)
        assert info.token not in repr(c)
        assert await c.credits() == Credits(available=100, frozen=0, total=100)
        client_id = c.client_id
    async with new_client(server, client_id=client_id) as again:  # a restarted kernel
        assert (await again.anonymous_token()).user_id == info.user_id


@pytest.mark.anyio
async def test_token_is_fetched_lazily_once_with_the_secret_only_on_that_call(
    server: LocalServer,
) -> None:
    wire = Wire()
    async with new_client(server, wire=wire) as c:
        await c.credits()
        await c.credits()
    assert [(e.method, e.path, e.status) for e in wire.log] == [
        ("POST", P.ANONYMOUS_TOKEN_PATH, 200),
        ("GET", P.CREDITS_PATH, 200),
        ("GET", P.CREDITS_PATH, 200),
    ]
    token_call, *calls = wire.log
    assert token_call.headers[P.HEADER_LOCAL_SECRET] == server.secret
    assert token_call.headers[P.HEADER_CLIENT_ID] == c.client_id
    assert "authorization" not in token_call.headers
    for e in calls:
        assert P.HEADER_LOCAL_SECRET not in e.headers
        assert e.headers["authorization"].startswith("Bearer ")
    for e in wire.log:  # attribution on every call
        assert e.headers[P.HEADER_SKILL_SOURCE] == "nemowidgets"
        assert e.headers[P.HEADER_SKILL_PLATFORM] in P.PLATFORMS


@pytest.mark.anyio
@pytest.mark.parametrize("secret", [None, "nwl_sec_not-the-kernels-secret"])
async def test_token_without_the_kernels_secret_is_an_auth_error(
    server: LocalServer, secret: str | None
) -> None:
    wire = Wire()
    async with new_client(server, wire=wire, secret=secret) as c:
        with pytest.raises(AuthError) as info:
            await c.anonymous_token()
        with pytest.raises(AuthError):  # a call that needs a token fails the same way
            await c.credits()
    err = info.value
    assert (err.code, err.status) == (P.ErrorCode.BAD_TOKEN, 401)
    assert P.HEADER_LOCAL_SECRET in str(err)
    assert server.secret not in str(err)
    assert secret is None or secret not in str(err)
    assert wire.statuses(P.CREDITS_PATH) == []  # no call went out without a token
    assert wire.token_calls() == 2  # refused, not retried


@pytest.mark.anyio
async def test_token_without_client_id_is_a_missing_client_id_error(server: LocalServer) -> None:
    async with new_client(server, client_id="") as c:
        with pytest.raises(MissingClientIdError) as info:
            await c.anonymous_token()
    assert info.value.status == 400
    assert P.HEADER_CLIENT_ID in str(info.value)


# -- session, credits, state -------------------------------------------------------------------
@pytest.mark.anyio
async def test_create_session_credits_and_empty_state(server: LocalServer) -> None:
    async with new_client(server) as c:
        info = await c.create_session()
        assert info.session_id.isdigit()
        assert len(info.session_id) >= 19
        assert info.task_id
        assert info.task_id.isdigit()
        assert info.user_id == c.user_id
        assert await c.credits() == Credits(available=100, frozen=0, total=100)
        data = await c.state(info.session_id)
        other = await c.create_session()
    assert other.session_id != info.session_id
    assert (data["session_id"], data["task_id"]) == (info.session_id, info.task_id)
    state = data["state"]
    assert state["draft"] is None
    assert state["media"] == state["video_infos"] == []
    assert state["generated_media"] == []


# -- uploads -----------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_upload_from_path_and_bytes_with_progress(
    server: LocalServer, sample_media: dict[str, Path]
) -> None:
    photo0, photo1, music = sample_media["photo0"], sample_media["photo1"], sample_media["music"]
    seen: list[tuple[str, int, int]] = []
    async with new_client(server) as c:
        sid = (await c.create_session()).session_id
        media = await c.upload(
            sid,
            [photo0, ("from_memory.jpg", photo1.read_bytes()), music],
            progress=lambda name, sent, total: seen.append((name, sent, total)),
        )
        state = (await c.state(sid))["state"]
    assert [(m.filename, m.file_type) for m in media] == [
        ("photo0.jpg", "image"),
        ("from_memory.jpg", "image"),
        ("music.wav", "audio"),
    ]
    assert [m.size for m in media] == [p.stat().st_size for p in (photo0, photo1, music)]
    for m in media[:2]:
        assert (m.width, m.height) == (320, 180)
        assert m.duration is None
    assert media[2].duration == pytest.approx(3.0, abs=0.05)
    assert len({m.id for m in media}) == 3
    assert all(m.id.startswith("m_") for m in media)
    for m in media:
        assert m.cdn_url.startswith(server.url + "/media/" + sid)
        assert m.hash
        assert len(m.hash) == 64
    assert media[0].thumbnail_url.startswith(server.url)
    assert [m["id"] for m in state["media"]] == [m.id for m in media]  # in upload order
    for m, path in zip(media, (photo0, photo1, music), strict=True):
        mine = [(sent, total) for name, sent, total in seen if name == m.filename]
        size = path.stat().st_size
        assert mine[0] == (0, size)
        assert mine[-1] == (size, size)
        assert [s for s, _ in mine] == sorted(s for s, _ in mine)


@pytest.mark.anyio
async def test_fetch_bytes_of_a_thumbnail_and_an_original(
    server: LocalServer, sample_media: dict[str, Path]
) -> None:
    async with new_client(server) as c:
        sid = (await c.create_session()).session_id
        [photo] = await c.upload(sid, [sample_media["photo0"]])
        thumb = await c.fetch_bytes(photo.thumbnail_url)
        original = await c.fetch_bytes(photo.cdn_url)
        with pytest.raises(NotFoundError) as info:  # the session exists; the media does not
            await c.fetch_bytes(photo.cdn_url.replace(photo.id, "m_000000000000"))
    image = Image.open(io.BytesIO(thumb))
    assert image.format == "JPEG"
    assert max(image.size) <= 200
    assert image.size[0] > image.size[1]
    assert original == sample_media["photo0"].read_bytes()
    assert info.value.status == 404


@pytest.mark.badinput
@pytest.mark.anyio
async def test_client_prechecks_refuse_before_anything_is_sent(
    server: LocalServer, tmp_path: Path
) -> None:
    huge = tmp_path / "huge.mp4"
    with huge.open("wb") as fh:  # sparse: 501 MB on paper, nothing on disk
        fh.truncate(P.MAX_UPLOAD_BYTES + 1)
    wire = Wire()
    async with new_client(server, wire=wire) as c:
        with pytest.raises(UnsupportedFileError) as txt:
            await c.upload("1", [("notes.txt", b"just text")])
        with pytest.raises(UnsupportedFileError) as lying:
            await c.upload("1", [("photo.jpg", b"RIFF\x00\x00\x00\x00WAVEfmt this is no jpeg")])
        with pytest.raises(FileTooLargeError) as big:
            await c.upload("1", [huge])
        with pytest.raises(UnsupportedFileError) as url:
            await c.upload_urls("1", ["file:///etc/passwd"])
    assert wire.log == []  # not even a token call
    for err, name in (
        (txt, "notes.txt"),
        (lying, "photo.jpg"),
        (big, "huge.mp4"),
        (url, "file:///etc/passwd"),
    ):
        assert err.value.status is None  # raised by the client, not answered by the server
        assert name in str(err.value)
    assert (txt.value.code, big.value.code) == (4001, 4002)


def _sparse_mp4(path: Path, size: int) -> Path:
    """A real ``ftyp`` box, then a hole: passes every magic-byte check, costs no disk."""
    ftyp = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
    with path.open("wb") as fh:
        fh.write(ftyp + struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", size - len(ftyp)))
        fh.truncate(size)
    return path


@pytest.mark.badinput
@pytest.mark.anyio
async def test_server_answers_4001_when_the_precheck_is_bypassed(
    server: LocalServer, sample_media: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    truncated = sample_media["photo0"].read_bytes()[:300]  # right magic bytes, broken image
    async with new_client(server) as c:
        sid = (await c.create_session()).session_id
        with pytest.raises(UnsupportedFileError) as broken:  # the client lets it through
            await c.upload(sid, [("truncated.jpg", truncated)])
        monkeypatch.setattr(client_module, "check_upload", unchecked_upload)
        with pytest.raises(UnsupportedFileError) as txt:
            await c.upload(sid, [sample_media["photo1"], ("notes.txt", b"just text")])
        state = (await c.state(sid))["state"]
    for err, name in ((broken, "truncated.jpg"), (txt, "notes.txt")):
        assert (err.value.code, err.value.status) == (4001, 415)
        assert "the server refused the file" in str(err.value)
        assert name in str(err.value)
    assert state["media"] == []  # all or nothing: photo1 was not kept either


@pytest.mark.badinput
@pytest.mark.anyio
async def test_server_answers_4002_when_the_precheck_is_bypassed(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = _sparse_mp4(tmp_path / "big.mp4", P.MAX_UPLOAD_BYTES + 1)
    monkeypatch.setattr(client_module, "check_upload", unchecked_upload)
    async with new_client(server) as c:
        sid = (await c.create_session()).session_id
        with pytest.raises(FileTooLargeError) as info:
            await c.upload(sid, [big])
        assert (await c.state(sid))["state"]["media"] == []
    assert (info.value.code, info.value.status) == (4002, 413)
    assert "big.mp4" in str(info.value)


@pytest.mark.badinput
@pytest.mark.anyio
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
async def test_url_uploads_of_loopback_addresses_are_refused(
    server: LocalServer, sample_media: dict[str, Path], host: str
) -> None:
    async with new_client(server) as c:
        sid = (await c.create_session()).session_id
        [photo] = await c.upload(sid, [sample_media["photo0"]])
        url = photo.cdn_url.replace("127.0.0.1", host)  # the server's own media, by URL
        with pytest.raises(UnsupportedFileError) as info:
            await c.upload_urls(sid, [url])
        assert len((await c.state(sid))["state"]["media"]) == 1
    assert (info.value.code, info.value.status) == (4001, 415)
    assert url[:60] in str(info.value)
