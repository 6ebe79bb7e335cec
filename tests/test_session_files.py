"""The Session's local helpers: the resume file, upload item expansion, thumbnails, probing."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest
from PIL import Image

from nemowidgets.api.errors import MediaError
from nemowidgets.samples import make_music, make_photo
from nemowidgets.session._files import expand_items, image_thumbnail, probe_video, video_thumbnail
from nemowidgets.session._state_file import StateFile, default_state_path


def test_state_dir_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_STATE_DIR", str(tmp_path / "st"))
    assert default_state_path() == tmp_path / "st" / "sessions.json"


def test_state_file_records_sessions_and_renders(tmp_path: Path) -> None:
    sf = StateFile(tmp_path / "sessions.json")
    assert sf.load("k") == {"session_id": None, "renders": []}
    sf.set_session("k", "123")
    sf.add_render("k", {"id": "render_1", "path": "/x/1.mp4"})
    sf.add_render("k", {"id": "render_2", "path": "/x/2.mp4"})
    sf.add_render("k", {"id": "render_1", "path": "/x/1b.mp4"})  # same id: replaced
    sf.set_session("other", "999")
    again = StateFile(tmp_path / "sessions.json")
    assert again.load("k")["session_id"] == "123"
    assert [r["path"] for r in again.renders("k")] == ["/x/2.mp4", "/x/1b.mp4"]
    again.remove_render("k", "render_2")
    assert [r["id"] for r in sf.renders("k")] == ["render_1"]
    assert sf.load("other")["session_id"] == "999"
    on_disk = json.loads((tmp_path / "sessions.json").read_text())
    assert set(on_disk) == {"k", "other"}


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[1, 2]",
        '{"k": "str"}',
        '{"k": {"renders": "x"}}',
        '{"k": {"renders": [1, {}]}}',
    ],
)
def test_state_file_tolerates_garbage(tmp_path: Path, content: str) -> None:
    path = tmp_path / "sessions.json"
    path.write_text(content)
    sf = StateFile(path)
    assert sf.load("k")["renders"] == []
    sf.add_render("k", {"id": "r"})  # and recovers by rewriting it
    assert [r["id"] for r in sf.renders("k")] == ["r"]


def test_state_file_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    sf = StateFile(tmp_path / "sessions.json")

    def worker(i: int) -> None:
        for j in range(10):
            sf.add_render("k", {"id": f"r{i}-{j}"})

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sf.renders("k")) == 40


def test_expand_items(tmp_path: Path) -> None:
    folder = tmp_path / "media"
    b = make_photo(folder / "b.jpg", 1, size=(64, 48))
    a = make_photo(folder / "a.png", 0, size=(64, 48))
    (folder / "notes.txt").write_text("x")
    (folder / ".hidden.jpg").write_bytes(b"x")
    (folder / "sub").mkdir()
    pairs = expand_items(folder)
    assert [src for _, src in pairs] == [a, b]
    mixed = expand_items([str(a), ("c.jpg", b"\xff\xd8data"), folder])
    assert [src for _, src in mixed] == [a, None, a, b]
    assert mixed[1][0] == ("c.jpg", b"\xff\xd8data")
    assert expand_items(("d.png", bytearray(b"x")))[0][0] == ("d.png", b"x")


@pytest.mark.parametrize("bad", ["missing.jpg", "empty_dir", [], [42]])
def test_expand_items_errors_name_the_input(tmp_path: Path, bad) -> None:
    (tmp_path / "empty_dir").mkdir()
    (tmp_path / "empty_dir" / "readme.txt").write_text("no media")
    if isinstance(bad, str):
        bad = tmp_path / bad
    with pytest.raises(MediaError) as info:
        expand_items(bad)
    if isinstance(bad, Path):
        assert bad.name in str(info.value)


def test_thumbnails_and_probe(tmp_path: Path) -> None:
    photo = make_photo(tmp_path / "p.jpg", 2, size=(640, 480))
    thumb = image_thumbnail(photo)
    assert thumb[:2] == b"\xff\xd8"
    with Image.open(io.BytesIO(thumb)) as image:
        assert max(image.size) == 160
    assert image_thumbnail(photo.read_bytes())[:2] == b"\xff\xd8"
    music = make_music(tmp_path / "m.wav", 0.5)
    assert video_thumbnail(music) is None
    assert probe_video(music)[1:] == (None, None)
