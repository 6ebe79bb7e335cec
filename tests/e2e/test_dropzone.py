"""Files from the browser in headless Chromium: picker and real drops, in Lab, Notebook 7, Voila.

The page's file input gets real files (``set_input_files``), and files are dropped
as a user's drag does: a ``DataTransfer`` with ``File``s, dispatched as
``dragenter`` / ``dragover`` / ``drop`` on a part of the Studio far from the
picker (the timeline).  Each file must land in the session's media, uploaded,
with the "From browser (N)" counter counting; a refused file goes below the
good ones with the supported formats said once.  The slow test sends a 500 MB
video from the browser and measures the kernel's RSS while it travels.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nemowidgets.samples import make_music, make_photo

from .harness import (
    APPS,
    open_in_lab,
    start_jupyterlab,
    write_notebook,
)
from .harness import app_page as open_app_page

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

#: The Studio, and what the test reads back: the kernel's pid and the session's media.
CELLS = [
    """\
import json, os, pathlib
import nemowidgets

pathlib.Path("kernel.pid").write_text(str(os.getpid()))
session = nemowidgets.Session.local()
session.observe(
    lambda e: pathlib.Path("media.json").write_text(
        json.dumps([[m.filename, m.size] for m in e.data["media"]])
    ),
    kinds=["media"],
)
nemowidgets.studio(session)""",
]


def expect_(locator):
    from playwright.sync_api import expect

    return expect(locator)


@pytest.fixture
def drop_folder(tmp_path: Path) -> tuple[Path, dict[str, str], Path]:
    """``root`` with the notebook; the server env; a folder of files "on the user's computer"."""
    from .harness import isolated_env

    root = tmp_path / "root"
    root.mkdir()
    write_notebook(root / "drop.ipynb", CELLS)
    env = isolated_env(tmp_path / "env")
    env["TMPDIR"] = str(tmp_path / "kernel-tmp")  # the staging files stay in the test's dir
    Path(env["TMPDIR"]).mkdir()
    laptop = tmp_path / "laptop"
    make_photo(laptop / "wide.jpg", 0, (1200, 400))
    make_photo(laptop / "tall.jpg", 1, (400, 900))
    make_music(laptop / "song.wav", 2)
    return root, env, laptop


@pytest.fixture(params=APPS)
def app_page(request, browser, drop_folder, shots) -> Iterator[tuple[object, Path, Path, Path]]:
    """The Studio open in one of the three apps; yields (page, root, laptop, shots)."""
    root, env, laptop = drop_folder
    with open_app_page(
        browser, request.param, root, env, "drop.ipynb", shots, ready=".nemo-drop-pick"
    ) as page:
        yield page, root, laptop, shots


def drop_files(page, target, files: list[tuple[str, bytes, str]]) -> None:
    """Drag ``files`` over ``target`` and drop them, as the browser does for a user's drag."""
    payload = [[name, base64.b64encode(data).decode(), mime] for name, data, mime in files]
    transfer = page.evaluate_handle(
        """files => {
            const dt = new DataTransfer();
            for (const [name, b64, type] of files) {
                const bin = atob(b64);
                const bytes = new Uint8Array(bin.length);
                for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
                dt.items.add(new File([bytes], name, {type}));
            }
            return dt;
        }""",
        payload,
    )
    target.dispatch_event("dragenter", {"dataTransfer": transfer})
    target.dispatch_event("dragover", {"dataTransfer": transfer})
    studio = page.locator(".nemo-studio").first
    expect_(studio).to_have_class(re.compile("nemo-dragover"))
    target.dispatch_event("drop", {"dataTransfer": transfer})


def media_names(root: Path) -> list[str]:
    try:
        return [name for name, _ in json.loads((root / "media.json").read_text())]
    except (OSError, ValueError):
        return []


