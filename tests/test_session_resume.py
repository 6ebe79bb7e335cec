"""A kernel restart during a render: the next Session resumes the job and delivers the video.

"Restart" = the first Session is closed mid-render (what a dying kernel leaves
behind: a render job id in the session file, nobody polling it), then a brand
new Session and client are made, pointed at the same state dir.  In the second
test the in-process server dies too and comes back on a new port, as it does
when a real kernel restarts.
"""

from __future__ import annotations

import threading
from pathlib import Path

import av
import pytest

from nemowidgets.api.errors import SessionClosedError
from nemowidgets.local.server.launch import ensure_local_server
from nemowidgets.samples import make_music, make_photo
from nemowidgets.session import Session, SessionEvent
from nemowidgets.session._state_file import StateFile


@pytest.fixture
def env(tmp_path: Path, isolated_env: Path) -> Path:
    """``tmp_path``, isolated (its config dir keeps the same client id), with ``media/``."""
    folder = tmp_path / "media"
    for i in range(3):
        make_photo(folder / f"photo_{i + 1}.jpg", i, size=(320, 240))
    make_music(folder / "music.wav", 3.0)
    return tmp_path


def _start_render_then_die(tmp_path: Path) -> tuple[str, str, float]:
    """Session A uploads, prompts, starts an export and is closed mid-render."""
    first = Session.local(data_dir=tmp_path / "data", export_dir=tmp_path / "exports")
    first.upload(tmp_path / "media")
    first.send("make a slideshow with transitions and music")
    started = threading.Event()
    first.observe(lambda e: started.set(), kinds=["render_started"])
    future = first.submit(first.aexport("preview"))
    assert started.wait(30)
    session_id, key, duration = first.session_id, first._key, first.draft.duration
    first.close()  # the kernel dies: nobody polls the job any more
    with pytest.raises(SessionClosedError, match="is kept"):
        future.result(10)
    records = StateFile().renders(key)
    assert len(records) == 1
    assert records[0]["session_id"] == session_id
    assert not Path(records[0]["path"]).exists()
    return session_id, key, duration


def _resume_and_check(tmp_path: Path, session_id: str, key: str, duration: float) -> None:
    seen: list[SessionEvent] = []
    with Session.resume(data_dir=tmp_path / "data") as second:
        second.observe(seen.append)
        assert second.session_id == session_id
        assert len(second.media) == 4  # listed by the server's state
        assert second.draft is not None
        assert second.draft.duration == pytest.approx(duration)
        results = second.resume_renders()
        assert len(results) == 1
        video = results[0]
        assert video.path.exists()
        assert second.exports == (video,)
        with av.open(str(video.path)) as container:
            stream = container.streams.video[0]
            frames = sum(1 for _ in container.decode(video=0))
            assert abs(frames / float(stream.average_rate) - duration) <= 0.1
    assert StateFile().renders(key) == []  # delivered: the entry is gone
    assert StateFile().load(key)["session_id"] == session_id
    assert any(e.kind == "render_done" for e in seen)


def test_resume_after_a_kernel_restart(env: Path) -> None:
    session_id, key, duration = _start_render_then_die(env)
    _resume_and_check(env, session_id, key, duration)


def test_resume_after_the_server_restarts_too(env: Path) -> None:
    session_id, key, duration = _start_render_then_die(env)
    old = ensure_local_server(env / "data")
    old_url = old.url
    old.stop()  # the in-process server dies with the kernel
    assert ensure_local_server(env / "data").url != old_url  # a new one, on a new port
    _resume_and_check(env, session_id, key, duration)


def test_resume_without_a_record_starts_fresh(env: Path) -> None:
    with Session.resume(data_dir=env / "data") as s:
        assert s.connected
        assert s.resume_renders() == []
        first_id = s.session_id
    with Session.resume(data_dir=env / "data") as again:  # reattaches to the last session
        assert again.session_id == first_id
