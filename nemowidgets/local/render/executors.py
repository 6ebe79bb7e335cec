"""Where render work runs: threads in this process, a Dask LocalCluster, or a Dask cluster.

One small interface (:class:`Executor`: ``submit`` a function, get back something with
``done()`` and ``result()``) over two engines, so the chunked renderer (and batches and
variants built on it) never cares which one runs:

* :class:`ThreadExecutor`, the default: threads in this process, no Dask import.  x264
  releases the GIL while it encodes, so two pieces on two threads do overlap, but
  composing frames in Python does not; for real parallelism use processes.
* :class:`DaskExecutor`: a ``distributed.Client``, either given by the caller, or
  connected to ``NEMO_DASK_SCHEDULER=tcp://host:port``, or to a ``LocalCluster`` of
  worker *processes* it starts (and stops) itself when parallelism is asked for.
  A worker killed mid-task is Dask's business: the scheduler hands the task to another
  worker (up to ``distributed.scheduler.allowed-failures`` times).  A scheduler that
  is unreachable, or goes away, is ours: :class:`ClusterUnavailable`.

:func:`open_executor` picks one by the rules above.  Workers need the same
``nemowidgets`` (and PyAV) installed, and read media from the local data directory by
path (see ``pieces`` for why not by URL).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from .errors import ClusterUnavailable

SCHEDULER_ENV = "NEMO_DASK_SCHEDULER"
CONNECT_TIMEOUT = 10.0  # s to reach a scheduler
LOST_GRACE = 10.0  # s a client may spend reconnecting before the cluster counts as gone


class TaskFuture(Protocol):
    def done(self) -> bool: ...
    def result(self, timeout: float | None = None) -> Any: ...
    def cancel(self) -> Any: ...


class Executor(Protocol):
    """Runs functions somewhere; ``workers`` is how many can run at once.

    ``in_process``: the functions run in this process (so callbacks can be passed).
    """

    @property
    def name(self) -> str: ...
    @property
    def workers(self) -> int: ...
    @property
    def dashboard_link(self) -> str | None: ...
    @property
    def in_process(self) -> bool: ...

    def submit(self, fn: Callable[..., Any], *args: Any, key: str | None = None) -> TaskFuture: ...
    def encoder_threads(self) -> int | None: ...
    def check(self) -> None: ...
    def close(self) -> None: ...


class ThreadExecutor:
    """``workers`` threads in this process (the default: one, i.e. render as today)."""

    name = "threads"
    dashboard_link: str | None = None
    in_process = True

    def __init__(self, workers: int = 1) -> None:
        self.workers = max(1, int(workers))
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="nemo-render-piece")

    def submit(self, fn: Callable[..., Any], *args: Any, key: str | None = None) -> TaskFuture:
        return self._pool.submit(fn, *args)

    def encoder_threads(self) -> int | None:
        return max(1, (os.cpu_count() or 2) // self.workers) if self.workers > 1 else None

    def check(self) -> None:
        """Threads cannot go away."""

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:  # the optional extra is not installed
        raise ClusterUnavailable(
            "Dask is not installed, so renders cannot use a cluster. "
            "Install it with: pip install 'nemowidgets[dask]'"
        ) from exc
    return distributed


class DaskExecutor:
    """A ``distributed.Client``; closes it (and its LocalCluster) only if it made them."""

    in_process = False

    def __init__(self, client: Any, *, owned: tuple[Any, ...] = (), name: str | None = None):
        self.client = client
        self._owned = owned  # what close() must stop: our own client, our LocalCluster
        self.name = name or str(client.scheduler.address)
        self._lost_since: float | None = None

    @classmethod
    def connect(cls, address: str, timeout: float | None = None) -> DaskExecutor:
        """A client of the scheduler at ``address`` (``tcp://host:port``)."""
        distributed = _distributed()
        wait = CONNECT_TIMEOUT if timeout is None else timeout
        try:
            client = distributed.Client(address, timeout=wait, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterUnavailable(
                f"cannot reach the Dask scheduler at {address} ({exc}). Start it "
                f"(dask scheduler), fix {SCHEDULER_ENV}, or unset it to render here."
            ) from exc
        return cls(client, owned=(client,), name=address)

    @classmethod
    def local_cluster(cls, workers: int) -> DaskExecutor:
        """A LocalCluster of ``workers`` single-threaded worker processes on loopback."""
        distributed = _distributed()
        cluster = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0" if _has_bokeh() else None,
            silence_logs=40,  # logging.ERROR: a worker's chatter is not the user's
        )
        client = distributed.Client(cluster, set_as_default=False)
        return cls(client, owned=(client, cluster), name="local-cluster")

    @property
    def workers(self) -> int:
        return max(1, sum(int(w["nthreads"]) for w in self._workers().values()))

    @property
    def dashboard_link(self) -> str | None:
        try:
            return str(self.client.dashboard_link) if _has_bokeh() else None
        except Exception:  # no dashboard on this scheduler
            return None

    def _workers(self) -> dict[str, dict[str, Any]]:
        if getattr(self.client, "status", "running") != "running":
            # Asking a scheduler that is not connected blocks for the connect timeout.
            raise self._lost(None)
        info: dict[str, dict[str, Any]] = self.client.scheduler_info(n_workers=-1).get(
            "workers", {}
        )
        return info

    def submit(self, fn: Callable[..., Any], *args: Any, key: str | None = None) -> TaskFuture:
        try:
            future: TaskFuture = self.client.submit(fn, *args, key=key, pure=False)
        except Exception as exc:  # closed or disconnected client
            raise self._lost(exc) from exc
        return future

    def encoder_threads(self) -> int | None:
        """x264 threads per piece: the host's cores shared by the workers on that host."""
        hosts: dict[str, int] = {}
        for worker in self._workers().values():
            hosts[worker.get("host", "")] = hosts.get(worker.get("host", ""), 0) + 1
        busiest = max(hosts.values(), default=1)
        return max(1, (os.cpu_count() or 2) // busiest)

    def check(self) -> None:
        """Raise :class:`ClusterUnavailable` once the scheduler has been gone for a while."""
        status = getattr(self.client, "status", "running")
        if status == "running":
            self._lost_since = None
            return
        now = time.monotonic()
        self._lost_since = self._lost_since or now
        if status in ("closed", "closing") or now - self._lost_since > LOST_GRACE:
            raise self._lost(None)

    def _lost(self, exc: BaseException | None) -> ClusterUnavailable:
        why = f" ({exc})" if exc else ""
        return ClusterUnavailable(
            f"the Dask scheduler {self.name} went away{why}. Its finished pieces are kept "
            f"and the rest render here; restart the scheduler to use the cluster again."
        )

    def close(self) -> None:
        for thing in self._owned:
            with contextlib.suppress(Exception):  # already gone: nothing left to stop
                thing.close()


def _has_bokeh() -> bool:
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return False
    return True


def open_executor(
    workers: int | None = None, *, client: Any = None, scheduler: str | None = None
) -> ThreadExecutor | DaskExecutor:
    """The executor for a render, by these rules, first match wins:

    1. ``client`` (a ``distributed.Client``): use it (the caller keeps it open);
    2. ``scheduler``, or else ``$NEMO_DASK_SCHEDULER``: connect to that address, or raise
       :class:`ClusterUnavailable`;
    3. ``workers > 1``: a LocalCluster of that many worker processes (threads if Dask
       is not installed);
    4. otherwise one thread in this process.
    """
    if client is not None:
        return DaskExecutor(client)
    address = scheduler or os.environ.get(SCHEDULER_ENV, "").strip()
    if address:
        return DaskExecutor.connect(address)
    if workers is not None and workers > 1:
        try:
            return DaskExecutor.local_cluster(workers)
        except ClusterUnavailable:
            return ThreadExecutor(workers)
    return ThreadExecutor(1)
