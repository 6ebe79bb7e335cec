"""The Studio end to end, in headless Chromium: JupyterLab, Notebook 7 and Voila, local backend.

What a user does, through the page only: pick the media folder in the file
chooser and Add it (3 photos + music), send the slideshow prompt, watch rows
appear in the timeline and text in the log, Export, wait for the progress bar,
and play the video: the ``<video>`` element must load metadata with the draft's
duration (within one frame) and 1920x1080.  On the way, the Studio must not
mislead: no credits and no session number on the local backend, a disabled
Export that says why, a folder picker with no file-name box listing only folders
and media, photos called "photo" in the timeline, one enabled Cancel while the
render runs, and a video file named for what it is.  Each step leaves a
screenshot in test-artifacts/e2e/<test>/.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from pathlib import Path

import pytest

from .harness import (
    Server,
    open_in_lab,
    open_in_notebook7,
    open_in_voila,
    start_jupyterlab,
    start_notebook7,
    start_voila,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

PROMPT = "turn my photos into a smooth video slideshow with transitions and music"
FPS = 30
FRAME = 1 / FPS


def expect_(locator):
    from playwright.sync_api import expect

    return expect(locator)


def add_media_folder(page, folder: str) -> None:
    """ipyfilechooser: open the dialog, enter ``folder``, Select it, then the Studio's Add."""
    chooser = page.locator(".nemo-filechooser")
    listing = chooser.locator("select[size]")  # the folder contents (the path list has no size)
    if not listing.is_visible():
        chooser.get_by_role("button", name="Select").click()
    expect_(listing).to_be_visible()
    label = next(o for o in listing.locator("option").all_inner_texts() if o.endswith(folder))
    listing.select_option(label=label)  # a folder entry: the chooser moves into it
    expect_(listing.locator("option", has_text="photo_1.jpg")).to_have_count(1)
    # a picker for media: only folders and media files, and no "output filename" box
    assert "notes.txt" not in listing.locator("option").all_inner_texts()
    expect_(chooser.locator("input[placeholder='output filename']")).to_be_hidden()
    chooser.get_by_role("button", name="Select").click()  # select the folder itself
    page.locator(".nemo-add").first.click()


def wait_idle(page, timeout: float = 120_000) -> None:
    """Wait until the Studio accepts a prompt again (Send enabled)."""
    send = page.locator("button.nemo-send, .nemo-send button").first
    expect_(send).to_be_enabled(timeout=timeout)


def drive_studio(page, root: Path, shots: Path) -> dict:
    """The user's path through the Studio; returns what the <video> element reports."""
    t0 = time.monotonic()
    steps: dict[str, float] = {}
    prompt = page.locator(".nemo-prompt textarea").first
    expect_(prompt).to_be_visible(timeout=120_000)
    status = page.locator(".nemo-status").first
    expect_(status).to_contain_text("local backend", timeout=60_000)
    expect_(status).to_contain_text("Ready", timeout=60_000)
    assert "credit" not in status.inner_text()  # the local backend has none
    assert not re.search(r"\d{12,}", status.inner_text())  # no session number
    export = page.locator("button.nemo-export, .nemo-export button").first
    expect_(export).to_be_disabled()
    assert "Nothing to export yet" in (export.get_attribute("title") or "")
    page.screenshot(path=shots / "01-studio.png", full_page=True)
    steps["loaded"] = time.monotonic() - t0

    add_media_folder(page, "media")
    items = page.locator(".nemo-upload-item")
    for name in ("photo_1.jpg", "photo_2.jpg", "photo_3.jpg", "music.mp3"):
        expect_(items.filter(has_text=name)).to_have_count(1, timeout=60_000)
    expect_(items.filter(has_text="✓ uploaded")).to_have_count(4, timeout=60_000)
    wait_idle(page)
    page.screenshot(path=shots / "02-media-added.png", full_page=True)
    steps["uploaded"] = time.monotonic() - t0

    prompt.fill(PROMPT)
    page.locator("button.nemo-send, .nemo-send button").first.click()
    rows = page.locator(".nemo-timeline table tbody tr")
    expect_(rows.nth(3)).to_be_visible(timeout=120_000)  # 3 photos + the music, at least
    expect_(page.locator(".nemo-log").first).not_to_have_text("", timeout=30_000)
    wait_idle(page)
    kinds = page.locator(".nemo-timeline table tbody tr td:nth-child(3)").all_inner_texts()
    assert kinds.count("photo") == 3, kinds
    assert "video" not in kinds, kinds
    page.screenshot(path=shots / "03-timeline.png", full_page=True)
    steps["turn"] = time.monotonic() - t0

    draft = json.loads((root / "draft.json").read_text())
    page.locator("button.nemo-export, .nemo-export button").first.click()
    progress = page.locator(".nemo-progress .progress-bar").first
    expect_(progress).to_be_attached()
    # one Cancel for the one running job: the render's, not also the prompt's
    render_cancel = page.locator("button.nemo-export-cancel, .nemo-export-cancel button").first
    expect_(render_cancel).to_be_enabled(timeout=30_000)
    cancels = page.locator(".nemo-studio").first.evaluate(
        "s => [...s.querySelectorAll('button')].filter(b => !b.disabled && b.offsetParent"
        " && b.textContent.trim() === 'Cancel').length"
    )
    assert cancels == 1, cancels  # visible and enabled
    assert "render is running" in (export.get_attribute("title") or "")
    page.wait_for_function(  # the bar's real % reaches the end
        "el => el.style.width === '100%'", arg=progress.element_handle(), timeout=300_000
    )
    video = page.locator(".nemo-video video").first
    expect_(video).to_be_attached(timeout=60_000)
    page.wait_for_function(
        "v => v.readyState >= 1 && v.videoWidth > 0", arg=video.element_handle(), timeout=120_000
    )
    steps["exported"] = time.monotonic() - t0
    link = page.locator(".nemo-download-link").first
    expect_(link).to_contain_text(re.compile(r"slideshow-v\d+-1080p\.mp4"))
    meta = video.evaluate(
        "v => ({duration: v.duration, width: v.videoWidth, height: v.videoHeight})"
    )
    screenshot_exported(page, video, shots)
    meta["draft_s"] = draft["d"] / 1000
    meta["steps"] = steps
    print(json.dumps(meta))
    return meta


