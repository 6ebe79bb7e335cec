"""Keep the renderer's freed frame buffers from piling up in the C heap (Linux, glibc).

A render allocates and frees megabyte-sized buffers all the time: decoded photos,
composed frames, the encoder's input copies.  glibc serves a large allocation with
its own ``mmap`` and gives it back on ``free``, but only until the first such free:
then it raises its threshold to that size and serves later ones from the heap, where
freed blocks stay resident (fragmented over the threads' arenas).  Measured through
the public API at 1080p that retention was ~35 MB of the peak.  Pinning the
threshold (``M_MMAP_THRESHOLD``, 256 KiB) keeps big buffers on ``mmap``, returned at
once; the cost is a few page faults per buffer, negligible beside x264's time.

The setting is per process and harmless to other code (small allocations are
unaffected); it is applied once, when the first render starts.  Elsewhere than glibc
it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys
import threading

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
THRESHOLD = 256 * 1024
_done = threading.Event()


def limit_heap_retention() -> None:
    """Pin glibc's mmap threshold (once per process; no-op where unavailable)."""
    if _done.is_set() or not sys.platform.startswith("linux"):
        return
    _done.set()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, THRESHOLD)
