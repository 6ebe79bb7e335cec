"""The renderer's one picture format: a YUV 4:2:0 frame as a flat ``uint8`` numpy buffer.

Why YUV all the way: the encoder wants ``yuv420p``, and a 4:2:0 buffer is half the
bytes of RGB, so every blend, slide and Ken Burns warp touches less memory, and
the RGB to YUV conversion happens once per *photo* instead of once per *frame*.
The buffer is the three planes back to back (Y, then U, then V), which is exactly the
layout ``av.VideoFrame.from_ndarray(..., format="yuv420p")`` copies from, and lets a
crossfade be one numpy expression over the whole buffer.

Colour: BT.601 limited range (what swscale does by default); the encoder tags the
stream with the same matrix so players convert it back faithfully.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
from av.video.reformatter import Colorspace
from numpy.typing import NDArray
from PIL import Image

#: A YUV 4:2:0 buffer (the three planes back to back), or a 2-D view of one plane.
Yuv = NDArray[np.uint8]

#: Black in limited-range YUV.
BLACK_Y, NEUTRAL_C = 16, 128
WHITE_Y = 235
_CHUNK = 1 << 17  # elements per slice in blends
_STRIP = 64  # rows per strip when resizing photos (even)


@dataclass(frozen=True)
class Canvas:
    """Output geometry: even width and height (4:2:0 needs them) and the frame rate."""

    width: int
    height: int
    fps: Fraction

    @property
    def y_size(self) -> int:
        return self.width * self.height

    @property
    def c_size(self) -> int:
        return self.y_size // 4

    @property
    def buffer_size(self) -> int:
        return self.y_size + 2 * self.c_size


def even(value: float, minimum: int = 2) -> int:
    """Round to the nearest even integer (>= ``minimum``): 4:2:0 planes need even sizes."""
    return max(minimum, round(value / 2.0) * 2)


def planes(buf: Yuv, canvas: Canvas) -> tuple[Yuv, Yuv, Yuv]:
    """2-D views of the Y, U and V planes of ``buf`` (writes go through to ``buf``)."""
    w, h, ys, cs = canvas.width, canvas.height, canvas.y_size, canvas.c_size
    return (
        buf[:ys].reshape(h, w),
        buf[ys : ys + cs].reshape(h // 2, w // 2),
        buf[ys + cs :].reshape(h // 2, w // 2),
    )


def black(canvas: Canvas) -> Yuv:
    """A black frame."""
    buf = np.empty(canvas.buffer_size, dtype=np.uint8)
    buf[: canvas.y_size] = BLACK_Y
    buf[canvas.y_size :] = NEUTRAL_C
    return buf


def from_video_frame(frame: av.VideoFrame) -> Yuv:
    """Copy a ``yuv420p`` frame's planes (dropping line padding) into a flat buffer."""
    parts = []
    for index, plane in enumerate(frame.planes):
        w = frame.width if index == 0 else frame.width // 2
        h = frame.height if index == 0 else frame.height // 2
        rows = np.frombuffer(memoryview(plane), dtype=np.uint8).reshape(-1, plane.line_size)
        parts.append(rows[:h, :w].ravel())
    return np.concatenate(parts)


def image_to_frame(image: Image.Image) -> av.VideoFrame:
    """An RGB Pillow image as a PyAV frame (``rgb24``).

    PyAV's ``VideoFrame.from_image`` has no type hints; this is the one typed place
    that calls it.
    """
    frame: av.VideoFrame = av.VideoFrame.from_image(image.convert("RGB"))  # type: ignore[no-untyped-call]
    return frame


def frame_to_image(frame: av.VideoFrame) -> Image.Image:
    """A PyAV frame as an RGB Pillow image (``VideoFrame.to_image`` is unannotated too)."""
    image: Image.Image = frame.to_image()  # type: ignore[no-untyped-call]  # unannotated in PyAV
    return image


def from_rgb(image: Image.Image) -> Yuv:
    """Convert an RGB Pillow image (even size) to a YUV buffer with swscale."""
    frame = image_to_frame(image)
    return from_video_frame(
        frame.reformat(
            format="yuv420p", src_colorspace=Colorspace.ITU601, dst_colorspace=Colorspace.ITU601
        )
    )


