"""Uploader: browser files and kernel files, validation beside the file, progress, removal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nemowidgets.api.errors import FileTooLargeError
from nemowidgets.api.models import MediaInfo
from nemowidgets.protocol import SUPPORTED_EXTENSIONS
from nemowidgets.widgets import BROWSER_UPLOAD_LIMIT, Uploader

from .conftest import jpeg_bytes, walk

MARKER = b"NEMO-SECRET-CONTENT-7f3a"


def pick_in_browser(
    uploader: Uploader, files: list[tuple[str, bytes]], chunk: int = 7
) -> list[dict]:
    """What the drop zone's page does per file: begin, chunks (acked), end; the answers."""
    zone = uploader._browser
    answers: list[dict] = []

    def say(content: dict, buffers: list | None = None) -> dict:
        before = len(zone.comm.messages)
        zone._handle_msg(
            {
                "content": {"data": {"method": "custom", "content": content}},
                "buffers": buffers or [],
            }
        )
        sent = [m["content"] for m in zone.comm.messages[before:] if m.get("method") == "custom"]
        answers.extend(sent)
        return sent[-1] if sent else {}

    for n, (name, data) in enumerate(files):
        fid = f"f{n}"
        if say({"t": "begin", "id": fid, "name": name, "size": len(data)})["t"] != "ready":
            continue
        for offset in range(0, len(data), chunk):
            ack = say({"t": "chunk", "id": fid, "offset": offset}, [data[offset : offset + chunk]])
            assert ack == {"t": "ack", "id": fid, "received": min(len(data), offset + chunk)}
        assert say({"t": "end", "id": fid})["t"] == "done"
    return answers


def statuses(uploader: Uploader) -> dict[str, str]:
    return {f["name"]: f["status"] for f in uploader.files}


def test_browser_picker_accepts_the_supported_types(fake) -> None:
    up = Uploader(fake)
    accepted = {ext.lstrip(".") for ext in up._browser.accept.split(",")}
    assert accepted == set(SUPPORTED_EXTENSIONS)
    # chunks far below Jupyter's message limit, a small window in flight
    assert up._browser.chunk_size * up._browser.window < BROWSER_UPLOAD_LIMIT


def test_browser_files_are_checked_uploaded_and_cleared(fake) -> None:
    up = Uploader(fake)
    photo = jpeg_bytes(comment=MARKER)
    fake.gate.clear()
    pick_in_browser(
        up,
        [
            ("beach.jpg", photo),
            ("notes.txt", b"hello"),
            ("fake.png", b"ID3\x04\x00 a song, not a picture"),
        ],
    )
    fake.settle(0.05)
    assert statuses(up) == {"beach.jpg": "uploading", "notes.txt": "invalid", "fake.png": "invalid"}
    errors = {f["name"]: f["error"] for f in up.files}
    assert "notes.txt" in errors["notes.txt"]
    assert "not supported" in errors["notes.txt"]
    assert "fake.png" in errors["fake.png"]
    rows = {i.name: i for i in up._items}
    assert "nemo-error-text" in rows["notes.txt"].info.value  # the error beside the file
    assert rows["beach.jpg"].thumb.format == "jpeg"  # a thumbnail made from the bytes
    assert rows["notes.txt"].thumb.format == "svg+xml"
    fake.gate.set()
    fake.settle(0.1)
    uploads = [c[1] for c in fake.calls if c[0] == "upload"]
    assert [p.name for p in uploads] == ["beach.jpg"]  # a file on disk, with its own name
    assert uploads[0].read_bytes() == photo
    assert up._browser.count == 2  # beach.jpg and fake.png arrived (fake.png then refused)
    assert statuses(up)["beach.jpg"] == "uploaded"
    assert len(up.files) == 3  # the media event did not add a duplicate row
    # no trait of any widget holds the uploaded content
    for widget in walk(up):
        for value in widget.get_state().values():
            assert MARKER not in (
                bytes(value) if isinstance(value, (bytes, memoryview)) else repr(value).encode()
            )


def test_browser_file_refused_before_it_is_sent(fake) -> None:
    up = Uploader(fake)
    answers = pick_in_browser(up, [("notes.txt", b"hello"), ("empty.mp4", b"")])
    assert answers[0]["t"] == "refused"
    assert "notes.txt" in answers[0]["message"]
    assert statuses(up) == {"notes.txt": "invalid", "empty.mp4": "invalid"}
    zone = up._browser
    huge = {"t": "begin", "id": "x", "name": "huge.mp4", "size": 501 * 1024**2}
    zone._handle_msg({"content": {"data": {"method": "custom", "content": huge}}, "buffers": []})
    assert zone.comm.messages[-1]["content"]["t"] == "refused"
    assert "500 MB" in {f["name"]: f["error"] for f in up.files}["huge.mp4"]


