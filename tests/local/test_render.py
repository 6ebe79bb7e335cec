"""The renderer's output, decoded with PyAV: format, timing, pictures, sound, progress, errors."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from nemowidgets.local.render import RenderCancelled, RenderFailure, RenderStats, render_draft
from nemowidgets.samples import make_music, make_photo, photo_color
from tests.local.render_support import decode, mean_rgb, music, nearest_photo, photos, slideshow


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("render_media")
    files = photos(folder, 4)
    files["music"] = music(folder, 3.0)
    files["short"] = make_music(folder / "short.m4a", 0.6)
    return files


@pytest.fixture(scope="module")
def seed(media, tmp_path_factory):
    """Three photos, 1 s each, 0.3 s crossfades, music fading out over 0.5 s."""
    draft = slideshow(["p0", "p1", "p2"], music="music")
    out = tmp_path_factory.mktemp("render_out") / "seed.mp4"
    seen: list[float] = []
    stats = render_draft(draft, media, out, progress=seen.append)
    return draft, out, stats, seen, decode(out)


def test_output_is_h264_yuv420p_aac_with_the_drafts_geometry(seed) -> None:
    _draft, _out, stats, _, video = seed
    assert video.video_codec == "h264"
    assert video.pix_fmt == "yuv420p"
    assert (video.width, video.height) == (320, 180)
    assert video.fps == 30
    assert video.audio_codec == "aac"
    assert video.sample_rate in (44100, 48000)
    assert video.channels == 2
    assert isinstance(stats, RenderStats)
    assert (stats.width, stats.height, stats.fps) == (320, 180, 30.0)
    assert stats.frames == len(video.frames)
    assert stats.wall_time > 0


def test_duration_is_the_drafts_within_one_frame(seed) -> None:
    draft, _, stats, _, video = seed
    expected = draft["d"] / 1000  # 3 * 1.0 - 2 * 0.3 = 2.4 s
    assert abs(video.duration - expected) <= 1 / 30
    assert abs(len(video.frames) / 30 - expected) <= 1 / 30
    assert abs(stats.duration - expected) <= 1 / 30
    assert video.audio is not None
    assert abs(video.audio.shape[1] / video.sample_rate - expected) <= 1 / 30


def test_faststart_puts_the_index_before_the_media(seed) -> None:
    data = seed[1].read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")


def test_a_frame_mid_segment_shows_its_photo(seed) -> None:
    draft, _, _, _, video = seed
    for index, seg in enumerate(draft["t"][0]["sg"]):
        # the middle of the part where the segment shows alone
        middle = (seg["s"] + seg["d"] / 2) / 1000
        frame = video.frames[round(middle * 30)]
        assert nearest_photo(mean_rgb(frame), 4) == index
        # and its colour is that photo's, not just the closest of three
        assert np.abs(mean_rgb(frame) - photo_color(index)).max() < 45


def test_frames_across_a_crossfade_blend_both_photos(seed) -> None:
    draft, _, _, _, video = seed
    first, second = draft["t"][0]["sg"][:2]
    a = mean_rgb(video.frames[round((first["s"] + 400) / 1000 * 30)])
    b = mean_rgb(video.frames[round((second["s"] + 650) / 1000 * 30)])
    mid = (second["s"] + first["tr"]["d"] / 2) / 1000  # the middle of the overlap
    blended = mean_rgb(video.frames[round(mid * 30)])
    # between the two on every channel, near the average, unlike either photo
    assert np.all(blended >= np.minimum(a, b) - 6)
    assert np.all(blended <= np.maximum(a, b) + 6)
    assert np.abs(blended - (a + b) / 2).max() < 25
    assert np.abs(blended - a).max() > 30
    assert np.abs(blended - b).max() > 30
    # and the blend moves steadily from one photo to the other
    start = round(second["s"] / 1000 * 30)
    track = [mean_rgb(f)[1] for f in video.frames[start : start + 9]]
    steps = np.diff(track) * np.sign(b[1] - a[1])
    assert np.all(steps > 0)


def test_the_music_fades_out_at_the_end(seed) -> None:
    video = seed[4]
    end = video.audio.shape[1] / video.sample_rate
    # 0.25 s windows: one whole note of the sample arpeggio each, so only the fade differs
    before, first_half, second_half = (
        video.rms(end - t, end - t + 0.25) for t in (0.75, 0.5, 0.25)
    )
    assert before > 0.05
    assert before > first_half > second_half
    assert first_half < before * 0.9
    assert second_half < before * 0.4


def test_progress_starts_at_0_is_monotonic_and_ends_at_100(seed) -> None:
    seen = seed[3]
    assert seen[0] == 0
    assert seen[-1] == 100
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen))
    assert len(seen) >= 20  # real progress, not just start and end


def test_music_loops_when_shorter_than_the_video(media, tmp_path) -> None:
    looped = decode_render(media, tmp_path / "loop.mp4", music="short", loop=True)
    once = decode_render(media, tmp_path / "once.mp4", music="short", loop=False)
    # 0.6 s of music: after it ends, only the looping render still has sound
    assert looped.rms(1.0, 1.8) > 0.05
    assert once.rms(0.1, 0.5) > 0.05
    assert once.rms(1.0, 1.8) < 0.001


def decode_render(media, out, **kwargs):
    render_draft(slideshow(["p0", "p1", "p2"], **kwargs), media, out)
    return decode(out)


def test_music_volume_scales_the_level(media, tmp_path) -> None:
    full = decode_render(media, tmp_path / "full.mp4", music="music", volume=1.0)
    half = decode_render(media, tmp_path / "half.mp4", music="music", volume=0.5)
    ratio = half.rms(0.2, 1.5) / full.rms(0.2, 1.5)
    assert 0.4 < ratio < 0.6


def test_a_draft_without_sound_still_has_a_silent_aac_track(media, tmp_path) -> None:
    video = decode_render(media, tmp_path / "silent.mp4")
    assert video.audio_codec == "aac"
    assert video.rms(0, 2.0) < 1e-4


def test_preview_is_small_and_quick(media, tmp_path) -> None:
    draft = slideshow(["p0", "p1", "p2"], music="music", size=(1920, 1080))
    stats = render_draft(draft, media, tmp_path / "preview.mp4", quality="preview")
    video = decode(tmp_path / "preview.mp4")
    assert (video.width, video.height) == (640, 360) == (stats.width, stats.height)
    assert video.fps == 15
    assert abs(video.duration - draft["d"] / 1000) <= 1 / 15


def test_cancel_raises_and_leaves_no_file(media, tmp_path) -> None:
    calls = []

    def should_cancel() -> bool:
        calls.append(1)
        return len(calls) > 10

    out = tmp_path / "cancelled.mp4"
    with pytest.raises(RenderCancelled):
        render_draft(
            slideshow(["p0", "p1", "p2"], music="music"), media, out, should_cancel=should_cancel
        )
    assert len(calls) == 11  # asked before every frame
    assert list(tmp_path.iterdir()) == []


def test_a_missing_media_id_names_the_segment_and_file(media, tmp_path) -> None:
    draft = slideshow(["p0", "p_gone", "p2"])
    with pytest.raises(RenderFailure) as info:
        render_draft(draft, media, tmp_path / "x.mp4")
    assert info.value.segment_id == "seg_2"
    assert info.value.filename == "p_gone.jpg"
    assert "seg_2" in str(info.value)
    assert "p_gone" in str(info.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("content", [b"", b"not a jpeg at all", "truncated"])
def test_a_corrupt_photo_names_the_segment_and_file(media, tmp_path, content) -> None:
    bad = tmp_path / "bad.jpg"
    if content == "truncated":
        make_photo(bad, 5, (400, 300))
        content = bad.read_bytes()[:600]
    bad.write_bytes(content)
    files = dict(media, bad=bad)
    draft = slideshow(["p0", "bad", "p2"])
    draft["t"][0]["sg"][1]["n"] = "holiday.jpg"
    with pytest.raises(RenderFailure) as info:
        render_draft(draft, files, tmp_path / "out" / "x.mp4")
    assert info.value.segment_id == "seg_2"
    assert info.value.filename == "holiday.jpg"
    assert "seg_2" in str(info.value)
    assert "holiday.jpg" in str(info.value)
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_an_unreadable_music_file_names_its_segment(media, tmp_path) -> None:
    bad = tmp_path / "song.mp3"
    bad.write_bytes(b"ID3" + b"\0" * 50)
    with pytest.raises(RenderFailure) as info:
        render_draft(slideshow(["p0"], music="song"), dict(media, song=bad), tmp_path / "x.mp4")
    assert info.value.segment_id == "seg_music"
    assert [p for p in tmp_path.iterdir() if p.suffix != ".mp3"] == []


def test_an_empty_draft_is_a_failure_not_a_crash(media, tmp_path) -> None:
    with pytest.raises(RenderFailure, match="no photos"):
        render_draft({"t": [], "d": 0, "m": {}}, media, tmp_path / "x.mp4")
    with pytest.raises(RenderFailure):
        render_draft({"t": "nope"}, media, tmp_path / "x.mp4")
    with pytest.raises(ValueError, match="quality"):
        render_draft(slideshow(["p0"]), media, tmp_path / "x.mp4", quality="ultra")


def test_photo_formats_and_exif_orientation(media, tmp_path) -> None:
    """PNG with alpha, palette GIF, greyscale JPEG, and a phone photo stored sideways."""
    base = Image.open(media["p0"]).convert("RGB")
    rgba = base.convert("RGBA")
    rgba.putalpha(200)
    rgba.save(tmp_path / "alpha.png")
    base.convert("P").save(tmp_path / "palette.gif")
    base.convert("L").save(tmp_path / "grey.jpg")
    sideways = base.resize((480, 270)).rotate(90, expand=True)  # stored portrait...
    exif = Image.Exif()
    exif[0x0112] = 8  # ...displayed landscape after rotating 90 degrees clockwise
    sideways.save(tmp_path / "phone.jpg", exif=exif)
    files = {
        name: tmp_path / name for name in ("alpha.png", "palette.gif", "grey.jpg", "phone.jpg")
    }
    draft = slideshow(list(files), transition=None, fit="black", seconds=0.4)
    out = tmp_path / "formats.mp4"
    render_draft(draft, files, out)
    frames = decode(out).frames
    phone = frames[round(3.5 * 0.4 * 30)]
    # upright: a 16:9 picture fills the 16:9 canvas, no black bars at the sides
    assert phone[:, :20].mean() > 40
    assert phone[:, -20:].mean() > 40
    grey = mean_rgb(frames[round(2.5 * 0.4 * 30)])
    assert np.ptp(grey) < 12  # no colour


def test_jpegs_decode_like_pillow_in_every_exif_orientation(media, tmp_path) -> None:
    """JPEGs take the libavcodec path (YUV, lowres, plane rotation); PNGs Pillow's.
    Each orientation must show the same upright picture, colours and levels alike."""
    from PIL import ImageOps

    base = Image.open(media["p0"]).convert("RGB").resize((480, 300))
    files, ids = {}, []
    for orientation in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = orientation
        stored = tmp_path / f"o{orientation}.jpg"
        base.save(stored, quality=95, exif=exif)
        upright = tmp_path / f"o{orientation}.png"
        ImageOps.exif_transpose(Image.open(stored)).save(upright)
        files[f"j{orientation}"], files[f"r{orientation}"] = stored, upright
        ids += [f"j{orientation}", f"r{orientation}"]
    draft = slideshow(ids, transition=None, seconds=0.1, fit="black")
    render_draft(draft, files, tmp_path / "orient.mp4")
    frames = decode(tmp_path / "orient.mp4").frames
    for pair in range(8):
        ours, reference = (frames[(2 * pair + k) * 3 + 1].astype(int) for k in (0, 1))
        assert np.abs(ours - reference).mean() < 4, pair + 1
