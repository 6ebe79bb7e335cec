"""Hand edits and setting the draft (``/_local/edits``, ``/_local/draft``) on the real server.

The same named edits as the agent's prompts; each stored as a new version with
source "edit"; a stale ``base_version`` refused with nothing changed; a removed
file hidden from the state and the agent until a version without it comes back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nemowidgets.api import DraftError, NemoClient, StaleDraftError, UnsupportedOnCloudError
from nemowidgets.local.server.launch import LocalServer
from tests.api_local.kit import new_client

PROMPT = "make a slideshow with crossfades and music"


async def _slideshow(c: NemoClient, media: dict[str, Path]) -> tuple[str, dict[str, Any]]:
    sid = (await c.create_session()).session_id
    await c.upload(sid, [media["photo0"], media["photo1"], media["photo2"], media["music"]])
    [_ async for _ in c.stream(sid, PROMPT)]
    return sid, (await c.state(sid))["state"]


def _video(state: dict[str, Any]) -> list[dict[str, Any]]:
    return next(t["sg"] for t in state["draft"]["t"] if t["tt"] == 0)


def _sources(server: LocalServer, sid: str) -> list[str]:
    store = server.app.state.ctx.store
    return [row["source"] for row in store.draft_versions(sid)]


@pytest.mark.anyio
async def test_move_and_trim_are_new_versions(server: LocalServer, sample_media) -> None:
    async with new_client(server) as c:
        sid, state = await _slideshow(c, sample_media)
        ids = [sg["id"] for sg in _video(state)]
        base = state["draft_version"]
        data = await c.apply_edits(
            sid,
            [
                {"name": "move_segment", "args": {"segment": ids[0], "to": 2}},
                {"name": "set_segment_duration", "args": {"segment": ids[1], "ms": 4500}},
            ],
            base_version=base,
        )
        after = (await c.state(sid))["state"]
    assert data["edit"] == {
        "version": base + 1,
        "changed": True,
        "applied": data["edit"]["applied"],
    }
    assert data["state"]["draft"] == after["draft"]  # the answer is the state as of then
    video = _video(after)
    assert [sg["id"] for sg in video] == [ids[1], ids[2], ids[0]]
    assert video[0]["d"] == 4500
    assert video[1]["s"] == 4500 - video[0]["tr"]["d"]  # the timing rule still holds
    assert _sources(server, sid)[-1] == "edit"


@pytest.mark.anyio
async def test_stale_base_is_refused_and_the_prompt_draft_kept(
    server: LocalServer, sample_media
) -> None:
    async with new_client(server) as c:
        sid, state = await _slideshow(c, sample_media)
        old = state["draft_version"]
        [_ async for _ in c.stream(sid, "make it 9:16")]  # a prompt moves the draft on
        moved = (await c.state(sid))["state"]
        with pytest.raises(StaleDraftError, match=f"version {old}.*version {old + 1}") as info:
            await c.apply_edits(sid, [{"name": "reverse_order", "args": {}}], base_version=old)
        with pytest.raises(StaleDraftError):
            await c.set_draft(sid, version=old, base_version=old, source="undo")
        assert (await c.state(sid))["state"] == moved
    assert info.value.status == 409
    assert "Nothing was changed" in info.value.message


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("edits", "needle"),
    [
        ([{"name": "spin_around", "args": {}}], "edits[0].name: unknown edit 'spin_around'"),
        ([{"name": "set_segment_duration", "args": {"segment": 0}}],
         "edits[0].args.ms is required"),
        ([{"name": "set_segment_duration", "args": {"segment": 0, "ms": "5s"}}],
         "edits[0].args.ms must be a whole number"),
        ([{"name": "move_segment", "args": {"segment": "seg_99", "to": 0}}],
         "edits[0].args.segment: there is no segment 'seg_99'"),
        ([{"name": "reverse_order", "args": {"fast": True}}], "edits[0].args.fast"),
        ([{"name": "reverse_order"}, {"name": "set_photo_duration", "args": {"ms": 90_000}}],
         "edits[1] (set_photo_duration): A photo can last 0.2 to 60 s"),
        ([], '"edits" must be a non-empty list'),
    ],
)  # fmt: skip
async def test_bad_edits_name_the_field_and_change_nothing(
    server: LocalServer, sample_media, edits: list[dict[str, Any]], needle: str
) -> None:
    async with new_client(server) as c:
        sid, state = await _slideshow(c, sample_media)
        with pytest.raises(DraftError) as info:
            await c.apply_edits(sid, edits, base_version=state["draft_version"])
        assert (await c.state(sid))["state"]["draft_version"] == state["draft_version"]
    assert needle in info.value.message
    assert info.value.status == 422


@pytest.mark.anyio
async def test_remove_media_hides_it_until_a_version_without_that(
    server: LocalServer, sample_media
) -> None:
    async with new_client(server) as c:
        sid, state = await _slideshow(c, sample_media)
        gone = _video(state)[1]["src"]
        base = state["draft_version"]
        data = await c.apply_edits(
            sid, [{"name": "remove_media", "args": {"media_id": gone}}], base_version=base
        )
        after = data["state"]
        assert gone not in {sg["src"] for sg in _video(after)}
        assert gone not in {m["id"] for m in after["media"]}
        # The agent no longer sees it: a new slideshow has two photos, not three.
        [_ async for _ in c.stream(sid, "make a new slideshow")]
        rebuilt = (await c.state(sid))["state"]
        assert len(_video(rebuilt)) == 2
        assert gone in rebuilt["draft"]["m"]["removed_media"]
        # Undo to the version before the removal: the file and its segment are back.
        back = await c.set_draft(
            sid, version=base, base_version=rebuilt["draft_version"], source="undo"
        )
    assert back["state"]["draft"] == state["draft"]
    assert gone in {m["id"] for m in back["state"]["media"]}
    assert _sources(server, sid)[-1] == "undo"


@pytest.mark.anyio
async def test_set_a_whole_draft_and_refuse_foreign_media(
    server: LocalServer, sample_media
) -> None:
    async with new_client(server) as c:
        sid, state = await _slideshow(c, sample_media)
        draft = state["draft"]
        draft["m"]["fit"] = "black"
        data = await c.set_draft(sid, draft=draft, base_version=state["draft_version"])
        assert data["state"]["draft"]["m"]["fit"] == "black"
        assert data["edit"]["version"] == state["draft_version"] + 1
        bad = dict(draft, t=[{"tt": 0, "sg": [{"id": "x", "s": 0, "d": 10, "src": "m_nope"}]}])
        with pytest.raises(DraftError, match="m_nope, which is not in this session"):
            await c.set_draft(sid, draft=bad)


@pytest.mark.anyio
async def test_the_cloud_has_no_edit_route() -> None:
    from tests.support.cloud_server import serve_cloud
    from tests.support.cloud_state import OWN_TOKEN

    with serve_cloud() as cloud:
        async with NemoClient(cloud.url, token=OWN_TOKEN) as c:
            sid = (await c.create_session()).session_id
            with pytest.raises(UnsupportedOnCloudError, match="local-backend extensions"):
                await c.apply_edits(sid, [{"name": "reverse_order", "args": {}}])
            with pytest.raises(UnsupportedOnCloudError):
                await c.set_draft(sid, version=1)
