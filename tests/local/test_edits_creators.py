"""The creators' edits: looks, trims, muting, file-name captions, text style and the logo.

Pure functions of the draft (the input is never changed), each with its helpful
error, and each key they write is one the renderer reads (the render tests in
``test_render_creators.py`` decode what these keys do).
"""

from __future__ import annotations

import copy

import pytest

from nemowidgets.draft import STYLE_COLUMNS, Draft
from nemowidgets.local.agent import edits
from nemowidgets.local.agent.timing import EditError
from tests.local.test_edits import SONG, clip, photos
from tests.support.draft_invariants import assert_draft_invariants


def show(n: int = 3, clips: int = 1) -> dict:
    media = photos(n) + [clip(8.0, i + 1) for i in range(clips)]
    return edits.make_slideshow(media, transition="crossfade", music=SONG)


def video(draft: dict) -> list[dict]:
    return draft["t"][0]["sg"]


def unchanged(fn, draft: dict, *args, **kwargs) -> dict:
    before = copy.deepcopy(draft)
    out = fn(draft, *args, **kwargs)
    assert draft == before, "an edit must not mutate its input"
    assert_draft_invariants(out)
    return out


# -- looks -------------------------------------------------------------------------------
def test_set_look_for_all_or_some_and_remove() -> None:
    d = show()
    bw = unchanged(edits.set_look, d, "black and white")
    assert [sg.get("fx") for sg in video(bw)] == ["bw"] * 4
    some = unchanged(edits.set_look, d, "sepia", [0, 2])
    assert [sg.get("fx") for sg in video(some)] == ["sepia", None, "sepia", None]
    bright = unchanged(edits.set_look, some, segments=[1], brightness=0.25, contrast=1.3)
    assert video(bright)[1]["br"] == 0.25
    assert video(bright)[1]["ct"] == 1.3
    assert video(bright)[0]["fx"] == "sepia"
    assert "br" not in video(bright)[0]
    plain = unchanged(edits.set_look, bright, "none", brightness=0, contrast=1)
    assert not any(k in sg for sg in video(plain) for k in ("fx", "br", "ct"))


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("lomo",), {}, "Unknown look 'lomo'; choose one of none, bw, sepia"),
        ((), {"brightness": 2.0}, "brightness can be -1 to 1"),
        ((), {"contrast": -1.0}, "contrast can be 0 to 3"),
        ((), {}, "Say which look"),
        (("bw", [7]), {}, "There is no photo 8"),
    ],
)
def test_set_look_errors(args, kwargs, message) -> None:
    with pytest.raises(EditError, match=message):
        edits.set_look(show(), *args, **kwargs)


def test_appended_photos_take_the_slideshows_look() -> None:
    d = edits.set_look(show(2, 0), "warm", brightness=0.1)
    more = edits.append_media(d, photos(4)[2:])
    assert [sg.get("fx") for sg in video(more)] == ["warm"] * 4
    assert [sg.get("br") for sg in video(more)] == [0.1] * 4
    mixed = edits.append_media(edits.set_look(show(2, 0), "warm", [0]), photos(3)[2:])
    assert "fx" not in video(mixed)[-1]  # no single look: nothing is assumed


# -- clips -------------------------------------------------------------------------------
def test_trim_clip_sets_in_and_duration() -> None:
    d = show(2, 1)  # the clip is segment 2 (0-based), 8 s
    first4 = unchanged(edits.trim_clip, d, 2, 0, 4000)
    assert (video(first4)[2]["in"], video(first4)[2]["d"]) == (0, 4000)
    late = unchanged(edits.trim_clip, d, 2, start_ms=5000, source_ms=8000)
    assert (video(late)[2]["in"], video(late)[2]["d"]) == (5000, 3000)
    end_only = unchanged(edits.trim_clip, late, 2, end_ms=7000)
    assert (video(end_only)[2]["in"], video(end_only)[2]["d"]) == (5000, 2000)
    assert end_only["d"] < d["d"]  # the video got shorter: retimed


@pytest.mark.parametrize(
    ("index", "args", "kwargs", "message"),
    [
        (0, (0, 1000), {}, "is a photo, not a video clip"),
        (2, (9000,), {"source_ms": 8000}, "lasts only 8 s; start it earlier"),
        (2, (0, 9000), {"source_ms": 8000}, "cannot end at 9 s"),
        (2, (3000, 3100), {}, r"at least 0\.2 s"),
    ],
)
def test_trim_clip_errors(index, args, kwargs, message) -> None:
    with pytest.raises(EditError, match=message):
        edits.trim_clip(show(2, 1), index, *args, **kwargs)


