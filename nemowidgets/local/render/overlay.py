"""An RGBA picture composited onto YUV frames: the one overlay of titles, captions and logos.

The picture is converted to BT.601 limited-range YUV and premultiplied by its alpha
once, when it is made, so drawing it onto a frame is one affine map per pixel
(``out = in * keep + add``) over a small patch of each plane: a few numpy operations,
whatever the overlay shows (coloured text, a box behind it, colour emoji, a logo).
Chroma uses the alpha averaged over each 2x2 block, as 4:2:0 sampling does.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .frames import Canvas, Yuv, planes

# BT.601 limited range, RGB in 0..1 (what swscale does for our photos).
_TO_Y = np.array([65.481, 128.553, 24.966], dtype=np.float32)
_TO_U = np.array([-37.797, -74.203, 112.0], dtype=np.float32)
_TO_V = np.array([112.0, -93.786, -18.214], dtype=np.float32)


def rgb_to_yuv(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    """One colour (0-255 RGB) in limited-range YUV."""
    c = np.asarray(rgb, dtype=np.float32) / 255.0
    return 16.0 + float(c @ _TO_Y), 128.0 + float(c @ _TO_U), 128.0 + float(c @ _TO_V)


class RgbaPatch:
    """``image`` (RGBA) placed with its top-left at luma ``(x, y)`` on ``canvas``.

    The part outside the canvas is cut off; ``x``/``y`` are rounded down to even so the
    chroma planes line up.  ``opacity`` scales the picture's own alpha.
    """

    def __init__(
        self, image: Image.Image, canvas: Canvas, x: int, y: int, opacity: float = 1.0
    ) -> None:
        self.canvas = canvas
        x, y = max(0, x) & ~1, max(0, y) & ~1
        w = min(image.width, canvas.width - x) & ~1
        h = min(image.height, canvas.height - y) & ~1
        self.box = (x, y, max(0, w), max(0, h))
        if w <= 0 or h <= 0:
            return
        rgba = np.asarray(image.convert("RGBA").crop((0, 0, w, h)), dtype=np.float32) / 255.0
        alpha = rgba[..., 3] * float(min(max(opacity, 0.0), 1.0))
        rgb = rgba[..., :3]
        self._y_keep = 1.0 - alpha
        self._y_add = (16.0 + rgb @ _TO_Y) * alpha

        # Premultiplied chroma, averaged over 2x2 blocks together with the alpha.
        def quads(a: np.ndarray) -> np.ndarray:
            out: np.ndarray = a.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
            return out

        c_alpha = quads(alpha)
        self._c_keep = 1.0 - c_alpha
        self._u_add = quads((128.0 + rgb @ _TO_U) * alpha)
        self._v_add = quads((128.0 + rgb @ _TO_V) * alpha)

    def apply(self, buf: Yuv) -> None:
        """Draw onto ``buf`` in place (the caller passes a buffer it owns)."""
        x, y, w, h = self.box
        if w <= 0 or h <= 0:
            return
        yp, up, vp = planes(buf, self.canvas)
        region = yp[y : y + h, x : x + w]
        region[...] = np.clip(region * self._y_keep + self._y_add + 0.5, 0, 255)
        cx, cy = x // 2, y // 2
        for plane, add in ((up, self._u_add), (vp, self._v_add)):
            region = plane[cy : cy + h // 2, cx : cx + w // 2]
            region[...] = np.clip(region * self._c_keep + add + 0.5, 0, 255)
