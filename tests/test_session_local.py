"""The Session end to end on the local backend: a real server on loopback, real MP4s.

One Session per module (the steps build on each other like a user's notebook):
upload, prompt, draft and history, export decoded with PyAV, routed actions,
observers, the sync API from inside a running loop, async twins, the token
kept out of every repr and log line.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from pathlib import Path

import av
import pytest

from nemowidgets.api.errors import DraftError, MediaError, UnsupportedFileError
from nemowidgets.draft import Draft
from nemowidgets.samples import make_music, make_photo
from nemowidgets.session import ExportResult, Session, SessionEvent, Turn
from tests.support.isolation import isolate

PROMPT = "make a slideshow with transitions and music"


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Path]:
    folder = tmp_path_factory.mktemp("media")
    photos = [make_photo(folder / f"photo_{i + 1}.jpg", i, size=(320, 240)) for i in range(3)]
    return photos, make_music(folder / "music.wav", 4.0)


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory):
    """A local Session and the list of every event it emitted."""
    mp = pytest.MonkeyPatch()
    isolate(mp, tmp_path_factory.mktemp("env"))
    session = Session.local(
        data_dir=tmp_path_factory.mktemp("data"), export_dir=tmp_path_factory.mktemp("exports")
    )
    seen: list[SessionEvent] = []
    threads: set[str] = set()

    def record(event: SessionEvent) -> None:
        threads.add(threading.current_thread().name)
        seen.append(event)

    session.observe(record)
    yield session, seen, threads
    session.close()
    mp.undo()


def _decoded_duration(path: Path) -> tuple[float, int, int, float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate)
        frames = sum(1 for _ in container.decode(video=0))
        return frames / fps, stream.codec_context.width, stream.codec_context.height, fps


def test_1_upload_prompt_draft_export(studio, media) -> None:
    session, seen, threads = studio
    photos, music = media
    assert session.backend == "local"
    assert session.base_url.startswith("http://127.0.0.1:")
    uploaded = session.upload([*photos, music])
    assert [m.file_type for m in uploaded] == ["image", "image", "image", "audio"]
    assert session.media == tuple(uploaded)

    turn = session.send(PROMPT)
    assert isinstance(turn, Turn)
    assert (turn.action, turn.ok) == ("agent", True)
    assert "slideshow" in turn.reply.lower()
    assert any(e.kind == "tool_call" for e in turn.events)  # kept for a debug view
    assert all(e.kind != "keepalive" for e in turn.events)
    draft = session.draft
    assert isinstance(draft, Draft)
    assert draft.is_exportable
    assert session.history == (draft,)
    assert turn.draft is draft
    assert turn.diff.startswith("New timeline: Timeline (2 tracks)")
    frame = draft.to_dataframe()
    assert list(frame["kind"]) == ["photo"] * 3 + ["audio"]
    assert list(frame["name"]) == ["photo_1.jpg", "photo_2.jpg", "photo_3.jpg", "music.wav"]
    assert session.balance is not None

    result = session.export(quality="preview")
    assert isinstance(result, ExportResult)
    assert result.path.exists()
    assert result.path.parent == session.export_dir.resolve()
    assert re.fullmatch(r"slideshow-v\d+-preview\.mp4", result.path.name), result.path.name
    assert session.exports == (result,)
    duration, width, height, fps = _decoded_duration(result.path)
    assert abs(duration - draft.duration) <= 1 / fps + 1e-6
    assert result.duration == pytest.approx(draft.duration, abs=0.1)
    assert (result.width, result.height) == (width, height)
    progress = [e.data["job"].progress for e in seen if e.kind == "render_progress"]
    assert progress[-1] == 100
    assert progress == sorted(progress)

    # Observers: on the Session's thread, in a sensible order.
    assert threads == {"nemowidgets-session"}
    kinds = [e.kind for e in seen]
    order = [
        "connected",
        "media",
        "turn_started",
        "agent_event",
        "draft",
        "turn_finished",
        "render_started",
        "render_progress",
        "render_done",
    ]
    positions = [kinds.index(k) for k in order]
    assert positions == sorted(positions), kinds
    busy = [(e.data["busy"], e.data["what"]) for e in seen if e.kind == "busy"]
    assert busy[:2] == [(True, "upload"), (False, None)]
    assert (True, "turn") in busy
    assert (True, "export") in busy
    assert busy[-1] == (False, None)
    assert not session.busy


def test_2_edit_diff_history_and_restore(studio) -> None:
    session, seen, _ = studio
    first = session.draft
    turn = session.send("make the second photo 5 seconds")
    assert "Photo 2 duration 3s → 5s" in turn.diff
    assert "Music duration" not in turn.diff  # the music just follows the length
    assert len(session.history) == 2
    assert session.draft.duration == pytest.approx(first.duration + 2)
    drafts = [e for e in seen if e.kind == "draft"]
    assert drafts[-1].data["diff"] == turn.diff
    assert drafts[-1].data["version"] == session.draft.version

    restored = session.restore(0)
    assert restored.raw == first.raw  # a new version of the server's draft, as it was at v1
    assert restored.version == session.history[-2].version + 1
    assert session.draft is restored
    assert seen[-2].kind == "draft"
    assert seen[-2].data["restored"] is True
    assert "Photo 2 duration 5s → 3s" in seen[-2].data["diff"]
    session.state()  # the server's draft is the restored one
    assert session.draft is restored
    with pytest.raises(Exception, match="No draft version 9"):
        session.restore(9)


def test_3_routed_actions_never_reach_the_agent(studio) -> None:
    session, _, _ = studio
    credits = session.send("how many credits do I have left?")
    assert credits.action == "credits"
    assert credits.reply.startswith("Credits: 100 available")
    assert session.balance.available == 100
    status = session.send("show tracks")
    assert status.action == "status"
    assert status.reply.startswith("Timeline (2 tracks)")
    assert "Media: 4 file(s)" in status.reply
    upload = session.send("上传")
    assert upload.action == "upload"
    assert "session.upload(" in upload.reply
    assert [e.kind for e in upload.events] == ["notice"]


def test_4_export_through_a_prompt(studio) -> None:
    session, _, _ = studio
    turn = session.send("export a preview")
    assert turn.action == "export"
    assert turn.ok
    assert session.exports[-1].quality == "preview"
    assert str(session.exports[-1].path) in turn.reply


def test_4b_export_in_a_resolution_renders_that_size(studio) -> None:
    """ "export it in 360p": the MP4 decodes at 640x360, the draft itself stays 1080p."""
    session, _, _ = studio
    assert (session.draft.width, session.draft.height) == (1920, 1080)
    turn = session.send("export it in 360p")
    assert (turn.action, turn.ok) == ("export", True), turn.reply
    result = session.exports[-1]
    assert result.quality == "high"
    _, width, height, _ = _decoded_duration(result.path)
    assert (width, height) == (result.width, result.height) == (640, 360)
    assert "640x360" in turn.reply
    assert (session.draft.width, session.draft.height) == (1920, 1080)


def test_5_sync_api_inside_a_running_event_loop(studio) -> None:
    """As in a notebook cell: the kernel's loop is running while the sync call blocks."""
    session, _, _ = studio

    async def cell() -> tuple[Turn, dict]:
        assert asyncio.get_running_loop().is_running()
        return session.send("status"), session.state()

    turn, state = asyncio.run(cell())
    assert turn.action == "status"
    assert Draft.from_state(state) == session.history[-1]  # the server's latest draft


