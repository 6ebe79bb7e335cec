"""A big upload streams to disk: the server process's memory stays flat (measured from outside)."""

from __future__ import annotations

import struct
import threading
import time

import psutil
import pytest

from nemowidgets import protocol as P
from tests.support.local_server import RawClient

pytestmark = [pytest.mark.slow, pytest.mark.badinput]

SIZE = 400 * 1024 * 1024


def sparse_mp4(path, size: int = SIZE):
    """A real ftyp box, then an mdat box spanning the rest (a hole): passes the magic-byte
    check, so the server streams all of it before probing finds no moov and refuses it."""
    ftyp = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
    mdat = struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", size - len(ftyp))
    with path.open("wb") as fh:
        fh.write(ftyp + mdat)
        fh.truncate(size)
    return path


def test_400mb_upload_keeps_server_rss_flat(serve_process, tmp_path, sample_media) -> None:
    server = serve_process()
    proc = psutil.Process(server.process.pid)
    api = RawClient(server.url, server.token, timeout=600)
    sid = api.new_session()
    api.upload_ok(sid, [sample_media["music"]])  # warm up: PyAV loaded, upload path run
    before = proc.memory_info().rss
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], proc.memory_info().rss)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    path = sparse_mp4(tmp_path / "big_holiday.mp4")
    try:
        with path.open("rb") as fh:
            r = api.post(
                P.UPLOAD_PATH.format(session_id=sid), files={"files": (path.name, fh, "video/mp4")}
            )
    finally:
        done.set()
        sampler.join()
    body = r.json()
    assert body["code"] == P.ErrorCode.UNSUPPORTED_FILE, body
    assert "big_holiday.mp4" in body["message"]
    assert str(tmp_path) not in body["message"]  # no server paths in messages
    growth = (peak[0] - before) / 2**20
    assert growth < 50, f"server RSS grew by {growth:.0f} MB during a 400 MB upload"
    assert api.get(P.CREDITS_PATH).status_code == 200
    api.close()
