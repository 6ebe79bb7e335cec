"""Benchmark: how smoothly FFmpeg's ``zoompan`` moves, by supersample factor, against ours.

``zoompan`` crops its input at whole pixels, the left and top edges rounded down to
even ones for 4:2:0 video, and scales that crop to the output; on a picture barely
bigger than the output, a slow zoom or pan therefore advances in ~2-pixel jumps with
stalls between them.  kburns-slideshow works around it by scaling each picture to 4x
the output first, so one source pixel is a quarter of an output pixel.

This measures it: the same dot picture and move (``tests/support/smoothness.py``: a
zoom from 1.0 to 1.2 about the centre, 1 s at 30 fps) rendered

* by our renderer (``render_draft``), and
* by FFmpeg built exactly as the benchmark's ``ffmpeg-zoompan`` anchor builds it
  (``render_jobs.ffmpeg_command``), composed at ``Nx`` the canvas before ``zoompan``:
  ``1x`` is the canvas times the move's largest zoom (the cheap form), ``4x``
  kburns-slideshow's;

and prints each one's dot-centroid figures (the largest distance from a straight
line, the largest and smallest step against the mean, zero or backward steps), whether
it stays within the bounds our own Ken Burns test holds it to, and its time per frame
(best of ``--repeat``; ours in this process, FFmpeg's whole process: its start-up,
the picture's decode and the audio included).

    python benchmarks/zoompan_jitter.py               # 1920x1080
    python benchmarks/zoompan_jitter.py --small       # 320x180, a quick run
    python benchmarks/zoompan_jitter.py --factors 1,2,3,4 --repeat 3 --json
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

ROOT = Path(__file__).resolve().parents[1]
for entry in (str(ROOT), str(Path(__file__).resolve().parent)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import render_jobs  # noqa: E402

from tests.support.smoothness import (  # noqa: E402
    DOT_MOVE,
    Smoothness,
    dot_centroids,
    dot_picture,
    smoothness,
)


def dot_job(folder: Path, canvas: tuple[int, int], seconds: float) -> dict:
    """The dot picture and its move as a benchmark job (``render_jobs``' shape)."""
    from nemowidgets.samples import make_music
    from tests.local.render_support import slideshow

    draft = slideshow(
        ["dot"], seconds=seconds, transition=None, music="music", size=canvas, kb=DOT_MOVE
    )
    media = {"dot": str(dot_picture(folder / "dot.png", canvas))}
    music = make_music(folder / "music.wav", seconds + 0.5)
    return {"default": draft, "media": dict(media, music=str(music)), "music": str(music)}


def render(name: str, job: dict, out: Path) -> float:
    """Render the job with ``name`` (``ours`` or ``zoompan-Nx``); its wall time."""
    started = time.perf_counter()
    if name == "ours":
        from nemowidgets.local.render import render_draft

        render_draft(job["default"], render_jobs.paths(job["media"]), out)
    else:
        factor = int(name.removeprefix("zoompan-").removesuffix("x"))
        args = render_jobs.ffmpeg_command(job, str(out), kenburns=True, supersample=factor)
        subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - started


def judge(path: Path) -> tuple[Smoothness, int]:
    """The move's smoothness in the MP4 at ``path`` (decoded with PyAV), and its frames."""
    import av

    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return smoothness(dot_centroids(frames)), len(frames)


def measure(name: str, job: dict, folder: Path, repeat: int) -> dict:
    """``name``'s figures: the move's smoothness, and its best time of ``repeat``."""
    out = folder / f"{name}.mp4"
    walls = [render(name, job, out) for _ in range(repeat)]
    judged, frames = judge(out)
    return {
        "name": name,
        "frames": frames,
        "smooth": judged.smooth,
        "residual_px": judged.residual_px,
        "mean_step_px": judged.mean_step,
        "step_max_ratio": judged.step_max_ratio,
        "step_min_ratio": judged.step_min_ratio,
        "stalls": judged.stalls,
        "ms_per_frame": 1000 * min(walls) / frames,
    }


def table(rows: list[dict], canvas: tuple[int, int], seconds: float) -> str:
    lines = [
        f"Dot move at {canvas[0]}x{canvas[1]}, {seconds:g} s at 30 fps, zoom 1.0 -> 1.2; "
        f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}",
        "",
        "| renderer | smooth | max residual px | mean step px | step max/mean "
        "| step min/mean | zero/backward steps | ms per frame |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {'yes' if r['smooth'] else 'NO'} | {r['residual_px']:.3f} | "
            f"{r['mean_step_px']:.3f} | {r['step_max_ratio']:.2f} | {r['step_min_ratio']:.2f} | "
            f"{r['stalls']} | {r['ms_per_frame']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="a 320x180 canvas (quick)")
    parser.add_argument("--factors", default="1,2,4", help="zoompan supersample factors")
    parser.add_argument("--seconds", type=float, default=1.0, help="the move's length")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs each (best kept)")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args(argv)
    canvas = (320, 180) if args.small else (1920, 1080)
    names = ["ours", *(f"zoompan-{int(f)}x" for f in args.factors.split(","))]
    with tempfile.TemporaryDirectory(prefix="nemo-jitter-") as tmp:
        job = dot_job(Path(tmp), canvas, args.seconds)
        rows = [measure(name, job, Path(tmp), max(1, args.repeat)) for name in names]
    if args.json:
        print(json.dumps({"canvas": canvas, "seconds": args.seconds, "rows": rows}, indent=2))
    else:
        print(table(rows, canvas, args.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
