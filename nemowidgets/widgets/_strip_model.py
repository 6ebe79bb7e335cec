"""What the timeline strip draws: a draft turned into lanes of plain JSON, times in ms.

Pure functions, so the truth the strip shows is tested without a browser:

* segments at their real start and length, so a transition, which by the
  timing rule makes the next segment start before this one ends, is drawn as
  the overlap it is (``overlaps``: where, how long, which transition);
* Ken Burns moves as a marker on the photo (``kb``: "zoom in", "zoom out", "pan");
* the music's fades and volume, and its beats once a backend sends them:
  ``beats`` on the audio segment (ms in the song) or on its media item
  (seconds in the song, the media list's unit), placed on the timeline through
  the segment's in-point and looping;
* which lane can be edited by hand (the video lane: reorder and trim).
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING, Any

from nemowidgets.draft import format_seconds

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.api.models import MediaInfo
    from nemowidgets.draft import Draft, Segment, Track

__all__ = ["LANE_NAMES", "kb_label", "strip_model"]

LANE_NAMES = {"video": "Video", "audio": "Music", "text": "Titles"}
_TICK_STEPS = (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600)
_MAX_BEATS = 2000


def kb_label(kb: Any) -> str | None:
    """A Ken Burns move in words: ``"zoom in"``, ``"zoom out"`` or ``"pan"``; None if none."""
    if not isinstance(kb, dict):
        return None
    z0, z1 = float(kb.get("z0", 1.0) or 1.0), float(kb.get("z1", 1.0) or 1.0)
    if z1 > z0 + 1e-3:
        return "zoom in"
    if z1 < z0 - 1e-3:
        return "zoom out"
    return "pan"


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _transition(seg: Segment) -> dict[str, Any] | None:
    tr = seg.transition
    if not tr or tr.get("type", "none") == "none":
        return None
    d = tr.get("d")
    return {"type": str(tr.get("type")), "d": int(d) if isinstance(d, int | float) else 0}


def _segment(seg: Segment, kind: str) -> dict[str, Any]:
    raw = seg.raw
    label = seg.text or seg.name or ""
    tip = f"{label} · {format_seconds(seg.start)}–{format_seconds(seg.end)} s"
    out: dict[str, Any] = {
        "id": str(raw.get("id") or f"{kind}-{seg.number}"),
        "s": _ms(seg.start),
        "d": _ms(seg.duration),
        "label": label,
        "kind": str(raw.get("k") or kind),
        "src": str(raw["src"]) if raw.get("src") else None,
        "tr": _transition(seg),
        "kb": kb_label(raw.get("kb")) if "kb" in raw else None,
    }
    if out["tr"]:
        tip += f" · then {out['tr']['type']} {format_seconds(out['tr']['d'] / 1000)} s"
    if out["kb"]:
        tip += f" · Ken Burns {out['kb']}"
    if seg.volume is not None:
        out["vol"] = seg.volume
        tip += f" · volume {seg.volume * 100:.0f}%"
    for key in ("fi", "fo"):
        if isinstance(raw.get(key), int | float) and raw[key] > 0:
            out[key] = int(raw[key])
    out["tip"] = tip
    return out


def _overlaps(segs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Where a segment runs into the next one (the transitions), as drawn spans."""
    spans = []
    for a, b in pairwise(segs):
        end = a["s"] + a["d"]
        if b["s"] < end:
            kind = (a["tr"] or {}).get("type") or "overlap"
            spans.append({"s": b["s"], "d": end - b["s"], "type": kind, "after": a["id"]})
    return spans


def _beats(seg: Segment, media: dict[str, MediaInfo]) -> list[int]:
    """The beats of a music segment on the timeline (ms); empty when none are known."""
    raw = seg.raw
    beats = raw.get("beats")
    scale = 1.0
    item = media.get(str(raw.get("src"))) if raw.get("src") else None
    if not isinstance(beats, list) and item is not None:
        beats, scale = item.extra.get("beats"), 1000.0
    if not isinstance(beats, list):
        return []
    song = [b * scale for b in beats if isinstance(b, int | float) and b >= 0]
    start, length = _ms(seg.start), _ms(seg.duration)
    inpoint = float(raw.get("in") or 0)
    period = float(item.duration * 1000) if item is not None and item.duration else 0.0
    out: list[int] = []
    offset = 0.0
    while len(out) < _MAX_BEATS:
        for b in song:
            t = b - inpoint + offset
            if 0 <= t < length:
                out.append(round(start + t))
        if not (raw.get("loop") and period > 0) or offset + period - inpoint >= length:
            break
        offset += period
    return sorted(set(out))[:_MAX_BEATS]


def _lane(track: Track, media: dict[str, MediaInfo]) -> dict[str, Any]:
    segs = [_segment(seg, track.kind) for seg in track.segments]
    lane: dict[str, Any] = {
        "kind": track.kind,
        "label": LANE_NAMES.get(track.kind, track.name or track.kind),
        "editable": track.kind == "video",
        "segments": segs,
        "overlaps": _overlaps(segs) if track.kind == "video" else [],
        "beats": [],
    }
    if track.kind == "audio":
        lane["beats"] = sorted({b for seg in track.segments for b in _beats(seg, media)})
    return lane


def strip_model(draft: Draft | None, media: dict[str, MediaInfo]) -> dict[str, Any]:
    """The strip's JSON for ``draft`` (``{}`` without one); ``media`` by id."""
    if draft is None:
        return {}
    total = max([draft.duration, *(t.end for t in draft.tracks)]) or 1.0
    step = next((s for s in _TICK_STEPS if total / s <= 10), _TICK_STEPS[-1])
    return {
        "version": draft.version,
        "total": _ms(total),
        "tick": _ms(step),
        "lanes": [_lane(track, media) for track in draft.tracks],
        "summary": draft.summary(),
    }
