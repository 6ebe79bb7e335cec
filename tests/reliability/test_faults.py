"""The fault matrix: one named test per way the backend can let a user down.

Each scenario makes the real local server misbehave on cue (its fault switch,
``nemowidgets.local.faults``), drives a real ``Session.local`` through it, and
asserts two things: what the user is told (the Session's ``notice`` / ``error``
events, the exception or the turn's reply), and that nothing is lost (uploads,
draft versions, finished renders).  After a broken stream the prompt must never
be re-sent; the server's own count of prompts received proves it.

Clocks are shrunk (keep-alive timeout 1 s, state polls 0.1 s, retry backoff
10-50 ms) so the whole matrix runs in well under a minute.
"""

from __future__ import annotations

import email.utils
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nemowidgets.api import errors as E
from nemowidgets.api.retry import RetryPolicy, StreamPolicy
from nemowidgets.local.server.launch import ensure_local_server, start_server
from nemowidgets.protocol import RENDER_CANCELLED, RENDER_COMPLETED
from nemowidgets.session import Session
from tests.reliability.faultkit import Recorder, User, decode_duration, wait_for
from tests.support.isolation import isolate

pytestmark = pytest.mark.fault

POLICY = StreamPolicy(
    still_working_every=0.5,
    keepalive_timeout=1.0,
    total_timeout=30.0,
    state_poll_intervals=(0.1, 0.2, 0.3, 0.4, 0.5),
)
FAST = RetryPolicy(base=0.01, cap=0.05, rate_limit_wait=0.2, max_rate_limit_wait=10.0)
#: Survives a server restart (~1 s of refused connections) while polling a render.
PATIENT = RetryPolicy(max_retries=6, base=0.2, cap=1.0, jitter=0.0)
SLIDESHOW = "make a slideshow with 1 second per photo"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("faults")
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, root)
        mp.setenv("NEMO_FAULTS", ",")  # a fault plan with nothing armed: the switch is on
        yield root / "data"
        if (root / "data").exists():
            ensure_local_server(root / "data").stop()


def _session(data_dir: Path, tmp: Path, retry: RetryPolicy = FAST, **kw: Any) -> Session:
    return Session.local(
        data_dir=data_dir,
        client_id=str(uuid.uuid4()),
        stream_policy=POLICY,
        client_options={"retry": retry},
        export_dir=tmp / "exports",
        **kw,
    )


def _user(data_dir: Path, tmp: Path, retry: RetryPolicy = FAST, **kw: Any) -> User:
    s = _session(data_dir, tmp, retry, **kw)
    return User(s, Recorder(s), ensure_local_server(data_dir))


@pytest.fixture
def user(data_dir: Path, tmp_path: Path, tiny_media: dict[str, Path]) -> Iterator[User]:
    """A fresh Session with 2 photos and music uploaded, its events recorded.

    After every scenario (faults disarmed) it checks that nothing was lost: the
    server still has the uploads and every draft version the user saw, and every
    video the user got is still on disk and still served.
    """
    u = _user(data_dir, tmp_path)
    u.s.upload([tiny_media["photo0"], tiny_media["photo1"], tiny_media["music"]])
    yield u
    u.plan.clear()
    try:
        _nothing_lost(u)
    finally:
        u.s.close()


def _nothing_lost(u: User) -> None:
    state = u.s.state()["state"]
    assert len(state["media"]) == 3, "an upload was lost (or duplicated)"
    seen = [d.version for d in u.s.history if d.version is not None]
    assert state["draft_version"] >= max(seen, default=0), "a draft version was lost"
    done = {g["id"] for g in state["generated_media"] if g["status"] == RENDER_COMPLETED}
    for export in u.s.exports:
        assert export.path.is_file(), f"{export.path} vanished"
        if u.s.session_id == export.job.session_id:
            assert export.job.id in done, f"render {export.job.id} is no longer served"


def _intact(s: Session, media: int = 3, versions: int | None = None) -> None:
    """Nothing lost: the server still has the media and every draft version."""
    state = s.state()["state"]
    assert len(state["media"]) == media
    if versions is not None:
        assert state["draft_version"] >= versions


