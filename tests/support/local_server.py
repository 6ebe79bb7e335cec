"""Reusable fixtures and a raw HTTP client for tests against the local server.

Real servers on loopback, plain ``httpx`` (deliberately *not* ``nemowidgets.api``:
the server is tested on the wire, and the client's own protocol tests run
against it separately).  Import the fixtures into a ``conftest.py``::

    from tests.support.local_server import *  # noqa: F403

Fixtures:

``start_local_server``  factory: ``start_local_server(data_dir=None, **kw) -> LocalServer``
                        (``kw`` as for ``start_server``: ``faults=True``, ``token=...``,
                        ``allow_private_urls=True``, ...); ``.restart(server)``; every
                        server is stopped at teardown.  Default data dir: ``tmp_path/"data"``.
``local_server``        a plain in-process server (secret only, no faults).
``fault_server``        the same with fault injection on (``server.faults`` is the plan).
``local_api``           a :class:`RawClient` with an anonymous token on ``local_server``.
``fault_api``           the same on ``fault_server``.
``shared_server``       one plain server per test module (fast; each test makes its own
                        session, so tests stay independent).
``shared_api``          a :class:`RawClient` on ``shared_server`` (module scope).
``sample_media``        3 photos (320x180 JPEG) and 3 s of music (WAV), made once per run.
``serve_process``       factory: ``nemowidgets.local.server.launch.serve`` in a subprocess ->
                        :class:`ServeProcess` (url, token, process); SIGINT at teardown.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from nemowidgets import protocol as P
from nemowidgets.local.server.launch import LocalServer, start_server
from nemowidgets.samples import make_music, make_photo

__all__ = [
    "RawClient",
    "SSEResult",
    "ServeProcess",
    "fault_api",
    "fault_server",
    "local_api",
    "local_server",
    "media_set",
    "photo_draft",
    "sample_media",
    "serve_process",
    "shared_api",
    "shared_server",
    "start_local_server",
]

ROOT = Path(__file__).resolve().parents[2]
SKILL_HEADERS = {
    P.HEADER_SKILL_SOURCE: "nemowidgets-tests",
    P.HEADER_SKILL_VERSION: "0",
    P.HEADER_SKILL_PLATFORM: "unknown",
}


@dataclass
class SSEResult:
    """A ``/run_sse`` answer taken apart: parsed events, keep-alives, lines that were not JSON."""

    status: int
    events: list[dict[str, Any]] = field(default_factory=list)
    keepalives: int = 0
    malformed: list[str] = field(default_factory=list)
    error: Exception | None = None  # the transport error if the stream broke
    body: dict[str, Any] | None = None  # the JSON body of a non-stream (error) answer

    @property
    def final_text(self) -> str:
        finals = [e for e in self.events if e.get("turnComplete") and not e.get("partial")]
        parts = finals[-1].get("content", {}).get("parts", []) if finals else []
        return "".join(p.get("text", "") for p in parts)

    def parts(self, kind: str) -> list[dict[str, Any]]:
        return [
            p[kind] for e in self.events for p in e.get("content", {}).get("parts", []) if kind in p
        ]


class RawClient:
    """A thin synchronous client over plain httpx that speaks the protocol by hand."""

    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 60.0) -> None:
        self.base_url = base_url
        self.token = token
        self.user_id: str | None = None
        self.http = httpx.Client(base_url=base_url, timeout=timeout, trust_env=False)

    def __repr__(self) -> str:
        return f"RawClient({self.base_url!r}, user_id={self.user_id!r})"

    @classmethod
    def anonymous(cls, server: LocalServer, client_id: str | None = None) -> RawClient:
        client = cls(server.url)
        r = client.http.post(
            P.ANONYMOUS_TOKEN_PATH,
            headers={
                P.HEADER_CLIENT_ID: client_id or str(uuid.uuid4()),
                P.HEADER_LOCAL_SECRET: server.secret or "",
            },
        )
        assert r.status_code == 200, r.text
        data = r.json()["data"]
        client.token, client.user_id = data["token"], data["user_id"]
        return client

    def close(self) -> None:
        self.http.close()

    # -- plumbing ----------------------------------------------------------------
    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        out = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**out, **SKILL_HEADERS, **(extra or {})}

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, headers=self.headers(kw.pop("headers", None)), **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.post(path, headers=self.headers(kw.pop("headers", None)), **kw)

    @staticmethod
    def data(r: httpx.Response) -> Any:
        body = r.json()
        assert r.status_code == 200, r.text
        assert body.get("code") == 0 or body.get("success") is True, r.text
        return body["data"]

    # -- endpoints -----------------------------------------------------------------
    def new_session(self) -> str:
        return self.data(
            self.post(P.CREATE_SESSION_PATH, json={"task_name": "project", "language": "en"})
        )["session_id"]

    def upload(self, sid: str, items: Iterable[Path | tuple[str, bytes]]) -> httpx.Response:
        files = []
        for item in items:
            if isinstance(item, tuple):
                files.append(("files", item))
            else:
                files.append(("files", (Path(item).name, Path(item).read_bytes())))
        return self.post(P.UPLOAD_PATH.format(session_id=sid), files=files)

    def upload_ok(self, sid: str, items: Iterable[Path | tuple[str, bytes]]) -> list[dict]:
        return self.data(self.upload(sid, items))["files"]

    def upload_urls(self, sid: str, urls: list[str]) -> httpx.Response:
        return self.post(
            P.UPLOAD_PATH.format(session_id=sid), json={"urls": urls, "source_type": "url"}
        )

    def state(self, sid: str) -> dict[str, Any]:
        return self.data(self.get(P.STATE_PATH.format(session_id=sid)))

    def stats(self, sid: str) -> dict[str, Any]:
        return self.data(self.get("/_local/stats", params={"session_id": sid}))

    def sse(self, sid: str, text: str, *, timeout: float = 120.0) -> SSEResult:
        body = {
            "app_name": P.APP_NAME,
            "user_id": "me",
            "session_id": sid,
            "new_message": {"parts": [{"text": text}]},
        }
        headers = self.headers({"Accept": "text/event-stream"})
        with self.http.stream(
            "POST", P.RUN_SSE_PATH, json=body, headers=headers, timeout=timeout
        ) as r:
            result = SSEResult(r.status_code)
            if not r.headers.get("content-type", "").startswith("text/event-stream"):
                r.read()
                result.body = r.json()
                return result
            try:
                for line in r.iter_lines():
                    if line.startswith(":"):
                        result.keepalives += 1
                    elif line.startswith("data:"):
                        payload = line[5:].strip()
                        try:
                            result.events.append(json.loads(payload))
                        except ValueError:
                            result.malformed.append(payload)
            except httpx.HTTPError as exc:  # a dropped stream
                result.error = exc
        return result

    def export(
        self, sid: str, draft: dict, *, quality: str = "preview", render_id: str | None = None
    ) -> httpx.Response:
        return self.post(
            P.RENDER_PATH,
            json={
                "id": render_id or f"render_{uuid.uuid4().hex}",
                "sessionId": sid,
                "draft": draft,
                "output": {"format": "mp4", "quality": quality},
            },
        )

    def poll(self, render_id: str) -> dict[str, Any]:
        return self.data(self.get(P.RENDER_POLL_PATH.format(render_id=render_id)))

    def wait_render(
        self, render_id: str, *, timeout: float = 180.0, seen: list[float] | None = None
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            job = self.poll(render_id)
            if seen is not None:
                seen.append(job["progress"])
            if job["status"] in P.RENDER_FINAL_STATES:
                return job
            if time.monotonic() > deadline:
                raise AssertionError(f"render {render_id} still {job} after {timeout} s")
            time.sleep(0.1)


def photo_draft(
    media: list[dict],
    *,
    seconds: float = 1.0,
    music: dict | None = None,
    width: int = 320,
    height: int = 180,
    fps: int = 15,
    transition: str = "none",
) -> dict[str, Any]:
    """A hand-made draft (keys of ``nemowidgets.protocol``) over uploaded photo records."""
    ms = int(seconds * 1000)
    tr_ms = 0 if transition == "none" else min(300, ms // 3)
    segs, start = [], 0
    photos = [m for m in media if m["file_type"] == "image"]
    for i, m in enumerate(photos):
        seg = {
            "id": f"seg_{i + 1}",
            "s": start,
            "d": ms,
            "src": m["id"],
            "n": m["filename"],
            "k": "image",
        }
        if tr_ms and i < len(photos) - 1:
            seg["tr"] = {"type": transition, "d": tr_ms}
            start += ms - tr_ms
        else:
            start += ms
        segs.append(seg)
    tracks: list[dict[str, Any]] = [{"tt": P.TRACK_VIDEO, "n": "Photos", "sg": segs}]
    if music is not None:
        tracks.append(
            {
                "tt": P.TRACK_AUDIO,
                "n": "Music",
                "sg": [
                    {
                        "id": "seg_music",
                        "s": 0,
                        "d": start,
                        "src": music["id"],
                        "n": music["filename"],
                        "k": "audio",
                        "in": 0,
                        "vol": 0.8,
                        "fi": 0,
                        "fo": 500,
                        "loop": True,
                    }
                ],
            }
        )
    return {
        "t": tracks,
        "d": start,
        "m": {
            "width": width,
            "height": height,
            "fps": fps,
            "aspect": "16:9",
            "fit": "black",
            "title": None,
        },
    }


# -- fixtures ------------------------------------------------------------------------
class ServerPool:
    """Starts servers for one test and stops them all at its end (also restarted ones)."""

    def __init__(self, default_dir: Path) -> None:
        self.default_dir = default_dir
        self.servers: list[LocalServer] = []

    def __call__(self, data_dir: Path | None = None, **kw: Any) -> LocalServer:
        server = start_server(data_dir=data_dir or self.default_dir, **kw)
        self.servers.append(server)
        return server

    def restart(self, server: LocalServer) -> LocalServer:
        new = server.restart()
        self.servers.append(new)
        return new

    def stop_all(self) -> None:
        for server in reversed(self.servers):
            server.stop()


@pytest.fixture
def start_local_server(tmp_path: Path) -> Iterator[ServerPool]:
    pool = ServerPool(tmp_path / "data")
    yield pool
    pool.stop_all()


@pytest.fixture
def local_server(start_local_server: ServerPool) -> LocalServer:
    return start_local_server()


@pytest.fixture
def fault_server(start_local_server: ServerPool) -> LocalServer:
    return start_local_server(faults=True)


@pytest.fixture
def local_api(local_server: LocalServer) -> Iterator[RawClient]:
    client = RawClient.anonymous(local_server)
    yield client
    client.close()


@pytest.fixture
def fault_api(fault_server: LocalServer) -> Iterator[RawClient]:
    client = RawClient.anonymous(fault_server)
    yield client
    client.close()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    server = start_server(data_dir=tmp_path_factory.mktemp("shared_data"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shared_api(shared_server: LocalServer) -> Iterator[RawClient]:
    client = RawClient.anonymous(shared_server)
    yield client
    client.close()


def media_set(folder: Path, size: tuple[int, int]) -> dict[str, Path]:
    """``photo0``..``photo2`` (JPEGs of ``size``, sample photos 0-2) and 3 s of ``music`` (WAV)."""
    media = {f"photo{i}": make_photo(folder / f"photo{i}.jpg", i, size) for i in range(3)}
    media["music"] = make_music(folder / "music.wav", 3.0)
    return media


@pytest.fixture(scope="session")
def sample_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return media_set(tmp_path_factory.mktemp("local_media"), (320, 180))


@dataclass
class ServeProcess:
    url: str
    token: str
    process: subprocess.Popen
    output: list[str]

    def stop(self, timeout: float = 20.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.process.returncode


@pytest.fixture
def serve_process(tmp_path: Path) -> Iterator[Any]:
    """Factory: start ``serve`` in a subprocess (``token=None``: let it make one)."""
    started: list[ServeProcess] = []

    def start(
        data_dir: Path | None = None, token: str | None = None, env: dict[str, str] | None = None
    ) -> ServeProcess:
        args = [
            sys.executable,
            "-u",
            "-m",
            "nemowidgets.local.server.launch",
            "127.0.0.1",
            "0",
            str(data_dir or tmp_path / "serve_data"),
        ]
        if token:
            args.append(token)
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        if not (env and "NEMO_TOKEN" in env):
            full_env.pop("NEMO_TOKEN", None)
        proc = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=full_env,
            cwd=ROOT,
        )
        lines: list[str] = []
        url = found_token = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            lines.append(line)
            if m := re.search(r"server: (http://\S+)", line):
                url = m.group(1)
            if m := re.search(r"Token \(shown once.*\): (\S+)", line):
                found_token = m.group(1)
            if "Uvicorn running" in line or "Application startup complete" in line:
                break
        assert url, "".join(lines)
        handle = ServeProcess(url, token or found_token or "", proc, lines)
        started.append(handle)
        for _ in range(100):
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(url + P.CREDITS_PATH, timeout=2, trust_env=False)
                break
            time.sleep(0.05)
        return handle

    yield start
    for handle in started:
        handle.stop()
