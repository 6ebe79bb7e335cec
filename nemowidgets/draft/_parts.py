"""The parts of a draft: tracks and segments, parsed tolerantly, and how times are shown.

Kept apart from :class:`~nemowidgets.draft.Draft` so that the diff
(:mod:`nemowidgets.draft._diff`) and the draft both build on them without
importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeGuard

from nemowidgets.api.errors import MalformedPayloadError
from nemowidgets.protocol import TRACK_KIND_NAMES

__all__ = [
    "Segment",
    "Track",
    "bad",
    "format_seconds",
    "is_number",
    "number",
    "parse_track",
    "row_kind",
]


def format_seconds(seconds: float) -> str:
    """``10.0`` -> ``"10"``, ``25.5`` -> ``"25.5"``, ``3.25`` -> ``"3.25"`` (no unit)."""
    text = f"{seconds:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def row_kind(track_kind: str, media_kind: str | None) -> str:
    """What a segment is, for the table: ``"photo"`` for a still on the video track.

    The track's kind says where a segment plays (a photo and a clip both play on
    the video track); the segment's media kind (``k``) says what it is, and a
    user asking for the photos means the stills.
    """
    if track_kind == "video" and media_kind == "image":
        return "photo"
    return track_kind


def is_number(value: object) -> TypeGuard[int | float]:
    """A JSON number (``True`` is not one)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def bad(path: str, expected: str, value: Any) -> MalformedPayloadError:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return MalformedPayloadError(
        f"Malformed draft: {path} should be {expected}, got {shown}.", path=path
    )


def number(obj: dict[str, Any], key: str, path: str) -> float | None:
    """``obj[key]`` as a float; ``None`` when missing; malformed when not a number."""
    value = obj.get(key)
    if value is None:
        return None
    if not is_number(value):
        raise bad(f"{path}.{key}", "a number", value)
    return float(value)


@dataclass(frozen=True)
class Segment:
    """One parsed segment; ``raw`` is the backend's dict, untouched."""

    number: int  # 1-based within its track
    start: float  # seconds
    duration: float  # seconds
    raw: dict[str, Any] = field(repr=False)

    @property
    def end(self) -> float:
        return self.start + self.duration

    @property
    def name(self) -> str | None:
        value = self.raw.get("n") or self.raw.get("src")
        return None if value is None else str(value)

    @property
    def text(self) -> str | None:
        value = self.raw.get("txt")
        return None if value is None else str(value)

    @property
    def volume(self) -> float | None:
        value = self.raw.get("vol")
        return float(value) if is_number(value) else None

    @property
    def media_kind(self) -> str | None:
        value = self.raw.get("k")
        return None if value is None else str(value)

    @property
    def transition(self) -> dict[str, Any] | None:
        tr = self.raw.get("tr")
        return tr if isinstance(tr, dict) else None


@dataclass(frozen=True)
class Track:
    """One parsed track: its 1-based number, protocol type and kind name."""

    number: int
    type: Any  # the raw ``tt`` (an int for every known backend)
    kind: str  # "video" | "audio" | "text" | "other(tt)"
    name: str | None
    segments: tuple[Segment, ...]

    @property
    def start(self) -> float:
        return min((s.start for s in self.segments), default=0.0)

    @property
    def end(self) -> float:
        return max((s.end for s in self.segments), default=0.0)


def _kind(tt: Any) -> str:
    if is_number(tt) and float(tt).is_integer() and int(tt) in TRACK_KIND_NAMES:
        return TRACK_KIND_NAMES[int(tt)]
    if isinstance(tt, str) and tt.strip().isdigit() and int(tt) in TRACK_KIND_NAMES:
        return TRACK_KIND_NAMES[int(tt)]
    return f"other({'?' if tt is None else tt})"


def parse_track(index: int, track: Any) -> Track:
    path = f"draft.t[{index}]"
    if not isinstance(track, dict):
        raise bad(path, "an object", track)
    segments_raw = track.get("sg")
    if segments_raw is None:
        segments_raw = []
    if not isinstance(segments_raw, list):
        raise bad(f"{path}.sg", "a list", segments_raw)
    segments: list[Segment] = []
    cursor = 0.0  # where the next segment starts when it has no ``s`` (the timing rule)
    for j, seg in enumerate(segments_raw):
        spath = f"{path}.sg[{j}]"
        if not isinstance(seg, dict):
            raise bad(spath, "an object", seg)
        start_ms = number(seg, "s", spath)
        dur_ms = number(seg, "d", spath)
        number(seg, "vol", spath)  # validated: the table computes with it
        start = cursor if start_ms is None else start_ms / 1000
        duration = 0.0 if dur_ms is None else dur_ms / 1000
        tr = seg.get("tr")
        overlap = 0.0
        if isinstance(tr, dict) and tr.get("type", "none") != "none":
            overlap = (number(tr, "d", f"{spath}.tr") or 0.0) / 1000
        cursor = start + duration - overlap
        segments.append(Segment(j + 1, start, duration, seg))
    name = track.get("n")
    return Track(
        index + 1,
        track.get("tt"),
        _kind(track.get("tt")),
        None if name is None else str(name),
        tuple(segments),
    )
