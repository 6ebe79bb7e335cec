"""The named-edit dispatcher: every edit the vocabulary lists runs, refusals name the field.

Pure (no server): the same functions as the agent's, so a hand edit keeps the
draft invariants a prompt keeps (checked by ``tests/support/draft_invariants``).
"""

from __future__ import annotations

from typing import Any

import pytest

from nemowidgets.local.agent import edits as E
from nemowidgets.local.agent.hand_edits import EDIT_NAMES, HandEditError, apply_edits
from tests.support.draft_invariants import assert_draft_invariants as check_invariants

MEDIA = [
    {"id": "m_1", "filename": "a.jpg", "file_type": "image"},
    {"id": "m_2", "filename": "b.jpg", "file_type": "image"},
    {"id": "m_3", "filename": "c.mp4", "file_type": "video", "duration": 4.0},
    {
        "id": "m_9",
        "filename": "song.wav",
        "file_type": "audio",
        "duration": 20.0,
        "beats": [0.25 + 0.5 * i for i in range(40)],
    },
]
#: One valid call of every edit.
CALLS: dict[str, dict[str, Any]] = {
    "move_segment": {"segment": "seg_1", "to": 2},
    "swap_segments": {"a": 0, "b": "seg_3"},
    "remove_segment": {"segment": 1},
    "set_segment_duration": {"segment": "seg_3", "ms": 3500},
    "reverse_order": {},
    "shuffle_order": {"seed": 3},
    "set_photo_duration": {"ms": 2000},
    "set_total_duration": {"ms": 12_000},
    "fit_to_music": {},
    "sync_to_beats": {"every": 2},
    "set_transition": {"kind": "wipe", "ms": 400},
    "set_ken_burns": {"on": True, "style": "in"},
    "set_canvas": {"aspect": "9:16", "short_side": 720},
    "set_fit": {"fit": "cover"},
    "set_title": {"text": "Trip", "pos": "top"},
    "remove_title": {},
    "add_caption": {"segment": "seg_2", "text": "Hello"},
    "remove_captions": {},
    "add_music": {"media_id": "m_9", "vol": 0.5},
    "remove_music": {},
    "set_music_volume": {"vol": 0.3},
    "set_music_fade": {"fade_in_ms": 500},
    "make_slideshow": {"media": ["m_2", "m_1"], "photo_ms": 2500, "music": "m_9"},
    "append_media": {"media": ["m_1"]},
    "remove_media": {"media_id": "m_1"},
    "set_look": {"look": "bw", "segments": ["seg_1", 1], "contrast": 1.2},
    "trim_clip": {"segment": "seg_3", "start_ms": 500, "end_ms": 2500},
    "mute_clip": {"segment": "seg_3"},
    "add_file_name_captions": {"pos": "top"},
    "set_text_style": {"which": "all", "size": 0.05, "box": True},
    "set_logo": {"media_id": "m_2", "corner": "tl"},
    "remove_logo": {},
}


def slideshow() -> dict[str, Any]:
    d = E.make_slideshow(MEDIA[:3], transition="crossfade", music=MEDIA[3])
    d = E.set_title(d, "Trip")
    d = E.set_logo(d, MEDIA[1])
    return E.add_caption(d, 1, "Hi")


def test_every_edit_of_the_vocabulary_is_covered_and_runs() -> None:
    assert set(CALLS) == set(EDIT_NAMES)
    for name, args in CALLS.items():
        new, applied = apply_edits(slideshow(), [{"name": name, "args": args}], MEDIA)
        assert applied == [{"name": name, "args": args}]
        check_invariants(new)


def test_a_segment_by_id_or_position_is_the_same_edit() -> None:
    by_id, _ = apply_edits(
        slideshow(), [{"name": "move_segment", "args": {"segment": "seg_1", "to": 2}}], MEDIA
    )
    by_pos, _ = apply_edits(
        slideshow(), [{"name": "move_segment", "args": {"segment": 0, "to": 2}}], MEDIA
    )
    assert by_id == by_pos == E.move_segment(slideshow(), 0, 2)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        ({"name": "add_music", "args": {"media_id": "m_1"}}, "edits[0].args.media_id"),
        ({"name": "make_slideshow", "args": {"media": ["m_404"]}}, "edits[0].args.media"),
        ({"name": "set_ken_burns", "args": {"on": "yes"}}, "edits[0].args.on"),
        ({"name": "set_music_volume", "args": {"vol": True}}, "edits[0].args.vol"),
        ({"name": "set_title", "args": {"txt": "x"}}, "edits[0].args.txt"),
        ({"name": "move_segment", "args": {"to": 1}}, "edits[0].args.segment"),
        ({"args": {}}, "edits[0]"),
        ({"name": "set_fit", "args": ["cover"]}, "edits[0].args"),
    ],
)
def test_refusals_name_the_field(call: dict[str, Any], field: str) -> None:
    with pytest.raises(HandEditError) as info:
        apply_edits(slideshow(), [call], MEDIA)
    assert info.value.field == field
    assert str(info.value).startswith(field)


def test_an_impossible_edit_names_its_edit_and_keeps_the_words_of_the_agent() -> None:
    with pytest.raises(HandEditError, match=r"edits\[1\] \(remove_segment\): There is no photo 9"):
        apply_edits(
            slideshow(),
            [{"name": "reverse_order"}, {"name": "remove_segment", "args": {"segment": 8}}],
            MEDIA,
        )


def test_remove_media_works_without_a_slideshow_and_stays_hidden() -> None:
    new, _ = apply_edits(None, [{"name": "remove_media", "args": {"media_id": "m_2"}}], MEDIA)
    assert E.hidden_media(new) == {"m_2"}
    with pytest.raises(HandEditError, match="no slideshow yet"):
        apply_edits(None, [{"name": "reverse_order"}], MEDIA)
    # A new slideshow drops the metadata; keep_hidden puts the removed ids back.
    fresh = E.make_slideshow(MEDIA[:1])
    assert E.hidden_media(E.keep_hidden(fresh, {"m_2"})) == {"m_2"}
    assert E.keep_hidden(new, {"m_2"}) is new


def test_remove_media_takes_out_photos_and_the_music() -> None:
    d = slideshow()
    no_song = E.remove_media(d, "m_9")
    assert not any(t["tt"] == 1 for t in no_song["t"])
    no_photo = E.remove_media(d, "m_2")
    assert [sg["src"] for sg in no_photo["t"][0]["sg"]] == ["m_1", "m_3"]
    assert not [sg for sg in no_photo["t"][-1]["sg"] if sg.get("ref") == "seg_2"]  # its caption
    check_invariants(no_photo)
