"""The words the local agent understands: normalisation and the shared regex atoms.

Separate from ``intents.py`` (which decides what a prompt asks for) so that the
vocabulary can grow without touching the logic.  A prompt is normalised once:
quoted text is lifted out into placeholders (``⟦0⟧``) so that nothing inside a
title is read as a command, and so is unquoted title and caption text ("a title
saying Holiday 2024", ``unquoted.py``); Chinese is rewritten into English (``zh.py``);
numbers in words become digits and "last" as a verb of time becomes "be"
(``slots.py``).  Everything afterwards matches case-insensitively on the normalised text.

It also holds the small types every detector shares: :class:`Intent`,
:class:`Parsed` and :class:`Prompt` (the text that detectors consume).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from nemowidgets.local.agent.slots import clock_times, numbers_in_words, verb_last
from nemowidgets.local.agent.unquoted import lift_unquoted
from nemowidgets.local.agent.zh import to_english

#: Quoted text: straight, curly, CJK corner brackets, guillemets; a single-quoted
#: span must not start or end inside a word (so "don't" and "Bob's" are safe).
QUOTE_RE = re.compile(
    r'"([^"]+)"|“([^”]+)”|「([^」]+)」|『([^』]+)』|«([^»]+)»|‘([^’]+)’|(?<!\w)\'([^\']+)\'(?!\w)'
)
PLACEHOLDER_RE = re.compile(r"⟦(\d+)⟧")


def normalise(prompt: str) -> tuple[str, list[str]]:
    """(text with quotes replaced by placeholders, the quoted strings)."""
    quotes: list[str] = []

    def lift(m: re.Match[str]) -> str:
        quotes.append(next(g for g in m.groups() if g is not None))
        return f" ⟦{len(quotes) - 1}⟧ "

    text = QUOTE_RE.sub(lift, prompt.replace("⟦", "[").replace("⟧", "]"))
    text = lift_unquoted(text, quotes)
    text = to_english(text)
    text = verb_last(numbers_in_words(clock_times(text.replace("’", "'"))))
    return " ".join(text.split()), quotes


# -- regex atoms (use with re.I) ---------------------------------------------------------------

#: A duration: "3 s", "2.5 seconds", "2-second", "500 ms", "1 minute", "1 min 30 s".
DUR = (
    r"(?<![\d.])\d+(?:\.\d+)?\s*-?\s*(?:ms|milliseconds?|s|secs?|seconds?|mins?|minutes?)\b"
    r"(?:\s*(?:and\s*)?\d+(?:\.\d+)?\s*(?:s|secs?|seconds?)\b)?"
)
DUR_RE = re.compile(
    r"(?<![\d.])(?P<a>\d+(?:\.\d+)?)\s*-?\s*(?P<u>ms|milliseconds?|s|secs?|seconds?|mins?|minutes?)\b"
    r"(?:\s*(?:and\s*)?(?P<b>\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?)\b)?",
    re.I,
)
NOUN = r"(?:photo|picture|image|pic|slide|shot|clip|video|item)s?\b"
ORDNOUN = rf"(?:{NOUN}|one\b)"
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "last": -1,
    "penultimate": -2,
    "second to last": -2,
    "second-to-last": -2,
    "second last": -2,
}
ORDW = (
    r"(?:second[- ]to[- ]last|second last|penultimate|first|second|third|fourth|fifth|sixth"
    r"|seventh|eighth|ninth|tenth|eleventh|twelfth|last|(?<!\d)\d+(?:st|nd|rd|th))"
)
_NOT_UNIT = r"(?!\.\d|\d|\s*(?:%|ms\b|s\b|secs?\b|seconds?\b|mins?\b|minutes?\b|:|x\s*\d|fps\b))"
#: One position token: an ordinal word, or a number (after a noun or '#').
TOK = rf"(?:{ORDW}|(?<![\d.])\d+{_NOT_UNIT})"
#: "the third photo", "the last one", "photo 2", "#3", "picture no. 4"
ORD = (
    rf"(?:\b{ORDW}\s+{ORDNOUN}|"
    rf"(?:\b(?:photo|picture|image|pic|slide|clip|item|number)s?|\bno\.|#)"
    rf"\s*#?\s*\d+{_NOT_UNIT})"
)
ORD_RE = re.compile(ORD, re.I)
_TOKEN_RE = re.compile(rf"{ORDW}|\d+", re.I)


def dur_ms(text: str) -> int | None:
    """The first duration in ``text`` in milliseconds, or None."""
    m = DUR_RE.search(text)
    if not m:
        return None
    unit = m.group("u").lower()
    scale = 1 if unit.startswith(("ms", "milli")) else (60_000 if unit.startswith("min") else 1000)
    value = float(m.group("a")) * scale + float(m.group("b") or 0) * 1000
    return round(value)


def position(text: str) -> int | None:
    """The 1-based position (negative from the end) named in ``text``: "third" → 3, "#2" → 2."""
    m = _TOKEN_RE.search(text)
    if not m:
        return None
    word = m.group(0).lower()
    if word.isdigit():
        return int(word)
    if word[0].isdigit():
        return int(re.sub(r"\D", "", word))
    return ORDINALS.get(word.replace("-", " "), ORDINALS.get(word))


def where(pos: int | None) -> str:
    """A position as the user would say it: "photo 2", "the last photo" (never "photo -1")."""
    if pos is None or pos > 0:
        return f"photo {pos}"
    if pos == -1:
        return "the last photo"
    return "the second to last photo" if pos == -2 else f"photo {-pos} from the end"


# -- what the detectors share -------------------------------------------------------------

_I = re.I


@dataclass
class Intent:
    """One edit asked for: ``name`` is the edit (and ToolCall) name."""

    name: str
    args: dict[str, Any] = field(default_factory=dict[str, Any])
    at: int = 0  # where in the prompt (orders edits of the same kind)


@dataclass
class Parsed:
    """What a prompt asks for: edits, undo, help, and questions/notes to pass on."""

    intents: list[Intent] = field(default_factory=list)
    undo: bool = False
    help: bool = False
    questions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lang: str = "en"  # the prompt's language: "zh" when it has Chinese outside quotes


class Prompt:
    """The normalised text; detectors blank out (consume) what they used."""

    def __init__(self, text: str, quotes: list[str]) -> None:
        self.text, self.quotes = text, quotes

    def find(self, pattern: str) -> list[re.Match[str]]:
        return list(re.finditer(pattern, self.text, _I))

    def has(self, pattern: str) -> re.Match[str] | None:
        return re.search(pattern, self.text, _I)

    def eat(self, start: int, end: int) -> None:
        self.text = self.text[:start] + " " * (end - start) + self.text[end:]

    def take(self, pattern: str) -> list[re.Match[str]]:
        found = self.find(pattern)
        for m in found:
            self.eat(*m.span())
        return found

    def clause(self, start: int, stop_and: bool = True) -> str:
        """From ``start`` to the next clause boundary (``,`` ``;`` ``.`` and maybe `` and ``)."""
        rest = self.text[start:]
        stops = r"[,;!?]|\.(?!\d)|\bthen\b" + (r"|\band\b|\bwith\b" if stop_and else "")
        m = re.search(stops, rest[1:], _I)
        return rest[: m.start() + 1] if m else rest


def add(out: Parsed, name: str, at: int = 0, **args: object) -> None:
    out.intents.append(Intent(name, {k: v for k, v in args.items() if v is not None}, at))


def names(out: Parsed) -> set[str]:
    return {i.name for i in out.intents}
