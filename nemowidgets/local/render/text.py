"""Titles and captions in any script: laid out with Pillow, composited onto YUV frames.

Fonts come from ``fontset``: the shipped DejaVu Sans first, then the system's fonts
(fontconfig's fallback list), chosen character by character, so a line can mix Latin,
Chinese and emoji.  Each line is cut into *runs* of one font and one direction; each
run is drawn by Pillow with libraqm (the Pillow wheels ship it), which shapes Arabic
and orders a right-to-left run, and the runs are placed in visual order by the
Unicode bidi rule applied at run level (a right-to-left paragraph reads from the
right; a Hebrew phrase inside English text is placed as a block).  Without libraqm
an RTL run is reversed but not shaped (``RTL_SHAPED`` says which; the render warns).

The text is drawn white (or the segment's ``col``) over a dark outline, optionally on a
rounded box (``bg``), into one RGBA picture, then converted once into an
:class:`~.overlay.RgbaPatch`; drawing it on a frame is a few small numpy operations.
Colour emoji fonts (fixed bitmap sizes) are drawn at their size and scaled.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont, features

from . import fontset
from .frames import Canvas, Yuv
from .overlay import RgbaPatch

POSITIONS = ("top", "center", "bottom")
_MARGIN = 0.06  # of the canvas height, for top and bottom
_OUTLINE_OPACITY = 0.85
#: Whether right-to-left runs are shaped and ordered by libraqm (else only reversed).
RTL_SHAPED = features.check("raqm")
_RTL = frozenset({"R", "AL"})


@dataclass(frozen=True)
class TextStyle:
    """How a title or caption looks: position, size (of the canvas height), colours."""

    pos: str = "center"
    size: float = 0.08
    color: tuple[int, int, int] = (255, 255, 255)
    box: tuple[int, int, int, int] | None = None  # RGBA of the box behind the text


@dataclass
class _Run:
    text: str
    face: fontset.Face
    font: ImageFont.FreeTypeFont
    scale: float
    rtl: bool
    color: bool  # draws its own colours (emoji)
    width: float = 0.0


def _direction(ch: str) -> bool | None:
    kind = unicodedata.bidirectional(ch)
    return True if kind in _RTL else False if kind == "L" else None


def _joins_previous(ch: str, prev: str) -> bool:
    """Marks, joiners, variation selectors and skin tones stay with what they modify."""
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Cf")
        or 0x1F3FB <= ord(ch) <= 0x1F3FF
        or prev == "\u200d"
    )


class _Layout:
    """Splits lines into runs and measures them, for one text at one pixel size."""

    def __init__(self, text: str, px: int) -> None:
        self.px = px
        self.faces = fontset.chain(text)
        self.shipped = fontset.shipped_face()
        self.rtl_paragraph = next((d for d in map(_direction, text) if d is not None), False)

    def _font(self, face: fontset.Face) -> tuple[ImageFont.FreeTypeFont, float]:
        try:
            return fontset.load(face, self.px)
        except OSError:
            return fontset.load(self.shipped, self.px)

    def runs(self, line: str) -> list[_Run]:
        pieces: list[tuple[fontset.Face, bool | None, str]] = []
        for i, ch in enumerate(line):
            if pieces and _joins_previous(ch, line[i - 1] if i else ""):
                face, rtl, text = pieces[-1]
                pieces[-1] = (face, rtl, text + ch)
                continue
            face = fontset.face_for(ch, self.faces) or self.shipped
            d = _direction(ch)
            if pieces and pieces[-1][:2] == (face, d):
                pieces[-1] = (face, d, pieces[-1][2] + ch)
            else:
                pieces.append((face, d, ch))
        return self._resolve(pieces)

    def _resolve(self, pieces: list[tuple[fontset.Face, bool | None, str]]) -> list[_Run]:
        """Neutral pieces (spaces, digits, emoji) take the direction of the strong text on
        both sides when it agrees, else the paragraph's; then equal neighbours merge."""
        merged: list[tuple[fontset.Face, bool, str]] = []
        for i, (face, rtl, text) in enumerate(pieces):
            if rtl is None:
                before = next((p[1] for p in reversed(pieces[:i]) if p[1] is not None), None)
                after = next((p[1] for p in pieces[i + 1 :] if p[1] is not None), None)
                rtl = before if before is not None and before == after else self.rtl_paragraph
            if merged and merged[-1][:2] == (face, rtl):
                merged[-1] = (face, rtl, merged[-1][2] + text)
            else:
                merged.append((face, bool(rtl), text))
        out: list[_Run] = []
        for face, rtl, text in merged:
            font, scale = self._font(face)
            run = _Run(text, face, font, scale, rtl, fontset.is_color(font) or scale != 1)
            run.width = _length(run)
            out.append(run)
        return out

    def visual(self, runs: list[_Run]) -> list[_Run]:
        """Runs in the order they are drawn, left to right."""
        order = list(reversed(runs)) if self.rtl_paragraph else list(runs)
        flip = not self.rtl_paragraph  # the runs against the paragraph's direction
        out: list[_Run] = []
        group: list[_Run] = []
        for run in [*order, None]:
            if run is not None and run.rtl == flip:
                group.append(run)
                continue
            out.extend(reversed(group))
            group = []
            if run is not None:
                out.append(run)
        return out

    def measure(self, line: str) -> float:
        return sum(run.width for run in self.runs(line))


def _direction_arg(run: _Run) -> str | None:
    return ("rtl" if run.rtl else "ltr") if RTL_SHAPED else None


