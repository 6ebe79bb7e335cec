"""One whole render on a worker process: the file is written straight to shared storage.

:func:`render_job` is what a Dask worker runs for a job placed on a worker (a batch
item, a variant, or a render that overlaps others).  Like the chunks (``pieces``), it
takes plain data: the draft, the media map of absolute paths into the local data
directory, and the output path, which is in that same directory, so a finished video
never travels through Dask.  A worker cannot call back into the server, so the two
signals go through small files beside the output, on the same shared storage:

* ``<out>.progress``: the worker writes the percentage (at most ~5 times a second);
* ``<out>.cancel``: the server creates it to stop the render (the worker looks at most
  every 0.2 s).

A worker killed mid-render is Dask's business: the task runs again on another worker,
from the start, writing the same path again.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .errors import RenderCancelled
from .pieces import _peak_rss_mb, check_media_visible
from .pipeline import render_draft

__all__ = ["cancel_file", "progress_file", "read_progress", "render_job"]

_EVERY = 0.2  # s between writes of the progress file and looks at the cancel file


def progress_file(out: Path) -> Path:
    return out.with_name(out.name + ".progress")


def cancel_file(out: Path) -> Path:
    return out.with_name(out.name + ".cancel")


def read_progress(out: Path) -> float | None:
    """The worker's last percentage, or ``None`` before it wrote one."""
    try:
        return float(progress_file(out).read_text(encoding="ascii") or "nan")
    except (OSError, ValueError):
        return None


def _signals(out: Path) -> tuple[Callable[[float], None], Callable[[], bool]]:
    state = {"wrote": 0.0, "looked": 0.0, "cancelled": False}
    target, temp, stop = (
        progress_file(out),
        out.with_name(out.name + ".progress.tmp"),
        cancel_file(out),
    )

    def progress(percent: float) -> None:
        now = time.monotonic()
        if now - state["wrote"] < _EVERY and percent < 100:
            return
        state["wrote"] = now
        temp.write_text(f"{float(percent):.1f}", encoding="ascii")
        os.replace(temp, target)  # a reader never sees half a number

    def should_cancel() -> bool:
        now = time.monotonic()
        if not state["cancelled"] and now - state["looked"] >= _EVERY:
            state["looked"] = now
            state["cancelled"] = stop.exists()
        return bool(state["cancelled"])

    return progress, should_cancel


def render_job(
    draft: dict[str, Any],
    media: Mapping[str, str],
    out: str,
    quality: str = "high",
    threads: int | None = None,
) -> dict[str, Any]:
    """Render ``draft`` to ``out`` on this worker; the stats and where it ran."""
    started = time.perf_counter()
    check_media_visible(draft, media)
    path = Path(out)
    progress, should_cancel = _signals(path)
    if should_cancel():
        raise RenderCancelled("render cancelled")
    stats = render_draft(
        draft,
        {key: Path(value) for key, value in media.items()},
        path,
        quality=quality,
        progress=progress,
        should_cancel=should_cancel,
        threads=threads,
    )
    return {
        "frames": stats.frames,
        "duration": stats.duration,
        "width": stats.width,
        "height": stats.height,
        "fps": stats.fps,
        "wall_time": time.perf_counter() - started,
        "warnings": list(stats.warnings),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "pid": os.getpid(),
        "host": socket.gethostname(),
    }
