"""What creators ask for, checked on decoded MP4s: text in every script, text style,
looks, a logo, and video clips (trim, mute, rotation).

Text is compared with the font's own raster: the same string drawn by Pillow with the
font fontconfig names for it, thresholded and aligned on its bounding box, against the
bright pixels of the decoded frame (intersection over union).  A control drawn with a
font that lacks the glyphs (or without shaping) must match clearly worse, so the
check can fail.
"""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from nemowidgets.local.render import render_draft
from nemowidgets.local.render.fontset import SHIPPED
from tests.local.render_support import decode, sine_clip

W, H = 320, 180


# -- helpers ---------------------------------------------------------------------------
def solid(path: Path, rgb: tuple[int, int, int], size: tuple[int, int] = (W, H)) -> Path:
    Image.new("RGB", size, rgb).save(path)
    return path


def stripes(path: Path) -> Path:
    """A colourful photo: red, green, blue and yellow stripes."""
    image = Image.new("RGB", (W, H))
    draw = ImageDraw.Draw(image)
    for i, rgb in enumerate([(220, 40, 40), (40, 200, 60), (40, 60, 220), (230, 210, 40)]):
        draw.rectangle((i * W // 4, 0, (i + 1) * W // 4, H), fill=rgb)
    image.save(path)
    return path


def draft(
    visuals: list[dict],
    *,
    texts: list[dict] | None = None,
    size: tuple[int, int] = (W, H),
    fit: str = "cover",
    meta: dict | None = None,
    extra: list[dict] | None = None,
) -> dict:
    start, segs = 0, []
    for i, v in enumerate(visuals):
        seg = {"id": f"seg_{i + 1}", "s": start, "d": 500, "k": "image", "n": v["src"], **v}
        segs.append(seg)
        start = seg["s"] + seg["d"]
    tracks = [{"tt": 0, "sg": segs}]
    if texts:
        tracks.append({"tt": 7, "sg": texts})
    tracks.extend(extra or [])
    m = {"width": size[0], "height": size[1], "fps": 30, "fit": fit, **(meta or {})}
    return {"t": tracks, "d": start, "m": m}


def yuv_frames(path: Path) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The decoded frames as (Y, U, V) planes, as the encoder stored them."""
    out = []
    with av.open(str(path)) as container:
        for frame in container.decode(container.streams.video[0]):
            planes = frame.to_ndarray(format="yuv420p")
            h, w = frame.height, frame.width
            u = planes[h : h + h // 4].reshape(h // 2, w // 2)
            v = planes[h + h // 4 :].reshape(h // 2, w // 2)
            out.append((planes[:h].astype(int), u.astype(int), v.astype(int)))
    return out


def title(text: str, **keys) -> dict:
    return {"id": "t1", "s": 0, "d": 500, "k": "text", "txt": text, "pos": "center", **keys}


def crop_mask(mask: np.ndarray) -> np.ndarray:
    rows, cols = np.nonzero(mask)
    assert rows.size, "nothing drawn"
    return mask[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Overlap of two masks aligned on their bounding boxes' top-left corners."""
    a, b = crop_mask(a), crop_mask(b)
    h, w = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
    pa, pb = np.zeros((h, w), bool), np.zeros((h, w), bool)
    pa[: a.shape[0], : a.shape[1]] = a
    pb[: b.shape[0], : b.shape[1]] = b
    return float((pa & pb).sum() / (pa | pb).sum())


def reference(text: str, font_path: str, px: int, index: int = 0, **kw) -> np.ndarray:
    font = ImageFont.truetype(font_path, px, index=index, **kw.pop("font_kw", {}))
    image = Image.new("L", (W * 3, H))
    ImageDraw.Draw(image).text((10, 20), text, font=font, fill=255, **kw)
    return np.asarray(image) > 128


def fc_font_for(ch: str, lang: str = "") -> tuple[str, int]:
    pattern = f"sans-serif:charset={ord(ch):x}" + (f":lang={lang}" if lang else "")
    out = subprocess.run(
        ["fc-match", "-f", "%{file}|%{index}", pattern], capture_output=True, text=True, check=True
    ).stdout
    path, index = out.split("|")
    return path, int(index)


def rendered_text(tmp_path: Path, text: str, **keys) -> tuple[np.ndarray, object]:
    media = {"black": solid(tmp_path / "black.png", (0, 0, 0))}
    d = draft([{"src": "black"}], texts=[title(text, sz=0.2, **keys)])
    stats = render_draft(d, media, tmp_path / "text.mp4")
    return yuv_frames(tmp_path / "text.mp4")[5][0], stats


# -- 1. text in every script -----------------------------------------------------------
def test_a_chinese_title_is_drawn_with_the_cjk_fonts_own_glyphs(tmp_path) -> None:
    text = "夏天的回忆"
    y, stats = rendered_text(tmp_path, text)
    drawn = y > 128
    path, index = fc_font_for("夏", "zh-cn")
    assert "DejaVu" not in path, f"fontconfig has no CJK font ({path}): install fonts-noto-cjk"
    px = int(0.2 * H)
    own = iou(drawn, reference(text, path, px, index))
    boxes = iou(drawn, reference(text, str(SHIPPED), px))  # what the shipped font draws
    assert own > 0.75, own
    assert boxes < own - 0.25, (own, boxes)
    assert stats.warnings == []


def test_right_to_left_text_is_shaped_and_ordered(tmp_path) -> None:
    text = "مرحبا بالعالم"
    y, stats = rendered_text(tmp_path, text)
    drawn = y > 128
    px = int(0.2 * H)
    shaped = iou(drawn, reference(text, str(SHIPPED), px, direction="rtl"))
    unshaped = iou(
        drawn,
        reference(text, str(SHIPPED), px, font_kw={"layout_engine": ImageFont.Layout.BASIC}),
    )
    assert shaped > 0.75, shaped
    assert unshaped < shaped - 0.2, (shaped, unshaped)
    assert stats.warnings == []


def test_hebrew_next_to_latin_keeps_reading_order(tmp_path) -> None:
    text = "שלום abc"  # an RTL paragraph: the Latin word ends up on the left
    y, _ = rendered_text(tmp_path, text)
    drawn = y > 128
    px = int(0.2 * H)
    ordered = iou(drawn, reference(text, str(SHIPPED), px))  # raqm's full bidi
    assert ordered > 0.75, ordered


def test_emoji_are_drawn_in_colour_from_the_emoji_font(tmp_path) -> None:
    y, stats = rendered_text(tmp_path, "🌴")
    frames = yuv_frames(tmp_path / "text.mp4")
    _, u, v = frames[5]
    chroma = np.abs(u - 128) + np.abs(v - 128)
    assert (chroma > 20).sum() > 80  # green leaves and a brown trunk, not a grey box
    path, index = fc_font_for("🌴")
    assert "Emoji" in path, path
    font = ImageFont.truetype(path, 109, index=index)
    native = Image.new("RGBA", (160, 160))
    ImageDraw.Draw(native).text((0, 0), "🌴", font=font, embedded_color=True)
    alpha = crop_mask(np.asarray(native)[..., 3] > 128)
    px = int(0.2 * H)
    glyph = np.asarray(
        Image.fromarray(alpha.astype(np.uint8) * 255).resize(
            (round(alpha.shape[1] * px / 109), round(alpha.shape[0] * px / 109))
        )
    )
    ink = (y > 40) | (np.kron(chroma, np.ones((2, 2))) > 20)
    assert iou(ink, glyph > 128) > 0.6
    assert stats.warnings == []


def test_a_character_no_font_has_is_reported(tmp_path) -> None:
    _, stats = rendered_text(tmp_path, "Hi \u0378")
    assert len(stats.warnings) == 1
    assert "U+0378" in stats.warnings[0]
    assert "t1" in stats.warnings[0]


# -- 2. text style ---------------------------------------------------------------------
def test_text_colour_and_background_box(tmp_path) -> None:
    media = {"grey": solid(tmp_path / "grey.png", (128, 128, 128))}
    styled = title("HELLO", sz=0.2, col="#ffdd00", bg="#1030c0")
    render_draft(draft([{"src": "grey"}], texts=[styled]), media, tmp_path / "s.mp4")
    rgb = decode(tmp_path / "s.mp4").frames[5].astype(int)
    yellow = (rgb[..., 0] > 200) & (rgb[..., 1] > 180) & (rgb[..., 2] < 90)
    blue = (rgb[..., 2] > 140) & (rgb[..., 0] < 80)
    assert yellow.sum() > 200
    assert blue.sum() > 2000
    rows, cols = np.nonzero(blue)
    assert 40 < cols.mean() < 280
    assert 50 < rows.mean() < 130
    assert not blue[:30].any()
    assert not yellow[:30].any()


# -- 3. looks --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def colourful(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("looks")
    return {"photo": stripes(folder / "stripes.png"), "dark": solid(folder / "d.png", (90,) * 3)}


def test_black_and_white_makes_neutral_chroma(colourful, tmp_path) -> None:
    render_draft(draft([{"src": "photo", "fx": "bw"}]), colourful, tmp_path / "bw.mp4")
    _, u, v = yuv_frames(tmp_path / "bw.mp4")[5]
    assert np.abs(u - 128).max() <= 3
    assert np.abs(v - 128).max() <= 3
    render_draft(draft([{"src": "photo"}]), colourful, tmp_path / "plain.mp4")
    _, u, v = yuv_frames(tmp_path / "plain.mp4")[5]
    assert np.abs(u - 128).max() > 40  # the control: the photo itself is colourful


def test_sepia_tints_and_warm_cool_shift(colourful, tmp_path) -> None:
    means = {}
    for fx in ("sepia", "warm", "cool", "none"):
        out = tmp_path / f"{fx}.mp4"
        render_draft(draft([{"src": "photo", "fx": fx}]), colourful, out)
        _, u, v = yuv_frames(out)[5]
        means[fx] = (u.mean(), v.mean(), u.std())
    su, sv, sstd = means["sepia"]
    assert su < 118
    assert sv > 136
    assert sstd < 3
    assert means["warm"][1] > means["none"][1] + 5
    assert means["warm"][0] < means["none"][0] - 5
    assert means["cool"][0] > means["none"][0] + 5
    assert means["cool"][1] < means["none"][1] - 4


def test_brightness_contrast_vivid_faded_per_photo(colourful, tmp_path) -> None:
    visuals = [
        {"src": "dark"},
        {"src": "dark", "br": 0.3},
        {"src": "dark", "br": -0.2},
        {"src": "photo", "fx": "vivid"},
        {"src": "photo", "fx": "faded"},
        {"src": "photo", "ct": 1.5},
        {"src": "photo"},
    ]
    render_draft(draft(visuals), colourful, tmp_path / "bc.mp4")
    frames = yuv_frames(tmp_path / "bc.mp4")
    y = [frames[15 * i + 7][0] for i in range(7)]
    c = [np.abs(frames[15 * i + 7][1] - 128).mean() for i in range(7)]
    assert y[1].mean() > y[0].mean() + 25  # brighter
    assert y[2].mean() < y[0].mean() - 15  # darker
    assert c[3] > c[6] * 1.2  # vivid: more saturated
    assert c[4] < c[6] * 0.8
    assert y[4].std() < y[6].std()
    assert y[5].std() > y[6].std() * 1.2  # more contrast


def test_a_bad_look_names_the_segment_and_field(colourful, tmp_path) -> None:
    from nemowidgets.local.render import RenderFailure

    with pytest.raises(RenderFailure, match=r"seg_1.*'fx'.*sepia"):
        render_draft(draft([{"src": "photo", "fx": "lomo"}]), colourful, tmp_path / "x.mp4")
    with pytest.raises(RenderFailure, match=r"seg_1.*'br'"):
        render_draft(draft([{"src": "photo", "br": 7}]), colourful, tmp_path / "x.mp4")


# -- 4. logo ---------------------------------------------------------------------------
def logo_png(path: Path) -> Path:
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((0, 0, 199, 99), fill=(230, 20, 20, 255))
    image.save(path)
    return path


@pytest.mark.parametrize(("corner", "opacity"), [("br", 1.0), ("tl", 0.5)])
def test_the_logo_sits_in_its_corner_only(colourful, tmp_path, corner, opacity) -> None:
    media = {**colourful, "logo": logo_png(tmp_path / "logo.png")}
    grey = {"src": "dark"}
    logo = {"src": "logo", "pos": corner, "sz": 0.3, "op": opacity}
    render_draft(draft([grey], meta={"logo": logo}), media, tmp_path / "logo.mp4")
    render_draft(draft([grey]), media, tmp_path / "plain.mp4")
    a = decode(tmp_path / "plain.mp4").frames[5].astype(int)
    b = decode(tmp_path / "logo.mp4").frames[5].astype(int)
    changed = np.abs(a - b).max(axis=2) > 30
    rows, cols = np.nonzero(changed)
    # 0.3 of the short side (180) = 54 px wide, 27 high, 5 px (3 %) from the edges
    assert 40 < cols.max() - cols.min() < 60
    assert 18 < rows.max() - rows.min() < 32
    if corner == "br":
        assert cols.min() > W - 70
        assert rows.min() > H - 45
        assert cols.max() < W - 2
    else:
        assert cols.max() < 70
        assert rows.max() < 45
        assert cols.min() > 1
    red = b[rows.min() + 4 : rows.max() - 4, cols.min() + 4 : cols.max() - 4].reshape(-1, 3)
    expected = np.array([230, 20, 20]) * opacity + 90 * (1 - opacity)
    assert np.abs(red.mean(axis=0) - expected).max() < 25


def test_a_logo_that_is_not_uploaded_fails_clearly(colourful, tmp_path) -> None:
    from nemowidgets.local.render import RenderFailure

    with pytest.raises(RenderFailure, match=r"m\.logo.*'nope'"):
        render_draft(
            draft([{"src": "dark"}], meta={"logo": {"src": "nope"}}), colourful, tmp_path / "x.mp4"
        )


# -- 5. video clips --------------------------------------------------------------------
def rotated_clip(path: Path, degrees: int) -> Path:
    """A 160x90 clip stored landscape, top half red and bottom half blue, whose display
    matrix says: turn ``degrees`` counter-clockwise to show it (as phones write)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 160, 90, "yuv420p"
        stream.set_display_rotation(degrees)
        pixels = np.zeros((90, 160, 3), np.uint8)
        pixels[:45] = (220, 30, 30)
        pixels[45:] = (30, 30, 220)
        for i in range(25):
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, 25)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


@pytest.mark.parametrize(("degrees", "red_side"), [(90, "left"), (-90, "right"), (0, "top")])
def test_a_phone_clip_is_shown_upright(tmp_path, degrees, red_side) -> None:
    clip = rotated_clip(tmp_path / "phone.mp4", degrees)
    d = draft([{"src": "clip", "k": "video", "in": 0}], size=(180, 320), fit="black")
    render_draft(d, {"clip": clip}, tmp_path / "upright.mp4")
    rgb = decode(tmp_path / "upright.mp4").frames[5].astype(int)
    red = (rgb[..., 0] > 150) & (rgb[..., 2] < 100)
    blue = (rgb[..., 2] > 150) & (rgb[..., 0] < 100)
    rows, cols = np.nonzero(red)
    brows, bcols = np.nonzero(blue)
    if red_side == "top":  # an unrotated landscape clip: letterboxed, red above blue
        assert rows.mean() < brows.mean() - 20
        assert red[:100].sum() == 0
    else:  # upright: fills the portrait canvas, red and blue side by side
        assert red.sum() > 0.4 * 180 * 320
        assert blue.sum() > 0.4 * 180 * 320
        left = cols.mean() < bcols.mean()
        assert left == (red_side == "left"), (cols.mean(), bcols.mean())


def test_a_trimmed_clip_starts_at_its_in_point(tmp_path) -> None:
    from nemowidgets.local.agent.edits import trim_clip

    clip = sine_clip(tmp_path / "clip.mp4")  # blue for 1 s, then green
    d = draft([{"src": "clip", "k": "video", "in": 0, "d": 2000, "vol": 1.0}])
    d = trim_clip(d, 0, start_ms=1200, end_ms=1800)
    assert d["t"][0]["sg"][0]["in"] == 1200
    assert d["t"][0]["sg"][0]["d"] == 600
    render_draft(d, {"clip": clip}, tmp_path / "trim.mp4")
    video = decode(tmp_path / "trim.mp4")
    assert abs(video.duration - 0.6) <= 1 / 30
    _r, g, b = video.frames[0].reshape(-1, 3).mean(axis=0)
    assert g > 150
    assert b < 110


def test_a_muted_clip_keeps_the_music(tmp_path) -> None:
    from nemowidgets.samples import make_music

    clip = sine_clip(tmp_path / "clip.mp4", tone=3000.0)
    song = make_music(tmp_path / "song.wav", 2.0)
    music = {
        "tt": 1,
        "sg": [{"id": "m", "s": 0, "d": 1000, "src": "song", "k": "audio", "vol": 1.0}],
    }
    peaks = {}
    for muted in (False, True):
        visual = {"src": "clip", "k": "video", "in": 0, "d": 1000, "vol": 0.5, "mu": muted}
        out = tmp_path / f"mute{muted}.mp4"
        render_draft(draft([visual], extra=[music]), {"clip": clip, "song": song}, out)
        audio = decode(out).audio[0, 4800:43200]
        spectrum = np.abs(np.fft.rfft(audio))
        freqs = np.fft.rfftfreq(audio.size, 1 / 48000)
        peaks[muted] = (
            spectrum[np.abs(freqs - 3000) < 20].max() / spectrum.max(),
            spectrum[np.abs(freqs - 261.63) < 20].max() / spectrum.max(),
        )
    assert peaks[False][0] > 0.1
    assert peaks[False][1] > 0.1
    assert peaks[True][0] < 0.01  # muted: the clip's tone is gone
    assert peaks[True][1] > 0.5  # the music plays on