def test_pick_and_drop_files_from_the_browser(app_page) -> None:
    page, root, laptop, shots = app_page
    pick = page.locator(".nemo-drop-pick").first
    expect_(pick).to_have_text("From browser (0)")
    items = page.locator(".nemo-upload-item")

    # 1. the picker: real files on the page's <input type=file>
    page.locator(".nemo-drop-input").first.set_input_files(
        [str(laptop / "wide.jpg"), str(laptop / "song.wav")]
    )
    expect_(items.filter(has_text="✓ uploaded")).to_have_count(2, timeout=60_000)
    expect_(pick).to_have_text("From browser (2)")

    # 2. a drop on the timeline, far from the picker: a photo and a file we cannot take
    bad = b"just some notes"
    drop_files(
        page,
        page.locator(".nemo-timelinetable").first,
        [("tall.jpg", (laptop / "tall.jpg").read_bytes(), "image/jpeg"), ("notes.txt", bad, "")],
    )
    expect_(items.filter(has_text="✓ uploaded")).to_have_count(3, timeout=60_000)
    expect_(pick).to_have_text("From browser (3)")
    deadline = time.monotonic() + 20
    while media_names(root) != ["wide.jpg", "song.wav", "tall.jpg"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert media_names(root) == ["wide.jpg", "song.wav", "tall.jpg"]
    assert "nemo-dragover" not in (page.locator(".nemo-studio").first.get_attribute("class") or "")

    # the refused file: below the good ones, the formats said once (not in its row)
    expect_(items.filter(has_text="notes.txt")).to_have_count(1, timeout=30_000)
    rows = items.all_inner_texts()
    assert [r.split("\n")[0] for r in rows] == ["wide.jpg", "song.wav", "tall.jpg", "notes.txt"]
    assert "not supported" in rows[-1]
    assert "mp4 mov" not in rows[-1]
    expect_(page.locator(".nemo-upload-formats").first).to_contain_text("mp4 mov")
    expect_(page.locator(".nemo-upload-formats").first).to_be_visible()

    # thumbnails keep their aspect inside their box
    fit = page.locator(".nemo-upload-item img").first.evaluate("i => getComputedStyle(i).objectFit")
    assert fit == "contain"
    page.screenshot(path=shots / "dropped.png", full_page=True)


# -- 500 MB ------------------------------------------------------------------------------


def big_video(path: Path, size: int) -> Path:
    """A real (tiny) MP4 grown to ``size`` bytes by a top-level ``free`` box of random bytes.

    Players skip ``free`` boxes, so it stays a valid video of ``size`` bytes.
    """
    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(10):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 20, np.uint8), "rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    head = buffer.getvalue()
    pad = size - len(head)
    with path.open("wb") as fh:
        fh.write(head)
        fh.write(pad.to_bytes(4, "big") + b"free")
        block = os.urandom(1024 * 1024)
        left = pad - 8
        while left > 0:  # random, so nothing on the way can compress it
            fh.write(block[: min(left, len(block))])
            left -= len(block)
    assert path.stat().st_size == size
    return path


class PeakRSS:
    """The peak RSS of a process, sampled every 50 ms on a thread of the test."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.proc = psutil.Process(pid)
        self.start = self.peak = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak - self.start


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_500_mb_video_from_the_browser_keeps_kernel_memory_flat(
    browser, drop_folder, shots
) -> None:
    root, env, laptop = drop_folder
    size = 500 * 1024 * 1024  # the largest file an upload may be
    video = big_video(laptop / "phone-video.mp4", size)
    small = big_video(laptop / "warm-up.mp4", 2 * 1024 * 1024)
    server = start_jupyterlab(root, env)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        open_in_lab(page, server, "drop.ipynb")
        expect_(page.locator(".nemo-drop-pick").first).to_be_visible(timeout=120_000)
        pid = int((root / "kernel.pid").read_text())
        # A small video first: the code a first video loads (PyAV's decoders for the
        # probe and the thumbnail) is not memory the 500 MB file costs.
        page.locator(".nemo-drop-input").first.set_input_files(str(small))
        warm = page.locator(".nemo-upload-item").filter(has_text="warm-up.mp4")
        expect_(warm.filter(has_text="✓ uploaded")).to_have_count(1, timeout=60_000)
        time.sleep(1)
        rss = PeakRSS(pid)
        started = time.monotonic()
        page.locator(".nemo-drop-input").first.set_input_files(str(video))
        expect_(page.locator(".nemo-drop-progress").first).to_be_visible(timeout=30_000)
        page.screenshot(path=shots / "sending.png")
        item = page.locator(".nemo-upload-item").filter(has_text="phone-video.mp4")
        expect_(item).to_have_count(1, timeout=600_000)  # in the kernel: now the upload
        sent = rss.peak - rss.start
        expect_(item.filter(has_text="✓ uploaded")).to_have_count(1, timeout=600_000)
        growth = rss.stop()
        took = time.monotonic() - started
    except Exception:
        page.screenshot(path=shots / "failed.png", full_page=True)
        print(server.log_text())
        raise
    finally:
        page.close()
        server.stop()
    stored = json.loads((root / "media.json").read_text())
    assert stored[-1] == ["phone-video.mp4", size]
    print(
        f"500 MB from the browser in {took:.0f} s; kernel RSS grew {sent / 2**20:.1f} MB "
        f"while it was sent to the kernel, {growth / 2**20:.1f} MB in all"
    )
    assert growth < 50 * 1024 * 1024, f"kernel RSS grew {growth / 2**20:.1f} MB"
