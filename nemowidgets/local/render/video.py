"""Video clips (mp4, mov, ...) as timeline segments: trimmed, scaled, fitted to the canvas.

The clip is decoded sequentially from its in-point (``in``, ms) by PyAV with threaded
decoding; for each output frame we show the latest source frame at or before the
matching source time, so any source frame rate maps onto the canvas rate, and a
source frame shown twice is converted once.  Scaling and the conversion to BT.601
YUV happen in one swscale call.  With the ``blur`` fit the backdrop is made once,
from the clip's first frame (a blurred backdrop barely changes; re-blurring every
frame would cost more than it shows).  When the clip is shorter than the segment
its last frame is held.  The clip's sound is mixed by ``audio`` (see the pipeline).

Rotation: a phone stores an upright video as landscape pixels plus a display matrix
("turn this 90 degrees to show it").  PyAV gives the angle as ``frame.rotation``
(counter-clockwise degrees); the clip is scaled to the rotated shape and its planes
are turned with ``numpy.rot90``, after scaling, so the turn touches only canvas-sized
planes.  Mirroring in a display matrix is rare and not applied.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import Colorspace

from .errors import RenderFailure, failure
from .frames import (
    Canvas,
    Yuv,
    black,
    even,
    frame_to_image,
    from_video_frame,
    paste,
    planes,
)
from .stills import FITS, backdrop_yuv


def quarter_turns(frame: av.VideoFrame) -> int:
    """How many quarter turns counter-clockwise the frame wants before it is shown."""
    try:
        angle = float(getattr(frame, "rotation", 0) or 0)
    except (TypeError, ValueError):
        return 0
    return round(angle / 90.0) % 4


def rotate_yuv(buf: Yuv, canvas: Canvas, turns: int) -> Yuv:
    """``buf`` (of ``canvas``'s size) turned ``turns`` quarter turns counter-clockwise."""
    return np.concatenate([np.rot90(p, turns).ravel() for p in planes(buf, canvas)])


class Clip:
    """One video segment, giving its frame at a time (seconds) from the segment start."""

    def __init__(
        self,
        path: Path,
        canvas: Canvas,
        fit: str,
        in_point: float,
        seg_id: str | None = None,
        name: str | None = None,
    ) -> None:
        self.canvas = canvas
        self.fit = fit if fit in FITS else "blur"
        self.in_point = max(0.0, in_point)
        self.seg_id, self.name = seg_id, name or path.name
        try:
            self._container = av.open(str(path))
        except (av.FFmpegError, OSError) as exc:
            raise self._fail(f"cannot open the video ({exc})") from exc
        if not self._container.streams.video:
            self._container.close()
            raise self._fail("the file has no video stream")
        stream = self._container.streams.video[0]
        stream.thread_type = "AUTO"
        if self.in_point > 0:
            self._container.seek(int(self.in_point * 1_000_000), backward=True)
        self._frames: Iterator[av.VideoFrame] = self._container.decode(stream)
        self._current: av.VideoFrame | None = None
        self._next = self._decode_next()
        if self._next is None:
            self.close()
            raise self._fail("the video has no frames at its in-point")
        self._cache: tuple[object, Yuv] | None = None
        self._backdrop = self._make_backdrop(self._next)

    def _fail(self, problem: str) -> RenderFailure:
        return failure(
            self.seg_id, self.name, problem, "Re-upload the file, or remove it from the draft."
        )

    def _decode_next(self) -> av.VideoFrame | None:
        try:
            return next(self._frames, None)
        except (av.FFmpegError, OSError) as exc:
            raise self._fail(f"cannot decode the video ({exc})") from exc

    def _make_backdrop(self, frame: av.VideoFrame) -> Yuv:
        if self.fit != "blur":
            return black(self.canvas)
        image = frame_to_image(frame)
        turns = quarter_turns(frame)
        if turns:
            image = image.rotate(90 * turns, expand=True)
        return backdrop_yuv(image, self.canvas, self.fit)

    def _time(self, frame: av.VideoFrame) -> float:
        return float(frame.time) if frame.time is not None else self.in_point

    def _convert(self, frame: av.VideoFrame) -> Yuv:
        """Scale ``frame`` into the canvas (contain or cover) as a YUV buffer."""
        w, h = self.canvas.width, self.canvas.height
        turns = quarter_turns(frame)
        fw, fh = (frame.height, frame.width) if turns % 2 else (frame.width, frame.height)
        scale = (max if self.fit == "cover" else min)(w / fw, h / fh)
        sw, sh = even(fw * scale), even(fh * scale)
        if self.fit == "cover":
            sw, sh = max(sw, w), max(sh, h)
        else:
            sw, sh = min(sw, w), min(sh, h)
        scaled = frame.reformat(
            width=sh if turns % 2 else sw,
            height=sw if turns % 2 else sh,
            format="yuv420p",
            dst_colorspace=Colorspace.ITU601,
            interpolation="BICUBIC",
        )
        content = from_video_frame(scaled)
        if turns:
            content = rotate_yuv(
                content, Canvas(scaled.width, scaled.height, self.canvas.fps), turns
            )
        if (sw, sh) == (w, h):
            return content
        out: Yuv = self._backdrop.copy()  # cover: negative offsets crop the centre
        paste(
            out, self.canvas, content, Canvas(sw, sh, self.canvas.fps), (w - sw) // 2, (h - sh) // 2
        )
        return out

    def frame(self, local_time: float) -> tuple[object, Yuv]:
        """``(key, buffer)`` at ``local_time`` s into the segment; equal keys mean equal frames."""
        target = self.in_point + max(0.0, local_time) + 1e-6
        while self._next is not None and (
            self._current is None or self._time(self._next) <= target
        ):
            self._current, self._next = self._next, self._decode_next()
        assert self._current is not None
        key = (id(self), self._current.pts)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, self._convert(self._current))
        return self._cache

    def close(self) -> None:
        self._cache = None
        self._container.close()