# -- the stream ----------------------------------------------------------------------------
def test_sse_dropped_mid_turn(user) -> None:
    """Stream cut after its first event: user told, draft read back, prompt not re-sent."""
    s, rec, plan, before = user.s, user.rec, user.plan, user.prompts()
    plan.arm("drop_stream")
    turn = s.send(SLIDESHOW)
    assert user.fired("drop_stream") == 1
    assert user.prompts() == before + 1, "the prompt was re-sent"
    assert "not re-sent" in turn.reply, turn.reply
    assert "read back" in turn.reply, turn.reply
    assert any("not re-sent" in text for text in rec.notices())
    assert s.draft is not None
    assert s.draft.segment_count >= 2
    assert not rec.errors()
    _intact(s, versions=1)


def test_sse_stalled_keepalives_only(user) -> None:
    """Only keep-alives: "Still working…", then give up after 1 s; state polled, no re-send."""
    s, plan = user.s, user.plan
    s.send(SLIDESHOW)
    before = user.prompts()
    plan.arm("stall_stream", seconds=30, interval=0.2)
    started = time.monotonic()
    turn = s.send("make it 9:16")
    assert time.monotonic() - started < 10
    assert user.prompts() == before + 1
    texts = [e.text for e in turn.events if e.kind == "notice"]
    assert any("Still working" in t for t in texts), texts
    assert "stalled" in turn.reply, turn.reply
    assert "not re-sent" in turn.reply, turn.reply
    assert s.draft is not None
    assert s.draft.height > s.draft.width
    _intact(s, versions=2)


def test_malformed_event_json(user) -> None:
    """A half-written event: the user is told, the committed edit is read back, no re-send."""
    s, rec, plan, before = user.s, user.rec, user.plan, user.prompts()
    plan.arm("malformed_event")
    try:
        turn = s.send(SLIDESHOW)
        told = turn.reply + " ".join(rec.notices() + rec.errors())
    except E.NemoError as exc:  # allowed, if the draft is still read back below
        told = str(exc)
    assert user.fired("malformed_event") == 1
    assert "JSON" in told or "malformed" in told.lower(), told
    assert user.prompts() == before + 1, "the prompt was re-sent"
    # Read from the server's store, not s.state(): that would adopt the draft by itself.
    committed = user.store.current_draft(s.session_id)[0]
    assert committed >= 1
    assert s.draft is not None, "the edit the server committed never reached the Session"
    assert s.draft.version == committed


# -- HTTP errors -----------------------------------------------------------------------------
def test_5xx_then_success(user) -> None:
    """One 503 on an idempotent call: retried silently, the user sees nothing."""
    s, rec, plan = user.s, user.rec, user.plan
    plan.arm("http_error", times=1, status=503, path="/api/credits")
    assert s.credits().available == 100
    assert user.fired("http_error") == 1
    plan.arm("http_error", times=2, status=502, path="/api/state")
    assert len(s.state()["state"]["media"]) == 3
    assert user.fired("http_error") == 3
    assert not rec.errors()


def test_5xx_persistent(user) -> None:
    """503 forever: 2 retries, then a ServerError naming the call; an upload is never retried."""
    s, rec, plan = user.s, user.rec, user.plan
    plan.arm("http_error", times=None, status=503, path="/api/credits")
    with pytest.raises(E.ServerError) as caught:
        s.credits()
    assert user.fired("http_error") == 3  # the call and 2 retries, no more
    assert "credits" in str(caught.value)
    assert "503" in str(caught.value)
    assert rec.errors()
    assert "credits" in rec.errors()[-1]
    plan.clear()
    plan.arm("http_error", times=None, status=500, path="/api/upload-video")
    with pytest.raises(E.ServerError):
        s.upload(("extra.jpg", _jpeg()))
    assert user.fired("http_error") == 4, "a non-idempotent upload was retried"
    plan.clear()
    _intact(s)  # nothing half-uploaded, nothing lost


def test_429_retry_after_seconds(user) -> None:
    """429 with ``Retry-After: 1``: waits a second, retries once, succeeds silently."""
    s, rec, plan = user.s, user.rec, user.plan
    plan.arm("rate_limit", times=1, retry_after="1", path="/api/credits")
    started = time.monotonic()
    assert s.credits().available == 100
    assert 0.9 <= time.monotonic() - started < 5
    assert user.fired("rate_limit") == 1
    assert not rec.errors()


