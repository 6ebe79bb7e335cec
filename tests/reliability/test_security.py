"""Security of the local backend: who can reach it, what they can see, what leaks.

On a shared machine (a JupyterHub, a lab server) every user's kernel runs its
own in-process server on a loopback port that every other user can connect
to.  So the port is not the boundary: the token is.  These tests attack the
server the way a neighbour would - from another process, without the kernel's
secret, with guessed ids, from a web page (CORS) - and search everything the
product writes (logs, files, reprs) for the token.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from nemowidgets import protocol as P
from nemowidgets.local.server import launch
from nemowidgets.local.server.launch import ensure_local_server
from nemowidgets.session import Session
from tests.reliability.rawapi import ATTRIBUTION, RawAPI, error_of
from tests.support.isolation import isolate


@dataclass
class Victim:
    """User A: media, a draft and a finished render, all on an in-process server."""

    s: Session
    server: Any
    render_id: str
    urls: dict[str, str]  # what A's data is reachable at (needs A's token)
    token: str  # A's bearer token (read out of the client only to search for it)


@pytest.fixture(scope="module")
def victim(
    tmp_path_factory: pytest.TempPathFactory, tiny_media: dict[str, Path]
) -> Iterator[Victim]:
    root = tmp_path_factory.mktemp("security")
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, root)
        s = Session.local(
            data_dir=root / "data", client_id=str(uuid.uuid4()), export_dir=root / "exports"
        )
        s.upload([tiny_media["photo0"], tiny_media["photo1"]])
        s.send("make a slideshow with 1 second per photo")
        result = s.export("preview")
        server = ensure_local_server(root / "data")
        media = s.media[0]
        urls = {
            "state": P.STATE_PATH.format(session_id=s.session_id),
            "media": str(media.cdn_url),
            "thumbnail": str(media.thumbnail_url),
            "render_poll": P.RENDER_POLL_PATH.format(render_id=result.job.id),
            "render_download": P.RENDER_DOWNLOAD_PATH.format(render_id=result.job.id),
            "render_file": str(result.job.url),
            "stats": f"/_local/stats?session_id={s.session_id}",
        }
        token = s._client._token.reveal()  # to search for it, never to print it
        yield Victim(s, server, result.job.id, urls, token)
        s.close()
        server.stop()


def _paths(v: Victim) -> list[tuple[str, str]]:
    """Every route of the server, with A's ids filled in."""
    sid = v.s.session_id
    return [
        ("POST", P.CREATE_SESSION_PATH),
        ("POST", P.RUN_SSE_PATH),
        ("POST", P.UPLOAD_PATH.format(session_id=sid)),
        ("GET", P.CREDITS_PATH),
        ("GET", v.urls["state"]),
        ("POST", P.RENDER_PATH),
        ("GET", v.urls["render_poll"]),
        ("POST", P.RENDER_CANCEL_PATH.format(render_id=v.render_id)),
        ("GET", v.urls["render_download"]),
        ("GET", v.urls["render_file"]),
        ("GET", v.urls["media"]),
        ("GET", v.urls["thumbnail"]),
        ("GET", v.urls["stats"]),
        ("GET", "/_local/faults"),
        ("GET", "/no/such/path"),
    ]


def test_binds_loopback_by_default(victim: Victim) -> None:
    """The in-process server listens on 127.0.0.1 only; every launcher defaults to loopback."""
    listening = [
        c
        for c in psutil.Process().net_connections("tcp")
        if c.status == psutil.CONN_LISTEN and c.laddr.port == victim.server.port
    ]
    assert listening, "the server's listening socket was not found"
    assert {c.laddr.ip for c in listening} == {"127.0.0.1"}
    for fn in (launch.start_server, launch.serve, launch.LocalServer):
        assert inspect.signature(fn).parameters["host"].default == "127.0.0.1", fn


