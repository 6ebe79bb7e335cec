"""Any picture Pillow decodes, as the 8-bit RGB (or RGBA) the renderer and thumbnails use.

Why not just ``image.convert("RGB")``: Pillow's conversions from the high-bit-depth
modes *clip* instead of scaling.  A 16-bit greyscale PNG opens as ``I;16`` with
values 0-65535, and ``convert("L")`` keeps ``min(value, 255)``, so a full-range
gradient comes out white from its second percent on.  Here every mode is mapped
onto 0-255 by what its numbers mean:

==================  ================================================================
``I;16`` and kin    16-bit (either byte order): ``value / 257``, so 65535 is 255
``I``               32-bit integers: read as 16-bit data (it is what Pillow gives
                    for 16-bit greyscale in some formats and versions), clipped
                    to 0-65535 first
``F``               floats: 0.0-1.0 when no value is above 1, else 0-255, clipped;
                    NaN is black
``1``, ``L``, ``P``  Pillow's own conversion (exact); a palette's or a grey level's
                    ``transparency`` becomes an alpha channel
``LA``, ``PA``,     kept with their alpha (premultiplied modes are un-premultiplied
``La``, ``RGBa``    by Pillow)
others (``CMYK``,   Pillow's conversion to RGB
``YCbCr``, ...)
==================  ================================================================

A ``transparency`` value on a 16-bit picture (a PNG ``tRNS`` chunk) is honoured too.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

__all__ = ["to_rgb"]

#: Modes that carry an alpha channel of their own.
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "La", "RGBa"})
_SIXTEEN_BIT = frozenset({"I;16", "I;16B", "I;16L", "I;16N"})
_STRIP_ROWS = 256


def to_rgb(image: Image.Image) -> Image.Image:
    """``image`` as mode ``RGB``, or ``RGBA`` when it has any transparency.

    Returns ``image`` itself when it already is one of the two (callers that must
    not hold on to a file-backed image copy it); otherwise a new image.
    """
    transparency = image.info.get("transparency")
    if image.mode in _SIXTEEN_BIT or image.mode in ("I", "F"):
        return _scaled(image, transparency)
    mode = "RGBA" if image.mode in _ALPHA_MODES or transparency is not None else "RGB"
    if image.mode == "La":  # Pillow has no La -> RGBA conversion; LA is one step away
        image = image.convert("LA")
    return image if image.mode == mode else image.convert(mode)


def _scaled(image: Image.Image, transparency: object) -> Image.Image:
    """A high-bit-depth greyscale picture mapped onto 8 bits, as RGB or RGBA.

    Converted in strips of rows, so a 64 MP picture never needs a wide (64-bit)
    copy of itself: only the decoded values and the 8-bit result are held whole.
    """
    values = np.asarray(image)
    top = 65535.0
    if image.mode == "F":
        finite = values[np.isfinite(values)]
        top = 1.0 if not finite.size or float(finite.max()) <= 1.0 else 255.0
    grey = np.empty(values.shape, np.uint8)
    for row in range(0, values.shape[0], _STRIP_ROWS):
        grey[row : row + _STRIP_ROWS] = _eight_bit(values[row : row + _STRIP_ROWS], top)
    out = Image.fromarray(grey)
    if isinstance(transparency, int) and image.mode != "F":
        alpha = Image.fromarray(np.where(values == transparency, 0, 255).astype(np.uint8))
        return Image.merge("RGBA", (out, out, out, alpha))
    return out.convert("RGB")


def _eight_bit(values: np.ndarray, top: float) -> np.ndarray:
    """``values`` (0..``top``; out of range clipped, NaN black) as 0..255, rounded."""
    wide = np.nan_to_num(values.astype(np.float64), nan=0.0, posinf=top, neginf=0.0)
    return np.rint(np.clip(wide, 0.0, top) * (255.0 / top)).astype(np.uint8)