def test_429_retry_after_http_date(user) -> None:
    """429 with an HTTP-date ``Retry-After`` 2 s ahead: waited for, then success."""
    s, rec, plan = user.s, user.rec, user.plan
    when = email.utils.formatdate(time.time() + 2, usegmt=True)
    plan.arm("rate_limit", times=1, retry_after=when, path="/api/credits")
    started = time.monotonic()
    assert s.credits().available == 100
    assert 0.5 <= time.monotonic() - started < 5  # HTTP dates have 1 s resolution
    assert not rec.errors()


def test_429_persistent_tells_user_to_wait(user) -> None:
    """429 twice: one retry only, then a RateLimitedError with the wait in it."""
    s, rec, plan = user.s, user.rec, user.plan
    plan.arm("rate_limit", times=None, retry_after="1", path="/api/credits")
    with pytest.raises(E.RateLimitedError) as caught:
        s.credits()
    assert user.fired("rate_limit") == 2
    assert caught.value.retry_after == 1
    assert rec.errors()


# -- tokens and sessions -------------------------------------------------------------------
def test_expired_anonymous_token_silently_renewed(user) -> None:
    """1001 on an anonymous token: a new token (same client id, same user), no error shown."""
    s, rec, plan = user.s, user.rec, user.plan
    s.send(SLIDESHOW)
    plan.arm("expire_token")
    data = s.state()  # the expired token is really dead; a new one must be fetched
    assert user.fired("expire_token") == 1
    assert len(data["state"]["media"]) == 3  # same user: the same session and media
    assert not rec.errors()
    assert s.credits().available == 100


def test_expired_fixed_token_clear_auth_error(tmp_path: Path) -> None:
    """1001 with the user's own token: a clear AuthError saying what to do, token never shown."""
    token = "nwl_fixed_" + uuid.uuid4().hex
    server = start_server(data_dir=tmp_path / "fixed", token=token, faults=True)
    try:
        s = Session.cloud(
            token=token, base_url=server.url, client_options={"retry": FAST}, export_dir=tmp_path
        )
        rec = Recorder(s)
        s.connect()
        server.faults.arm("expire_token")
        with pytest.raises(E.AuthError) as caught:
            s.credits()
        text = str(caught.value) + repr(caught.value) + " ".join(rec.errors())
        assert "NEMO_TOKEN" in text
        assert token not in text
        assert token not in repr(s)
        assert server.faults.hits["expire_token"] == 1  # no anonymous fallback with a fixed token
        s.close()
    finally:
        server.stop()


def test_session_forgotten_new_session_user_told(user) -> None:
    """1002: a new session, the user told why, uploads re-sent from disk, history kept."""
    s, rec, plan = user.s, user.rec, user.plan
    s.send(SLIDESHOW)
    old, history = s.session_id, len(s.history)
    plan.arm("forget_session", session_id=old)
    turn = s.send("make it 9:16")
    assert s.session_id != old
    replaced = rec.of("session_replaced")
    assert replaced
    assert old in replaced[0]["message"]
    assert "Re-uploaded 3" in replaced[0]["message"]
    assert len(s.media) == 3
    assert len(s.history) >= history
    assert turn.error is None
    _intact(s)


# -- renders ---------------------------------------------------------------------------------
def test_render_fails_user_told_earlier_render_kept(user) -> None:
    """A failed render: RenderError with the server's reason; the earlier video stays."""
    s, rec, plan = user.s, user.rec, user.plan
    s.send(SLIDESHOW)
    first = s.export("preview")
    plan.arm("render_fail", message="Disk full while writing frame 12 of seg_2.")
    with pytest.raises(E.RenderError) as caught:
        s.export("preview")
    assert "seg_2" in str(caught.value)
    assert "Disk full" in str(caught.value)
    assert rec.errors()
    assert first.path.is_file()
    assert decode_duration(first.path) == pytest.approx(2, abs=0.2)
    assert len(s.exports) == 1
    assert s.state()["state"]["generated_media"][0]["status"] == RENDER_COMPLETED


def test_render_fails_on_corrupt_media_names_file_and_segment(user) -> None:
    """A photo corrupted on the server's disk: the failure names the segment and the file."""
    s = user.s
    s.send(SLIDESHOW)
    victim = s.media[1]
    store = user.store
    stored = store.data_dir / store.get_media(victim.id, s.session_id)["path"]
    stored.write_bytes(stored.read_bytes()[:200])
    segment = next(
        seg["id"]
        for track in s.draft.raw["t"]
        for seg in track["sg"]
        if seg.get("src") == victim.id
    )
    with pytest.raises(E.RenderError) as caught:
        s.export("preview")
    message = str(caught.value)
    assert segment in message, message
    assert victim.filename in message, message


