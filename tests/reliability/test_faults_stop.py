"""A server killed in the middle of an upload, then started again on the same data dir.

The server runs as its own process (``nemowidgets serve``), so the kill is a real
SIGKILL: no handler runs, and what it was writing stays on disk.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nemowidgets.api import errors as E
from nemowidgets.api.retry import RetryPolicy
from nemowidgets.session import Session
from tests.reliability.faultkit import wait_for
from tests.support.isolation import clean_env, isolate

pytestmark = pytest.mark.fault

TOKEN = "nwl_stop_test_" + "0123456789abcdef"
#: An MP4 header and then zeros: only its first bytes are checked while it arrives.
MP4_HEAD = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"


class Server:
    """``nemowidgets serve`` on a fixed port and data dir, (re)startable."""

    def __init__(self, data: Path, env: dict[str, str]) -> None:
        self.data, self.env = data, env
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nemowidgets.cli", "serve", "--port", str(self.port),
             "--data-dir", str(self.data), "--token", TOKEN],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

        def answers() -> bool:
            try:
                auth = {"Authorization": f"Bearer {TOKEN}"}
                return httpx.get(f"{self.url}/_local/stats", headers=auth, timeout=2).is_success
            except httpx.TransportError:
                return False

        wait_for(answers, 60, 0.2)

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> str:
        """Stop it (Ctrl-C) and return what it printed on stderr."""
        if self.proc is None or self.proc.poll() is not None:
            return ""
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.communicate(timeout=20)[1]
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.communicate()[1]

    def parts(self) -> list[Path]:
        return sorted((self.data / "tmp").glob("up_*.part"))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    env = clean_env(tmp_path)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path.cwd()), env.get("PYTHONPATH")]))
    srv = Server(tmp_path / "data", env)
    srv.start()
    yield srv
    srv.stop()


def test_server_killed_mid_upload(
    server: Server, tmp_path: Path, tiny_media: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server dies mid-upload: the user is told the connection broke mid-upload and that
    the upload can be retried (not "Cannot reach"); the restarted server removes the part
    file left behind, and the retried upload arrives."""
    isolate(monkeypatch, tmp_path)
    video = tmp_path / "holiday.mp4"
    with video.open("wb") as fh:
        fh.write(MP4_HEAD)
        fh.truncate(200 * 2**20)  # a sparse 200 MB file: sent in 1 MB chunks
    s = Session(base_url=server.url, token=TOKEN, client_options={"retry": RetryPolicy(base=0.01)})
    try:
        s.upload(tiny_media["photo0"])
        killed: list[int] = []

        def progress(name: str, sent: int, total: int) -> None:
            if name == video.name and sent >= 20 * 2**20 and not killed:
                wait_for(lambda: server.parts(), 10)  # the server is writing it
                killed.append(sent)
                server.kill()

        with pytest.raises(E.TransportError) as caught:
            s.upload(video, progress=progress)
        assert killed, "the upload finished before the server could be killed"
        message = str(caught.value)
        assert "Cannot reach" not in message, message
        assert "broke in the middle of the upload" in message, message
        assert "can be retried" in caught.value.hint, caught.value.hint
        left = server.parts()
        assert left, "the killed server left no part file: the test proves nothing"

        server.start()
        assert server.parts() == [], "the restarted server kept the orphaned upload"
        (again,) = s.upload(tiny_media["photo1"])  # the same session, after the restart
        assert again.filename == tiny_media["photo1"].name
        assert [m["filename"] for m in s.state()["state"]["media"]] == [
            tiny_media["photo0"].name,
            tiny_media["photo1"].name,
        ]
    finally:
        s.close()
    assert "Traceback" not in server.stop()


def test_only_a_dead_servers_parts_are_swept(tmp_path: Path) -> None:
    """Start-up cleaning spares the parts of servers still running on the same data dir."""
    from nemowidgets.local.store.leftovers import part_name, sweep_parts

    live = f"{os.getpid()}:abc123"
    mine, dead = tmp_path / part_name(live), tmp_path / part_name("999999999:def456")
    old, fresh = tmp_path / "up_0a1b2c3d.part", tmp_path / "up_4e5f6a7b.part"
    for path in (mine, dead, old, fresh):
        path.write_bytes(b"x")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert sweep_parts(tmp_path, lambda owner: owner == live) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, fresh.name])
