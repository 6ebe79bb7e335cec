"""A real agent turn over ``/run_sse`` and the render chain (export, poll, download, decode).

Renders use tiny media (320x180 photos, 15 fps, ``quality="preview"``) so each
takes about a second; the MP4s are decoded frame by frame with PyAV.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from nemowidgets import protocol as P
from nemowidgets.api import (
    APIError,
    DraftError,
    ExportBlockedError,
    MalformedPayloadError,
    NemoClient,
    NotFoundError,
    RenderJob,
)
from nemowidgets.api import client as client_module
from nemowidgets.local.server.launch import LocalServer
from tests.api_local.kit import Wire, decode, media_dicts, new_client, server_stats
from tests.support.local_server import photo_draft

PROMPT = "make a slideshow with 1 second per photo, crossfades and music"


async def _session_with_media(c: NemoClient, media: dict[str, Path]) -> tuple[str, list[Any]]:
    sid = (await c.create_session()).session_id
    infos = await c.upload(sid, [media["photo0"], media["photo1"], media["photo2"], media["music"]])
    return sid, infos


def _final_text(raw: bytes) -> str:
    """The text of the last complete ADK event in a raw ``/run_sse`` body."""
    finals = [
        json.loads(line[5:]) for line in raw.decode().splitlines() if line.startswith("data:")
    ]
    last = [e for e in finals if e.get("turnComplete")][-1]
    return "".join(p.get("text", "") for p in last["content"]["parts"])


# -- the agent's stream ------------------------------------------------------------------------
@pytest.mark.anyio
async def test_stream_of_a_real_agent_turn(server: LocalServer, sample_media) -> None:
    wire = Wire()
    async with new_client(server, wire=wire) as c:
        sid, media = await _session_with_media(c, sample_media)
        events = [e async for e in c.stream(sid, PROMPT)]
        state = (await c.state(sid))["state"]
    kinds = [e.kind for e in events]
    assert kinds[0] == "keepalive"  # the server's ": ping" as soon as the turn starts
    calls = [e for e in events if e.kind == "tool_call"]
    results = [e for e in events if e.kind == "tool_result"]
    assert [e.name for e in calls] == [e.name for e in results] == ["make_slideshow"]
    assert calls[0].data["media"] == [m.id for m in media[:3]]
    assert calls[0].data["music"] == media[3].id
    assert calls[0].data["transition"] == "crossfade"
    assert results[0].data["ok"] is True
    assert kinds.index("tool_call") < kinds.index("tool_result") < kinds.index("text")
    # No duplicate text: the partial chunks are shown, the final event repeating them is not.
    texts = [e for e in events if e.kind == "text"]
    [turn] = [e for e in wire.log if e.path == P.RUN_SSE_PATH]
    shown = "".join(e.text for e in texts)
    assert shown == _final_text(turn.body)
    assert len(texts) == turn.body.count(b'"partial": true') >= 2  # one event per chunk
    assert all(e.text and e.partial for e in texts)
    assert "slideshow" in shown.lower()
    assert shown.count(shown[:20]) == 1
    draft = state["draft"]
    assert state["draft_version"] == 1
    assert draft["d"] == results[0].data["duration_ms"]
    video = next(t for t in draft["t"] if t["tt"] == P.TRACK_VIDEO)
    assert [s["src"] for s in video["sg"]] == [m.id for m in media[:3]]
    assert server_stats(server, c.client_id, sid)["prompts"] == 1


# -- export, poll, download --------------------------------------------------------------------
@pytest.mark.anyio
async def test_export_wait_render_with_progress_and_download(
    server: LocalServer, sample_media, tmp_path: Path
) -> None:
    polled: list[RenderJob] = []
    received: list[tuple[int, int]] = []
    async with new_client(server) as c:
        sid, media = await _session_with_media(c, sample_media)
        infos = media_dicts(media)
        draft = photo_draft(infos[:3], seconds=1.0, music=infos[3], transition="crossfade")
        job = await c.export(sid, draft, quality="preview")
        assert re.fullmatch(r"render_[0-9a-f]{32}", job.id)
        assert (job.status, job.progress, job.session_id) == ("pending", 0.0, sid)
        done = await c.wait_render(job.id, progress=polled.append, interval=0.05)
        path = await c.download(
            done,
            tmp_path / "out" / "video.mp4",
            progress=lambda sent, total: received.append((sent, total)),
        )
        fallback = await c.download(
            RenderJob(job.id, P.RENDER_COMPLETED),  # no URL: /download
            tmp_path / "fallback.mp4",
        )
        generated = (await c.state(sid))["state"]["generated_media"]
    assert (done.status, done.progress) == (P.RENDER_COMPLETED, 100.0)
    assert done.url == f"{server.url}/renders/{job.id}.mp4"
    assert polled[-1] == done
    progress = [j.progress for j in polled]
    assert progress == sorted(progress)
    assert {j.status for j in polled} <= {P.RENDER_PENDING, P.RENDER_PROCESSING, P.RENDER_COMPLETED}
    size = path.stat().st_size
    assert received[-1] == (size, size)
    assert not list(path.parent.glob("*.part"))
    assert fallback.read_bytes() == path.read_bytes()
    assert [g["id"] for g in generated] == [job.id]
    video = decode(path)
    assert (video.width, video.height) == (320, 180)
    assert video.fps == pytest.approx(15)
    assert video.duration == pytest.approx(draft["d"] / 1000, abs=1 / video.fps)
    assert video.audio


@pytest.mark.anyio
async def test_unknown_render_is_not_found(server: LocalServer) -> None:
    async with new_client(server) as c:
        with pytest.raises(NotFoundError) as info:
            await c.render_status("render_never_made")
    assert info.value.status == 404
    assert "render_never_made" in str(info.value)


@pytest.mark.badinput
@pytest.mark.anyio
async def test_export_of_media_from_another_session_is_refused(
    server: LocalServer, sample_media
) -> None:
    async with new_client(server) as c:
        _sid, media = await _session_with_media(c, sample_media)
        other = (await c.create_session()).session_id
        with pytest.raises(DraftError) as info:  # a draft problem, not an unsupported file
            await c.export(other, photo_draft(media_dicts(media[:1])), quality="preview")
    assert (info.value.code, info.value.status) == (P.ErrorCode.BAD_REQUEST, 422)
    assert not isinstance(info.value, MalformedPayloadError)
    assert media[0].id in str(info.value)
    assert "seg_1" in str(info.value)


@pytest.mark.anyio
async def test_export_without_attribution_headers_is_402(server: LocalServer, sample_media) -> None:
    async with new_client(server) as c:
        sid, media = await _session_with_media(c, sample_media)
        draft = photo_draft(media_dicts(media[:1]))
        token = (await c.anonymous_token()).token
        raw = httpx.post(
            server.url + P.RENDER_PATH,
            trust_env=False,
            headers={"Authorization": f"Bearer {token}"},
            json={
                "id": f"render_{uuid.uuid4().hex}",
                "sessionId": sid,
                "draft": draft,
                "output": {"format": "mp4", "quality": "preview"},
            },
        )
        for name in (P.HEADER_SKILL_SOURCE, P.HEADER_SKILL_VERSION, P.HEADER_SKILL_PLATFORM):
            del c._http.headers[name]  # the client always sends them; take them away
        with pytest.raises(ExportBlockedError) as info:
            await c.export(sid, draft, quality="preview")
    assert raw.status_code == 402
    body = raw.json()
    assert body["success"] is False
    assert P.HEADER_SKILL_SOURCE in body["error"]
    assert info.value.status == 402
    assert P.HEADER_SKILL_SOURCE in str(info.value)


# -- duplicate render ids ----------------------------------------------------------------------
def _ids(monkeypatch: pytest.MonkeyPatch, *hexes: str) -> None:
    """Make the client's render ids come from ``hexes`` (the id generator, not the server)."""
    values = iter(hexes)
    monkeypatch.setattr(
        client_module, "uuid", SimpleNamespace(uuid4=lambda: SimpleNamespace(hex=next(values)))
    )


