"""Prompt → draft: the local agent's table of prompts and the draft properties each must produce.

Every row starts from no draft or from the ``base`` slideshow (5 photos, 3 s,
0.5 s crossfades, music.mp3 of 20 s → 13 s), sends one prompt through
``respond`` and checks only the properties it names; every produced draft must
also satisfy the protocol's invariants.  Unknown, ambiguous and impossible
requests must leave the draft unchanged (``draft is None``, no edit applied).
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field

import pytest

from nemowidgets.local.agent import AgentReply, respond
from tests.support.draft_invariants import assert_draft_invariants


def image(i: int) -> dict:
    return {
        "id": f"m_{i}",
        "filename": f"photo{i}.jpg",
        "file_type": "image",
        "duration": None,
        "width": 800,
        "height": 600,
        "fps": None,
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
SONG2 = {**SONG, "id": "m_song2", "filename": "second_tune.m4a", "duration": 12.345}
CLIP = {
    "id": "m_clip",
    "filename": "waves.mp4",
    "file_type": "video",
    "duration": 14.0,
    "width": 320,
    "height": 180,
    "fps": 30.0,
}
MEDIA = {
    "photos+song": [*map(image, range(1, 6)), SONG],
    "photos+2songs": [*map(image, range(1, 6)), SONG2, SONG],
    "photos": list(map(image, range(1, 6))),
    "3photos": list(map(image, range(1, 4))),
    "1photo": [image(1)],
    "song only": [SONG],
    "nothing": [],
    "photos+clip": [image(1), CLIP, image(2), SONG],
}
ORDER = [f"m_{i}" for i in range(1, 6)]


def base(media: list[dict]) -> dict:
    reply = respond("make a slideshow with transitions and music", None, media)
    assert reply.draft is not None
    return reply.draft


def track(draft: dict, tt: int) -> list[dict]:
    return next((t["sg"] for t in draft["t"] if t["tt"] == tt), [])


def props(draft: dict) -> dict:
    """The properties the table talks about, read from a draft."""
    video, music, text = track(draft, 0), track(draft, 1), track(draft, 7)
    trs = [sg["tr"] for sg in video if sg.get("tr")]
    title = next((sg for sg in text if "ref" not in sg), None)
    ids = {sg["id"]: i + 1 for i, sg in enumerate(video)}
    return {
        "d": draft["d"],
        "durations": [sg["d"] for sg in video],
        "order": [sg["src"] for sg in video],
        "kinds": [sg["k"] for sg in video],
        "tr": (trs[0]["type"], trs[0]["d"]) if trs else None,
        "aspect": draft["m"]["aspect"],
        "size": (draft["m"]["width"], draft["m"]["height"]),
        "fps": draft["m"]["fps"],
        "fit": draft["m"]["fit"],
        "kb": any("kb" in sg for sg in video),
        "music": music[0]["src"] if music else None,
        "vol": music[0]["vol"] if music else None,
        "fades": (music[0]["fi"], music[0]["fo"]) if music else None,
        "title": (title["txt"], title["pos"], title["s"], title["s"] + title["d"])
        if title
        else None,
        "captions": [(ids[sg["ref"]], sg["txt"]) for sg in text if "ref" in sg],
    }


@dataclass
class Case:
    id: str
    prompt: str
    expect: dict = field(default_factory=dict)  # props that must hold on the new draft
    start: str = "base"  # "base" slideshow or "none"
    media: str = "photos+song"
    calls: list[str] | None = None  # the ToolCall names, in order
    says: str = ""  # a substring of the reply text
    unchanged: bool = False  # draft must be None (nothing applied)


CASES = [
    # -- making the slideshow --
    Case(
        "smooth-slideshow-transitions-music",
        "turn my photos into a smooth video slideshow with transitions and music",
        {
            "d": 13000,
            "tr": ("crossfade", 500),
            "kb": True,
            "order": ORDER,
            "music": "m_song",
            "size": (1920, 1080),
            "fades": (0, 1000),
        },
        start="none",
        calls=["make_slideshow"],
        says="Made a slideshow of 5 photos (3 s each, 0.5 s crossfades, Ken Burns zoom) with "
        "music.mp3 as background music: 13.0 s.",
    ),
    Case(
        "plain-slideshow-has-hard-cuts",
        "make a slideshow",
        {"d": 15000, "tr": None, "kb": False, "music": "m_song"},
        start="none",
    ),
    Case(
        "slideshow-without-music",
        "create a slideshow without music, 4 seconds per photo",
        {"music": None, "durations": [4000] * 5},
        start="none",
        calls=["make_slideshow"],
    ),
    Case(
        "slideshow-first-song-is-bgm",
        "make a video from my photos with music",
        {"music": "m_song2"},
        start="none",
        media="photos+2songs",
    ),
    Case(
        "slideshow-with-named-song",
        "slideshow with music.mp3 as the music",
        {"music": "m_song"},
        start="none",
        media="photos+2songs",
    ),
    Case(
        "video-clip-is-a-segment",
        "make a slideshow",
        {"kinds": ["image", "video", "image"], "durations": [3000, 10000, 3000]},
        start="none",
        media="photos+clip",
    ),
    Case(
        "multi-instruction",
        "make a 9:16 slideshow with 2 second photos, wipe transitions and "
        "the title 'Trip' at the top",
        {
            "durations": [2000] * 5,
            "tr": ("wipe", 500),
            "aspect": "9:16",
            "size": (1080, 1920),
            "title": ("Trip", "top", 0, 3000),
        },
        start="none",
        calls=["make_slideshow", "set_canvas", "set_title"],
    ),
    # -- timing --
    Case(
        "per-photo-4s",
        "4 seconds per photo",
        {"durations": [4000] * 5, "d": 18000},
        calls=["set_photo_duration"],
        says="Each photo now lasts 4 s",
    ),
    Case("each-photo-2.5s", "each photo 2.5s", {"durations": [2500] * 5, "d": 10500}),
    Case("total-30-seconds", "make it 30 seconds long", {"d": 30000}),
    Case("total-1-minute", "1 minute", {"d": 60000}),
    Case(
        "fit-to-music-with-crossfades",
        "fit to the music",
        {"d": 20000, "tr": ("crossfade", 500)},
        calls=["fit_to_music"],
    ),
    Case("match-song-length-odd", "match the song length", {"d": 12345}, media="photos+2songs"),
    Case(
        "third-photo-5s",
        "make the third photo 5 seconds",
        {"durations": [3000, 3000, 5000, 3000, 3000], "d": 15000},
        says="Photo 3 (photo3.jpg)",
    ),
    Case(
        "photo-longer-relative",
        "make the first photo 2 seconds longer",
        {"durations": [5000, 3000, 3000, 3000, 3000]},
    ),
    # -- transitions and motion --
    Case("crossfade-1s", "1 second crossfades", {"tr": ("crossfade", 1000), "d": 11000}),
    Case("fade-through-black", "fade through black between photos", {"tr": ("fade_black", 500)}),
    Case("slide", "use slide transitions", {"tr": ("slide", 500)}),
    Case("wipe-0.8s", "wipe transitions of 0.8 s", {"tr": ("wipe", 800)}),
    Case("zoom", "zoom transitions", {"tr": ("zoom", 500)}),
    Case("no-transitions", "no transitions", {"tr": None, "d": 15000}),
    Case("ken-burns-on", "add a slow zoom", {"kb": True}),
    Case(
        "ken-burns-off",
        "make a smooth slideshow without ken burns",
        {"kb": False, "tr": ("crossfade", 500)},
        start="none",
    ),
    # -- format --
    Case("tiktok", "make it vertical for TikTok", {"aspect": "9:16", "size": (1080, 1920)}),
    Case("square-720p", "square, 720p", {"aspect": "1:1", "size": (720, 720)}),
    Case("instagram-4-5", "4:5 please", {"aspect": "4:5", "size": (1080, 1350)}),
    Case("reels-720p-fps", "Instagram Reels in 720p at 24 fps", {"size": (720, 1280), "fps": 24}),
    Case("black-bars", "use black bars", {"fit": "black"}),
    Case("fill-frame", "fill the frame", {"fit": "cover"}),
    # -- text --
    Case(
        "title-top-first-4s",
        "add the title 'Paradise Found' at the top for the first 4 seconds",
        {"title": ("Paradise Found", "top", 0, 4000)},
    ),
    Case(
        "title-unquoted",
        "title Summer Vibes at the bottom",
        {"title": ("Summer Vibes", "bottom", 0, 3000)},
    ),
    Case(
        "title-whole-video", "title 'Us' for the whole video", {"title": ("Us", "center", 0, 13000)}
    ),
    Case("title-emoji-rtl", "add the title '🎉 مرحبا'", {"title": ("🎉 مرحبا", "center", 0, 3000)}),
    Case(
        "caption-second-photo", "caption the second photo 'Sunset'", {"captions": [(2, "Sunset")]}
    ),
    # -- music --
    Case("music-35", "music at 35%", {"vol": 0.35}, says="35%"),
    Case("quieter-music", "quieter music", {"vol": 0.6}),
    Case("fade-out-2s", "fade the music out over 2 seconds", {"fades": (0, 2000)}),
    Case("fade-in-and-out", "fade the music in and out", {"fades": (2000, 2000)}),
    # The object between the verb and the duration must not hide the duration (was 2 s).
    Case(
        "fade-out-the-music-over-3s",
        "fade out the music over 3 seconds",
        {"fades": (0, 3000)},
        calls=["set_music_fade"],
        says="fades out over 3 s",
    ),
    Case("fade-the-music-out-3-s", "fade the music out over 3 s", {"fades": (0, 3000)}),
    Case("3-second-fade-out", "3 second fade out", {"fades": (0, 3000)}),
    Case("fade-in-the-music-2s", "fade in the music over 2 seconds", {"fades": (2000, 1000)}),
    Case("fade-in-the-music-5s", "fade in the music over 5 seconds", {"fades": (5000, 1000)}),
    Case("music-fades-out-4s", "music fades out over 4 seconds", {"fades": (0, 4000)}),
    Case(
        "fade-out-the-song-last-3s",
        "fade out the song over the last 3 seconds",
        {"fades": (0, 3000)},
    ),
    Case(
        "fade-in-and-out-the-music-3s",
        "fade in and out the music over 3 seconds",
        {"fades": (3000, 3000)},
    ),
    Case(
        "fade-in-then-out",
        "fade in the music over 2 seconds and fade it out over 4 seconds",
        {"fades": (2000, 4000)},
    ),
    Case(
        "fade-out-the-background-music",
        "fade out the background music over 3 seconds",
        {"fades": (0, 3000), "music": "m_song"},
        calls=["set_music_fade"],
    ),
    Case(
        "multi-edit",
        "1 second crossfades, music at 50% and fade it out over 3 seconds",
        {"tr": ("crossfade", 1000), "vol": 0.5, "fades": (0, 3000)},
        calls=["set_transition", "set_music_volume", "set_music_fade"],
    ),
    # -- order --
    Case("last-photo-first", "move the last photo first", {"order": ["m_5", *ORDER[:4]]}),
    Case("remove-photo-2", "remove photo 2", {"order": ["m_1", "m_3", "m_4", "m_5"], "d": 10500}),
    Case("remove-two", "delete the second and fourth photos", {"order": ["m_1", "m_3", "m_5"]}),
    Case(
        "swap-first-second",
        "swap the first and second photos",
        {"order": ["m_2", "m_1", *ORDER[2:]]},
    ),
    Case("reverse", "reverse the order", {"order": ORDER[::-1]}),
    # -- Chinese keywords --
    Case(
        "zh-slideshow",
        "用照片做幻灯片，加转场和音乐",
        {"tr": ("crossfade", 500), "music": "m_song"},
        start="none",
    ),
    Case("zh-title-top", "标题「旅行」在顶部", {"title": ("旅行", "top", 0, 3000)}),
    Case("zh-per-photo", "每张照片2秒", {"durations": [2000] * 5}),
    Case("zh-third-photo", "第三张照片5秒", {"durations": [3000, 3000, 5000, 3000, 3000]}),
    Case("zh-vertical-volume", "竖屏，音乐音量50%", {"aspect": "9:16", "vol": 0.5}),
    # -- no draft yet / no photos / edge cases --
    Case(
        "title-builds-slideshow-first",
        "add the title 'Trip'",
        {"title": ("Trip", "center", 0, 3000)},
        start="none",
        calls=["make_slideshow", "set_title"],
        says="made one first",
    ),
    Case(
        "no-photos",
        "make a slideshow with music",
        start="none",
        media="song only",
        unchanged=True,
        says="Upload some photos first",
    ),
    Case(
        "no-photos-edit",
        "add the title 'X'",
        start="none",
        media="nothing",
        unchanged=True,
        says="Upload some photos first",
    ),
    Case(
        "one-photo",
        "make a slideshow with transitions",
        {"d": 3000, "tr": None},
        start="none",
        media="1photo",
    ),
    Case(
        "music-asked-none-uploaded",
        "slideshow with music",
        {"music": None},
        start="none",
        media="photos",
        says="No music is uploaded yet",
    ),
    Case(
        "ninth-photo-of-three",
        "make the 9th photo 5 seconds",
        media="3photos",
        unchanged=True,
        says="There is no photo 9: the slideshow has 3 photos",
    ),
    Case("too-short-photos", "0.1 seconds per photo", unchanged=True, says="0.2 to 60 s"),
    # -- undo, unknown, ambiguous --
    Case("unknown", "make it nicer", unchanged=True, says="Here is what I can do"),
    Case("help", "help", unchanged=True, says="'undo' takes back the last change"),
    # A relative length is a step from the current one (13 s x 4/3), and the reply says it.
    Case("relative-longer", "make it longer", {"d": 17300}, says="17.3 s long"),
    Case("ambiguous-transition", "crossfade or wipe?", unchanged=True, says="Which transition"),
    Case("ambiguous-format", "make it 9:16 or 1:1", unchanged=True, says="Which format"),
    Case("ambiguous-title", "add a title", unchanged=True, says="What should the title say?"),
    Case("ambiguous-photo", "remove the photo", unchanged=True, says="Which photo?"),
    Case("same-again", "16:9", unchanged=True, says="No change needed"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_prompt_table(case: Case) -> None:
    media = MEDIA[case.media]
    start = base(media) if case.start == "base" else None
    before = copy.deepcopy(start)
    reply = respond(case.prompt, start, media)
    assert isinstance(reply, AgentReply)
    assert reply.text.strip()
    assert start == before, "respond mutated the draft it was given"
    assert case.says in reply.text, reply.text
    if case.calls is not None:
        assert [c.name for c in reply.calls] == case.calls, reply.calls
    if case.unchanged:
        assert reply.draft is None, reply.text
        assert not reply.undo
        noop = "No change needed" in reply.text
        assert noop or not any(c.result.get("ok") for c in reply.calls), reply.calls
        return
    assert reply.draft is not None, reply.text
    assert_draft_invariants(reply.draft)
    got = props(reply.draft)
    assert {k: got[k] for k in case.expect} == case.expect, reply.text
    assert all(c.result == {**c.result, "ok": True} for c in reply.calls)
    assert reply.calls[-1].result["duration_ms"] == reply.draft["d"]


def test_table_is_big_enough() -> None:
    assert len(CASES) >= 30
    assert sum(c.unchanged for c in CASES) >= 8


@pytest.mark.parametrize("prompt", ["undo", "Undo that", "撤销", "go back"])
def test_undo(prompt: str) -> None:
    reply = respond(prompt, base(MEDIA["photos+song"]), MEDIA["photos+song"])
    assert reply.undo
    assert reply.draft is None
    assert not reply.calls
    assert reply.text


def test_tool_calls_describe_the_edit() -> None:
    reply = respond(
        "make the third photo 5 seconds and move the last photo first",
        base(MEDIA["photos+song"]),
        MEDIA["photos+song"],
    )
    assert [(c.name, c.args) for c in reply.calls] == [
        ("move_segment", {"photo": 5, "to": 1}),
        ("set_segment_duration", {"photo": 4, "ms": 5000}),  # photo 3 is 4th after the move
    ]
    assert reply.draft is not None
    assert props(reply.draft)["durations"][3] == 5000


def test_a_failing_edit_changes_nothing() -> None:
    media = MEDIA["3photos"]
    reply = respond("add the title 'X' and remove photo 7", base(media), media)
    assert reply.draft is None
    assert "Nothing was changed" in reply.text
    assert [(c.name, c.result["ok"]) for c in reply.calls] == [("remove_segment", False)]


def test_huge_prompt_is_answered_quickly() -> None:
    reply = respond("make it nicer " * 75_000, base(MEDIA["photos"]), MEDIA["photos"])
    assert reply.draft is None
    assert "very long" in reply.text


@pytest.mark.parametrize("prompt", [c.prompt for c in CASES[:12]] + ["shuffle the photos"])
def test_deterministic(prompt: str) -> None:
    media = MEDIA["photos+song"]
    a = respond(prompt, base(media), media)
    b = respond(prompt, base(copy.deepcopy(media)), copy.deepcopy(media))
    assert (a.text, a.draft, [(c.name, c.args, c.result) for c in a.calls]) == (
        b.text,
        b.draft,
        [(c.name, c.args, c.result) for c in b.calls],
    )


def test_shuffle_reorders() -> None:
    reply = respond("shuffle the photos", base(MEDIA["photos+song"]), MEDIA["photos+song"])
    assert reply.draft is not None
    order = props(reply.draft)["order"]
    assert sorted(order) == ORDER
    assert order != ORDER


def test_random_prompt_sessions_keep_the_draft_valid() -> None:
    """A long seeded session of table prompts: every draft produced stays valid."""
    rng = random.Random(7)
    media = MEDIA["photos+song"]
    prompts = [c.prompt for c in CASES if c.media == "photos+song"]
    draft = None
    for _ in range(150):
        reply = respond(rng.choice(prompts), draft, media)
        if reply.draft is not None:
            assert_draft_invariants(reply.draft)
            draft = reply.draft


def test_session_canvas_is_the_default_for_a_new_slideshow() -> None:
    reply = respond("make a slideshow", None, MEDIA["photos"], canvas={"aspect": "9:16"})
    assert reply.draft is not None
    assert props(reply.draft)["size"] == (1080, 1920)


def test_hand_edited_drafts_are_repaired_not_fatal() -> None:
    media = MEDIA["photos+song"]
    draft = base(media)
    video = track(draft, 0)
    video.append("junk")
    video[0].pop("id")
    video[1]["d"] = -5
    video[2]["s"] = 123
    reply = respond("4 seconds per photo", draft, media)
    assert reply.draft is not None
    assert_draft_invariants(reply.draft)
    assert props(reply.draft)["durations"] == [4000] * 5
    assert respond("reverse", {"t": "nonsense"}, media).draft is not None  # rebuilt from photos


_SALAD = (
    "make a slideshow with transitions and music title 'Trip' at the top for the first 3 "
    "seconds caption the second photo 'Sunset' move last photo first remove photo 2 swap 1 "
    "and 3 reverse fit to the music 30 seconds long 2.5s each photo per 0.5 1 minute "
    "crossfade wipe fade to black no transitions ken burns off 9:16 1:1 720p 24 fps tiktok "
    "black bars fill the frame music at 35% quieter fade in out over 2 s no music add the new "
    "photos 幻灯片 转场 音乐 标题 秒 第三张 竖屏 , . ; # 9th last one 0 -1 99999 % \" ' 「x」 "
    "longer between 1 and 4 seconds whole video bigger"
)
_WORDS = _SALAD.split(" ")


@pytest.mark.parametrize("seed", range(60))
def test_word_salad_never_crashes_and_drafts_stay_valid(seed: int) -> None:
    rng = random.Random(seed)
    media = [image(i) for i in range(1, rng.randrange(0, 6) + 1)]
    media += [SONG] if rng.random() < 0.6 else []
    draft = None
    for _ in range(10):
        prompt = " ".join(rng.choice(_WORDS) for _ in range(rng.randrange(1, 14)))
        reply = respond(prompt, draft, media)
        assert reply.text.strip()
        if reply.draft is not None:
            assert_draft_invariants(reply.draft)
            draft = reply.draft
