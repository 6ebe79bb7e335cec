"""The style of titles and captions, as people ask for it.

"make the title yellow", "yellow captions", "change the text colour to red",
"bigger captions", "smaller subtitles", "put the title on a dark box", "white
captions on a black background", "no text box"; in Chinese "标题改成黄色", "字幕大一点",
"标题加黑底" (``zh.py`` rewrites them).  The edit is ``overlays.set_text_style``:
``which`` is the title, the captions or all text ("text", "writing", "letters").
A bigger or smaller *title* is the title detector's (``relative.title_size``).
It runs before the canvas detector, so "on a black background" here is the text's
box, never black bars.
"""

from __future__ import annotations

import re
from typing import Any

from nemowidgets.local.agent.colours import COLOUR, colour_name
from nemowidgets.local.agent.vocab import PLACEHOLDER_RE, Parsed, Prompt, add

__all__ = ["text_styles"]

_I = re.I
_TEXT = (
    r"(?P<t>title|heading|captions?|subtitles?|labels?|text|writing|words|letters|lettering|font)"
)
_TINT = rf"(?:{COLOUR}|dark|darker|light|translucent|semi[- ]?transparent)"
_BOXW = r"(?:box|background|backdrop|banner|band|panel|plate)"
_BOX = (
    rf"\b(?:(?P<fc>{COLOUR})\s+)?{_TEXT}s?\b[^,;.!?]{{0,25}}?\b(?:on|in|with|over|onto)\s+(?:a\s+|an\s+)?(?P<c>{_TINT})?"
    rf"\s*{_BOXW}\b|"
    rf"\b(?:a\s+|an\s+)?(?P<c2>{_TINT})?\s*{_BOXW}\s+(?:behind|under|for)\s+(?:the\s+)?"
    rf"(?P<t2>title|heading|captions?|subtitles?|labels?|text|writing|words)\b"
)
_NO_BOX = (
    rf"\b(?:no|remove|without|drop|delete)\s+(?:the\s+|any\s+)?(?:(?P<t>title|caption|text)\s+)?"
    rf"(?:box|background\s+box|{_BOXW}\s+behind\s+the\s+(?P<t2>title|captions?|text))(?:es)?\b"
)
_COLOURED = (
    rf"\b(?P<c>{COLOUR})\s+(?:colou?red\s+)?{_TEXT}s?\b|"
    rf"\b(?P<t2>title|heading|captions?|subtitles?|labels?|text|writing|words|letters|"
    rf"lettering|font)s?\b(?:\s+(?:colou?r|font))?(?:[^,;.!?\d]|⟦\d+⟧){{0,20}}?\b"
    rf"(?:to\s+|in\s+|into\s+)?"
    rf"(?P<c2>{COLOUR})\b(?!\s+(?:box|background|backdrop|and\s+white))"
)
_SIZE = (
    r"\b(?P<s>bigger|larger|smaller|tinier)\s+(?P<t>captions?|subtitles?|labels?)\b|"
    r"\b(?P<t2>captions?|subtitles?|labels?)\s+(?:text\s+)?(?:\w+\s+){0,3}?"
    r"(?P<s2>bigger|larger|smaller|tinier)\b"
)


def _target(m: re.Match[str]) -> str:
    word = (m.groupdict().get("t") or m.groupdict().get("t2") or "text").lower()
    if word.startswith(("title", "heading")):
        return "title"
    if word.startswith(("caption", "subtitle", "label")):
        return "captions"
    return "all"


def text_styles(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    """``set_text_style`` intents: a colour, a box, a caption size."""
    for m in p.take(_NO_BOX):
        add(out, "set_text_style", m.start(), which=_target(m), box=False)
    for m in p.take(_BOX):
        tint = (m.group("c") or m.group("c2") or "dark").lower()
        box: bool | str = True if re.fullmatch(r"dark\w*|black|translucent|semi.*", tint) else tint
        colour = colour_name(m.group("fc")) if m.group("fc") else None
        add(out, "set_text_style", m.start(), which=_target(m), color=colour,
            box=colour_name(box) if isinstance(box, str) else box)  # fmt: skip
    for m in p.find(_COLOURED):
        # "the title 'Summer' in yellow": the title and its text stay for the title detector
        quoted = [q.end() for q in PLACEHOLDER_RE.finditer(m.group(0))]
        p.eat(m.start() + (quoted[-1] if quoted else 0), m.end())
        add(out, "set_text_style", m.start(), which=_target(m),
            color=colour_name(m.group("c") or m.group("c2")))  # fmt: skip
    for m in p.take(_SIZE):
        word = (m.group("s") or m.group("s2")).lower()
        scale = 0.8 if word in ("smaller", "tinier") else 1.25
        add(out, "set_text_style", m.start(), which=_target(m), size_scale=scale)