def test_render_stalls_cancel_works(user) -> None:
    """A render stuck at 0 %: cancel() stops it here and on the server; the user is told."""
    s, rec, plan = user.s, user.rec, user.plan
    s.send(SLIDESHOW)
    plan.arm("render_stall", seconds=60)
    future = s.submit(s.aexport("preview"))
    job = wait_for(lambda: rec.of("render_progress"), 10)[0]["job"]
    s.cancel()
    with pytest.raises(E.CancelledByUser):
        future.result(timeout=10)
    assert "Cancelled." in rec.notices()
    status = user.store.get_render(job.id)["status"]
    assert status == RENDER_CANCELLED
    assert s.export("preview").duration == pytest.approx(2, abs=0.2)  # and the next one works


def test_render_stalls_timeout_message(user) -> None:
    """Polling with a deadline: a RenderError that says it may still finish."""
    import asyncio

    from nemowidgets.api.client import NemoClient

    user.s.send(SLIDESHOW)
    server = user.server
    server.faults.arm("render_stall", seconds=60)

    async def run() -> E.RenderError:
        client = NemoClient(server.url, client_id=str(uuid.uuid4()), local_secret=server.secret)
        try:
            sid = (await client.create_session()).session_id
            media = await client.upload(sid, [("p.jpg", _jpeg())])
            draft = {
                "t": [
                    {
                        "tt": 0,
                        "sg": [
                            {"id": "seg_1", "s": 0, "d": 1000, "src": media[0].id, "k": "image"}
                        ],
                    }
                ],
                "d": 1000,
            }
            job = await client.export(sid, draft, "preview")
            with pytest.raises(E.RenderError) as caught:
                await client.wait_render(job.id, interval=0.1, timeout=1.0)
            await client.cancel_render(job.id)
            return caught.value
        finally:
            await client.aclose()

    err = asyncio.run(run())
    assert "did not finish within 1 s" in str(err)
    assert "may still finish" in str(err)


# -- restarts --------------------------------------------------------------------------------
def test_server_restarted_between_calls(
    data_dir: Path, tmp_path: Path, tiny_media: dict[str, Path]
) -> None:
    """Stop and start the server: the next calls just work; media, drafts and videos survive."""
    u = _user(tmp_path / "own", tmp_path, retry=PATIENT)
    s, server = u.s, u.server
    try:
        s.upload([tiny_media["photo0"], tiny_media["photo1"]])
        s.send(SLIDESHOW)
        first = s.export("preview")
        server = server.restart()
        state = s.state()["state"]
        assert len(state["media"]) == 2
        assert state["draft_version"] >= 1
        assert state["generated_media"][0]["status"] == RENDER_COMPLETED
        assert len(s.thumbnail(s.media[0]) or b"") > 100  # media still served
        turn = s.send("make it 9:16")
        assert turn.error is None
        assert s.draft.height > s.draft.width
        second = s.export("preview")
        assert second.height > second.width
        assert first.path.is_file()
    finally:
        s.close()
        server.stop()


def test_server_restarted_during_render(
    data_dir: Path, tmp_path: Path, tiny_media: dict[str, Path]
) -> None:
    """Restart mid-render: the new server re-queues the job and the Session gets its video."""
    u = _user(tmp_path / "own", tmp_path, retry=PATIENT)
    s, rec, server = u.s, u.rec, u.server
    try:
        s.upload([tiny_media["photo0"], tiny_media["photo1"]])
        s.send(SLIDESHOW)
        server.faults.arm("render_stall", seconds=60)
        future = s.submit(s.aexport("preview"))
        job = wait_for(lambda: rec.of("render_progress"), 10)[0]["job"]
        server = server.restart()
        result = future.result(timeout=60)
        assert result.job.id == job.id
        assert decode_duration(result.path) == pytest.approx(2, abs=0.2)
        assert not rec.errors()
    finally:
        s.close()
        server.stop()


def _jpeg() -> bytes:
    from tests.support.badinputs import jpeg_bytes

    return jpeg_bytes(5)
