"""The Studio in a narrow window, in headless Chromium: Lab, Notebook 7 and Voila at 800 px.

The notebook builds a slideshow in its cell (so the timeline is full when the
page shows), then the page is measured: nothing of the Studio may stick out of
it or be cut off without a scrollbar.  For every element inside the Studio, its
right edge must lie inside the Studio, unless an ancestor between them scrolls
(``overflow: auto``/``scroll``) and so shows a scrollbar for it.  Thumbnails
must keep their aspect (``object-fit: contain``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nemowidgets.samples import make_music, make_photo

from .harness import (
    APPS,
    app_page,
    isolated_env,
    write_notebook,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

CELLS = [
    """\
import nemowidgets

session = nemowidgets.Session.local()
session.upload("media")
session.send("turn my photos into a smooth video slideshow with transitions and music")
nemowidgets.studio(session)""",
]

#: Elements sticking out of the Studio with no scrolling box between: [] when all fit.
CUT_OFF = """studio => {
  // For each element: the first box around it that does not let it overflow decides.
  // A scrolling box shows a scrollbar (fine); a clipping one cuts it (reported);
  // with neither up to the Studio, it must lie inside the Studio.
  const box = studio.getBoundingClientRect();
  const name = el => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`;
  const out = [];
  for (const el of studio.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    let limit = box, by = 'the studio';
    for (let p = el.parentElement; p && p !== studio; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'visible') continue;
      limit = (o === 'auto' || o === 'scroll') ? null : p.getBoundingClientRect();
      by = name(p);
      break;
    }
    if (limit && (r.right > limit.right + 1 || r.left < limit.left - 1)) {
      out.push(`${name(el)} ${Math.round(r.left)}..${Math.round(r.right)} cut by ${by} ` +
               `${Math.round(limit.left)}..${Math.round(limit.right)}`);
    }
  }
  // and the Studio itself inside every box around it that clips without scrolling
  for (let p = studio.parentElement; p && p !== document.body; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX;
    if (o === 'auto' || o === 'scroll') break;
    const r = p.getBoundingClientRect();
    if (o !== 'visible' && box.right > r.right + 1) {
      out.push(`studio ${Math.round(box.right)} cut by ${name(p)} ${Math.round(r.right)}`);
    }
  }
  return out.slice(0, 12);
}"""


def expect_(locator):
    from playwright.sync_api import expect

    return expect(locator)


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "root"
    media = root / "media"
    make_photo(media / "wide.jpg", 0, (1600, 400))  # a panorama: must not spill over
    make_photo(media / "tall.jpg", 1, (400, 1000))
    make_photo(media / "photo.jpg", 2, (640, 480))
    make_music(media / "music.wav", 6)
    write_notebook(root / "layout.ipynb", CELLS)
    return root, isolated_env(tmp_path / "env")


@pytest.fixture(params=APPS)
def page_800(request, browser, built, shots) -> Iterator:
    root, env = built
    ready = ".nemo-timeline table tbody tr >> nth=3"
    with app_page(
        browser, request.param, root, env, "layout.ipynb", shots, ready=ready, width=800
    ) as page:
        yield page, shots


def test_the_studio_fits_800_px_with_scrollbars_not_cut_off(page_800) -> None:
    page, shots = page_800
    studio = page.locator(".nemo-studio").first
    page.wait_for_timeout(1500)  # thumbnails arrive
    studio.screenshot(path=shots / "studio-800.png")
    page.screenshot(path=shots / "page-800.png")
    for part in ("timelinetable", "player"):
        page.locator(f".nemo-{part}").first.scroll_into_view_if_needed()
        page.screenshot(path=shots / f"page-800-{part}.png")
    assert studio.evaluate(CUT_OFF) == []
    box = studio.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 800 + 1
    # the table is wider than the column: it scrolls sideways instead of being cut
    table_box = page.locator(".nemo-timeline").first
    overflow = table_box.evaluate("e => getComputedStyle(e).overflowX")
    assert overflow in ("auto", "scroll")
    # thumbnails keep their aspect, in the media list and in the timeline table
    for img in page.locator(".nemo-upload-item img, .nemo-timeline img").all():
        assert img.evaluate("i => getComputedStyle(i).objectFit") == "contain"
    widths = page.locator(".nemo-timeline img").evaluate_all(
        "imgs => imgs.map(i => i.getBoundingClientRect().width)"
    )
    assert widths
    assert max(widths) <= 43
