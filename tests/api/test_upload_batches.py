"""Files adding up to more than one request's limit go as several requests, in order.

The local server refuses a body declaring more than ``MAX_UPLOAD_REQUEST_BYTES``
(one 500 MB file and its framing) before reading it, so the client must never
send a folder of three 200 MB videos as one 600 MB request.  The fast tests
lower the client's limit (the server's stays real); the slow one sends 2 x 300 MB.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nemowidgets import protocol
from nemowidgets.api import NemoClient, UnsupportedFileError
from nemowidgets.api.media import check_upload
from nemowidgets.api.multipart import MultipartBody, batches
from nemowidgets.local.server.launch import LocalServer, start_server
from tests.support.cloud_server import CloudState

TOKEN = "nwl_batches_fixed_token_0123456789"


def jpeg(seed: int, side: int = 96) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 255, (side, side, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", quality=90)
    return buf.getvalue()


@pytest.fixture
def local(tmp_path: Path) -> Iterator[LocalServer]:
    server = start_server(data_dir=tmp_path / "data", token=TOKEN)
    yield server
    server.stop()


def _pair_limit(items: list) -> int:
    """A request size that holds any two of ``items`` but never three."""
    return max(MultipartBody(items[i : i + 2]).length for i in range(len(items) - 1))


def test_batches_keep_the_order_and_each_fits_the_limit() -> None:
    items = [check_upload((f"p{i}.jpg", jpeg(i))) for i in range(7)]
    limit = _pair_limit(items)
    bodies = batches(items, limit)
    assert [i.filename for b in bodies for i in b.items] == [i.filename for i in items]
    assert [len(b.items) for b in bodies] == [2, 2, 2, 1]
    assert all(b.length <= limit for b in bodies)
    assert len(batches(items, 10**12)) == 1  # the usual case: one request, as before
    big = check_upload(("big.jpg", jpeg(9, 400)))
    alone = batches([items[0], big, items[1]], limit)  # too big to share: a body of its own
    assert [[i.filename for i in b.items] for b in alone] == [["p0.jpg"], ["big.jpg"], ["p1.jpg"]]


def test_batches_hold_at_most_max_files_each() -> None:
    items = [check_upload((f"p{i}.jpg", jpeg(i, 16))) for i in range(7)]
    bodies = batches(items, 10**12, 3)
    assert [len(b.items) for b in bodies] == [3, 3, 1]
    assert [i.filename for b in bodies for i in b.items] == [i.filename for i in items]
    by_both = batches(items, _pair_limit(items), 3)  # the byte limit still applies too
    assert [len(b.items) for b in by_both] == [2, 2, 2, 1]


def test_one_500mb_file_with_a_long_name_fits_one_request(tmp_path: Path) -> None:
    path = tmp_path / ("é" * 90 + ".mp4")  # 180 bytes of UTF-8 in the part header
    with path.open("wb") as fh:
        fh.write(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41")
        fh.truncate(protocol.MAX_UPLOAD_BYTES)
    body = MultipartBody([check_upload(path)])
    assert protocol.MAX_UPLOAD_BYTES < body.length <= protocol.MAX_UPLOAD_REQUEST_BYTES


@pytest.mark.anyio
async def test_files_over_the_request_limit_go_as_several_requests(
    cloud: CloudState, monkeypatch: pytest.MonkeyPatch
) -> None:
    photos = [(f"photo{i}.jpg", jpeg(i)) for i in range(5)]
    items = [check_upload(p) for p in photos]
    monkeypatch.setattr(protocol, "MAX_UPLOAD_REQUEST_BYTES", _pair_limit(items))
    sid = cloud.add_session()
    seen: list[str] = []
    async with NemoClient(cloud.base_url) as client:
        media = await client.upload(sid, photos, progress=lambda n, s, t: seen.append(n))
    assert [m.filename for m in media] == [name for name, _ in photos]
    assert [len(u["files"]) for u in cloud.uploads] == [2, 2, 1]
    assert cloud.count("upload") == 3
    assert sorted(set(seen)) == sorted(name for name, _ in photos)


@pytest.mark.badinput
@pytest.mark.anyio
async def test_a_later_request_failing_names_the_files_already_stored(
    local: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The third photo is cut short (the client cannot tell; the server's decoder can)."""
    photos = [("a.jpg", jpeg(1)), ("b.jpg", jpeg(2)), ("cut.jpg", jpeg(3, 320)[:3000])]
    items = [check_upload(p) for p in photos]
    monkeypatch.setattr(protocol, "MAX_UPLOAD_REQUEST_BYTES", _pair_limit(items[:2]))
    async with NemoClient(local.url, TOKEN) as client:
        sid = (await client.create_session()).session_id
        with pytest.raises(UnsupportedFileError) as info:
            await client.upload(sid, photos)
        stored = [m["filename"] for m in (await client.state(sid))["state"]["media"]]
    err = info.value
    assert "cut.jpg" in str(err)
    assert "already uploaded in an earlier request: a.jpg, b.jpg" in str(err)
    assert [m.filename for m in err.details["uploaded"]] == ["a.jpg", "b.jpg"]
    assert stored == ["a.jpg", "b.jpg"]


def _silent_wav(path: Path, size: int) -> Path:
    """A valid 16-bit stereo WAV of ``size`` bytes, all silence, sparse on disk."""
    data = size - 44
    header = (
        b"RIFF"
        + struct.pack("<I", size - 8)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 2, 44100, 44100 * 4, 4, 16)
        + b"data"
        + struct.pack("<I", data)
    )
    with path.open("wb") as fh:
        fh.write(header)
        fh.truncate(size)
    return path


@pytest.mark.slow  # 600 MB through loopback, written and hashed by the server (4-20 s)
@pytest.mark.anyio
async def test_two_300mb_files_upload_to_the_local_server(
    local: LocalServer, tmp_path: Path
) -> None:
    size = 300 * 1024 * 1024
    files = [_silent_wav(tmp_path / f"take{i}.wav", size) for i in (1, 2)]
    async with NemoClient(local.url, TOKEN, timeout=300) as client:
        sid = (await client.create_session()).session_id
        media = await client.upload(sid, files)
    assert [(m.filename, m.file_type, m.size) for m in media] == [
        ("take1.wav", "audio", size),
        ("take2.wav", "audio", size),
    ]
