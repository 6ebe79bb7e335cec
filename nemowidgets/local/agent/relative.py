"""Relative edits: faster, slower, shorter, longer, quieter, louder, bigger, smaller.

Each changes the *current* value by a sensible step, scaled by how much was
asked: "a bit" (x0.85 / x1.15), plain (x0.75 / x1.33), "a lot" / "much" (x0.5 /
x2); the action then says the new value ("Each photo now lasts 2.25 s.").

* speed is the time each photo is shown: "faster", "speed it up", "it's too
  slow" shorten the photos; with a photo named ("make the third photo longer")
  only that one changes;
* "shorter" / "longer" alone is the whole video; "5 seconds longer" adds 5 s;
* "quieter" / "the music is too loud" / "50% quieter" scale the music volume;
* "make the writing larger" / "smaller text" scale the title.

They run after the transition and music detectors, which have taken "faster
transitions" and "speed up the music" already.
"""

from __future__ import annotations

import re
from typing import Any

from nemowidgets.local.agent.vocab import DUR, NOUN, ORD_RE, Parsed, Prompt, add, dur_ms, position

__all__ = ["lengths_and_speed", "title_size", "volume_words"]

_I = re.I
_MILD = r"(?:a\s+(?:little\s+)?bit|a\s+little|slightly|a\s+tad|little|bit|somewhat)"
_STRONG = r"(?:a\s+lot|much|way|far|lots|really|a\s+great\s+deal|significantly|even)"
_STEPS = {"mild": (0.85, 1.15), "plain": (0.75, 4 / 3), "strong": (0.5, 2.0)}


def _degree(text: str, start: int) -> str:
    before = text[max(0, start - 24) : start]
    if re.search(rf"{_STRONG}\s+$", before, _I):
        return "strong"
    return "mild" if re.search(rf"{_MILD}\s+$", before, _I) else "plain"


def _factor(text: str, start: int, less: bool) -> float:
    down, up = _STEPS[_degree(text, start)]
    return down if less else up


# -- volume ----------------------------------------------------------------------------------

_QUIET = (
    r"\bquieter\b|\bsofter\b|\btoo\s+loud\b|\bless\s+loud\b|\bturn\s+(?:it|the\s+(?:music|"
    r"volume|song))\s+down\b|\bturn\s+down\s+(?:the\s+)?(?:music|volume|song)\b|"
    r"\b(?:lower|reduce|decrease)\s+(?:the\s+)?(?:music|volume)\b|\b(?:music|volume)\s+down\b"
)
_LOUD = (
    r"\blouder\b|\btoo\s+(?:quiet|soft)\b|\bcan'?t\s+hear\b|\bhard\s+to\s+hear\b|"
    r"\bturn\s+(?:it|the\s+(?:music|volume|song))\s+up\b|\bturn\s+up\s+(?:the\s+)?(?:music|volume|song)\b|"
    r"\b(?:raise|increase|boost)\s+(?:the\s+)?(?:music|volume)\b|\b(?:music|volume)\s+up\b"
)
_ABSOLUTE_PCT = (
    r"(?<![\d.])\d+(?:\.\d+)?\s*(?:%|percent|per cent)(?!\s*(?:quieter|softer|lower|louder|higher))"
)


def volume_words(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    """ "quieter", "a lot louder", "too loud", "50% quieter", "half volume", "full volume"."""
    if m := p.take(
        r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:%|percent)\s+(quieter|softer|lower|louder|higher)\b"
    ):
        pct = float(m[0].group(1)) / 100
        less = m[0].group(2).lower() in ("quieter", "softer", "lower")
        add(out, "set_music_volume", m[0].start(), scale=max(0.0, 1 - pct) if less else 1 + pct)
        return
    if m := p.take(r"\b(?:at\s+)?(half|full|max(?:imum)?)\s+volume\b"):
        add(
            out,
            "set_music_volume",
            m[0].start(),
            vol=0.5 if m[0].group(1).lower() == "half" else 1.0,
        )
        return
    if p.has(_ABSOLUTE_PCT):
        return  # "turn the music down to 30%": the music detector reads the number
    for pattern, less in ((_QUIET, True), (_LOUD, False)):
        if m := p.take(pattern):
            add(out, "set_music_volume", m[0].start(), scale=_factor(p.text, m[0].start(), less))
            return


