"""Prompts that ask for variants: "also make a vertical and a square one".

:func:`variant_aspects` is the ``"variants"`` rule of :func:`nemowidgets.routing.route`,
as strict as the others: a prompt asks for variants only when it names at least one
aspect (``vertical``, ``square``, ``9:16``, ``reels``, "all three formats", ...),
says it wants *another version* of the video (``also``, ``too``, ``one``,
``version``, ``copy``, ``each``, ...), and every other word is filler.  So
"make it vertical" (no "another version" word) stays an edit for the agent, and
"also make a vertical one with a title" (``title`` is not filler) too.  The
variants are renders of the current draft in those aspects: the draft itself is
not changed.  Pure functions, no I/O.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["ALL_ASPECTS", "variant_aspects"]

ALL_ASPECTS: Final = ("16:9", "9:16", "1:1")
_WORD_ASPECTS: Final = {
    "vertical": "9:16", "portrait": "9:16", "reels": "9:16", "reel": "9:16",
    "tiktok": "9:16", "shorts": "9:16", "story": "9:16", "stories": "9:16",
    "square": "1:1", "squared": "1:1",
    "landscape": "16:9", "horizontal": "16:9", "widescreen": "16:9", "youtube": "16:9",
}  # fmt: skip


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_RATIO = re.compile(r"(?<![\d.])(16|9|1|4)\s*[:x×/]\s*(9|16|1|5)(?![\d.])")
_RATIOS: Final = {"16:9": "16:9", "9:16": "9:16", "1:1": "1:1", "4:5": "4:5"}
_MARKERS: Final = _set(
    "also too one ones version versions variant variants copy copies each both plus "
    "another additionally extra formats cuts"
)
_ALL: Final = re.compile(
    r"\b(all|every|each)\s+(?:(?:three|3)\s+)?(formats?|aspects?|sizes?|ratios?)\b"
)
_FILLER: Final = _set(
    "a an the it this that my me i i'd we us our you your can could would will please pls now "
    "ok okay so just then and or go ahead let's lets want like to for of in on as with is are "
    "how do does have has get make render export create produce give do also well same video "
    "videos movie clip format aspect ratio ratios size sizes all every three two social media "
    "version versions x hey hi thanks thank mp4 high quality preview"
)
_WORDS = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_ZH_ASPECTS: Final = (
    ("正方形", "1:1"), ("方形", "1:1"), ("方版", "1:1"), ("竖版", "9:16"), ("竖屏", "9:16"),
    ("竖的", "9:16"), ("横版", "16:9"), ("横屏", "16:9"), ("横的", "16:9"),
)  # fmt: skip
_ZH_MARKERS: Final = ("再", "也", "另外", "还要", "各", "版本", "一版", "一份")
_ZH_FILLER: Final = re.compile(
    r"[请帮我给做个一和与及还要出导渲染视频的吧了再也另外各版本份张支把成生]|一个|一版|一份|\s|[\W_]"
)


def variant_aspects(prompt: str) -> tuple[str, ...]:
    """The aspects ``prompt`` asks variants in (in the order said), or ``()`` if it does not."""
    text = (prompt or "").strip().lower().replace("’", "'")
    if not text:
        return ()
    if re.search(r"[\u3400-\u9fff]", text):
        return _chinese(text)
    ratios = ((m.start(), f"{m[1]}:{m[2]}") for m in _RATIO.finditer(text))
    found = [(at, _RATIOS[ratio]) for at, ratio in ratios if ratio in _RATIOS]
    rest = _RATIO.sub(" ", text)
    every = _ALL.search(rest)
    words = _WORDS.findall(rest)
    position = 0
    for word in words:
        position = rest.find(word, position)
        if word in _WORD_ASPECTS:
            found.append((position, _WORD_ASPECTS[word]))
        position += len(word)
    if not (found or every) or not (_MARKERS & set(words) or every):
        return ()
    allowed = _FILLER | _MARKERS | _WORD_ASPECTS.keys() | {"each", "three", "formats"}
    if not all(w in allowed or w.isdigit() for w in words):
        return ()
    aspects = [aspect for _, aspect in sorted(found)]
    if every and not aspects:
        aspects = list(ALL_ASPECTS)
    return tuple(dict.fromkeys(aspects))


def _chinese(text: str) -> tuple[str, ...]:
    found = sorted((text.find(word), aspect) for word, aspect in _ZH_ASPECTS if word in text)
    if not found or not any(marker in text for marker in _ZH_MARKERS):
        return ()
    rest = text
    for word, _ in _ZH_ASPECTS:
        rest = rest.replace(word, "")
    if _ZH_FILLER.sub("", rest):
        return ()  # something more than "make another version in these formats"
    return tuple(dict.fromkeys(aspect for _, aspect in found))
