"""Where a render job runs: here, on a worker process, or split over several workers.

The rules (docs/parallel-rendering.md), decided per job when it is queued:

* a job's ``parallel`` option (``output.parallel`` in the render request) wins:
  ``none`` renders here in one piece, ``jobs`` on a worker process, ``chunks`` split
  over the workers;
* otherwise, with a cluster configured (``NEMO_DASK_SCHEDULER``, or the ``cluster``
  the Session passed to its server): ``jobs``, and ``chunks`` for a video of
  :data:`AUTO_CHUNK_SECONDS` or more;
* otherwise ``overflow`` when another job of this server is rendering at that moment
  and Dask is installed: on worker processes if they are up, else queued here while
  they start in the background (the queued overflow moves to them once they are up),
  so several exports started together run side by side without waiting for a
  cluster's start-up; else ``none``: one export alone never imports Dask.

Without a configured cluster, worker processes come from a ``LocalCluster`` that
:class:`Placement` starts on first need and stops after :data:`IDLE_SECONDS` without
work (and when the server stops).  A cluster that cannot be reached, or goes away,
raises ``ClusterUnavailable``; the job then renders here, and for
:data:`DOWN_SECONDS` the next jobs do not wait for the dead scheduler again.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from nemowidgets.local.render.errors import ClusterUnavailable
from nemowidgets.local.render.executors import SCHEDULER_ENV, DaskExecutor

__all__ = ["AUTO_CHUNK_SECONDS", "Placement"]

log = logging.getLogger(__name__)
AUTO_CHUNK_SECONDS = 30.0  # on a configured cluster, videos this long are split
IDLE_SECONDS = 120.0  # an idle LocalCluster of ours is stopped after this
DOWN_SECONDS = 30.0  # after losing a cluster, render here this long before trying again
MAX_LOCAL_WORKERS = 4


def dask_installed() -> bool:
    return importlib.util.find_spec("distributed") is not None


class Placement:
    """The render cluster of one server: configured or our LocalCluster, opened lazily.

    ``cluster``: ``None`` (follow ``NEMO_DASK_SCHEDULER``, else a LocalCluster when
    needed), a scheduler address ``tcp://host:port``, or a ``distributed.Client``.
    ``auto``: place overlapping jobs on worker processes (see the module doc).
    """

    def __init__(self, cluster: Any = None, *, auto: bool = True, workers: int | None = None):
        self.auto = auto
        self.local_workers = workers or max(1, min(os.cpu_count() or 2, MAX_LOCAL_WORKERS))
        self._cluster = cluster
        self._executor: DaskExecutor | None = None
        self._lock = threading.RLock()
        self._active = 0
        self._idle_timer: threading.Timer | None = None
        self._down_until = 0.0
        self._down_reason = ""
        self._warming = False

    # -- configuration -------------------------------------------------------
    def configure(self, cluster: Any) -> None:
        """Use ``cluster`` from now on (address, client, or ``None``); closes what we opened."""
        with self._lock:
            if cluster is self._cluster or (isinstance(cluster, str) and cluster == self._cluster):
                return
            self._cluster = cluster
            self._down_until = 0.0
            self._close_executor()

    def configured(self) -> Any:
        """The cluster asked for: the argument, else ``$NEMO_DASK_SCHEDULER``, else ``None``."""
        if self._cluster is not None:
            return self._cluster
        return os.environ.get(SCHEDULER_ENV, "").strip() or None

    @property
    def describe(self) -> str:
        cluster = self.configured()
        if cluster is None:
            return "local-cluster"
        return cluster if isinstance(cluster, str) else str(cluster.scheduler.address)

    # -- the rule ------------------------------------------------------------
    def mode(self, asked: str | None, *, busy: int, duration: float) -> str:
        """``none``, ``jobs``, ``chunks`` or ``overflow`` for a job (see the module doc)."""
        if asked in ("none", "jobs", "chunks"):
            return asked
        if self.configured() is not None:
            return "chunks" if duration >= AUTO_CHUNK_SECONDS else "jobs"
        if self.auto and busy > 0 and dask_installed():
            return "overflow"
        return "none"

    def is_open(self) -> bool:
        """Worker processes are up (and not lost a moment ago)."""
        with self._lock:
            return self._executor is not None and time.monotonic() >= self._down_until

    def warm_up(self, ready: Callable[[], None]) -> None:
        """Start the cluster in the background (once at a time); ``ready()`` when it is up."""
        with self._lock:
            if self._warming or self._executor is not None:
                return
            self._warming = True

        def start() -> None:
            try:
                self.acquire()
            except ClusterUnavailable as exc:
                log.info("no worker processes for overflow renders: %s", exc)
                return
            finally:
                with self._lock:
                    self._warming = False
            self.release()
            ready()

        threading.Thread(target=start, name="nemo-render-cluster-start", daemon=True).start()

    # -- the executor --------------------------------------------------------
    def acquire(self) -> DaskExecutor:
        """The cluster's executor for one job (release it after); ClusterUnavailable if none."""
        with self._lock:
            if self._idle_timer is not None:
                self._idle_timer.cancel()
                self._idle_timer = None
            if time.monotonic() < self._down_until:
                raise ClusterUnavailable(self._down_reason)
            if self._executor is None:
                self._executor = self._open()
            self._active += 1
            return self._executor

    def _open(self) -> DaskExecutor:
        cluster = self.configured()
        try:
            if cluster is None:
                log.info("starting a Dask LocalCluster of %d workers", self.local_workers)
                return DaskExecutor.local_cluster(self.local_workers)
            if isinstance(cluster, str):
                return DaskExecutor.connect(cluster)
            return DaskExecutor(cluster)
        except ClusterUnavailable as exc:
            self._mark_down(exc)
            raise
        except Exception as exc:  # e.g. worker processes that cannot start
            lost = ClusterUnavailable(
                f"the Dask cluster could not start ({type(exc).__name__}: {exc})."
            )
            self._mark_down(lost)
            raise lost from exc

    def lose(self, exc: ClusterUnavailable) -> None:
        """The cluster went away under a job: forget it, and render here for a while."""
        with self._lock:
            self._mark_down(exc)
            self._close_executor()

    def release(self) -> None:
        """A job is done with the executor (an idle LocalCluster of ours stops later)."""
        with self._lock:
            self._active = max(0, self._active - 1)
            if self._active == 0 and self._owns_cluster():
                self._idle_timer = threading.Timer(IDLE_SECONDS, self._idle_close)
                self._idle_timer.daemon = True
                self._idle_timer.start()

    def _mark_down(self, exc: ClusterUnavailable) -> None:
        self._down_until = time.monotonic() + DOWN_SECONDS
        self._down_reason = str(exc)

    def _owns_cluster(self) -> bool:
        return self._executor is not None and self._executor.name == "local-cluster"

    def _idle_close(self) -> None:
        with self._lock:
            if self._active == 0:
                self._close_executor()

    def dashboard_link(self) -> str | None:
        with self._lock:
            return self._executor.dashboard_link if self._executor is not None else None

    def _close_executor(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            with contextlib.suppress(Exception):  # a dead cluster has nothing left to stop
                executor.close()

    def close(self) -> None:
        with self._lock:
            if self._idle_timer is not None:
                self._idle_timer.cancel()
            self._close_executor()
