"""JPEG photos decoded by libavcodec straight to YUV: less memory and less work than RGB.

A JPEG is YUV inside.  Pillow decodes it to RGB and stores 4 bytes a pixel; we would
then resize in RGB and convert back to YUV.  libavcodec's decoder instead hands over
the YUV planes (1.5 bytes a pixel for 4:2:0), at 1/2, 1/4 or 1/8 resolution when
asked (``lowres``, the same DCT-domain trick as Pillow's ``draft``), and one swscale
call scales them to the canvas and converts the range (full-range JPEG to TV range),
with a filter sized to the reduction.  The EXIF orientation, read by Pillow from the
header alone, is applied to the small result by rotating the planes.

Anything unusual (CMYK, 12-bit, a decoder error) returns ``None`` and the caller falls
back to the Pillow path, which also produces the error message for a broken file.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import Colorspace
from PIL import Image

from .frames import Canvas, Yuv, frame_to_image, from_video_frame, planes

_FORMATS = frozenset(
    {
        "yuvj420p",
        "yuvj422p",
        "yuvj444p",
        "yuv420p",
        "yuv422p",
        "yuv444p",
        "gray",
        "gray8",
        "yuvj440p",
        "yuv440p",
    }
)
#: EXIF orientation -> the plane operation that shows the photo upright.
_UPRIGHT = {
    2: lambda p: p[:, ::-1],
    3: lambda p: p[::-1, ::-1],
    4: lambda p: p[::-1],
    5: lambda p: p.T,
    6: lambda p: np.rot90(p, -1),
    7: lambda p: p[::-1, ::-1].T,
    8: lambda p: np.rot90(p, 1),
}
_PIL_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
SWAPS = frozenset({5, 6, 7, 8})


def _complete(path: Path) -> bool:
    """Does the file hold an end-of-image marker near its end (i.e. is it not truncated)?"""
    with path.open("rb") as file:
        file.seek(0, 2)
        file.seek(max(0, file.tell() - 65536))
        return b"\xff\xd9" in file.read()


class JpegPhoto:
    """A JPEG decoded once, at the smallest scale that still gives ``need`` pixels."""

    def __init__(self, frame: av.VideoFrame, orientation: int) -> None:
        self.frame = frame
        self.orientation = orientation

    @classmethod
    def open(
        cls, path: Path, size: tuple[int, int], orientation: int, need: tuple[float, float]
    ) -> JpegPhoto | None:
        """Decode ``path`` (stored ``size``) so that it is at least ``need`` (stored axes)."""
        if not _complete(path):
            return None  # libavcodec would conceal the missing part; Pillow reports it
        lowres = 0
        while lowres < 3 and all(
            math.ceil(s / 2 ** (lowres + 1)) >= n for s, n in zip(size, need, strict=True)
        ):
            lowres += 1
        try:
            with av.open(str(path)) as container:
                stream = container.streams.video[0]
                if lowres:
                    stream.codec_context.options = {"lowres": str(lowres)}
                frame = next(container.decode(stream), None)
        except (av.FFmpegError, OSError, IndexError, ValueError):
            return None
        if frame is None or frame.format.name not in _FORMATS:
            return None
        return cls(frame, orientation)

    @property
    def upright_size(self) -> tuple[int, int]:
        w, h = self.frame.width, self.frame.height
        return (h, w) if self.orientation in SWAPS else (w, h)

    def scaled(self, width: int, height: int) -> Yuv:
        """The photo upright at ``width`` x ``height`` (even) as a YUV buffer."""
        sw, sh = (height, width) if self.orientation in SWAPS else (width, height)
        full = self.frame.color_range == 2 or self.frame.format.name.startswith("yuvj")
        scaled = self.frame.reformat(
            width=sw,
            height=sh,
            format="yuv420p",
            src_colorspace=Colorspace.ITU601,
            dst_colorspace=Colorspace.ITU601,
            src_color_range="JPEG" if full else "MPEG",
            dst_color_range="MPEG",
            interpolation="BICUBIC",
        )
        buf = from_video_frame(scaled)
        turn = _UPRIGHT.get(self.orientation)
        if turn is None:
            return buf
        stored = planes(buf, Canvas(sw, sh, Fraction(1)))
        return np.concatenate([np.ascontiguousarray(turn(p)).ravel() for p in stored])

    def thumbnail(self, longest: int) -> Image.Image:
        """A small upright RGB copy (for the blurred backdrop)."""
        w, h = self.frame.width, self.frame.height
        scale = min(1.0, longest / max(w, h))
        small = frame_to_image(
            self.frame.reformat(
                width=max(2, round(w * scale)),
                height=max(2, round(h * scale)),
                format="rgb24",
                interpolation="AREA",
            )
        )
        turn = _PIL_UPRIGHT.get(self.orientation)
        return small.transpose(turn) if turn is not None else small
