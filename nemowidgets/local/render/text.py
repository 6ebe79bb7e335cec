"""Titles and captions: drawn once with Pillow, composited onto YUV frames by alpha.

The font is DejaVu Sans, shipped in ``fonts/`` (its licence beside it), so every
install draws the same glyphs, and titles in Arabic, Hebrew, Greek or Cyrillic are
letters, not boxes: Pillow's own bundled font covers Latin only (it is the fallback
if the file is missing).  When Pillow has libraqm (the manylinux wheels do),
right-to-left scripts are shaped and ordered; characters the font lacks (emoji,
CJK) come out as boxes rather than crashing the render.

The text is drawn as two coverage masks, the black outline and the white fill, and
composited straight in YUV (black and white have neutral chroma), so no colour
conversion is needed and the overlay costs a few small numpy operations per frame.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .frames import BLACK_Y, NEUTRAL_C, WHITE_Y, Canvas, planes

POSITIONS = ("top", "center", "bottom")
_MARGIN = 0.06  # of the canvas height, for top and bottom
_OUTLINE_OPACITY = 0.85
FONT_PATH = Path(__file__).with_name("fonts") / "DejaVuSans.ttf"


@lru_cache(maxsize=16)
def load_font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The overlay font at ``px`` pixels: the shipped DejaVu Sans, else Pillow's own."""
    try:
        return ImageFont.truetype(str(FONT_PATH), px)
    except OSError:  # the file is missing (a trimmed install): Latin-only fallback
        pass
    try:
        return ImageFont.load_default(size=px)
    except ImportError:  # a Pillow built without FreeType: its bitmap font, one size
        return ImageFont.load_default()


def _wrap(
    text: str, font: ImageFont.FreeTypeFont, draw: ImageDraw.ImageDraw, max_width: float
) -> str:
    """Greedy word wrap to ``max_width`` pixels; words too long are broken by characters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if draw.textlength(candidate, font=font) <= max_width or not line:
                line = candidate
            else:
                lines.append(line)
                line = word
            while draw.textlength(line, font=font) > max_width and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and draw.textlength(line[:cut], font=font) > max_width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return "\n".join(lines)


class TextOverlay:
    """One text segment rendered for one canvas: a small masked patch at a fixed place."""

    def __init__(self, text: str, canvas: Canvas, pos: str = "center", size: float = 0.08) -> None:
        w, h = canvas.width, canvas.height
        try:
            size = float(size)
        except (TypeError, ValueError):
            size = 0.08
        px = int(min(max(size if size == size else 0.08, 0.02), 0.3) * h)  # NaN -> default
        font = load_font(max(8, px))
        scratch = ImageDraw.Draw(Image.new("L", (1, 1)))
        stroke = max(1, px // 14)
        wrapped = _wrap(str(text), font, scratch, w * 0.9 - 2 * stroke)
        spacing = px // 5
        left, top, right, bottom = scratch.multiline_textbbox(
            (0, 0), wrapped, font=font, align="center", spacing=spacing, stroke_width=stroke
        )
        left, top = math.floor(left), math.floor(top)
        tw = min(w, math.ceil(right) - left + 2)
        th = min(h, math.ceil(bottom) - top + 2)
        tw, th = tw + tw % 2, th + th % 2
        outline = Image.new("L", (tw, th), 0)
        fill = Image.new("L", (tw, th), 0)
        origin = (1 - left, 1 - top)
        common = {"font": font, "align": "center", "spacing": spacing}
        ImageDraw.Draw(outline).multiline_text(
            origin, wrapped, fill=255, stroke_width=stroke, stroke_fill=255, **common
        )
        ImageDraw.Draw(fill).multiline_text(origin, wrapped, fill=255, **common)
        x = ((w - tw) // 2) & ~1
        if pos == "top":
            y = int(h * _MARGIN)
        elif pos == "bottom":
            y = h - th - int(h * _MARGIN)
        else:
            y = (h - th) // 2
        y = min(max(y, 0), h - th) & ~1
        self.box = (x, y, tw, th)
        self.canvas = canvas
        a = np.asarray(outline, dtype=np.float32) / 255.0 * _OUTLINE_OPACITY
        f = np.asarray(fill, dtype=np.float32) / 255.0
        # Two "over" operations (outline in black, then fill in white) folded into one
        # affine map per pixel: out = in * keep + add.
        keep = (1.0 - a) * (1.0 - f)
        self._y_keep, self._y_add = keep, BLACK_Y * a * (1.0 - f) + WHITE_Y * f
        cover = 1.0 - keep  # chroma goes neutral wherever anything is drawn
        c_cover = cover.reshape(th // 2, 2, tw // 2, 2).mean(axis=(1, 3))
        self._c_keep, self._c_add = 1.0 - c_cover, NEUTRAL_C * c_cover

    def apply(self, buf: np.ndarray) -> None:
        """Draw onto ``buf`` in place (the caller passes a copy it owns)."""
        x, y, tw, th = self.box
        yp, up, vp = planes(buf, self.canvas)
        region = yp[y : y + th, x : x + tw]
        region[...] = np.clip(region * self._y_keep + self._y_add + 0.5, 0, 255)
        cx, cy = x // 2, y // 2
        for plane in (up, vp):
            region = plane[cy : cy + th // 2, cx : cx + tw // 2]
            region[...] = np.clip(region * self._c_keep + self._c_add + 0.5, 0, 255)