def screenshot_exported(page, video, shots: Path) -> None:
    """The exported state, and the whole Studio alone (the README's picture)."""
    # Show a frame, not the loading spinner: play a moment (muted), pause, seek in.
    with contextlib.suppress(Exception):  # only the picture would suffer; checks come after
        video.evaluate(
            "async v => { v.muted = true; await v.play(); v.pause(); v.currentTime = 1.2;"
            " await new Promise(ok => v.addEventListener('seeked', ok, {once: true})); }",
            timeout=10_000,
        )
    video.scroll_into_view_if_needed()
    page.screenshot(path=shots / "04-exported.png", full_page=True)
    studio = page.locator(".nemo-studio").first
    box = studio.bounding_box()
    viewport = page.viewport_size
    if box and viewport:  # a viewport the Studio fits in, so nothing is cut or blank
        page.set_viewport_size({"width": viewport["width"], "height": int(box["height"]) + 80})
        studio.screenshot(path=shots / "05-studio.png")
        page.set_viewport_size(viewport)


def check(meta: dict) -> None:
    assert (meta["width"], meta["height"]) == (1920, 1080)
    assert abs(meta["duration"] - meta["draft_s"]) <= FRAME + 1e-3, meta


def run_in(server: Server, page, root: Path, shots: Path, opener) -> dict:
    try:
        opener(page)
        return drive_studio(page, root, shots)
    except Exception:
        page.screenshot(path=shots / "failed.png", full_page=True)
        print(server.log_text())
        raise


def test_studio_in_jupyterlab(browser, studio_folder, shots: Path) -> None:
    root, env = studio_folder
    server = start_jupyterlab(root, env)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        meta = run_in(server, page, root, shots, lambda p: open_in_lab(p, server, "studio.ipynb"))
        page.close()
    finally:
        server.stop()
    check(meta)


def test_studio_in_notebook7(browser, studio_folder, shots: Path) -> None:
    root, env = studio_folder
    server = start_notebook7(root, env)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        meta = run_in(
            server, page, root, shots, lambda p: open_in_notebook7(p, server, "studio.ipynb")
        )
        page.close()
    finally:
        server.stop()
    check(meta)


def test_studio_in_voila(browser, studio_folder, shots: Path) -> None:
    root, env = studio_folder
    server = start_voila(root / "studio.ipynb", env)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        meta = run_in(server, page, root, shots, lambda p: open_in_voila(p, server))
        page.close()
    finally:
        server.stop()
    check(meta)
