"""The first two gates of an upload: a safe display name, and a format that tells the truth.

1. :func:`safe_filename` — the name the user sees; never used as a path (files
   are stored under generated names), so traversal and odd bytes are harmless.
2. :func:`check_format` on the first bytes — the extension must be one of the
   protocol's formats *and* agree with the content, as the protocol's
   ``sniff_format`` and ``FORMATS_BY_EXTENSION`` (the client's pre-check uses
   them too) say: a PNG called ``.jpg`` is fine here (same kind), an MP4 called
   ``.jpg`` or a HEIC/TIFF is not.

The third gate, decoding the whole file, is ``probe``.  Each refuses with a
:class:`MediaRejected` whose message names the file and says what to do.
"""

from __future__ import annotations

import re
import unicodedata

from nemowidgets.protocol import (
    FORMAT_KINDS,
    FORMATS_BY_EXTENSION,
    MAX_UPLOAD_BYTES,
    SUPPORTED_FORMATS_TEXT,
    ErrorCode,
    extension_accepts,
    media_kind,
    sniff_format,
)

__all__ = [
    "SNIFF_BYTES",
    "SUPPORTED",
    "MediaRejected",
    "check_extension",
    "check_format",
    "check_size",
    "extension_of",
    "safe_filename",
    "stored_extension",
]

#: Bytes needed to recognise every format we know.
SNIFF_BYTES = 64

SUPPORTED = f"Supported formats: {SUPPORTED_FORMATS_TEXT}."
#: Formats we recognise but do not take, with what to do about them.
_REFUSED = {
    "heic": "HEIC/HEIF photos are not supported: export or convert them to JPEG",
    "avif": "AVIF images are not supported: convert them to JPEG or PNG",
    "tiff": "TIFF images are not supported: convert them to JPEG or PNG",
    "bmp": "BMP images are not supported: convert them to PNG",
    "pdf": "it is a PDF document, not a photo, video or audio file",
    "zip": "it is a ZIP archive: unpack it and upload the files inside",
    "ogg": "Ogg audio is not supported: convert it to MP3 or M4A",
    "flac": "FLAC audio is not supported: convert it to MP3, M4A or WAV",
}


class MediaRejected(Exception):
    """An upload we refuse: ``code`` is 4001 or 4002, the message names the file.

    ``hint``, when given, is what to do instead of the code's usual advice (4001's
    list of formats says nothing useful about a photo that is merely too big); the
    server sends it as the envelope's ``hint`` (docs/protocol.md).
    """

    def __init__(
        self, message: str, code: int = ErrorCode.UNSUPPORTED_FILE, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = int(code)
        self.hint = hint


def safe_filename(raw: str | bytes | None, fallback: str = "upload") -> str:
    """A display name: no directories, no control characters, valid text, <= 200 chars.

    Never used to build a path (files get generated names), but shown to users
    and given to the agent, so it must be printable and unsurprising.
    """
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]  # drop any directory part, either separator
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # NUL, controls
    name = name.strip().lstrip(".").strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext[:9]) if dot and len(ext) <= 9 else name[:200]
    return name or fallback


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def stored_extension(filename: str, fmt: str) -> str:
    """The extension to store a file under: its own if it fits the content, else the content's."""
    ext = extension_of(filename)
    if fmt in FORMATS_BY_EXTENSION.get(ext, ()):
        return ext
    return {"jpeg": "jpg", "matroska": "mkv"}.get(fmt, fmt)


def check_extension(filename: str) -> str:
    """The file's kind by extension, or refuse (before reading a byte of its content)."""
    kind = media_kind(filename)
    if kind is None:
        ext = extension_of(filename)
        what = f"'.{ext}' files are" if ext else "files without an extension are"
        hint = _REFUSED.get({"heif": "heic", "tif": "tiff"}.get(ext, ext), "")
        raise MediaRejected(
            f"{filename}: {what} not supported{' (' + hint + ')' if hint else ''}. {SUPPORTED}"
        )
    return kind


def check_format(filename: str, head: bytes, size: int | None = None) -> str:
    """The real format of ``filename`` from its first bytes; refuse lies and unsupported content."""
    check_extension(filename)
    if size == 0 or not head:
        raise MediaRejected(f"{filename} is empty (0 bytes). Choose the file again.")
    ext = extension_of(filename)
    real = sniff_format(head)
    if real in _REFUSED:
        raise MediaRejected(f"{filename}: {_REFUSED[real]}. {SUPPORTED}")
    if real is None:
        raise MediaRejected(
            f"{filename} is not a valid {ext.upper()} file (its content is not a format we "
            f"recognise; it may be corrupt). {SUPPORTED}"
        )
    if not extension_accepts(ext, real):
        claimed, actual = media_kind(filename), FORMAT_KINDS[real]
        raise MediaRejected(
            f"{filename} is named like {'an' if claimed == 'image' else 'a'} {claimed} file "
            f"but is really {real.upper()} ({actual}): rename it with the right extension."
        )
    return real


def check_size(filename: str, size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise MediaRejected(
            f"{filename} is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB: compress or trim "
            f"it, then upload it again.",
            ErrorCode.FILE_TOO_LARGE,
        )
