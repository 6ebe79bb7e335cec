"""The producer thread that composes frames ahead of the encoder: order, errors, stops."""

from __future__ import annotations

import threading
from fractions import Fraction

import numpy as np
import pytest

from nemowidgets.local.render import RenderCancelled, RenderFailure, render_draft
from nemowidgets.local.render.frames import Canvas, from_video_frame, to_video_frame
from nemowidgets.samples import make_photo
from tests.local.render_support import decode, mean_rgb, nearest_photo, photos, slideshow

KB = {"z0": 1.0, "z1": 1.12}


def render_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("nemo-render")]


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict:
    return photos(tmp_path_factory.mktemp("feed_media"), 3)


def test_frames_arrive_in_order_with_ken_burns_and_holds(media, tmp_path) -> None:
    """Photo 0 moving, photo 1 held (no Ken Burns), photo 2 moving: each shows when due."""
    draft = slideshow(["p0", "p1", "p2"], seconds=1.0, tr_ms=300, kb=KB)
    draft["t"][0]["sg"][1].pop("kb")
    render_draft(draft, media, tmp_path / "out.mp4")
    frames = decode(tmp_path / "out.mp4").frames
    assert len(frames) == 72
    for index, second in enumerate((0.3, 1.1, 2.1)):
        assert nearest_photo(mean_rgb(frames[round(second * 30)]), 3) == index
    assert render_threads() == []


def test_a_cancel_mid_render_stops_the_producer(media, tmp_path) -> None:
    calls = []

    def should_cancel() -> bool:
        calls.append(1)
        return len(calls) > 30

    with pytest.raises(RenderCancelled):
        render_draft(
            slideshow(["p0", "p1", "p2"], kb=KB),
            media,
            tmp_path / "x.mp4",
            should_cancel=should_cancel,
        )
    assert render_threads() == []
    assert list(tmp_path.iterdir()) == []


def test_a_photo_failing_late_is_the_renders_failure_naming_it(media, tmp_path) -> None:
    """The third photo is truncated: it fails on the producer's side, mid-render."""
    bad = tmp_path / "bad.jpg"
    make_photo(bad, 5, (400, 300))
    bad.write_bytes(bad.read_bytes()[:600])
    draft = slideshow(["p0", "p1", "bad"], kb=KB)
    with pytest.raises(RenderFailure) as info:
        render_draft(draft, dict(media, bad=bad), tmp_path / "out" / "x.mp4")
    assert info.value.segment_id == "seg_3"
    assert render_threads() == []
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("size", [(320, 180), (322, 182), (642, 364)])
def test_encoder_frames_carry_the_buffer_exactly(size) -> None:
    """Zero-copy where PyAV's wrapper is right (heights divisible by 4), a copy elsewhere."""
    canvas = Canvas(size[0], size[1], Fraction(30))
    buf = np.random.default_rng(1).integers(0, 255, canvas.buffer_size, dtype=np.uint8)
    assert np.array_equal(from_video_frame(to_video_frame(buf, canvas)), buf)
