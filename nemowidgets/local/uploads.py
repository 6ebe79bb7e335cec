"""Receiving uploads: multipart bodies streamed to disk, and URL uploads fetched safely.

Why not ``request.form()``: it reads the whole body before we see a byte, so a
601 MB file would be spooled in full before being refused.  Parsing the body
stream ourselves lets each file go straight to ``data_dir/tmp`` in chunks, its
extension be refused before its content arrives, its magic bytes be checked on
the first chunk, and the 500 MB limit stop the write the moment it passes.

A request whose ``Content-Length`` already says more than one file's limit plus
its framing (``MAX_UPLOAD_REQUEST_BYTES``) is refused before any of it is
written: only the first part's headers are read, to name the file.  A chunked
body (no length) still meets the limit while streaming.

URL uploads guard against SSRF: http(s) only, every address the host resolves
to must be public (no loopback, private, link-local, reserved...), the
connection is pinned to the checked address (no DNS rebinding between check and
fetch), redirects are re-checked hop by hop, proxies from the environment are
ignored, and size and time are capped.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import anyio
import anyio.to_thread
import httpx
from python_multipart.multipart import MultipartParser, parse_options_header

from nemowidgets.local.media import (
    SNIFF_BYTES,
    MediaRejected,
    check_extension,
    check_format,
    check_size,
    safe_filename,
)
from nemowidgets.protocol import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_REQUEST_BYTES,
    SUPPORTED_EXTENSIONS,
    ErrorCode,
)

__all__ = ["BadUpload", "Incoming", "fetch_urls", "receive_multipart"]

MAX_FILES = 100
MAX_URLS = 20
URL_TIMEOUT = 30.0  # seconds per network step; a whole fetch gets 10x
MAX_REDIRECTS = 5
#: How much of an oversized body is read to find the first file's name, and for how long.
NAME_PEEK_BYTES = 64 * 1024
NAME_PEEK_SECONDS = 2.0
_CONTENT_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "video/x-matroska": "mkv",
    "video/x-msvideo": "avi",
    "audio/mpeg": "mp3",
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
}


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


class _FileSink:
    """Writes one incoming file: size cap, magic-byte check on the first bytes, hashing."""

    def __init__(self, filename: str, tmp_dir: Path) -> None:
        check_extension(filename)  # refuse .heic, .txt ... before reading their content
        self.filename = filename
        self.path = tmp_dir / f"up_{secrets.token_hex(8)}.part"
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

    def callbacks(self) -> dict:
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
        return params.get(b"name", b""), _rfc5987_filename(raw) or params.get(b"filename")


class _MultipartCollector:
    """python-multipart callbacks: every part named ``files`` (or carrying a filename) is a file."""

    def __init__(self, tmp_dir: Path) -> None:
        self.tmp_dir = tmp_dir
        self.done: list[Incoming] = []
        self.sink: _FileSink | None = None
        self._part = _PartHeaders()

    def callbacks(self) -> dict:
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
        self.sink = _FileSink(safe_filename(filename), self.tmp_dir)

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


def _rfc5987_filename(header: bytes) -> bytes | None:
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
    stream, content_type: str, tmp_dir: Path, *, length: int | None = None
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
    collector = _MultipartCollector(tmp_dir)
    parser = MultipartParser(boundary, collector.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in stream:
            if chunk:
                parser.write(chunk)
        parser.finalize()
    except (MediaRejected, BadUpload):
        collector.discard()
        raise
    except Exception as exc:  # python-multipart's parse errors
        collector.discard()
        raise BadUpload(f"The multipart body is malformed ({exc}).") from None
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


async def _first_filename(stream, boundary: bytes) -> str | None:
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
            **part.callbacks(),  # type: ignore[arg-type]
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


# -- URL uploads -------------------------------------------------------------
async def fetch_urls(
    urls: object, tmp_dir: Path, *, allow_private: bool = False, timeout: float = URL_TIMEOUT
) -> list[Incoming]:
    """Fetch each URL into ``tmp_dir``; refuse (4001/4002 naming the URL) what is not safe."""
    if not isinstance(urls, list) or not urls:
        raise BadUpload('A URL upload needs {"urls": ["https://...", ...], "source_type": "url"}.')
    if len(urls) > MAX_URLS:
        raise BadUpload(f"Too many URLs in one request: send at most {MAX_URLS}.")
    done: list[Incoming] = []
    try:
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
            follow_redirects=False,
            trust_env=False,
        ) as client:
            for url in urls:
                try:
                    with anyio.fail_after(timeout * 10):
                        done.append(await _fetch_one(client, url, tmp_dir, allow_private))
                except TimeoutError:
                    raise MediaRejected(f"{_show(url)}: the download timed out.") from None
                except MediaRejected as exc:  # name the URL, not just the file it held
                    if _show(url) not in exc.message:
                        exc.message = f"{_show(url)}: {exc.message}"
                        exc.args = (exc.message,)
                    raise
                except httpx.HTTPError as exc:
                    raise MediaRejected(
                        f"{_show(url)} could not be fetched ({type(exc).__name__}: {exc})."
                    ) from None
    except BaseException:
        for item in done:
            item.path.unlink(missing_ok=True)
        raise
    return done


def _show(url: object) -> str:
    text = str(url)
    return text if len(text) <= 200 else text[:197] + "..."


async def _fetch_one(
    client: httpx.AsyncClient, url: object, tmp_dir: Path, allow_private: bool
) -> Incoming:
    if not isinstance(url, str) or len(url) > 4096:
        raise MediaRejected(f"{_show(url)} is not a URL.")
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        target, headers, extensions = await _checked_target(current, allow_private)
        async with client.stream("GET", target, headers=headers, extensions=extensions) as response:
            if response.is_redirect and "location" in response.headers:
                current = urljoin(current, response.headers["location"])
                continue
            if response.status_code != 200:
                raise MediaRejected(
                    f"{_show(url)}: the server answered HTTP {response.status_code}."
                )
            filename = _url_filename(current, response)
            length = response.headers.get("content-length", "")
            if length.isdigit():
                check_size(filename, int(length))
            sink = _FileSink(filename, tmp_dir)
            try:
                async for chunk in response.aiter_bytes(1 << 16):
                    sink.write(chunk)
                return sink.finish()
            except BaseException:
                sink.discard()
                raise
    raise MediaRejected(f"{_show(url)}: more than {MAX_REDIRECTS} redirects.")


async def _checked_target(url: str, allow_private: bool) -> tuple[str, dict, dict]:
    """The URL to connect to (pinned to a checked public address), with Host and SNI."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise MediaRejected(f"{_show(url)} is not a valid URL.") from None
    if parts.scheme not in ("http", "https"):
        raise MediaRejected(
            f"{_show(url)}: only http and https URLs can be uploaded "
            f"(not {parts.scheme or 'a relative path'})."
        )
    host = parts.hostname
    if not host:
        raise MediaRejected(f"{_show(url)} has no host name.")
    if allow_private:
        return url, {}, {}
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await anyio.to_thread.run_sync(
            lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        )
    except OSError as exc:
        raise MediaRejected(f"{_show(url)}: the host name cannot be resolved ({exc}).") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for address in addresses:
        mapped = getattr(address, "ipv4_mapped", None) or address
        if not mapped.is_global or mapped.is_multicast:
            raise MediaRejected(
                f"{_show(url)} points to a local or private address ({mapped}): only public "
                f"internet addresses can be fetched. Download the file and upload it instead."
            )
    address = addresses[0]
    ip_host = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{ip_host}:{parts.port}" if parts.port else ip_host
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = host if not parts.port else f"{host}:{parts.port}"
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    return pinned, {"Host": host_header}, extensions


def _url_filename(url: str, response: httpx.Response) -> str:
    """A name for a fetched file: Content-Disposition, else the URL's last path segment,
    with an extension from the Content-Type when the name has none we take."""
    name = None
    disposition = response.headers.get("content-disposition", "")
    if disposition:
        raw = disposition.encode("latin-1", "replace")
        found = _rfc5987_filename(raw) or parse_options_header(raw)[1].get(b"filename")
        name = safe_filename(found, "") if found else None
    if not name:
        name = safe_filename(unquote(urlsplit(url).path.rsplit("/", 1)[-1]), "download")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in SUPPORTED_EXTENSIONS:
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype in _CONTENT_TYPES:
            name = f"{name}.{_CONTENT_TYPES[ctype]}"
    return name
