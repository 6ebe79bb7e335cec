"""The local draft's timing model: the one place that knows how segments line up.

Timing rule (``nemowidgets.protocol``): on the video track segment ``i+1``
starts at ``s_i + d_i - tr_i.d``; the draft's ``d`` is the end of the last video
segment.  :func:`retime` restores every invariant after an edit:

* transitions are clamped to half of each neighbour, so no two overlaps meet
  and ``s`` never goes backwards; the last segment has no ``tr``;
* background music (``loop``) spans the whole video; fades fit inside it;
* captions (``ref``) follow their photo; titles stay inside the video, and a
  title that covered the whole video keeps covering it.

Transitions and Ken Burns moves belong to timeline *positions*, not photos:
after a reorder the rhythm of the slideshow stays the same (:func:`reorder`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from nemowidgets.protocol import TRACK_AUDIO, TRACK_TEXT, TRACK_VIDEO

Draft = dict[str, Any]
Segment = dict[str, Any]

TRANSITIONS = ("crossfade", "fade_black", "slide", "wipe", "zoom", "none")
ASPECTS: dict[str, tuple[int, int]] = {
    "16:9": (16, 9),
    "9:16": (9, 16),
    "1:1": (1, 1),
    "4:5": (4, 5),
}
FITS = ("blur", "black", "cover")
FPS_CHOICES = (24, 25, 30, 50, 60)
POSITIONS = ("top", "center", "bottom")

DEFAULT_PHOTO_MS = 3000
DEFAULT_TRANSITION_MS = 500
VIDEO_CLIP_CAP_MS = 10_000  # a long clip would swallow a photo slideshow
MIN_PHOTO_MS, MAX_PHOTO_MS = 200, 60_000
MAX_TRANSITION_MS = 5000
DEFAULT_VOLUME = 0.8
DEFAULT_FADE_OUT_MS = 1000
DEFAULT_TITLE_MS = 3000
TITLE_SIZE, CAPTION_SIZE = 0.08, 0.06
_TRACK_ORDER = {TRACK_VIDEO: 0, TRACK_AUDIO: 1, TRACK_TEXT: 2}

#: Ken Burns moves, cycled by position: zoom in, zoom out, pan right, drift.
#: Centres stay inside the zoomed window (|x - .5| <= .5 - .5 / z).
KB_MOVES: tuple[dict[str, float], ...] = (
    {"z0": 1.0, "z1": 1.12, "x0": 0.5, "y0": 0.5, "x1": 0.5, "y1": 0.5},
    {"z0": 1.12, "z1": 1.0, "x0": 0.5, "y0": 0.5, "x1": 0.5, "y1": 0.5},
    {"z0": 1.12, "z1": 1.12, "x0": 0.46, "y0": 0.5, "x1": 0.54, "y1": 0.5},
    {"z0": 1.1, "z1": 1.16, "x0": 0.52, "y0": 0.48, "x1": 0.47, "y1": 0.53},
)


class EditError(ValueError):
    """An edit that cannot be applied; the message says what to do instead."""


# -- helpers ---------------------------------------------------------------------------------


def fmt_s(ms: float) -> str:
    """Seconds for replies: ``3000`` → ``"3"``, ``2500`` → ``"2.5"``, ``333`` → ``"0.33"``."""
    return f"{ms / 1000:.2f}".rstrip("0").rstrip(".")


def track(draft: Draft | None, tt: int) -> dict[str, Any] | None:
    """The first track of type ``tt``, or None."""
    for t in (draft or {}).get("t", []):
        if isinstance(t, dict) and t.get("tt") == tt:
            return t
    return None


def segments(draft: Draft | None, tt: int = TRACK_VIDEO) -> list[Segment]:
    """The segments of the first track of type ``tt`` (empty when absent)."""
    t = track(draft, tt)
    if t is None:
        return []
    if not isinstance(t.get("sg"), list):
        t["sg"] = []
    found: list[Segment] = t["sg"]
    return found


def sanitize(draft: object) -> Draft | None:
    """A usable copy of a stored draft (maybe hand-edited), or None if it has no video.

    Drops what no edit can work with (non-dict[str, Any] tracks and segments, media
    segments without a source), gives every segment a unique id, and retimes.
    """
    if not isinstance(draft, dict) or not isinstance(draft.get("t"), list):
        return None
    new = copy.deepcopy(draft)
    new["t"] = [t for t in new["t"] if isinstance(t, dict) and isinstance(t.get("sg"), list)]
    seen: set[str] = set()
    for t in new["t"]:
        t["sg"] = [
            sg
            for sg in t["sg"]
            if isinstance(sg, dict)
            and (t.get("tt") == TRACK_TEXT or isinstance(sg.get("src"), str))
        ]
        for sg in t["sg"]:
            if not isinstance(sg.get("d"), int) or sg["d"] <= 0:
                sg["d"] = DEFAULT_PHOTO_MS if t.get("tt") == TRACK_VIDEO else 1
            if sg.get("id") in seen or not isinstance(sg.get("id"), str):
                sg["id"] = ""
            seen.add(sg["id"])
    for t in new["t"]:
        for sg in t["sg"]:
            if not sg["id"]:
                sg["id"] = next_id(new)
    if not isinstance(new.get("m"), dict):
        new["m"] = default_meta()
    return retime(new) if segments(new) else None


def ensure_track(draft: Draft, tt: int, name: str) -> dict[str, Any]:
    t = track(draft, tt)
    if t is None:
        t = {"tt": tt, "n": name, "sg": []}
        draft.setdefault("t", []).append(t)
        draft["t"].sort(key=lambda x: _TRACK_ORDER.get(x.get("tt"), 3))
    return t


def next_id(draft: Draft) -> str:
    top = 0
    for t in draft.get("t", []):
        for sg in t.get("sg", []):
            tail = str(sg.get("id", "")).rsplit("_", 1)[-1]
            if tail.isdigit():
                top = max(top, int(tail))
    return f"seg_{top + 1}"


def photo_range(ms: int) -> int:
    if not MIN_PHOTO_MS <= ms <= MAX_PHOTO_MS:
        raise EditError(
            f"A photo can last {fmt_s(MIN_PHOTO_MS)} to {fmt_s(MAX_PHOTO_MS)} s, not {fmt_s(ms)} s."
        )
    return int(ms)


def check_index(draft: Draft, index: int) -> int:
    n = len(segments(draft))
    if n == 0:
        raise EditError("The slideshow has no photos yet: ask for a slideshow first.")
    if not 0 <= index < n:
        raise EditError(f"There is no photo {index + 1}: the slideshow has {n} (1-{n}).")
    return index


def canvas_size(aspect: str, short_side: int = 1080) -> tuple[int, int]:
    """Width and height for an aspect preset: 1080 → 1920x1080, 1080x1920, 1080x1350…"""
    a, b = ASPECTS[aspect]
    long_side = round(short_side * max(a, b) / min(a, b) / 2) * 2
    return (long_side, short_side) if a >= b else (short_side, long_side)


def default_meta(canvas: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``m`` of a new draft: 1080p 16:9 30 fps blurred background, or the session's canvas."""
    meta = {
        "width": 1920,
        "height": 1080,
        "fps": 30,
        "aspect": "16:9",
        "fit": "blur",
        "title": None,
    }
    canvas = canvas or {}
    if canvas.get("aspect") in ASPECTS:
        meta["aspect"] = canvas["aspect"]
        meta["width"], meta["height"] = canvas_size(canvas["aspect"])
    w, h = canvas.get("width"), canvas.get("height")
    if isinstance(w, int) and isinstance(h, int) and 16 <= w <= 4096 and 16 <= h <= 4096:
        meta["width"], meta["height"] = w, h
    return meta


