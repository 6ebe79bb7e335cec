"""The handle of an upload started with ``Session.start_upload``.

A widget's Remove button runs on the kernel's thread while the upload runs on
the Session's loop thread; cancelling a task of another thread's loop is easy
to get wrong (``Task.cancel`` is not thread-safe).  An :class:`Upload` wraps the
thread-safe future of the upload, so ``cancel()`` works from any thread and
the upload can be awaited from any loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.api.models import MediaInfo

__all__ = ["Upload"]


class Upload:
    """A running upload: ``await upload`` (from any loop) or ``result()`` for its media.

    ``cancel()`` stops it from any thread; awaiting a cancelled upload raises
    :class:`asyncio.CancelledError`.  A failure is the upload's error (also
    emitted by the Session as an ``"error"`` event).
    """

    def __init__(self, future: Future[list[MediaInfo]]) -> None:
        self._future = future

    def cancel(self) -> bool:
        """Stop the upload (thread-safe); False when it already finished."""
        return self._future.cancel()

    def cancelled(self) -> bool:
        return self._future.cancelled()

    def done(self) -> bool:
        return self._future.done()

    def result(self, timeout: float | None = None) -> list[MediaInfo]:
        """Block until the upload finished (never from the Session's loop thread)."""
        return self._future.result(timeout)

    def __await__(self) -> Generator[Any, None, list[MediaInfo]]:
        return asyncio.wrap_future(self._future).__await__()

    def __repr__(self) -> str:
        state = "cancelled" if self.cancelled() else "done" if self.done() else "running"
        return f"<Upload {state}>"
