"""The timeline strip's hand edits in headless Chromium: JupyterLab and Voila, local backend.

The notebook uploads 3 photos and a song and asks for a smooth slideshow (so the
strip has crossfade overlaps and Ken Burns marks), then shows the Studio; an
observer writes every draft to draft.json.  Through the page only, a user drags
the first photo to the end, drags a photo's right edge, clicks a photo (its
table row is highlighted), undoes and redoes, and removes a photo from the media
list.  Each step is checked in the draft the kernel's Session received, which
is the server's draft.  The strip's picture for the docs is written to
test-artifacts/e2e/<test>/strip.png.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nemowidgets.samples import make_music, make_photo

from .harness import (
    Server,
    isolated_env,
    open_in_lab,
    open_in_notebook7,
    open_in_voila,
    start_jupyterlab,
    start_notebook7,
    start_voila,
    write_notebook,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

CELLS = [
    """\
import json
import re
import pathlib

import nemowidgets

session = nemowidgets.Session.local()
session.observe(
    lambda e: pathlib.Path("draft.json").write_text(json.dumps(e.data["draft"].raw)),
    kinds=["draft"],
)
session.upload(sorted(pathlib.Path("media").iterdir()))
session.send("make a smooth slideshow with crossfades, ken burns and music")
nemowidgets.studio(session)""",
]


def expect_(locator: Any) -> Any:
    from playwright.sync_api import expect

    return expect(locator)


@pytest.fixture
def strip_folder(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "root"
    media = root / "media"
    for i in range(3):
        make_photo(media / f"photo_{i + 1}.jpg", i, (480, 320))
    make_music(media / "music.wav", 6)
    write_notebook(root / "strip.ipynb", CELLS)
    return root, isolated_env(tmp_path / "env")


def video_of(root: Path) -> list[dict[str, Any]]:
    draft = json.loads((root / "draft.json").read_text())
    return next(t["sg"] for t in draft["t"] if t["tt"] == 0)


def wait_draft(root: Path, ok: Callable[[list[dict[str, Any]]], bool], what: str) -> list:
    deadline = time.monotonic() + 60
    video: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        try:
            video = video_of(root)
            if ok(video):
                return video
        except (OSError, ValueError, StopIteration):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what}: the draft is {video}")


def drag(page: Any, x0: float, y: float, x1: float) -> None:
    page.mouse.move(x0, y)
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(x0 + (x1 - x0) * i / 10, y)
    page.mouse.up()


def drive_strip(page: Any, root: Path, shots: Path) -> None:
    segs = page.locator(".nemo-strip-lane-video .nemo-strip-seg")
    expect_(segs).to_have_count(3, timeout=120_000)
    strip = page.locator(".nemo-strip-root").first
    expect_(strip.locator(".nemo-strip-overlap")).to_have_count(2)  # the crossfades
    expect_(strip.locator(".nemo-strip-kb")).to_have_count(3)  # Ken Burns on every photo
    expect_(strip.locator(".nemo-strip-lane-audio .nemo-strip-seg")).to_have_count(1)
    page.wait_for_function(  # the thumbnails arrived
        "() => [...document.querySelectorAll('.nemo-strip-lane-video .nemo-strip-seg')]"
        ".every(n => n.style.backgroundImage.startsWith('url(\"data:image/jpeg'))",
        timeout=60_000,
    )
    strip.scroll_into_view_if_needed()
    strip.screenshot(path=shots / "strip.png")
    start = video_of(root)
    ids = [sg["id"] for sg in start]

    # 1. Drag the first photo past the last one: one move_segment edit.
    first, last = segs.nth(0).bounding_box(), segs.nth(2).bounding_box()
    y = first["y"] + first["height"] / 2
    drag(page, first["x"] + first["width"] / 3, y, last["x"] + last["width"] * 0.95)
    moved = wait_draft(root, lambda v: [s["id"] for s in v] == [*ids[1:], ids[0]], "reorder")
    expect_(segs.nth(2)).to_have_attribute("data-id", ids[0])
    page.screenshot(path=shots / "01-reordered.png", full_page=True)

    # 2. Drag the (new) first photo's right edge to the right: longer.
    handle = segs.nth(0).locator(".nemo-strip-handle")
    box = handle.bounding_box()
    d0 = moved[0]["d"]
    drag(page, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, box["x"] + 120)
    trimmed = wait_draft(root, lambda v: v[0]["d"] > d0 + 300, "edge drag")
    assert trimmed[0]["d"] % 100 == 0
    assert [s["id"] for s in trimmed] == [s["id"] for s in moved]

    # 3. Click the second photo: selected, and its table row follows.
    segs.nth(1).click()
    expect_(segs.nth(1)).to_have_class(re.compile("nemo-strip-selected"))
    row = page.locator(".nemo-timeline tr.nemo-row-selected")
    expect_(row).to_have_count(1)
    expect_(row).to_have_attribute("data-id", trimmed[1]["id"])

    # 4. Undo the trim, redo it.
    page.locator(".nemo-undo").first.click()
    wait_draft(root, lambda v: v[0]["d"] == d0, "undo")
    page.locator(".nemo-redo").first.click()
    wait_draft(root, lambda v: v[0]["d"] == trimmed[0]["d"], "redo")

    # 5. Remove photo_2.jpg from the media list: out of the strip and the draft.
    gone = next(s for s in trimmed if s["n"] == "photo_2.jpg")
    item = page.locator(".nemo-upload-item").filter(has_text="photo_2.jpg")
    expect_(item.locator(".nemo-remove")).to_have_attribute("title", re.compile("from the video"))
    item.locator(".nemo-remove").click()
    wait_draft(root, lambda v: gone["src"] not in {s["src"] for s in v}, "remove")
    expect_(segs).to_have_count(2)
    page.locator(".nemo-undo").first.click()  # and undo brings it back
    wait_draft(root, lambda v: gone["src"] in {s["src"] for s in v}, "undo remove")
    expect_(segs).to_have_count(3)
    back = page.locator(".nemo-upload-item").filter(has_text="photo_2.jpg")
    expect_(back).to_have_count(1)
    page.wait_for_function(  # with its photo, not the generic icon
        "async img => (await (await fetch(img.src)).blob()).type === 'image/jpeg'",
        arg=back.locator("img").first.element_handle(),
        timeout=10_000,
    )
    page.screenshot(path=shots / "02-done.png", full_page=True)


def run(server: Server, browser: Any, root: Path, shots: Path, opener: Callable) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        opener(page)
        drive_strip(page, root, shots)
    except Exception:
        page.screenshot(path=shots / "failed.png", full_page=True)
        print(server.log_text())
        raise
    finally:
        page.close()


def test_strip_in_jupyterlab(browser, strip_folder, shots: Path) -> None:
    root, env = strip_folder
    server = start_jupyterlab(root, env)
    try:
        run(server, browser, root, shots, lambda p: open_in_lab(p, server, "strip.ipynb"))
    finally:
        server.stop()


def test_strip_in_notebook7(browser, strip_folder, shots: Path) -> None:
    root, env = strip_folder
    server = start_notebook7(root, env)
    try:
        run(server, browser, root, shots, lambda p: open_in_notebook7(p, server, "strip.ipynb"))
    finally:
        server.stop()


def test_strip_in_voila(browser, strip_folder, shots: Path) -> None:
    root, env = strip_folder
    server = start_voila(root / "strip.ipynb", env)
    try:
        run(server, browser, root, shots, lambda p: open_in_voila(p, server))
    finally:
        server.stop()
