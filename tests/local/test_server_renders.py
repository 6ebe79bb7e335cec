"""Render endpoints with the real renderer: jobs, progress, MP4s decoded by PyAV, cancel, errors."""

from __future__ import annotations

import io
import time

import av
import pytest

from nemowidgets import protocol as P
from tests.support.local_server import RawClient, photo_draft

pytest.importorskip("nemowidgets.local.render")


@pytest.fixture
def uploaded(local_api: RawClient, sample_media) -> tuple[str, list[dict]]:
    sid = local_api.new_session()
    files = local_api.upload_ok(
        sid, [sample_media["photo0"], sample_media["photo1"], sample_media["music"]]
    )
    return sid, files


def test_export_renders_an_mp4_served_at_its_url(local_api: RawClient, uploaded) -> None:
    sid, files = uploaded
    draft = photo_draft(files[:2], seconds=1.0, music=files[2], transition="crossfade")
    r = local_api.export(sid, draft, quality="preview", render_id="render_first")
    assert r.status_code == 200
    body = r.json()
    assert body["success"] is True
    assert body["data"]["id"] == "render_first"
    assert body["data"]["status"] == "pending"
    assert body["data"]["progress"] == 0
    seen: list[float] = []
    job = local_api.wait_render("render_first", seen=seen)
    assert job["status"] == "completed", job
    assert job["progress"] == 100
    assert seen == sorted(seen)
    url = job["output"]["url"]
    assert url == f"{local_api.base_url}/renders/render_first.mp4"
    video = local_api.http.get(url, headers=local_api.headers())
    assert video.headers["content-type"] == "video/mp4"
    download = local_api.get(P.RENDER_DOWNLOAD_PATH.format(render_id="render_first"))
    assert download.content == video.content
    assert "attachment" in download.headers["content-disposition"]
    with av.open(io.BytesIO(video.content)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert container.streams.audio, "no audio stream"
        duration = container.duration / 1_000_000
        assert abs(duration - draft["d"] / 1000) <= 0.2
        assert sum(1 for _ in container.decode(stream)) > 0
    ranged = local_api.http.get(url, headers=local_api.headers({"Range": "bytes=0-1023"}))
    assert ranged.status_code == 206
    assert ranged.content == video.content[:1024]
    generated = local_api.state(sid)["state"]["generated_media"]
    assert [(g["id"], g["status"], g["url"]) for g in generated] == [
        ("render_first", "completed", url)
    ]


def test_duplicate_render_id_is_a_conflict(local_api: RawClient, uploaded) -> None:
    sid, files = uploaded
    draft = photo_draft(files[:1])
    assert local_api.export(sid, draft, render_id="render_dup").status_code == 200
    r = local_api.export(sid, draft, render_id="render_dup")
    assert r.status_code == 409
    assert r.json()["success"] is False
    assert "already used" in r.json()["error"]
    local_api.wait_render("render_dup")


def test_cancel_a_running_render(local_api: RawClient, uploaded) -> None:
    sid, files = uploaded
    draft = photo_draft(files[:2], seconds=30.0, width=640, height=360, fps=30)
    job = local_api.data(local_api.export(sid, draft, quality="high"))
    for _ in range(200):
        if local_api.poll(job["id"])["status"] == "processing":
            break
        time.sleep(0.02)
    r = local_api.post(P.RENDER_CANCEL_PATH.format(render_id=job["id"]))
    assert r.status_code == 200
    assert r.json()["data"]["status"] == "cancelled"
    final = local_api.wait_render(job["id"], timeout=30)
    assert final["status"] == "cancelled"
    assert "output" not in final
    r = local_api.get(P.RENDER_DOWNLOAD_PATH.format(render_id=job["id"]))
    assert r.status_code == 409
    assert "not finished" in r.json()["error"]
    # The worker is free again: the next render completes.
    nxt = local_api.data(local_api.export(sid, photo_draft(files[:1])))
    assert local_api.wait_render(nxt["id"])["status"] == "completed"


def test_render_failure_names_its_cause(local_api: RawClient, uploaded, local_server) -> None:
    sid, files = uploaded
    (
        local_server.data_dir
        / local_server.app.state.ctx.store.get_media(files[1]["id"], sid)["path"]
    ).write_bytes(b"\xff\xd8\xff broken now")
    job = local_api.data(local_api.export(sid, photo_draft(files[:2])))
    final = local_api.wait_render(job["id"])
    assert final["status"] == "failed"
    assert "photo1.jpg" in final["error"] or files[1]["id"] in final["error"]


@pytest.mark.parametrize(
    ("patch", "status", "mention"),
    [
        ({"draft": None}, 422, "draft"),
        ({"draft": {"t": "photos"}}, 422, "draft.t"),
        ({"draft": {"t": [{"tt": 0, "sg": "seg_1"}]}}, 422, "draft.t[0].sg"),
        ({"draft": {"t": [{"tt": 0, "sg": []}]}}, 422, "no segments"),
        ({"draft": {"t": [{"tt": 0, "sg": [{"id": "seg_1", "s": 0, "d": -2000}]}]}}, 422, "seg_1"),
        (
            {"draft": {"t": [{"tt": 0, "sg": [{"id": "seg_1", "d": 10, "src": "m_nope"}]}]}},
            422,
            "m_nope",
        ),
        ({"id": "../../etc/passwd"}, 422, "id"),
        ({"id": ""}, 422, "id"),
        ({"output": {"format": "mp4", "quality": "ultra"}}, 422, "quality"),
        ({"output": {"format": "gif"}}, 422, "format"),
        ({"sessionId": "42"}, 404, "42"),
    ],
)
def test_bad_render_requests(local_api: RawClient, uploaded, patch, status, mention) -> None:
    sid, files = uploaded
    body = {
        "id": "render_bad",
        "sessionId": sid,
        "draft": photo_draft(files[:1]),
        "output": {"format": "mp4", "quality": "preview"},
    } | patch
    r = local_api.post(P.RENDER_PATH, json=body)
    assert r.status_code == status, r.text
    assert r.json()["success"] is False
    assert mention in r.json()["error"]
    assert local_api.get(P.CREDITS_PATH).status_code == 200


def test_draft_with_unknown_media_is_a_draft_error_naming_segment_and_media(
    local_api: RawClient, uploaded
) -> None:
    """A segment whose ``src`` is not media of the session: 4000 (a draft problem), not
    4001 (whose client hint lists the supported file formats), naming segment and media."""
    sid, files = uploaded
    draft = photo_draft(files[:3])
    draft["t"][0]["sg"][1]["src"] = "m_ab12"
    r = local_api.export(sid, draft, quality="preview")
    assert r.status_code == 422, r.text
    body = r.json()
    assert (body["success"], body["code"]) == (False, P.ErrorCode.BAD_REQUEST)
    assert "Segment seg_2 uses media m_ab12, which is not in this session" in body["error"]
    assert "remove the segment" in body["error"]


def test_export_without_attribution_headers_is_blocked(local_api: RawClient, uploaded) -> None:
    sid, files = uploaded
    r = local_api.http.post(
        P.RENDER_PATH,
        headers={"Authorization": f"Bearer {local_api.token}"},
        json={"id": "render_x", "sessionId": sid, "draft": photo_draft(files[:1])},
    )
    assert r.status_code == 402
    assert "X-Skill-Source" in r.json()["error"]


def test_unknown_render(local_api: RawClient) -> None:
    for path in (P.RENDER_POLL_PATH, P.RENDER_DOWNLOAD_PATH):
        r = local_api.get(path.format(render_id="render_nope"))
        assert r.status_code == 404
        assert r.json()["success"] is False
    assert local_api.get("/renders/render_nope.mp4").status_code == 404