def _shown(run: _Run) -> str:
    return run.text[::-1] if run.rtl and not RTL_SHAPED else run.text


def _length(run: _Run) -> float:
    return float(run.font.getlength(_shown(run), direction=_direction_arg(run))) * run.scale


def wrap(text: str, measure: Callable[[str], float], max_width: float) -> list[str]:
    """Greedy word wrap to ``max_width`` pixels; words too long are broken by characters
    (which is also how Chinese and Japanese, written without spaces, wrap)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if measure(candidate) <= max_width or not line:
                line = candidate
            else:
                lines.append(line)
                line = word
            while measure(line) > max_width and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and measure(line[:cut]) > max_width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines


def _metrics(run: _Run) -> tuple[float, float]:
    ascent, descent = run.font.getmetrics()
    return ascent * run.scale, descent * run.scale


def _draw_colour_run(layer: Image.Image, run: _Run, x: float, baseline: float) -> None:
    ascent, descent = run.font.getmetrics()
    native = Image.new("RGBA", (max(1, math.ceil(run.width / run.scale) + 4), ascent + descent))
    ImageDraw.Draw(native).text(
        (0, ascent), _shown(run), font=run.font, anchor="ls", embedded_color=True,
        direction=_direction_arg(run),
    )  # fmt: skip
    w = max(1, round(native.width * run.scale))
    h = max(1, round(native.height * run.scale))
    scaled = native.resize((w, h), Image.Resampling.LANCZOS)
    layer.alpha_composite(scaled, (max(0, round(x)), max(0, round(baseline - ascent * run.scale))))


def render_text(text: str, px: int, max_width: float, style: TextStyle) -> Image.Image:
    """``text`` drawn as an RGBA picture (box, outline, fill), lines centred."""
    layout = _Layout(text, px)
    stroke = max(1, px // 14)
    lines = [layout.runs(line) for line in wrap(text, layout.measure, max_width - 2 * stroke)]
    heights = []
    for runs in lines:
        metrics = [_metrics(run) for run in runs] or [_metrics(layout.runs(" ")[0])]
        heights.append((max(a for a, _ in metrics), max(d for _, d in metrics)))
    spacing = px // 5
    pad = stroke + (px // 3 if style.box else 0)
    width = max((sum(r.width for r in runs) for runs in lines), default=1.0)
    w = math.ceil(width) + 2 * pad + 2
    h = math.ceil(sum(a + d for a, d in heights) + spacing * (len(lines) - 1)) + 2 * pad + 2
    outline, fill = Image.new("L", (w, h), 0), Image.new("L", (w, h), 0)
    colour = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    y = float(pad + 1)
    for runs, (ascent, descent) in zip(lines, heights, strict=True):
        x = (w - sum(r.width for r in runs)) / 2
        baseline = y + ascent
        for run in layout.visual(runs):
            if run.color:
                _draw_colour_run(colour, run, x, baseline)
            else:
                shown, direction = _shown(run), _direction_arg(run)
                ImageDraw.Draw(outline).text(
                    (x, baseline), shown, fill=255, font=run.font, anchor="ls",
                    direction=direction, stroke_width=stroke, stroke_fill=255,
                )  # fmt: skip
                ImageDraw.Draw(fill).text(
                    (x, baseline), shown, fill=255, font=run.font, anchor="ls", direction=direction
                )
            x += run.width
        y += ascent + descent + spacing
    out = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    if style.box:
        ImageDraw.Draw(out).rounded_rectangle(
            (0, 0, w - 1, h - 1), radius=max(2, px // 4), fill=style.box
        )
    dark = Image.new("RGBA", (w, h), (0, 0, 0, 255))
    dark.putalpha(outline.point(lambda v: round(v * _OUTLINE_OPACITY)))
    out.alpha_composite(dark)
    ink = Image.new("RGBA", (w, h), (*style.color, 255))
    ink.putalpha(fill)
    out.alpha_composite(ink)
    out.alpha_composite(colour)
    return out


def pixel_size(size: float, height: int) -> int:
    try:
        size = float(size)
    except (TypeError, ValueError):
        size = 0.08
    return max(8, int(min(max(size if size == size else 0.08, 0.02), 0.3) * height))


class TextOverlay:
    """One text segment rendered for one canvas: a small RGBA patch at a fixed place."""

    def __init__(
        self,
        text: str,
        canvas: Canvas,
        pos: str = "center",
        size: float = 0.08,
        style: TextStyle | None = None,
    ) -> None:
        w, h = canvas.width, canvas.height
        style = style or TextStyle(pos, size)
        pos, size = style.pos, style.size
        picture = render_text(str(text), pixel_size(size, h), w * 0.9, style)
        tw, th = min(w, picture.width), min(h, picture.height)
        x = ((w - tw) // 2) & ~1
        if pos == "top":
            y = int(h * _MARGIN)
        elif pos == "bottom":
            y = h - th - int(h * _MARGIN)
        else:
            y = (h - th) // 2
        y = min(max(y, 0), h - th) & ~1
        if picture.width > w or picture.height > h:  # keep the centre of an oversized text
            left, top = (picture.width - tw) // 2, (picture.height - th) // 2
            picture = picture.crop((left, top, left + tw, top + th))
        self._patch = RgbaPatch(picture, canvas, x, y)
        self.box = self._patch.box
        self.canvas = canvas

    def apply(self, buf: Yuv) -> None:
        """Draw onto ``buf`` in place (the caller passes a copy it owns)."""
        self._patch.apply(buf)
