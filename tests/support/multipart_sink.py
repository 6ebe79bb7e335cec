"""A streaming ``multipart/form-data`` sink for test servers: count, hash, sniff, keep nothing."""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

import python_multipart
from starlette.requests import Request

__all__ = ["drain", "parse_multipart"]


async def drain(request: Request) -> None:
    """Read (and drop) an unread body, so an early error answer never breaks the upload."""
    with contextlib.suppress(Exception):
        async for _ in request.stream():
            pass


async def parse_multipart(request: Request, content_type: str) -> list[dict[str, Any]]:
    """Stream-parse ``multipart/form-data``: count, hash and sniff each part, keep nothing."""
    _, params = python_multipart.multipart.parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise ValueError("multipart body without a boundary")
    files: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    header: list[bytes] = [b"", b""]

    def on_part_begin() -> None:
        current.clear()
        current.update(headers={}, size=0, head=b"", sha=hashlib.sha1(usedforsecurity=False))

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header[0] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header[1] += data[start:end]

    def on_header_end() -> None:
        current["headers"][header[0].decode("latin-1").lower()] = header[1]
        header[0], header[1] = b"", b""

    def on_part_data(data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if len(current["head"]) < 16:
            current["head"] += chunk[: 16 - len(current["head"])]
        current["size"] += len(chunk)
        current["sha"].update(chunk)

    def on_part_end() -> None:
        _, opts = python_multipart.multipart.parse_options_header(
            current["headers"].get("content-disposition", b""))  # fmt: skip
        files.append({"field": opts.get(b"name", b"").decode(),
                      "filename": opts.get(b"filename", b"").decode("utf-8", "replace"),
                      "content_type": current["headers"].get("content-type", b"").decode(),
                      "size": current["size"], "head": current["head"],
                      "hash": current["sha"].hexdigest()})  # fmt: skip

    parser = python_multipart.MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
        "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end})  # fmt: skip
    async for chunk in request.stream():
        parser.write(chunk)
    parser.finalize()
    return files
