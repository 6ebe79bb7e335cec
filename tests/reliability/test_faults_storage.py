"""Faults of the machine, not the server's switch: a disk that fills up.

The data dir lives on a real 8 MB tmpfs that each test mounts (and unmounts), and
a filler file takes the room away.  Every way of storing something (an upload, a
draft, a render) must then fail with one :class:`StorageFullError` that names the
data dir and the space needed, keep nothing half-written, print no traceback,
and work again once the filler is gone.
"""

from __future__ import annotations

import concurrent.futures
import io
import logging
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nemowidgets.api import errors as E
from nemowidgets.local.server.launch import ensure_local_server
from nemowidgets.protocol import RENDER_FAILED, UPLOAD_PATH, ErrorCode
from nemowidgets.session import Session
from tests.reliability.faultkit import decode_duration, wait_for
from tests.reliability.rawapi import RawAPI, error_of
from tests.support.isolation import isolate

pytestmark = pytest.mark.fault

DISK_MB = 8
SLIDESHOW = "make a slideshow with 1 second per photo"
FREE_AT_LEAST = "Free at least"  # the server's hint: how much to free


class Disk:
    """A mounted tmpfs and its filler file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.filler = root / "filler.bin"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def fill(self, leave: int) -> None:
        """Take the disk's free space down to about ``leave`` bytes."""
        take = shutil.disk_usage(self.root).free - leave
        with self.filler.open("ab") as fh:
            while take > 0:
                fh.write(b"\0" * min(take, 2**20))
                take -= 2**20
        assert shutil.disk_usage(self.root).free <= leave + 8192

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def leftovers(self) -> list[str]:
        """Half-written things: parts of uploads and renders."""
        found = [*self.data.glob("tmp/*"), *self.data.glob("renders/*part*")]
        found += self.data.glob("renders/.*")
        return sorted(str(p.relative_to(self.data)) for p in found)

    def media_files(self) -> set[str]:
        return {p.name for p in self.data.glob("media/*/*")}


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Disk]:
    mount = tmp_path / "disk"
    mount.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(mount)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot run mount to make a small disk for the full-disk test: {exc}")
    if done.returncode != 0:
        pytest.skip(
            "mounting a tmpfs is not permitted here, so the full-disk test has no small "
            f"real disk to fill: {done.stderr.strip() or done.returncode}"
        )
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, tmp_path)
        mp.setenv("NEMO_FAULTS", ",")  # the switch on, nothing armed (to time a render)
        try:
            yield Disk(mount)
        finally:
            if (mount / "data").exists():
                ensure_local_server(mount / "data").stop()
            if subprocess.run(["umount", str(mount)], capture_output=True).returncode:
                subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _noise_jpeg(seed: int, size: tuple[int, int]) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 255, (size[1], size[0], 3), np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def _session(disk: Disk, tmp: Path) -> Session:
    return Session.local(
        data_dir=disk.data, client_id=str(uuid.uuid4()), export_dir=tmp / "exports"
    )


def _says_where_and_how_much(exc: E.StorageFullError, disk: Disk, hint: str) -> None:
    text = str(exc)
    assert str(disk.data) in text, text
    assert re.search(r"needs about \d+\.\d MB free", text), text
    assert hint in exc.hint, exc.hint
    assert exc.code == ErrorCode.STORAGE_FULL


