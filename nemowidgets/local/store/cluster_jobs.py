"""A render job on the cluster: one worker (``jobs``) or split in chunks (``chunks``).

:func:`render_placed` is called by the job runner's thread for a job that
``placement`` put on worker processes.  It waits for the work (reading the worker's
progress file, watching the cancel flag and the scheduler), and when the cluster
cannot be reached or goes away it renders the job *here* instead: nothing is lost,
the job keeps its row and its progress (the rest of the bar is the local render),
and :attr:`Where.notice` says what happened, for the poll answer.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nemowidgets.local.render import RenderCancelled, RenderFailure, render_draft
from nemowidgets.local.render.errors import ClusterUnavailable, task_failure
from nemowidgets.local.render.executors import DaskExecutor
from nemowidgets.local.render.parallel import render_chunked
from nemowidgets.local.render.remote import cancel_file, progress_file, read_progress, render_job
from nemowidgets.local.store.placement import Placement

__all__ = ["Where", "render_placed"]

log = logging.getLogger(__name__)
_POLL = 0.2


@dataclass
class Where:
    """Where a job rendered, for its stats and the poll answer (local extension)."""

    where: str = "threads"
    dashboard: str | None = None
    notice: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"where": self.where, "dashboard": self.dashboard, "notice": self.notice}


@dataclass
class Job:
    """What to render and how to report: the runner's side of one job."""

    render_id: str
    draft: dict[str, Any]
    media: Mapping[str, Path]
    part: Path
    quality: str
    progress: Callable[[float], None]
    should_cancel: Callable[[], bool]
    placed: Callable[[Where], None]  # called when the place is known (and when it changes)


def render_placed(job: Job, mode: str, placement: Placement) -> tuple[dict[str, Any], Where]:
    """Render ``job`` on the cluster in ``mode`` (``jobs`` / ``chunks``); stats and where."""
    try:
        executor = placement.acquire()
    except ClusterUnavailable as exc:
        return _here(job, exc, 0.0)
    where = Where(executor.name, executor.dashboard_link)
    job.placed(where)
    try:
        if mode == "chunks":
            return _chunks(job, executor, where, placement)
        return _whole(job, executor, where, placement)
    finally:
        placement.release()


def _here(job: Job, exc: ClusterUnavailable, reached: float) -> tuple[dict[str, Any], Where]:
    """The fallback: render in this process; the bar goes on from ``reached``."""
    log.warning("%s Rendering in this process instead.", exc)
    where = Where("threads", None, f"{exc} The render went on in the local server instead.")
    job.placed(where)

    def progress(percent: float) -> None:
        job.progress(reached + (100.0 - reached) * percent / 100.0)

    stats = render_draft(
        job.draft,
        job.media,
        job.part,
        quality=job.quality,
        progress=progress,
        should_cancel=job.should_cancel,
    )
    return _stats_dict(stats), where


def _chunks(
    job: Job, executor: DaskExecutor, where: Where, placement: Placement
) -> tuple[dict[str, Any], Where]:
    stats = render_chunked(
        job.draft,
        job.media,
        job.part,
        quality=job.quality,
        executor=executor,
        progress=job.progress,
        should_cancel=job.should_cancel,
        fallback=True,
    )
    if stats.fell_back:
        placement.lose(ClusterUnavailable(stats.fell_back))
        where = Where(stats.where, None, f"{stats.fell_back} The chunks left went on here.")
        job.placed(where)
    elif stats.where != where.where:  # too short to split: it rendered here in one piece
        where = Where(stats.where)
    result = _stats_dict(stats)
    result["chunks"] = stats.chunks
    return result, where


def _whole(
    job: Job, executor: DaskExecutor, where: Where, placement: Placement
) -> tuple[dict[str, Any], Where]:
    """The job on one worker, writing into the data dir; here if the cluster is lost."""
    target = job.part.with_name(f"{job.render_id}.{uuid.uuid4().hex[:8]}.worker.mp4")
    media = {key: str(Path(path).resolve()) for key, path in job.media.items()}
    reached = 0.0
    try:
        future = executor.submit(
            render_job,
            job.draft,
            media,
            str(target),
            job.quality,
            executor.encoder_threads(),
            key=f"nemo-render-{job.render_id}-{target.stem.split('.')[-2]}",
        )
        while not future.done():
            if job.should_cancel():
                cancel_file(target).touch()
                with contextlib.suppress(Exception):
                    future.cancel()
                raise RenderCancelled("render cancelled")
            executor.check()
            seen = read_progress(target)
            if seen is not None and seen > reached:
                reached = min(seen, 99.0)
                job.progress(reached)
            time.sleep(_POLL)
        stats = _result(future, executor)
        target.replace(job.part)
        return stats, where
    except ClusterUnavailable as exc:
        with contextlib.suppress(OSError):  # a worker still running it stops
            cancel_file(target).touch()
        placement.lose(exc)
        return _here(job, exc, reached)
    finally:
        for path in (target, progress_file(target)):
            path.unlink(missing_ok=True)


def _result(future: Any, executor: DaskExecutor) -> dict[str, Any]:
    try:
        stats: dict[str, Any] = future.result()
    except (RenderFailure, RenderCancelled, ValueError):
        raise
    except Exception as exc:
        raise task_failure(
            exc, executor.name, "this video", instead="render here (parallel='none')"
        ) from exc
    return stats


def _stats_dict(stats: Any) -> dict[str, Any]:
    keys = ("frames", "duration", "width", "height", "fps", "wall_time")
    result = {key: getattr(stats, key, None) for key in keys}
    result["warnings"] = list(getattr(stats, "warnings", None) or [])
    return result
