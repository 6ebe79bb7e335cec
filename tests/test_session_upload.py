"""Session.start_upload on the real local server: an upload to await, or to cancel from any thread.

What the Uploader widget needs without touching the Session's loop itself: the
handle's ``cancel()`` is called on the kernel's thread while the upload runs on
the Session's.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nemowidgets.api.errors import UnsupportedFileError
from nemowidgets.samples import make_music, make_photo
from nemowidgets.session import Session, SessionEvent, Upload
from tests.support.isolation import isolate


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    isolate(monkeypatch, tmp_path / "env")
    with Session.local(data_dir=tmp_path / "data") as s:
        s.connect()
        yield s


def _until(check: object, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_a_started_upload_delivers_its_media_sync_and_async(session: Session, tmp_path) -> None:
    photo = make_photo(tmp_path / "beach.jpg", 1, size=(320, 240))
    handle = session.start_upload(photo)
    assert isinstance(handle, Upload)
    media = handle.result(30)
    assert [m.filename for m in media] == ["beach.jpg"]
    assert handle.done()
    assert not handle.cancelled()
    assert not handle.cancel()  # over: nothing to cancel

    async def from_another_loop() -> list[str]:
        other = session.start_upload(("song.wav", make_music(tmp_path / "s.wav", 1.0).read_bytes()))
        return [m.filename for m in await other]

    assert asyncio.run(from_another_loop()) == ["song.wav"]
    assert [m.filename for m in session.media] == ["beach.jpg", "song.wav"]


def test_cancel_from_another_thread_stops_the_upload(session: Session, tmp_path) -> None:
    music = make_music(tmp_path / "long.wav", 20.0)
    holder: list[Upload] = []
    handed_out = threading.Event()
    cancelled_at: list[int] = []
    seen: list[SessionEvent] = []
    session.observe(seen.append, kinds=["error", "media", "busy"])

    def progress(name: str, sent: int, total: int) -> None:  # on the Session's thread
        if not cancelled_at:
            assert handed_out.wait(5)
            cancelled_at.append(sent)
            # the kernel's thread (a widget's Remove button) cancels, not this one
            threading.Thread(target=holder[0].cancel).start()

    holder.append(session.start_upload(music, progress=progress))
    handed_out.set()
    with pytest.raises(concurrent.futures.CancelledError):
        holder[0].result(30)
    assert holder[0].cancelled()
    assert cancelled_at == [0]  # cancelled before the file's bytes went
    assert _until(lambda: not session.busy)
    assert session.media == ()
    assert not [e for e in seen if e.kind in ("error", "media")]  # a cancel is no failure
    # the Session goes on: the next upload works
    assert [m.filename for m in session.upload(music)] == ["long.wav"]


def test_the_upload_rules_are_the_sessions(session: Session, tmp_path) -> None:
    folder = tmp_path / "album"
    folder.mkdir()
    make_photo(folder / "b.jpg", 1, size=(64, 48))
    make_photo(folder / "a.png", 2, size=(64, 48))
    (folder / ".hidden.jpg").write_bytes((folder / "b.jpg").read_bytes())
    (folder / "notes.txt").write_text("not media")
    assert [p.name for p in Session.media_files_in(folder)] == ["a.png", "b.jpg"]
    assert [m.filename for m in session.upload(folder)] == ["a.png", "b.jpg"]
    Session.check_upload(folder / "a.png")
    with pytest.raises(UnsupportedFileError, match=r"notes\.txt"):
        Session.check_upload(folder / "notes.txt")
