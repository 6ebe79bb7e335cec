"""RendersPanel on the real Session: variants from the button, one bar per job, the Dask
dashboard link (the variants run on a LocalCluster the server starts), and a batch's rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nemowidgets.local.server.launch import ensure_local_server
from nemowidgets.session import Session, start_batch
from nemowidgets.widgets import RendersPanel
from tests.local.render_support import photos

from .test_real_session import wait_for

pytestmark = [pytest.mark.slow]


@pytest.fixture
def session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_env: Path
) -> Iterator[Session]:
    monkeypatch.chdir(tmp_path)
    s = Session.local(data_dir=tmp_path / "data")
    yield s
    s.close()
    ensure_local_server(tmp_path / "data").stop()  # and the LocalCluster it started


def _bars(panel: RendersPanel) -> list[tuple[float, str]]:
    rows = panel.children[-1].children
    return [(row.children[1].value, row.children[1].bar_style) for row in rows]


def test_the_button_renders_the_ticked_variants_with_a_bar_each(
    session: Session, tmp_path: Path
) -> None:
    session.upload(list(photos(tmp_path / "media", 2).values()))
    session.send("make a slideshow")
    panel = RendersPanel(session)
    panel._quality.value = "preview"
    for box in panel._aspects:
        box.value = box.description in ("9:16", "1:1")
    panel.start_variants()  # returns at once; the rows follow the events
    wait_for(lambda: "ready" in panel._message.value, 240, "the variants")
    bars = _bars(panel)
    assert len(bars) == 2  # one per variant
    assert all(value == 100 and style == "success" for value, style in bars), bars
    assert "http://127.0.0.1:" in panel._dashboard.value
    names = sorted(p.name for p in (tmp_path / "nemowidgets-exports").glob("slideshow-*.mp4"))
    assert [n.split("-")[1] for n in names] == ["1x1", "9x16"], names
    panel.close()


def test_a_batch_shows_one_row_per_item(session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "one"
    photos(folder, 2)
    run = start_batch(
        {folder: "make a slideshow", tmp_path / "missing": "make a slideshow"},
        quality="preview",
        out_dir=tmp_path / "videos",
        data_dir=tmp_path / "data",
    )
    panel = RendersPanel(session)
    panel.track_batch(run)
    results = run.result(240)
    assert [r.ok for r in results] == [True, False]
    wait_for(lambda: [s for _, s in _bars(panel)] == ["success", "danger"], 10, "the rows")
    panel.close()