def resize_to_yuv(
    image: Image.Image, size: tuple[int, int], box: tuple[float, float, float, float] | None = None
) -> Yuv:
    """Resize ``image`` (the region ``box``) to ``size`` (even) and convert it to YUV.

    Done a strip of rows at a time: Pillow's ``resize(box=...)`` filters across strip
    edges, so the result is seamless, and the full-size RGB copy (Pillow stores 4 bytes
    a pixel) never exists: the peak is the decoded photo plus one small strip.
    """
    w, h = size
    x0, y0, x1, y1 = box or (0.0, 0.0, float(image.size[0]), float(image.size[1]))
    step = (y1 - y0) / h
    whole = Canvas(w, h, Fraction(1))
    out = np.empty(whole.buffer_size, dtype=np.uint8)
    targets = planes(out, whole)
    for r0 in range(0, h, _STRIP):
        r1 = min(h, r0 + _STRIP)
        part = image.resize(
            (w, r1 - r0), Image.Resampling.BICUBIC, box=(x0, y0 + r0 * step, x1, y0 + r1 * step)
        )
        strip = planes(from_rgb(part), Canvas(w, r1 - r0, whole.fps))
        for index, (target, rows) in enumerate(zip(targets, strip, strict=True)):
            d = 1 if index == 0 else 2
            target[r0 // d : r1 // d] = rows
    return out


def from_rgb_scaled(image: Image.Image, canvas: Canvas) -> Yuv:
    """Scale a small RGB image up to the canvas and convert it, in one swscale pass."""
    frame = image_to_frame(image)
    return from_video_frame(
        frame.reformat(
            width=canvas.width,
            height=canvas.height,
            format="yuv420p",
            src_colorspace=Colorspace.ITU601,
            dst_colorspace=Colorspace.ITU601,
            interpolation="BICUBIC",
        )
    )


def paste(dst: Yuv, dst_canvas: Canvas, src: Yuv, src_canvas: Canvas, x: int, y: int) -> None:
    """Copy picture ``src`` into ``dst`` with its top-left at luma ``(x, y)`` (even; may be
    negative, which crops), plane by plane."""
    x, y = x & ~1, y & ~1
    for index, (sp, dp) in enumerate(
        zip(planes(src, src_canvas), planes(dst, dst_canvas), strict=True)
    ):
        d = 1 if index == 0 else 2
        px, py = x // d, y // d
        sx, sy = max(0, -px), max(0, -py)
        dx, dy = max(0, px), max(0, py)
        w = min(sp.shape[1] - sx, dp.shape[1] - dx)
        h = min(sp.shape[0] - sy, dp.shape[0] - dy)
        if w > 0 and h > 0:
            dp[dy : dy + h, dx : dx + w] = sp[sy : sy + h, sx : sx + w]


def to_video_frame(buf: Yuv, canvas: Canvas) -> av.VideoFrame:
    """Wrap a buffer as an encoder-ready frame, without a copy.

    The frame shares ``buf``'s memory (x264 copies it when it takes the frame), so a
    buffer handed to the encoder must never be written again: every function here
    returns a new buffer, or an input it did not change, never one it changed in place.
    PyAV's zero-copy wrapper finds the V plane by whole rows, which is right only when
    the height is a multiple of 4; other heights are copied.
    """
    rows = buf.reshape(canvas.height * 3 // 2, canvas.width)
    if canvas.height % 4:
        return av.VideoFrame.from_ndarray(rows, format="yuv420p")
    return av.VideoFrame.from_numpy_buffer(rows, format="yuv420p")


def lerp(a: Yuv, b: Yuv, p: float) -> Yuv:
    """``a`` blended into ``b`` by ``p`` (0..1) in 8.8 fixed point: exact enough, fast."""
    w = round(min(max(p, 0.0), 1.0) * 256)
    if w <= 0:
        return a
    if w >= 256:
        return b
    out = np.empty_like(a)
    # In slices: the uint16 temporaries stay small (cache-friendly, no 6 MB peaks).
    for lo in range(0, a.size, _CHUNK):
        hi = lo + _CHUNK
        acc = np.multiply(a[lo:hi], 256 - w, dtype=np.uint16)
        acc += np.multiply(b[lo:hi], w, dtype=np.uint16)
        acc += 128
        acc >>= 8
        out[lo:hi] = acc
    return out


def smoothstep(p: float) -> float:
    """Ease in and out: motion that starts and stops gently."""
    p = min(max(p, 0.0), 1.0)
    return p * p * (3.0 - 2.0 * p)
