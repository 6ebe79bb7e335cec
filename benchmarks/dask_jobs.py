"""Benchmark: many render jobs at once through the Session and the local server, on Dask.

The user's path end to end (``Session.local``, the in-process server, its job runner,
real MP4s downloaded): 12 variant renders, 4 drafts x 3 aspects (16:9, 9:16, 1:1),

* ``sequential``: one export after another, each in the server (``parallel="none"``);
* ``local-cluster``: ``export_variants`` of the 4 drafts started together: 12 jobs on
  the ``LocalCluster`` the server starts (one worker process per core; its start-up is
  included, as a user pays it the first time);
* ``dask-cli``: the same on a real ``dask scheduler`` + 2 ``dask worker`` processes that
  this script starts on loopback, given by ``Session.local(cluster="tcp://...")``;

and "three exports started together" (auto placement: the 2nd and 3rd overlap the
1st and go to a LocalCluster) against one export alone.  Each run is a process of its
own with a fresh data dir.  Printed: wall times and ratios to ``sequential`` (and to
one export), in one run.

    python benchmarks/dask_jobs.py            # 640x360 at 30 fps, 4 photos x 1.5 s each
    python benchmarks/dask_jobs.py --small    # 320x180 at 15 fps (a smoke run)
    python benchmarks/dask_jobs.py --json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

ASPECTS = ("16:9", "9:16", "1:1")
DRAFTS = 4


def _drafts(session, folder: Path, size: tuple[int, int], fps: int) -> list[dict]:
    from nemowidgets.samples import make_music, make_photo

    drafts = []
    for d in range(DRAFTS):
        files = [make_photo(folder / f"d{d}_{i}.jpg", d * 4 + i, (1600, 1200)) for i in range(4)]
        files.append(make_music(folder / f"d{d}.wav", 8))
        infos = session.upload(files)
        segs, start = [], 0
        for i, info in enumerate(m for m in infos if m.file_type == "image"):
            seg = {"id": f"s{i}", "s": start, "d": 1500, "src": info.id, "k": "image",
                   "kb": {"z0": 1.0, "z1": 1.15, "x0": 0.5, "y0": 0.5, "x1": 0.5, "y1": 0.5},
                   "tr": {"type": "crossfade", "d": 300}}  # fmt: skip
            segs.append(seg)
            start += 1200
        del segs[-1]["tr"]
        song = next(m for m in infos if m.file_type == "audio")
        total = start + 300
        drafts.append({
            "t": [{"tt": 0, "sg": segs},
                  {"tt": 1, "sg": [{"id": "m", "s": 0, "d": total, "src": song.id, "k": "audio"}]}],
            "d": total, "m": {"width": size[0], "height": size[1], "fps": fps, "aspect": "16:9"},
        })  # fmt: skip
    return drafts


def work(mode: str, folder: Path, small: bool, scheduler: str | None) -> dict:
    """One run, in this process: make the drafts, time the renders."""
    from nemowidgets.local.server.launch import ensure_local_server
    from nemowidgets.session import Session

    size, fps = ((320, 180), 15) if small else ((640, 360), 30)
    data = folder / "data"
    session = Session.local(data_dir=data, export_dir=folder / "out", cluster=scheduler)
    drafts = _drafts(session, folder / "media", size, fps)
    started = time.perf_counter()
    if mode == "sequential":
        results = [session.export("high", draft=d, aspect=a, parallel="none")
                   for d in drafts for a in ASPECTS]  # fmt: skip
    elif mode in ("local-cluster", "dask-cli"):
        futures = [session.submit(session.aexport_variants(ASPECTS, "high", draft=d))
                   for d in drafts]  # fmt: skip
        results = [r for f in futures for r in f.result()]
    elif mode == "one-export":
        results = [session.export("high", draft=drafts[0])]
    else:  # three-at-once
        futures = [session.submit(session.aexport("high", draft=drafts[i])) for i in range(3)]
        results = [f.result() for f in futures]
    wall = time.perf_counter() - started
    where = sorted({str(r.job.where) for r in results})
    session.close()
    ensure_local_server(data).stop()
    return {"wall": wall, "renders": len(results), "where": where}


def run(mode: str, small: bool, scheduler: str | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"nemo-jobs-{mode}-") as tmp:
        cmd = [sys.executable, __file__, "--run", mode, "--folder", tmp]
        cmd += ["--small"] if small else []
        cmd += ["--scheduler", scheduler] if scheduler else []
        env = dict(os.environ, PYTHONPATH=str(HERE.parent))
        env.pop("NEMO_DASK_SCHEDULER", None)
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
        if out.returncode != 0:
            raise SystemExit(f"{mode} failed:\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])


def measure(small: bool, say) -> dict:
    from dask_render import dask_cli  # the scheduler + workers started on loopback

    results = {}
    for mode in ("sequential", "local-cluster"):
        say(f"running {mode} ...")
        results[mode] = run(mode, small)
    say("running dask-cli (a dask scheduler + 2 dask worker processes) ...")
    with (
        tempfile.TemporaryDirectory(prefix="nemo-jobs-cluster-") as tmp,
        dask_cli(Path(tmp)) as (address, _pids),
    ):
        results["dask-cli"] = run("dask-cli", small, address)
    for mode in ("one-export", "three-at-once"):
        say(f"running {mode} ...")
        results[mode] = run(mode, small)
    base, one = results["sequential"]["wall"], results["one-export"]["wall"]
    for mode, result in results.items():
        ref = one if mode in ("one-export", "three-at-once") else base
        result["ratio"] = round(result["wall"] / ref, 2)
    return {
        "cpu_count": os.cpu_count(),
        "load_before": os.getloadavg()[0],
        "small": small,
        "results": results,
    }


def table(summary: dict) -> str:
    rows = ["| run | renders | wall (s) | ratio | where |", "|---|---|---|---|---|"]
    for mode, r in summary["results"].items():
        ref = "one export" if mode in ("one-export", "three-at-once") else "sequential"
        rows.append(f"| {mode} | {r['renders']} | {r['wall']:.1f} | {r['ratio']:.2f} x {ref} "
                    f"| {', '.join(r['where'])} |")  # fmt: skip
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="320x180 at 15 fps")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--scheduler", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        print(json.dumps(work(args.run, args.folder, args.small, args.scheduler)))
        return 0

    def say(text: str) -> None:
        if not args.json:
            print(text, file=sys.stderr, flush=True)

    summary = measure(args.small, say)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{summary['cpu_count']} cores, load {summary['load_before']:.1f} at start")
        print(table(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
