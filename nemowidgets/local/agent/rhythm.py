"""Cuts on the beat, as people ask for them.

"sync the cuts to the beat", "cut on the beat", "cut on every other beat", "change
the photo every 4 beats", "make the cuts match the beats", "beat-synced"; in
Chinese "卡点", "跟着节拍切换" (``zh.py`` rewrites them).  The edit itself is
``beat_sync.sync_to_beats``; here the words are read (:func:`beat_sync`) and the
reply is said (:func:`beat_sync_action`, with the song's beats from its media record).
The step:  every
beat, every 2nd ("other", "second"), 4th ("every bar"), 8th ("every 2 bars").  It
runs before the music and transition detectors, so "sync the cuts to the beat of
the music" is never read as fitting the length to the song, nor "cut" as hard cuts.

A beat named without a wish to cut on it ("don't sync to the beat") is consumed and
left alone: the cuts stay where they are.
"""

from __future__ import annotations

import re
from typing import Any

from nemowidgets.local.agent.beat_sync import beat_period_ms, resolve_step, sync_to_beats
from nemowidgets.local.agent.timing import EditError, fmt_s, segments
from nemowidgets.local.agent.vocab import Parsed, Prompt, add

__all__ = ["beat_sync", "beat_sync_action"]

_I = re.I
_BEAT = r"(?:beats?|downbeats?|rhythm|drum\s?beats?|bpm|tempo\s+of\s+the\s+(?:music|song))\b"
_STEP_WORDS = {
    "other": 2, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "eighth": 8, "8th": 8,
}  # fmt: skip
_EVERY = (
    r"\b(?:every|each)\s+(?:(?P<n>\d+)(?:st|nd|rd|th)?\s+|(?P<w>other|second|third|fourth|"
    r"eighth)\s+)?(?P<unit>beats?|bars?|measures?)\b"
)
_SYNC = (
    rf"\bbeat[- ]?(?:sync(?:ed|hed|ing)?|match(?:ed|ing)?)\b|"
    rf"\b(?:sync|synch|snap|match|align|time|lock|cut|cuts|switch|change|changes|"
    rf"transition|edit)\w*\b[^,;.!?]{{0,40}}?\b(?:on|to|with|at|by)\s+(?:the\s+|each\s+|"
    rf"every\s+|its\s+)?(?:(?:music|song|track)(?:'s)?\s+)?{_BEAT}|"
    rf"\b(?:on|to|with)\s+the\s+(?:music(?:'s)?\s+|song(?:'s)?\s+)?{_BEAT}|"
    rf"\bcuts?\s+(?:that\s+)?(?:match|follow|fit)\w*\s+(?:the\s+)?{_BEAT}"
)
_NEGATED = r"\b(?:don'?t|do\s+not|no|not|never|without|stop)\b[^,;.!?]{0,30}$"


def beat_sync(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    """``sync_to_beats`` with the step the words name (none: the agent chooses)."""
    said = p.find(_SYNC)
    steps = p.find(_EVERY)
    if not said and not [m for m in steps if p.has(r"\bcut|photo|picture|slide|switch|change")]:
        return
    at = min([m.start() for m in said] + [m.start() for m in steps])
    every = None
    for m in steps:
        unit = m.group("unit").lower()
        n = int(m.group("n")) if m.group("n") else _STEP_WORDS.get((m.group("w") or "").lower(), 1)
        every = n * 4 if unit.startswith(("bar", "measure")) else n
    negated = re.search(_NEGATED, p.text[:at], _I)
    for m in said + steps:
        p.eat(*m.span())
    p.take(r"\bof\s+the\s+(?:music|song|track)\b")
    if negated:
        out.notes.append("OK, the cuts stay where they are.")
        return
    add(out, "sync_to_beats", at, every=every)


def beat_sync_action(
    draft: dict[str, Any],
    music: dict[str, Any] | None,
    media: list[dict[str, Any]],
    a: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Cuts on the beats of the music (found when it was uploaded)."""
    if music is None:
        raise EditError("There is no music to cut to: upload a song and say 'add music'.")
    name = str(music.get("n") or music.get("src"))
    song = next((m for m in media if m.get("id") == music.get("src")), {})
    beats = song.get("beats")
    if not isinstance(beats, list):
        raise EditError(f"I don't know the beats of {name} yet; upload it again to find them.")
    seconds = song.get("duration")
    song_ms = round(float(seconds) * 1000) if seconds else None
    every, _target = resolve_step(draft, beats, a.get("every"))
    new = sync_to_beats(draft, beats, every, song_ms=song_ms)
    period = beat_period_ms(beats)
    step = "every beat" if every == 1 else f"every {every} beats"
    bpm = song.get("bpm")
    tempo = f" ({round(float(bpm))} BPM)" if bpm else ""
    where = (
        "; with transitions, the middle of each one is on the beat"
        if any(sg.get("tr") for sg in segments(new))
        else ""
    )
    return (
        new,
        {"every": every},
        f"Cuts on the beat of {name}{tempo}: {step}, about {fmt_s(every * period)} s "
        f"a photo{where}.",
    )
