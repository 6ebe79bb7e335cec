"""Benchmark: a chunked render of the seed job on Dask against today's one-piece render.

The seed job is ``benchmarks/render.py``'s (10 photos up to 12 MP, 1920x1080 at 30
fps, 25.5 s, x264 veryfast CRF 23, music).  Three runs, each in processes of its own:

* ``one-piece``: ``render_draft`` in one process (x264 frame threads on every core);
* ``local-cluster``: ``render_chunked`` on a ``LocalCluster`` of 2 worker processes
  (1 thread each, x264 on cores / workers threads per piece);
* ``dask-cli``: the same on a real ``dask scheduler`` + 2 ``dask worker`` processes
  that this script starts on loopback, the way a cluster is used.

Reported: wall time of the whole client process (cluster start-up included for the
LocalCluster) and of the render call alone, their ratios to the one-piece render, and
the peak RSS of every process (polled with psutil; a worker's own ``ru_maxrss`` as
well), against the 300 MB per-worker target at 1080p.

    python benchmarks/dask_render.py            # the seed job
    python benchmarks/dask_render.py --small    # a tiny smoke run (320x180)
    python benchmarks/dask_render.py --json
    python benchmarks/dask_render.py --repeat 3   # on a shared machine: best of 3 rounds
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import render as seed  # noqa: E402  (benchmarks/render.py: the seed job)

RSS_TARGET_MB = 300.0
NANNY_ENVIRON = {"MALLOC_TRIM_THRESHOLD_": "65536", "OMP_NUM_THREADS": "1"}


# -- the client process's work -----------------------------------------------------------
def work(mode: str, job: dict, out: str, scheduler: str | None) -> dict:
    from nemowidgets.local.render import render_draft
    from nemowidgets.local.render.executors import DaskExecutor, open_executor
    from nemowidgets.local.render.parallel import render_chunked

    draft, media = seed.seed_draft(job)
    paths = {k: Path(v) for k, v in media.items()}
    if mode == "one-piece":
        stats = render_draft(draft, paths, Path(out), quality=job["quality"])
        return {"inner_wall": stats.wall_time, "frames": stats.frames}
    started = time.perf_counter()
    executor = DaskExecutor.connect(scheduler) if scheduler else open_executor(2)
    try:
        if scheduler:
            executor.client.wait_for_workers(2, timeout=60)
        ready = time.perf_counter() - started
        stats = render_chunked(draft, paths, Path(out), executor=executor, quality=job["quality"])
    finally:
        executor.close()
    return {
        "inner_wall": stats.wall_time,
        "cluster_start": ready,
        "frames": stats.frames,
        "chunks": stats.chunks,
        "where": stats.where,
        "fell_back": stats.fell_back,
        "pieces": [vars(p) for p in stats.pieces],
    }


# -- measuring ---------------------------------------------------------------------------
class Peaks:
    """Peak RSS per process of a process tree (and some extra pids), polled every 20 ms."""

    def __init__(self, roots: list[int]) -> None:
        self.roots, self.peaks, self.names = roots, {}, {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        import psutil

        while not self._done.is_set():
            for root in self.roots:
                with contextlib.suppress(psutil.Error):
                    top = psutil.Process(root)
                    for proc in [top, *top.children(recursive=True)]:
                        with contextlib.suppress(psutil.Error):
                            rss = proc.memory_info().rss / 2**20
                            if rss > self.peaks.get(proc.pid, 0):
                                self.peaks[proc.pid] = rss
                                self.names.setdefault(proc.pid, _role(proc.cmdline()))
            time.sleep(0.02)

    def stop(self) -> dict[str, float]:
        self._done.set()
        self._thread.join()
        return {f"{self.names[pid]}[{pid}]": round(mb, 1) for pid, mb in self.peaks.items()}


def _role(cmdline: list[str]) -> str:
    text = " ".join(cmdline)
    if "resource_tracker" in text:
        return "tracker"
    if "spawn_main" in text or " worker " in f"{text} ":
        return "worker"  # a LocalCluster's worker process, or a dask worker
    return "scheduler" if " scheduler " in f"{text} " else "client"


def run_client(mode: str, job_file: Path, out: str, extra: list[int], sched: str | None) -> dict:
    args = [sys.executable, __file__, "--worker", mode, "--job", str(job_file), "--to", out]
    if sched:
        args += ["--scheduler", sched]
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peaks = Peaks([proc.pid, *extra])
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - started
    rss = peaks.stop()
    if proc.returncode:
        raise RuntimeError(f"{mode} failed: {stderr.decode()[-2000:]}")
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    return dict(result, wall=wall, rss_mb=rss)


def _dask(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("dask")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from dask.__main__ import main; main()", *args]


@contextlib.contextmanager
def dask_cli(folder: Path, workers: int = 2) -> Iterator[tuple[str, list[int]]]:
    """A ``dask scheduler`` and ``workers`` ``dask worker`` processes on 127.0.0.1."""
    info = folder / "scheduler.json"
    # What a nanny would set for its worker (distributed's ``pre-spawn-environ``); these
    # workers run without one, so that a killed worker stays dead.
    env = dict(os.environ, PYTHONPATH=str(HERE.parent), **NANNY_ENVIRON)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    procs = [
        subprocess.Popen(
            _dask(
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(info),
            ),
            **quiet,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        for i in range(workers):
            procs.append(
                subprocess.Popen(
                    _dask(
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--no-nanny",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                        "--name",
                        f"w{i}",
                    ),
                    **quiet,
                )
            )
        yield address, [p.pid for p in procs]
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def run_once(mode: str, job_file: Path, folder: Path) -> dict:
    out = str(folder / f"{mode}.mp4")
    if mode == "dask-cli":  # a fresh scheduler and workers for every run
        with dask_cli(folder) as (address, pids):
            result = run_client(mode, job_file, out, pids, address)
    else:
        result = run_client(mode, job_file, out, [], None)
    return dict(result, frames_out=frames_of(out))


def best(measured: list[dict]) -> dict:
    """The fastest run, with the highest peak RSS of each role (client, worker, ...)."""
    fastest = dict(min(measured, key=lambda r: r["wall"]), runs=len(measured))
    peaks: dict[str, float] = {}
    for run in measured:
        for name, mb in run["rss_mb"].items():
            role = name.split("[")[0]
            peaks[role] = max(peaks.get(role, 0.0), mb)
    fastest["peak_rss_mb_by_role"] = peaks
    return fastest


def frames_of(path: str) -> int:
    import av

    with av.open(path) as container:
        return sum(1 for _ in container.demux(video=0) if _.size)


def summarize(results: dict) -> dict:
    one = results["one-piece"]
    ratios, checks = {}, {}
    for mode in ("local-cluster", "dask-cli"):
        if mode in results:
            r = results[mode]
            ratios[f"{mode}_wall_vs_one_piece"] = r["wall"] / one["wall"]
            ratios[f"{mode}_render_vs_one_piece"] = r["inner_wall"] / one["inner_wall"]
            workers = [r["peak_rss_mb_by_role"].get("worker", 0.0)]
            worst = max([*workers, *(p["peak_rss_mb"] for p in r.get("pieces", []))])
            r["worker_peak_rss_mb"] = worst
            checks[f"{mode}: peak RSS per worker <= 300 MB"] = worst <= RSS_TARGET_MB
            checks[f"{mode}: same frame count"] = r["frames_out"] == one["frames_out"]
    return {"results": results, "ratios": ratios, "targets_met": checks, "machine": seed.machine()}


def table(summary: dict) -> str:
    lines = [
        "| run | wall s | render s | chunks | peak RSS MB, per process of each role |",
        "|---|---:|---:|---:|---|",
    ]
    for name, r in summary["results"].items():
        rss = ", ".join(f"{k} {v:.0f}" for k, v in sorted(r["peak_rss_mb_by_role"].items()))
        lines.append(
            f"| {name} | {r['wall']:.2f} | {r['inner_wall']:.2f} | {r.get('chunks', 1)} | {rss} |"
        )
    lines += ["", "| ratio | value |", "|---|---:|"]
    lines += [f"| {k} | {v:.3f} |" for k, v in summary["ratios"].items()]
    lines += ["", "Targets:"]
    lines += [f"- {k}: {'met' if ok else 'NOT met'}" for k, ok in summary["targets_met"].items()]
    m = summary["machine"]
    lines.append(f"\nMachine: {m['cpu']}, {m['cores']} cores, load average {m['load_average']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="tiny smoke run: 320x180")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("--no-cli", action="store_true", help="skip the dask scheduler run")
    parser.add_argument("--repeat", type=int, default=1, help="runs per mode; best wall")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--job", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--to", help=argparse.SUPPRESS)
    parser.add_argument("--scheduler", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        job = json.loads(args.job.read_text())
        print(json.dumps(work(args.worker, job, args.to, args.scheduler)))
        return 0
    with tempfile.TemporaryDirectory(prefix="nemo-dask-bench-") as tmp:
        folder = Path(tmp)
        job_file = folder / "job.json"
        job_file.write_text(json.dumps({"photos": 3 if args.small else 10, "small": args.small}))
        subprocess.run(
            [
                sys.executable,
                seed.__file__,
                "--worker",
                "make-job",
                "--job",
                str(job_file),
                "--to",
                str(folder),
            ],
            check=True,
        )
        runs: dict[str, list[dict]] = {}
        for round_ in range(max(1, args.repeat)):  # in rounds: load bursts hit every run
            for mode in ("one-piece", "local-cluster", *([] if args.no_cli else ["dask-cli"])):
                say(args, f"rendering: {mode} (run {round_ + 1} of {args.repeat}) ...")
                runs.setdefault(mode, []).append(run_once(mode, job_file, folder))
        summary = summarize({mode: best(measured) for mode, measured in runs.items()})
    print(json.dumps(summary, indent=2) if args.json else table(summary))
    return 0


def say(args: argparse.Namespace, text: str) -> None:
    if not args.json:
        print(text, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