def test_failed_rows_go_below_the_good_ones_with_the_formats_once(fake, tmp_path: Path) -> None:
    up = Uploader(fake)
    pick_in_browser(up, [("a.txt", b"x"), ("b.doc", b"y")])
    good = tmp_path / "good.jpg"
    good.write_bytes(jpeg_bytes())
    up.add(good)
    fake.settle(0.1)
    names = [
        row.children[1].value.split("</b>")[0].removeprefix("<b>") for row in up._list.children
    ]
    assert names == ["good.jpg", "a.txt", "b.doc"]
    assert up._formats.layout.display is None
    assert "mp4 mov" in up._formats.value
    for item in up._items:
        assert "mp4 mov" not in item.info.value  # not in every row


def choose(up: Uploader, folder: Path, filename: str = "") -> None:
    """Use the file chooser as a user: open it, go to ``folder``, type a name, Select."""
    chooser = up._chooser
    chooser._select.click()  # opens the dialog
    chooser._pathlist.value = (
        str(folder) if str(folder) in chooser._pathlist.options else chooser._pathlist.value
    )
    chooser._set_form_values(str(folder), filename)  # what navigating there does
    chooser._select.click()  # applies the selection


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    from nemowidgets.samples import make_music, make_photo

    folder = tmp_path / "media"
    for i in range(3):
        make_photo(folder / f"photo_{i + 1}.jpg", i, (96, 64))
    make_music(folder / "music.wav", 1)
    (folder / "readme.txt").write_text("not media")
    (folder / ".hidden.jpg").write_bytes(b"x")
    return folder


def test_chooser_folder_adds_every_supported_file(fake, media_dir: Path) -> None:
    up = Uploader(fake, path=media_dir.parent)
    choose(up, media_dir)
    assert up._chooser.selected.rstrip(os.sep) == str(media_dir)
    up._add_button.click()
    fake.settle(0.2)
    assert statuses(up) == {
        "music.wav": "uploaded",
        "photo_1.jpg": "uploaded",
        "photo_2.jpg": "uploaded",
        "photo_3.jpg": "uploaded",
    }
    uploaded = [c[1] for c in fake.calls if c[0] == "upload"]
    assert sorted(p.name for p in uploaded) == [
        "music.wav",
        "photo_1.jpg",
        "photo_2.jpg",
        "photo_3.jpg",
    ]
    assert all(isinstance(p, Path) for p in uploaded)  # streamed from disk by the Session
    assert "nemo-filechooser" in up._chooser._dom_classes
    assert "nemo-add" in up._add_button._dom_classes


def test_chooser_single_file_and_unsupported_file(fake, media_dir: Path) -> None:
    up = Uploader(fake, path=media_dir)
    choose(up, media_dir, "readme.txt")
    up._add_button.click()
    choose(up, media_dir, "photo_2.jpg")
    up._add_button.click()
    fake.settle(0.1)
    assert statuses(up) == {"readme.txt": "invalid", "photo_2.jpg": "uploaded"}


def test_add_without_a_choice_says_what_to_do(fake) -> None:
    up = Uploader(fake)
    up._add_button.click()
    assert "Choose a file or a folder first" in up._note.value


