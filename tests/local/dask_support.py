"""A real Dask cluster for tests: a ``dask scheduler`` and ``dask worker`` processes on loopback.

Started with subprocess the way a cluster is used (not an in-process client), each
worker a single-threaded process without a nanny, so a killed worker stays dead and
its task must move to another worker.  Everything started is stopped on exit.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _dask_cli(*args: str) -> list[str]:
    """The ``dask`` command of this interpreter's environment."""
    script = Path(sys.executable).with_name("dask")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from dask.__main__ import main; main()", *args]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("NEMO_DASK_SCHEDULER", None)
    # What a nanny sets for its worker (distributed's ``pre-spawn-environ``): these
    # workers run without one, so that a killed worker stays dead.
    env.update(MALLOC_TRIM_THRESHOLD_="65536", OMP_NUM_THREADS="1")
    return env


@dataclass
class Cluster:
    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen] = field(default_factory=list)

    def worker_pids(self) -> list[int]:
        return [w.pid for w in self.workers if w.poll() is None]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _wait_for_file(path: Path, proc: subprocess.Popen, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the dask scheduler exited with {proc.returncode}")
        with contextlib.suppress(OSError, ValueError):
            return json.loads(path.read_text())
        time.sleep(0.1)
    raise TimeoutError("the dask scheduler did not start")


@contextlib.contextmanager
def dask_cluster(folder: Path, workers: int = 2) -> Iterator[Cluster]:
    """A scheduler and ``workers`` worker processes on 127.0.0.1, stopped on exit."""
    info_file = folder / "scheduler.json"
    info_file.unlink(missing_ok=True)  # a stale one would name a dead scheduler
    logs = folder / "dask-logs"
    logs.mkdir(exist_ok=True)
    env = _env()
    files = [(logs / "scheduler.log").open("wb")]
    scheduler = subprocess.Popen(
        _dask_cli(
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(info_file),
        ),
        env=env,
        stdout=files[0],
        stderr=subprocess.STDOUT,
    )
    cluster = Cluster("", scheduler)
    try:
        cluster.address = _wait_for_file(info_file, scheduler)["address"]
        for i in range(workers):
            files.append(out := (logs / f"worker{i}.log").open("wb"))
            cluster.workers.append(
                subprocess.Popen(
                    _dask_cli(
                        "worker",
                        cluster.address,
                        "--nthreads",
                        "1",
                        "--no-nanny",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                        "--name",
                        f"w{i}",
                    ),
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        yield cluster
    finally:
        for proc in [*cluster.workers, scheduler]:
            _stop(proc)
        for file in files:
            file.close()
