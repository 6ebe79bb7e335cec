"""The Session's policies under faults, against the local server with fault injection on.

Each test arms one fault on a real server and checks what the user is told and
that nothing is lost: a forgotten session is replaced (media re-uploaded), a
dropped or stalled stream is answered by polling the state (the prompt is never
re-sent, by the server's own count), a cancelled render is cancelled on the
server too, a failed render ends the turn with the cause.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from nemowidgets.api.errors import AuthError, CancelledByUser, RenderError, ServerError
from nemowidgets.api.retry import RetryPolicy, StreamPolicy
from nemowidgets.local.server.launch import start_server
from nemowidgets.samples import make_music, make_photo
from nemowidgets.session import Session, SessionEvent
from nemowidgets.session._state_file import StateFile

pytestmark = pytest.mark.fault

TOKEN = "nwl_fixed_test_token_0123456789abcdef"
FAST = StreamPolicy(keepalive_timeout=1.0, state_poll_intervals=(0.1, 0.2, 0.3))
QUICK = RetryPolicy(base=0.01, cap=0.05)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    srv = start_server(data_dir=tmp_path_factory.mktemp("data"), token=TOKEN, faults=True)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("media")
    photos = [make_photo(folder / f"p{i + 1}.jpg", i, size=(320, 240)) for i in range(3)]
    return [*photos, make_music(folder / "m.wav", 3.0)]


@pytest.fixture
def session(server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NEMO_STATE_DIR", str(tmp_path / "state"))
    server.faults.clear()
    s = Session(
        base_url=server.url,
        token=TOKEN,
        stream_policy=FAST,
        export_dir=tmp_path / "exports",
        client_options={"retry": QUICK},
    )
    seen: list[SessionEvent] = []
    s.observe(seen.append)
    s.seen = seen  # type: ignore[attr-defined]
    yield s
    s.close()
    server.faults.clear()


def _prompts(server, session_id: str) -> int:
    r = httpx.get(
        f"{server.url}/_local/stats",
        params={"session_id": session_id},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    return r.json()["data"]["prompts"]


def test_forgotten_session_is_replaced_and_media_reuploaded(session, server, media) -> None:
    session.upload(media)
    session.upload(("browser.jpg", media[0].read_bytes()))
    session.send("make a slideshow with transitions and music")
    old = session.session_id
    server.faults.arm("forget_session")
    turn = session.send("status")  # the state call meets 1002: new session, retried once
    assert server.faults.hits["forget_session"] == 1
    replaced = [e for e in session.seen if e.kind == "session_replaced"]
    assert len(replaced) == 1
    data = replaced[0].data
    assert data["old"] == old
    assert data["new"] == session.session_id != old
    assert "Re-uploaded 4 file(s) from disk" in data["message"]
    assert "Upload your media again (1 file(s) could not be re-uploaded)" in data["message"]
    assert [m.filename for m in session.media] == [p.name for p in media]
    assert turn.ok
    assert turn.reply.startswith("No timeline yet")
    cleared = [e for e in session.seen if e.kind == "draft"][-1]
    assert cleared.data["draft"] is None
    assert session.draft is None
    assert StateFile().load(session._key)["session_id"] == session.session_id


def test_unknown_session_id_on_connect_is_replaced(server, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("NEMO_STATE_DIR", str(tmp_path / "state"))
    with Session(base_url=server.url, token=TOKEN, session_id="404404404") as s:
        s.connect()
        assert s.session_id != "404404404"
        assert s.connected
        kinds = [e.kind for e in s.log]
        assert kinds.index("session_replaced") < kinds.index("connected")


def test_dropped_stream_polls_state_and_never_resends(session, server, media) -> None:
    session.upload(media)
    server.faults.arm("drop_stream")
    turn = session.send("make a slideshow with transitions and music")
    assert server.faults.hits["drop_stream"] == 1
    assert _prompts(server, session.session_id) == 1  # never re-sent
    assert "not re-sent" in turn.reply
    assert "read back from the server" in turn.reply
    assert session.draft is not None
    assert session.draft.is_exportable
    assert turn.diff.startswith("New timeline")
    assert any(e.kind == "notice" and "not re-sent" in e.data["text"] for e in session.seen)


def test_malformed_event_is_a_broken_stream(session, server, media) -> None:
    """Broken JSON in the stream: the stored draft is read back, the prompt never re-sent."""
    session.upload(media[:2])
    server.faults.arm("malformed_event")
    turn = session.send("make a slideshow")
    assert server.faults.hits["malformed_event"] == 1
    assert _prompts(server, session.session_id) == 1
    assert turn.error is None
    assert "malformed" in turn.reply
    assert "not re-sent" in turn.reply
    assert "read back from the server" in turn.reply
    stored = session.state()["state"]["draft_version"]  # what the server committed
    assert session.draft is not None
    assert session.draft.version == stored >= 1
    assert session.draft.is_exportable
    notices = [e.data["text"] for e in session.seen if e.kind == "notice"]
    assert any("malformed" in t and "not re-sent" in t for t in notices), notices


def test_failed_state_polls_are_retried_not_fatal(session, server, media) -> None:
    """A broken stream, then the first state poll fails (503 thrice): the next poll reads it."""
    session.upload(media[:2])
    server.faults.arm("drop_stream")
    server.faults.arm("http_error", times=3, status=503, path="/api/state/")
    turn = session.send("make a slideshow")
    assert server.faults.hits["http_error"] == 3
    assert _prompts(server, session.session_id) == 1
    assert turn.error is None
    assert "read back from the server" in turn.reply
    assert session.draft is not None
    assert session.draft.is_exportable


def test_state_unreadable_after_a_turn_returns_the_turn(session, server, media) -> None:
    """The agent answered, then the state read fails for good: the turn (and its reply) is
    returned with the error and advice, not raised - raising would invite a re-send."""
    session.upload(media[:2])
    server.faults.arm("http_error", times=None, status=503, path="/api/state/")
    turn = session.send("make a slideshow")
    server.faults.clear()
    assert _prompts(server, session.session_id) == 1
    assert isinstance(turn.error, ServerError)
    assert "could not be read back" in turn.reply
    assert "session.state()" in turn.reply
    assert any(e.kind == "text" and not e.data.get("synthesized") for e in turn.events)
    assert session.draft is None  # not read yet...
    session.state()
    assert session.draft is not None  # ...and now it is
    assert session.draft.is_exportable


def test_stalled_stream_gives_up_and_says_so(session, server, media) -> None:
    session.upload(media[:1])
    session.send("make a slideshow")
    server.faults.arm("stall_stream", seconds=10, interval=0.2)
    started = time.monotonic()
    turn = session.send("make the first photo 4 seconds")
    assert time.monotonic() - started < 8
    assert _prompts(server, session.session_id) == 2
    assert "not re-sent" in turn.reply
    assert isinstance(turn.draft.duration, float)


def test_cancel_stops_the_render_on_the_server(session, server, media) -> None:
    session.upload(media)
    session.send("make a slideshow")
    server.faults.arm("render_stall", seconds=30)
    started = threading.Event()
    session.observe(lambda e: started.set(), kinds=["render_started"])
    future = session.submit(session.aexport("preview"))
    assert started.wait(30)
    job_id = next(e.data["job"].id for e in session.seen if e.kind == "render_started")
    assert StateFile().renders(session._key)[0]["id"] == job_id
    session.cancel()
    with pytest.raises(CancelledByUser):
        future.result(30)
    r = httpx.get(
        f"{server.url}/api/render/proxy/lambda/{job_id}",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert r.json()["data"]["status"] == "cancelled"
    assert StateFile().renders(session._key) == []
    assert not session.busy
    assert any(e.kind == "notice" and e.data["text"] == "Cancelled." for e in session.seen)


def test_failed_render_ends_the_turn_with_its_cause(session, server, media) -> None:
    session.upload(media)
    session.send("make a slideshow")
    server.faults.arm("render_fail", message="segment seg_2: cannot decode p2.jpg")
    turn = session.send("export")
    assert isinstance(turn.error, RenderError)
    assert "cannot decode p2.jpg" in turn.reply
    assert StateFile().renders(session._key) == []
    errors = [e for e in session.seen if e.kind == "error"]
    assert isinstance(errors[-1].data["error"], RenderError)


def test_expired_own_token_raises_with_advice(session, server) -> None:
    session.connect()
    server.faults.arm("expire_token")
    with pytest.raises(AuthError) as info:
        session.send("status")
    assert "NEMO_TOKEN" in str(info.value)
    assert TOKEN not in str(info.value)
    assert session.last_error is info.value


def test_cancel_a_turn_that_hangs(server, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("NEMO_STATE_DIR", str(tmp_path / "state"))
    patient = StreamPolicy(keepalive_timeout=60.0)
    with Session(base_url=server.url, token=TOKEN, stream_policy=patient) as s:
        s.connect()
        finished: list[SessionEvent] = []
        s.observe(finished.append, kinds=["turn_finished"])
        server.faults.arm("stall_stream", seconds=30, interval=0.2)
        started = threading.Event()
        s.observe(lambda e: started.set(), kinds=["turn_started"])
        future = s.submit(s.asend("make a slideshow"))
        assert started.wait(10)
        time.sleep(0.3)  # inside the stream now
        assert s.busy
        s.cancel()
        with pytest.raises(CancelledByUser):
            future.result(10)
        s.credits()  # a round trip: the events are surely delivered
        assert isinstance(finished[-1].data["turn"].error, CancelledByUser)
        assert not s.busy
        assert _prompts(server, s.session_id) == 1


def test_export_after_a_forgotten_session_uses_the_reuploaded_media(session, server, media) -> None:
    """1002 on export: the draft's media ids are moved to the re-uploads, and it renders."""
    session.upload(media[:2])
    session.send("make a slideshow")
    draft = session.draft
    old_ids = {
        seg.raw["src"] for track in draft.tracks for seg in track.segments if seg.raw.get("src")
    }
    old = session.session_id
    server.faults.arm("forget_session", session_id=old)
    result = session.export("preview", draft=draft)
    assert session.session_id != old
    assert result.duration == pytest.approx(draft.duration, abs=0.2)
    new_ids = {m.id for m in session.media}
    assert old_ids.isdisjoint(new_ids)  # really different ids, remapped
    assert draft.raw["t"][0]["sg"][0]["src"] in old_ids  # the user's draft is not mutated


