"""The bad-input corpus: every input a user (or an attacker) can throw at us, made on the fly.

No binary file is committed: each case knows how to *make* its input in a temporary
folder, which layer must refuse it, what the user is told, and which word of the
message must name the input (so "it failed" is never enough: the user has to see
*what* failed). ``tests/reliability/test_badinputs.py`` feeds every case through
the public path a user takes (``Session.upload`` / ``send`` / ``export``) and, for
cases the client's pre-check stops first, through raw HTTP too, so that the
server is a second line of defence rather than a trusting one.

Layers:

``client``  the client refuses before sending anything (the server may not care)
``server``  the client lets it through (it cannot know); the server refuses
``both``    the client refuses, and the server refuses the same input sent raw
``none``    accepted on purpose (an animated GIF, an emoji title, a sanitised
            file name); the test checks the *result* is right and safe
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from PIL import Image

from nemowidgets.api import errors as E
from nemowidgets.protocol import MAX_UPLOAD_BYTES, MAX_UPLOAD_FILES, ErrorCode
from tests.support.png_modes import PNG_MODES

__all__ = ["CASES", "BadInput", "Ctx", "by_channel", "case", "jpeg_bytes", "png_bytes"]

Layer = Literal["client", "server", "both", "none"]
#: How the input reaches us: a file on disk, (name, bytes), a URL upload, a prompt,
#: a draft for export, or a raw HTTP request only a hand-made client can send.
Channel = Literal["file", "named", "url", "prompt", "draft", "foreign"]

UNSUPPORTED = int(ErrorCode.UNSUPPORTED_FILE)
TOO_LARGE = int(ErrorCode.FILE_TOO_LARGE)
NOT_FOUND = int(ErrorCode.SESSION_NOT_FOUND)
BAD_REQUEST = int(ErrorCode.BAD_REQUEST)  # the local server's "this draft/request is unusable"


@dataclass(frozen=True)
class Ctx:
    """What a case may need to know about the server under test."""

    tmp: Path
    base_url: str = "http://127.0.0.1:9"  # the server under test (for loopback URLs)
    media_id: str = "m_missing"  # a photo of *this* session (for otherwise-valid drafts)
    foreign_media_id: str = "m_foreign"  # a photo of *another* user's session
    foreign_session_id: str = "0"  # another user's session id

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[-1].split("/", 1)[0])


@dataclass(frozen=True)
class BadInput:
    """One case of the corpus."""

    name: str
    channel: Channel
    make: Callable[[Ctx], Any]  # -> Path | (filename, bytes) | url | prompt | draft dict
    layer: Layer
    error: type[E.NemoError] | None  # what the user gets from the Session (None: accepted)
    code: int | None  # the protocol code (error.code, and the raw server envelope's code)
    mentions: str  # a substring of the message naming the input ({field} of Ctx allowed)
    why: str
    outcome: str = ""  # for layer "none": what "accepted" means (checked by the test)
    hint: str = ""  # a substring the error's hint (what to do) must contain
    marks: tuple[str, ...] = field(default=())


# -- byte makers --------------------------------------------------------------------------


def _image(index: int = 0, size: tuple[int, int] = (160, 120)) -> Image.Image:
    from nemowidgets.samples import photo_color

    return Image.new("RGB", size, photo_color(index))


def jpeg_bytes(index: int = 0, size: tuple[int, int] = (160, 120)) -> bytes:
    buf = io.BytesIO()
    _image(index, size).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def photo_jpeg(index: int = 0, size: tuple[int, int] = (320, 240)) -> bytes:
    """A JPEG with real detail (noise), so a cut lands inside the entropy-coded scan."""
    import numpy as np

    rng = np.random.default_rng(index)
    pixels = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def png_bytes(index: int = 0, size: tuple[int, int] = (160, 120)) -> bytes:
    buf = io.BytesIO()
    _image(index, size).save(buf, "PNG")
    return buf.getvalue()


def _tiff_bytes() -> bytes:
    buf = io.BytesIO()
    _image(2).save(buf, "TIFF")
    return buf.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 30000) -> bytes:
    """A *valid* 1-bit PNG of side x side pixels (900 Mpx at 30000): ~110 KB on disk.

    Decoded to RGB it would take 2.7 GB; every row is zeros, which deflate squeezes
    ~1000:1. Real IDAT data (not just a lying header) so a decoder that ignores
    the pixel limit would really try to inflate it.
    """
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed bits
    comp = zlib.compressobj(9)
    parts = [comp.compress(row * 1000) for _ in range(side // 1000)]
    parts.append(comp.compress(row * (side % 1000)))
    parts.append(comp.flush())
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", b"".join(parts))
        + _png_chunk(b"IEND", b"")
    )


def jpeg_huge_header(width: int = 60000, height: int = 40000) -> bytes:
    """A small JPEG whose frame header (SOF0) claims ``width`` x ``height`` (2.4 Gpx)."""
    data = bytearray(jpeg_bytes(3))
    sof = data.find(b"\xff\xc0")
    assert sof > 0, "no SOF0 marker"
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def _gif_animated() -> bytes:
    frames = [_image(i, (160, 120)) for i in (4, 5, 6)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    return buf.getvalue()


_HEIC = (
    b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    + b"\x00\x00\x00\x0cmeta\x00\x00\x00\x00"
    + bytes(range(256)) * 4
)
_MP4_FTYP = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"


def _garbage(n: int, seed: int = 7) -> bytes:
    """Deterministic high-entropy bytes (no magic number anywhere near the start)."""
    out, x = bytearray(), seed
    while len(out) < n:
        x = (x * 6364136223846793005 + 1442695040888963407) % 2**64
        out += x.to_bytes(8, "little")
    out[0:4] = b"\x13\x37\x42\x42"
    return bytes(out[:n])


def _wav_header_only() -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 2, 44100, 44100 * 4, 4, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", 0)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _cut(data: bytes, fraction: float) -> bytes:
    return data[: int(len(data) * fraction)]


def _webp_truncated() -> bytes:
    buf = io.BytesIO()
    _image(7).save(buf, "WEBP")
    data = buf.getvalue()
    return data[: max(20, len(data) // 3)]


# -- case helpers -------------------------------------------------------------------------


def _file(name: str, data: Callable[[], bytes]) -> Callable[[Ctx], Path]:
    def make(ctx: Ctx) -> Path:
        path = ctx.tmp / name
        path.write_bytes(data())
        return path

    return make


def _named(name: str, data: Callable[[], bytes]) -> Callable[[Ctx], tuple[str, bytes]]:
    return lambda ctx: (name, data())


def _sparse(ctx: Ctx) -> Path:
    """501 MB on paper, a few KB on disk: an mp4 header followed by a hole."""
    path = ctx.tmp / "holiday_501mb.mp4"
    with path.open("wb") as fh:
        fh.write(_MP4_FTYP)
        fh.truncate(MAX_UPLOAD_BYTES + 1024 * 1024)
    return path


#: Photos in the big-folder case: five times what one upload request may hold.
FOLDER_PHOTOS = 500


def _big_folder(ctx: Ctx) -> Path:
    """A folder of 500 small, different photos (noise, ~20 KB each: 10 MB in all)."""
    folder = ctx.tmp / "holiday_500"
    folder.mkdir()
    for i in range(FOLDER_PHOTOS):
        (folder / f"photo_{i:03d}.jpg").write_bytes(photo_jpeg(i, (160, 120)))
    return folder


def _non_utf8(ctx: Ctx) -> Path:
    # On Linux a file name is bytes; Python hands b"\xe9" back as the lone surrogate "\udce9".
    path = ctx.tmp / os.fsdecode(b"caf\xe9_\xff.jpg")
    path.write_bytes(jpeg_bytes(8))
    return path


def _draft(ctx: Ctx, **bad: Any) -> dict[str, Any]:
    """A valid 2 s one-photo draft, with ``bad`` patched in (dotted keys reach inside)."""
    seg = {"id": "seg_1", "s": 0, "d": 2000, "src": ctx.media_id, "n": "one.jpg", "k": "image"}
    draft: dict[str, Any] = {
        "t": [{"tt": 0, "n": "Photos", "sg": [seg]}],
        "d": 2000,
        "m": {"width": 320, "height": 240, "fps": 15, "aspect": "4:3", "fit": "black"},
    }
    for key, value in bad.items():
        if key == "seg":
            seg.update(value)
        elif key == "track":
            draft["t"][0].update(value)
        else:
            draft[key] = value
    return draft


def _c(name: str, channel: Channel, make: Callable[[Ctx], Any], layer: Layer,
       error: type[E.NemoError] | None, code: int | None, mentions: str, why: str,
       **kw: Any) -> BadInput:  # fmt: skip
    return BadInput(name, channel, make, layer, error, code, mentions, why, **kw)


U, TL = E.UnsupportedFileError, E.FileTooLargeError

CASES: tuple[BadInput, ...] = (
    # -- broken or lying images ------------------------------------------------------------
    _c(
        "truncated_jpeg",
        "file",
        _file("cut.jpg", lambda: _cut(photo_jpeg(1), 0.6)),
        "server",
        U,
        UNSUPPORTED,
        "cut.jpg",
        "valid JPEG magic, data cut off: only decoding finds it",
    ),
    _c(
        "truncated_png",
        "file",
        _file("cut.png", lambda: _cut(png_bytes(1, (320, 240)), 0.5)),
        "server",
        U,
        UNSUPPORTED,
        "cut.png",
        "valid PNG signature and IHDR, IDAT cut in half",
    ),
    _c(
        "zero_byte_jpeg",
        "file",
        _file("empty.jpg", lambda: b""),
        "both",
        U,
        UNSUPPORTED,
        "empty.jpg",
        "nothing inside: no magic bytes to match",
    ),
    _c(
        "zero_byte_png",
        "file",
        _file("empty.png", lambda: b""),
        "both",
        U,
        UNSUPPORTED,
        "empty.png",
        "nothing inside",
    ),
    _c(
        "png_decompression_bomb",
        "file",
        _file("bomb.png", png_bomb),
        "server",
        U,
        UNSUPPORTED,
        "bomb.png",
        "30000x30000 px (900 Mpx, 2.7 GB as RGB) in ~110 KB",
    ),
    _c(
        "jpeg_huge_dimensions",
        "file",
        _file("huge_header.jpg", jpeg_huge_header),
        "server",
        U,
        UNSUPPORTED,
        "huge_header.jpg",
        "SOF0 claims 60000x40000 px in a 1 KB file",
    ),
    _c(
        "jpeg_12000x9000",
        "file",
        _file("panorama_12000.jpg", lambda: jpeg_huge_header(12000, 9000)),
        "server",
        U,
        UNSUPPORTED,
        "panorama_12000.jpg",
        "108 Mpx, a real camera size over the 64 Mpx limit: the hint says how to resize",
        hint="Resize it to at most 9237x6928 pixels",
    ),
    _c(
        "jpeg_magic_then_text",
        "file",
        _file("liar.jpg", lambda: b"\xff\xd8\xff\xe0" + b"this is not a picture\n" * 50),
        "server",
        U,
        UNSUPPORTED,
        "liar.jpg",
        "JPEG magic bytes, text after them",
    ),
    _c(
        "gif_magic_then_garbage",
        "file",
        _file("liar.gif", lambda: b"GIF89a" + _garbage(2000)),
        "server",
        U,
        UNSUPPORTED,
        "liar.gif",
        "GIF signature, no valid image after it",
    ),
    _c(
        "webp_truncated",
        "file",
        _file("cut.webp", _webp_truncated),
        "server",
        U,
        UNSUPPORTED,
        "cut.webp",
        "RIFF/WEBP header, VP8 data cut off",
    ),
    _c(
        "text_named_jpg",
        "file",
        _file("notes.jpg", lambda: b"shopping list: eggs, milk\n"),
        "both",
        U,
        UNSUPPORTED,
        "notes.jpg",
        "a text file with a photo's extension",
    ),
    _c(
        "png_named_mp3",
        "file",
        _file("song.mp3", lambda: png_bytes(2)),
        "both",
        U,
        UNSUPPORTED,
        "song.mp3",
        "a PNG posing as music: magic bytes say image, extension says audio",
    ),
    _c(
        "exe_named_jpg",
        "file",
        _file("setup.jpg", lambda: b"MZ\x90\x00\x03" + bytes(2000)),
        "both",
        U,
        UNSUPPORTED,
        "setup.jpg",
        "a Windows executable with a photo's extension",
    ),
    _c(
        "tiff_image",
        "file",
        _file("scan.tiff", _tiff_bytes),
        "both",
        U,
        UNSUPPORTED,
        "scan.tiff",
        "TIFF is not in the protocol's list",
    ),
    _c(
        "tiff_named_jpg",
        "file",
        _file("scan.jpg", _tiff_bytes),
        "both",
        U,
        UNSUPPORTED,
        "scan.jpg",
        "TIFF bytes behind a .jpg extension",
    ),
    _c(
        "heic_image",
        "file",
        _file("iphone.heic", lambda: _HEIC),
        "both",
        U,
        UNSUPPORTED,
        "iphone.heic",
        "HEIC (ftypheic) is not in the protocol's list",
    ),
    _c(
        "heic_named_jpg",
        "file",
        _file("iphone.jpg", lambda: _HEIC),
        "both",
        U,
        UNSUPPORTED,
        "iphone.jpg",
        "HEIC bytes behind a .jpg extension",
    ),
    _c(
        "heic_named_mp4",
        "file",
        _file("iphone.mp4", lambda: _HEIC),
        "both",
        U,
        UNSUPPORTED,
        "iphone.mp4",
        "an ISO-BMFF 'ftyp' box passes a naive mp4 magic check; its brand says HEIC",
    ),
    # -- unsupported formats ---------------------------------------------------------------
    _c(
        "exe_file",
        "file",
        _file("tool.exe", lambda: b"MZ\x90\x00" + bytes(500)),
        "both",
        U,
        UNSUPPORTED,
        "tool.exe",
        "not media",
    ),
    _c(
        "svg_file",
        "file",
        _file(
            "logo.svg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>'
        ),
        "both",
        U,
        UNSUPPORTED,
        "logo.svg",
        "vector images (which can carry scripts)",
    ),
    _c(
        "txt_file",
        "file",
        _file("readme.txt", lambda: b"hello\n"),
        "both",
        U,
        UNSUPPORTED,
        "readme.txt",
        "plain text",
    ),
    _c(
        "no_extension",
        "file",
        _file("photo", lambda: jpeg_bytes(3)),
        "both",
        U,
        UNSUPPORTED,
        "photo",
        "no extension, so no declared format",
    ),
    _c(
        "double_extension_exe",
        "file",
        _file("photo.jpg.exe", lambda: jpeg_bytes(3)),
        "both",
        U,
        UNSUPPORTED,
        "photo.jpg.exe",
        "the last extension counts",
    ),
    # -- broken audio and video -------------------------------------------------------------
    _c(
        "mp4_garbage_inside",
        "file",
        _file("clip.mp4", lambda: _MP4_FTYP + _garbage(64_000)),
        "server",
        U,
        UNSUPPORTED,
        "clip.mp4",
        "a real ftyp box, then noise: no moov, no stream",
    ),
    _c(
        "mp4_random_bytes",
        "file",
        _file("random.mp4", lambda: _garbage(32_000)),
        "both",
        U,
        UNSUPPORTED,
        "random.mp4",
        "no container signature at all",
    ),
    _c(
        "csv_named_mp4",
        "file",
        _file("data.mp4", lambda: b"a,b,c\n1,2,3\n4,5,6\n"),
        "both",
        U,
        UNSUPPORTED,
        "data.mp4",
        "a CSV with a video's extension",
    ),
    _c(
        "wav_header_no_data",
        "file",
        _file("silence.wav", _wav_header_only),
        "server",
        U,
        UNSUPPORTED,
        "silence.wav",
        "a valid RIFF/WAVE header and a zero-length data chunk",
    ),
    _c(
        "mp3_id3_only",
        "file",
        _file("tag.mp3", lambda: b"ID3\x03\x00\x00\x00\x00\x00\x00"),
        "server",
        U,
        UNSUPPORTED,
        "tag.mp3",
        "an ID3 tag and no audio frames",
    ),
    # -- size -------------------------------------------------------------------------------
    _c(
        "sparse_501mb",
        "file",
        _sparse,
        "both",
        TL,
        TOO_LARGE,
        "holiday_501mb.mp4",
        "501 MB (sparse, a few KB on disk); the client must not read it to refuse it",
        marks=("slow_raw",),
    ),
    # -- file names -------------------------------------------------------------------------
    _c(
        "non_utf8_filename",
        "file",
        _non_utf8,
        "none",
        None,
        None,
        "caf",
        "bytes \\xe9\\xff in the name (surrogateescape); a valid JPEG",
        outcome="accepted; the stored name is printable UTF-8 and keeps the readable part",
    ),
    _c(
        "traversal_filename",
        "named",
        _named("../../etc/passwd.jpg", lambda: jpeg_bytes(9)),
        "none",
        None,
        None,
        "passwd.jpg",
        "../ in an upload name",
        outcome="sanitised to a bare name; nothing written outside the data dir",
    ),
    _c(
        "absolute_filename",
        "named",
        _named("/tmp/nemo_abs_evil.jpg", lambda: jpeg_bytes(10)),
        "none",
        None,
        None,
        "nemo_abs_evil.jpg",
        "an absolute upload name",
        outcome="sanitised to a bare name; /tmp/nemo_abs_evil.jpg not written",
    ),
    _c(
        "backslash_traversal_filename",
        "named",
        _named("..\\..\\windows\\win.jpg", lambda: jpeg_bytes(11)),
        "none",
        None,
        None,
        "win.jpg",
        "Windows-style traversal",
        outcome="sanitised to a bare name",
    ),
    _c(
        "nul_in_filename",
        "named",
        _named("photo\x00.exe.jpg", lambda: jpeg_bytes(12)),
        "none",
        None,
        None,
        "photo",
        "a NUL byte inside the name",
        outcome="sanitised: the stored name has no NUL",
    ),
    # -- a folder bigger than one request -----------------------------------------------------
    _c(
        "folder_500_photos",
        "file",
        _big_folder,
        "none",
        None,
        None,
        "photo_499.jpg",
        f"{FOLDER_PHOTOS} photos: more than the {MAX_UPLOAD_FILES} files one request may hold",
        outcome="all uploaded, in order, in requests of at most "
        f"{MAX_UPLOAD_FILES} files; every file's progress reaches its size",
    ),
    # -- animated GIF -------------------------------------------------------------------------
    _c(
        "animated_gif",
        "file",
        _file("party.gif", _gif_animated),
        "none",
        None,
        None,
        "party.gif",
        "3 frames, 200 ms each",
        outcome="accepted as a still image of its first frame",
    ),
    # -- unusual pixel formats (tests/support/png_modes.py) ------------------------------------
    *(
        _c(
            mode.name,
            "file",
            _file(mode.filename, lambda mode=mode: mode.make().png),
            "none",
            None,
            None,
            mode.filename,
            mode.why,
            outcome="the rendered frame and the thumbnail show the right 8-bit picture",
        )
        for mode in PNG_MODES
    ),
    # -- URL uploads --------------------------------------------------------------------------
    _c(
        "url_file_scheme",
        "url",
        lambda ctx: "file:///etc/passwd",
        "both",
        U,
        UNSUPPORTED,
        "file:///etc/passwd",
        "reads the server's disk",
    ),
    _c(
        "url_ftp_scheme",
        "url",
        lambda ctx: "ftp://example.com/photo.jpg",
        "both",
        U,
        UNSUPPORTED,
        "ftp://example.com/photo.jpg",
        "only http(s) is fetched",
    ),
    _c(
        "url_data_scheme",
        "url",
        lambda ctx: "data:image/png;base64,iVBORw0KGgo=",
        "both",
        U,
        UNSUPPORTED,
        "data:image/png",
        "not a URL to fetch",
    ),
    _c(
        "url_loopback_ipv4",
        "url",
        lambda ctx: f"http://127.0.0.1:{ctx.port}/api/credits/x.jpg",
        "server",
        U,
        UNSUPPORTED,
        "127.0.0.1",
        "SSRF: the server fetching its own API",
    ),
    _c(
        "url_localhost",
        "url",
        lambda ctx: f"http://localhost:{ctx.port}/x.jpg",
        "server",
        U,
        UNSUPPORTED,
        "localhost",
        "SSRF by name",
    ),
    _c(
        "url_loopback_ipv6",
        "url",
        lambda ctx: f"http://[::1]:{ctx.port}/x.jpg",
        "server",
        U,
        UNSUPPORTED,
        "::1",
        "SSRF over IPv6",
    ),
    _c(
        "url_decimal_loopback",
        "url",
        lambda ctx: f"http://2130706433:{ctx.port}/x.jpg",
        "server",
        U,
        UNSUPPORTED,
        "2130706433",
        "127.0.0.1 written as one decimal number",
    ),
    _c(
        "url_private_10",
        "url",
        lambda ctx: "http://10.1.2.3/x.jpg",
        "server",
        U,
        UNSUPPORTED,
        "10.1.2.3",
        "private range (RFC 1918)",
    ),
    _c(
        "url_private_192",
        "url",
        lambda ctx: "http://192.168.0.10/x.jpg",
        "server",
        U,
        UNSUPPORTED,
        "192.168.0.10",
        "private range (RFC 1918)",
    ),
    _c(
        "url_link_local_metadata",
        "url",
        lambda ctx: "http://169.254.169.254/latest/meta-data/x.jpg",
        "server",
        U,
        UNSUPPORTED,
        "169.254.169.254",
        "cloud metadata service (link-local)",
    ),
    _c(
        "url_unspecified_0000",
        "url",
        lambda ctx: f"http://0.0.0.0:{ctx.port}/x.jpg",
        "server",
        U,
        UNSUPPORTED,
        "0.0.0.0",
        "0.0.0.0 reaches loopback on Linux",
    ),
    # -- prompts ------------------------------------------------------------------------------
    _c(
        "prompt_1mb",
        "prompt",
        lambda ctx: "make it nicer " * 75_000,
        "none",
        None,
        None,
        "",
        "1 MB of text",
        outcome="answered with a helpful reply; the draft is unchanged",
    ),
    _c(
        "prompt_empty",
        "prompt",
        lambda ctx: "",
        "both",
        E.ConfigurationError,
        None,
        "prompt",
        "nothing to send",
    ),
    _c(
        "prompt_whitespace",
        "prompt",
        lambda ctx: " \n\t  \u3000",
        "both",
        E.ConfigurationError,
        None,
        "prompt",
        "only whitespace (incl. an ideographic space)",
    ),
    _c(
        "prompt_lone_surrogate",
        "prompt",
        lambda ctx: "add the title caf\udce9",
        "both",
        E.ConfigurationError,
        None,
        "U+DCE9",
        "a lone surrogate (an undecodable byte, as some pastes give): no UTF-8 for it",
    ),
    _c(
        "title_emoji_rtl",
        "prompt",
        lambda ctx: "add the title '🎉 مرحبا'",
        "none",
        None,
        None,
        "🎉 مرحبا",
        "emoji and right-to-left Arabic in a title",
        outcome="the draft's title text is exactly '🎉 مرحبا' and the video renders",
    ),
    # -- malformed drafts for export ----------------------------------------------------------
    _c(
        "draft_t_not_list",
        "draft",
        lambda ctx: _draft(ctx, t="photos"),
        "both",
        E.MalformedPayloadError,
        None,
        "draft.t",
        "tracks must be a list",
    ),
    _c(
        "draft_sg_string",
        "draft",
        lambda ctx: _draft(ctx, track={"sg": "seg_1"}),
        "both",
        E.MalformedPayloadError,
        None,
        "draft.t[0].sg",
        "segments must be a list",
    ),
    _c(
        "draft_negative_d",
        "draft",
        lambda ctx: _draft(ctx, seg={"d": -2000}),
        "server",
        E.DraftError,
        BAD_REQUEST,
        "seg_1",
        "a segment cannot last -2 s (4000, HTTP 422, naming the segment)",
    ),
    _c(
        "draft_unknown_src",
        "draft",
        lambda ctx: _draft(ctx, seg={"src": "m_nope"}),
        "server",
        E.DraftError,
        BAD_REQUEST,
        "seg_1 uses media m_nope",
        "a media id this session never uploaded (4000, not 4001's 'supported formats')",
    ),
    _c(
        "draft_no_segments",
        "draft",
        lambda ctx: _draft(ctx, track={"sg": []}),
        "both",
        E.DraftError,
        None,
        "",
        "nothing to render",
    ),
    _c(
        "draft_not_a_dict",
        "draft",
        lambda ctx: ["t", "sg"],
        "both",
        E.MalformedPayloadError,
        None,
        "draft",
        "a list where the draft should be",
    ),
    # -- another session's things -------------------------------------------------------------
    _c(
        "draft_foreign_media",
        "draft",
        lambda ctx: _draft(ctx, seg={"src": ctx.foreign_media_id}),
        "server",
        E.DraftError,
        BAD_REQUEST,
        "seg_1 uses media {foreign_media_id}",
        "another user's media id in my draft: answered like an unknown id",
    ),
    _c(
        "render_foreign_session",
        "foreign",
        lambda ctx: ctx.foreign_session_id,
        "server",
        E.SessionNotFoundError,
        NOT_FOUND,
        "",
        "a render request naming another user's session",
    ),
)


def case(name: str) -> BadInput:
    for c in CASES:
        if c.name == name:
            return c
    raise KeyError(name)


def by_channel(*channels: str) -> list[BadInput]:
    return [c for c in CASES if c.channel in channels]


assert len({c.name for c in CASES}) == len(CASES), "duplicate case names"
