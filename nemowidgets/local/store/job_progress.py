"""What a running render reads and writes in the store: cancel, progress, its stats, its file."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemowidgets.protocol import RENDER_CANCELLED, RENDER_COMPLETED, RENDER_PROCESSING

if TYPE_CHECKING:
    from nemowidgets.local.store.database import Store

__all__ = ["cancel_check", "progress_writer", "render_path", "render_stats"]


def cancel_check(
    store: Store, owner: str, render_id: str, event: threading.Event
) -> Callable[[], bool]:
    """``should_cancel`` for the renderer: our event, or (once a second) the store says so,
    which catches a cancel that reached another server on this data dir."""
    last = [time.monotonic()]

    def should_cancel() -> bool:
        if event.is_set():
            return True
        now = time.monotonic()
        if now - last[0] >= 1.0:
            last[0] = now
            job = store.get_render(render_id)
            if job is None or job["status"] == RENDER_CANCELLED or job["owner"] != owner:
                event.set()
        return event.is_set()

    return should_cancel


def progress_writer(store: Store, render_id: str) -> Callable[[float], None]:
    """Progress 0-100 into the store, at most ~5 writes a second."""
    state = {"at": 0.0, "value": -1.0}

    def progress(value: float) -> None:
        value = max(0.0, min(100.0, float(value)))
        now = time.monotonic()
        if value < 100.0 and (now - state["at"] < 0.2 or int(value) == int(state["value"])):
            return
        state["at"], state["value"] = now, value
        store.update_render(
            render_id, progress=round(min(value, 99.9), 1), only_if_status=(RENDER_PROCESSING,)
        )

    return progress


def render_stats(stats: Any) -> dict[str, Any] | None:
    if stats is None:
        return None
    keys = ("frames", "duration", "width", "height", "fps", "wall_time", "warnings")
    return {key: getattr(stats, key, None) for key in keys}


def render_path(store: Store, job: dict[str, Any]) -> Path | None:
    """The finished MP4 of a completed job, if its file is there."""
    if job.get("status") != RENDER_COMPLETED or not job.get("output"):
        return None
    path = store.data_dir / job["output"]
    return path if path.is_file() else None
