"""Bad uploads get 4001/4002 naming the file (or URL); names are sanitised; the server stays up."""

from __future__ import annotations

import io
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from PIL import Image

from nemowidgets import protocol as P
from tests.support.local_server import RawClient

pytestmark = pytest.mark.badinput

HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(range(256)) * 2


def jpeg(color=(10, 120, 200), size=(64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


def noisy_jpeg() -> bytes:
    import numpy as np

    pixels = np.random.default_rng(1).integers(0, 255, (240, 320, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def png_bomb(side: int = 20000) -> bytes:
    """A valid 1-bit PNG of side x side pixels (400 Mpx) in a few dozen KB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    row = b"\x00" * (1 + (side + 7) // 8)
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row * 1000) for _ in range(side // 1000)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def tiff() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (1, 2, 3)).save(buf, "TIFF")
    return buf.getvalue()


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (40, 30), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buf.getvalue()


REFUSED = [
    ("notes.txt", b"hello", "notes.txt"),
    ("photo", jpeg(), "photo"),
    ("empty.jpg", b"", "empty.jpg"),
    ("iphone.heic", HEIC, "HEIC"),
    ("iphone.jpg", HEIC, "HEIC"),
    ("iphone.mp4", HEIC, "HEIC"),
    ("scan.tiff", tiff(), "scan.tiff"),
    ("scan.jpg", tiff(), "TIFF"),
    ("cut.jpg", noisy_jpeg()[:6000], "cut.jpg"),
    ("liar.jpg", b"\xff\xd8\xff\xe0" + b"not a picture\n" * 40, "liar.jpg"),
    ("song.mp3", jpeg(), "song.mp3"),  # an image posing as audio
    (
        "clip.mp4",
        b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + bytes(5000),
        "clip.mp4",
    ),
    ("tag.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x00", "tag.mp3"),
    ("setup.jpg", b"MZ\x90\x00" + bytes(300), "setup.jpg"),
    ("bomb.png", png_bomb(), "bomb.png"),
]


@pytest.mark.parametrize(("name", "content", "mention"), REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_files_name_themselves(shared_api: RawClient, name, content, mention) -> None:
    sid = shared_api.new_session()
    r = shared_api.upload(sid, [(name, content)])
    body = r.json()
    assert body["code"] == P.ErrorCode.UNSUPPORTED_FILE, body
    assert r.status_code == 415
    assert mention in body["message"]
    assert name in body["message"]
    assert shared_api.state(sid)["state"]["media"] == []
    assert shared_api.get(P.CREDITS_PATH).status_code == 200  # still healthy


def test_unsupported_formats_list_the_supported_ones(shared_api: RawClient) -> None:
    sid = shared_api.new_session()
    message = shared_api.upload(sid, [("iphone.heic", HEIC)]).json()["message"]
    assert P.SUPPORTED_FORMATS_TEXT in message


def test_decompression_bomb_message_says_why(shared_api: RawClient) -> None:
    sid = shared_api.new_session()
    message = shared_api.upload(sid, [("bomb.png", png_bomb())]).json()["message"]
    assert "(400 megapixels)" in message
    assert "up to 64 megapixels" in message


def test_one_bad_file_refuses_the_whole_request(shared_api: RawClient, sample_media) -> None:
    sid = shared_api.new_session()
    bad = ("bad.png", b"\x89PNG\r\n\x1a\n" + bytes(9))
    r = shared_api.upload(sid, [sample_media["photo0"], bad])
    assert r.json()["code"] == P.ErrorCode.UNSUPPORTED_FILE
    assert "bad.png" in r.json()["message"]
    assert shared_api.state(sid)["state"]["media"] == []


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("/tmp/nemo_abs_evil.jpg", "nemo_abs_evil.jpg"),
        ("..\\..\\windows\\win.jpg", "win.jpg"),
        ("photo\x00.exe.jpg", "photo%00.exe.jpg"),  # httpx percent-escapes the NUL
        ("..jpg.jpg", "jpg.jpg"),
    ],
)
def test_names_are_sanitised(shared_api: RawClient, shared_server, raw, shown) -> None:
    sid = shared_api.new_session()
    [item] = shared_api.upload_ok(sid, [(raw, jpeg())])
    assert item["filename"] == shown
    stored = list((shared_server.data_dir / "media" / sid).iterdir())
    assert sorted(p.name for p in stored) == sorted(
        [f"{item['id']}.jpg", f"{item['id']}.thumb.jpg"]
    )
    assert not Path("/tmp/nemo_abs_evil.jpg").exists()


@pytest.mark.parametrize("raw", [b"caf\xe9_\xff.jpg", b"ph\x00oto\x01\x7f.jpg"])
def test_non_utf8_and_control_bytes_in_names(shared_api: RawClient, raw) -> None:
    """Hand-made multipart bodies with bytes httpx would never send in a filename."""
    sid = shared_api.new_session()
    boundary = b"nemoBoundary42"
    body = (
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="files"; '
        b'filename="'
        + raw
        + b'"\r\nContent-Type: image/jpeg\r\n\r\n'
        + jpeg()
        + b"\r\n--"
        + boundary
        + b"--\r\n"
    )
    r = shared_api.post(
        P.UPLOAD_PATH.format(session_id=sid),
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary.decode()}"},
    )
    [item] = shared_api.data(r)["files"]
    name = item["filename"]
    assert name.endswith(".jpg")
    assert name.encode("utf-8")
    assert name.isprintable()
    assert name in ("caf\ufffd_\ufffd.jpg", "photo.jpg")


def test_rfc5987_filename(shared_api: RawClient) -> None:
    sid = shared_api.new_session()
    boundary = "b0undary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f"filename*=UTF-8''caf%C3%A9.jpg\r\n\r\n"
        ).encode()
        + jpeg()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    r = shared_api.post(
        P.UPLOAD_PATH.format(session_id=sid),
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert shared_api.data(r)["files"][0]["filename"] == "café.jpg"


def test_animated_gif_is_taken_as_a_still(shared_api: RawClient) -> None:
    sid = shared_api.new_session()
    [item] = shared_api.upload_ok(sid, [("party.gif", animated_gif())])
    assert item["file_type"] == "image"
    assert (item["width"], item["height"]) == (40, 30)


def test_malformed_requests(shared_api: RawClient) -> None:
    sid = shared_api.new_session()
    path = P.UPLOAD_PATH.format(session_id=sid)
    r = shared_api.post(path, content=b"hello", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert r.json()["code"] == 4000
    r = shared_api.post(
        path, content=b"--x\r\nbroken", headers={"Content-Type": "multipart/form-data; boundary=x"}
    )
    assert r.json()["code"] == 4000
    assert r.status_code == 422
    r = shared_api.post(path, files={"other": ("a.txt", b"x")}, data={"k": "v"})
    assert r.json()["code"] in (4000, P.ErrorCode.UNSUPPORTED_FILE)
    r = shared_api.post(path, data={"k": "v"}, files={"ignored": ("", b"")})
    assert r.json()["code"] != 0
    r = shared_api.post(path, json={"urls": "not a list"})
    assert r.json()["code"] == 4000
    assert shared_api.upload(str(int(sid) + 1), [("a.jpg", jpeg())]).json()["code"] == 1002


# -- URL uploads --------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/photo.jpg",
        "data:image/png;base64,iVBORw0KGgo=",
        "http://127.0.0.1:{port}/api/credits/x.jpg",
        "http://localhost:{port}/x.jpg",
        "http://[::1]:{port}/x.jpg",
        "http://2130706433:{port}/x.jpg",
        "http://0.0.0.0:{port}/x.jpg",
        "http://10.1.2.3/x.jpg",
        "http://192.168.0.10/x.jpg",
        "http://169.254.169.254/latest/meta-data/x.jpg",
        "http://[::ffff:127.0.0.1]:{port}/x.jpg",
        "not a url",
    ],
)
def test_url_uploads_refuse_local_and_odd_targets(
    shared_api: RawClient, shared_server, url
) -> None:
    url = url.format(port=shared_server.port)
    sid = shared_api.new_session()
    r = shared_api.upload_urls(sid, [url])
    body = r.json()
    assert body["code"] == P.ErrorCode.UNSUPPORTED_FILE, body
    assert url[:40] in body["message"]
    assert shared_api.state(sid)["state"]["media"] == []


class _Files(BaseHTTPRequestHandler):
    photo = jpeg((200, 100, 50), (80, 60))

    def do_GET(self) -> None:
        if self.path == "/photo.jpg" or self.path == "/noext":
            self._send(200, self.photo, "image/jpeg")
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/photo.jpg")
            self.end_headers()
        elif self.path == "/huge.mp4":
            self.send_response(200)
            self.send_header("Content-Length", str(P.MAX_UPLOAD_BYTES + 1))
            self.end_headers()
        else:
            self._send(404, b"no", "text/plain")

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def file_host():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_url_uploads_fetch_when_allowed(start_local_server, file_host) -> None:
    """Loopback is refused in production; a test-only switch lets us exercise the fetch path."""
    server = start_local_server(allow_private_urls=True)
    api = RawClient.anonymous(server)
    try:
        sid = api.new_session()
        files = api.data(
            api.upload_urls(
                sid, [f"{file_host}/photo.jpg", f"{file_host}/noext", f"{file_host}/redirect"]
            )
        )["files"]
        assert [f["filename"] for f in files] == ["photo.jpg", "noext.jpg", "photo.jpg"]
        assert all((f["width"], f["height"]) == (80, 60) for f in files)
        r = api.upload_urls(sid, [f"{file_host}/huge.mp4"])
        assert r.json()["code"] == P.ErrorCode.FILE_TOO_LARGE
        assert r.status_code == 413
        assert "huge.mp4" in r.json()["message"]
        r = api.upload_urls(sid, [f"{file_host}/missing.jpg"])
        assert r.json()["code"] == P.ErrorCode.UNSUPPORTED_FILE
        assert "404" in r.json()["message"]
        assert len(api.state(sid)["state"]["media"]) == 3
    finally:
        api.close()


def test_too_large_upload_is_refused_while_streaming(
    shared_api: RawClient, shared_server, tmp_path
) -> None:
    """A 501 MB (sparse) file sent raw: 4002 naming it, nothing of it kept on disk."""
    sid = shared_api.new_session()
    path = tmp_path / "holiday_501mb.mp4"
    with path.open("wb") as fh:
        fh.write(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41")
        fh.truncate(P.MAX_UPLOAD_BYTES + 1024 * 1024)
    with path.open("rb") as fh:
        r = shared_api.post(
            P.UPLOAD_PATH.format(session_id=sid), files={"files": (path.name, fh)}, timeout=300
        )
    assert r.status_code == 413, r.text
    assert r.json()["code"] == P.ErrorCode.FILE_TOO_LARGE
    assert "holiday_501mb.mp4" in r.json()["message"]
    assert shared_api.state(sid)["state"]["media"] == []
    assert list((shared_server.data_dir / "tmp").iterdir()) == []
    assert shared_api.get(P.CREDITS_PATH).status_code == 200


def test_refused_uploads_leave_no_temp_files(shared_api: RawClient, shared_server) -> None:
    sid = shared_api.new_session()
    for name, content, _ in REFUSED[:6]:
        shared_api.upload(sid, [(name, content)])
    assert list((shared_server.data_dir / "tmp").iterdir()) == []
    assert list((shared_server.data_dir / "media" / sid).iterdir()) == []


def test_upload_to_unknown_session_reads_no_body(shared_server, shared_api) -> None:
    r = httpx.post(
        shared_server.url + P.UPLOAD_PATH.format(session_id="42"),
        headers=shared_api.headers(),
        files={"files": ("a.jpg", jpeg())},
        trust_env=False,
    )
    assert r.status_code == 404
    assert r.json()["code"] == P.ErrorCode.SESSION_NOT_FOUND
