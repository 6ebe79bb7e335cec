"""Happy paths of every non-agent endpoint, on a real server over loopback with plain httpx."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

from nemowidgets import protocol as P
from tests.support.local_server import RawClient


def make_video(path: Path, seconds: float = 1.0, size: tuple[int, int] = (160, 90)) -> Path:
    """A tiny H.264 MP4 with a sine tone: enough to probe duration, size, fps and sound."""
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=15)
        video.width, video.height, video.pix_fmt = *size, "yuv420p"
        audio = out.add_stream("aac", rate=44100)
        frames = int(seconds * 15)
        for i in range(frames):
            pixels = np.full((size[1], size[0], 3), (i * 10) % 255, np.uint8)
            out.mux(video.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        out.mux(video.encode())
        samples = int(seconds * 44100)
        tone = (0.2 * np.sin(np.arange(samples) * 2 * np.pi * 440 / 44100)).astype(np.float32)
        for start in range(0, samples, 1024):
            chunk = tone[start : start + 1024].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = 44100, start, Fraction(1, 44100)
            out.mux(audio.encode(frame))
        out.mux(audio.encode())
    return path


def test_anonymous_token_fields_and_stable_user(local_server) -> None:
    client = RawClient(local_server.url)
    headers = {P.HEADER_CLIENT_ID: "client-abc", P.HEADER_LOCAL_SECRET: local_server.secret}
    first = client.http.post(P.ANONYMOUS_TOKEN_PATH, headers=headers).json()
    second = client.http.post(P.ANONYMOUS_TOKEN_PATH, headers=headers).json()
    assert first["code"] == 0
    data = first["data"]
    assert data["user_id"].startswith("anon_")
    assert data["user_id"] == second["data"]["user_id"]
    assert data["token"] != second["data"]["token"]
    assert data["credits"] == P.DEFAULT_CREDITS
    expires = datetime.fromisoformat(data["expires_at"].replace("Z", "+00:00"))
    assert abs(expires - datetime.now(timezone.utc) - timedelta(days=7)) < timedelta(minutes=1)


def test_session_credits_and_empty_state(local_api: RawClient) -> None:
    r = local_api.post(P.CREATE_SESSION_PATH, json={"task_name": "project", "language": "en"})
    data = local_api.data(r)
    sid = data["session_id"]
    assert isinstance(sid, str)
    assert sid.isdigit()
    assert len(sid) >= 18
    assert data["task_id"].isdigit()
    credits = local_api.data(local_api.get(P.CREDITS_PATH))
    assert credits == {"available": 100, "frozen": 0, "total": 100}
    state = local_api.state(sid)
    assert state["session_id"] == sid
    assert state["task_id"] == data["task_id"]
    inner = state["state"]
    assert inner["draft"] is None
    assert inner["draft_version"] == 0
    assert inner["video_infos"] == inner["media"] == []
    assert inner["canvas_config"] == {"width": 1920, "height": 1080, "aspect": "16:9"}
    assert inner["video_analyses"] == []
    assert inner["generated_media"] == []


def test_upload_photos_music_and_video(local_api: RawClient, sample_media, tmp_path) -> None:
    sid = local_api.new_session()
    clip = make_video(tmp_path / "clip.mp4")
    files = local_api.upload_ok(sid, [sample_media["photo0"], sample_media["music"], clip])
    photo, music, video = files
    assert photo["filename"] == "photo0.jpg"
    assert photo["file_type"] == "image"
    assert (photo["width"], photo["height"]) == (320, 180)
    assert photo["id"].startswith("m_")
    assert photo["size"] == sample_media["photo0"].stat().st_size
    assert photo["hash"] == hashlib.sha256(sample_media["photo0"].read_bytes()).hexdigest()
    assert music["file_type"] == "audio"
    assert abs(music["duration"] - 3.0) < 0.1
    assert video["file_type"] == "video"
    assert (video["width"], video["height"]) == (160, 90)
    assert video["fps"] == 15
    assert abs(video["duration"] - 1.0) < 0.15
    # The original and its thumbnail are served (with the token) at absolute URLs.
    assert (
        local_api.http.get(photo["cdn_url"], headers=local_api.headers()).content
        == sample_media["photo0"].read_bytes()
    )
    for item in files:
        thumb = local_api.http.get(item["thumbnail_url"], headers=local_api.headers())
        assert thumb.headers["content-type"] == "image/jpeg"
        image = Image.open(io.BytesIO(thumb.content))
        assert image.format == "JPEG"
        assert max(image.size) <= 160
    state = local_api.state(sid)["state"]
    assert [m["id"] for m in state["media"]] == [f["id"] for f in files]
    assert state["video_infos"] == state["media"]


def test_exif_orientation_is_applied(local_api: RawClient, tmp_path) -> None:
    sid = local_api.new_session()
    image = Image.new("RGB", (320, 180), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees when shown
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    [photo] = local_api.upload_ok(sid, [("turned.jpg", buf.getvalue())])
    assert (photo["width"], photo["height"]) == (180, 320)
    thumb = Image.open(
        io.BytesIO(local_api.http.get(photo["thumbnail_url"], headers=local_api.headers()).content)
    )
    assert thumb.height > thumb.width


def test_png_called_jpg_is_taken_for_what_it_is(local_api: RawClient) -> None:
    sid = local_api.new_session()
    buf = io.BytesIO()
    Image.new("RGBA", (64, 48), (0, 128, 255, 128)).save(buf, "PNG")
    [photo] = local_api.upload_ok(sid, [("really_png.jpg", buf.getvalue())])
    assert photo["file_type"] == "image"
    assert (photo["width"], photo["height"]) == (64, 48)
    got = local_api.http.get(photo["cdn_url"], headers=local_api.headers())
    assert got.headers["content-type"] == "image/png"


def test_media_supports_range_requests(local_api: RawClient, sample_media) -> None:
    sid = local_api.new_session()
    [music] = local_api.upload_ok(sid, [sample_media["music"]])
    r = local_api.http.get(music["cdn_url"], headers=local_api.headers({"Range": "bytes=10-109"}))
    assert r.status_code == 206
    assert r.content == sample_media["music"].read_bytes()[10:110]


def test_unknown_paths_are_json_and_need_the_token(local_api: RawClient) -> None:
    r = local_api.get("/does/not/exist")
    assert r.status_code == 404
    assert r.json()["code"] == 404
    r = local_api.http.get("/does/not/exist")
    assert r.status_code == 401
    assert r.json()["code"] == P.ErrorCode.BAD_TOKEN
    r = local_api.get(P.CREATE_SESSION_PATH)  # wrong method
    assert r.status_code == 405


def test_no_cors_and_no_directory_listing(local_api: RawClient, sample_media) -> None:
    sid = local_api.new_session()
    local_api.upload_ok(sid, [sample_media["photo1"]])
    origin = {"Origin": "https://evil.example"}
    for path in (P.CREDITS_PATH, f"/media/{sid}", f"/media/{sid}/", "/media/", "/renders/"):
        r = local_api.get(path, headers=origin)
        assert not any(h.lower().startswith("access-control-") for h in r.headers), path
        if path != P.CREDITS_PATH:
            assert r.status_code == 404
            assert "m_" not in r.text
    preflight = local_api.http.options(
        P.CREDITS_PATH, headers={**origin, "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code in (401, 405)
    assert "access-control-allow-origin" not in preflight.headers


def test_stats_count_only_my_sessions(local_api: RawClient, local_server) -> None:
    sid = local_api.new_session()
    stats = local_api.stats(sid)
    assert stats == {"session_id": sid, "prompts": 0, "drafts": 0, "media": 0, "renders": 0}
    other = RawClient.anonymous(local_server)
    try:
        r = other.get("/_local/stats", params={"session_id": sid})
        assert r.json()["code"] == P.ErrorCode.SESSION_NOT_FOUND
        assert other.data(other.get("/_local/stats"))["sessions"] == {}
    finally:
        other.close()


def test_faults_endpoint_absent_when_faults_are_off(local_api: RawClient) -> None:
    assert local_api.get("/_local/faults").status_code == 404
    assert local_api.post("/_local/faults", json={"arm": {"drop_stream": {}}}).status_code == 404
