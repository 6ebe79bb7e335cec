"""An upload declaring more than 500 MB (+ framing) is refused before its body is written.

The server reads only the first part's headers (to name the file) and answers
4002 / HTTP 413 at once; nothing reaches ``data_dir/tmp``.  A chunked body (no
``Content-Length``) is still stopped by the streaming check the moment it passes
the limit.  Sizes come from sparse files and lying headers, so these run fast.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nemowidgets import protocol as P
from nemowidgets.local.server.uploads import NAME_PEEK_SECONDS
from tests.support.local_server import RawClient

pytestmark = pytest.mark.badinput

MP4_HEAD = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"


def _part_head(boundary: str, filename: str) -> bytes:
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="{filename}"\r\nContent-Type: video/mp4\r\n\r\n'
    ).encode()


def _raw_request(
    server_url: str,
    api: RawClient,
    sid: str,
    length: int,
    body: bytes,
    boundary: str,
    timeout: float,
) -> tuple[int, dict, float]:
    """Send the headers (declaring ``length``) and ``body``, then read the answer without
    sending the rest: (status, JSON body, seconds until the answer was complete)."""
    host, port = server_url.removeprefix("http://").split(":")
    head = (
        f"POST {P.UPLOAD_PATH.format(session_id=sid)} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {api.token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        start = time.monotonic()
        sock.sendall(head + body)
        data = b""
        while b"\r\n\r\n" not in data or len(data) < _expected(data):
            chunk = sock.recv(65536)  # a server still waiting for the body times out here
            if not chunk:
                break
            data += chunk
        elapsed = time.monotonic() - start
    status = int(data.split(b" ", 2)[1])
    return status, json.loads(data.split(b"\r\n\r\n", 1)[1]), elapsed


def _expected(data: bytes) -> int:
    head, _, _ = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(head) + 4 + int(line.split(b":")[1])
    return len(data) + 1


def _tmp_bytes(server) -> int:
    return sum(p.stat().st_size for p in (server.data_dir / "tmp").glob("*"))


def test_declared_oversize_is_refused_before_the_body_arrives(
    shared_api: RawClient, shared_server
) -> None:
    """A lying Content-Length (501 MB) with 1 KB sent: the answer comes without the rest."""
    sid = shared_api.new_session()
    boundary = "nemo" + secrets.token_hex(8)
    body = _part_head(boundary, "holiday.mp4") + MP4_HEAD + bytes(1000)
    status, answer, elapsed = _raw_request(
        shared_server.url, shared_api, sid, P.MAX_UPLOAD_BYTES + 1024 * 1024, body, boundary, 15
    )
    assert status == 413, answer
    assert answer["code"] == P.ErrorCode.FILE_TOO_LARGE
    assert answer["message"].startswith("holiday.mp4 is too large"), answer
    assert "501 MB" in answer["message"]
    assert elapsed < 5, f"the refusal took {elapsed:.1f} s"
    assert _tmp_bytes(shared_server) == 0
    assert shared_api.state(sid)["state"]["media"] == []
    assert shared_api.get(P.CREDITS_PATH).status_code == 200


def test_declared_oversize_without_a_part_header_names_the_upload(
    shared_api: RawClient, shared_server
) -> None:
    """Headers only, then silence: refused within the name-peek window, as "the upload"."""
    sid = shared_api.new_session()
    status, answer, elapsed = _raw_request(
        shared_server.url, shared_api, sid, P.MAX_UPLOAD_REQUEST_BYTES + 1, b"", "nemo1", 15
    )
    assert (status, answer["code"]) == (413, P.ErrorCode.FILE_TOO_LARGE), answer
    assert answer["message"].startswith("The upload is too large"), answer
    assert elapsed < NAME_PEEK_SECONDS + 3
    assert _tmp_bytes(shared_server) == 0


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as fh:
        fh.write(MP4_HEAD)
        fh.truncate(size)
    return path


def _stream(path: Path, head: bytes, tail: bytes) -> Iterator[bytes]:
    yield head
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            yield block
    yield tail


class _TmpWatch:
    """The largest size ``data_dir/tmp`` reaches while the block runs."""

    def __init__(self, server) -> None:
        self.server, self.peak, self._stop = server, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tmp_bytes(self.server))
            time.sleep(0.01)

    def __enter__(self) -> _TmpWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def test_501mb_streamed_with_its_length_never_reaches_the_temp_dir(
    shared_api: RawClient, shared_server, tmp_path: Path
) -> None:
    sid = shared_api.new_session()
    path = _sparse(tmp_path / "holiday_501mb.mp4", P.MAX_UPLOAD_BYTES + 1024 * 1024)
    boundary = "nemo" + secrets.token_hex(8)
    head, tail = _part_head(boundary, path.name), f"\r\n--{boundary}--\r\n".encode()
    size = len(head) + path.stat().st_size + len(tail)
    with _TmpWatch(shared_server) as watch:
        r = shared_api.post(
            P.UPLOAD_PATH.format(session_id=sid),
            content=_stream(path, head, tail),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(size),
            },
            timeout=120,
        )
    assert r.status_code == 413, r.text
    assert r.json()["code"] == P.ErrorCode.FILE_TOO_LARGE
    assert "holiday_501mb.mp4" in r.json()["message"]
    assert watch.peak < 1024 * 1024, f"{watch.peak / 2**20:.0f} MB were written to tmp first"
    assert shared_api.get(P.CREDITS_PATH).status_code == 200


@pytest.mark.slow  # 501 MB written to tmp and refused as it passes the limit (5-15 s)
def test_chunked_501mb_is_still_stopped_while_streaming(
    shared_api: RawClient, shared_server, tmp_path: Path
) -> None:
    """No Content-Length to judge by: the streaming check stops it, and cleans up."""
    sid = shared_api.new_session()
    path = _sparse(tmp_path / "chunked_501mb.mp4", P.MAX_UPLOAD_BYTES + 1024 * 1024)
    boundary = "nemo" + secrets.token_hex(8)
    head, tail = _part_head(boundary, path.name), f"\r\n--{boundary}--\r\n".encode()
    r = shared_api.post(
        P.UPLOAD_PATH.format(session_id=sid),
        content=_stream(path, head, tail),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        timeout=300,
    )
    assert r.request.headers.get("transfer-encoding") == "chunked"
    assert r.status_code == 413, r.text
    assert r.json()["code"] == P.ErrorCode.FILE_TOO_LARGE
    assert "chunked_501mb.mp4" in r.json()["message"]
    assert _tmp_bytes(shared_server) == 0
    assert shared_api.state(sid)["state"]["media"] == []


def test_a_request_just_within_the_limit_is_not_refused_early(
    shared_api: RawClient, shared_server
) -> None:
    """Exactly MAX_UPLOAD_REQUEST_BYTES (one 500 MB file and its framing) is read, not
    refused: the server waits for the body, so no answer comes while it is missing."""
    sid = shared_api.new_session()
    boundary = "nemo" + secrets.token_hex(8)
    body = _part_head(boundary, "big.mp4") + MP4_HEAD
    with pytest.raises(TimeoutError):
        _raw_request(
            shared_server.url,
            shared_api,
            sid,
            P.MAX_UPLOAD_REQUEST_BYTES,
            body,
            boundary,
            NAME_PEEK_SECONDS + 1,
        )
    deadline = time.monotonic() + 5  # the abandoned upload's partial file is cleaned up
    while _tmp_bytes(shared_server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _tmp_bytes(shared_server) == 0
