"""Receiving uploads: multipart bodies streamed to disk (URL uploads: :mod:`.url_fetch`).

Why not ``request.form()``: it reads the whole body before we see a byte, so a
601 MB file would be spooled in full before being refused.  Parsing the body
stream ourselves lets each file go straight to ``data_dir/tmp`` in chunks, its
extension be refused before its content arrives, its magic bytes be checked on
the first chunk, and the 500 MB limit stop the write the moment it passes.

A request whose ``Content-Length`` already says more than one file's limit plus
its framing (``MAX_UPLOAD_REQUEST_BYTES``) is refused before any of it is
written: only the first part's headers are read, to name the file.  A chunked
body (no length) still meets the limit while streaming.  A write that fails (a
full disk) removes every file of the request and raises its ``OSError``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

import anyio
import anyio.to_thread
from python_multipart.multipart import MultipartParser, parse_options_header

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

from nemowidgets.local.store.leftovers import part_name
from nemowidgets.local.store.upload_checks import (
    SNIFF_BYTES,
    MediaRejected,
    check_extension,
    check_format,
    check_size,
    safe_filename,
)
from nemowidgets.protocol import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_FILES,
    MAX_UPLOAD_REQUEST_BYTES,
    ErrorCode,
)

__all__ = ["BadUpload", "FileSink", "Incoming", "receive_multipart", "rfc5987_filename"]

MAX_FILES = MAX_UPLOAD_FILES
#: How much of an oversized body is read to find the first file's name, and for how long.
NAME_PEEK_BYTES = 64 * 1024
NAME_PEEK_SECONDS = 2.0


class BadUpload(Exception):
    """A request we cannot read as an upload at all (not a file problem)."""


@dataclass
class Incoming:
    """One received file, in ``tmp`` until the server files it."""

    filename: str  # the sanitised display name
    path: Path
    size: int
    sha256: str
    format: str  # the sniffed real format


class FileSink:
    """Writes one incoming file: size cap, magic-byte check on the first bytes, hashing.

    The part file's name carries ``owner``, the receiving server's id (``pid:instance``),
    so a server starting on the same data dir knows whose parts are orphans (see
    :mod:`nemowidgets.local.store.leftovers`).
    """

    def __init__(self, filename: str, tmp_dir: Path, owner: str = "") -> None:
        check_extension(filename)  # refuse .heic, .txt ... before reading their content
        self.filename = filename
        self.path = tmp_dir / part_name(owner)
        self._fh = self.path.open("wb")
        self._head = b""
        self._hash = hashlib.sha256()
        self.size = 0
        self.format: str | None = None

    def write(self, data: bytes) -> None:
        self.size += len(data)
        check_size(self.filename, self.size)
        if self.format is None:
            self._head += data[:SNIFF_BYTES]
            if len(self._head) >= SNIFF_BYTES:
                self.format = check_format(self.filename, self._head)
        self._hash.update(data)
        self._fh.write(data)

    def finish(self) -> Incoming:
        self._fh.close()
        if self.format is None:
            self.format = check_format(self.filename, self._head, self.size)
        return Incoming(self.filename, self.path, self.size, self._hash.hexdigest(), self.format)

    def discard(self) -> None:
        self._fh.close()
        self.path.unlink(missing_ok=True)


class _PartHeaders:
    """One part's headers, collected from python-multipart's callbacks."""

    def __init__(self) -> None:
        self.headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.begin,
            "on_header_field": self.field,
            "on_header_value": self.value,
            "on_header_end": self.end,
        }

    def begin(self) -> None:
        self.headers = {}

    def field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def end(self) -> None:
        self.headers[self._field.strip().lower()] = self._value.strip()
        self._field, self._value = b"", b""

    def disposition(self) -> tuple[bytes, bytes | None]:
        """The part's form field name and its raw file name (``None``: not a file)."""
        raw = self.headers.get(b"content-disposition", b"")
        _, params = parse_options_header(raw)
        return params.get(b"name", b""), rfc5987_filename(raw) or params.get(b"filename")