def test_render_survives_a_server_outage(tmp_path, monkeypatch, media) -> None:
    """The server is down for 2 s mid-render (refused connections, then a restart): the
    Session says so, keeps waiting instead of failing, and delivers the video."""
    monkeypatch.setenv("NEMO_STATE_DIR", str(tmp_path / "state"))
    srv = start_server(data_dir=tmp_path / "data", token=TOKEN, faults=True)
    try:
        with Session(
            base_url=srv.url,
            token=TOKEN,
            export_dir=tmp_path / "exports",
            render_interval=0.1,
            client_options={"retry": QUICK},
        ) as s:
            seen: list[SessionEvent] = []
            s.observe(seen.append)
            s.upload(media[:2])
            s.send("make a slideshow")
            srv.faults.arm("render_stall", seconds=30)
            progressed = threading.Event()
            s.observe(lambda e: progressed.set(), kinds=["render_progress"])
            future = s.submit(s.aexport("preview"))
            assert progressed.wait(20)
            srv.stop()
            time.sleep(2)  # several polls meet a refused connection
            srv = srv.restart()
            result = future.result(60)
            assert result.path.is_file()
            notices = [e.data["text"] for e in seen if e.kind == "notice"]
            assert any("Lost contact" in t and "still waiting" in t for t in notices), notices
            assert any("Back in contact" in t for t in notices), notices
            assert not [e for e in seen if e.kind == "error"]
    finally:
        srv.stop()