def test_6_async_twins_from_another_loop(studio, media) -> None:
    session, _, _ = studio
    photos, _ = media

    async def main() -> tuple:
        credits = await session.acredits()
        state = await session.astate()
        turn = await session.asend("status")
        uploaded = await session.aupload(("extra.jpg", photos[0].read_bytes()))
        thumb = await session.athumbnail(uploaded[0])
        return credits, state, turn, uploaded, thumb

    credits, state, turn, uploaded, thumb = asyncio.run(main())
    assert credits.available == 100
    assert "state" in state
    assert turn.action == "status"
    assert uploaded[0].filename == "extra.jpg"
    assert thumb[:2] == b"\xff\xd8"


def test_7_thumbnails(studio) -> None:
    session, _, _ = studio
    photo, music = session.media[0], session.media[3]
    first = session.thumbnail(photo)
    assert first[:2] == b"\xff\xd8"
    assert session.thumbnail(photo) is first  # cached
    assert session.thumbnail(music) is None


def test_8_submit_reports_failures_as_events(studio, tmp_path: Path) -> None:
    session, seen, _ = studio
    errors: list[SessionEvent] = []
    done = threading.Event()
    unsubscribe = session.observe(lambda e: (errors.append(e), done.set()), kinds=["error"])
    bad = tmp_path / "notes.txt"
    bad.write_text("not a photo")
    future = session.submit(session.aupload(bad))
    with pytest.raises(UnsupportedFileError):
        future.result(30)
    assert done.wait(5)
    assert isinstance(errors[0].data["error"], UnsupportedFileError)
    assert "notes.txt" in errors[0].data["message"]
    assert errors[0].data["hint"]
    assert session.last_error is errors[0].data["error"]
    unsubscribe()
    with pytest.raises(MediaError, match="no such file"):
        session.upload(tmp_path / "missing.jpg")
    assert len(errors) == 1  # unsubscribed
    assert seen[-1].kind == "error"


def test_9_a_raising_observer_never_breaks_the_session(studio, caplog) -> None:
    session, _, _ = studio
    calls: list[str] = []

    def broken(event: SessionEvent) -> None:
        calls.append(event.kind)
        raise RuntimeError("observer bug")

    unsubscribe = session.observe(broken, kinds=["turn_started", "turn_finished"])
    with caplog.at_level(logging.ERROR, logger="nemowidgets.session"):
        turn = session.send("status")
    unsubscribe()
    assert turn.ok
    assert calls == ["turn_started", "turn_finished"]
    assert "observer raised" in caplog.text
    with pytest.raises(ValueError, match="Unknown event kinds"):
        session.observe(print, kinds=["nonsense"])


@pytest.mark.usefixtures("isolated_env")
def test_10_export_needs_a_draft(tmp_path: Path) -> None:
    with Session.local(data_dir=tmp_path / "data") as fresh:
        turn = fresh.send("export")
        assert isinstance(turn.error, DraftError)
        assert "Nothing to export" in turn.reply
        with pytest.raises(DraftError):
            fresh.export(draft={"t": [{"tt": 0, "sg": []}]})
        assert fresh.last_error is not None


def test_11_dropped_session_is_reaped(tmp_path: Path) -> None:
    import gc

    s = Session.local(data_dir=tmp_path / "data")
    s.connect()
    thread = s._loop.thread
    del s
    gc.collect()
    thread.join(10)
    assert not thread.is_alive()


def test_12_token_never_in_repr_html_or_logs(studio, caplog) -> None:
    session, _, _ = studio
    token = session._client._token.reveal()  # the anonymous token the client fetched
    assert token
    with caplog.at_level(logging.DEBUG):
        session.send("status")
        session.credits()
    texts = [
        repr(session),
        str(session),
        session._repr_html_(),
        repr(session._client),
        caplog.text,
        *(repr(e) for e in session.log),
    ]
    for text in texts:
        assert token not in text
    assert session.session_id in session._repr_html_()
    assert "media" in session._repr_html_()
