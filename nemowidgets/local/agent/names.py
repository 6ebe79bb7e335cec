"""Photos named the way people name them: by file name, or (which we refuse) by content.

"get rid of the moon photo", "put the astronaut at the end", "remove astronuat.jpg":
a word that is (or, with a typo, nearly is) a distinctive part of a photo's file
name (``moon.jpg``, ``city_night.jpg``) is rewritten into the position the user
sees ("photo 2"), so the order and duration detectors read it like any position.
Fuzzy matching (rapidfuzz) only for words of five letters or more with the same
first letter, and never for the agent's own vocabulary ("each" is not "beach").

A photo described by what it shows ("the cat picture", "the one with the red
car", "有猫的照片") cannot be resolved: the agent does not look at pixels.
:func:`describes_content` finds such a description so the agent says so instead
of editing a random photo.
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz

from nemowidgets.local.agent.timing import segments

__all__ = ["describes_content", "resolve_names"]

_I = re.I
_NOUN = r"(?:photo|picture|image|pic|shot|slide|one)"
#: Words that are never a file name reference, whatever the files are called.
VOCABULARY = frozenset(
    re.findall(
        r"\S+",
        """
        a an the my our this that these those it its of with and or to in on at for from by
        each every all any some no not more less most photo photos picture pictures image
        images pic pics shot shots slide slides one ones clip clips video videos movie
        slideshow music song songs audio track title text caption captions transition
        transitions crossfade crossfades fade fades zoom zooming pan ken burns first second
        third fourth fifth last next previous other new same whole end start beginning
        front back middle top bottom center centre make put move remove delete drop get rid
        swap switch keep add use set show give let should must want like please seconds
        second minute minutes long longer shorter faster slower bigger smaller louder
        quieter black white bars blur fill frame vertical portrait square landscape format
        logo logos watermark watermarks file files name names
        """,
    )
)
_GENERIC_PART = re.compile(r"^(?:photo|img|image|pic|picture|dsc|dscn|screenshot|copy|\d+)\d*$", _I)
_LEAD = r"(?:(?:the|my|that|this)\s+)?"


def _parts(filename: str) -> list[str]:
    stem = filename.rsplit(".", 1)[0].lower()
    return [p for p in re.split(r"[\s_\-.]+", stem) if len(p) >= 3 and not _GENERIC_PART.match(p)]


def _photo_names(draft: dict[str, Any] | None, media: list[dict[str, Any]]) -> list[str]:
    """The photo file names in the order the user sees them (the draft's, else upload order)."""
    by_id = {m.get("id"): m.get("filename") or "" for m in media}
    video = segments(draft)
    if video:
        return [str(by_id.get(sg.get("src")) or sg.get("n") or "") for sg in video]
    return [m.get("filename") or "" for m in media if m.get("file_type") in ("image", "video")]


def _match(word: str, names: list[str]) -> int | None:
    """The 1-based position of the one photo ``word`` names, or None (none or several)."""
    w = word.lower()
    if w in VOCABULARY or len(w) < 3 or w.isdigit():
        return None
    hits = {i + 1 for i, n in enumerate(names) if w in _parts(n)}
    if not hits and len(w) >= 5:
        hits = {
            i + 1
            for i, n in enumerate(names)
            for p in _parts(n)
            if p[0] == w[0] and fuzz.ratio(w, p) >= 85
        }
    return hits.pop() if len(hits) == 1 else None


_REF = re.compile(
    rf"{_LEAD}(?:{_NOUN}s?\s+(?:of|with)\s+(?:the\s+|my\s+)?)?(?P<w>[A-Za-z][A-Za-z']*)"
    rf"(?:\s+{_NOUN}\b)?",
    _I,
)


def resolve_names(text: str, draft: dict[str, Any] | None, media: list[dict[str, Any]]) -> str:
    """``text`` with photos named by file name (or a distinctive part of it) as "photo N"."""
    names = _photo_names(draft, media)
    if not names:
        return text
    for i, name in enumerate(names):  # whole file names first: "move astronaut.jpg first"
        if name:
            whole = rf"{_LEAD}(?<![\w.]){re.escape(name)}(?!\w)"
            text = re.sub(whole, f"photo {i + 1}", text, flags=_I)

    def ref(m: re.Match[str]) -> str:
        pos = _match(m.group("w"), names)
        return m.group(0) if pos is None else f"photo {pos}"

    return _REF.sub(ref, text)


_KNOWN = VOCABULARY | {
    "only",
    "single",
    "final",
    "opening",
    "closing",
    "cover",
    "uploaded",
    "penultimate",
    "very",
    "current",
    "following",
}
#: Words that end a noun phrase: "the <words> photo" holding one is no description.
_BREAKS = frozenset(
    re.findall(
        r"\S+", "and then put move make set swap add remove reverse shuffle delete change order to"
    )
)
_DESCRIBED = re.compile(
    rf"\bthe\s+(?P<a>(?:[a-z']+\s+){{1,3}}?){_NOUN}\b|"
    rf"\b(?:the|a)\s+{_NOUN}\s+(?:with|of|where|showing|that\s+shows|in\s+which|from)\s+"
    r"(?P<b>[^,;.!?]+)",
    _I,
)


def describes_content(text: str) -> bool:
    """Whether the (normalised, names-resolved) prompt picks a photo by what it shows."""
    for m in _DESCRIBED.finditer(text):
        words = re.findall(r"[a-z']+", (m.group("a") or m.group("b") or "").lower())
        if m.group("a") and _BREAKS & set(words):
            continue  # "reverse the order and put photo 2 first": two clauses, no description
        unknown = [w for w in words if w not in _KNOWN and not w.endswith(("th", "st", "nd", "rd"))]
        if m.group("b") and "⟦" in m.group("b"):
            continue
        if unknown:
            return True
    return False
