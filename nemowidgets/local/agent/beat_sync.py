"""Cuts on the beat: photo boundaries snapped to the music's beats.

Pure like ``edits.py`` (which re-exports :func:`sync_to_beats`).  The beats are the
song's own (seconds from the start of the file, found when it was uploaded:
``local/store/beats.py``); the music segment places them on the timeline (its
``s``, its in-point ``in``, and its repeats when it loops).

**Which instant is the cut.**  With a hard cut, the first frame of the next photo.
With a transition, the *middle* of the overlap: the instant a crossfade is half
way, a fade through black is black, a slide or wipe has crossed half the frame.
That is where the eye sees the change, and it keeps the cut symmetric (half the
transition before the beat, half after).  So for segment ``i`` with a transition of
``o`` ms into the next one, the cut is ``s[i+1] + o / 2`` (``o`` is kept even, so
the cut is a whole millisecond); :func:`cut_times` reads them off a draft.

**Which beats.**  Every beat, every 2nd or every 4th (``every``; any step up to 16
when asked), chosen, when not given, so that one step is closest to the asked photo
length (``target_ms``; by default the slideshow's current one).  A photo then lasts one step, about
``target_ms``, exactly from beat to beat even when the tempo drifts.  A video
clip cannot grow past its out-point, so its cut is the last step (or else the
last beat) that it still fills.  The end of the video is on a beat too.
Transitions are kept, shortened where a step is too short for them.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Sequence

from nemowidgets.local.agent.timing import (
    DEFAULT_PHOTO_MS,
    MAX_PHOTO_MS,
    MIN_PHOTO_MS,
    Draft,
    EditError,
    Segment,
    fmt_s,
    photo_range,
    retime,
    segments,
)
from nemowidgets.protocol import TRACK_AUDIO

__all__ = [
    "BEAT_STEPS",
    "beat_period_ms",
    "choose_every",
    "cut_times",
    "resolve_step",
    "sync_to_beats",
]

#: The steps offered when none is asked: every beat, every 2nd or every 4th (a bar of 4/4).
BEAT_STEPS = (1, 2, 4)
MAX_EVERY = 16


def cut_times(draft: Draft) -> list[int]:
    """Where the picture changes (ms): each hard cut, or the middle of each transition."""
    video = segments(draft)
    out = []
    for a, b in itertools.pairwise(video):
        overlap = max(0, int(a["s"]) + int(a["d"]) - int(b["s"]))
        out.append(int(b["s"]) + overlap // 2)
    return out


def beat_period_ms(beats: Sequence[float]) -> float:
    """The typical gap between beats (ms), from song beats in seconds."""
    gaps = sorted(1000 * (b - a) for a, b in itertools.pairwise(beats) if b > a)
    if not gaps:
        raise EditError("The music has no steady beat to cut to.")
    return gaps[len(gaps) // 2]


def choose_every(period_ms: float, target_ms: float) -> int:
    """Of :data:`BEAT_STEPS`, the step whose length is closest to ``target_ms`` (in ratio)."""
    usable = [k for k in BEAT_STEPS if k * period_ms >= MIN_PHOTO_MS] or [BEAT_STEPS[-1]]
    return min(usable, key=lambda k: abs(math.log(k * period_ms / target_ms)))


def resolve_step(
    draft: Draft, beats: Sequence[float], every: int | None = None, target_ms: int | None = None
) -> tuple[int, int]:
    """``(every, target_ms)`` as :func:`sync_to_beats` will use them (the defaults filled)."""
    period = beat_period_ms(beats)
    if target_ms is None:
        images = [int(sg["d"]) for sg in segments(draft) if sg.get("k", "image") == "image"]
        target_ms = max(set(images), key=images.count) if images else DEFAULT_PHOTO_MS
        if every is not None:
            target_ms = round(every * period)
    photo_range(target_ms)
    return every or choose_every(period, target_ms), target_ms


def _timeline_beats(
    music: Segment, beats: Sequence[float], song_ms: int | None, until: int
) -> list[int]:
    """The song's beats as ms on the timeline, up to ``until`` (repeated when it loops)."""
    start, inpoint = int(music.get("s") or 0), int(music.get("in") or 0)
    song = sorted(round(1000 * b) for b in beats if b >= 0)
    loops = bool(music.get("loop")) and bool(song_ms) and song_ms is not None and song_ms > 0
    out: list[int] = []
    offset = 0
    while True:
        out += [start + b - inpoint + offset for b in song if b + offset >= inpoint]
        if not loops or start + offset - inpoint > until:
            break
        assert song_ms is not None
        offset += song_ms
    return sorted({t for t in out if t >= 0})


