"""The Ken Burns warp (OpenCV) against the previous resampler (Pillow's area-filtered
``resize(box=...)``): the same pictures, the same sub-pixel positions."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from PIL import Image, ImageDraw

from nemowidgets.local.render.frames import Canvas, even, planes
from nemowidgets.local.render.stills import KenBurns, Still, photo_yuv
from nemowidgets.local.render.warp import WarpSource, warp
from nemowidgets.samples import make_photo

CANVAS = Canvas(320, 180, Fraction(30))


def pillow_reference(buf: np.ndarray, size: Canvas, box, canvas: Canvas = CANVAS) -> np.ndarray:
    """The renderer's previous Ken Burns frame: each plane resized from a fractional box."""
    out = []
    for index, plane in enumerate(planes(buf, size)):
        d = 1 if index == 0 else 2
        part = tuple(v / d for v in box)
        image = Image.fromarray(np.ascontiguousarray(plane))
        resized = image.resize(
            (canvas.width // d, canvas.height // d), Image.Resampling.BILINEAR, box=part
        )
        out.append(np.asarray(resized).ravel())
    return np.concatenate(out)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    err = float(np.mean((a.astype(np.float64) - b) ** 2))
    return float("inf") if err == 0 else 10 * np.log10(255**2 / err)


def source_for(path, kb: KenBurns) -> tuple[np.ndarray, Canvas]:
    size = Canvas(even(320 * kb.oversample), even(180 * kb.oversample), CANVAS.fps)
    return photo_yuv(path, size, "blur"), size


#: The agent's four moves, and a wide zoom-out that needs the smaller source copy.
MOVES = [
    KenBurns(1.0, 1.12),
    KenBurns(1.12, 1.0),
    KenBurns(1.12, 1.12, 0.46, 0.5, 0.54, 0.5),
    KenBurns(1.1, 1.16, 0.52, 0.48, 0.47, 0.53),
    KenBurns(2.0, 1.0, 0.4, 0.4, 0.6, 0.6),
]


@pytest.mark.parametrize("kb", MOVES, ids=lambda kb: f"z{kb.z0}-{kb.z1}")
def test_warp_matches_the_previous_resampler_on_a_photo(kb, tmp_path) -> None:
    photo = make_photo(tmp_path / "p.jpg", 3, (800, 600))
    buf, size = source_for(photo, kb)
    source = WarpSource(buf, size, CANVAS)
    for u in np.linspace(0.0, 1.0, 7):
        box = kb.box(float(u), size.width, size.height)
        got = source.frame(box)
        assert got.shape == (CANVAS.buffer_size,)
        # 49-69 dB measured; the same frame one pixel off scores ~36 dB.
        assert psnr(got, pillow_reference(buf, size, box)) > 45.0, u


def test_warp_matches_the_previous_resampler_on_fine_detail() -> None:
    """Noise and one-pixel lines: where interpolation filters differ most."""
    rng = np.random.default_rng(3)
    size = Canvas(358, 202, CANVAS.fps)  # 320x180 times 1.12
    buf = rng.integers(16, 236, size.buffer_size, dtype=np.uint8)
    y = planes(buf, size)[0]
    y[::9] = 235
    kb = KenBurns(1.0, 1.12)
    for u in (0.0, 0.37, 1.0):
        box = kb.box(u, size.width, size.height)
        # 30-55 dB measured (bilinear vs an area filter at a 1.12 step); half a pixel
        # off scores ~20 dB.
        assert psnr(warp(planes(buf, size), box, CANVAS), pillow_reference(buf, size, box)) > 27


def dot_centroid(buf: np.ndarray) -> tuple[float, float]:
    luma = planes(buf, CANVAS)[0].astype(np.float64)
    weight = np.clip(luma - 60, 0, None)
    ys, xs = np.indices(luma.shape)
    return float((weight * xs).sum() / weight.sum()), float((weight * ys).sum() / weight.sum())


def test_a_dot_lands_where_the_previous_resampler_put_it_to_a_twentieth_of_a_pixel(
    tmp_path,
) -> None:
    picture = Image.new("RGB", (720, 404), (20, 20, 30))
    ImageDraw.Draw(picture).ellipse((500, 130, 530, 160), fill=(255, 255, 255))
    picture.save(tmp_path / "dot.png")
    kb = KenBurns(1.1, 1.16, 0.52, 0.48, 0.47, 0.53)
    buf, size = source_for(tmp_path / "dot.png", kb)
    source = WarpSource(buf, size, CANVAS)
    for u in np.linspace(0.0, 1.0, 11):
        box = kb.box(float(u), size.width, size.height)
        got, want = dot_centroid(source.frame(box)), dot_centroid(pillow_reference(buf, size, box))
        assert abs(got[0] - want[0]) < 0.05, (u, got, want)
        assert abs(got[1] - want[1]) < 0.05, (u, got, want)


def test_a_still_with_ken_burns_gives_a_new_frame_each_time_and_a_fixed_zoom_one(
    tmp_path,
) -> None:
    photo = make_photo(tmp_path / "p.jpg", 1, (640, 480))
    moving = Still(photo, CANVAS, "blur", {"z0": 1.0, "z1": 1.2})
    a, b = moving.frame(0.2), moving.frame(0.8)
    assert not moving.static
    assert a is not b
    assert not np.array_equal(a, b)
    fixed = Still(photo, CANVAS, "blur", {"z0": 1.2, "z1": 1.2})
    assert fixed.static
    assert fixed.frame(0.1) is fixed.frame(0.9)
    assert np.array_equal(fixed.frame(0.5), moving.frame(1.0))