def test_refuses_calls_without_its_token(victim: Victim) -> None:
    """No token, a wrong one, or the wrong scheme: 401 and code 1001 on every route."""
    bad = [
        {},
        {"Authorization": "Bearer nwl_" + "x" * 43},
        {"Authorization": f"Basic {victim.token}"},
        {"Authorization": "Bearer"},
    ]
    with httpx.Client(base_url=victim.server.url, trust_env=False) as http:
        for method, path in _paths(victim):
            for headers in bad:
                r = http.request(method, path, headers={**headers, **ATTRIBUTION})
                assert r.status_code == 401, (method, path, headers.keys(), r.status_code)
                assert error_of(r)[0] == P.ErrorCode.BAD_TOKEN, (path, r.text)


_INTRUDER = r"""
import json, sys, uuid, httpx
from nemowidgets import protocol as P
base, urls, client_id = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
out = {}
with httpx.Client(base_url=base, trust_env=False) as http:
    for label, headers in {
        "no_secret": {P.HEADER_CLIENT_ID: client_id},
        "wrong_secret": {P.HEADER_CLIENT_ID: client_id, P.HEADER_LOCAL_SECRET: "nwl_sec_guess"},
        "new_client": {P.HEADER_CLIENT_ID: str(uuid.uuid4()), P.HEADER_LOCAL_SECRET: ""},
    }.items():
        r = http.post(P.ANONYMOUS_TOKEN_PATH, headers=headers)
        data = r.json().get("data") if r.headers.get("content-type", "").endswith("json") else None
        out["token_" + label] = [r.status_code, bool((data or {}).get("token"))]
    for label, url in urls.items():
        r = http.get(url)
        out[label] = [r.status_code, len(r.content)]
print(json.dumps(out))
"""


def test_second_process_gets_no_token_and_no_data(victim: Victim) -> None:
    """Another process on the machine, without the kernel's secret: no token, no state,
    no media, no renders - even knowing A's client id and every URL."""
    client_id = victim.s._client.client_id  # the worst case: it is known
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
    proc = subprocess.run(
        [sys.executable, "-c", _INTRUDER, victim.server.url, json.dumps(victim.urls), client_id],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=Path(__file__).parents[2],
    )
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    for label in ("token_no_secret", "token_wrong_secret", "token_new_client"):
        status, got_token = seen[label]
        assert status == 401, (label, status)
        assert not got_token, label
    for label in victim.urls:
        assert seen[label][0] == 401, (label, seen[label])
    data_dir = victim.server.data_dir
    assert stat.S_IMODE((data_dir / "secret").stat().st_mode) == 0o600
    assert stat.S_IMODE(data_dir.stat().st_mode) & 0o077 == 0, "the data dir is readable by others"


def test_sessions_isolated_even_with_guessed_ids(victim: Victim) -> None:
    """User B, with a valid token of its own, cannot reach A's session, media or renders."""
    b = RawAPI(victim.server.url, victim.server.secret)
    a_sid, a_media = victim.s.session_id, victim.s.media[0]
    prompts = victim.server.app.state.ctx.store.prompt_count
    before = prompts(a_sid)
    try:
        attempts = {
            "state": b.http.get(victim.urls["state"]),
            "media": b.http.get(victim.urls["media"]),
            "thumbnail": b.http.get(victim.urls["thumbnail"]),
            "media_in_own_session": b.http.get(f"/media/{b.session_id}/{a_media.id}"),
            "render_poll": b.http.get(victim.urls["render_poll"]),
            "render_download": b.http.get(victim.urls["render_download"]),
            "render_file": b.http.get(victim.urls["render_file"]),
            "render_cancel": b.http.post(P.RENDER_CANCEL_PATH.format(render_id=victim.render_id)),
            "stats": b.http.get(victim.urls["stats"]),
            "upload": b.upload([("x.jpg", b"\xff\xd8\xff" + b"0" * 64)], session_id=a_sid),
            "prompt": b.prompt("make it 9:16", session_id=a_sid),
            "export_in_a": b.export(victim.s.draft.raw, session_id=a_sid),
            "export_a_media": b.export(victim.s.draft.raw),
        }
        for label, r in attempts.items():
            assert r.status_code in (404, 422), (label, r.status_code, r.text[:200])
            assert a_media.filename not in r.text, label
            assert not r.headers.get("content-type", "").startswith(("video/", "image/")), label
        assert error_of(attempts["state"])[0] == P.ErrorCode.SESSION_NOT_FOUND
        assert prompts(a_sid) == before, "B's prompt reached A's session"
        # And A still has everything.
        assert victim.s.state()["state"]["generated_media"][0]["id"] == victim.render_id
    finally:
        b.close()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/media",
        "/media/",
        "/renders",
        "/renders/",
        "/api",
        "/api/",
        "/api/render/proxy/",
        "/_local/",
        "/static/",
        "/media/{sid}",
        "/media/{sid}/",
        "/renders/.mp4",
    ],
)
def test_no_directory_listings(victim: Victim, path: str) -> None:
    """Directory-like paths answer 401 (no token) or 404 (token), never an index."""
    path = path.format(sid=victim.s.session_id)
    with httpx.Client(base_url=victim.server.url, trust_env=False) as http:
        anonymous = http.get(path)
        authed = http.get(path, headers={"Authorization": f"Bearer {victim.token}"})
    assert anonymous.status_code == 401
    assert authed.status_code in (404, 405), authed.status_code
    for r in (anonymous, authed):
        assert r.headers["content-type"].startswith("application/json")
        for listing in ("m_", ".jpg", ".mp4", "<a ", "<html"):
            assert listing not in r.text.lower(), (path, r.text[:200])


