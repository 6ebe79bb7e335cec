"""Checks on a file before it is uploaded: format, magic bytes, size. Nothing is sent if one fails.

Why check on the client when the server checks too: a 400 MB video that the
server will refuse should be refused *before* minutes of uploading, and the
message can name the file the user picked.  The checks are cheap on purpose:
the size comes from ``stat`` (a 501 MB file is refused without reading it) and
the format from the first 16 bytes.  They catch wrong extensions and files
that lie about what they are; deeper problems (a truncated JPEG, an MP4 with
no video) only decoding finds, and that is the server's job.

What each extension may hold, and what the first bytes say a file is, come
from :mod:`nemowidgets.protocol` (``FORMATS_BY_EXTENSION``, ``sniff_format``):
the server checks with the same two, so the client never sends a file the
server's format check would refuse for its magic bytes (an HEIC photo named
``.mp4`` included).  The client is the stricter of the two: it refuses any
content its extension may not hold, where the server lets a same-kind mix-up
(a PNG called ``.jpg``) through.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import nemowidgets.protocol as protocol
from nemowidgets.api.errors import FileTooLargeError, MediaError, UnsupportedFileError

__all__ = ["UploadItem", "check_upload", "check_url"]

_UNSUPPORTED = int(protocol.ErrorCode.UNSUPPORTED_FILE)
_TOO_LARGE = int(protocol.ErrorCode.FILE_TOO_LARGE)
_HEAD = 16

#: Content-Type sent for each extension in the multipart body.
CONTENT_TYPES: dict[str, str] = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif",
    "webp": "image/webp", "mp4": "video/mp4", "mov": "video/quicktime",
    "avi": "video/x-msvideo", "webm": "video/webm", "mkv": "video/x-matroska",
    "mp3": "audio/mpeg", "wav": "audio/wav", "m4a": "audio/mp4", "aac": "audio/aac",
}  # fmt: skip


@dataclass(frozen=True)
class UploadItem:
    """A checked upload: from a file (``path``) or from memory (``data``)."""

    filename: str
    size: int
    kind: str  # "image" | "video" | "audio"
    content_type: str
    path: Path | None = None
    data: bytes | None = field(default=None, repr=False)


def display_name(name: str) -> str:
    """A printable form of a file name (undecodable bytes become U+FFFD)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _extension(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base.strip(".") else ""


def check_upload(item: str | os.PathLike[str] | tuple[str, bytes]) -> UploadItem:
    """Check one upload; raise :class:`UnsupportedFileError` / :class:`FileTooLargeError`.

    ``item`` is a path or a ``(filename, bytes)`` pair.  Only ``stat`` and the
    first 16 bytes of a file are read.
    """
    if isinstance(item, tuple):
        if (
            len(item) != 2
            or not isinstance(item[0], str)
            or not isinstance(item[1], bytes | bytearray)
        ):
            raise MediaError(
                "An in-memory upload must be a (filename, bytes) pair.", hint="", filename="?"
            )
        name, data = display_name(item[0]), bytes(item[1])
        ext = _check_extension(name)
        _check_size(name, len(data))
        _check_magic(name, ext, data[:_HEAD])
        return _item(name, ext, len(data), data=data)
    path = Path(item)
    name = display_name(path.name)
    ext = _check_extension(name)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise MediaError(f"{name}: no such file ({display_name(str(path))}).",
                         hint="Check the path.", filename=name) from None  # fmt: skip
    except OSError as exc:
        raise MediaError(f"{name}: cannot read it ({exc.strerror}).",
                         hint="Check the file's permissions.", filename=name) from None  # fmt: skip
    if not path.is_file():
        raise MediaError(f"{name} is not a file.", hint="Pick a file, or upload a folder's "
                         "files one by one.", filename=name)  # fmt: skip
    _check_size(name, info.st_size)
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD)
    except OSError as exc:
        raise MediaError(f"{name}: cannot read it ({exc.strerror}).",
                         hint="Check the file's permissions.", filename=name) from None  # fmt: skip
    _check_magic(name, ext, head)
    return _item(name, ext, info.st_size, path=path)


def check_url(url: str) -> str:
    """A URL for a URL upload: ``http(s)`` only (the server fetches it, not us)."""
    text = url.strip() if isinstance(url, str) else ""
    shown = text if len(text) <= 120 else text[:117] + "..."
    try:
        parts = urlsplit(text)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise UnsupportedFileError(
            f"{shown or repr(url)} is not an http(s) URL, so it cannot be uploaded by URL.",
            hint="Use an http:// or https:// link to the file, or upload the file itself.",
            code=_UNSUPPORTED, filename=shown,
        )  # fmt: skip
    return text


def _item(
    name: str, ext: str, size: int, *, path: Path | None = None, data: bytes | None = None
) -> UploadItem:
    kind = protocol.media_kind(f"x.{ext}") or "image"
    return UploadItem(name, size, kind, CONTENT_TYPES[ext], path=path, data=data)


def _check_extension(name: str) -> str:
    ext = _extension(name)
    if ext not in protocol.SUPPORTED_EXTENSIONS:
        what = f".{ext} files are" if ext else "a file without an extension is"
        raise UnsupportedFileError(f"{name}: {what} not supported.", code=_UNSUPPORTED,
                                   filename=name)  # fmt: skip
    return ext


def _check_size(name: str, size: int) -> None:
    if size == 0:
        raise UnsupportedFileError(
            f"{name} is empty (0 bytes).", hint="Pick the file again; it may not have been "
            "saved or copied completely.", code=_UNSUPPORTED, filename=name,
        )  # fmt: skip
    if size > protocol.MAX_UPLOAD_BYTES:
        limit = protocol.MAX_UPLOAD_BYTES // 1024**2
        raise FileTooLargeError(
            f"{name} is {size:,} bytes ({size / 1024**2:,.1f} MB), over the {limit} MB "
            "upload limit.", code=_TOO_LARGE, filename=name, size=size,
        )  # fmt: skip


def _check_magic(name: str, ext: str, head: bytes) -> None:
    found = protocol.sniff_format(head)
    if not protocol.extension_accepts(ext, found):
        says = f"its content looks like {found}" if found else "its content is no known format"
        raise UnsupportedFileError(
            f"{name} is not a real .{ext} file: {says}.",
            hint="Rename it to its real extension, or convert it to one of: "
            f"{protocol.SUPPORTED_FORMATS_TEXT}.", code=_UNSUPPORTED, filename=name, detected=found,
        )  # fmt: skip
