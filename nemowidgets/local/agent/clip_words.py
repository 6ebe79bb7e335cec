"""Trimming and muting video clips, as people ask for it.

"trim the clip to its first 4 seconds", "only use the first 3 seconds of the video",
"start the video at 0:05" (clock times are seconds by now: ``slots.py``), "cut the
clip from 0:02 to 0:06", "use the last 5 seconds of the clip", "trim the clip to 6
seconds"; "mute the video", "turn off the clip's sound", "unmute the clip".  In
Chinese "视频静音", "把视频剪到前4秒", "视频从第2秒开始" (``zh.py`` rewrites them).

"Mute" is the clip's own sound, never the music: "mute the music" stays a volume.
"Mute the video" means the clips when a video was uploaded; in a slideshow of photos
only it is left to the music detector (the whole video silent).  "Trim the video to
30 seconds" without "clip" stays the total length.  Which clip: the one named by
position ("the second clip" is read as a position), else the first clip of the
slideshow.  The edits are ``clips.trim_clip`` and ``clips.mute_clip``.
"""

from __future__ import annotations

import re
from typing import Any

from nemowidgets.local.agent.vocab import DUR, ORD_RE, Parsed, Prompt, add, dur_ms, position

__all__ = ["clip_requests"]

_I = re.I
_CLIP = r"(?:the\s+|my\s+|this\s+|that\s+|its\s+)?(?:video\s+clip|clip|footage)s?\b"
_ANY = r"(?:the\s+|my\s+|this\s+|that\s+)?(?:video\s+clip|clip|footage|video)s?\b"
_OWN = (
    rf"{_ANY}(?:'s)?\s+(?:own\s+|original\s+)?(?:sound|audio)|(?:the\s+)?(?:sound|audio)\s+"
    rf"(?:of|from|on|in)\s+{_ANY}"
)
#: The trims; ``⟨⟩`` is the clip: "the clip", "the video", and "it" when a video was uploaded.
_TRIMS: tuple[tuple[str, str], ...] = (
    (
        "range",
        rf"\b(?:cut|trim|crop|use|keep|show|play)\s+⟨⟩\s+(?:from\s+)?(?P<a>{DUR})\s+"
        rf"(?:to|until|till|-)\s+(?P<b>{DUR})|"
        rf"\b(?:use|keep|show|play)\s+(?:only\s+)?(?:from\s+)?(?P<a2>{DUR})\s+(?:to|until|till|-)"
        rf"\s+(?P<b2>{DUR})\s+of\s+⟨⟩",
    ),
    (
        "first",
        rf"\b(?:trim|cut|shorten|crop)\s+⟨⟩\s+(?:down\s+)?to\s+(?:its|the)\s+first\s+"
        rf"(?P<f>{DUR})|\b(?:only\s+)?(?:use|keep|show|play)\s+(?:only\s+)?(?:just\s+)?the\s+"
        rf"first\s+(?P<f2>{DUR})\s+of\s+⟨⟩",
    ),
    (
        "last",
        rf"\b(?:trim|cut|shorten|crop)\s+⟨⟩\s+(?:down\s+)?to\s+(?:its|the)\s+last\s+"
        rf"(?P<l>{DUR})|\b(?:only\s+)?(?:use|keep|show|play)\s+(?:only\s+)?(?:just\s+)?the\s+"
        rf"last\s+(?P<l2>{DUR})\s+of\s+⟨⟩",
    ),
    (
        "start",
        rf"\b(?:start|begin)\s+⟨⟩\s+(?:at|from)\s+(?P<s>{DUR})|"
        rf"\b⟨⟩\s+(?:should\s+)?(?:starts?|begins?)\s+(?:at|from)\s+(?P<s2>{DUR})|"
        rf"\bskip\s+the\s+first\s+(?P<s3>{DUR})\s+of\s+⟨⟩",
    ),
    ("length", rf"\b(?:trim|cut|shorten)\s+{_CLIP}\s+(?:down\s+)?to\s+(?P<n>{DUR})"),
)
_UNMUTE = (
    rf"\bun-?mute\s+{_ANY}|\b(?:turn|switch)\s+(?:{_OWN})\s+(?:back\s+)?on\b|"
    rf"\b(?:bring\s+back|restore|keep)\s+(?:{_OWN})"
)
_MUTE_CLIP = (
    rf"\b(?:mute|silence)\s+{_CLIP}|\b(?:turn|switch)\s+off\s+(?:{_OWN})|"
    rf"\b(?:remove|drop|kill|no|without|lose)\s+(?:the\s+)?(?:{_OWN})|"
    rf"\b(?:turn|switch)\s+(?:{_OWN})\s+off\b|\b{_CLIP}\s+(?:on\s+)?(?:mute|silent)\b"
)
_MUTE_VIDEO = r"\b(?:mute|silence)\s+(?:the\s+|my\s+|this\s+)?videos?\b(?!\s*(?:and|with)\s+music)"


def clip_requests(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    """``trim_clip`` and ``mute_clip`` intents; their words consumed."""
    has_video = any(x.get("file_type") == "video" for x in media)
    obj = rf"(?:{_ANY}|it\b)" if has_video else _ANY
    for kind, pattern in _TRIMS:
        for m in p.take(pattern.replace("⟨⟩", obj)):
            args = _trim_args(kind, m)
            add(out, "trim_clip", m.start(), photo=_which(p, m), **args)
    for m in p.take(_UNMUTE):
        add(out, "mute_clip", m.start(), photo=_which(p, m), muted=False)
    found = p.take(_MUTE_CLIP)
    if has_video:
        found += p.take(_MUTE_VIDEO)
    for m in found:
        add(out, "mute_clip", m.start(), photo=_which(p, m), muted=True)


def _ms(m: re.Match[str], *names: str) -> int | None:
    text = next((m.group(n) for n in names if m.group(n)), None)
    return dur_ms(text) if text else None


def _trim_args(kind: str, m: re.Match[str]) -> dict[str, int | None]:
    if kind == "range":
        return {"start_ms": _ms(m, "a", "a2"), "end_ms": _ms(m, "b", "b2")}
    if kind == "first":
        return {"start_ms": 0, "end_ms": _ms(m, "f", "f2")}
    if kind == "last":
        return {"last_ms": _ms(m, "l", "l2")}
    if kind == "start":
        return {"start_ms": _ms(m, "s", "s2", "s3")}
    return {"length_ms": _ms(m, "n")}


def _which(p: Prompt, m: re.Match[str]) -> int | None:
    """The clip's position when the request names one ("the second clip", "clip 2")."""
    named = ORD_RE.search(m.group(0))
    return position(named.group(0)) if named else None
