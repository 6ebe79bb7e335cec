"""Every pixel mode Pillow decodes maps onto the right 8-bit picture (``to_rgb``).

The corpus (``tests/support/png_modes.py``) renders the PNG formats end to end; the
modes no PNG opens as (big- and little-endian 16-bit, 32-bit integers, floats,
premultiplied alpha, CMYK, ...) come from other decoders and are checked here,
on the function the renderer and the thumbnails share.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from nemowidgets.local.render.image_modes import to_rgb

pytestmark = pytest.mark.badinput

W, H = 64, 300  # taller than one conversion strip
RAMP8 = np.rint(np.linspace(0, 255, W))


def _sixteen(mode: str) -> Image.Image:
    ramp = np.rint(np.linspace(0, 65535, W)).astype(np.uint16)
    values = np.repeat(ramp[None, :], H, axis=0)
    dtype = {"I;16B": ">u2", "I;16L": "<u2", "I;16": "<u2", "I;16N": "=u2"}[mode]
    return Image.frombytes(mode, (W, H), values.astype(dtype).tobytes())


def _int32() -> Image.Image:
    ramp = np.rint(np.linspace(0, 65535, W)).astype(np.int32)
    return Image.fromarray(np.repeat(ramp[None, :], H, axis=0))


def _float(top: float) -> Image.Image:
    ramp = np.linspace(0, top, W).astype(np.float32)
    return Image.fromarray(np.repeat(ramp[None, :], H, axis=0))


@pytest.mark.parametrize(
    "make",
    [
        lambda: _sixteen("I;16"),
        lambda: _sixteen("I;16B"),
        lambda: _sixteen("I;16L"),
        lambda: _sixteen("I;16N"),
        _int32,
        lambda: _float(1.0),
        lambda: _float(255.0),
    ],
    ids=["I;16", "I;16B", "I;16L", "I;16N", "I", "F 0-1", "F 0-255"],
)
def test_high_bit_depth_greyscale_is_scaled_not_clipped(make) -> None:
    """A full-range ramp stays a ramp (Pillow's own conversion clips it to white)."""
    out = to_rgb(make())
    assert out.mode == "RGB"
    pixels = np.asarray(out).astype(np.float64)
    assert np.abs(pixels[H - 1, :, 0] - RAMP8).max() <= 1
    assert (pixels[..., 0] == pixels[..., 2]).all()


def test_out_of_range_and_nan_values_are_clipped() -> None:
    values = np.array([[-5.0, np.nan, 0.5, 300.0]], dtype=np.float32)
    assert np.asarray(to_rgb(Image.fromarray(values)))[0, :, 0].tolist() == [0, 0, 0, 255]
    ints = np.array([[-7, 70000, 257, 0]], dtype=np.int32)
    assert np.asarray(to_rgb(Image.fromarray(ints)))[0, :, 0].tolist() == [0, 255, 1, 0]


def test_sixteen_bit_transparency_becomes_alpha() -> None:
    image = _sixteen("I;16")
    image.info["transparency"] = 0
    out = np.asarray(to_rgb(image))
    assert out.shape[2] == 4
    assert out[0, 0, 3] == 0
    assert (out[0, 1:, 3] == 255).all()


@pytest.mark.parametrize(
    ("mode", "colour", "alpha"),
    [
        ("LA", (90, 128), 128),
        ("PA", (1, 200), 200),
        ("La", (45, 128), 128),  # premultiplied: un-premultiplied by Pillow
        ("RGBa", (50, 0, 0, 128), 128),
        ("RGBA", (10, 20, 30, 40), 40),
    ],
)
def test_alpha_modes_keep_their_alpha(mode: str, colour: tuple[int, ...], alpha: int) -> None:
    out = to_rgb(Image.new(mode, (4, 4), colour))
    assert out.mode == "RGBA"
    assert np.asarray(out)[0, 0, 3] == alpha


@pytest.mark.parametrize(
    ("mode", "colour", "rgb"),
    [
        ("1", 1, (255, 255, 255)),
        ("L", 77, (77, 77, 77)),
        ("CMYK", (0, 255, 255, 0), (255, 0, 0)),
        ("YCbCr", (76, 85, 255), (254, 0, 0)),
        ("RGBX", (1, 2, 3, 0), (1, 2, 3)),
    ],
)
def test_other_modes_become_rgb(
    mode: str, colour: int | tuple[int, ...], rgb: tuple[int, int, int]
) -> None:
    out = to_rgb(Image.new(mode, (4, 4), colour))
    assert out.mode == "RGB"
    assert np.abs(np.asarray(out)[0, 0].astype(int) - rgb).max() <= 2


def test_palette_transparency_becomes_alpha() -> None:
    image = Image.new("P", (4, 4), 0)
    image.putpalette([255, 255, 255, 10, 20, 30] + [0, 0, 0] * 254)
    image.info["transparency"] = 0
    out = to_rgb(image)
    assert out.mode == "RGBA"
    assert np.asarray(out)[0, 0, 3] == 0


def test_rgb_is_returned_as_is() -> None:
    image = Image.new("RGB", (4, 4))
    assert to_rgb(image) is image
