"""Transitions between two YUV frames at progress ``p`` (0 = all outgoing, 1 = all incoming).

Each is a few numpy operations on the flat 4:2:0 buffer (see ``frames``): blends are
8.8 fixed point over the whole buffer at once; slides and wipes move by an even
number of luma pixels so the half-resolution chroma planes move by whole pixels too.
Motion transitions are eased (smoothstep) so they start and stop gently.

An unknown type is rendered as a crossfade: a draft from a newer agent should still
render, and a crossfade is the least surprising stand-in.
"""

from __future__ import annotations

import numpy as np

from .frames import Canvas, Yuv, black, even, lerp, planes
from .frames import smoothstep as ease
from .warp import warp

TYPES = ("crossfade", "fade_black", "slide", "wipe", "zoom", "none")
_ZOOM_MAX = 1.35  # the outgoing picture grows to this while it fades out


def _crossfade(a: Yuv, b: Yuv, p: float, canvas: Canvas) -> Yuv:
    return lerp(a, b, p)


def _fade_black(a: Yuv, b: Yuv, p: float, canvas: Canvas) -> Yuv:
    dark = black(canvas)
    return lerp(a, dark, p * 2) if p < 0.5 else lerp(dark, b, p * 2 - 1)


def _shift(p: float, canvas: Canvas) -> int:
    return min(canvas.width, even(ease(p) * canvas.width, minimum=0))


def _slide(a: Yuv, b: Yuv, p: float, canvas: Canvas) -> Yuv:
    """The incoming picture pushes the outgoing one out to the left."""
    x = _shift(p, canvas)
    out = np.empty_like(a)
    for pa, pb, po in zip(planes(a, canvas), planes(b, canvas), planes(out, canvas), strict=True):
        s = x * po.shape[1] // canvas.width
        width = po.shape[1]
        po[:, : width - s] = pa[:, s:]
        po[:, width - s :] = pb[:, :s]
    return out


def _wipe(a: Yuv, b: Yuv, p: float, canvas: Canvas) -> Yuv:
    """A vertical edge sweeps left to right, revealing the incoming picture."""
    x = _shift(p, canvas)
    out: Yuv = a.copy()  # copy() is Any in numpy's 3.10 stubs
    for pb, po in zip(planes(b, canvas), planes(out, canvas), strict=True):
        s = x * po.shape[1] // canvas.width
        po[:, :s] = pb[:, :s]
    return out


def _zoom(a: Yuv, b: Yuv, p: float, canvas: Canvas) -> Yuv:
    """The outgoing picture zooms in towards the viewer while the incoming fades up."""
    z = 1.0 + (_ZOOM_MAX - 1.0) * ease(p)
    w, h = canvas.width, canvas.height
    cw, ch = w / z, h / z
    box = ((w - cw) / 2, (h - ch) / 2, (w + cw) / 2, (h + ch) / 2)
    grown = warp(planes(a, canvas), box, canvas)
    return lerp(grown, b, ease(p))


def _cut(a: Yuv, b: Yuv, p: float, canvas: Canvas) -> Yuv:
    return a if p < 0.5 else b


_BLENDS = {
    "crossfade": _crossfade,
    "fade_black": _fade_black,
    "slide": _slide,
    "wipe": _wipe,
    "zoom": _zoom,
    "none": _cut,
}


def blend(kind: str, a: Yuv, b: Yuv, p: float, canvas: Canvas) -> Yuv:
    """The frame ``p`` of the way through transition ``kind`` from ``a`` to ``b``."""
    return _BLENDS.get(kind, _crossfade)(a, b, min(max(p, 0.0), 1.0), canvas)
