"""Edits of how photos and clips look and sound: looks (filters), trims, muting.

Pure like ``edits.py`` (which re-exports them): the draft is deep-copied, never
mutated, and every edit that changes a length ends in
:func:`~nemowidgets.local.agent.timing.retime`.  ``segments`` arguments are 0-based
positions on the video track; ``None`` means every photo and clip.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence

from nemowidgets.local.agent.timing import (
    MIN_PHOTO_MS,
    Draft,
    EditError,
    Segment,
    check_index,
    fmt_s,
    retime,
    segments,
)
from nemowidgets.protocol import LOOKS

#: Words people use for a look -> the look's name in the draft (``fx``).
LOOK_ALIASES: dict[str, str] = {
    "black and white": "bw", "black & white": "bw", "b&w": "bw", "mono": "bw",
    "monochrome": "bw", "grayscale": "bw", "greyscale": "bw", "gray": "bw", "grey": "bw",
    "vintage": "sepia", "warmer": "warm", "cooler": "cool", "vibrant": "vivid",
    "saturated": "vivid", "washed out": "faded", "matte": "faded", "normal": "none",
    "original": "none", "off": "none",
}  # fmt: skip
BRIGHTNESS_RANGE = (-1.0, 1.0)
CONTRAST_RANGE = (0.0, 3.0)


def look_name(look: str) -> str:
    """``"Black and white"`` -> ``"bw"``; an :class:`EditError` listing the looks if unknown."""
    key = " ".join(str(look).lower().replace("-", " ").split())
    name = LOOK_ALIASES.get(key, key)
    if name not in LOOKS:
        raise EditError(f"Unknown look {look!r}; choose one of {', '.join(LOOKS)}.")
    return name


def _chosen(draft: Draft, which: Sequence[int] | None) -> list[int]:
    video = segments(draft)
    if which is None:
        if not video:
            raise EditError("The slideshow has no photos yet: ask for a slideshow first.")
        return list(range(len(video)))
    return [check_index(draft, int(i)) for i in which]


def _in_range(value: float, lo: float, hi: float, what: str) -> float:
    if not (math.isfinite(value) and lo <= value <= hi):
        raise EditError(f"The {what} can be {lo:g} to {hi:g}, not {value:g}.")
    return round(float(value), 3)


def set_look(
    draft: Draft,
    look: str | None = None,
    segments: Sequence[int] | None = None,
    *,
    brightness: float | None = None,
    contrast: float | None = None,
) -> Draft:
    """Give photos and clips a look (``bw``, ``sepia``, ``warm``, ...), and/or a brightness
    (-1..1, 0 = as shot) and contrast (0..3, 1 = as shot).  ``"none"`` removes the look;
    unspecified properties are kept."""
    name = None if look is None else look_name(look)
    br = None if brightness is None else _in_range(brightness, *BRIGHTNESS_RANGE, "brightness")
    ct = None if contrast is None else _in_range(contrast, *CONTRAST_RANGE, "contrast")
    if name is None and br is None and ct is None:
        raise EditError("Say which look (e.g. black and white, sepia, warm) or how bright.")
    new = copy.deepcopy(draft)
    video = _video(new)
    for i in _chosen(new, segments):
        sg = video[i]
        for key, value, neutral in (("fx", name, "none"), ("br", br, 0.0), ("ct", ct, 1.0)):
            if value is None:
                continue
            if value == neutral:
                sg.pop(key, None)
            else:
                sg[key] = value
    return new


def _video(draft: Draft) -> list[Segment]:
    return segments(draft)


def _clip(draft: Draft, index: int) -> Segment:
    check_index(draft, index)
    sg = segments(draft)[index]
    if sg.get("k") != "video":
        raise EditError(f"{sg.get('n') or f'Segment {index + 1}'} is a photo, not a video clip.")
    return sg


def trim_clip(
    draft: Draft,
    index: int,
    start_ms: int | None = None,
    end_ms: int | None = None,
    *,
    source_ms: int | None = None,
) -> Draft:
    """Show only ``start_ms``..``end_ms`` of clip ``index`` (times inside the clip's file).

    An unspecified start is kept; an unspecified end is the clip's current out-point
    (or, when the new start is past it, the end of the file, ``source_ms``, when
    known).  ``source_ms`` (the clip's length) also bounds both.  The clip's ``in``
    becomes the start and its ``d`` the trimmed length.
    """
    new = copy.deepcopy(draft)
    sg = _clip(new, index)
    old_in = int(sg.get("in") or 0)
    old_out = old_in + int(sg.get("d") or 0)
    start = old_in if start_ms is None else int(start_ms)
    if end_ms is not None:
        end = int(end_ms)
    elif old_out > start:
        end = old_out
    else:  # started after the old out-point: to the end of the file, or as long as before
        end = source_ms or start + (old_out - old_in)
    name = sg.get("n") or f"Clip {index + 1}"
    if start < 0 or (source_ms is not None and start >= source_ms):
        raise EditError(f"{name} lasts only {fmt_s(source_ms or 0)} s; start it earlier.")
    if source_ms is not None and end > source_ms:
        raise EditError(f"{name} lasts only {fmt_s(source_ms)} s; it cannot end at {fmt_s(end)} s.")
    if end - start < MIN_PHOTO_MS:
        raise EditError(
            f"A clip must show at least {fmt_s(MIN_PHOTO_MS)} s: from {fmt_s(start)} s "
            f"to {fmt_s(end)} s is too short."
        )
    sg["in"], sg["d"] = start, end - start
    return retime(new, draft.get("d"))


def mute_clip(draft: Draft, index: int | None = None, muted: bool = True) -> Draft:
    """Mute (or unmute) the sound of clip ``index``, or of every clip; the music is kept.

    The clip's volume (``vol``) is kept, so unmuting brings back the sound as it was.
    """
    new = copy.deepcopy(draft)
    if index is None:
        clips = [sg for sg in segments(new) if sg.get("k") == "video"]
        if not clips:
            raise EditError("There are no video clips to mute: the music is muted with volume 0.")
    else:
        clips = [_clip(new, index)]
    for sg in clips:
        if muted:
            sg["mu"] = True
        else:
            sg.pop("mu", None)
    return new
