"""PNGs in the pixel formats Pillow reads, each with the 8-bit picture it must become.

A photo is more than "RGB, 8 bits": phones and editors write 16-bit greyscale,
grey plus alpha, palettes with a transparent entry, 1-bit line art.  Each maker
here writes one such PNG (byte by byte where Pillow cannot write the format) and
returns what a viewer shows: the RGB picture and its opacity.  The bad-input
corpus uploads each one and checks the rendered frame and the thumbnail against
that picture (``tests/reliability/test_badinputs.py``).
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

__all__ = ["HEIGHT", "PNG_MODES", "WIDTH", "Picture", "PngMode"]

WIDTH, HEIGHT = 160, 120


@dataclass(frozen=True)
class Picture:
    """The PNG's bytes and what it shows: ``rgb`` (H x W x 3, 0-255) and ``alpha`` (0-1)."""

    png: bytes
    rgb: np.ndarray
    alpha: np.ndarray

    def over(self, backdrop: float) -> np.ndarray:
        """The picture composited over a grey ``backdrop`` level (0 is black)."""
        a = self.alpha[:, :, None]
        return self.rgb * a + backdrop * (1.0 - a)


@dataclass(frozen=True)
class PngMode:
    name: str  # the corpus case's name
    filename: str
    why: str
    make: Callable[[], Picture]


def _ramp(top: int) -> np.ndarray:
    """0..``top`` from left to right, the same on every row (H x W, integers)."""
    row = np.rint(np.linspace(0, top, WIDTH)).astype(np.int64)
    return np.repeat(row[None, :], HEIGHT, axis=0)


def _opaque() -> np.ndarray:
    return np.ones((HEIGHT, WIDTH))


def _top_half() -> np.ndarray:
    """Opaque on the top half, fully transparent below."""
    alpha = np.zeros((HEIGHT, WIDTH))
    alpha[: HEIGHT // 2] = 1.0
    return alpha


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _raw_png(samples: np.ndarray, colour_type: int, depth: int, extra: bytes = b"") -> bytes:
    """A PNG from ``samples`` (H x W x channels), written by hand (no filter, one IDAT)."""
    dtype = ">u2" if depth == 16 else np.uint8
    rows = samples.astype(dtype).reshape(HEIGHT, -1)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + extra
        + _chunk(b"IDAT", zlib.compress(raw))
        + _chunk(b"IEND", b"")
    )


def _grey(values: np.ndarray) -> np.ndarray:
    return np.repeat(values[:, :, None].astype(np.float64), 3, axis=2)


def grey_16bit() -> Picture:
    """A full-range 16-bit ramp (Pillow: ``I;16``): it must not clip to white."""
    ramp = _ramp(65535)
    return Picture(_raw_png(ramp, 0, 16), _grey(ramp / 257.0), _opaque())


def grey_16bit_transparent() -> Picture:
    """16-bit grey whose darkest level is marked transparent by a ``tRNS`` chunk."""
    ramp = _ramp(65535)
    ramp[:, : WIDTH // 4] = 1000  # the transparent level
    trns = _chunk(b"tRNS", struct.pack(">H", 1000))
    alpha = np.where(ramp == 1000, 0.0, 1.0)
    return Picture(_raw_png(ramp, 0, 16, trns), _grey(ramp / 257.0), alpha)


def grey_alpha_16bit() -> Picture:
    """16-bit grey + 16-bit alpha (Pillow reads it as RGBA)."""
    ramp, alpha = _ramp(65535), _top_half()
    samples = np.dstack([ramp, np.rint(alpha * 65535)])
    return Picture(_raw_png(samples, 4, 16), _grey(ramp / 257.0), alpha)


def rgb_16bit() -> Picture:
    """48-bit colour: red rising, green falling, blue at half."""
    ramp = _ramp(65535)
    samples = np.dstack([ramp, 65535 - ramp, np.full_like(ramp, 32896)])
    return Picture(_raw_png(samples, 2, 16), samples / 257.0, _opaque())


def grey_alpha_8bit() -> Picture:
    """8-bit grey + alpha (``LA``): the transparent half shows what is behind."""
    ramp, alpha = _ramp(255), _top_half()
    samples = np.dstack([ramp, np.rint(alpha * 255)])
    return Picture(_raw_png(samples, 4, 8), _grey(ramp), alpha)


def palette_transparent() -> Picture:
    """A palette (``P``) whose white entry is transparent: it must not show white."""
    index = np.zeros((HEIGHT, WIDTH), np.uint8)
    index[:, : WIDTH // 2] = 1
    image = Image.frombytes("P", (WIDTH, HEIGHT), index.tobytes())
    image.putpalette([255, 255, 255, 200, 60, 30] + [0, 0, 0] * 254)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=0)
    rgb = np.zeros((HEIGHT, WIDTH, 3))
    rgb[:, : WIDTH // 2] = (200, 60, 30)
    rgb[:, WIDTH // 2 :] = 255
    return Picture(buffer.getvalue(), rgb, np.where(index == 1, 1.0, 0.0))


def one_bit() -> Picture:
    """1-bit line art (``1``): wide black and white bands."""
    band = (np.arange(WIDTH) // 40) % 2
    bits = np.repeat(band[None, :], HEIGHT, axis=0)
    packed = np.packbits(bits.astype(np.uint8), axis=1)
    return Picture(_raw_png(packed, 0, 1), _grey(bits * 255.0), _opaque())


def grey_transparent_8bit() -> Picture:
    """8-bit grey (``L``) with a ``tRNS`` level: those pixels are transparent."""
    ramp = _ramp(255)
    ramp[:, : WIDTH // 4] = 200
    trns = _chunk(b"tRNS", struct.pack(">H", 200))
    alpha = np.where(ramp == 200, 0.0, 1.0)
    return Picture(_raw_png(ramp, 0, 8, trns), _grey(ramp), alpha)


PNG_MODES: tuple[PngMode, ...] = (
    PngMode("png_16bit_grey", "grey16.png", "16-bit greyscale ramp 0-65535 (I;16)", grey_16bit),
    PngMode(
        "png_16bit_grey_trns",
        "grey16_trns.png",
        "16-bit greyscale with a transparent level (tRNS)",
        grey_16bit_transparent,
    ),
    PngMode("png_16bit_grey_alpha", "grey_alpha16.png", "16-bit grey + alpha", grey_alpha_16bit),
    PngMode("png_48bit_rgb", "rgb48.png", "16 bits per colour channel", rgb_16bit),
    PngMode("png_grey_alpha", "grey_alpha.png", "8-bit grey + alpha (LA)", grey_alpha_8bit),
    PngMode(
        "png_palette_trns",
        "palette_trns.png",
        "palette (P) with a transparent white entry",
        palette_transparent,
    ),
    PngMode("png_1bit", "one_bit.png", "1-bit black and white (mode 1)", one_bit),
    PngMode(
        "png_grey_trns",
        "grey_trns.png",
        "8-bit grey with a transparent level (tRNS)",
        grey_transparent_8bit,
    ),
)
