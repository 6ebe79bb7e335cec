"""VideoPlayer: export with real progress, the bytes-vs-URL rule, download link, recent exports."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from nemowidgets.api.errors import DraftError, RenderError
from nemowidgets.api.models import RenderJob
from nemowidgets.session import ExportResult
from nemowidgets.widgets import VideoPlayer
from nemowidgets.widgets import player as player_module
from nemowidgets.widgets.player import INLINE_VIDEO_LIMIT, served_url

from .test_timeline import draft


def result(
    path: Path,
    data: bytes = b"\x00\x00\x00\x18ftypmp42 fake mp4",
    *,
    n: int = 1,
    quality: str = "high",
) -> ExportResult:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    job = RenderJob(id=f"r{n}", status="completed", progress=100)
    return ExportResult(path, None, job, 8.0, 1920, 1080, quality)


@pytest.fixture
def ready(fake):
    fake.draft = draft()
    fake.history = (fake.draft,)
    return fake


def test_limit_is_20_mb() -> None:
    assert INLINE_VIDEO_LIMIT == 20 * 1024 * 1024


def test_export_button_runs_on_the_session_and_follows_progress(ready) -> None:
    fake = ready
    player = VideoPlayer(fake)
    assert "nemo-export" in player._export._dom_classes
    assert "nemo-progress" in player._progress._dom_classes
    fake.gate.clear()
    player._quality.value = "preview"
    player._export.click()
    assert player._export.disabled
    assert not player._cancel.disabled
    fake.settle(0.05)
    assert ("export", "preview") in fake.calls
    job = RenderJob(id="r1", status="processing", progress=0)
    fake.emit("render_started", job=job, path="x.mp4", resumed=False)
    for p in (12.4, 47.6, 99.9):
        fake.emit("render_progress", job=RenderJob(id="r1", status="processing", progress=p))
        assert player._progress.value == round(p)
    assert "Rendering… 100%" in player._status.value
    player._cancel.click()
    assert ("cancel", None) in fake.calls
    fake.gate.set()


def test_small_video_is_sent_as_bytes_with_a_data_uri_download(ready, tmp_path) -> None:
    fake = ready
    player = VideoPlayer(fake)
    res = result(tmp_path / "out" / "s-1.mp4")
    fake.exports = (res,)
    fake.emit("render_done", export=res)
    assert player._video.value == res.path.read_bytes()
    assert player._video.autoplay is False
    assert player._video.controls is True
    assert "nemo-video" in player._video_box._dom_classes
    assert player._video_box.layout.display is None
    assert player._link_video.layout.display == "none"
    encoded = base64.b64encode(res.path.read_bytes()).decode()
    assert f"href='data:video/mp4;base64,{encoded}'" in player._download.value
    assert "download='s-1.mp4'" in player._download.value
    assert player._progress.value == 100
    assert player._progress.bar_style == "success"
    assert "1920×1080" in player._status.value


def test_large_video_plays_from_the_files_url(ready, tmp_path, monkeypatch) -> None:
    fake = ready
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "no-runtime"))
    monkeypatch.delenv("VOILA_BASE_URL", raising=False)
    monkeypatch.delenv("NEMO_FILES_URL", raising=False)
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ann/")
    monkeypatch.setattr(player_module, "INLINE_VIDEO_LIMIT", 10)
    player = VideoPlayer(fake)
    res = result(tmp_path / "nemowidgets-exports" / "my video.mp4")
    fake.emit("render_done", export=res)
    assert player._video.value == b""  # not pushed through the kernel's websocket
    assert "nemo-video" not in player._video_box._dom_classes
    assert "nemo-video" in player._link_video._dom_classes
    url = "/user/ann/files/nemowidgets-exports/my%20video.mp4"
    assert f"<video src='{url}' controls" in player._link_video.value
    assert f"href='{url}'" in player._download.value
    assert "plays from the notebook server" in player._status.value


def test_large_video_outside_the_notebook_folder_says_where_it_is(
    ready, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "no-runtime"))
    monkeypatch.delenv("VOILA_BASE_URL", raising=False)
    monkeypatch.delenv("NEMO_FILES_URL", raising=False)
    monkeypatch.setattr(player_module, "INLINE_VIDEO_LIMIT", 10)
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere" / "v.mp4"
    player = VideoPlayer(ready)
    player.show(result(elsewhere))
    assert player._link_video.value == ""
    assert player._video.value == b""
    assert str(elsewhere) in player._status.value


def test_served_url_rules(tmp_path, monkeypatch) -> None:
    notebook_dir = tmp_path / "root" / "course"
    video = notebook_dir / "nemowidgets-exports" / "a.mp4"
    video.parent.mkdir(parents=True)
    video.write_bytes(b"x")
    monkeypatch.chdir(notebook_dir)
    for var in ("VOILA_BASE_URL", "NEMO_FILES_URL", "JUPYTERHUB_SERVICE_PREFIX"):
        monkeypatch.delenv(var, raising=False)
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    # no server found: relative to the notebook's folder, at the root
    assert served_url(video) == "/files/nemowidgets-exports/a.mp4"
    # a Jupyter server whose root is above the notebook: its base URL and root
    (runtime / "jpserver-1.json").write_text(
        json.dumps({"root_dir": str(tmp_path / "root"), "base_url": "/hub/x/", "pid": 1})
    )
    assert served_url(video) == "/hub/x/files/course/nemowidgets-exports/a.mp4"
    # Voila: its own files handler, relative to the notebook
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    assert served_url(video) == "/voila/files/nemowidgets-exports/a.mp4"
    # an explicit prefix wins
    monkeypatch.setenv("NEMO_FILES_URL", "/custom/files/")
    assert served_url(video) == "/custom/files/nemowidgets-exports/a.mp4"


def test_recent_exports_keep_the_last_five_and_replay(ready, tmp_path) -> None:
    fake = ready
    player = VideoPlayer(fake)
    results = []
    for n in range(1, 8):
        res = result(tmp_path / f"s-{n}.mp4", f"video {n}".encode(), n=n)
        results.append(res)
        fake.exports = tuple(results)
        fake.emit("render_done", export=res)
    assert len(player._recent.options) == 5
    assert player._recent.options[0][0].startswith("s-7.mp4")
    assert player._video.value == b"video 7"
    from .conftest import from_frontend

    from_frontend(player._recent, {"index": 4})  # the user picks the oldest kept: s-3
    assert player._video.value == b"video 3"


def test_export_errors_show_the_hint(ready) -> None:
    fake = ready
    fake.export_error = RenderError("photo_2.jpg (segment seg_2) could not be decoded.")
    player = VideoPlayer(fake)
    future = player.export()
    future.exception(timeout=5)
    fake.emit(
        "error",
        error=fake.export_error,
        message=fake.export_error.message,
        hint=fake.export_error.hint,
    )
    fake.settle(0.05)
    assert player._progress.bar_style == "danger"
    assert "seg_2" in player._status.value
    assert "Fix or remove" in player._status.value
    assert not player._export.disabled


def test_nothing_to_export_without_a_draft(fake) -> None:
    player = VideoPlayer(fake)
    assert player._export.disabled
    assert player.export() is None
    assert not [c for c in fake.calls if c[0] == "export"]
    assert "Nothing to export yet" in player._status.value
    fake.draft = draft()
    fake.emit("draft", draft=fake.draft, diff="", version=1, restored=False)
    assert not player._export.disabled


def test_export_from_a_prompt_updates_the_player_too(ready, tmp_path) -> None:
    fake = ready
    player = VideoPlayer(fake)
    fake.emit("render_started", job=RenderJob("r9", "pending"), path="x", resumed=False)
    assert player._export.disabled
    fake.emit("error", error=DraftError("x"), message="The timeline is empty.", hint="")
    fake.emit("busy", busy=False, what=None)
    assert not player._export.disabled
    assert player._progress.bar_style == "danger"
