"""The encoder's frames, composed on a producer thread a few frames ahead of it.

Composing a frame (a warp, a blend, titles, the copy into an ``av.VideoFrame``) and
encoding it used to alternate on one thread, so while Python composed, x264 waited
for its next input, and while x264's threads were busy, nothing was composed.  Here
a producer thread composes into a small bounded queue and the encoding thread takes
from it: the two overlap on the machine's cores.  The queue is short (a few 1080p
frames, ~3 MB each), so memory does not grow; a frame that repeats the previous one
(same key, see ``compose``) is the same ``VideoFrame`` object queued again, never a
copy.  The producer runs at normal priority: it is on the encoder's critical path.

An error while composing (a photo that fails to decode mid-render) is re-raised on
the encoding thread, where the pipeline turns it into the render's failure.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import av

from .compose import Compositor
from .frames import to_video_frame

DEPTH = 2  # frames composed ahead of the encoder
_POLL = 0.1  # seconds between checks for a stop while the queue is full


class FrameFeed:
    """Iterates over the encoder-ready frames ``first .. stop - 1`` of ``compositor``."""

    def __init__(self, compositor: Compositor, first: int, stop: int, depth: int = DEPTH) -> None:
        self._compositor, self._first, self._count = compositor, first, stop - first
        self._queue: queue.Queue[av.VideoFrame | BaseException | None] = queue.Queue(depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nemo-render-compose", daemon=True)
        self._thread.start()

    def _put(self, item: av.VideoFrame | BaseException | None) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        canvas = self._compositor.canvas
        last_key: object = None
        frame: av.VideoFrame | None = None
        try:
            for n in range(self._first, self._first + self._count):
                key, make = self._compositor.frame(n)
                if frame is None or key is None or key != last_key:
                    frame = to_video_frame(make(), canvas)
                    last_key = key
                if not self._put(frame):
                    return
            self._put(None)
        except BaseException as exc:  # handed to the encoding thread, which raises it
            self._put(exc)

    def __iter__(self) -> Iterator[av.VideoFrame]:
        for _ in range(self._count):
            item = self._queue.get()
            if isinstance(item, BaseException):
                raise item
            if item is None:
                return
            yield item

    def close(self) -> None:
        """Stop the producer (early on a cancel or an error) and wait for it."""
        self._stop.set()
        self._thread.join()
