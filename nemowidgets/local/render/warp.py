"""Ken Burns and zoom frames: a sub-pixel affine warp of the Y, U and V planes with OpenCV.

A Ken Burns frame is the photo scaled and shifted by fractional amounts.  Integer
crops jitter; Pillow's ``resize(box=...)`` is exact but costs ~23 ms a 1080p frame
(two convolution passes per plane).  OpenCV's ``warpAffine`` (bilinear, SIMD) makes
the same frame in ~2 ms on one core, and its positions are exact to 1/32 pixel, far
below what the eye or the smoothness test can see.  ``benchmarks/kenburns_candidates.py``
times it against Pillow's resize and affine transform and libvips on the same frames.

Bilinear interpolation has no anti-aliasing filter, so it is only used where each
output pixel steps by at most 1.5 source pixels: the source is pre-scaled once per
photo to the move's largest zoom (``stills``), and a move that zooms out further
than that gets a second, smaller copy (:class:`WarpSource`).  At the agent's moves
(zoom 1.0 to 1.16) the step is at most 1.16: the output agrees with an area filter to
within a fraction of a grey level on photos (see the tests).

Chroma uses the same box halved (BT.601 4:2:0 chroma centred between luma samples,
as the previous resampler treated it).  OpenCV runs single-threaded here: x264 has
the other core, and a pool's wake-ups would cost more than the warp.
"""

from __future__ import annotations

import functools
from types import ModuleType

import numpy as np

from .frames import Canvas, Yuv, planes

Box = tuple[float, float, float, float]
Planes = tuple[Yuv, Yuv, Yuv]
#: The largest output pixel step (in source pixels) bilinear interpolation is used for.
MAX_STEP = 1.5


@functools.cache
def _cv2() -> ModuleType:
    """OpenCV, imported on first use: ~30 MB of code a render without motion never needs."""
    import cv2

    cv2.setNumThreads(1)
    return cv2


def warp(sources: Planes, box: Box, canvas: Canvas, out: Yuv | None = None) -> Yuv:
    """The region ``box`` (float luma pixels of ``sources``) scaled onto ``canvas``.

    Output pixel ``i`` samples the source at ``x0 + (i + 0.5) * step`` in pixel-edge
    coordinates (the convention of Pillow's ``resize(box=...)``), i.e. ``x0 + (i + 0.5)
    * step - 0.5`` in OpenCV's pixel-centre coordinates.  Width and height scale by the
    same ``step`` horizontally and vertically from their own box sides.
    """
    x0, y0, x1, y1 = box
    sx, sy = (x1 - x0) / canvas.width, (y1 - y0) / canvas.height
    cv2 = _cv2()
    buf = np.empty(canvas.buffer_size, dtype=np.uint8) if out is None else out
    for index, (source, target) in enumerate(zip(sources, planes(buf, canvas), strict=True)):
        d = 1 if index == 0 else 2
        matrix = np.array([[sx, 0.0, x0 / d + 0.5 * sx - 0.5], [0.0, sy, y0 / d + 0.5 * sy - 0.5]])
        cv2.warpAffine(
            source,
            matrix,
            (target.shape[1], target.shape[0]),
            dst=target,
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REPLICATE,
        )
    return buf


def shrink(sources: Planes, canvas: Canvas) -> Yuv:
    """The planes scaled down to ``canvas`` with an area filter (a warp source level)."""
    cv2 = _cv2()
    buf = np.empty(canvas.buffer_size, dtype=np.uint8)
    for source, target in zip(sources, planes(buf, canvas), strict=True):
        cv2.resize(
            source, (target.shape[1], target.shape[0]), dst=target, interpolation=cv2.INTER_AREA
        )
    return buf


class WarpSource:
    """A pre-scaled picture to warp frames from, with a smaller copy for wide zoom-outs.

    ``buf`` is the picture at ``size`` (the canvas times the largest zoom).  When a box
    asks for a step over :data:`MAX_STEP` and the picture is bigger than the canvas,
    the frame is warped from a copy at the canvas size instead (made on first use).
    """

    def __init__(self, buf: Yuv, size: Canvas, canvas: Canvas) -> None:
        self.size, self.canvas = size, canvas
        self._levels: list[tuple[float, float, Planes]] = [(1.0, 1.0, planes(buf, size))]

    def _small(self) -> tuple[float, float, Planes]:
        if len(self._levels) == 1:
            small = shrink(self._levels[0][2], self.canvas)
            sx = self.canvas.width / self.size.width
            sy = self.canvas.height / self.size.height
            self._levels.append((sx, sy, planes(small, self.canvas)))
        return self._levels[1]

    def frame(self, box: Box, out: Yuv | None = None) -> Yuv:
        step = (box[2] - box[0]) / self.canvas.width
        sx, sy, sources = self._levels[0]
        if step > MAX_STEP and self.size.width > self.canvas.width:
            sx, sy, sources = self._small()
        return warp(sources, (box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy), self.canvas, out)
