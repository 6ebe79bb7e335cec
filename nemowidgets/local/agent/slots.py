"""Slots written in words, rewritten into the forms the detectors read.

Run by ``vocab.normalise`` after quotes are lifted out and Chinese is rewritten:

* clock times: "0:05", "1:30" -> "5 seconds", "90 seconds" (two digits after the
  colon, and never "9:16", so the aspects 16:9, 9:16, 4:5 and 1:1 are left alone);
* numbers in words: "four seconds", "twenty five", "one and a half seconds",
  "a minute", "half a second", "a second each" -> digits;
* "one" stays a pronoun ("the last one", "the second one") unless a unit follows;
* **"last" as a verb of time** becomes "be": "make the third photo last 6 seconds"
  is a duration, never a move to the last position, and "make the last photo last
  longer" is a relative duration of the last photo.  "The last 3 seconds" (a time
  range) and "the last photo" (a position) keep their "last".
"""

from __future__ import annotations

import re

__all__ = ["clock_times", "numbers_in_words", "verb_last"]

_I = re.I
_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_UNIT_WORD = r"(?:ms|milliseconds?|secs?|seconds?|mins?|minutes?|s\b|%|percent)"
_TENS_RE = re.compile(
    rf"\b({'|'.join(_TENS)})(?:[- ]({'|'.join(k for k in _UNITS if 0 < _UNITS[k] < 10)}))?\b", _I
)
_BIG_UNITS = [k for k in _UNITS if k != "one"]
_UNITS_RE = re.compile(rf"\b({'|'.join(sorted(_BIG_UNITS, key=len, reverse=True))})\b", _I)
#: "one" is a number only before a unit, "and a half", or after a photo noun.
_ONE_RE = re.compile(
    rf"\bone(?=\s*-?\s*(?:{_UNIT_WORD}|and\s+a\s+half\b))|"
    r"(?<=\bphoto )one\b|(?<=\bimage )one\b|(?<=\bslide )one\b|(?<=\bpicture )one\b",
    _I,
)
_A_UNIT_RE = re.compile(
    r"\ban?\s+(?=(?:minute|min)s?\b)|"
    r"\b(?:a|one)\s+(?=(?:second|sec)\b(?:\s+(?:each|per|apiece|longer|shorter|more|less|"
    r"cross[- ]?fades?|transitions?|fades?|wipes?)\b|\s*(?:[,.;!?]|$)))",
    _I,
)
_HALF_RE = re.compile(r"\bhalf\s+(?:an?\s+)?(?=(?:second|sec|minute|min)s?\b)", _I)
_AND_HALF_RE = re.compile(r"(?<![\d.])(\d+)\s+and\s+a\s+half\b", _I)
_A_AND_HALF_RE = re.compile(r"\ba\s+(second|minute)\s+and\s+a\s+half\b", _I)


def numbers_in_words(text: str) -> str:
    """Digits for numbers written in words, halves and "a minute"/"a second each"."""
    text = _A_AND_HALF_RE.sub(lambda m: f"1.5 {m.group(1)}s", text)
    text = _TENS_RE.sub(
        lambda m: str(_TENS[m.group(1).lower()] + _UNITS.get((m.group(2) or "").lower(), 0)), text
    )
    text = _ONE_RE.sub("1", text)
    text = _UNITS_RE.sub(lambda m: str(_UNITS[m.group(1).lower()]), text)
    text = _AND_HALF_RE.sub(lambda m: f"{m.group(1)}.5", text)
    text = _HALF_RE.sub("0.5 ", text)
    return _A_UNIT_RE.sub("1 ", text)


_NUM_AHEAD = (
    r"(?:for\s+)?(?:about\s+|exactly\s+|around\s+|only\s+|just\s+)?\d+(?:\.\d+)?\s*-?\s*"
    r"(?:ms|milliseconds?|s|secs?|seconds?|mins?|minutes?)\b"
)
_REL_AHEAD = r"(?:a\s+(?:bit|little|lot)\s+|much\s+|way\s+|slightly\s+)?(?:longer|shorter)\b"
_VERB_LAST = re.compile(
    rf"(?<!\bthe )(?<!\bthe very )(?<!\bfinal )\blast(?:s|ing)?\b\s+(?={_NUM_AHEAD}|{_REL_AHEAD})",
    _I,
)


def verb_last(text: str) -> str:
    """ "last" followed by a length ("last 6 seconds", "last longer") is a verb: -> "be"."""
    return _VERB_LAST.sub("be ", text)


_CLOCK = re.compile(r"(?<![\d:.])(?!9:16\b)(\d{1,2}):([0-5]\d)(?![\d:])")


def clock_times(text: str) -> str:
    """ "start the video at 0:05" -> "start the video at 5 seconds"."""
    return _CLOCK.sub(lambda m: f"{int(m.group(1)) * 60 + int(m.group(2))} seconds", text)
