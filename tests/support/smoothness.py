"""How smoothly a Ken Burns move moves: a bright dot's centroid, frame by frame.

The picture is dark with one white dot right of centre; a zoom in about the centre
slides the dot outward.  A sub-pixel accurate move shifts the dot's centroid every
frame by a steady amount along a straight line.  A renderer that crops at whole
(or even) source pixels instead moves it in jumps with stalls in between: jitter.

One measurement for the renderer's own test (``tests/local/test_render_effects.py``),
the FFmpeg anchor's test and the jitter benchmark (``benchmarks/zoompan_jitter.py``),
so all three judge a move by the same bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

__all__ = [
    "DOT_MOVE",
    "MAX_RESIDUAL_PX",
    "MAX_STEP_RATIO",
    "MIN_STEP_RATIO",
    "Smoothness",
    "dot_centroids",
    "dot_picture",
    "smoothness",
]

#: The move measured: a zoom from 1.0 to 1.2 about the picture's centre.
DOT_MOVE = {"z0": 1.0, "z1": 1.2, "x0": 0.5, "y0": 0.5, "x1": 0.5, "y1": 0.5}
#: The bounds a smooth move stays within (steps relative to the mean step).
MAX_STEP_RATIO, MIN_STEP_RATIO, MAX_RESIDUAL_PX = 2.0, 0.5, 0.25


def dot_picture(path: Path, canvas: tuple[int, int]) -> Path:
    """A picture twice the canvas (same shape), dark, with a white dot (radius 12 px
    per 640 px of width) at 72.5 % of its width: at 320x180 a 640x360 picture with the
    dot centred at (464, 180), which shows at x = 232 before the zoom."""
    w, h = 2 * canvas[0], 2 * canvas[1]
    picture = Image.new("RGB", (w, h), (20, 20, 30))
    cx, cy, r = w * 0.725, h * 0.5, w * 12 / 640
    ImageDraw.Draw(picture).ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 255, 255))
    picture.save(path)
    return path


def dot_centroids(frames: list[np.ndarray]) -> np.ndarray:
    """The dot's x centroid (px) in each RGB frame: brightness above 60 as the weight."""
    xs = []
    for frame in frames:
        luma = frame.astype(np.float64).mean(axis=2)
        weight = np.clip(luma - 60, 0, None).sum(axis=0)
        xs.append(float((weight * np.arange(luma.shape[1])).sum() / weight.sum()))
    return np.array(xs)


@dataclass(frozen=True)
class Smoothness:
    """A move's steps and its distance from a straight line, in canvas pixels."""

    residual_px: float  # the largest distance of a centroid from the fitted line
    mean_step: float
    step_max_ratio: float  # the largest step / the mean step
    step_min_ratio: float  # the smallest step / the mean step
    stalls: int  # steps of zero or backward

    @property
    def smooth(self) -> bool:
        """Within the bounds our own Ken Burns keeps: moves every frame, steadily,
        on a straight line."""
        return (
            self.stalls == 0
            and self.step_max_ratio < MAX_STEP_RATIO
            and self.step_min_ratio > MIN_STEP_RATIO
            and self.residual_px < MAX_RESIDUAL_PX
        )


def smoothness(xs: np.ndarray) -> Smoothness:
    """Judge the centroids ``xs`` of a move (one per frame)."""
    steps = np.diff(xs)
    index = np.arange(len(xs))
    residual = xs - np.polyval(np.polyfit(index, xs, 1), index)
    mean = float(steps.mean())
    return Smoothness(
        residual_px=float(np.abs(residual).max()),
        mean_step=mean,
        step_max_ratio=float(steps.max() / mean),
        step_min_ratio=float(steps.min() / mean),
        stalls=int((steps <= 0).sum()),
    )
