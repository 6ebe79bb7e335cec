"""The draft read into a render plan: canvas, visual segments, titles and audio parts.

All validation happens here, before the first frame is encoded, so a draft that names
a media id nobody uploaded fails at once with the segment and the file in the message.

Timing: segments are placed where their ``s`` says (times in ms).  For the agent's
drafts that is the timing rule of ``nemowidgets.protocol`` (segment i+1 starts
``tr.d`` before segment i ends); where two video-track segments overlap, the earlier
one's ``tr`` says how to blend them (no ``tr`` or ``"none"``: a hard cut halfway).
A gap between segments renders black.  The output lasts the draft's ``d``.

Decorations (text colour and box, looks, the logo) are read by ``decor``; what the
render cannot draw faithfully (a character no font has) becomes one of the plan's
``warnings``, which reach the user with the render's result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from nemowidgets.protocol import TRACK_AUDIO, TRACK_TEXT, TRACK_VIDEO, media_kind

from . import decor
from .audio import SAMPLE_RATE, AudioPart
from .errors import failure
from .frames import Canvas, even
from .logo import LogoSpec
from .looks import Look
from .text import TextStyle

PREVIEW_MAX_SIDE = 640
PREVIEW_MAX_FPS = 15
PRESETS = {"high": "veryfast", "preview": "ultrafast"}  # x264
AUDIO_BITRATES = {"high": 192_000, "preview": 128_000}  # AAC, stereo


@dataclass
class Visual:
    """A photo or video clip on the video track (times in seconds)."""

    index: int
    seg_id: str
    kind: str  # "image" | "video"
    path: Path
    name: str
    start: float
    end: float
    in_point: float = 0.0
    kb: object = None
    transition: str = "none"  # into the next segment
    look: Look | None = None


@dataclass
class Title:
    text: str
    start: float
    end: float
    pos: str = "center"
    size: float = 0.08
    style: TextStyle | None = None


@dataclass
class Plan:
    canvas: Canvas
    preset: str
    audio_bitrate: int
    fit: str
    frames: int
    visuals: list[Visual] = field(default_factory=list)
    titles: list[Title] = field(default_factory=list)
    audio: list[AudioPart] = field(default_factory=list)
    logo: LogoSpec | None = None
    warnings: list[str] = field(default_factory=list)


def _mapping(value: object) -> Mapping[str, Any]:
    """``value`` if it is a mapping (a JSON object), else an empty one."""
    return value if isinstance(value, Mapping) else {}


def _num(seg: Mapping[str, Any], key: str, default: float, seg_id: str | None) -> float:
    value = seg.get(key, default)
    try:
        number = float(default if value is None else value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise failure(
            seg_id,
            None,
            f"field {key!r} is not a number ({value!r})",
            "Fix the draft (times are integer milliseconds).",
        )
    return number


def _canvas(meta: Mapping[str, Any], quality: str) -> Canvas:
    def dim(key: str, default: int) -> int:
        try:
            return min(max(int(meta.get(key) or default), 16), 7680)
        except (TypeError, ValueError):
            return default

    width, height = dim("width", 1920), dim("height", 1080)
    try:
        fps = Fraction(str(meta.get("fps") or 30)).limit_denominator(1001)
    except (TypeError, ValueError, ZeroDivisionError):
        fps = Fraction(30)
    fps = min(max(fps, Fraction(1)), Fraction(120))
    if quality == "preview":
        scale = min(1.0, PREVIEW_MAX_SIDE / max(width, height))
        fps = min(fps, Fraction(PREVIEW_MAX_FPS))
        return Canvas(even(width * scale), even(height * scale), fps)
    return Canvas(even(width), even(height), fps)


def _path(seg: Mapping[str, Any], media: Mapping[str, Path], seg_id: str) -> tuple[Path, str]:
    src = seg.get("src")
    name = str(seg.get("n") or src or "")
    if not src or src not in media:
        raise failure(
            seg_id,
            name or None,
            f"media id {src!r} is not among the uploaded files",
            "Upload the file again, or remove the segment from the draft.",
        )
    path = Path(media[src])
    if not path.is_file():
        raise failure(
            seg_id,
            name,
            "the stored file is missing",
            "Upload the file again, or remove the segment from the draft.",
        )
    return path, name or path.name


def _title(seg: Mapping[str, Any], seg_id: str, start: float, length: float) -> Title | None:
    text = str(seg.get("txt") or seg.get("n") or "").strip()
    if not text or length <= 0:
        return None
    pos = str(seg.get("pos") or "center")
    size = _num(seg, "sz", 0.08, seg_id)
    return Title(text, start, start + length, pos, size, decor.text_style(seg, seg_id, pos, size))


def _segment(
    plan: Plan, tt: object, seg: Mapping[str, Any], seg_id: str, media: Mapping[str, Path]
) -> None:
    """Add one segment of a video or audio track to the plan."""
    ms = 1000.0
    start = _num(seg, "s", 0, seg_id) / ms
    length = max(0.0, _num(seg, "d", 0, seg_id) / ms)
    kind = seg.get("k")
    if kind == "text" or (tt == TRACK_TEXT and kind is None):
        title = _title(seg, seg_id, start, length)
        if title is not None:
            plan.titles.append(title)
            plan.warnings.extend(decor.text_warnings(seg_id, title.text))
        return
    if tt not in (TRACK_VIDEO, TRACK_AUDIO) or length <= 0:
        return
    path, name = _path(seg, media, seg_id)
    kind = kind or media_kind(path.name) or media_kind(name)
    in_point = max(0.0, _num(seg, "in", 0, seg_id) / ms)
    volume = min(max(_num(seg, "vol", 1.0, seg_id), 0.0), 2.0)
    part = AudioPart(
        path,
        round(start * SAMPLE_RATE),
        round(length * SAMPLE_RATE),
        in_point,
        volume,
        round(max(0.0, _num(seg, "fi", 0, seg_id)) / ms * SAMPLE_RATE),
        round(max(0.0, _num(seg, "fo", 0, seg_id)) / ms * SAMPLE_RATE),
        bool(seg.get("loop")),
        seg_id,
        name,
    )
    if tt == TRACK_VIDEO and kind in ("image", "video"):
        tr = _mapping(seg.get("tr"))
        plan.visuals.append(
            Visual(
                len(plan.visuals),
                seg_id,
                kind,
                path,
                name,
                start,
                start + length,
                in_point,
                seg.get("kb"),
                str(tr.get("type") or "none"),
                decor.look(seg, seg_id, name),
            )
        )
        if kind == "video" and not seg.get("mu"):  # ``mu``: the clip's own sound is muted
            plan.audio.append(replace(part, fade_in=0, fade_out=0, loop=False, required=False))
    elif kind in ("audio", "video"):
        plan.audio.append(part)


def plan_render(draft: Mapping[str, Any], media: Mapping[str, Path], quality: str) -> Plan:
    """Read and check ``draft``; raise :class:`RenderFailure` naming what is wrong."""
    if not isinstance(draft, Mapping) or not isinstance(draft.get("t", []), list):
        raise failure(
            None,
            None,
            "the draft is not a dict with a 't' list of tracks",
            "Make a draft first (ask the agent for a slideshow).",
        )
    meta = _mapping(draft.get("m"))
    plan = Plan(
        _canvas(meta, quality),
        PRESETS[quality],
        AUDIO_BITRATES[quality],
        str(meta.get("fit") or "blur"),
        0,
        logo=decor.logo_spec(meta, media),
    )
    for track in draft.get("t", []):
        if not isinstance(track, Mapping):
            continue
        tt = track.get("tt")
        for number, seg in enumerate(track.get("sg") or []):
            if isinstance(seg, Mapping):
                _segment(plan, tt, seg, str(seg.get("id") or f"track{tt}[{number}]"), media)
    visuals = plan.visuals
    visuals.sort(key=lambda v: (v.start, v.index))
    for index, visual in enumerate(visuals):
        visual.index = index
    _clip_sound_ramps(visuals, plan.audio)
    end = max((v.end for v in visuals), default=0.0)
    duration = _num(draft, "d", end * 1000, None) / 1000 if draft.get("d") else end
    if duration <= 0:
        raise failure(
            None,
            None,
            "the draft has no photos or clips to render",
            "Add photos or video clips to the video track first.",
        )
    # half up, not to even
    plan.frames = max(1, math.floor(duration * float(plan.canvas.fps) + 0.5))
    return plan


def _clip_sound_ramps(visuals: list[Visual], audio: list[AudioPart]) -> None:
    """Give each clip's sound fades as long as its transitions, so it crossfades too."""
    by_id = {part.seg_id: i for i, part in enumerate(audio) if not part.required}
    for index, visual in enumerate(visuals):
        if visual.kind != "video" or visual.seg_id not in by_id:
            continue
        prev_end = visuals[index - 1].end if index else visual.start
        nxt = visuals[index + 1].start if index + 1 < len(visuals) else visual.end
        part = audio[by_id[visual.seg_id]]
        audio[by_id[visual.seg_id]] = AudioPart(
            part.path,
            part.start,
            part.length,
            part.in_point,
            part.volume,
            round(max(0.0, prev_end - visual.start) * SAMPLE_RATE),
            round(max(0.0, visual.end - nxt) * SAMPLE_RATE),
            seg_id=part.seg_id,
            name=part.name,
            required=False,
        )
