"""The pure draft edits: timing invariants, purity, determinism and the helpful errors.

The property-style tests run many seeded random configurations and random edit
sequences; after every edit the protocol's timing rule must hold
(``s_{i+1} = s_i + d_i - tr_i``, ``d`` = end of the last segment, music covers the
video) and the input draft must be untouched.
"""

from __future__ import annotations

import copy
import random

import pytest

from nemowidgets.local.agent import edits
from nemowidgets.local.agent.timing import EditError, canvas_size, layout, retime
from tests.support.draft_invariants import assert_draft_invariants


def photos(n: int) -> list[dict]:
    return [
        {
            "id": f"m_p{i}",
            "filename": f"p{i}.jpg",
            "file_type": "image",
            "duration": None,
            "width": 640,
            "height": 480,
            "fps": None,
        }
        for i in range(1, n + 1)
    ]


def clip(seconds: float, i: int = 1) -> dict:
    return {
        "id": f"m_v{i}",
        "filename": f"clip{i}.mp4",
        "file_type": "video",
        "duration": seconds,
        "width": 320,
        "height": 180,
        "fps": 30.0,
    }


SONG = {
    "id": "m_song",
    "filename": "music.mp3",
    "file_type": "audio",
    "duration": 20.0,
    "width": None,
    "height": None,
    "fps": None,
}


def video(draft: dict) -> list[dict]:
    return next(t["sg"] for t in draft["t"] if t["tt"] == 0)


def audio(draft: dict) -> list[dict]:
    return next((t["sg"] for t in draft["t"] if t["tt"] == 1), [])


def texts(draft: dict) -> list[dict]:
    return next((t["sg"] for t in draft["t"] if t["tt"] == 7), [])


def slideshow(n: int = 5, **kw) -> dict:
    kw.setdefault("transition", "crossfade")
    return edits.make_slideshow(photos(n), music=kw.pop("music", SONG), **kw)


# -- building --------------------------------------------------------------------------------


def test_slideshow_timing_matches_the_protocol_example() -> None:
    d = slideshow(5)
    assert [sg["s"] for sg in video(d)] == [0, 2500, 5000, 7500, 10000]
    assert d["d"] == 13000
    assert audio(d)[0]["d"] == 13000
    assert [sg.get("tr") for sg in video(d)][-2:] == [{"type": "crossfade", "d": 500}, None]
    assert audio(d)[0] | {} == {
        "id": "seg_6",
        "s": 0,
        "d": 13000,
        "src": "m_song",
        "n": "music.mp3",
        "k": "audio",
        "in": 0,
        "vol": 0.8,
        "fi": 0,
        "fo": 1000,
        "loop": True,
    }
    assert d["m"] == {
        "width": 1920,
        "height": 1080,
        "fps": 30,
        "aspect": "16:9",
        "fit": "blur",
        "title": None,
    }
    assert_draft_invariants(d)


def test_hard_cuts_have_no_transition_key() -> None:
    d = edits.make_slideshow(photos(3))
    assert all("tr" not in sg for sg in video(d))
    assert d["d"] == 9000
    assert not audio(d)


def test_video_clips_keep_their_length_capped_at_10s() -> None:
    d = edits.make_slideshow([*photos(1), clip(4.2, 1), clip(42.0, 2)])
    assert [(sg["k"], sg["d"]) for sg in video(d)] == [
        ("image", 3000),
        ("video", 4200),
        ("video", 10000),
    ]
    assert video(d)[1]["in"] == 0
    assert video(d)[1]["vol"] == 1.0
    assert "kb" not in video(d)[1]
    d2 = edits.set_photo_duration(d, 5000)
    assert [sg["d"] for sg in video(d2)] == [5000, 4200, 10000]


def test_no_photos_is_a_helpful_error() -> None:
    with pytest.raises(EditError, match="Upload some photos"):
        edits.make_slideshow([SONG])


@pytest.mark.parametrize(
    ("aspect", "side", "size"),
    [
        ("16:9", 1080, (1920, 1080)),
        ("9:16", 1080, (1080, 1920)),
        ("1:1", 1080, (1080, 1080)),
        ("4:5", 1080, (1080, 1350)),
        ("16:9", 720, (1280, 720)),
        ("9:16", 720, (720, 1280)),
        ("1:1", 720, (720, 720)),
        ("4:5", 720, (720, 900)),
    ],
)
def test_canvas_presets(aspect: str, side: int, size: tuple[int, int]) -> None:
    assert canvas_size(aspect, side) == size
    d = edits.set_canvas(slideshow(2), aspect, side)
    assert (d["m"]["width"], d["m"]["height"], d["m"]["aspect"]) == (*size, aspect)


def test_aspect_change_keeps_the_resolution_class() -> None:
    d = edits.set_canvas(slideshow(2), "1:1", 720)
    d = edits.set_canvas(d, "9:16")
    assert (d["m"]["width"], d["m"]["height"]) == (720, 1280)
    with pytest.raises(EditError, match="fps"):
        edits.set_canvas(d, fps=17)


# -- timing ----------------------------------------------------------------------------------


