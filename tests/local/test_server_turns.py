"""``/run_sse`` against the real agent: ADK events, stored draft versions, undo, prompt counts."""

from __future__ import annotations

import pytest

from nemowidgets import protocol as P
from tests.support.local_server import RawClient

pytest.importorskip("nemowidgets.local.agent")

SLIDESHOW = "turn my photos into a smooth video slideshow with transitions and music"


@pytest.fixture
def session(local_api: RawClient, sample_media) -> str:
    sid = local_api.new_session()
    local_api.upload_ok(
        sid,
        [
            sample_media["photo0"],
            sample_media["photo1"],
            sample_media["photo2"],
            sample_media["music"],
        ],
    )
    return sid


def test_a_turn_streams_adk_events_and_stores_a_version(local_api: RawClient, session) -> None:
    result = local_api.sse(session, SLIDESHOW)
    assert result.status == 200
    assert result.error is None
    assert not result.malformed
    events = result.events
    assert all(
        e["author"] == "nemo_agent"
        and e["invocationId"] == events[0]["invocationId"]
        and e["id"]
        and isinstance(e["timestamp"], float)
        for e in events
    )
    calls, responses = result.parts("functionCall"), result.parts("functionResponse")
    assert calls
    assert len(calls) == len(responses)
    assert [c["id"] for c in calls] == [r["id"] for r in responses]
    assert all(c["name"] == r["name"] for c, r in zip(calls, responses, strict=True))
    assert isinstance(calls[0]["args"], dict)
    assert isinstance(responses[0]["response"], dict)
    partial = [e for e in events if e["partial"]]
    final = events[-1]
    assert final["turnComplete"] is True
    assert final["partial"] is False
    assert "".join(e["content"]["parts"][0]["text"] for e in partial) == result.final_text
    assert result.final_text
    assert final["actions"]["stateDelta"]["draft_version"] == 1
    state = local_api.state(session)["state"]
    assert state["draft_version"] == 1
    draft = state["draft"]
    video = next(t for t in draft["t"] if t["tt"] == P.TRACK_VIDEO)
    assert len(video["sg"]) == 3
    assert {t["tt"] for t in draft["t"]} >= {P.TRACK_VIDEO, P.TRACK_AUDIO}
    media_ids = {m["id"] for m in state["media"]}
    assert all(s["src"] in media_ids for t in draft["t"] for s in t["sg"] if "src" in s)
    assert local_api.stats(session)["prompts"] == 1


def test_edits_make_versions_and_undo_reverts_as_a_new_version(
    local_api: RawClient, session
) -> None:
    local_api.sse(session, SLIDESHOW)
    first = local_api.state(session)["state"]["draft"]
    local_api.sse(session, "make it 9:16 for tiktok")
    second = local_api.state(session)["state"]
    assert second["draft_version"] == 2
    assert second["draft"] != first
    assert second["canvas_config"]["aspect"] == "9:16"
    result = local_api.sse(session, "undo")
    assert result.final_text
    third = local_api.state(session)["state"]
    assert third["draft_version"] == 3
    assert third["draft"] == first
    assert third["canvas_config"]["aspect"] == first["m"]["aspect"]
    assert local_api.stats(session) | {"session_id": session} == {
        "session_id": session,
        "prompts": 3,
        "drafts": 3,
        "media": 4,
        "renders": 0,
    }


def test_undo_with_nothing_to_undo(local_api: RawClient, session) -> None:
    result = local_api.sse(session, "undo")
    assert "nothing to undo" in result.final_text.lower()
    assert local_api.state(session)["state"]["draft_version"] == 0


def test_unknown_request_gets_help_and_keeps_the_draft(local_api: RawClient, session) -> None:
    local_api.sse(session, SLIDESHOW)
    before = local_api.state(session)["state"]
    result = local_api.sse(session, "please bake me a chocolate cake")
    assert result.final_text
    assert not result.parts("functionCall")
    assert "actions" not in result.events[-1]
    assert local_api.state(session)["state"] == before


def test_long_prompt_is_answered_not_run(local_api: RawClient, session) -> None:
    result = local_api.sse(session, "make it nicer " * 75_000)
    assert result.status == 200
    assert "1,050,000 characters" in result.final_text
    assert local_api.state(session)["state"]["draft_version"] == 0
    assert local_api.stats(session)["prompts"] == 1


@pytest.mark.parametrize("text", ["", "  \n\t\u3000"])
def test_empty_prompt_is_refused(local_api: RawClient, session, text) -> None:
    result = local_api.sse(session, text)
    assert result.status == 422
    assert result.body["code"] == 4000
    assert "empty" in result.body["message"]


def test_run_sse_needs_a_known_session(local_api: RawClient) -> None:
    result = local_api.sse("999", "make a slideshow")
    assert result.status == 404
    assert result.body["code"] == P.ErrorCode.SESSION_NOT_FOUND
    r = local_api.post(P.RUN_SSE_PATH, json={"session_id": local_api.new_session()})
    assert r.status_code == 422
    assert "new_message" in r.json()["message"]


def test_keepalives_while_the_agent_works(start_local_server, sample_media) -> None:
    server = start_local_server(keepalive=0.001)
    api = RawClient.anonymous(server)
    try:
        sid = api.new_session()
        api.upload_ok(sid, [sample_media["photo0"], sample_media["music"]])
        result = api.sse(sid, SLIDESHOW)
        assert result.keepalives >= 1
        assert result.events
        assert result.events[-1]["turnComplete"] is True
    finally:
        api.close()
