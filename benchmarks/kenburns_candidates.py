"""Benchmark: ways to make a Ken Burns frame, timed on the same frames, with their accuracy.

Every candidate turns the same pre-scaled YUV 4:2:0 photo (fitted once to the canvas
times the move's largest zoom, as ``stills.Still`` does) into the same sequence of
1080p frames of a zoom + pan, and is compared with the renderer's previous method
(Pillow's ``resize(box=...)`` per plane, a proper area filter) by PSNR over all frames.

Candidates:

* ``pillow-resize``: the previous method (two-pass convolution with a fractional box);
* ``pillow-affine``: Pillow's ``Image.transform(AFFINE, BILINEAR)`` per plane;
* ``cv2-warp``: OpenCV's ``warpAffine`` (bilinear, SIMD) per plane;
* ``vips-affine``: libvips' ``affine`` (bilinear) per plane, if pyvips is installed.

(libswscale through PyAV has no sub-pixel source offset: it can only crop whole
pixels, which is exactly the jitter Ken Burns must not have, so it is not a candidate.)

Each candidate runs on one thread (the renderer's x264 has the other core), reported
as milliseconds per frame, best of ``--repeat`` passes.

    python benchmarks/kenburns_candidates.py            # 1920x1080, 60 frames
    python benchmarks/kenburns_candidates.py --json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nemowidgets.local.render.frames import Canvas, even, planes  # noqa: E402
from nemowidgets.local.render.stills import KenBurns, photo_yuv  # noqa: E402

Box = tuple[float, float, float, float]
Planes = tuple[np.ndarray, np.ndarray, np.ndarray]


def textured_photo(path: Path, size: tuple[int, int]) -> Path:
    """A photo with fine detail (noise, thin lines, text): aliasing and blur show up."""
    rng = np.random.default_rng(7)
    w, h = size
    base = rng.integers(40, 215, (h // 8 + 1, w // 8 + 1, 3), dtype=np.uint8)
    image = Image.fromarray(base).resize((w, h), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    for x in range(0, w, 37):
        draw.line((x, 0, x + h // 3, h), fill=(250, 250, 250), width=2)
    for y in range(0, h, 53):
        draw.line((0, y, w, y), fill=(10, 10, 10), width=1)
    image.save(path, quality=92)
    return path


def pillow_resize(src: Planes, box: Box, canvas: Canvas) -> Planes:
    out = []
    for index, plane in enumerate(src):
        d = 1 if index == 0 else 2
        image = Image.fromarray(plane)
        size = (canvas.width // d, canvas.height // d)
        part = tuple(v / d for v in box)
        out.append(np.asarray(image.resize(size, Image.Resampling.BILINEAR, box=part)))
    return tuple(out)  # type: ignore[return-value]


def _affine(box: Box, canvas: Canvas, d: int) -> tuple[float, float, float]:
    """Scale and offset (pixel-index coordinates) mapping output pixels to the source."""
    x0, y0, x1, _ = box
    s = (x1 - x0) / canvas.width
    return s, x0 / d + 0.5 * s - 0.5, y0 / d + 0.5 * s - 0.5


def pillow_affine(src: Planes, box: Box, canvas: Canvas) -> Planes:
    out = []
    for index, plane in enumerate(src):
        d = 1 if index == 0 else 2
        s = (box[2] - box[0]) / canvas.width
        size = (canvas.width // d, canvas.height // d)
        # Pillow's transform maps output pixel centres (i + 0.5) to source coordinates.
        data = (s, 0.0, box[0] / d, 0.0, s, box[1] / d)
        image = Image.fromarray(plane).transform(
            size, Image.Transform.AFFINE, data, Image.Resampling.BILINEAR
        )
        out.append(np.asarray(image))
    return tuple(out)  # type: ignore[return-value]


def cv2_warp(src: Planes, box: Box, canvas: Canvas) -> Planes:
    import cv2

    out = []
    for index, plane in enumerate(src):
        d = 1 if index == 0 else 2
        s, tx, ty = _affine(box, canvas, d)
        m = np.array([[s, 0.0, tx], [0.0, s, ty]])
        out.append(
            cv2.warpAffine(
                plane,
                m,
                (canvas.width // d, canvas.height // d),
                flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                borderMode=cv2.BORDER_REPLICATE,
            )
        )
    return tuple(out)  # type: ignore[return-value]


def vips_affine(src: Planes, box: Box, canvas: Canvas) -> Planes:
    import pyvips

    out = []
    for index, plane in enumerate(src):
        d = 1 if index == 0 else 2
        s, tx, ty = _affine(box, canvas, d)
        image = pyvips.Image.new_from_memory(
            np.ascontiguousarray(plane).data, plane.shape[1], plane.shape[0], 1, "uchar"
        )
        w, h = canvas.width // d, canvas.height // d
        # vips maps source to output: out = in / s - t / s, with centre convention odx.
        result = image.affine(
            [1 / s, 0, 0, 1 / s],
            interpolate=pyvips.Interpolate.new("bilinear"),
            oarea=[0, 0, w, h],
            odx=-tx / s,
            ody=-ty / s,
            extend="copy",
        )
        out.append(np.ndarray((h, w), np.uint8, result.write_to_memory()))
    return tuple(out)  # type: ignore[return-value]


CANDIDATES: dict[str, Callable[[Planes, Box, Canvas], Planes]] = {
    "pillow-resize": pillow_resize,
    "pillow-affine": pillow_affine,
    "cv2-warp": cv2_warp,
    "vips-affine": vips_affine,
}


def psnr(a: Planes, b: Planes) -> float:
    err = np.mean(
        np.concatenate([(x.astype(np.float64) - y).ravel() ** 2 for x, y in zip(a, b, strict=True)])
    )
    return math.inf if err == 0 else 10 * math.log10(255**2 / err)


def run(width: int, height: int, frames: int, repeat: int) -> dict:
    canvas = Canvas(width, height, Fraction(30))
    kb = KenBurns(1.1, 1.16, 0.52, 0.48, 0.47, 0.53)  # the agent's 4th move: zoom and pan
    size = (even(width * kb.oversample), even(height * kb.oversample))
    with tempfile.TemporaryDirectory() as tmp:
        photo = textured_photo(Path(tmp) / "photo.jpg", (4000, 3000))
        buf = photo_yuv(photo, Canvas(*size, canvas.fps), "blur")
    src = tuple(np.ascontiguousarray(p) for p in planes(buf, Canvas(*size, canvas.fps)))
    boxes = [kb.box(i / max(frames - 1, 1), *size) for i in range(frames)]
    reference = [pillow_resize(src, box, canvas) for box in boxes]
    results: dict[str, dict] = {}
    for name, make in CANDIDATES.items():
        try:
            make(src, boxes[0], canvas)
        except ImportError as exc:
            results[name] = {"skipped": str(exc)}
            continue
        best = math.inf
        for _ in range(repeat):
            started = time.perf_counter()
            made = [make(src, box, canvas) for box in boxes]
            best = min(best, time.perf_counter() - started)
        worst = min(psnr(m, r) for m, r in zip(made, reference, strict=True))
        results[name] = {"ms_per_frame": 1000 * best / frames, "min_psnr_db": worst}
    return {"canvas": [width, height], "frames": frames, "candidates": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        import cv2

        cv2.setNumThreads(1)  # one thread each: like-for-like with Pillow
    except ImportError:
        pass
    summary = run(args.width, args.height, args.frames, args.repeat)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"{args.width}x{args.height}, {args.frames} frames of a zoom + pan, one thread")
    print("| candidate | ms / frame | min PSNR vs pillow-resize (dB) |")
    print("|---|---:|---:|")
    for name, r in summary["candidates"].items():
        if "skipped" in r:
            print(f"| {name} | skipped ({r['skipped']}) | |")
        else:
            print(f"| {name} | {r['ms_per_frame']:.2f} | {r['min_psnr_db']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
