"""Fonts for overlay text: the shipped DejaVu Sans first, then the system's, chosen per character.

Why a chain: no one font covers every script.  DejaVu Sans (shipped in ``fonts/``) draws
Latin, Greek, Cyrillic, Arabic and Hebrew the same on every install; for anything it
lacks (Chinese, Japanese, Korean, emoji, ...) we ask fontconfig, when the system has it,
for its sorted fallback list (``fc-match -s``, the list desktop apps use) together with
each font's character set, and take the first font that has the character.  Binder and
CI install Noto CJK and Noto Color Emoji (``binder/apt.txt``, ``scripts/bootstrap``).

Without fontconfig only the shipped font is there; whether it has a character is then
probed by drawing it and comparing with the font's "missing glyph" box.

A character no font has is reported by :func:`missing` (the render's warnings name it)
and drawn as the shipped font's box rather than failing the render.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SHIPPED = Path(__file__).with_name("fonts") / "DejaVuSans.ttf"
#: Sizes tried for fonts that only have fixed bitmap sizes (Noto Color Emoji: 109).
_BITMAP_SIZES = (109, 136, 128, 160, 64, 32)
_UNASSIGNED = "\u0378"  # never a character: every font draws its "missing glyph" box
_FC_TIMEOUT = 10.0


@dataclass(frozen=True)
class Face:
    """One font file (and face index, for collections) and the characters it has."""

    path: str
    index: int = 0
    #: Sorted inclusive ``(first, last)`` code point ranges; ``None`` when unknown.
    ranges: tuple[tuple[int, int], ...] | None = field(default=None, compare=False)

    def covers(self, ch: str) -> bool:
        if self.ranges is None:
            return _probe(self, ch)
        cp = ord(ch)
        i = bisect_right(self.ranges, (cp, 0x10FFFF + 1)) - 1
        return i >= 0 and self.ranges[i][0] <= cp <= self.ranges[i][1]


def needs_glyph(ch: str) -> bool:
    """False for spaces, controls and invisible format characters (joiners, marks)."""
    return unicodedata.category(ch) not in ("Zs", "Zl", "Zp", "Cc", "Cf")


def parse_charset(text: str) -> tuple[tuple[int, int], ...]:
    """fontconfig's ``%{charset}`` (``"20-7e a0 ..."``, hex) as sorted ranges."""
    out: list[tuple[int, int]] = []
    for part in text.split():
        lo, _, hi = part.partition("-")
        try:
            out.append((int(lo, 16), int(hi or lo, 16)))
        except ValueError:
            continue
    return tuple(sorted(out))


def _fc(*args: str) -> str | None:
    tool = shutil.which(args[0])
    if tool is None:
        return None
    try:
        done = subprocess.run(
            [tool, *args[1:]], capture_output=True, text=True, timeout=_FC_TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


@lru_cache(maxsize=1)
def shipped_face() -> Face:
    out = _fc("fc-query", "--format", "%{charset}\n", str(SHIPPED))
    ranges = parse_charset(out.splitlines()[0]) if out and out.strip() else None
    return Face(str(SHIPPED), 0, ranges)


@lru_cache(maxsize=8)
def system_faces(lang: str = "") -> tuple[Face, ...]:
    """fontconfig's sorted sans-serif fallback list (for ``lang``), or ``()`` without it."""
    pattern = f"sans-serif:lang={lang}" if lang else "sans-serif"
    out = _fc("fc-match", "-s", "--format", "%{file}|%{index}|%{charset}\n", pattern)
    faces: list[Face] = []
    for line in (out or "").splitlines():
        path, _, rest = line.partition("|")
        index, _, charset = rest.partition("|")
        if path and Path(path).is_file() and index.strip().isdigit():
            faces.append(Face(path, int(index), parse_charset(charset)))
    return tuple(faces)


def language(text: str) -> str:
    """The fontconfig language to prefer for ``text``'s Han characters (their forms differ)."""
    if any(0x3040 <= ord(c) <= 0x30FF for c in text):
        return "ja"
    if any(0xAC00 <= ord(c) <= 0xD7AF or 0x1100 <= ord(c) <= 0x11FF for c in text):
        return "ko"
    if any(unicodedata.name(c, "").startswith("CJK") for c in text):
        return "zh-cn"
    return ""


def chain(text: str) -> tuple[Face, ...]:
    """The fonts to try for ``text``, in order: the shipped one, then the system's."""
    return (shipped_face(), *system_faces(language(text)))


def face_for(ch: str, faces: tuple[Face, ...]) -> Face | None:
    return next((face for face in faces if face.covers(ch)), None)


def missing(text: str) -> list[str]:
    """The distinct characters of ``text`` that no available font has, in order."""
    faces = chain(text)
    seen: list[str] = []
    for ch in text:
        if ch not in seen and needs_glyph(ch) and face_for(ch, faces) is None:
            seen.append(ch)
    return seen


def describe(chars: list[str]) -> str:
    """``'X' (U+1F600 GRINNING FACE)`` for each character, for messages."""
    return ", ".join(f"{c!r} (U+{ord(c):04X} {unicodedata.name(c, 'unnamed')})" for c in chars)


@lru_cache(maxsize=64)
def load(face: Face, px: int) -> tuple[ImageFont.FreeTypeFont, float]:
    """``face`` at ``px`` pixels, and the scale to apply to what it draws.

    Colour emoji fonts come only in fixed bitmap sizes: they are loaded at one of those
    and drawn scaled by the returned factor.  Raises ``OSError`` if the file is unusable.
    """
    try:
        return ImageFont.truetype(face.path, px, index=face.index), 1.0
    except OSError as exc:
        error = exc
    for size in _BITMAP_SIZES:
        try:
            return ImageFont.truetype(face.path, size, index=face.index), px / size
        except OSError:
            continue
    raise error


def is_color(font: ImageFont.FreeTypeFont) -> bool:
    """Whether the font draws its own colours (colour bitmap or layered emoji)."""
    return "emoji" in " ".join(str(n) for n in font.getname()).lower()


@lru_cache(maxsize=4096)
def _probe(face: Face, ch: str) -> bool:
    """Without a character set: does ``ch`` draw differently from the missing-glyph box?"""
    try:
        font, _ = load(face, 24)
    except OSError:
        return False

    def raster(text: str) -> bytes:
        image = Image.new("L", (64, 48))
        ImageDraw.Draw(image).text((8, 8), text, font=font, fill=255)
        return image.tobytes()

    return raster(ch) != raster(_UNASSIGNED)
