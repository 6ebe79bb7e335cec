"""Font choice per character: fontconfig's fallback list, and the probe without fontconfig."""

from __future__ import annotations

import pytest

from nemowidgets.local.render import fontset


def test_charset_parsing_and_coverage() -> None:
    ranges = fontset.parse_charset("20-7e a0 4e00-9fff bogus")
    assert ranges == ((0x20, 0x7E), (0xA0, 0xA0), (0x4E00, 0x9FFF))
    face = fontset.Face("x.ttf", 0, ranges)
    assert face.covers("A")
    assert face.covers("\u00a0")
    assert face.covers("夏")
    assert not face.covers("\u00a1")
    assert not face.covers("🎉")


def test_fontconfig_picks_a_font_per_script() -> None:
    faces = fontset.chain("夏天 🎉 abc")
    assert faces[0] == fontset.shipped_face()
    picks = {ch: fontset.face_for(ch, faces) for ch in "a夏🎉"}
    assert picks["a"] == fontset.shipped_face()
    assert "CJK" in picks["夏"].path
    assert "Emoji" in picks["🎉"].path
    assert fontset.missing("a夏🎉 \u200d") == []
    assert fontset.missing("a\u0378") == ["\u0378"]
    assert fontset.language("夏天") == "zh-cn"
    assert fontset.language("ひらがな") == "ja"
    assert fontset.language("한국어") == "ko"


def test_without_fontconfig_only_the_shipped_font_is_used(monkeypatch) -> None:
    monkeypatch.setattr(fontset.shutil, "which", lambda name: None)
    for cached in (fontset.shipped_face, fontset.system_faces, fontset._probe):
        cached.cache_clear()
    try:
        faces = fontset.chain("夏 a")
        assert faces == (fontset.shipped_face(),)
        assert faces[0].ranges is None  # no charset: coverage is probed by drawing
        assert fontset.missing("Ωש a") == []  # Greek, Hebrew: DejaVu has them
        assert fontset.missing("夏a🎉") == ["夏", "🎉"]
    finally:
        for cached in (fontset.shipped_face, fontset.system_faces, fontset._probe):
            cached.cache_clear()


@pytest.mark.parametrize("text", ["夏天的回忆", "🎉", "مرحبا", "A\u0378"])
def test_text_overlay_draws_any_text_without_failing(text) -> None:
    from fractions import Fraction

    import numpy as np

    from nemowidgets.local.render.frames import Canvas, black
    from nemowidgets.local.render.text import TextOverlay, TextStyle

    canvas = Canvas(320, 180, Fraction(30))
    buf = black(canvas)
    TextOverlay(text, canvas, style=TextStyle("bottom", 0.1, (255, 0, 0), (0, 0, 255, 128))).apply(
        buf
    )
    assert (buf != black(canvas)).any()
    assert np.array_equal(buf[: 320 * 60], black(canvas)[: 320 * 60])  # the top third untouched