# -- title size ------------------------------------------------------------------------------

_TEXTS = r"(?:title|text|writing|words|letters|font|heading|lettering)"
_SIZE = r"(bigger|larger|smaller|tinier|huge|bolder)"


def title_size(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    """ "make the writing larger", "smaller text", "a bit smaller title"."""
    m = p.take(rf"\b{_SIZE}\s+{_TEXTS}\b|\b{_TEXTS}\s+(?:size\s+)?(?:\w+\s+){{0,3}}?{_SIZE}\b")
    if not m:
        return
    word = next(g for g in m[0].groups() if g).lower()
    less = word in ("smaller", "tinier")
    down, up = {"mild": (0.9, 1.1), "plain": (0.8, 1.25), "strong": (0.67, 1.5)}[
        _degree(p.text, m[0].start() + m[0].group(0).lower().find(word))
    ]
    add(out, "set_title", m[0].start(), scale=down if less else up)


# -- speed and length ------------------------------------------------------------------------

_FASTER = (
    r"\bfaster\b|\bquicker\b|\bspeed\s+(?:it\s+|this\s+|things\s+|the\s+(?:video|slideshow)\s+)?up\b|"
    r"\btoo\s+slow\b|\bdrags?\b|\bsnappier\b"
)
_SLOWER = (
    r"\bslower\b|\bslow\s+(?:it\s+|this\s+|things\s+|the\s+(?:video|slideshow)\s+)?down\b|"
    r"\btoo\s+(?:fast|quick)\b|\bgo(?:es)?\s+by\s+too\s+fast\b|\bcalmer\b"
)
_EACH = (
    r"\b(?:each|every|all(?:\s+the)?|per)\s+(?:photo|picture|image|pic|slide|shot)s?\b|"
    r"\bthe\s+photos\b"
)


def lengths_and_speed(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    """Relative lengths: "5 seconds longer", "make it shorter", "faster", "slow it down"."""
    for m in p.find(rf"(?P<d>{DUR})\s+(?P<w>longer|shorter|more|less)\b"):
        clause = p.clause(max(0, m.start() - 40), stop_and=False)
        if ORD_RE.search(p.text[max(0, m.start() - 40) : m.start()]) or re.search(
            _EACH, clause, _I
        ):
            continue  # "make photo 2 2 seconds longer", "each photo 1 second longer": per photo
        sign = -1 if m.group("w").lower() in ("shorter", "less") else 1
        add(out, "set_total_duration", m.start(), delta_ms=sign * (dur_ms(m.group("d")) or 0))
        p.eat(*m.span())
    for pattern, less in (
        (_FASTER, True),
        (_SLOWER, False),
        (r"\bshorter\b", True),
        (r"\blonger\b", False),
    ):
        for m in p.find(pattern):
            if re.search(rf"{DUR}\s+$", p.text[: m.start()], _I):
                continue  # "photo 1 1 second shorter": a per-photo length, read with the photo
            _relative(p, out, m, less, speed=pattern in (_FASTER, _SLOWER))


def _relative(p: Prompt, out: Parsed, m: re.Match[str], less: bool, speed: bool) -> None:
    lead = p.text[: m.start()]
    start = max(lead.rfind(","), lead.rfind(";"), lead.rfind(" and "), lead.rfind("."))
    clause = p.text[start + 1 : m.end()]
    which = list(ORD_RE.finditer(clause))
    factor = _factor(p.text, m.start(), less)
    if which:
        add(
            out, "set_segment_duration", m.start(), photo=position(which[-1].group(0)), scale=factor
        )
    elif speed or re.search(_EACH, clause, _I):
        add(out, "set_photo_duration", m.start(), scale=factor)
    elif re.search(rf"\b(?:{NOUN}|transitions?|fades?)\b", clause, _I) and not re.search(
        r"\b(?:video|slideshow|movie|it|whole|overall|total)\b", clause, _I
    ):
        return  # "longer transitions" was read already; "a longer title" is not a length
    else:
        add(out, "set_total_duration", m.start(), scale=factor)
    p.eat(*m.span())
