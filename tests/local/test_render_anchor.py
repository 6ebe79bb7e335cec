"""Why the render benchmark's FFmpeg Ken Burns anchor supersamples its photos 4x.

``zoompan`` crops at whole, even source pixels, so on a picture barely bigger than
the canvas (the ``1x`` form: the canvas times the move's zoom) a slow move jumps and
stalls.  Measured here on real FFmpeg output, decoded with PyAV, with the same dot
and bounds as our own Ken Burns test (``tests/support/smoothness.py``): the 1x form
jitters; no factor below kburns-slideshow's 4x stays within the bounds (so the
anchor could not be made cheaper); 4x moves forward every frame with a third of the
1x form's wobble, the anchor the benchmark times (``benchmarks/zoompan_jitter.py``
prints the figures, and at 1080p).
"""

from __future__ import annotations

import pytest

from benchmarks.zoompan_jitter import dot_job, judge, render, render_jobs
from tests.support.smoothness import Smoothness

CANVAS = (320, 180)
ANCHOR_SUPERSAMPLE = render_jobs.ANCHOR_SUPERSAMPLE


@pytest.fixture(scope="module")
def moves(tmp_path_factory) -> dict[int, Smoothness]:
    """The dot's move through the anchor's construction at each supersample factor."""
    folder = tmp_path_factory.mktemp("anchor")
    job = dot_job(folder, CANVAS, 1.0)
    judged: dict[int, Smoothness] = {}
    for factor in sorted({1, 2, 3, ANCHOR_SUPERSAMPLE}):
        out = folder / f"zoompan-{factor}x.mp4"
        render(f"zoompan-{factor}x", job, out)
        judged[factor], frames = judge(out)
        assert frames == 30
    return judged


def test_the_cheap_zoompan_jitters(moves) -> None:
    """At 1x the dot stalls or steps back between ~2 px jumps, a pixel off the line."""
    cheap = moves[1]
    assert not cheap.smooth
    assert cheap.stalls >= 5, cheap
    assert cheap.residual_px > 0.8, cheap


@pytest.mark.parametrize("factor", [2, 3])
def test_no_factor_below_four_is_smooth(moves, factor) -> None:
    assert not moves[factor].smooth, moves[factor]


def test_the_anchor_moves_every_frame_with_a_third_of_the_wobble(moves) -> None:
    anchor, cheap = moves[ANCHOR_SUPERSAMPLE], moves[1]
    assert ANCHOR_SUPERSAMPLE == 4  # kburns-slideshow's factor; the docstrings say why
    assert anchor.stalls == 0, anchor
    assert abs(anchor.mean_step - 0.5) < 0.05, anchor  # the whole move: 72 px * 0.2 in 29 steps
    assert anchor.residual_px < min(0.35, cheap.residual_px / 3), (anchor, cheap)