class _MultipartCollector:
    """python-multipart callbacks: every part named ``files`` (or carrying a filename) is a file."""

    def __init__(self, tmp_dir: Path, owner: str = "") -> None:
        self.tmp_dir = tmp_dir
        self.owner = owner
        self.done: list[Incoming] = []
        self.sink: FileSink | None = None
        self._part = _PartHeaders()

    def callbacks(self) -> MultipartCallbacks:
        return {
            **self._part.callbacks(),
            "on_part_begin": self._part_begin,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._part.begin()
        self.sink = None

    def _headers_finished(self) -> None:
        name, filename = self._part.disposition()
        if name != b"files" and filename is None:
            return  # some other form field: ignored, its data never kept
        if len(self.done) >= MAX_FILES:
            raise BadUpload(f"Too many files in one request: send at most {MAX_FILES}.")
        self.sink = FileSink(safe_filename(filename), self.tmp_dir, self.owner)

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self.sink is not None:
            self.sink.write(data[start:end])

    def _part_end(self) -> None:
        if self.sink is not None:
            sink, self.sink = self.sink, None
            try:
                self.done.append(sink.finish())
            except BaseException:
                sink.discard()
                raise

    def discard(self) -> None:
        if self.sink is not None:
            self.sink.discard()
        for item in self.done:
            item.path.unlink(missing_ok=True)


def rfc5987_filename(header: bytes) -> bytes | None:
    """``filename*=UTF-8''caf%C3%A9.jpg`` (python-multipart drops it)."""
    match = re.search(rb"filename\*\s*=\s*([\w!#$%&+^`{}~-]*)'[^']*'([^;\s]+)", header, re.I)
    if not match:
        return None
    charset = match.group(1).decode("ascii", "replace") or "utf-8"
    try:
        return unquote(
            match.group(2).decode("ascii", "replace"), encoding=charset, errors="replace"
        ).encode()
    except LookupError:
        return None


async def receive_multipart(
    stream: AsyncIterator[bytes],
    content_type: str,
    tmp_dir: Path,
    *,
    length: int | None = None,
    owner: str = "",
) -> list[Incoming]:
    """Parse a multipart body from ``stream`` (async bytes) into files in ``tmp_dir``.

    ``length`` is the request's ``Content-Length`` (``None`` when chunked): over
    ``MAX_UPLOAD_REQUEST_BYTES`` the request is refused (4002) before anything is
    written.  On any refusal the files received so far are deleted and the error
    raised at once, without reading the rest of the body.
    """
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise BadUpload("The multipart body has no boundary in its Content-Type header.")
    if length is not None and length > MAX_UPLOAD_REQUEST_BYTES:
        raise _too_large(await _first_filename(stream, boundary), length)
    collector = _MultipartCollector(tmp_dir, owner)
    parser = MultipartParser(boundary, collector.callbacks())
    try:
        async for chunk in stream:
            if chunk:
                parser.write(chunk)
        parser.finalize()
    except (MediaRejected, BadUpload):
        collector.discard()
        raise
    except Exception as exc:  # python-multipart's parse errors, or a write that failed
        collector.discard()
        if isinstance(exc, OSError):
            raise  # the disk, not the body: the caller says what (a full disk, see space)
        raise BadUpload(f"The multipart body is malformed ({exc}).") from None
    except BaseException:  # cancelled: the client went away, or the server is stopping
        collector.discard()
        raise
    if collector.sink is not None:  # the body ended inside a file part
        collector.discard()
        raise BadUpload("The multipart body ended in the middle of a file; upload it again.")
    return collector.done


def _too_large(filename: str | None, length: int) -> MediaRejected:
    limit, size = MAX_UPLOAD_BYTES // 2**20, length / 2**20
    who = filename or "The upload"
    return MediaRejected(
        f"{who} is too large ({size:,.0f} MB, over the {limit} MB limit): compress or trim it, "
        f"then upload it again. Several files can go in separate requests.",
        ErrorCode.FILE_TOO_LARGE,
    )


class _NameFound(Exception):
    pass


async def _first_filename(stream: AsyncIterator[bytes], boundary: bytes) -> str | None:
    """The sanitised name of the body's first file part, from at most its first 64 KB.

    Bounded in bytes and in time: a sender that declared 600 MB and then sends
    nothing (or no part header) still gets its refusal, naming "the upload".
    """
    part = _PartHeaders()
    found: list[str] = []

    def headers_finished() -> None:
        filename = part.disposition()[1]
        if filename is not None:
            found.append(safe_filename(filename))
            raise _NameFound

    parser = MultipartParser(
        boundary,
        {
            **part.callbacks(),
            "on_headers_finished": headers_finished,
        },
    )
    seen = 0
    with anyio.move_on_after(NAME_PEEK_SECONDS):
        try:
            async for chunk in stream:
                parser.write(chunk[: NAME_PEEK_BYTES - seen])
                seen += len(chunk)
                if seen >= NAME_PEEK_BYTES:
                    break
        except Exception:  # noqa: S110 - found it, or a malformed/vanished body: same refusal
            pass
    return found[0] if found else None