def test_no_permissive_cors_headers(victim: Victim) -> None:
    """No Access-Control-Allow-* on any answer, preflight included: web pages get nothing."""
    origin = {"Origin": "http://evil.example"}
    auth = {"Authorization": f"Bearer {victim.token}"}
    preflight = {
        **origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    with httpx.Client(base_url=victim.server.url, trust_env=False) as http:
        responses = [http.request(m, p, headers={**origin, **auth}) for m, p in _paths(victim)]
        responses += [http.request(m, p, headers=origin) for m, p in _paths(victim)]
        responses += [http.options(p, headers=preflight) for _, p in _paths(victim)]
        responses.append(http.post(P.ANONYMOUS_TOKEN_PATH, headers={**preflight}))
    for r in responses:
        allowed = {
            k.lower(): v for k, v in r.headers.items() if k.lower().startswith("access-control-")
        }
        assert not allowed, (r.request.method, r.request.url.path, allowed)
        assert r.status_code != 204 or r.request.method != "OPTIONS"


def test_token_and_secret_never_logged_or_stored(
    victim: Victim,
    tiny_media: dict[str, Path],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """Logs of a whole session - errors included - and every file written: no token, no secret."""
    from nemowidgets.api import errors as E

    for name in (None, "nemowidgets", "uvicorn", "uvicorn.error", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)  # restored after the test
    s = victim.s
    s.send("make it 9:16")
    s.credits()
    with pytest.raises(E.NemoError):
        s.upload(tiny_media["photo0"].with_name("nope.txt"))
    with pytest.raises(E.NemoError):
        s.upload(("cut.jpg", b"\xff\xd8\xff\xe0" + b"x" * 100))  # refused by the server
    with pytest.raises(E.NemoError):
        s.export("preview", draft={"t": [{"tt": 0, "sg": [{"id": "a", "s": 0, "d": -1}]}]})
    secrets = {"token": victim.token, "secret": victim.server.secret}
    texts = [caplog.text, repr(s), s._repr_html_(), repr(victim.server), repr(s._client)]
    texts += [f"{r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records]
    texts += [str(e.data) for e in s.log]
    texts += list(capfd.readouterr())  # uvicorn logs to stderr through its own handler
    assert len(caplog.records) > 10, "nothing was logged: the search proves nothing"
    for label, value in secrets.items():
        for text in texts:
            assert value not in text, f"the {label} appears in a log/repr"
    state_dir = Path(os.environ.get("NEMO_STATE_DIR", tmp_path))
    for folder in (victim.server.data_dir, state_dir):
        for path in folder.rglob("*"):
            if path.is_file() and path.name != "secret":
                assert victim.token.encode() not in path.read_bytes(), path
                assert victim.server.secret.encode() not in path.read_bytes(), path
