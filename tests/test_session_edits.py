"""Hand edits, remove_media, undo/redo and restore through the Session, on the real local server.

One Session per module, the steps building on each other like a user's notebook:
each change is a new version of the *server's* draft (``state()`` agrees), the
next prompt builds on it, a stale edit is refused without losing the prompt's
draft, and the cloud says clearly that it has none of this.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nemowidgets.api.errors import (
    ConfigurationError,
    StaleDraftError,
    UnsupportedOnCloudError,
)
from nemowidgets.draft import Draft
from nemowidgets.protocol import CLOUD_BASE_URL
from nemowidgets.samples import make_music, make_photo
from nemowidgets.session import Session, SessionEvent
from tests.support.isolation import isolate


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory):
    mp = pytest.MonkeyPatch()
    isolate(mp, tmp_path_factory.mktemp("env"))
    data = tmp_path_factory.mktemp("data")
    folder = tmp_path_factory.mktemp("media")
    files = [make_photo(folder / f"photo_{i + 1}.jpg", i, size=(320, 240)) for i in range(3)]
    files.append(make_music(folder / "music.wav", 4.0))
    session = Session.local(data_dir=data)
    seen: list[SessionEvent] = []
    session.observe(seen.append)
    session.upload(files)
    session.send("make a slideshow with crossfades and music")
    yield session, seen, data
    session.close()
    mp.undo()


def _ids(draft: Draft | None) -> list[str]:
    assert draft is not None
    return [str(seg.raw["id"]) for seg in draft.tracks[0].segments]


def _server(session: Session) -> dict:
    return session.state()["state"]["draft"]


def test_1_hand_edits_are_server_versions(studio) -> None:
    session, seen, _ = studio
    start = session.draft
    ids = _ids(start)
    assert not session.can_undo  # the first slideshow has nothing before it
    moved = session.edit("move_segment", segment=ids[0], to=2)
    assert _ids(moved) == [ids[1], ids[2], ids[0]]
    assert moved.version == start.version + 1
    assert seen[-1].kind == "draft"
    assert "Photo" in seen[-1].data["diff"]
    trimmed = session.edit("set_segment_duration", segment=ids[1], ms=4500)
    assert trimmed.tracks[0].segments[0].duration == 4.5
    assert _server(session) == trimmed.raw
    assert session.can_undo
    assert not session.can_redo
    assert session.history[-2:] == (moved, trimmed)


def test_2_undo_and_redo_round_trip(studio) -> None:
    session, _, _ = studio
    *_, start, moved, trimmed = session.history
    assert session.undo().raw == moved.raw
    assert _server(session) == moved.raw  # the server's draft really moved back
    assert session.undo().raw == start.raw
    with pytest.raises(ConfigurationError, match="nothing to undo"):
        session.undo()
    assert session.can_redo
    assert session.redo().raw == moved.raw
    assert session.redo().raw == trimmed.raw
    assert _server(session) == trimmed.raw
    assert not session.can_redo
    with pytest.raises(ConfigurationError, match="nothing to redo"):
        session.redo()


def test_3_the_next_prompt_builds_on_the_hand_edited_draft(studio) -> None:
    session, _, _ = studio
    before = _ids(session.draft)
    session.send("make the first photo 2 seconds")
    first = session.draft.tracks[0].segments[0]
    assert _ids(session.draft) == before  # the hand-made order is kept
    assert first.raw["id"] == before[0]
    assert first.duration == 2
    session.undo()  # a prompt is undone like a hand edit
    assert session.draft.tracks[0].segments[0].duration == 4.5


def test_4_remove_media_takes_it_out_of_draft_and_list(studio) -> None:
    session, seen, _ = studio
    photo = next(m for m in session.media if m.filename == "photo_2.jpg")
    count = len(session.media)
    draft = session.remove_media(photo)
    assert photo.id not in {seg.raw.get("src") for t in draft.tracks for seg in t.segments}
    assert photo not in session.media
    assert len(session.media) == count - 1
    media_events = [e for e in seen if e.kind == "media"]
    assert photo not in media_events[-1].data["media"]
    assert (
        "1 file removed from the media" in [e for e in seen if e.kind == "draft"][-1].data["diff"]
    )
    # The agent no longer sees it either.
    session.send("make a new slideshow")
    assert len(session.draft.tracks[0].segments) == 2
    session.undo()
    session.undo()
    assert photo.id in {seg.raw.get("src") for seg in session.draft.tracks[0].segments}
    assert photo.id in {m.id for m in session.media}
    with pytest.raises(ConfigurationError, match=r"'nothing\.jpg' is not one of this session"):
        session.remove_media("nothing.jpg")


def test_5_restore_sets_the_servers_draft(studio) -> None:
    session, seen, _ = studio
    first = session.history[0]
    restored = session.restore(0)
    assert restored.raw == first.raw
    assert restored.version > first.version
    assert _server(session) == first.raw
    assert [e for e in seen if e.kind == "draft"][-1].data["restored"] is True
    assert (
        "the agent's next edit builds on it"
        in [e for e in seen if e.kind == "notice"][-1].data["text"]
    )
    session.undo()  # a restore is undone like any change
    assert session.draft.raw != first.raw


def test_6_a_stale_edit_is_refused_and_the_prompt_draft_kept(studio) -> None:
    session, _, data = studio
    # Another kernel of the same user (same client id, from the shared config folder).
    other = Session.local(data_dir=data, session_id=session.session_id)
    try:
        other.send("make it 9:16")
        theirs = other.draft
    finally:
        other.close()
    ids = _ids(session.draft)
    with pytest.raises(StaleDraftError, match="Nothing was changed"):
        session.edit("move_segment", segment=ids[0], to=1)
    assert session.draft.raw == theirs.raw  # now shown, and not lost
    assert _server(session) == theirs.raw
    assert session.edit("move_segment", segment=ids[0], to=1) is not None  # on the new one


def test_bad_edit_arguments_do_nothing(studio) -> None:
    session, _, _ = studio
    before = session.draft
    with pytest.raises(ConfigurationError, match="arguments of set_fit must be JSON"):
        session.edit("set_fit", fit=object())
    with pytest.raises(Exception, match=r"edits\[0\].name: unknown edit 'fly'"):
        session.edit("fly")
    assert session.draft is before


def test_the_cloud_has_no_hand_edits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(monkeypatch, tmp_path)
    session = Session.cloud("nmv_usr_not_used", base_url=CLOUD_BASE_URL)
    try:
        for call in (lambda: session.edit("reverse_order"), session.undo, session.redo):
            with pytest.raises(UnsupportedOnCloudError, match="needs the local backend"):
                call()
        assert not session.connected  # refused before anything was sent
    finally:
        session.close()
