"""URL uploads, fetched safely: the server downloads a file a client names by URL.

They guard against SSRF: http(s) only, every address the host resolves to must be
public (no loopback, private, link-local, reserved...), the connection is pinned
to the checked address (no DNS rebinding between check and fetch), redirects are
re-checked hop by hop, proxies from the environment are ignored, and size and
time are capped.
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import anyio
import anyio.to_thread
import httpx
from python_multipart.multipart import parse_options_header

from nemowidgets.local.server.uploads import BadUpload, FileSink, Incoming, rfc5987_filename
from nemowidgets.local.store.upload_checks import MediaRejected, check_size, safe_filename
from nemowidgets.protocol import SUPPORTED_EXTENSIONS

__all__ = ["fetch_urls"]

MAX_URLS = 20
URL_TIMEOUT = 30.0  # seconds per network step; a whole fetch gets 10x
MAX_REDIRECTS = 5
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


async def fetch_urls(
    urls: object,
    tmp_dir: Path,
    *,
    allow_private: bool = False,
    timeout: float = URL_TIMEOUT,
    owner: str = "",
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
                        done.append(await _fetch_one(client, url, tmp_dir, allow_private, owner))
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
    client: httpx.AsyncClient, url: object, tmp_dir: Path, allow_private: bool, owner: str
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
            sink = FileSink(filename, tmp_dir, owner)
            try:
                async for chunk in response.aiter_bytes(1 << 16):
                    sink.write(chunk)
                return sink.finish()
            except BaseException:
                sink.discard()
                raise
    raise MediaRejected(f"{_show(url)}: more than {MAX_REDIRECTS} redirects.")


async def _checked_target(
    url: str, allow_private: bool
) -> tuple[str, dict[str, str], dict[str, Any]]:
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
        found = rfc5987_filename(raw) or parse_options_header(raw)[1].get(b"filename")
        name = safe_filename(found, "") if found else None
    if not name:
        name = safe_filename(unquote(urlsplit(url).path.rsplit("/", 1)[-1]), "download")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in SUPPORTED_EXTENSIONS:
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype in _CONTENT_TYPES:
            name = f"{name}.{_CONTENT_TYPES[ctype]}"
    return name
