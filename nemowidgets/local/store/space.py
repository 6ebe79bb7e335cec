"""A full disk: one clear refusal for uploads, drafts and renders, found early where it can be.

Without this, running out of space surfaces wherever the first write fails: as
"the multipart body is malformed ([Errno 28] ...)" for an upload, as SQLite's
"database or disk is full" behind a 500 for a draft, as an encoder error for a
render, each with a traceback on the server's stderr.  Here it is one thing,
:class:`StorageFull`, that names the data dir and how much room the request
needs, and that the server answers with code 5007 (HTTP 507, docs/protocol.md).

Two ways in:

* :func:`require_space` before a request stores anything, when its size is known
  (an upload's ``Content-Length``, a draft, a render's estimated output).  Nothing
  is written, so nothing needs cleaning up.
* :func:`is_disk_full` on an exception raised mid-write (the disk filled while
  the request ran, or its size was not known): the caller removes what it wrote
  and raises :func:`full_after` instead.

``RESERVE_BYTES`` stays free beyond what a request needs: the database's journal,
thumbnails and the state a later request reads all need a little room, and a
disk filled to the last byte makes even the refusal's bookkeeping fail.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path
from typing import Any

__all__ = [
    "DRAFT_BYTES",
    "RESERVE_BYTES",
    "StorageFull",
    "free_bytes",
    "full_after",
    "is_disk_full",
    "render_bytes",
    "require_space",
]

#: Kept free beyond each request's own need.
RESERVE_BYTES = 1024 * 1024
#: What storing one draft version may take (drafts are JSON, well under this).
DRAFT_BYTES = 256 * 1024
#: A low guess of H.264's bits per pixel per frame at the renderer's settings (slideshows
#: compress well): a render is refused up front only when even this much would not fit.
_BITS_PER_PIXEL = 0.04
_AUDIO_BITS_PER_SECOND = 192_000
_FULL_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
_SQLITE_FULL = 13  # SQLITE_FULL: "database or disk is full"


class StorageFull(Exception):
    """No room in the data dir for ``what``; ``message`` and ``hint`` are for the user."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def free_bytes(data_dir: Path) -> int:
    """Bytes free for us on the disk holding ``data_dir``."""
    return shutil.disk_usage(data_dir).free


def _mb(size: float) -> str:
    return f"{size / 2**20:,.1f} MB"


def require_space(data_dir: Path, needed: int, what: str) -> None:
    """Refuse ``what`` (e.g. ``"this upload (12.0 MB)"``) unless ``needed`` bytes fit.

    ``needed`` is the request's own size; :data:`RESERVE_BYTES` is added to it.
    """
    want = max(0, int(needed)) + RESERVE_BYTES
    free = free_bytes(data_dir)
    if free < want:
        raise StorageFull(
            f"The server's disk is full: {what} needs about {_mb(want)} free in its "
            f"data dir {data_dir}, and {_mb(free)} is left.",
            _free_hint(want - free),
        )


def full_after(data_dir: Path, what: str, needed: int | None = None) -> StorageFull:
    """The refusal for ``what`` after a write failed for want of space (nothing was kept)."""
    free = free_bytes(data_dir)
    want = (max(0, int(needed)) + RESERVE_BYTES) if needed else None
    need = f"about {_mb(want)}" if want else f"more than the {_mb(free)} left"
    return StorageFull(
        f"The server's disk filled up: {what} needs {need} free in its data dir "
        f"{data_dir}. Nothing of it was kept.",
        _free_hint(want - free if want and want > free else RESERVE_BYTES),
    )


def _free_hint(missing: int) -> str:
    return (
        f"Free at least {_mb(missing)} on that disk (or start the server on another "
        "data dir), then try again."
    )


def render_bytes(draft: dict[str, Any], quality: str) -> int:
    """About how many bytes the MP4 of ``draft`` will take: a low guess, for the disk check."""
    meta = draft.get("m")
    meta = meta if isinstance(meta, dict) else {}
    width = _number(meta.get("width"), 1920)
    height = _number(meta.get("height"), 1080)
    fps = _number(meta.get("fps"), 30) or 30
    if quality == "preview":  # the renderer's preview: longer side <= 640, <= 15 fps
        scale = min(1.0, 640 / max(width, height, 1))
        width, height, fps = width * scale, height * scale, min(fps, 15)
    seconds = _number(draft.get("d"), 0) / 1000
    bits = seconds * (width * height * fps * _BITS_PER_PIXEL + _AUDIO_BITS_PER_SECOND)
    return int(bits / 8)


def _number(value: object, default: float) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return default


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an exception it was raised from, means "no space left"."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
            return True
        if isinstance(exc, sqlite3.OperationalError) and (
            getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL
            or "database or disk is full" in str(exc)
        ):
            return True
        exc = exc.__cause__ or exc.__context__
    return False
