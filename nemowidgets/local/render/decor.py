"""The draft's decorations read for a render: text styles, looks, the logo, and text warnings.

Kept apart from ``timeline`` (which places segments in time) because each of these is
a small parser of its own keys (``col``/``bg`` on text, ``fx``/``br``/``ct`` on photos
and clips, ``m.logo``), and each turns a bad value into a :class:`RenderFailure` that
names the segment and the field, before the first frame is encoded.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PIL import ImageColor

from . import fontset, logo
from .errors import failure
from .looks import Look, parse_look
from .text import RTL_SHAPED, TextStyle

DEFAULT_BOX_ALPHA = 0.6
_FIX = "Fix the draft, or ask the agent to change it."


def colour(value: object, seg_id: str, key: str) -> tuple[int, int, int, int]:
    """A CSS colour (``"#ffcc00"``, ``"#ffcc0080"``, ``"yellow"``) as RGBA."""
    try:
        rgba = ImageColor.getcolor(str(value).strip(), "RGBA")
    except (ValueError, AttributeError):
        raise failure(
            seg_id,
            None,
            f"field {key!r} is {value!r}, not a colour",
            "Use a colour name or a hex colour like '#ffcc00'.",
        ) from None
    assert isinstance(rgba, tuple)
    return rgba[0], rgba[1], rgba[2], rgba[3]


def text_style(seg: Mapping[str, Any], seg_id: str, pos: str, size: float) -> TextStyle:
    """The segment's ``col`` (text colour) and ``bg`` (box: a colour, or true for the
    default translucent black) as a :class:`TextStyle`."""
    r, g, b, _ = colour(seg["col"], seg_id, "col") if seg.get("col") else (255, 255, 255, 255)
    raw = seg.get("bg")
    box: tuple[int, int, int, int] | None = None
    if raw is True:
        box = (0, 0, 0, round(255 * DEFAULT_BOX_ALPHA))
    elif raw not in (None, False, ""):
        br, bg, bb, ba = colour(raw, seg_id, "bg")
        has_alpha = (
            isinstance(raw, str) and raw.strip().startswith("#") and len(raw.strip()) in (5, 9)
        )
        box = (br, bg, bb, ba if has_alpha else round(255 * DEFAULT_BOX_ALPHA))
    return TextStyle(pos, size, (r, g, b), box)


def look(seg: Mapping[str, Any], seg_id: str, name: str) -> Look | None:
    try:
        return parse_look(seg.get("fx"), seg.get("br"), seg.get("ct"))
    except ValueError as exc:
        raise failure(seg_id, name, str(exc), _FIX) from None


def _number(raw: Mapping[str, Any], key: str, default: float, lo: float, hi: float) -> float:
    value = raw.get(key)
    if value is None:
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or not lo <= number <= hi:
        raise failure(
            logo.FIELD, None, f"field {key!r} is {value!r}; it must be {lo:g} to {hi:g}", _FIX
        )
    return number


def logo_spec(meta: Mapping[str, Any], media: Mapping[str, Path]) -> logo.LogoSpec | None:
    """``m.logo`` checked: an uploaded picture, a corner, a size and an opacity."""
    raw = meta.get("logo")
    if raw in (None, False, {}):
        return None
    if not isinstance(raw, Mapping):
        raise failure(logo.FIELD, None, f"the logo is {raw!r}, not an object", _FIX)
    src = raw.get("src")
    name = str(raw.get("n") or src or "")
    if not src or src not in media or not Path(media[src]).is_file():
        raise failure(
            logo.FIELD,
            name or None,
            f"media id {src!r} is not among the uploaded files",
            "Upload the logo again, or remove it from the draft.",
        )
    corner = str(raw.get("pos") or logo.DEFAULT_CORNER)
    if corner not in logo.CORNERS:
        raise failure(
            logo.FIELD, name, f"field 'pos' is {corner!r}; a corner is one of tl, tr, bl, br", _FIX
        )
    return logo.LogoSpec(
        Path(media[src]),
        name or Path(media[src]).name,
        corner,
        _number(raw, "sz", logo.DEFAULT_SIZE, *logo.SIZE_RANGE),
        _number(raw, "op", logo.DEFAULT_OPACITY, 0.0, 1.0),
    )


def text_warnings(seg_id: str, text: str) -> list[str]:
    """What the render cannot draw faithfully in ``text``: characters no font has, and
    right-to-left text when Pillow lacks libraqm.  Empty when all is well."""
    out = []
    lacking = fontset.missing(text)
    if lacking:
        out.append(
            f"Text {text[:40]!r} (segment {seg_id!r}): no installed font has "
            f"{fontset.describe(lacking[:5])}{' and more' if len(lacking) > 5 else ''}; "
            "shown as boxes. Install a font that has them (e.g. the Debian packages "
            "fonts-noto-cjk and fonts-noto-color-emoji)."
        )
    if not RTL_SHAPED and any(unicodedata.bidirectional(c) in ("R", "AL") for c in text):
        out.append(
            f"Text {text[:40]!r} (segment {seg_id!r}): right-to-left text is reversed but "
            "not shaped, because this Pillow has no libraqm (install Pillow's wheel from PyPI)."
        )
    return out
