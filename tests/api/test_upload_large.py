"""A 500 MB file uploads streamed: the process's RSS grows by less than 50 MB.

The file is sparse (``truncate``, nothing written), and the stand-in server
(in this same process, so its memory counts too) parses the multipart body as a
stream and discards it while counting and hashing.
"""

from __future__ import annotations

import gc
import hashlib
import time
from pathlib import Path

import psutil
import pytest

from nemowidgets import protocol
from nemowidgets.api import NemoClient
from tests.support.cloud_server import CloudState

HEAD = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
MB = 1024 * 1024


@pytest.mark.slow  # ~2-8 s on 2 cores: 500 MB through loopback, parsed and hashed
@pytest.mark.anyio
async def test_500_mb_sparse_file_streams_with_flat_memory(
    cloud: CloudState, tmp_path: Path
) -> None:
    path = tmp_path / "holiday.mp4"
    with path.open("wb") as fh:
        fh.write(HEAD)
        fh.truncate(protocol.MAX_UPLOAD_BYTES)
    sid = cloud.add_session()
    proc = psutil.Process()
    async with NemoClient(cloud.base_url) as client:
        await client.credits()  # token, connection and code paths warmed up first
        gc.collect()
        baseline = proc.memory_info().rss
        peak = baseline
        calls = 0

        def progress(name: str, sent: int, total: int) -> None:
            nonlocal peak, calls
            calls += 1
            peak = max(peak, proc.memory_info().rss)

        start = time.monotonic()
        (media,) = await client.upload(sid, [path], progress=progress)
        elapsed = time.monotonic() - start
    growth = (max(peak, proc.memory_info().rss) - baseline) / MB
    assert growth < 50, f"RSS grew by {growth:.1f} MB"
    assert media.filename == "holiday.mp4"
    assert media.file_type == "video"
    (part,) = cloud.uploads[0]["files"]
    assert part["size"] == protocol.MAX_UPLOAD_BYTES
    assert part["head"] == HEAD[:16]
    zeros = hashlib.sha1(usedforsecurity=False)
    zeros.update(HEAD)
    block = bytes(MB)
    left = protocol.MAX_UPLOAD_BYTES - len(HEAD)
    while left:
        zeros.update(block[: min(left, MB)])
        left -= min(left, MB)
    assert part["hash"] == zeros.hexdigest()  # every byte arrived, in order
    assert calls >= 500  # progress after every 1 MiB chunk
    assert elapsed < 60