def test_mute_and_unmute_clips_keep_the_volume_and_the_music() -> None:
    d = show(1, 2)
    muted = unchanged(edits.mute_clip, d)
    assert [sg.get("mu") for sg in video(muted)] == [None, True, True]
    assert [sg.get("vol") for sg in video(muted)] == [sg.get("vol") for sg in video(d)]
    assert muted["t"][1] == d["t"][1]  # the music is untouched
    one = unchanged(edits.mute_clip, muted, 1, muted=False)
    assert [sg.get("mu") for sg in video(one)] == [None, None, True]
    with pytest.raises(EditError, match="no video clips to mute"):
        edits.mute_clip(show(2, 0))
    with pytest.raises(EditError, match="is a photo"):
        edits.mute_clip(d, 0)


# -- text --------------------------------------------------------------------------------
def test_captions_from_file_names() -> None:
    d = edits.add_caption(show(2, 1), 0, "old")
    out = unchanged(edits.add_file_name_captions, d)
    captions = [sg for sg in out["t"][2]["sg"] if "ref" in sg]
    assert [c["txt"] for c in captions] == ["p1", "p2", "clip1"]
    assert [c["ref"] for c in captions] == [sg["id"] for sg in video(out)]
    kept = edits.add_file_name_captions(d, "top", keep_extension=True)
    assert [c["txt"] for c in kept["t"][2]["sg"]] == ["p1.jpg", "p2.jpg", "clip1.mp4"]
    assert {c["pos"] for c in kept["t"][2]["sg"]} == {"top"}
    with pytest.raises(EditError, match="can be at the top, center, bottom"):
        edits.add_file_name_captions(d, "left")


def test_set_text_style_for_title_captions_or_all() -> None:
    d = edits.add_file_name_captions(edits.set_title(show(2, 0), "夏天的回忆"))
    titled = unchanged(edits.set_text_style, d, "title", size=0.12, color="yellow", box=True)
    title = next(sg for sg in titled["t"][2]["sg"] if "ref" not in sg)
    assert (title["sz"], title["col"], title["bg"]) == (0.12, "#ffff00", True)
    assert all("col" not in sg for sg in titled["t"][2]["sg"] if "ref" in sg)
    caps = unchanged(edits.set_text_style, titled, "captions", box="#00000080")
    assert {sg.get("bg") for sg in caps["t"][2]["sg"] if "ref" in sg} == {"#00000080"}
    none = unchanged(edits.set_text_style, caps, box=False)
    assert all("bg" not in sg for sg in none["t"][2]["sg"])
    with pytest.raises(EditError, match="not a colour for the text"):
        edits.set_text_style(d, color="blurple")
    with pytest.raises(EditError, match=r"Text size can be 0\.02 to 0\.3"):
        edits.set_text_style(d, size=0.9)
    with pytest.raises(EditError, match="no captions to style"):
        edits.set_text_style(show(2, 0), "captions", size=0.1)


# -- logo --------------------------------------------------------------------------------
LOGO = {"id": "m_logo", "filename": "logo.png", "file_type": "image"}


@pytest.mark.parametrize(
    ("corner", "code"),
    [("bottom right", "br"), ("top-left", "tl"), ("right top", "tr"), ("bl", "bl")],
)
def test_set_logo_in_a_corner(corner, code) -> None:
    d = unchanged(edits.set_logo, show(), LOGO, corner, 0.2, 0.5)
    assert d["m"]["logo"] == {"src": "m_logo", "n": "logo.png", "pos": code, "sz": 0.2, "op": 0.5}
    assert "logo" not in edits.remove_logo(d)["m"]


def test_set_logo_errors() -> None:
    with pytest.raises(EditError, match="in a corner"):
        edits.set_logo(show(), LOGO, "middle")
    with pytest.raises(EditError, match="2% to 50%"):
        edits.set_logo(show(), LOGO, size=0.9)
    with pytest.raises(EditError, match="opacity"):
        edits.set_logo(show(), LOGO, opacity=1.5)
    with pytest.raises(EditError, match="not a picture"):
        edits.set_logo(show(), {"id": "v", "filename": "a.mp4", "file_type": "video"})
    with pytest.raises(EditError, match="no logo to remove"):
        edits.remove_logo(show())


# -- the table -------------------------------------------------------------------------
def test_the_dataframe_names_the_new_keys() -> None:
    d = edits.set_look(show(2, 1), "sepia", [0], brightness=0.2, contrast=1.2)
    d = edits.mute_clip(d)
    d = edits.set_text_style(edits.add_file_name_captions(d), color="#ff0000", box=True)
    frame = Draft(d).to_dataframe()
    for column in STYLE_COLUMNS.values():
        assert column in frame.columns, column
    assert not {"fx", "br", "mu", "col", "bg"} & set(frame.columns)
    rows = frame.set_index(["track", "segment"])
    assert rows.loc[(1, 1), "look"] == "sepia"
    assert rows.loc[(1, 1), "brightness"] == 0.2
    assert rows.loc[(1, 3), "muted"] is True
    assert rows.loc[(3, 1), "color"] == "#ff0000"
    assert rows.loc[(3, 1), "box"] is True
    plain = Draft(show(2, 0)).to_dataframe()
    assert not set(STYLE_COLUMNS.values()) & set(plain.columns)  # only when used
