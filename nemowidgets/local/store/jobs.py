"""Render jobs: a small worker pool off the event loop, progress, cancel, resume after restart.

A job is a row in the store (``renders``); the row, not memory, is the truth,
so a poll answered by any server on the same data dir sees it, and a job whose
server died is picked up again.  Each row names its ``owner`` (``pid:instance``);
a server re-queues, at start and when a job is polled, every unfinished job
whose owner is gone (a dead process, or a stopped server in this process).  A
restarted kernel therefore resumes polling its saved job id and gets its video.

Stopping a server cancels its running renders *without* marking them
cancelled: they stay ``pending`` for the next server to finish.  The workers
are daemon threads (not a ``ThreadPoolExecutor``, whose threads the interpreter
joins at exit): a kernel that exits mid-render exits at once, and its job is
adopted by the next server.

Where a job renders is decided when it is queued (``placement``): most run on the
``workers`` threads here; a batch item, a variant, a chunked render, or a job that
overlaps another runs on Dask worker processes, each on a thread of its own that
only waits for it (``cluster_jobs``).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemowidgets.local.store.job_progress import cancel_check, progress_writer, render_stats
from nemowidgets.local.store.owners import LIVE_OWNERS, owner_alive
from nemowidgets.local.store.placement import Placement
from nemowidgets.local.store.space import full_after, is_disk_full, render_bytes
from nemowidgets.protocol import (
    RENDER_CANCELLED,
    RENDER_COMPLETED,
    RENDER_FAILED,
    RENDER_FINAL_STATES,
    RENDER_PENDING,
    RENDER_PROCESSING,
    ErrorCode,
)

if TYPE_CHECKING:
    from nemowidgets.local.faults import FaultPlan
    from nemowidgets.local.store.database import Store

__all__ = ["JobRunner"]

log = logging.getLogger(__name__)

_UNFINISHED = (RENDER_PENDING, RENDER_PROCESSING)


class JobRunner:
    """Runs render jobs of one store in ``workers`` threads (1-2: rendering uses every core)."""

    def __init__(
        self,
        store: Store,
        *,
        workers: int = 1,
        faults: FaultPlan | None = None,
        placement: Placement | None = None,
    ) -> None:
        self.store = store
        self.faults = faults
        self.placement = placement if placement is not None else Placement()
        self.owner = f"{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self.renders_dir = store.data_dir / "renders"
        self.workers = max(1, min(workers, 4))
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._cancel: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._placed_threads: set[threading.Thread] = set()
        self._overflow: set[str] = set()  # queued here while worker processes start

    # -- lifecycle -----------------------------------------------------------
    def start(self) -> None:
        self._ensure_workers()
        for job in self.store.unfinished_renders():
            self.adopt(job["id"], job["owner"])

    def _ensure_workers(self) -> None:
        with self._lock:
            if self._threads or self._stopping.is_set():
                return
            LIVE_OWNERS.add(self.owner)
            for index in range(self.workers):
                thread = threading.Thread(
                    target=self._work, name=f"nemo-render-{index}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _work(self) -> None:
        while not self._stopping.is_set():
            render_id = self._queue.get()
            if render_id is None:
                return
            self._run(render_id, "none")

    def shutdown(self, wait: float = 10.0) -> None:
        """Stop: running renders are interrupted and left ``pending`` for the next server."""
        self._stopping.set()
        LIVE_OWNERS.discard(self.owner)
        with self._lock:
            for event in self._cancel.values():
                event.set()
            threads = list(self._threads)
        for _thread in threads:
            self._queue.put(None)
        deadline = time.monotonic() + wait
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for thread in list(self._placed_threads):
            thread.join(max(0.0, deadline - time.monotonic()))
        self.placement.close()

    # -- jobs ----------------------------------------------------------------
    def submit(self, render_id: str) -> None:
        """Queue a job whose row was just created (pending, owner unset) by this server."""
        self.adopt(render_id, None)

    def adopt(self, render_id: str, expected_owner: str | None) -> bool:
        """Take over an unfinished job if its owner is gone; queue it. True if taken."""
        if self._stopping.is_set():
            return False
        if expected_owner and owner_alive(expected_owner):
            return False
        if not self.store.claim_render(render_id, self.owner, expected_owner):
            return False
        with self._lock:
            busy = len(self._cancel)
            self._cancel[render_id] = threading.Event()
        self._ensure_workers()
        mode = self._mode(render_id, busy)
        if mode == "overflow" and self.placement.is_open():
            mode = "jobs"
        if mode == "overflow":  # queue it here while worker processes start; see _spill
            with self._lock:
                self._overflow.add(render_id)
            self.placement.warm_up(self._spill)
            mode = "none"
        if mode == "none":
            self._queue.put(render_id)
            return True
        self._dispatch(render_id, mode)
        return True

    def _spill(self) -> None:
        """Worker processes are up: the overflow jobs still queued here go to them."""
        kept: list[str | None] = []  # None: a worker's stop signal, put back as it was
        spilled: list[str] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            with self._lock:
                overflow = item in self._overflow
            if item is not None and overflow:
                spilled.append(item)
            else:
                kept.append(item)
        for kept_item in kept:
            self._queue.put(kept_item)
        for render_id in spilled:
            self._dispatch(render_id, "jobs")

    def _dispatch(self, render_id: str, mode: str) -> None:
        """Run a job placed on the cluster, on a thread of its own that waits for it."""
        thread = threading.Thread(
            target=self._run_placed, args=(render_id, mode), name="nemo-render-job", daemon=True
        )
        with self._lock:
            self._placed_threads.add(thread)
        thread.start()

    def _mode(self, render_id: str, busy: int) -> str:
        """``none`` (the threads here), ``jobs`` or ``chunks`` (see ``placement``)."""
        job = self.store.get_render(render_id) or {}
        found = job.get("draft")
        draft: dict[str, Any] = found if isinstance(found, dict) else {}
        try:
            duration = float(draft.get("d") or 0) / 1000.0
        except (TypeError, ValueError):
            duration = 0.0
        asked = (job.get("options") or {}).get("parallel")
        return self.placement.mode(asked, busy=busy, duration=duration)

    def _run_placed(self, render_id: str, mode: str) -> None:
        try:
            self._run(render_id, mode)
        finally:
            with self._lock:
                self._placed_threads.discard(threading.current_thread())

    def check_orphan(self, job: dict[str, Any]) -> None:
        """On a poll: an unfinished job whose server died is resumed here."""
        if job["status"] in _UNFINISHED and not owner_alive(job.get("owner")):
            self.adopt(job["id"], job.get("owner"))

    def cancel(self, render_id: str) -> dict[str, Any] | None:
        """Cancel a job: at once in the store (polls see it), and signal a running render."""
        self.store.update_render(render_id, status=RENDER_CANCELLED, only_if_status=_UNFINISHED)
        with self._lock:
            event = self._cancel.get(render_id)
        if event is not None:
            event.set()
        return self.store.get_render(render_id)

    # -- the worker ----------------------------------------------------------
    def _run(self, render_id: str, mode: str) -> None:
        try:
            self._render(render_id, mode)
        except Exception as exc:  # never let a job kill the worker silently
            try:
                self._failed(render_id, exc)
            except Exception:  # the store itself fails (a full disk): the row stays as it was
                log.warning("render %s: could not record its failure (%s)", render_id, exc)
        finally:
            with self._lock:
                self._cancel.pop(render_id, None)
                self._overflow.discard(render_id)

    def _failed(self, render_id: str, exc: BaseException) -> None:
        """Record why a job failed: a full disk (5007), the renderer's reason, or a crash."""
        from nemowidgets.local.render import RenderFailure

        if is_disk_full(exc):
            job = self.store.get_render(render_id) or {}
            draft, quality = job.get("draft"), str(job.get("quality") or "high")
            needed = render_bytes(draft, quality) if isinstance(draft, dict) else None
            full = full_after(self.store.data_dir, "the render", needed)
            log.warning("render %s: %s", render_id, full.message)
            code = int(ErrorCode.STORAGE_FULL)
            self._finish(render_id, status=RENDER_FAILED, error=full.message, error_code=code)
        elif isinstance(exc, RenderFailure):
            self._finish(render_id, status=RENDER_FAILED, error=str(exc) or "The render failed.")
        else:
            log.error("render %s failed", render_id, exc_info=exc)
            self._finish(
                render_id,
                status=RENDER_FAILED,
                error=f"The render failed: {type(exc).__name__}: {exc}",
            )

    def _render(self, render_id: str, mode: str) -> None:
        job = self.store.get_render(render_id)
        cancel = self._cancel.get(render_id) or threading.Event()
        if job is None or job["status"] in RENDER_FINAL_STATES or job["owner"] != self.owner:
            return
        if self._stopping.is_set():
            return
        if not self.store.update_render(
            render_id, status=RENDER_PROCESSING, progress=0, only_if_status=(RENDER_PENDING,)
        ):
            return
        should_cancel = cancel_check(self.store, self.owner, render_id, cancel)
        if self._injected_fault(render_id, should_cancel):
            return

        from nemowidgets.local.render import RenderCancelled

        out = self.renders_dir / f"{render_id}.mp4"
        part = self.renders_dir / f"{render_id}.partial.mp4"
        try:
            stats = self._render_in(job, part, mode, should_cancel)
        except RenderCancelled:
            part.unlink(missing_ok=True)
            if self._stopping.is_set():  # server stopping: leave it for the next one
                self.store.update_render(
                    render_id, status=RENDER_PENDING, progress=0, only_if_status=_UNFINISHED
                )
            else:
                self._finish(render_id, status=RENDER_CANCELLED)
            return
        except BaseException:
            part.unlink(missing_ok=True)  # never a half-written video (then see _failed)
            raise
        if cancel.is_set() and not self._stopping.is_set():
            part.unlink(missing_ok=True)
            self._finish(render_id, status=RENDER_CANCELLED)
            return
        part.replace(out)
        for warning in stats.get("warnings") or ():
            log.warning("render %s: %s", render_id, warning)
        self._finish(
            render_id,
            status=RENDER_COMPLETED,
            progress=100.0,
            output=str(out.relative_to(self.store.data_dir)),
            stats=stats,
        )

    def _render_in(
        self, job: dict[str, Any], part: Path, mode: str, should_cancel: Callable[[], bool]
    ) -> dict[str, Any]:
        """Render ``job`` to ``part`` here or on the cluster; its stats (and where it ran)."""
        from nemowidgets.local.render import render_draft

        render_id = job["id"]
        media = {
            m["id"]: self.store.data_dir / m["path"]
            for m in self.store.list_media(job["session_id"])
        }
        progress = progress_writer(self.store, render_id)
        if mode == "none":
            stats = render_stats(
                render_draft(
                    job["draft"],
                    media,
                    part,
                    quality=job["quality"],
                    progress=progress,
                    should_cancel=should_cancel,
                )
            )
            return {**(stats or {}), "where": "threads"}
        from nemowidgets.local.store.cluster_jobs import Job, Where, render_placed

        def placed(where: Where) -> None:
            self.store.update_render(
                render_id, stats=where.as_dict(), only_if_status=(RENDER_PROCESSING,)
            )

        work = Job(
            render_id, job["draft"], media, part, job["quality"], progress, should_cancel, placed
        )
        result, where = render_placed(work, mode, self.placement)
        return {**result, **where.as_dict()}

    def _finish(self, render_id: str, **fields: Any) -> None:
        """Final state, unless a cancel (or another owner) got there first."""
        self.store.update_render(render_id, only_if_status=_UNFINISHED, **fields)

    def _injected_fault(self, render_id: str, should_cancel: Callable[[], bool]) -> bool:
        """Fault injection (tests): fail or stall this job. True when the job is done with."""
        if self.faults is None or not self.faults.armed:
            return False
        failed = self.faults.take("render_fail")
        if failed is not None:
            self._finish(render_id, status=RENDER_FAILED, error=str(failed["message"]))
            return True
        stall = self.faults.take("render_stall")
        if stall is not None:
            deadline = time.monotonic() + float(stall["seconds"])
            while time.monotonic() < deadline and not should_cancel():
                time.sleep(0.05)
            if should_cancel():
                if self._stopping.is_set():
                    self.store.update_render(
                        render_id, status=RENDER_PENDING, only_if_status=_UNFINISHED
                    )
                else:
                    self._finish(render_id, status=RENDER_CANCELLED)
                return True
        return False
