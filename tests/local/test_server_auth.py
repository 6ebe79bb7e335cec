"""Auth and isolation: every call needs a token, tokens need the secret, users and sessions
never see each other's state, media, thumbnails or renders."""

from __future__ import annotations

import os
import stat
import uuid

import httpx
import pytest

from nemowidgets import protocol as P
from nemowidgets.local.server.launch import ensure_local_server, load_secret
from tests.support.local_server import RawClient, photo_draft

SID = "1234567890123456789"
ENDPOINTS = [
    ("POST", P.CREATE_SESSION_PATH),
    ("POST", P.RUN_SSE_PATH),
    ("POST", P.UPLOAD_PATH.format(session_id=SID)),
    ("GET", P.CREDITS_PATH),
    ("GET", P.STATE_PATH.format(session_id=SID)),
    ("POST", P.RENDER_PATH),
    ("GET", P.RENDER_POLL_PATH.format(render_id="render_x")),
    ("POST", P.RENDER_CANCEL_PATH.format(render_id="render_x")),
    ("GET", P.RENDER_DOWNLOAD_PATH.format(render_id="render_x")),
    ("GET", f"/media/{SID}/m_0"),
    ("GET", f"/media/{SID}/m_0/thumbnail.jpg"),
    ("GET", "/renders/render_x.mp4"),
    ("GET", "/_local/stats"),
]


@pytest.mark.parametrize("auth", [None, "Bearer nwl_wrong", "Basic abc", "Bearer", "nwl_x"])
def test_every_endpoint_needs_a_valid_token(local_server, auth) -> None:
    headers = {"Authorization": auth} if auth is not None else {}
    with httpx.Client(base_url=local_server.url, trust_env=False, timeout=10) as http:
        for method, path in ENDPOINTS:
            r = http.request(method, path, headers=headers, json={})
            assert r.status_code == 401, path
            body = r.json()
            assert body["code"] == P.ErrorCode.BAD_TOKEN
            assert r.headers["www-authenticate"] == "Bearer"
            if path.startswith("/api/render/"):
                assert body["success"] is False
                assert "token" in body["error"]
            else:
                assert "token" in body["message"]
            assert "nwl_wrong" not in r.text


def test_anonymous_token_needs_the_secret_and_a_client_id(local_server) -> None:
    url = local_server.url + P.ANONYMOUS_TOKEN_PATH
    for secret in (None, "", "wrong", local_server.secret[:-1]):
        headers = {P.HEADER_CLIENT_ID: "c1"}
        if secret is not None:
            headers[P.HEADER_LOCAL_SECRET] = secret
        r = httpx.post(url, headers=headers, trust_env=False)
        assert r.status_code == 401, secret
        assert r.json()["code"] == P.ErrorCode.BAD_TOKEN
        assert r.json()["data"] is None  # no token in it
    r = httpx.post(url, headers={P.HEADER_LOCAL_SECRET: local_server.secret}, trust_env=False)
    assert r.status_code == 400
    assert P.HEADER_CLIENT_ID in r.json()["message"]
    assert r.json()["code"] != 0


def test_a_client_without_the_secret_reads_nothing(local_server, local_api, sample_media) -> None:
    """Another process on the machine knows the port and even the ids, but not the secret."""
    sid = local_api.new_session()
    [photo] = local_api.upload_ok(sid, [sample_media["photo0"]])
    job = local_api.data(local_api.export(sid, photo_draft([photo])))
    intruder = httpx.Client(base_url=local_server.url, trust_env=False)
    r = intruder.post(P.ANONYMOUS_TOKEN_PATH, headers={P.HEADER_CLIENT_ID: "intruder"})
    assert r.status_code == 401
    assert (r.json().get("data") or {}).get("token") is None
    for url in (
        P.STATE_PATH.format(session_id=sid),
        photo["cdn_url"],
        photo["thumbnail_url"],
        P.RENDER_POLL_PATH.format(render_id=job["id"]),
        f"/renders/{job['id']}.mp4",
        P.RENDER_DOWNLOAD_PATH.format(render_id=job["id"]),
    ):
        got = intruder.get(url)
        assert got.status_code == 401, url
        assert got.content[:3] != b"\xff\xd8\xff"
    intruder.close()
    local_api.post(P.RENDER_CANCEL_PATH.format(render_id=job["id"]))


