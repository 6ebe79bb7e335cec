"""Checks before upload: extension, magic bytes, size; when one fails, nothing is sent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nemowidgets import protocol
from nemowidgets.api import (
    FileTooLargeError,
    MediaError,
    NemoClient,
    UnsupportedFileError,
)
from nemowidgets.api.media import check_upload, check_url
from nemowidgets.protocol import sniff_format as sniff
from nemowidgets.samples import make_music, make_photo
from tests.support.cloud_server import CloudState

FTYP = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2"
RIFF = b"RIFF\x24\x00\x00\x00"
VALID = {
    "photo.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "photo.JPEG": b"\xff\xd8\xff\xdb" + bytes(12),
    "photo.png": b"\x89PNG\r\n\x1a\n" + bytes(8),
    "anim.gif": b"GIF89a" + bytes(10),
    "old.gif": b"GIF87a" + bytes(10),
    "photo.webp": RIFF + b"WEBPVP8 " + bytes(4),
    "clip.mp4": FTYP,
    "clip.mov": b"\x00\x00\x00\x14ftypqt  " + bytes(8),
    "old.mov": b"\x00\x00\x00\x08wide" + bytes(8),
    "song.m4a": b"\x00\x00\x00\x20ftypM4A " + bytes(8),
    "clip.webm": b"\x1a\x45\xdf\xa3" + bytes(12),
    "clip.mkv": b"\x1a\x45\xdf\xa3" + bytes(12),
    "clip.avi": RIFF + b"AVI LIST" + bytes(4),
    "song.wav": RIFF + b"WAVEfmt " + bytes(4),
    "tagged.mp3": b"ID3\x04\x00" + bytes(11),
    "raw.mp3": b"\xff\xfb\x90\x64" + bytes(12),
    "mpeg2.mp3": b"\xff\xf3\x90\x64" + bytes(12),
    "song.aac": b"\xff\xf1\x50\x80" + bytes(12),
    "song2.aac": b"\xff\xf9\x50\x80" + bytes(12),
}


@pytest.mark.parametrize("name", VALID)
def test_supported_files_pass(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(VALID[name] + bytes(100))
    item = check_upload(path)
    assert item.filename == name
    assert item.size == len(VALID[name]) + 100
    assert item.path == path
    assert item.kind == protocol.media_kind(name)
    from_bytes = check_upload((name, VALID[name]))
    assert from_bytes.data == VALID[name]
    assert from_bytes.path is None


def test_every_supported_extension_is_covered() -> None:
    covered = {name.rsplit(".", 1)[1].lower() for name in VALID}
    assert covered == set(protocol.SUPPORTED_EXTENSIONS)
    assert set(protocol.FORMATS_BY_EXTENSION) == set(protocol.SUPPORTED_EXTENSIONS)


def test_real_sample_media_pass(tmp_path: Path) -> None:
    paths = [make_photo(tmp_path / f"a.{ext}", 0, (64, 48)) for ext in ("jpg", "png")]
    paths += [make_music(tmp_path / f"c.{ext}", 0.5) for ext in ("wav", "mp3", "m4a", "aac")]
    for path in paths:
        assert check_upload(path).size == path.stat().st_size


LIARS = {
    "jpeg_as_mp3.mp3": b"\xff\xd8\xff\xe0" + bytes(40),
    "text_as_mp4.mp4": b"shopping list: eggs, milk\n",
    "heic_as_jpg.jpg": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
    "exe_as_png.png": b"MZ\x90\x00\x03" + bytes(40),
    "wav_as_avi.avi": RIFF + b"WAVEfmt " + bytes(20),
    "webp_as_wav.wav": RIFF + b"WEBPVP8 " + bytes(20),
    "random.mkv": bytes(range(7, 57)),
    "zip_as_m4a.m4a": b"PK\x03\x04" + bytes(40),
    "short.jpg": b"\xff\xd8",
    # The protocol's one sniffer reads the ftyp brand: an HEIC is no MP4 (the server
    # refuses it too), and ADIF is no format the server takes, so neither is sent.
    "heic_as_mp4.mp4": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
    "adif.aac": b"ADIF" + bytes(40),
}


#: A mix-up within one kind is taken, as the server takes it (protocol.extension_accepts):
#: the file is decoded anyway, and refusing a PNG called .jpg would only annoy.
SAME_KIND_MIXUPS = {
    "png_as_jpg.jpg": b"\x89PNG\r\n\x1a\n" + bytes(40),
    "mp4_as_webm.webm": FTYP,
    "gif_as_webp.webp": b"GIF89a" + bytes(40),
    "mp3_as_aac.aac": b"ID3\x04\x00" + bytes(40),
}


@pytest.mark.parametrize("name", SAME_KIND_MIXUPS)
def test_same_kind_mixups_are_accepted(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(SAME_KIND_MIXUPS[name])
    assert check_upload(path).filename == name


@pytest.mark.badinput
@pytest.mark.parametrize("name", LIARS)
def test_lying_magic_bytes_are_refused(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(LIARS[name])
    with pytest.raises(UnsupportedFileError, match=name) as info:
        check_upload(path)
    assert info.value.code == 4001
    assert info.value.details["filename"] == name
    assert "real ." in str(info.value)
    assert info.value.hint


@pytest.mark.badinput
@pytest.mark.parametrize(
    "name", ["scan.tiff", "iphone.heic", "notes.txt", "photo", "photo.jpg.exe", "logo.svg", ".jpg"]
)
def test_wrong_extensions_are_refused(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(40))
    with pytest.raises(UnsupportedFileError, match="not supported") as info:
        check_upload(path)
    assert name in str(info.value)
    assert "mp4 mov avi" in str(info.value)


@pytest.mark.badinput
def test_zero_byte_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.touch()
    with pytest.raises(UnsupportedFileError, match=r"empty\.jpg is empty"):
        check_upload(path)
    with pytest.raises(UnsupportedFileError, match=r"empty\.png is empty"):
        check_upload(("empty.png", b""))


def sparse(path: Path, size: int, head: bytes = FTYP) -> Path:
    with path.open("wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return path


@pytest.mark.badinput
def test_too_large_sparse_file_is_refused_from_stat(tmp_path: Path) -> None:
    path = sparse(tmp_path / "holiday.mp4", protocol.MAX_UPLOAD_BYTES + 1)
    assert path.stat().st_blocks * 512 < 1024 * 1024  # really sparse: nothing to read
    expected = r"holiday\.mp4 is 524,288,001 bytes \(500\.0 MB\), over the 500 MB"
    with pytest.raises(FileTooLargeError, match=expected) as info:
        check_upload(path)
    assert info.value.code == 4002
    assert "compress or trim" in str(info.value)
    assert check_upload(sparse(tmp_path / "edge.mp4", protocol.MAX_UPLOAD_BYTES)).size == (
        protocol.MAX_UPLOAD_BYTES)  # fmt: skip


@pytest.mark.badinput
def test_missing_and_folder_paths(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"gone\.jpg: no such file"):
        check_upload(tmp_path / "gone.jpg")
    (tmp_path / "album.jpg").mkdir()
    with pytest.raises(MediaError, match=r"album\.jpg is not a file"):
        check_upload(tmp_path / "album.jpg")
    with pytest.raises(MediaError, match="pair"):
        check_upload(("a.jpg",))  # type: ignore[arg-type]


@pytest.mark.badinput
def test_non_utf8_names_are_printable(tmp_path: Path) -> None:
    path = tmp_path / os.fsdecode(b"caf\xe9_\xff.jpg")
    path.write_bytes(VALID["photo.jpg"])
    item = check_upload(path)
    assert item.filename == "caf\ufffd_\ufffd.jpg"
    item.filename.encode("utf-8")  # no lone surrogates left


@pytest.mark.badinput
@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/photo.jpg", "data:image/png;base64,iVBO",
            "not a url", "http://", "javascript:alert(1)", ""],
)  # fmt: skip
def test_url_uploads_must_be_http(url: str) -> None:
    with pytest.raises(UnsupportedFileError, match="not an http") as info:
        check_url(url)
    assert info.value.code == 4001
    if url:
        assert url[:14] in str(info.value)
    assert check_url(" https://example.com/a.jpg ") == "https://example.com/a.jpg"


def test_sniff_table() -> None:
    assert sniff(b"") is None
    assert sniff(b"\xff") is None
    assert sniff(b"\xff\xd8\xff") == "jpeg"
    assert sniff(RIFF + b"XXXX") is None  # an unknown RIFF form


# -- through the client: nothing is sent ---------------------------------------------------


@pytest.mark.badinput
@pytest.mark.anyio
async def test_a_bad_file_in_a_batch_means_nothing_is_sent(
    cloud: CloudState, tmp_path: Path
) -> None:
    sid = cloud.add_session()
    good = make_photo(tmp_path / "good.jpg", 0, (64, 48))
    liar = tmp_path / "liar.jpg"
    liar.write_bytes(b"\x1a\x45\xdf\xa3" + bytes(40))  # a Matroska video named .jpg
    huge = sparse(tmp_path / "huge.mov", protocol.MAX_UPLOAD_BYTES + 4096)
    empty = tmp_path / "empty.wav"
    empty.touch()
    async with NemoClient(cloud.base_url) as client:
        cases = [
            (liar, UnsupportedFileError),
            (huge, FileTooLargeError),
            (empty, UnsupportedFileError),
            (tmp_path / "x.tiff", UnsupportedFileError),
        ]
        for bad, error in cases:
            with pytest.raises(error, match=bad.name):
                await client.upload(sid, [good, bad])
        with pytest.raises(UnsupportedFileError, match="file:///etc/passwd"):
            await client.upload_urls(sid, ["https://example.com/a.jpg", "file:///etc/passwd"])
        with pytest.raises(ValueError, match="Nothing to upload"):
            await client.upload(sid, [])
    assert cloud.requests == []  # not even a token was fetched


@pytest.mark.anyio
async def test_odd_names_survive_the_multipart_header(cloud: CloudState) -> None:
    sid = cloud.add_session()
    names = ['say "cheese".jpg', "line\r\nbreak.jpg", "back\\slash.jpg", "caf\ufffd.jpg"]
    async with NemoClient(cloud.base_url) as client:
        media = await client.upload(sid, [(n, VALID["photo.jpg"]) for n in names])
    assert len(media) == len(cloud.uploads[0]["files"]) == 4
    received = [f["filename"] for f in cloud.uploads[0]["files"]]
    assert received[0] in ('say "cheese".jpg', "say %22cheese%22.jpg")
    assert "\r" not in received[1]
    assert "\n" not in received[1]
    assert received[3] == "caf\ufffd.jpg"
