"""The kernel's side of a browser file transfer: chunks over the comm into a file on disk.

Jupyter Server refuses a websocket message over 10 MiB, so a file from the
browser cannot travel in one message (what ``ipywidgets.FileUpload`` does).
The drop zone's page sends it in chunks instead, one file at a time, and this
receiver writes each chunk at its offset in a staging file and acknowledges
it.  The page keeps at most a small window of chunks unacknowledged, so the
kernel never holds more than ``window x chunk`` bytes of a file in memory,
however big the file.  Nothing here runs a thread: each message is handled on
the kernel's thread when it arrives, and a write is one ``write`` call.

The messages (``t`` is the type; the page sends the first four)::

    begin  {id, name, size}       -> ready {id} | refused {id, message}
    chunk  {id, offset} + 1 buffer -> ack {id, received} | failed {id, message}
    end    {id}                   -> done {id} | failed {id, message}
    cancel {id}                   (no answer; the partial file is deleted)

A file whose name or announced size cannot be uploaded is refused at
``begin``, before a byte is sent.  A finished file keeps its original name in a
folder of its own under the staging folder (the Session shows and uploads that
name) and stays there until the receiver is closed: the Session thumbnails it
and, if the server forgets the session, uploads it again from there.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = ["ChunkReceiver", "Incoming", "safe_name"]

#: What the page sends per chunk, and how many may be in flight unacknowledged.
CHUNK_BYTES = 1024 * 1024
WINDOW = 4

_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]+")


def safe_name(name: str) -> str:
    """The last part of ``name``, without characters a file system may refuse."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    return cleaned[:200] or "file"


@dataclass
class Incoming:
    """One file being received."""

    id: str
    name: str
    size: int
    path: Path
    handle: IO[bytes]
    received: int = 0


class ChunkReceiver:
    """Receives files in chunks (see the module docstring); ``handle`` answers each message.

    ``precheck(name, size)`` raises to refuse a file at ``begin`` (its message
    goes to the page); ``on_file(name, path)`` is called when a file is complete;
    ``on_refused(name, size, exc)`` when it was refused.
    """

    def __init__(
        self,
        *,
        precheck: Callable[[str, int], None] | None = None,
        on_file: Callable[[str, Path], None] | None = None,
        on_refused: Callable[[str, int, Exception], None] | None = None,
        folder: Path | None = None,
    ) -> None:
        self.precheck = precheck
        self.on_file = on_file
        self.on_refused = on_refused
        self._own_folder = folder is None
        self.folder = Path(folder or tempfile.mkdtemp(prefix="nemowidgets-browser-"))
        self._open: dict[str, Incoming] = {}
        self._seq = itertools.count(1)
        self.completed = 0  #: files received in full
        if self._own_folder:  # a receiver dropped without close() leaves no folder behind
            self._finalizer = weakref.finalize(
                self, shutil.rmtree, str(self.folder), ignore_errors=True
            )

    # -- messages --------------------------------------------------------------------
    def handle(self, content: dict[str, Any], buffers: list[Any]) -> dict[str, Any] | None:
        """Apply one message from the page; the answer to send back, if any."""
        kind = content.get("t")
        fid = str(content.get("id", ""))
        try:
            if kind == "begin":
                return self._begin(fid, str(content.get("name", "")), content.get("size"))
            if kind == "chunk":
                return self._chunk(fid, content.get("offset"), buffers)
            if kind == "end":
                return self._end(fid)
            if kind == "cancel":
                self._drop(fid)
                return None
        except OSError as exc:  # a full disk, a removed folder: the file fails, nothing else
            self._drop(fid)
            return {"t": "failed", "id": fid, "message": f"Could not store the file: {exc}"}
        return None

    def _begin(self, fid: str, name: str, size: Any) -> dict[str, Any]:
        self._drop(fid)  # a retried id starts over
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            return {"t": "refused", "id": fid, "message": f"{name}: the browser sent no size."}
        if self.precheck is not None:
            try:
                self.precheck(name, size)
            except Exception as exc:
                if self.on_refused is not None:
                    self.on_refused(name, size, exc)
                message = getattr(exc, "message", None) or str(exc)
                return {"t": "refused", "id": fid, "message": message}
        folder = self.folder / f"{next(self._seq):04d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / safe_name(name)
        self._open[fid] = Incoming(fid, name, size, path, path.open("wb"))
        return {"t": "ready", "id": fid}

    def _chunk(self, fid: str, offset: Any, buffers: list[Any]) -> dict[str, Any]:
        item = self._open.get(fid)
        if item is None:
            return {"t": "failed", "id": fid, "message": "This transfer was not started."}
        if offset != item.received or len(buffers) != 1:
            self._drop(fid)
            return {"t": "failed", "id": fid, "message": f"{item.name}: a chunk was lost."}
        data = memoryview(buffers[0]).cast("B")
        if item.received + len(data) > item.size:
            self._drop(fid)
            return {"t": "failed", "id": fid, "message": f"{item.name}: more bytes than announced."}
        item.handle.write(data)
        item.received += len(data)
        return {"t": "ack", "id": fid, "received": item.received}

    def _end(self, fid: str) -> dict[str, Any]:
        item = self._open.pop(fid, None)
        if item is None:
            return {"t": "failed", "id": fid, "message": "This transfer was not started."}
        item.handle.close()
        if item.received != item.size:
            _unlink(item.path)
            return {
                "t": "failed",
                "id": fid,
                "message": f"{item.name}: {item.received} of {item.size} bytes arrived.",
            }
        self.completed += 1
        if self.on_file is not None:
            self.on_file(item.name, item.path)
        return {"t": "done", "id": fid}

    def _drop(self, fid: str) -> None:
        item = self._open.pop(fid, None)
        if item is not None:
            with contextlib.suppress(OSError):
                item.handle.close()
            _unlink(item.path)

    # -- state -----------------------------------------------------------------------
    @property
    def receiving(self) -> list[str]:
        """The names of the files being received."""
        return [i.name for i in self._open.values()]

    def close(self) -> None:
        """Drop the partial files; remove the staging folder if this receiver made it."""
        for fid in list(self._open):
            self._drop(fid)
        if self._own_folder:
            self._finalizer()


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
    with contextlib.suppress(OSError):
        path.parent.rmdir()