def _no_tracebacks(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
    err = capfd.readouterr().err
    assert "Traceback" not in err, err
    noisy = [r.getMessage() for r in caplog.records if r.exc_info]
    assert not noisy, noisy


def test_full_disk_refuses_uploads_drafts_and_exports_alike(
    disk: Disk,
    tmp_path: Path,
    tiny_media: dict[str, Path],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """A full disk: upload, send and export each raise StorageFullError naming the data dir
    and the space needed; nothing half-written is left, no traceback is printed, and all
    three work again once space is freed."""
    caplog.set_level(logging.WARNING)
    s = _session(disk, tmp_path)
    try:
        s.upload([tiny_media["photo0"], tiny_media["photo1"], tiny_media["music"]])
        assert s.send(SLIDESHOW).error is None
        before = s.state()["state"]
        files_before = disk.media_files()
        photo = tmp_path / "big.jpg"
        photo.write_bytes(_noise_jpeg(1, (400, 300)))

        disk.fill(leave=200 * 1024)
        with pytest.raises(E.StorageFullError) as upload:
            s.upload(photo)
        _says_where_and_how_much(upload.value, disk, FREE_AT_LEAST)
        with pytest.raises(E.StorageFullError) as send:
            s.send("add the title Hello")
        _says_where_and_how_much(send.value, disk, FREE_AT_LEAST)
        with pytest.raises(E.StorageFullError) as export:
            s.export("preview")
        _says_where_and_how_much(export.value, disk, FREE_AT_LEAST)

        after = s.state()["state"]
        assert len(after["media"]) == len(before["media"]), "a refused upload was stored"
        assert after["draft_version"] == before["draft_version"], "the draft changed"
        assert after["generated_media"] == [], "a refused render was queued"
        assert disk.media_files() == files_before
        assert disk.leftovers() == []
        _no_tracebacks(caplog, capfd)

        disk.free()
        (info,) = s.upload(photo)
        assert info.width == 400
        turn = s.send("add the title Hello")
        assert turn.error is None, turn.reply
        assert s.state()["state"]["draft_version"] == before["draft_version"] + 1
        result = s.export("preview")
        assert decode_duration(result.path) == pytest.approx(s.draft.duration, abs=0.2)
    finally:
        s.close()


def test_disk_filling_during_a_streamed_upload(
    disk: Disk, tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    """A chunked upload (no size up front) that runs out of room mid-file: 5007 (HTTP 507)
    naming the data dir, every file of the request removed, the server healthy."""
    caplog.set_level(logging.WARNING)
    s = _session(disk, tmp_path)
    try:
        s.connect()
        server = ensure_local_server(disk.data)
        raw = RawAPI(server.url, server.secret)
        photo = _noise_jpeg(2, (1200, 900))
        assert len(photo) > 600 * 1024
        disk.fill(leave=300 * 1024)
        boundary = "edge" + uuid.uuid4().hex

        def body() -> Iterator[bytes]:  # a generator: httpx sends it chunked
            yield (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                'filename="first.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
            ).encode()
            for start in range(0, len(photo), 64 * 1024):
                yield photo[start : start + 64 * 1024]
            yield f"\r\n--{boundary}--\r\n".encode()

        response = raw.http.post(
            UPLOAD_PATH.format(session_id=raw.session_id),
            content=body(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        code, message = error_of(response)
        assert response.status_code == 507, response.text
        assert code == ErrorCode.STORAGE_FULL
        assert str(disk.data) in message
        assert response.json()["hint"].startswith("Free at least")
        assert disk.leftovers() == []
        assert raw.state().json()["data"]["state"]["media"] == []
        _no_tracebacks(caplog, capfd)
        disk.free()
        assert raw.credits().status_code == 200
        raw.close()
    finally:
        s.close()


def test_disk_filling_during_a_render(
    disk: Disk, tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    """The disk fills while a render runs: export() raises StorageFullError (not a bare
    render failure), the partial video is removed, and exporting again works once freed."""
    caplog.set_level(logging.WARNING)
    s = _session(disk, tmp_path)
    try:
        s.upload([("n0.jpg", _noise_jpeg(3, (640, 360))), ("n1.jpg", _noise_jpeg(4, (640, 360)))])
        assert s.send(SLIDESHOW).error is None
        server = ensure_local_server(disk.data)
        server.faults.arm("render_stall", seconds=1.0)  # holds the job while the disk fills
        draft = dict(s.draft.raw, m={**s.draft.raw["m"], "width": 1280, "height": 720})
        store = server.app.state.ctx.store
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            running = pool.submit(s.export, "high", draft=draft)
            wait_for(lambda: store.unfinished_renders(), 10)
            disk.fill(leave=150 * 1024)
            with pytest.raises(E.StorageFullError) as caught:
                running.result(timeout=60)
        _says_where_and_how_much(caught.value, disk, E.StorageFullError.default_hint)
        (job,) = store.session_renders(s.session_id)
        assert job["status"] == RENDER_FAILED
        assert disk.leftovers() == []
        _no_tracebacks(caplog, capfd)
        disk.free()
        result = s.export("high", draft=draft)
        assert result.width == 1280
    finally:
        s.close()
