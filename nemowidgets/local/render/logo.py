"""A logo or watermark: an uploaded picture (PNG with alpha) in a corner of every frame.

The draft's ``m.logo`` says which upload (``src``), which corner (``pos``: ``tl``,
``tr``, ``bl``, ``br``), how big (``sz``: the logo's longer side as a fraction of the
canvas's shorter side) and how opaque (``op``).  The picture is decoded and scaled
once and becomes an :class:`~.overlay.RgbaPatch`, so it costs a few small numpy
operations per frame, and nothing at all on a repeated still frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from nemowidgets.protocol import LOGO_CORNERS

from .errors import failure
from .frames import Canvas
from .image_modes import to_rgb
from .overlay import RgbaPatch

CORNERS = LOGO_CORNERS
DEFAULT_CORNER = "br"
DEFAULT_SIZE = 0.15
DEFAULT_OPACITY = 0.8
SIZE_RANGE = (0.02, 0.5)
_MARGIN = 0.03  # of the canvas's shorter side
FIELD = "m.logo"


@dataclass(frozen=True)
class LogoSpec:
    path: Path
    name: str
    corner: str = DEFAULT_CORNER
    size: float = DEFAULT_SIZE
    opacity: float = DEFAULT_OPACITY


def logo_patch(spec: LogoSpec, canvas: Canvas) -> RgbaPatch:
    """The logo scaled and placed for ``canvas``; a render failure naming it if unreadable."""
    try:
        with Image.open(spec.path) as source:
            source.load()
            image = to_rgb(ImageOps.exif_transpose(source)).convert("RGBA")  # any PNG mode
    except Exception as exc:  # any decoder error is the file's fault
        raise failure(
            FIELD,
            spec.name,
            f"cannot read the logo ({type(exc).__name__}: {exc})",
            "Upload the logo again as a PNG (with transparency) or a JPEG.",
        ) from exc
    short = min(canvas.width, canvas.height)
    scale = spec.size * short / max(image.width, image.height)
    w = max(2, min(canvas.width, round(image.width * scale)))
    h = max(2, min(canvas.height, round(image.height * scale)))
    image = image.resize((w, h), Image.Resampling.LANCZOS)
    margin = round(_MARGIN * short)
    x = margin if spec.corner in ("tl", "bl") else canvas.width - w - margin
    y = margin if spec.corner in ("tl", "tr") else canvas.height - h - margin
    # Even offsets (4:2:0): round towards the corner's edge, never off the canvas.
    x, y = max(0, x) & ~1, max(0, y) & ~1
    return RgbaPatch(image, canvas, x, y, spec.opacity)