# -- timing ----------------------------------------------------------------------------------


def layout(durations: Sequence[int], overlaps: Sequence[int]) -> tuple[list[int], list[int], int]:
    """Starts, effective overlaps and end of a video track (the protocol's timing rule).

    ``overlaps[i]`` is the requested transition between items ``i`` and ``i+1``; it is
    clamped to half of either neighbour so that a segment's two transitions never meet.
    """
    starts, eff, t = [], [], 0
    n = len(durations)
    for i, d in enumerate(durations):
        starts.append(t)
        o = 0
        if i < n - 1:
            o = max(0, min(int(overlaps[i]), d // 2, durations[i + 1] // 2))
            eff.append(o)
        t += d - o
    return starts, eff, (starts[-1] + durations[-1]) if n else 0


def retime(draft: Draft, old_d: int | None = None) -> Draft:
    """Recompute every ``s``, clamp transitions, fit music, captions and titles; set ``d``.

    Mutates and returns ``draft`` (callers pass their own copy).  ``old_d`` is the
    length before the edit: a title spanning all of it keeps spanning the video.
    """
    video = segments(draft)
    for sg in video:
        sg["d"] = max(1, int(sg.get("d") or DEFAULT_PHOTO_MS))
    overlaps = [int((sg.get("tr") or {}).get("d") or 0) for sg in video]
    starts, eff, end = layout([sg["d"] for sg in video], overlaps)
    for i, sg in enumerate(video):
        sg["s"] = starts[i]
        tr = sg.get("tr")
        if i == len(video) - 1 or not tr or tr.get("type") in (None, "none"):
            sg.pop("tr", None)
        else:
            sg["tr"] = {"type": tr["type"], "d": eff[i]}
    draft["d"] = end
    for sg in segments(draft, TRACK_AUDIO):
        sg["s"] = min(int(sg.get("s") or 0), end)
        room = end - sg["s"]
        sg["d"] = room if sg.get("loop", True) else min(int(sg.get("d") or room), room)
        fo = min(int(sg.get("fo") or 0), sg["d"])
        sg["fi"], sg["fo"] = min(int(sg.get("fi") or 0), sg["d"] - fo), fo
    text = track(draft, TRACK_TEXT)
    if text is not None:
        by_id = {sg.get("id"): sg for sg in video}
        kept = []
        for sg in text.get("sg", []):
            if "ref" in sg:
                ref = by_id.get(sg["ref"])
                if ref is None:
                    continue  # its photo was removed
                sg["s"], sg["d"] = ref["s"], ref["d"]
            else:
                s, d = int(sg.get("s") or 0), int(sg.get("d") or DEFAULT_TITLE_MS)
                if old_d and s == 0 and d >= old_d:
                    d = end
                d = min(d, end)
                sg["s"], sg["d"] = max(0, min(s, end - d)), d
            if sg["d"] > 0:
                kept.append(sg)
        text["sg"] = kept
    return draft


def reorder(draft: Draft, order: Sequence[int], old_n: int | None = None) -> Draft:
    """Put the video segments in ``order`` keeping transitions and Ken Burns by position.

    ``order`` may leave segments out (removal).  Positions past the old last
    transition (``old_n``, for appends) get the slideshow's transition style.
    """
    new = copy.deepcopy(draft)
    video = segments(new)
    old_n = len(video) if old_n is None else old_n
    trs = [sg.get("tr") for sg in video]
    kbs = [sg.get("kb") for sg in video]
    style = next((tr for tr in trs if tr), None)
    moved = [video[i] for i in order]
    for pos, sg in enumerate(moved):
        tr = trs[pos] if pos < old_n - 1 else style
        sg.pop("tr", None)
        if tr and pos < len(moved) - 1:
            sg["tr"] = dict(tr)
        if "kb" in sg:
            sg["kb"] = dict(kbs[pos] or KB_MOVES[pos % len(KB_MOVES)])
    video[:] = moved
    return retime(new, draft.get("d"))
