"""The Voila app (``nemowidgets demo --voila`` serves ``app.ipynb``), in headless Chromium.

A user opening the app must see the Studio at once: no blank page while a
notebook renders a 1080p video first, no notebook instructions ("Shift+Enter"),
no Python lists printed, and one video (the one they export).  Then the app is
used as a user does: the sample files from the browser, a prompt, a preview
export, played.  Its last picture is the README's (``docs/studio.png``, rewritten
with ``NEMO_UPDATE_PICTURES=1``).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from nemowidgets.cli._demo import APP, find_notebook

from .harness import ROOT, isolated_env, open_in_voila, start_voila
from .test_studio import PROMPT, expect_, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

#: At once: the kernel starts and the Studio shows; nothing is rendered first.
SHOWN_WITHIN_S = 30


def visible_videos(page) -> int:
    return page.evaluate(
        "() => [...document.querySelectorAll('video')].filter(v => v.offsetParent).length"
    )


def save_readme_picture(page, shots: Path) -> None:
    """The Studio alone, as a small PNG (palette, at most 300 KB): in the artifacts, and
    with ``NEMO_UPDATE_PICTURES=1`` also as the README's ``docs/studio.png``."""
    from PIL import Image

    studio = page.locator(".nemo-studio").first
    box = studio.bounding_box()
    viewport = page.viewport_size
    assert box is not None
    assert viewport is not None
    page.set_viewport_size({"width": viewport["width"], "height": int(box["height"]) + 80})
    png = studio.screenshot(path=shots / "studio.png")
    page.set_viewport_size(viewport)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.thumbnail((1100, 1600))
    out = io.BytesIO()
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    (shots / "studio-small.png").write_bytes(out.getvalue())
    assert len(out.getvalue()) < 300_000
    if os.environ.get("NEMO_UPDATE_PICTURES") == "1":
        (ROOT / "docs" / "studio.png").write_bytes(out.getvalue())


def test_the_voila_app_shows_the_studio_at_once_and_works(browser, tmp_path, shots) -> None:
    root = tmp_path / "root"
    root.mkdir()
    shutil.copyfile(find_notebook(APP), root / APP)
    server = start_voila(root / APP, isolated_env(tmp_path / "env"))
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        started = time.monotonic()
        open_in_voila(page, server)
        expect_(page.locator(".nemo-prompt textarea").first).to_be_visible(timeout=120_000)
        shown = time.monotonic() - started
        expect_(page.locator(".nemo-status").first).to_contain_text("Ready", timeout=60_000)
        page.screenshot(path=shots / "01-app.png", full_page=True)
        text = page.locator("body").inner_text()
        assert "Shift+Enter" not in text
        assert not re.search(r"\[\s*['\"(]", text), "a Python list was printed"
        assert visible_videos(page) == 0

        # the sample files, picked from the browser (the picker is tested in test_studio)
        samples = sorted((root / "sample-media").iterdir())
        assert [p.name for p in samples][-1] == "photo_03.jpg"
        page.locator(".nemo-drop-input").first.set_input_files([str(p) for p in samples])
        items = page.locator(".nemo-upload-item")
        expect_(items.filter(has_text="✓ uploaded")).to_have_count(4, timeout=60_000)
        wait_idle(page)
        page.locator(".nemo-prompt textarea").first.fill(PROMPT)
        page.locator("button.nemo-send, .nemo-send button").first.click()
        expect_(page.locator(".nemo-timeline table tbody tr").nth(3)).to_be_visible(timeout=120_000)
        wait_idle(page)
        page.locator(".nemo-quality button", has_text="Preview").first.click()
        page.locator("button.nemo-export, .nemo-export button").first.click()
        video = page.locator(".nemo-video video").first
        expect_(video).to_be_attached(timeout=300_000)
        page.wait_for_function(
            "v => v.readyState >= 1 && v.videoWidth > 0",
            arg=video.element_handle(),
            timeout=120_000,
        )
        link = page.locator(".nemo-download-link").first
        expect_(link).to_contain_text(re.compile(r"slideshow-v\d+-preview\.mp4"))
        assert visible_videos(page) == 1
        video.evaluate(
            "async v => { v.muted = true; await v.play(); v.pause(); v.currentTime = 1.2;"
            " await new Promise(ok => v.addEventListener('seeked', ok, {once: true})); }",
            timeout=10_000,
        )
        save_readme_picture(page, shots)
    except Exception:
        page.screenshot(path=shots / "failed.png", full_page=True)
        print(server.log_text())
        raise
    finally:
        page.close()
        server.stop()
    print(f"the Studio was shown {shown:.1f} s after the page was asked for")
    assert shown < SHOWN_WITHIN_S