@pytest.mark.fault
@pytest.mark.anyio
async def test_duplicate_render_id_is_retried_once_with_a_new_id(
    server: LocalServer, sample_media, monkeypatch: pytest.MonkeyPatch
) -> None:
    wire = Wire()
    async with new_client(server, wire=wire) as c:
        sid, media = await _session_with_media(c, sample_media)
        draft = photo_draft(media_dicts(media[:1]), seconds=0.5)
        first = await c.export(sid, draft, quality="preview")
        taken = first.id.removeprefix("render_")
        _ids(monkeypatch, taken, "f" * 32)
        second = await c.export(sid, draft, quality="preview")
        for job in (first, second):
            await c.wait_render(job.id, interval=0.05)
    assert second.id == "render_" + "f" * 32
    assert wire.statuses(P.RENDER_PATH) == [200, 409, 200]
    assert server_stats(server, c.client_id, sid)["renders"] == 2


@pytest.mark.fault
@pytest.mark.anyio
async def test_duplicate_render_id_twice_is_an_error(
    server: LocalServer, sample_media, monkeypatch: pytest.MonkeyPatch
) -> None:
    wire = Wire()
    async with new_client(server, wire=wire) as c:
        sid, media = await _session_with_media(c, sample_media)
        draft = photo_draft(media_dicts(media[:1]), seconds=0.5)
        first = await c.export(sid, draft, quality="preview")
        taken = first.id.removeprefix("render_")
        _ids(monkeypatch, taken, taken)
        with pytest.raises(APIError) as info:
            await c.export(sid, draft, quality="preview")
        await c.wait_render(first.id, interval=0.05)
    assert info.value.status == 409
    assert "already used" in str(info.value)
    assert wire.statuses(P.RENDER_PATH) == [200, 409, 409]
    assert server_stats(server, c.client_id, sid)["renders"] == 1