def test_chooser_starts_in_the_cwd_of_construction_time(fake, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # after ipyfilechooser was imported: its default is stale
    up = Uploader(fake)
    assert up._chooser.default_path == str(tmp_path)


def test_upload_progress_and_failure_beside_the_file(fake, media_dir: Path) -> None:
    up = Uploader(fake)
    fake.gate.clear()
    up.add(media_dir / "photo_1.jpg")
    fake.settle(0.05)
    fake.emit("upload_progress", filename="photo_1.jpg", sent=50, total=100)
    fake.settle(0.15)
    assert up._items[0].bar.value == pytest.approx(0.5)
    assert up._items[0].bar.layout.visibility == "visible"
    fake.upload_error = FileTooLargeError("photo_1.jpg is 600 MB; uploads are limited to 500 MB.")
    fake.gate.set()
    fake.settle(0.1)
    assert statuses(up) == {"photo_1.jpg": "failed"}
    assert "600 MB" in up.files[0]["error"]
    assert "compress or trim" in up.files[0]["error"]


def test_remove_pending_failed_and_uploaded_items(fake, media_dir: Path) -> None:
    up = Uploader(fake)
    up.add(media_dir / "readme.txt", media_dir / "photo_1.jpg")
    fake.settle(0.1)
    bad, good = up._items
    bad.remove.click()
    assert statuses(up) == {"photo_1.jpg": "uploaded"}
    assert "Undo brings it back" in good.remove.tooltip  # the button says what it does
    good.remove.click()
    assert up.files == []
    fake.settle(0.1)
    assert ("remove_media", "photo_1.jpg") in fake.calls  # out of the draft, not just the list
    assert "Removed photo_1.jpg from the video" in up._note.value
    fake.emit("media", media=fake.media)  # no longer the session's: not listed again
    assert up.files == []


def test_on_the_cloud_remove_only_hides(fake, media_dir: Path) -> None:
    fake.backend = "cloud"
    up = Uploader(fake)
    up.add(media_dir / "photo_1.jpg")
    fake.settle(0.1)
    (item,) = up._items
    assert "ask the agent" in item.remove.tooltip
    item.remove.click()
    assert "stays in the session" in up._note.value
    fake.emit("media", media=fake.media)  # hidden media are not listed again
    assert up.files == []
    assert not any(c[0] == "remove_media" for c in fake.calls)


def test_media_uploaded_elsewhere_are_listed_with_thumbnails(fake) -> None:
    fake.thumbnail_bytes = jpeg_bytes((10, 200, 10), (120, 90))
    up = Uploader(fake)
    fake.media = (
        MediaInfo("song.mp3", "audio", id="m_1", size=3_000_000),
        MediaInfo("cat.jpg", "image", id="m_2", size=2000),
    )
    fake.emit("media", media=fake.media)
    fake.settle(0.1)
    assert statuses(up) == {"song.mp3": "uploaded", "cat.jpg": "uploaded"}
    items = {i.name: i for i in up._items}
    assert items["cat.jpg"].thumb.format == "jpeg"  # fetched via session.athumbnail
    assert items["song.mp3"].thumb.format == "svg+xml"  # an icon for audio
    assert ("thumbnail", "song.mp3") not in fake.calls
    assert "2.9 MB" in items["song.mp3"].info.value
    # a new session without them: the rows say so
    fake.media = ()
    fake.emit("media", media=())
    assert set(statuses(up).values()) == {"gone"}


def test_a_widget_made_later_shows_the_media_already_uploaded(fake) -> None:
    fake.media = (MediaInfo("a.jpg", "image", id="m_1"),)
    assert statuses(Uploader(fake)) == {"a.jpg": "uploaded"}


def test_files_upload_one_after_another_in_order(fake, media_dir: Path) -> None:
    """The upload order is the photos' order on the timeline: sequential, in the listed order."""
    up = Uploader(fake)
    fake.gate.clear()
    up.add(media_dir)
    fake.settle(0.05)
    assert statuses(up) == {
        "music.wav": "uploading",
        "photo_1.jpg": "queued",
        "photo_2.jpg": "queued",
        "photo_3.jpg": "queued",
    }
    {i.name: i for i in up._items}["photo_2.jpg"].remove.click()  # drop a queued one
    fake.gate.set()
    fake.settle(0.2)
    assert [m.filename for m in fake.media] == ["music.wav", "photo_1.jpg", "photo_3.jpg"]
    assert statuses(up) == {
        "music.wav": "uploaded",
        "photo_1.jpg": "uploaded",
        "photo_3.jpg": "uploaded",
    }


def test_removing_the_file_being_uploaded_cancels_it(fake, media_dir: Path) -> None:
    up = Uploader(fake)
    fake.gate.clear()
    up.add(media_dir / "photo_1.jpg", media_dir / "photo_2.jpg")
    fake.settle(0.05)
    up._items[0].remove.click()
    fake.settle(0.05)
    fake.gate.set()
    fake.settle(0.2)
    assert [m.filename for m in fake.media] == ["photo_2.jpg"]
    assert statuses(up) == {"photo_2.jpg": "uploaded"}
    assert "cancelled" in up._note.value


def test_remove_button_is_labelled(fake, media_dir: Path) -> None:
    up = Uploader(fake)
    up.add(media_dir / "readme.txt")
    assert up._items[0].remove.tooltip == "Remove readme.txt from the list"