def test_transitions_are_clamped_to_half_of_short_neighbours() -> None:
    d = edits.set_photo_duration(slideshow(3), 400)
    assert [sg.get("tr", {}).get("d") for sg in video(d)] == [200, 200, None]
    assert d["d"] == 3 * 400 - 2 * 200
    assert_draft_invariants(d)


@pytest.mark.parametrize("target", [1000, 7777, 12345, 20000, 59999, 120000])
@pytest.mark.parametrize("n", [1, 2, 5, 9])
@pytest.mark.parametrize("tr_ms", [0, 500, 1000, 2500])
def test_total_duration_is_exact_even_with_transitions(target: int, n: int, tr_ms: int) -> None:
    d = slideshow(n, transition_ms=tr_ms) if tr_ms else edits.make_slideshow(photos(n))
    minimum = layout([edits.MIN_PHOTO_MS] * n, [tr_ms] * n)[2]
    if target < minimum or target > n * 60000 - (n - 1) * tr_ms:
        with pytest.raises(EditError, match="does not fit"):
            edits.set_total_duration(d, target)
        return
    out = edits.set_total_duration(d, target)
    assert out["d"] == target
    durs = [sg["d"] for sg in video(out)]
    assert max(durs) - min(durs) <= 1  # photos share the time equally
    assert_draft_invariants(out)


def test_fit_to_music_needs_music_and_matches_it() -> None:
    d = edits.fit_to_music(slideshow(4, transition_ms=700), 12345)
    assert d["d"] == 12345
    assert audio(d)[0]["d"] == 12345
    with pytest.raises(EditError, match="no music"):
        edits.fit_to_music(slideshow(4, music=None), 12345)


def test_fit_keeps_clips_and_stretches_photos() -> None:
    d = edits.make_slideshow([*photos(2), clip(4.0)], transition="crossfade", music=SONG)
    out = edits.fit_to_music(d, 20000)
    assert out["d"] == 20000
    assert video(out)[2]["d"] == 4000
    assert_draft_invariants(out)


def test_music_fades_fit_inside_a_short_video() -> None:
    d = edits.set_music_fade(slideshow(3), 2500, 6000)
    d = edits.set_photo_duration(d, 1000)  # video 2 s: fades shrink to fit
    seg = audio(d)[0]
    assert seg["d"] == d["d"] == 2000
    assert seg["fo"] == 2000
    assert seg["fi"] == 0
    assert_draft_invariants(d)


def test_title_spanning_the_video_keeps_spanning_it_and_clamps() -> None:
    d = edits.set_title(slideshow(5), "Trip", 0, 13000)
    assert texts(d)[0]["d"] == 13000
    longer = edits.set_photo_duration(d, 5000)
    assert texts(longer)[0]["d"] == longer["d"] == 23000
    short = edits.set_title(slideshow(5), "Late", 10000, 13000)
    short = edits.set_photo_duration(short, 1000)  # video 3 s
    assert (texts(short)[0]["s"], texts(short)[0]["d"]) == (0, 3000)
    assert_draft_invariants(short)


def test_captions_follow_their_photo_and_leave_with_it() -> None:
    d = edits.add_caption(slideshow(4), 1, "Sunset")
    cap = texts(d)[0]
    assert (cap["ref"], cap["s"], cap["d"], cap["pos"]) == ("seg_2", 2500, 3000, "bottom")
    moved = edits.move_segment(d, 1, 3)
    assert (texts(moved)[0]["s"], texts(moved)[0]["d"]) == (7500, 3000)
    assert not texts(edits.remove_segment(d, 1))


# -- order -----------------------------------------------------------------------------------


def srcs(d: dict) -> list[str]:
    return [sg["src"] for sg in video(d)]


def test_reorders_keep_transitions_by_position() -> None:
    d = slideshow(4)
    assert srcs(edits.move_segment(d, 3, 0)) == ["m_p4", "m_p1", "m_p2", "m_p3"]
    assert srcs(edits.swap_segments(d, 0, 1))[:2] == ["m_p2", "m_p1"]
    assert srcs(edits.reverse_order(d)) == ["m_p4", "m_p3", "m_p2", "m_p1"]
    removed = edits.remove_segment(d, 3)
    assert srcs(removed) == ["m_p1", "m_p2", "m_p3"]
    assert "tr" not in video(removed)[-1]
    for out in (edits.move_segment(d, 3, 0), edits.reverse_order(d), removed):
        assert [bool(sg.get("tr")) for sg in video(out)][:-1] == [True] * (len(video(out)) - 1)
        assert_draft_invariants(out)


def test_shuffle_is_deterministic_and_changes_the_order() -> None:
    d = slideshow(6)
    a, b = edits.shuffle_order(d), edits.shuffle_order(copy.deepcopy(d))
    assert a == b
    assert srcs(a) != srcs(d)
    assert sorted(srcs(a)) == sorted(srcs(d))
    assert srcs(edits.shuffle_order(slideshow(2))) == ["m_p2", "m_p1"]


