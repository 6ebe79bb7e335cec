"""Thread priorities: the renderer's helpers yield the cores to x264."""

from __future__ import annotations

import contextlib
import os
import sys
import threading


def background() -> None:
    """Lower the calling thread's CPU priority (Linux: niceness is per thread).

    The renderer's helper threads (soundtrack, photo preparation) have plenty of
    slack; x264's threads are the critical path.  At a lower priority the helpers run
    in the gaps x264 leaves (its frame threads wait on each other on a slideshow's
    easy frames) instead of taking turns with it.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
