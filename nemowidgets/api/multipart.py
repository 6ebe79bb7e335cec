"""A streamed ``multipart/form-data`` body: one ``files`` field per file, never whole in memory.

Why not httpx's own ``files=``: it cannot report progress, and its async
stream reads files with blocking calls on the event loop.  Here the body is an
async generator that reads 1 MiB at a time in a worker thread, so a 500 MB
video costs about 1 MiB of memory, the Session's loop stays responsive, and a
``progress(filename, sent, total)`` callback fires after every chunk.  The exact
``Content-Length`` is known up front (sizes come from the checks), so the
request is not chunked and the server can refuse an oversized body early.

That early refusal is why :func:`batches` exists: the local server refuses a
request declaring more than one file's limit plus framing
(``protocol.MAX_UPLOAD_REQUEST_BYTES``) before reading it, and a request of more
than ``protocol.MAX_UPLOAD_FILES`` files, so a folder of 500 photos, or files
that add up to more bytes, go as several requests, in order, each within both.
Only the requests' plan is made up front (file names and sizes); each body is
streamed when its turn comes, so memory stays at one chunk whatever the count.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from nemowidgets.api.errors import MediaError
from nemowidgets.api.media import UploadItem

__all__ = ["CHUNK_SIZE", "MultipartBody", "Progress", "batches"]

CHUNK_SIZE = 1024 * 1024
Progress = Callable[[str, int, int], None]


def _quote_param(value: str) -> str:
    # The HTML form-encoding rules browsers use for file names in Content-Disposition.
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


@dataclass(frozen=True)
class MultipartBody:
    """The body for ``items``; call :meth:`stream` once per attempt (it can be re-sent)."""

    items: Sequence[UploadItem]
    field: str = "files"
    boundary: str = ""

    def __post_init__(self) -> None:
        if not self.boundary:
            object.__setattr__(self, "boundary", f"nemowidgets-{uuid.uuid4().hex}")

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def _head(self, item: UploadItem) -> bytes:
        name = _quote_param(item.filename)
        return (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{self.field}"; filename="{name}"\r\n'
            f"Content-Type: {item.content_type}\r\n\r\n"
        ).encode("utf-8", "surrogateescape")

    @property
    def _tail(self) -> bytes:
        return f"--{self.boundary}--\r\n".encode("ascii")

    @property
    def tail_length(self) -> int:
        """The bytes of the closing boundary (the same for every body of one boundary length)."""
        return len(self._tail)

    def part_length(self, item: UploadItem) -> int:
        """The bytes ``item`` adds to the body (its header, its content, the CRLF)."""
        return len(self._head(item)) + item.size + 2

    @property
    def length(self) -> int:
        return sum(self.part_length(i) for i in self.items) + len(self._tail)

    async def stream(self, progress: Progress | None = None) -> AsyncIterator[bytes]:
        for item in self.items:
            yield self._head(item)
            if progress:
                progress(item.filename, 0, item.size)
            async for sent in self._file(item):
                yield sent[1]
                if progress:
                    progress(item.filename, sent[0], item.size)
            yield b"\r\n"
        yield self._tail

    async def _file(self, item: UploadItem) -> AsyncIterator[tuple[int, bytes]]:
        if item.data is not None:
            for start in range(0, item.size, CHUNK_SIZE):
                chunk = item.data[start : start + CHUNK_SIZE]
                yield start + len(chunk), chunk
            return
        assert item.path is not None
        try:
            fh = await asyncio.to_thread(item.path.open, "rb")
        except OSError as exc:
            raise MediaError(f"{item.filename}: cannot read it ({exc.strerror}).",
                             filename=item.filename) from None  # fmt: skip
        sent = 0
        try:
            while sent < item.size:
                chunk = await asyncio.to_thread(fh.read, min(CHUNK_SIZE, item.size - sent))
                if not chunk:
                    raise MediaError(
                        f"{item.filename} got shorter while it was being uploaded "
                        f"({sent} of {item.size} bytes).",
                        hint="Wait until the file is completely written, then upload it again.",
                        filename=item.filename,
                    )
                sent += len(chunk)
                yield sent, chunk
        finally:
            fh.close()


def batches(
    items: Sequence[UploadItem], limit: int, max_files: int | None = None
) -> list[MultipartBody]:
    """``items`` as consecutive bodies, each at most ``limit`` bytes and ``max_files`` files.

    Greedy and order-keeping, so the answers concatenate back in the caller's
    order; an item too big to share a body gets one of its own (the server then
    judges it, which is what the 500 MB pre-check already did).
    """
    probe = MultipartBody(items)  # the boundary's length is fixed, so any body measures
    tail = probe.tail_length
    most = max(1, max_files) if max_files is not None else len(items) or 1
    out: list[list[UploadItem]] = []
    size = 0
    for item in items:
        part = probe.part_length(item)
        if out and size + part + tail <= limit and len(out[-1]) < most:
            out[-1].append(item)
            size += part
        else:
            out.append([item])
            size = part
    return [MultipartBody(group) for group in out]
