"""Transitions, Ken Burns, fit modes, titles and video clips, checked on decoded frames."""

from __future__ import annotations

import numpy as np
import pytest

from nemowidgets.local.render import render_draft
from tests.local.render_support import (
    SMALL,
    decode,
    mean_rgb,
    nearest_photo,
    photos,
    sine_clip,
    slideshow,
)
from tests.support.smoothness import (
    DOT_MOVE,
    MAX_RESIDUAL_PX,
    MAX_STEP_RATIO,
    MIN_STEP_RATIO,
    dot_centroids,
    dot_picture,
    smoothness,
)

TRANSITIONS = ("crossfade", "fade_black", "slide", "wipe", "zoom")


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict:
    return photos(tmp_path_factory.mktemp("effects_media"), 4)


@pytest.fixture(scope="module")
def cut(media, tmp_path_factory):
    """The same two photos with a hard cut in the middle of the would-be overlap."""
    out = tmp_path_factory.mktemp("cut") / "cut.mp4"
    render_draft(slideshow(["p0", "p3"], transition="none", tr_ms=0), media, out)
    return decode(out).frames


@pytest.mark.parametrize("kind", TRANSITIONS)
def test_each_transition_renders_and_differs_from_a_hard_cut(kind, media, cut, tmp_path) -> None:
    draft = slideshow(["p0", "p3"], transition=kind, tr_ms=400)
    render_draft(draft, media, tmp_path / "t.mp4")
    video = decode(tmp_path / "t.mp4")
    assert abs(video.duration - 1.6) <= 1 / 30
    overlap_start = draft["t"][0]["sg"][1]["s"] / 1000  # 0.6 s
    mid = video.frames[round((overlap_start + 0.2) * 30)]
    # the hard cut shows one photo whole at that moment; the transition does not
    hard = cut[round((overlap_start + 0.2) * 30)]
    assert np.abs(mid.astype(int) - hard.astype(int)).mean() > 12
    # both ends of the transition are the photos themselves
    assert nearest_photo(mean_rgb(video.frames[round(overlap_start * 30) - 3]), 4) == 0
    assert nearest_photo(mean_rgb(video.frames[round((overlap_start + 0.4) * 30) + 3]), 4) == 3
    left, right = mean_rgb(mid, (0.0, 0.3, 0.15, 0.6)), mean_rgb(mid, (0.85, 0.3, 1.0, 0.6))
    if kind == "fade_black":
        assert mid.mean() < 30  # through black
    elif kind in ("slide", "wipe"):
        # half-way, the two sides of the picture show different photos
        assert nearest_photo(left, 4) != nearest_photo(right, 4)


def test_ken_burns_moves_smoothly_with_sub_pixel_steps(tmp_path) -> None:
    """A bright dot right of centre slides outward as the view zooms in: the dot's
    centroid must move every frame, by steady steps, in one direction (integer crops
    would jump by 0 or 1 px)."""
    dot_picture(tmp_path / "dot.png", SMALL)
    draft = slideshow(["dot"], seconds=1.0, transition=None, kb=DOT_MOVE)
    render_draft(draft, {"dot": tmp_path / "dot.png"}, tmp_path / "kb.mp4")
    xs = dot_centroids(decode(tmp_path / "kb.mp4").frames)
    # the dot sits at x = 232 on the 320 px canvas and ends at 160 + 72 * 1.2 = 246.4
    assert abs(xs[0] - 232) < 1.0
    assert abs(xs[-1] - 245.9) < 1.2
    move = smoothness(xs)
    assert move.stalls == 0, xs  # monotonic: it moves every single frame
    assert move.step_max_ratio < MAX_STEP_RATIO, move  # steady: no jumps...
    assert move.step_min_ratio > MIN_STEP_RATIO, move  # ...and no stalls
    assert move.residual_px < MAX_RESIDUAL_PX, move  # on a straight line: no jitter


def test_fit_modes_black_blur_and_cover(media, tmp_path) -> None:
    """A portrait photo on a 16:9 canvas: black bars, blurred bars, or no bars."""
    edges = {}
    for fit in ("black", "blur", "cover"):
        out = tmp_path / f"{fit}.mp4"
        render_draft(slideshow(["p1"], transition=None, fit=fit, seconds=0.3), media, out)
        frame = decode(out).frames[4]
        edges[fit] = (frame[:, :40], frame[:, -40:], frame[:, 150:170])
    left, right, centre = edges["black"]
    assert left.max() < 24
    assert right.max() < 24
    assert nearest_photo(mean_rgb(centre, (0, 0.3, 1, 0.6)), 4) == 1
    left, right, _ = edges["blur"]
    assert left.mean() > 30
    assert right.mean() > 30
    assert nearest_photo(left.reshape(-1, 3).mean(0), 4) == 1  # the photo's own colours
    assert left.std() < 40  # blurred: no detail
    left, right, _ = edges["cover"]
    assert left.mean() > 60
    assert nearest_photo(left.reshape(-1, 3).mean(0), 4) == 1


