"""Chunked rendering of one video: pieces on workers, the soundtrack once, a lossless join.

:func:`render_chunked` is :func:`render_draft` spread over an :class:`Executor`: the
frame range is split by ``chunks.plan_chunks``, every chunk is rendered by
``pieces.render_piece`` where the executor runs it (each piece a closed-GOP H.264
stream starting with an IDR frame, the same x264 settings as a one-piece render), the
soundtrack is mixed once here meanwhile, and ``chunks.join_pieces`` copies the
packets into one MP4 with the frame count and timing of a one-piece render.

Faults: a worker that dies is retried by Dask on another worker; a scheduler that is
unreachable or goes away raises :class:`ClusterUnavailable`, and unless
``fallback=False`` the chunks not yet back are rendered in this process instead (the
finished ones are kept), and the stats say so in ``fell_back``.  A bad draft or file
raises :class:`RenderFailure` at once, before any work is sent.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nemowidgets.protocol import RENDER_QUALITIES

from .chunks import Chunk, join_pieces, plan_chunks
from .errors import ClusterUnavailable, RenderCancelled, RenderFailure, task_failure
from .executors import Executor, TaskFuture, ThreadExecutor, open_executor
from .pieces import PieceResult, render_piece, render_soundtrack
from .pipeline import RenderStats, render_draft
from .timeline import Plan, plan_render

log = logging.getLogger("nemowidgets.render")
_POLL = 0.1  # s between looks at the futures, the cancel flag and the cluster


@dataclass
class PieceReport:
    """Where one piece was rendered and what it cost (peak RSS: the worker process's)."""

    index: int
    first: int
    stop: int
    wall: float
    peak_rss_mb: float
    pid: int
    host: str


@dataclass
class ChunkedStats(RenderStats):
    """:class:`RenderStats` plus where it ran and each piece's report."""

    where: str = "threads"
    chunks: int = 1
    fell_back: str | None = None  # the ClusterUnavailable message, when it fell back
    pieces: list[PieceReport] = field(default_factory=list)


class _Progress:
    """0..100 over all pieces (each weighted by its frames); 100 only once joined."""

    def __init__(self, total: int, callback: Callable[[float], None] | None) -> None:
        self.total, self.callback = total, callback
        self.done: dict[int, float] = {}
        self.last = -1
        self.lock = threading.Lock()

    def piece(self, chunk: Chunk, fraction: float) -> None:
        if self.callback is None:
            return
        with self.lock:
            self.done[chunk.index] = chunk.frames * min(1.0, fraction)
            percent = min(99, int(sum(self.done.values()) * 100 // self.total))
            if percent <= self.last:
                return
            self.last = percent
        self.callback(float(percent))

    def for_piece(self, chunk: Chunk) -> Callable[[float], None]:
        return lambda percent: self.piece(chunk, percent / 100)


class _Run:
    """One chunked render's state: the pieces on disk so far, and how to get the rest."""

    def __init__(self, draft: dict[str, Any], media: Mapping[str, Path], quality: str, work: Path):
        self.draft, self.quality, self.work = draft, quality, work
        self.media = {key: str(Path(value).resolve()) for key, value in media.items()}
        self.done: dict[int, tuple[Chunk, Path]] = {}
        self.reports: list[PieceReport] = []
        self.tag = uuid.uuid4().hex[:8]

    def keep(self, chunk: Chunk, result: PieceResult) -> None:
        path = self.work / f"piece_{chunk.index:04d}.mp4"
        path.write_bytes(result.data)
        self.done[chunk.index] = (chunk, path)
        self.reports.append(
            PieceReport(
                chunk.index,
                chunk.first,
                chunk.stop,
                result.wall,
                result.peak_rss_mb,
                result.pid,
                result.host,
            )
        )

    def submit(
        self,
        executor: Executor,
        chunk: Chunk,
        threads: int | None,
        progress: _Progress,
        cancel: Any,
    ) -> Any:
        args: list[Any] = [self.draft, self.media, chunk.index, chunk.first, chunk.stop]
        args += [self.quality, threads]
        if executor.in_process:  # callbacks only work in this process
            args += [progress.for_piece(chunk), cancel]
        key = f"nemo-piece-{self.tag}-{chunk.index}"
        return executor.submit(render_piece, *args, key=key)

    def run_on(
        self,
        executor: Executor,
        chunks: Sequence[Chunk],
        progress: _Progress,
        should_cancel: Callable[[], bool] | None,
    ) -> None:
        """Render the chunks not yet done on ``executor``; return when all are back."""
        futures: dict[int, TaskFuture] = {}
        try:
            threads = executor.encoder_threads()
            for chunk in chunks:
                if chunk.index not in self.done:
                    futures[chunk.index] = self.submit(
                        executor, chunk, threads, progress, should_cancel
                    )
            by_index = {chunk.index: chunk for chunk in chunks}
            while futures:
                if should_cancel is not None and should_cancel():
                    raise RenderCancelled("render cancelled")
                executor.check()
                for index, future in list(futures.items()):
                    if future.done():
                        self.keep(by_index[index], _result(future, executor))
                        progress.piece(by_index[index], 1.0)
                        del futures[index]
                if futures:
                    time.sleep(_POLL)
        finally:
            for future in futures.values():
                with contextlib.suppress(Exception):
                    future.cancel()


def _result(future: TaskFuture, executor: Executor) -> PieceResult:
    try:
        result: PieceResult = future.result()
    except (RenderFailure, RenderCancelled, ValueError):
        raise
    except Exception as exc:
        if executor.in_process and type(exc).__name__ != "KilledWorker":
            raise
        raise task_failure(
            exc,
            executor.name,
            "a piece",
            instead="render with fewer chunks",
            after=" The pieces already back are kept; check the scheduler and its workers "
            "to use the cluster again.",
        ) from exc
    return result


def render_chunked(
    draft: dict[str, Any],
    media: Mapping[str, Path],
    out_path: Path,
    *,
    quality: str = "high",
    executor: Executor | None = None,
    workers: int | None = None,
    chunks: Sequence[Chunk] | None = None,
    progress: Callable[[float], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    fallback: bool = True,
) -> ChunkedStats:
    """Render ``draft`` to ``out_path`` in chunks on ``executor`` (see the module doc).

    Without ``executor`` one is opened by ``open_executor(workers)`` (and closed after):
    ``$NEMO_DASK_SCHEDULER`` if set, a LocalCluster of ``workers`` processes if more than
    one, else this process.  ``chunks`` overrides the plan (``chunks.plan_chunks``).
    The same ``progress``/``should_cancel`` contract as :func:`render_draft`.
    """
    started = time.perf_counter()
    if quality not in RENDER_QUALITIES:
        raise ValueError(f"quality must be one of {RENDER_QUALITIES}, not {quality!r}")
    plan = plan_render(draft, media, quality)  # a bad draft fails here, before any work
    job = _Job(draft, media, Path(out_path), quality, progress, should_cancel, fallback, plan)
    runner: Executor
    if executor is not None:
        runner = executor
    else:
        try:
            runner = open_executor(workers)
        except ClusterUnavailable as exc:
            if not fallback:
                raise
            job.fell_back = _fell_back(exc)
            runner = ThreadExecutor(1)
    try:
        fps = float(plan.canvas.fps)
        chunk_list = list(chunks or plan_chunks(plan.frames, _workers(runner, job), fps=fps))
        if len(chunk_list) == 1:  # nothing to split: today's one-piece render, here
            render_draft(
                draft,
                media,
                job.out_path,
                quality=quality,
                progress=progress,
                should_cancel=should_cancel,
            )
            return job.stats(started, "threads", 1, [])
        where, reports = _chunked(job, runner, chunk_list)
        return job.stats(started, where, len(chunk_list), reports)
    finally:
        if executor is None:
            runner.close()


def _workers(executor: Executor, job: _Job) -> int:
    """How many workers to plan for; the cluster's, or 2 (it may be back by then)."""
    try:
        return executor.workers
    except ClusterUnavailable:
        if not job.fallback:
            raise
        return 2


def _fell_back(exc: ClusterUnavailable) -> str:
    log.warning("%s Rendering in this process instead.", exc)
    return str(exc)


@dataclass
class _Job:
    """What :func:`render_chunked` was asked, and whether it had to fall back."""

    draft: dict[str, Any]
    media: Mapping[str, Path]
    out_path: Path
    quality: str
    progress: Callable[[float], None] | None
    should_cancel: Callable[[], bool] | None
    fallback: bool
    plan: Plan
    fell_back: str | None = None

    def stats(
        self, started: float, where: str, chunks: int, reports: list[PieceReport]
    ) -> ChunkedStats:
        canvas, frames = self.plan.canvas, self.plan.frames
        fps = float(canvas.fps)
        return ChunkedStats(
            frames,
            frames / fps,
            canvas.width,
            canvas.height,
            fps,
            time.perf_counter() - started,
            warnings=list(getattr(self.plan, "warnings", None) or []),
            where=where,
            chunks=chunks,
            fell_back=self.fell_back,
            pieces=sorted(reports, key=lambda r: r.index),
        )


def _chunked(job: _Job, executor: Executor, chunks: list[Chunk]) -> tuple[str, list[PieceReport]]:
    """Pieces on ``executor`` (the rest here if it is lost), the soundtrack, the join."""
    out_path = job.out_path
    out_path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_path.name}.", dir=out_path.parent))
    reporter = _Progress(job.plan.frames, job.progress)
    where = executor.name
    try:
        run = _Run(job.draft, job.media, job.quality, work)
        with ThreadPoolExecutor(1, thread_name_prefix="nemo-render-sound") as sound_pool:
            sound = sound_pool.submit(
                render_soundtrack, job.draft, job.media, work / "sound.m4a", job.quality
            )
            try:
                run.run_on(executor, chunks, reporter, job.should_cancel)
            except ClusterUnavailable as exc:
                if not job.fallback:
                    raise
                job.fell_back, where = _fell_back(exc), "threads"
                here = ThreadExecutor(1)
                try:
                    run.run_on(here, chunks, reporter, job.should_cancel)
                finally:
                    here.close()
            audio = sound.result()
        join_pieces(list(run.done.values()), audio, out_path, job.plan.canvas.fps)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if job.progress is not None:
        job.progress(100.0)
    return where, run.reports