def _grid(line: list[int], every: int, step: float, until: int) -> list[int]:
    """Every ``every``-th beat, then on past the last one at ``step`` (a song that ends)."""
    grid = line[::every]
    if not grid:
        return []
    while grid[-1] < until:
        grid.append(round(grid[-1] + step))
    return grid


def _next_cut(
    grid: list[int], line: list[int], prev: int, sg: Segment, want: int, room: int
) -> int:
    """Where segment ``sg``, starting to be seen at ``prev``, should hand over."""
    later = [g for g in grid if g >= prev + MIN_PHOTO_MS]
    if sg.get("k") != "video":
        return min(later, key=lambda g: (abs(g - (prev + want)), g)) if later else prev + want
    fits = [g for g in later if g <= prev + room]  # a clip never outgrows its out-point
    if fits:
        return fits[-1]
    beats = [b for b in line if prev + MIN_PHOTO_MS <= b <= prev + room]
    return beats[-1] if beats else prev + room


def sync_to_beats(
    draft: Draft,
    beats: Sequence[float],
    every: int | None = None,
    target_ms: int | None = None,
    *,
    song_ms: int | None = None,
) -> Draft:
    """Snap every cut (and the end) to the music's ``beats`` (seconds in the song).

    ``every``: cut on every beat (1), every 2nd, 4th, ...; by default the step
    closest to ``target_ms`` (by default the most common photo length).
    ``song_ms``: the song's length, so a looping song's beats repeat.
    """
    music = next(iter(segments(draft, TRACK_AUDIO)), None)
    if music is None:
        raise EditError("There is no music to cut to: upload a song and say 'add music'.")
    video = segments(draft)
    if not video:
        raise EditError("The slideshow has no photos yet: ask for a slideshow first.")
    if len([b for b in beats if b >= 0]) < 2:
        name = music.get("n") or "the music"
        raise EditError(f"I found no steady beat in {name}, so there is nothing to cut to.")
    if every is not None and not 1 <= every <= MAX_EVERY:
        raise EditError(f"Cut every 1 to {MAX_EVERY} beats, not every {every}.")
    every, target_ms = resolve_step(draft, beats, every, target_ms)
    period = beat_period_ms(beats)
    step = every * period
    if step > MAX_PHOTO_MS:
        raise EditError(f"Every {every} beats is {fmt_s(step)} s: too long for a photo.")
    until = int((len(video) + 2) * max(target_ms, step) * 1.5) + int(music.get("s") or 0)
    line = _timeline_beats(music, beats, song_ms, until)
    grid = _grid(line, every, step, until)
    if not grid:
        raise EditError("The music's beats all come before the video starts.")
    return _place(draft, grid, line, target_ms)


def _place(draft: Draft, grid: list[int], line: list[int], target_ms: int) -> Draft:
    """The draft with its cuts at grid points: durations from the cut instants."""
    new = copy.deepcopy(draft)
    video = segments(new)
    wanted = [int((sg.get("tr") or {}).get("d") or 0) for sg in video]
    cuts: list[int] = []
    start = prev = 0
    for i, sg in enumerate(video):
        room = int(sg["d"]) - (wanted[i] // 2 if i < len(video) - 1 else 0) - (prev - start)
        cut = _next_cut(grid, line, prev, sg, target_ms, room)
        cuts.append(cut)
        start = cut - (wanted[i] // 2 if i < len(video) - 1 else 0)
        prev = cut
    # Each transition fits in its two steps (at most 2/3 of the shorter), and is even.
    bounds = [0, *cuts]
    overlaps = []
    for i in range(len(video) - 1):
        shortest = min(bounds[i + 1] - bounds[i], bounds[i + 2] - bounds[i + 1])
        overlaps.append(min(wanted[i], 2 * shortest // 3) // 2 * 2)
    s = 0
    for i, sg in enumerate(video):
        end = cuts[i] + (overlaps[i] // 2 if i < len(overlaps) else 0)
        sg["d"] = end - s
        if i < len(overlaps):
            if sg.get("tr") and overlaps[i] > 0:
                sg["tr"] = {"type": sg["tr"]["type"], "d": overlaps[i]}
            else:
                sg.pop("tr", None)
            s = cuts[i] - overlaps[i] // 2
    return retime(new, draft.get("d"))
