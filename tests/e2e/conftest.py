"""Fixtures of the browser tests: one headless Chromium, and a folder with a Studio notebook."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nemowidgets.samples import make_music, make_photo

from .harness import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, isolated_env, write_notebook

#: The notebook under test: the Studio on the local backend.  The observer writes each
#: draft to draft.json so the test knows the duration the video must have.
STUDIO_CELLS = [
    """\
import json
import pathlib

import nemowidgets

session = nemowidgets.Session.local()
session.observe(
    lambda e: pathlib.Path("draft.json").write_text(json.dumps(e.data["draft"].raw)),
    kinds=["draft"],
)
nemowidgets.studio(session)""",
]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (scripts/bootstrap --test installs it)")
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def studio_folder(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """``root`` with ``studio.ipynb`` and ``media/`` (3 photos + music); the server env."""
    root = tmp_path / "root"
    media = root / "media"
    for i in range(3):
        make_photo(media / f"photo_{i + 1}.jpg", i, (640, 480))
    make_music(media / "music.mp3", 10)
    (media / "notes.txt").write_text("not media: the folder picker must not list it")
    write_notebook(root / "studio.ipynb", STUDIO_CELLS)
    return root, isolated_env(tmp_path / "env")


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Path:
    """Where this test's screenshots go (test-artifacts/, gitignored)."""
    folder = ARTIFACTS / request.node.name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder
