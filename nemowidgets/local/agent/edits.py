"""Pure, deterministic edits of the local draft: each takes a draft and returns a new one.

The agent (``respond.py``) turns a prompt into a list of these calls; each call is
streamed to the client as one ADK function call.  Keeping them pure (the input
is deep-copied, never mutated; no clock, no randomness without a seed) is what
makes "same prompt, same media → same draft" hold, and what lets tests check
the timing invariants without a server.  Every edit ends in
:func:`~nemowidgets.local.agent.timing.retime`, so the timing rule always holds.
Impossible edits raise :class:`EditError` with a message for the user.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from nemowidgets.local.agent.beat_sync import cut_times, sync_to_beats
from nemowidgets.local.agent.clips import mute_clip, set_look, trim_clip
from nemowidgets.local.agent.overlays import (
    add_caption,
    add_file_name_captions,
    add_music,
    remove_captions,
    remove_logo,
    remove_music,
    remove_title,
    set_logo,
    set_music_fade,
    set_music_volume,
    set_text_style,
    set_title,
)
from nemowidgets.local.agent.removed_media import hidden_media, keep_hidden, remove_media
from nemowidgets.local.agent.sequence import (
    move_segment,
    remove_segment,
    reverse_order,
    shuffle_order,
    swap_segments,
)
from nemowidgets.local.agent.timing import (
    ASPECTS,
    DEFAULT_PHOTO_MS,
    DEFAULT_TRANSITION_MS,
    DEFAULT_VOLUME,
    FITS,
    FPS_CHOICES,
    KB_MOVES,
    MAX_PHOTO_MS,
    MAX_TRANSITION_MS,
    MIN_PHOTO_MS,
    TITLE_SIZE,
    TRANSITIONS,
    VIDEO_CLIP_CAP_MS,
    Draft,
    EditError,
    Segment,
    canvas_size,
    check_index,
    default_meta,
    ensure_track,
    fmt_s,
    layout,
    next_id,
    photo_range,
    reorder,
    retime,
    segments,
)
from nemowidgets.protocol import TRACK_AUDIO, TRACK_VIDEO

__all__ = [
    "DEFAULT_PHOTO_MS",
    "DEFAULT_TRANSITION_MS",
    "DEFAULT_VOLUME",
    "MAX_TRANSITION_MS",
    "TITLE_SIZE",
    "EditError",
    "add_caption",
    "add_file_name_captions",
    "add_music",
    "append_media",
    "cut_times",
    "default_meta",
    "fit_to_music",
    "hidden_media",
    "keep_hidden",
    "make_slideshow",
    "move_segment",
    "mute_clip",
    "remove_captions",
    "remove_logo",
    "remove_media",
    "remove_music",
    "remove_segment",
    "remove_title",
    "reverse_order",
    "set_canvas",
    "set_fit",
    "set_ken_burns",
    "set_logo",
    "set_look",
    "set_music_fade",
    "set_music_volume",
    "set_photo_duration",
    "set_segment_duration",
    "set_text_style",
    "set_title",
    "set_total_duration",
    "set_transition",
    "shuffle_order",
    "swap_segments",
    "sync_to_beats",
    "trim_clip",
]

_LOOK_KEYS = ("fx", "br", "ct")

# -- building --------------------------------------------------------------------------------


def _visual_segment(item: dict[str, Any], seg_id: str, photo_ms: int) -> Segment:
    kind = "video" if item.get("file_type") == "video" else "image"
    sg: Segment = {
        "id": seg_id,
        "s": 0,
        "d": photo_ms,
        "src": item["id"],
        "n": item.get("filename") or item["id"],
        "k": kind,
    }
    if kind == "video":
        length = round(float(item.get("duration") or 0) * 1000) or photo_ms
        sg.update({"d": min(length, VIDEO_CLIP_CAP_MS), "in": 0, "vol": 1.0})
    return sg


def make_slideshow(
    media: Sequence[dict[str, Any]],
    *,
    photo_ms: int = DEFAULT_PHOTO_MS,
    transition: str = "none",
    transition_ms: int = DEFAULT_TRANSITION_MS,
    ken_burns: bool = False,
    music: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> Draft:
    """A new draft: the photos and clips of ``media`` in upload order, optional music."""
    visuals = [m for m in media if m.get("file_type") in ("image", "video")]
    if not visuals:
        raise EditError("Upload some photos first, then ask for a slideshow.")
    photo_range(photo_ms)
    draft: Draft = {
        "t": [{"tt": TRACK_VIDEO, "n": "Photos", "sg": []}],
        "d": 0,
        "m": dict(meta) if meta else default_meta(),
    }
    video = draft["t"][0]["sg"]
    for i, item in enumerate(visuals):
        video.append(_visual_segment(item, f"seg_{i + 1}", photo_ms))
    retime(draft)
    draft = set_transition(draft, transition, transition_ms)
    if ken_burns:
        draft = set_ken_burns(draft, True)
    if music is not None:
        draft = add_music(draft, music)
    return draft


def append_media(
    draft: Draft, media: Sequence[dict[str, Any]], photo_ms: int | None = None
) -> Draft:
    """Add photos and clips at the end, with the slideshow's transition and motion style."""
    new = copy.deepcopy(draft)
    ensure_track(new, TRACK_VIDEO, "Photos")
    video = segments(new)
    images = [sg["d"] for sg in video if sg.get("k") == "image"]
    ms = photo_ms or (max(set(images), key=images.count) if images else DEFAULT_PHOTO_MS)
    kb = any("kb" in sg for sg in video)
    # A look given to every photo and clip is the slideshow's look: new ones get it too.
    looks = {tuple((k, sg.get(k)) for k in _LOOK_KEYS) for sg in video}
    look = {k: v for k, v in looks.pop() if v is not None} if len(looks) == 1 else {}
    old_n = len(video)
    for item in media:
        sg = _visual_segment(item, next_id(new), ms)
        if kb and sg["k"] == "image":
            sg["kb"] = {}
        sg.update(look)
        video.append(sg)
    return reorder(new, range(len(video)), old_n)


# -- timing edits ----------------------------------------------------------------------------


def set_photo_duration(draft: Draft, ms: int) -> Draft:
    """Every photo lasts ``ms`` (video clips keep their length)."""
    photo_range(ms)
    new = copy.deepcopy(draft)
    for sg in segments(new):
        if sg.get("k", "image") == "image":
            sg["d"] = int(ms)
    return retime(new, draft.get("d"))


def set_segment_duration(draft: Draft, index: int, ms: int, max_ms: int | None = None) -> Draft:
    """Segment ``index`` (0-based) lasts ``ms``; a clip no longer than its source allows."""
    check_index(draft, index)
    new = copy.deepcopy(draft)
    sg = segments(new)[index]
    if sg.get("k") == "video" and max_ms:
        room = max_ms - int(sg.get("in") or 0)
        if ms > room:
            raise EditError(f"{sg.get('n', 'That clip')} is only {fmt_s(room)} s long.")
    sg["d"] = photo_range(ms)
    return retime(new, draft.get("d"))


def set_total_duration(draft: Draft, ms: int) -> Draft:
    """Stretch the photos equally (within 1 ms) so that the video lasts exactly ``ms``.

    Transition overlaps are accounted for, including clamped ones, by searching the
    photo length whose layout ends at ``ms`` and spreading the remainder 1 ms at a time.
    """
    video = segments(draft)
    photos = [i for i, sg in enumerate(video) if sg.get("k", "image") == "image"]
    if not photos:
        raise EditError("There are no photos to stretch: video clips keep their own length.")
    durs = [int(sg.get("d") or 0) for sg in video]
    overlaps = [int((sg.get("tr") or {}).get("d") or 0) for sg in video]

    def end_with(p: int) -> int:
        for i in photos:
            durs[i] = p
        return layout(durs, overlaps)[2]

    if end_with(MIN_PHOTO_MS) > ms or end_with(MAX_PHOTO_MS) < ms:
        raise EditError(
            f"{fmt_s(ms)} s does not fit {len(photos)} photo(s): each would need to last "
            f"under {fmt_s(MIN_PHOTO_MS)} s or over {fmt_s(MAX_PHOTO_MS)} s."
        )
    lo, hi = MIN_PHOTO_MS, MAX_PHOTO_MS
    while lo < hi:  # largest photo length whose video is not longer than ms
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if end_with(mid) <= ms else (lo, mid - 1)
    end_with(lo)
    for _ in range(4 * len(photos)):  # each +1 ms lengthens the video by 0 or 1 ms
        if layout(durs, overlaps)[2] >= ms:
            break
        for i in photos:
            durs[i] += 1
            if layout(durs, overlaps)[2] >= ms:
                break
    new = copy.deepcopy(draft)
    for sg, d in zip(segments(new), durs, strict=True):
        sg["d"] = d
    return retime(new, draft.get("d"))


def fit_to_music(draft: Draft, music_ms: int) -> Draft:
    """The video lasts exactly as long as the song (photos share the time equally)."""
    if not segments(draft, TRACK_AUDIO):
        raise EditError("There is no music to fit to: upload a song and say 'add music'.")
    return set_total_duration(draft, music_ms)


def set_transition(draft: Draft, kind: str | None = None, ms: int | None = None) -> Draft:
    """One transition between every pair of segments (``"none"``: hard cuts)."""
    video = segments(draft)
    current = next((sg["tr"] for sg in video if sg.get("tr")), None)
    kind = kind or (current or {}).get("type") or "crossfade"
    if kind not in TRANSITIONS:
        raise EditError(f"Unknown transition {kind!r}; choose one of {', '.join(TRANSITIONS)}.")
    if ms is None:
        ms = int(current["d"]) if current else DEFAULT_TRANSITION_MS
    if not 0 <= ms <= MAX_TRANSITION_MS:
        raise EditError(
            f"A transition can last 0 to {fmt_s(MAX_TRANSITION_MS)} s, not {fmt_s(ms)} s."
        )
    new = copy.deepcopy(draft)
    for sg in segments(new):
        sg.pop("tr", None)
        if kind != "none" and ms > 0:
            sg["tr"] = {"type": kind, "d": ms}
    return retime(new, draft.get("d"))


def set_ken_burns(draft: Draft, on: bool, style: str | None = None) -> Draft:
    """Slow zoom/pan on every photo, or none: alternating moves, or all ``"in"`` / ``"out"``."""
    new = copy.deepcopy(draft)
    for pos, sg in enumerate(segments(new)):
        sg.pop("kb", None)
        if on and sg.get("k", "image") == "image":
            move = {"in": 0, "out": 1}.get(style or "", pos % len(KB_MOVES))
            sg["kb"] = dict(KB_MOVES[move])
    return retime(new, draft.get("d"))


# -- canvas ----------------------------------------------------------------------------------


def set_canvas(
    draft: Draft, aspect: str | None = None, short_side: int | None = None, fps: int | None = None
) -> Draft:
    """Aspect preset and/or size (720 or 1080 short side) and/or frame rate."""
    new = copy.deepcopy(draft)
    m = new.setdefault("m", default_meta())
    aspect = aspect or m.get("aspect") or "16:9"
    if aspect not in ASPECTS:
        raise EditError(f"Unknown aspect {aspect!r}; choose one of {', '.join(ASPECTS)}.")
    if short_side is None:
        side = min(int(m.get("width") or 1920), int(m.get("height") or 1080))
        short_side = 720 if side <= 720 else 1080
    if fps is not None and fps not in FPS_CHOICES:
        raise EditError(f"The frame rate can be {', '.join(map(str, FPS_CHOICES))} fps, not {fps}.")
    m["aspect"] = aspect
    m["width"], m["height"] = canvas_size(aspect, short_side)
    m["fps"] = fps or m.get("fps") or 30
    return new


def set_fit(draft: Draft, fit: str) -> Draft:
    """How photos fill the frame: ``blur`` background, ``black`` bars or ``cover`` (crop)."""
    if fit not in FITS:
        raise EditError(f"Unknown fit {fit!r}; choose one of {', '.join(FITS)}.")
    new = copy.deepcopy(draft)
    new.setdefault("m", default_meta())["fit"] = fit
    return new
