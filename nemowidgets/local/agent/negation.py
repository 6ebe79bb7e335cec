"""Negation and its scope: "don't", "stop", "no more", "never mind" apply to what they govern.

The detectors understand one negative form per feature ("no music", "no
transitions", "no ken burns", "no fade out", "remove photo 2").  This module
rewrites the many ways people say it into those forms *before* the detectors
run, so that "actually I don't want any music" removes the music instead of
reading "want ... music" as a request for it, and "no more transitions" never
adds crossfades.  A negated edit that asks to keep something as it is
("don't change the order, just ...", "don't remove any photos") is dropped: the
rest of the prompt is still done and nothing else changes.
"""

from __future__ import annotations

import re

__all__ = ["rewrite_negations"]

_I = re.I
_NOT = (
    r"(?:don'?t|do\s+not|doesn'?t|does\s+not|didn'?t|never|no\s+need\s+to|i\s+hate|"
    r"shouldn'?t|should\s+not|mustn'?t|must\s+not|won'?t|can'?t\s+stand)"
)
_FEATURE = (
    r"(?:transitions?|cross[- ]?fades?|dissolves?|wipes?|music|songs?|soundtrack|audio|bgm|"
    r"tunes?|ken[- ]?burns?(?:\s+effects?)?|(?:slow\s+)?zoom(?:ing)?(?:\s+effects?)?|"
    r"motion|movement|panning|titles?|headings?|captions?|subtitles?|labels?|black\s+bars|"
    r"fade[- ]?(?:in|out)s?|text|words|writing)"
)
_DET = r"(?:(?:any|the|a|an|those|these|my|this|that|some)\s+)?(?:more\s+)?"
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # "never mind the music, remove it" / "forget the title"
    (
        re.compile(
            rf"\b(?:never\s*mind|forget(?:\s+about)?|scrap|ditch|lose)\s+(?:the\s+)?({_FEATURE})"
            r"(?:\s*,?\s*(?:just\s+)?(?:remove|delete|drop)\s+(?:it|them))?",
            _I,
        ),
        r"remove the \1",
    ),
    # "the music shouldn't fade out", "don't fade the music out"
    (
        re.compile(
            rf"\b(?:(?:the\s+)?(?:music|song|audio)\s+)?{_NOT}\s+(?:need\s+to\s+|have\s+to\s+)?"
            r"fade\s+(?:the\s+)?(?:music\s+|song\s+|it\s+)?(in|out)\b",
            _I,
        ),
        r"no fade \1",
    ),
    # "I don't want any music", "don't use transitions", "I don't like the zoom effect"
    (
        re.compile(
            rf"\b(?:i\s+|we\s+)?{_NOT}\s+(?:really\s+)?(?:want|need|use|add|play|include|like|"
            rf"have|put|do|bother\s+(?:with|adding|putting)|bother)\s+(?:to\s+(?:have|use|add)\s+)?"
            rf"{_DET}({_FEATURE})",
            _I,
        ),
        r"no \1",
    ),
    # "don't zoom the photos", "I don't want the photos to move"
    (
        re.compile(
            rf"\b(?:i\s+)?{_NOT}\s+(?:want\s+(?:the\s+)?(?:photos?|pictures?|images?)\s+to\s+)?"
            r"(?:zoom|move|pan)(?:\s+(?:in|out))?(?:\s+(?:on\s+)?(?:the\s+)?(?:photos?|pictures?))?\b",
            _I,
        ),
        "no motion",
    ),
    # "stop the music", "stop using crossfades", "stop zooming", "no more transitions"
    (
        re.compile(
            rf"\b(?:stop|quit|cease)\s+(?:using\s+|playing\s+|adding\s+|the\s+)*{_DET}({_FEATURE})",
            _I,
        ),
        r"no \1",
    ),
    (re.compile(rf"\bno\s+more\s+({_FEATURE})", _I), r"no \1"),
    (re.compile(rf"\bno\s+need\s+for\s+{_DET}({_FEATURE})", _I), r"no \1"),
    # "don't caption anything", "don't title it"
    (
        re.compile(
            rf"\b{_NOT}\s+(caption|label|title)\s+(?:anything|it|them|any\s+(?:of\s+the\s+)?"
            r"photos?|the\s+photos?)\b",
            _I,
        ),
        r"no \1s",
    ),
    # "remove the fade out", "get rid of the fade-in"
    (
        re.compile(
            r"\b(?:remove|delete|drop|get\s+rid\s+of|lose|cut)\s+(?:the\s+)?(?:music(?:'s)?\s+)?"
            r"(fade[- ]?(?:in|out))\b",
            _I,
        ),
        r"no \1",
    ),
    (re.compile(r"\bno\s+black\s+bars\b", _I), "no bars"),
    (re.compile(r"\bno\s+(?:the\s+)?(?:slow|gentle|subtle)\s+(zoom|pan)", _I), r"no \1"),
    (re.compile(rf"\bnot?\s+any\s+({_FEATURE})", _I), r"no \1"),
    # "not vertical", "don't make it vertical" on a vertical video: the other orientation
    (
        re.compile(
            rf"\b(?:not|{_NOT}\s+(?:make|want)\s+it|no\s+longer)\s+(?:in\s+|be\s+)?(?:vertical|portrait)\b",
            _I,
        ),
        "landscape",
    ),
    (
        re.compile(
            rf"\b(?:not|{_NOT}\s+(?:make|want)\s+it|no\s+longer)\s+(?:in\s+|be\s+)?"
            r"(?:landscape|horizontal|wide\s?screen)\b",
            _I,
        ),
        "vertical",
    ),
    # "I don't want photo 2" (after file names became positions) / "no photo 2"
    (
        re.compile(
            rf"\b(?:i\s+)?(?:{_NOT}\s+(?:want|need|like)|no)\s+(?:the\s+)?((?:photo|picture|image)\s+\d+)",
            _I,
        ),
        r"remove \1",
    ),
)
#: "no titles or captions": each one negated ("no music and the title 'Oslo'" is not a list).
_LIST = re.compile(
    rf"\b(no|without)\s+{_DET}({_FEATURE})\s+(?:or|nor)\s+(?:any\s+|the\s+)?({_FEATURE})\b",
    _I,
)
#: "no text" is neither a title nor captions.
_NO_TEXT = re.compile(r"\b(?:no|without)\s+(?:text|words|writing)\b", _I)
#: A negated edit the user wants *not* done: it is dropped with its clause.
_KEEP_AS_IS = re.compile(
    rf"\b(?:please\s+)?{_NOT}\s+(?:change|changing|touch|touching|alter|reorder|reordering|"
    r"shuffle|shuffling|reverse|reversing|remove|removing|delete|deleting|drop|move|moving|"
    r"mess\s+with|cut|add|adding|rebuild|redo)\b[^,;.!?]*(?:[,;.!?]|$)|"
    r"\bnot\s+(?:in\s+)?(?:the\s+)?(?:same|this)\s+order\b|"
    r"\b(?:leave|keep)\s+(?:the\s+|my\s+)?[\w\s]{1,20}?\s+(?:alone|as\s+(?:it\s+is|they\s+are|is)|"
    r"unchanged|untouched|the\s+same)\b[^,;.!?]*?(?=[,;.!?]|\band\b|\bbut\b|$)",
    _I,
)


def rewrite_negations(text: str) -> tuple[str, bool]:
    """(the text with negations in the detectors' forms, whether a negated edit was dropped)."""
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    text = _LIST.sub(r"\1 \2, \1 \3", text)
    text = _NO_TEXT.sub("no title, no captions", text)
    kept = text
    text = _KEEP_AS_IS.sub(" ", text)
    return text, text != kept