def test_fixed_token_server(start_local_server, sample_media) -> None:
    """`nemowidgets serve --token T`: T works; tokens are issued only to holders of T."""
    server = start_local_server(token="nwl_fixed_" + uuid.uuid4().hex)
    owner = RawClient(server.url, server.token)
    sid = owner.new_session()
    assert owner.state(sid)["session_id"] == sid
    url = server.url + P.ANONYMOUS_TOKEN_PATH
    assert httpx.post(url, headers={P.HEADER_CLIENT_ID: "c"}, trust_env=False).status_code == 401
    r = httpx.post(
        url,
        headers={P.HEADER_CLIENT_ID: "c", "Authorization": f"Bearer {server.token}"},
        trust_env=False,
    )
    assert r.status_code == 200
    anon = RawClient(server.url, r.json()["data"]["token"])
    assert anon.get(P.STATE_PATH.format(session_id=sid)).json()["code"] == 1002
    owner.close()
    anon.close()


def test_users_are_isolated(local_server, sample_media) -> None:
    alice = RawClient.anonymous(local_server, "alice")
    bob = RawClient.anonymous(local_server, "bob")
    try:
        sid_a = alice.new_session()
        files = alice.upload_ok(sid_a, [sample_media["photo0"], sample_media["photo1"]])
        job = alice.data(alice.export(sid_a, photo_draft(files)))
        sid_b = bob.new_session()
        [bob_photo] = bob.upload_ok(sid_b, [sample_media["photo2"]])
        # Bob knows every id of Alice's: none of them opens anything.
        for path in (
            P.STATE_PATH.format(session_id=sid_a),
            files[0]["cdn_url"],
            files[0]["thumbnail_url"],
            f"/media/{sid_b}/{files[0]['id']}",
            f"/media/{sid_b}/{files[0]['id']}/thumbnail.jpg",
        ):
            r = bob.get(path)
            assert r.status_code == 404, path
            assert r.json()["code"] in (P.ErrorCode.SESSION_NOT_FOUND, 404)
        for path in (P.RENDER_POLL_PATH, P.RENDER_DOWNLOAD_PATH):
            r = bob.get(path.format(render_id=job["id"]))
            assert r.status_code == 404
            assert r.json()["success"] is False
        assert bob.get(f"/renders/{job['id']}.mp4").status_code == 404
        r = bob.post(P.RENDER_CANCEL_PATH.format(render_id=job["id"]))
        assert r.status_code == 404
        # Bob cannot render in Alice's session, nor with her media in his own.
        r = bob.export(sid_a, photo_draft(files))
        assert r.status_code == 404
        assert r.json()["code"] == P.ErrorCode.SESSION_NOT_FOUND
        r = bob.export(sid_b, photo_draft([bob_photo, files[0]]))
        assert r.status_code == 422
        assert r.json()["success"] is False
        assert r.json()["code"] == P.ErrorCode.BAD_REQUEST  # a draft problem, not a file one
        assert files[0]["id"] in r.json()["error"]
        assert "not in this session" in r.json()["error"]
        r = bob.upload(sid_a, [sample_media["photo2"]])
        assert r.json()["code"] == P.ErrorCode.SESSION_NOT_FOUND
        assert alice.poll(job["id"])["status"] != "cancelled"
    finally:
        alice.post(P.RENDER_CANCEL_PATH.format(render_id=job["id"]))
        alice.close()
        bob.close()


def test_sessions_of_one_user_are_isolated(local_api: RawClient, sample_media) -> None:
    first, second = local_api.new_session(), local_api.new_session()
    [photo] = local_api.upload_ok(first, [sample_media["photo0"]])
    assert local_api.get(f"/media/{second}/{photo['id']}").status_code == 404
    r = local_api.export(second, photo_draft([photo]))
    assert r.status_code == 422
    assert photo["id"] in r.json()["error"]
    assert local_api.state(second)["state"]["media"] == []


def test_secret_file_is_private_and_reused(tmp_path) -> None:
    data = tmp_path / "kernel_data"
    server = ensure_local_server(data)
    try:
        assert ensure_local_server(data) is server  # one per process and data dir
        secret_file = data / "secret"
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        assert secret_file.read_text() == server.secret
        assert server.url.startswith("http://127.0.0.1:")
        assert server.secret not in repr(server)
    finally:
        server.stop()
    os.chmod(data / "secret", 0o644)
    assert load_secret(data) == server.secret  # a new kernel reuses it...
    assert stat.S_IMODE((data / "secret").stat().st_mode) == 0o600  # ...and tightens it
    again = ensure_local_server(data)
    try:
        assert again is not server
        assert again.secret == server.secret
        RawClient.anonymous(again, "same-client").close()
    finally:
        again.stop()
