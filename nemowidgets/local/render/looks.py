"""Looks (filters) applied in YUV: a lookup table on each plane, computed once per look.

A look is a tone curve on luma (brightness, contrast, lifted blacks) and an affine map
on chroma (``u' = 128 + s (u - 128) + du``, the same for ``v``): saturation ``s`` and a
tint ``(du, dv)``.  Black and white is ``s = 0``; sepia is ``s = 0`` plus a brown tint;
warm and cool shift the tint towards orange or blue; vivid and faded scale the
saturation and the contrast.  Each map is a 256-entry table, so a frame costs one
``numpy.take`` per plane, and a photo's look is applied once to its prepared picture
(every frame of a still photo is the same buffer: see :class:`LookCache`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from nemowidgets.protocol import LOOKS

from .frames import Canvas, Yuv

#: name -> (contrast, lift of the blacks, saturation, du, dv)
_LOOKS: dict[str, tuple[float, float, float, float, float]] = {
    "none": (1.0, 0.0, 1.0, 0.0, 0.0),
    "bw": (1.05, 0.0, 0.0, 0.0, 0.0),
    "sepia": (0.95, 0.03, 0.0, -18.0, 14.0),
    "warm": (1.0, 0.0, 1.05, -10.0, 10.0),
    "cool": (1.0, 0.0, 1.0, 12.0, -8.0),
    "vivid": (1.12, 0.0, 1.4, 0.0, 0.0),
    "faded": (0.8, 0.1, 0.65, 0.0, 0.0),
}
if tuple(_LOOKS) != LOOKS:  # pragma: no cover - a protocol look without a table here
    raise RuntimeError("looks.py lacks a table for one of protocol.LOOKS")
BRIGHTNESS_RANGE = (-1.0, 1.0)
CONTRAST_RANGE = (0.0, 3.0)


@dataclass(frozen=True)
class Look:
    """A named look plus brightness (-1..1, 0 = as shot) and contrast (0..3, 1 = as shot)."""

    name: str = "none"
    brightness: float = 0.0
    contrast: float = 1.0

    @property
    def is_identity(self) -> bool:
        return self.name == "none" and self.brightness == 0 and self.contrast == 1

    @cached_property
    def tables(self) -> tuple[Yuv | None, Yuv | None, Yuv | None]:
        """The Y, U and V tables (``None`` where a plane is left as it is)."""
        contrast, lift, sat, du, dv = _LOOKS[self.name]
        contrast *= self.contrast
        v = (np.arange(256, dtype=np.float64) - 16.0) / 219.0
        y = (v - 0.5) * contrast + 0.5 + 0.5 * self.brightness
        y = lift + (1.0 - lift) * y
        y_table = np.clip(np.round(16.0 + 219.0 * y), 16, 235).astype(np.uint8)

        def chroma(offset: float) -> Yuv:
            c = 128.0 + sat * (np.arange(256, dtype=np.float64) - 128.0) + offset
            return np.clip(np.round(c), 16, 240).astype(np.uint8)

        same = np.arange(256, dtype=np.uint8)
        u_table, v_table = chroma(du), chroma(dv)
        return (
            None if np.array_equal(y_table, same) else y_table,
            None if np.array_equal(u_table, same) else u_table,
            None if np.array_equal(v_table, same) else v_table,
        )

    def apply(self, buf: Yuv, canvas: Canvas) -> Yuv:
        """A new buffer: ``buf`` with the look (``buf`` itself is not changed)."""
        out: Yuv = buf.copy()
        ys, cs = canvas.y_size, canvas.c_size
        for table, lo, hi in zip(
            self.tables, (0, ys, ys + cs), (ys, ys + cs, ys + 2 * cs), strict=False
        ):
            if table is not None:
                np.take(table, buf[lo:hi], out=out[lo:hi])
        return out


def parse_look(name: object, brightness: object, contrast: object) -> Look | None:
    """The segment's ``fx``/``br``/``ct`` as a :class:`Look` (``None`` when it changes nothing).

    Raises ``ValueError`` with the field at fault; the timeline turns that into a
    render failure naming the segment.
    """
    look = str(name or "none").strip().lower()
    if look not in _LOOKS:
        raise ValueError(f"field 'fx' is {name!r}; a look is one of {', '.join(LOOKS)}")

    def number(key: str, value: object, default: float, lo: float, hi: float) -> float:
        if value is None:
            return default
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number) or not lo <= number <= hi:
            raise ValueError(f"field {key!r} is {value!r}; it must be a number {lo:g} to {hi:g}")
        return number

    result = Look(
        look,
        number("br", brightness, 0.0, *BRIGHTNESS_RANGE),
        number("ct", contrast, 1.0, *CONTRAST_RANGE),
    )
    return None if result.is_identity else result


class LookCache:
    """Applies each segment's look to its frames, once per distinct source buffer.

    A still photo hands out the same buffer for all its frames (and a clip the same
    buffer while a source frame is held), so the filtered copy is kept with the
    buffer it came from and reused: a still's look costs one pass for the whole photo.
    """

    def __init__(self, canvas: Canvas, keep: int = 2) -> None:
        self.canvas = canvas
        self._keep = keep
        self._last: dict[int, tuple[Yuv, Yuv]] = {}

    def apply(self, index: int, look: Look | None, buf: Yuv) -> Yuv:
        if look is None:
            return buf
        hit = self._last.get(index)
        if hit is not None and hit[0] is buf:
            return hit[1]
        out = look.apply(buf, self.canvas)
        self._last.pop(index, None)
        self._last[index] = (buf, out)
        while len(self._last) > self._keep:  # at most two segments show at once (a transition)
            del self._last[next(iter(self._last))]
        return out
