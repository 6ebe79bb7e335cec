"""TimelineStrip: what it draws (the truth of the draft) and what a gesture sends.

The drawing is a pure function of the draft (``strip_model``); a gesture arrives
from the browser as one custom message and must become one Session edit,
submitted without waiting.  The real gestures in Chromium are in
``tests/e2e/test_timeline_strip.py``.
"""

from __future__ import annotations

from typing import Any

from nemowidgets.api.errors import StaleDraftError
from nemowidgets.api.models import MediaInfo
from nemowidgets.draft import Draft
from nemowidgets.widgets import TimelineTable
from nemowidgets.widgets._strip_model import kb_label, strip_model
from nemowidgets.widgets.strip import TimelineStrip

from .conftest import from_frontend
from .test_timeline import body_rows, draft, publish


def gesture(strip: TimelineStrip, name: str, **args: Any) -> None:
    """A custom message from strip.js, as the browser sends it."""
    content = {"type": "edit", "name": name, "args": args}
    strip._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    )


def _music_draft(**seg: Any) -> Draft:
    music = {"id": "a", "s": 0, "d": 10_000, "src": "m_song", "k": "audio", "in": 0, **seg}
    video = [{"id": "v", "s": 0, "d": 10_000, "src": "m_p", "k": "image"}]
    return Draft({"t": [{"tt": 0, "sg": video}, {"tt": 1, "sg": [music]}], "d": 10_000})


def test_overlaps_ken_burns_and_fades_are_drawn_as_they_play() -> None:
    d = draft(photos=3)
    d.raw["t"][0]["sg"][1]["kb"] = {"z0": 1.12, "z1": 1.0}
    d.raw["t"][1]["sg"][0]["fo"] = 1000
    model = strip_model(Draft(d.raw, version=4), {})
    video, music, titles = model["lanes"]
    assert video["editable"]
    assert not music["editable"]
    assert not titles["editable"]
    assert [(o["s"], o["d"], o["type"]) for o in video["overlaps"]] == [
        (2500, 500, "crossfade"),
        (5000, 500, "crossfade"),
    ]
    assert [sg["kb"] for sg in video["segments"]] == [None, "zoom out", None]
    assert "Ken Burns zoom out" in video["segments"][1]["tip"]
    assert music["segments"][0]["fo"] == 1000
    assert model["version"] == 4
    assert kb_label({"z0": 1.0, "z1": 1.12}) == "zoom in"
    assert kb_label({"z0": 1.1, "z1": 1.1, "x0": 0.4, "x1": 0.6}) == "pan"


def test_hard_cuts_have_no_overlaps_and_starts_are_the_truth() -> None:
    cuts = [{"id": f"s{i}", "s": i * 3000, "d": 3000, "src": "m", "k": "image"} for i in range(3)]
    model = strip_model(Draft({"t": [{"tt": 0, "sg": cuts}], "d": 9000}), {})
    assert model["lanes"][0]["overlaps"] == []
    # Starts that overlap without a transition are drawn as overlaps all the same.
    cuts[1]["s"] = 2500
    model = strip_model(Draft({"t": [{"tt": 0, "sg": cuts}], "d": 9000}), {})
    assert model["lanes"][0]["overlaps"] == [
        {"s": 2500, "d": 500, "type": "overlap", "after": "s0"}
    ]


def test_beats_when_a_backend_sends_them() -> None:
    assert strip_model(_music_draft(), {})["lanes"][1]["beats"] == []
    # On the segment: ms in the song, placed through the in-point.
    model = strip_model(_music_draft(**{"in": 1000, "beats": [500, 1500, 2500, 12_000]}), {})
    assert model["lanes"][1]["beats"] == [500, 1500]
    # On the media item: seconds in the song; a looping song repeats them.
    song = MediaInfo("song.mp3", "audio", id="m_song", duration=4.0, extra={"beats": [0, 2]})
    model = strip_model(_music_draft(loop=True), {"m_song": song})
    assert model["lanes"][1]["beats"] == [0, 2000, 4000, 6000, 8000]


def test_a_gesture_is_one_edit_submitted_without_waiting(fake) -> None:
    strip = TimelineStrip(fake)
    fake.gate.clear()  # the Session is slow
    gesture(strip, "move_segment", segment="seg_1", to=2)
    assert strip.busy  # returned at once, the edit still running
    fake.gate.set()
    fake.settle(0.05)
    assert fake.edits == [("move_segment", {"segment": "seg_1", "to": 2})]
    assert not strip.busy
    assert strip.message == ""


def test_a_refused_edit_puts_the_strip_back_and_says_why(fake) -> None:
    strip = TimelineStrip(fake)
    fake.edit_error = StaleDraftError("The draft moved on.")
    gesture(strip, "set_segment_duration", segment="seg_2", ms=4500)
    fake.settle(0.05)
    assert not strip.busy
    assert "The draft moved on." in strip.message


def test_the_strip_may_send_only_its_own_edits(fake) -> None:
    strip = TimelineStrip(fake)
    gesture(strip, "remove_media", media_id="m_1")
    gesture(strip, "move_segment", segment="seg_1", to=1, extra=True)
    fake.settle(0.05)
    assert fake.edits == []
    assert "may not send" in strip.message


def test_a_click_selects_and_the_table_row_follows(fake) -> None:
    table = TimelineTable(fake)
    publish(fake, draft())
    from_frontend(table._strip, {"selected": "seg_2"})
    rows = table._table.value.split("<tbody>", 1)[1].split("</tr>")
    assert "nemo-row-selected" in rows[1]
    assert "aria-selected='true'" in rows[1]
    assert "nemo-row-selected" not in rows[0]
    assert len(body_rows(table._table.value)) == 5
    publish(fake, draft(photos=1, version=2))  # seg_2 is gone: nothing stays selected
    assert table._strip.selected == ""


def test_undo_and_redo_buttons_follow_the_session(fake) -> None:
    table = TimelineTable(fake)
    publish(fake, draft())
    assert table._undo.disabled
    assert table._redo.disabled
    fake.can_undo = True
    publish(fake, draft(version=2))
    assert not table._undo.disabled
    table._undo.click()
    fake.settle(0.05)
    assert ("undo", None) in fake.calls
    fake.backend = "cloud"
    publish(fake, draft(version=3))
    assert table._undo.disabled
    assert "local backend" in table._undo.tooltip