def test_a_title_changes_pixels_in_its_region_only(media, tmp_path) -> None:
    title = {
        "id": "seg_title",
        "s": 0,
        "d": 1000,
        "k": "text",
        "txt": "Paradise Found",
        "n": "Paradise Found",
        "pos": "bottom",
        "sz": 0.12,
    }
    plain, titled = tmp_path / "plain.mp4", tmp_path / "titled.mp4"
    render_draft(slideshow(["p0"], transition=None), media, plain)
    render_draft(slideshow(["p0"], transition=None, titles=[title]), media, titled)
    a, b = decode(plain).frames[15].astype(int), decode(titled).frames[15].astype(int)
    diff = np.abs(a - b).max(axis=2)
    changed = diff > 40
    assert changed[120:, 40:280].sum() > 400  # the text, bottom centre
    assert changed[:110].sum() == 0  # nothing above it
    assert np.percentile(diff[:90], 99) < 8  # the top half untouched (codec noise only)
    # white fill and dark outline both present
    region = b[120:, 40:280]
    assert (region.min(axis=2) > 200).sum() > 100
    assert (region.max(axis=2) < 60).sum() > 100


@pytest.mark.parametrize(
    "text",
    [
        "Ñandú 🎉🌴 party",
        "مرحبا بالعالم",
        "שלום עולם 123",
        "长长的标题" * 12,
        "line one\nline two\nline three",
    ],
)
def test_titles_in_any_script_render(media, tmp_path, text) -> None:
    title = {"id": "t", "s": 0, "d": 300, "k": "text", "txt": text, "pos": "top", "sz": 0.1}
    draft = slideshow(["p0"], transition=None, seconds=0.3, titles=[title])
    stats = render_draft(draft, media, tmp_path / "title.mp4")
    assert stats.frames == 9


def test_a_video_clip_is_trimmed_scaled_and_its_sound_mixed(media, tmp_path) -> None:
    clip = sine_clip(tmp_path / "clip.mp4")  # blue for 1 s, then green; a 440 Hz tone
    draft = slideshow(["p0"], transition="crossfade", tr_ms=200, seconds=1.0)
    draft["t"][0]["sg"][0]["tr"] = {"type": "crossfade", "d": 200}
    draft["t"][0]["sg"].append(
        {
            "id": "seg_clip",
            "s": 800,
            "d": 800,
            "src": "clip",
            "n": "clip.mp4",
            "k": "video",
            "in": 1100,
            "vol": 1.0,
        }
    )
    draft["d"] = 1600
    render_draft(draft, dict(media, clip=clip), tmp_path / "withclip.mp4")
    video = decode(tmp_path / "withclip.mp4")
    assert abs(video.duration - 1.6) <= 1 / 30
    frame = video.frames[round(1.3 * 30)]
    r, g, b = mean_rgb(frame)
    assert g > 150
    assert r < 90
    assert b < 110
    # 320x240 contained in 320x180: 240 px wide, blurred (green-ish) sides
    assert np.abs(frame[:, 60:260].astype(int) - frame[90, 160].astype(int)).max() < 40
    # the clip's tone is heard while it shows, and nothing before (no music here)
    assert video.rms(0.1, 0.6) < 1e-3
    assert video.rms(1.05, 1.5) > 0.1
    spectrum = np.abs(np.fft.rfft(video.audio[0, int(1.05 * 48000) : int(1.5 * 48000)]))
    peak = np.fft.rfftfreq(int(0.45 * 48000), 1 / 48000)[int(np.argmax(spectrum))]
    assert abs(peak - 440) < 5


def test_clip_sound_is_mixed_under_the_music(media, tmp_path) -> None:
    from nemowidgets.samples import make_music

    clip = sine_clip(tmp_path / "clip.mp4", tone=3000.0)
    song = make_music(tmp_path / "song.wav", 2.0)
    draft = {
        "t": [
            {
                "tt": 0,
                "sg": [
                    {"id": "c", "s": 0, "d": 1000, "src": "clip", "k": "video", "in": 0, "vol": 0.5}
                ],
            },
            {
                "tt": 1,
                "sg": [{"id": "m", "s": 0, "d": 1000, "src": "song", "k": "audio", "vol": 1.0}],
            },
        ],
        "d": 1000,
        "m": {"width": 320, "height": 180, "fps": 30},
    }
    render_draft(draft, {"clip": clip, "song": song}, tmp_path / "mix.mp4")
    audio = decode(tmp_path / "mix.mp4").audio[0, 4800:43200]
    spectrum = np.abs(np.fft.rfft(audio))
    freqs = np.fft.rfftfreq(audio.size, 1 / 48000)
    tone = spectrum[np.abs(freqs - 3000) < 20].max()
    notes = spectrum[np.abs(freqs - 261.63) < 20].max()
    assert tone > 0.1 * spectrum.max()
    assert notes > 0.1 * spectrum.max()