def test_append_uses_the_slideshow_style() -> None:
    d = edits.set_ken_burns(slideshow(2), True)
    out = edits.append_media(d, photos(4)[2:])
    assert srcs(out) == ["m_p1", "m_p2", "m_p3", "m_p4"]
    assert all(sg.get("tr") for sg in video(out)[:-1])
    assert all("kb" in sg for sg in video(out))
    assert_draft_invariants(out)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda d: edits.set_segment_duration(d, 8, 5000),
            "There is no photo 9: the slideshow has 3",
        ),
        (lambda d: edits.move_segment(d, 0, 3), "no photo 4"),
        (lambda d: edits.set_photo_duration(d, 100), "0.2 to 60 s"),
        (lambda d: edits.set_transition(d, "spin"), "Unknown transition"),
        (lambda d: edits.set_music_volume(d, 3), "0% to 200%"),
        (lambda d: edits.set_title(d, pos="top"), "no title yet"),
        (lambda d: edits.remove_captions(d), "no captions"),
        (lambda d: edits.set_fit(d, "stretch"), "Unknown fit"),
        (
            lambda d: edits.remove_segment(edits.remove_segment(edits.remove_segment(d, 0), 0), 0),
            "only photo",
        ),
    ],
)
def test_impossible_edits_say_what_to_do(call, message: str) -> None:
    with pytest.raises(EditError, match=message):
        call(slideshow(3))


# -- properties ------------------------------------------------------------------------------


def random_edit(rng: random.Random, d: dict) -> dict:
    n = len(video(d))
    options = [
        lambda: edits.set_photo_duration(d, rng.choice([200, 450, 1000, 2500, 3000, 7000])),
        lambda: edits.set_segment_duration(d, rng.randrange(n), rng.randrange(200, 9000)),
        lambda: edits.set_transition(d, rng.choice(edits.TRANSITIONS), rng.randrange(0, 3000)),
        lambda: edits.set_ken_burns(d, rng.random() < 0.5),
        lambda: edits.move_segment(d, rng.randrange(n), rng.randrange(n)),
        lambda: edits.swap_segments(d, rng.randrange(n), rng.randrange(n)),
        lambda: edits.reverse_order(d),
        lambda: edits.shuffle_order(d),
        lambda: edits.remove_segment(d, rng.randrange(n)) if n > 1 else d,
        lambda: edits.append_media(d, [*photos(1), clip(rng.uniform(0.5, 30))]),
        lambda: edits.set_total_duration(d, rng.randrange(n * 800, n * 9000)),
        lambda: edits.set_title(
            d, "T", rng.randrange(0, max(1, d["d"])), None, rng.choice(["top", "center", "bottom"])
        ),
        lambda: edits.add_caption(d, rng.randrange(n), f"c{rng.randrange(99)}"),
        lambda: edits.set_music_fade(d, rng.randrange(0, 4000), rng.randrange(0, 4000)),
        lambda: edits.set_music_volume(d, rng.random() * 2),
        lambda: edits.add_music(d, SONG),
        lambda: edits.set_canvas(d, rng.choice(list(edits.ASPECTS)), rng.choice([720, 1080])),
    ]
    return rng.choice(options)()


@pytest.mark.parametrize("seed", range(40))
def test_random_edit_sequences_keep_every_invariant(seed: int) -> None:
    rng = random.Random(seed)
    clips = [clip(rng.uniform(0.3, 25), k) for k in range(rng.randrange(3))]
    items = photos(rng.randrange(1, 9)) + clips
    rng.shuffle(items)
    d = edits.make_slideshow(
        items,
        photo_ms=rng.choice([500, 2000, 3000]),
        transition=rng.choice(edits.TRANSITIONS),
        transition_ms=rng.randrange(0, 2000),
        ken_burns=rng.random() < 0.5,
        music=SONG if rng.random() < 0.7 else None,
    )
    assert_draft_invariants(d)
    for _ in range(25):
        before = copy.deepcopy(d)
        try:
            new = random_edit(rng, d)
        except EditError:
            new = d
        assert d == before, "an edit mutated its input"
        assert_draft_invariants(new)
        d = new


@pytest.mark.parametrize("seed", range(200))
def test_layout_rule_holds_for_random_timelines(seed: int) -> None:
    rng = random.Random(1000 + seed)
    durs = [rng.randrange(1, 20000) for _ in range(rng.randrange(1, 30))]
    overlaps = [rng.randrange(0, 6000) for _ in durs]
    starts, eff, end = layout(durs, overlaps)
    assert starts[0] == 0
    assert end == starts[-1] + durs[-1]
    for i in range(len(durs) - 1):
        assert starts[i + 1] == starts[i] + durs[i] - eff[i]
        assert eff[i] <= durs[i] // 2
        assert eff[i] <= durs[i + 1] // 2
        assert starts[i + 1] >= starts[i]


def test_retime_repairs_a_hand_edited_draft() -> None:
    d = slideshow(3)
    video(d)[1]["s"] = 99999  # e.g. edited in the teaching notebook's table
    video(d)[2]["tr"] = {"type": "wipe", "d": 300}  # the last one cannot have a transition
    audio(d)[0]["d"] = 5
    assert_draft_invariants(retime(d))
