"""The SQLite store on its own: users, tokens, sessions, draft versions, renders, persistence."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from nemowidgets.local.store import DuplicateRenderId, Store


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "data")
    yield s
    s.close()


def test_same_client_id_same_user_and_tokens_are_hashed(store: Store, tmp_path: Path) -> None:
    a = store.user_for_client("client-1")
    assert a == store.user_for_client("client-1")
    assert a.startswith("anon_")
    assert a != store.user_for_client("client-2")
    token, _expires = store.issue_token(a, 60)
    assert token.startswith("nwl_")
    assert store.user_for_token(token) == a
    assert store.user_for_token(token + "x") is None
    store.close()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("nemo.sqlite3*"))
    assert token.encode() not in raw  # only its hash is stored


def test_expired_token_is_refused(store: Store) -> None:
    user = store.user_for_client("c")
    token, _ = store.issue_token(user, 60)
    store.expire_token(token)
    assert store.user_for_token(token) is None
    old, _ = store.issue_token(user, -1)  # already past
    assert store.user_for_token(old) is None


def test_sessions_are_owned(store: Store) -> None:
    s = store.create_session("anon_a")
    assert s["session_id"].isdigit()
    assert len(s["session_id"]) >= 18
    assert store.get_session(s["session_id"], "anon_a") is not None
    assert store.get_session(s["session_id"], "anon_b") is None
    store.forget_session(s["session_id"])
    assert store.get_session(s["session_id"], "anon_a") is None


def test_every_draft_version_is_kept_and_undo_walks_back(store: Store) -> None:
    sid = store.create_session("u")["session_id"]
    assert store.current_draft(sid) == (0, None, None)
    assert store.undo(sid) is None
    v1 = store.add_draft(sid, {"d": 1}, parent=0)
    v2 = store.add_draft(sid, {"d": 2}, parent=v1)
    v3 = store.add_draft(sid, {"d": 3}, parent=v2)
    assert (v1, v2, v3) == (1, 2, 3)
    assert store.undo(sid) == (4, {"d": 2})
    assert store.undo(sid) == (5, {"d": 1})
    assert store.undo(sid) == (6, None)  # back to the empty start
    assert store.undo(sid) is None
    versions = store.draft_versions(sid)
    assert [v["version"] for v in versions] == [1, 2, 3, 4, 5, 6]
    assert [v["source"] for v in versions][-3:] == ["undo"] * 3


def test_concurrent_draft_writes_get_distinct_versions(store: Store) -> None:
    sid = store.create_session("u")["session_id"]
    out: list[int] = []

    def write(i: int) -> None:
        out.append(store.add_draft(sid, {"i": i}, parent=None))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(out) == list(range(1, 21))


def test_prompt_counts(store: Store) -> None:
    sid = store.create_session("u")["session_id"]
    assert store.prompt_count(sid) == 0
    store.count_prompt(sid)
    assert store.count_prompt(sid) == 2
    assert store.user_stats("u")[sid]["prompts"] == 2
    assert store.user_stats("someone else") == {}


def test_render_ids_are_unique_and_updates_compare_and_set(store: Store) -> None:
    sid = store.create_session("u")["session_id"]
    job = store.create_render(
        "render_1", session_id=sid, user_id="u", quality="preview", draft={"t": []}
    )
    assert job["status"] == "pending"
    assert job["draft"] == {"t": []}
    with pytest.raises(DuplicateRenderId):
        store.create_render("render_1", session_id=sid, user_id="u", quality="high", draft={})
    assert store.update_render("render_1", status="cancelled", only_if_status=("pending",))
    assert not store.update_render("render_1", status="completed", only_if_status=("pending",))
    assert store.get_render("render_1")["status"] == "cancelled"


def test_claim_render_takes_only_from_the_expected_owner(store: Store) -> None:
    sid = store.create_session("u")["session_id"]
    store.create_render("r", session_id=sid, user_id="u", quality="preview", draft={})
    assert store.claim_render("r", "1:a", None)
    assert not store.claim_render("r", "2:b", None)  # someone owns it now
    assert store.claim_render("r", "2:b", "1:a")
    assert store.get_render("r")["owner"] == "2:b"


def test_everything_survives_reopening(tmp_path: Path) -> None:
    first = Store(tmp_path / "d")
    user = first.user_for_client("c")
    token, _ = first.issue_token(user, 60)
    sid = first.create_session(user)["session_id"]
    first.add_draft(sid, {"d": 1}, parent=0)
    first.add_media(
        [
            {
                "id": "m_1",
                "session_id": sid,
                "filename": "a.jpg",
                "file_type": "image",
                "format": "jpeg",
                "path": "media/x/m_1.jpg",
                "size": 3,
            }
        ]
    )
    first.create_render("r", session_id=sid, user_id=user, quality="high", draft={"d": 1})
    first.close()
    again = Store(tmp_path / "d")
    try:
        assert again.user_for_token(token) == user
        assert again.get_session(sid, user) is not None
        assert again.current_draft(sid)[:2] == (1, {"d": 1})
        assert [m["id"] for m in again.list_media(sid)] == ["m_1"]
        assert [r["id"] for r in again.unfinished_renders()] == ["r"]
    finally:
        again.close()
