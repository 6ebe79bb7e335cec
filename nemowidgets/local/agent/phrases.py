"""Detectors for transitions and music phrases (titles/captions: ``texts.py``, Ken Burns:
``motion.py``).

Each detector reads the normalised prompt (:class:`~nemowidgets.local.agent.vocab.Prompt`),
appends intents and questions, and consumes the words it used, so a later,
more general detector cannot read them a second time.  ``intents.parse`` runs
them in a fixed order; see its docstring.
"""

from __future__ import annotations

import re
from typing import Any

from nemowidgets.local.agent.vocab import (
    DUR,
    ORDW,
    Parsed,
    Prompt,
    add,
    dur_ms,
    position,
)

_I = re.I
MUSIC = r"(?:music|song|audio|bgm|soundtrack|tune)\b"
_TR_WORD = (
    r"(?:cross[- ]?fades?|dissolves?|transitions?|wipes?|fades? (?:to|through) black|"
    r"(?:slide|zoom) transitions?)"
)


# -- transitions, motion ---------------------------------------------------------------------


_KINDS: tuple[tuple[str, str], ...] = (
    (r"\bcross[- ]?fades?\b|\bcross[- ]?dissolves?\b|\bdissolves?\b", "crossfade"),
    (
        r"\b(?:fade|fading|dip|dipping)s?\s+(?:out\s+)?(?:to|through|via|into)\s+black\b|"
        r"\bblack\s+fades?\b",
        "fade_black",
    ),
    (
        r"\b(?:slide|sliding|push)\s+(?:transitions?|effects?|in|across)\b|\bslides?\s+between\b",
        "slide",
    ),
    (r"\bwipes?\b|\bwiping\b", "wipe"),
    (
        r"\bzoom(?:ing)?\s+(?:transitions?|effects?\s+between|between)\b|\bzoom[- ](?:in|out)\s+"
        r"transitions?\b",
        "zoom",
    ),
)
_NO_TRANSITIONS = (
    r"\b(?:no|without|remove|drop|disable|turn off|get rid of|skip)\s+(?:the\s+|all\s+(?:the\s+)?|"
    r"any\s+)?(?:transitions?|cross[- ]?fades?|dissolves?)\b|\b(?:hard|straight|simple|plain|jump)"
    r"\s+cuts?\b|\bjust\s+cuts?\b|\bcuts?\s+only\b|\bcut\s+between\b|\bno\s+fades?\s+between\b"
)


_TR_DUR = (
    rf"({DUR})\s*(?:long\s+)?{_TR_WORD}|\b{_TR_WORD}\s*(?:should\s+)?(?:(?:of|to|at|"
    rf"lasting|last|be|take|taking|that last|=|:)\s+)*(?:about\s+)?({DUR})"
)


def transitions(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    p.take(r"\binstead of\s+(?:the\s+)?" + _TR_WORD)
    kinds: list[tuple[int, str]] = []
    ms = scale = None
    for m in p.take(_TR_DUR):
        ms = dur_ms(m.group(0))
        kinds += _kinds_in(m.group(0), m.start())
    kinds += [(m.start(), "none") for m in p.take(_NO_TRANSITIONS)]
    for m in p.take(
        r"\b(?:shorter|quicker|faster|snappier|longer|slower)\s+(?:transitions?|"
        r"cross[- ]?fades?|fades|dissolves?)\b|\b(?:transitions?|cross[- ]?fades?)\s+"
        r"(?:(?:a\s+)?(?:bit|little|lot|much)\s+)?(?:shorter|quicker|faster|longer|slower)\b|"
        r"\b(?:transitions?|cross[- ]?fades?|fades)\s+(?:are|is|feel|look)\s+too\s+"
        r"(?:slow|long|fast|quick|short|abrupt)\b"
    ):
        said = m.group(0).lower()
        longer = re.search(r"longer|slower|too (?:fast|quick|short|abrupt)", said)
        scale = 2.0 if longer else 0.5
        kinds += _kinds_in(m.group(0), m.start())
    kinds += _kinds_in(p.text, 0)
    for pattern, _ in _KINDS:
        p.take(pattern)
    starts = [s for s, _ in kinds] + [m.start() for m in p.take(r"\btransitions?\b")]
    starts += [m.start() for m in p.find(r"\bsmooth(?:er|ly)?\b")]
    distinct = sorted({k for _, k in kinds})
    if len(distinct) > 1 and re.search(r"\bor\b", p.text, _I):
        out.questions.append(f"Which transition would you like: {' or '.join(distinct)}?")
        return
    if starts or ms is not None or scale:
        kind = max(kinds)[1] if kinds else None
        add(out, "set_transition", min(starts, default=0), kind=kind, ms=ms, scale=scale)


def _kinds_in(text: str, offset: int) -> list[tuple[int, str]]:
    return [
        (offset + m.start(), kind)
        for pattern, kind in _KINDS
        for m in re.finditer(pattern, text, _I)
    ]


# -- music -----------------------------------------------------------------------------------


def _fade_ms(p: Prompt, m: re.Match[str]) -> int | None:
    after = re.match(
        rf"\W{{0,3}}(?:(?:over|for|of|by|during|across|lasting|to|in)\s+)?"
        rf"(?:about\s+)?(?:the\s+)?(?:(?:last|first)\s+)?({DUR})",
        p.text[m.end() :],
        _I,
    )
    before = re.search(rf"({DUR})\s*-?\s*(?:long\s+)?(?:music\s+)?$", p.text[: m.start()], _I)
    hit = after or before
    if not hit:
        return None
    span = (m.end() + hit.start(1), m.end() + hit.end(1)) if after else hit.span(1)
    p.eat(*span)
    return dur_ms(hit.group(1))


_FIT = (
    rf"\b(?:fit|match|sync|synch|align|same length as|as long as|length of|timed? to|cut to)"
    rf"\b[^,;.]{{0,25}}?\b{MUSIC}(?:'s)?(?:\s+(?:length|duration))?|"
    rf"\b{MUSIC}(?:'s)?\s+(?:length|duration)\b"
)
_NO_FADE = r"\bno\s+(?:music\s+)?fades?(?:[- ](?:in|out))?\b|\bwithout\s+(?:a\s+|any\s+)?fades?\b"
#: The object of "fade out the music": eaten with the verb, so that the duration after it
#: ("... over 3 seconds") is still next to the match and read by ``_fade_ms``.
_FADE_OBJ = rf"(?:\s+(?:the\s+|my\s+|this\s+)?(?:background\s+)?(?:{MUSIC}|it\b))"
_FADE = (
    rf"\bfade[- ]?(in|out)\b(?!\s*(?:to|through|into)\s+black)"
    rf"(?:\s+and\s+(?:fade[- ]?)?(out))?{_FADE_OBJ}?|"
    rf"\bfade\s+(?:the\s+)?(?:{MUSIC}|it)\s*(in|out)\b(?:\s+and\s+(out))?|"
    rf"\b{MUSIC}\s+(?:to\s+)?fades?\s+(in|out)\b"
)
_PCT = r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:%|percent|per cent)"
_VOLUME = (
    rf"\b(?:{MUSIC}|volume)[^,;.\d]{{0,25}}?{_PCT}|{_PCT}\s*(?:volume|music|loud)|"
    rf"\bvolume\s*(?:to|at|of|=|:)?\s*(?<![\d.])(\d+(?:\.\d+)?)\b(?!\s*(?:s|secs?|seconds?)\b)"
)
_QUIETER = (
    rf"\b(?:quieter|softer|less\s+loud)\b(?:[^,;.]{{0,20}}?\b(?:{MUSIC}|volume))?|"
    rf"\b(?:lower|reduce|decrease|turn\s+down)\b[^,;.]{{0,20}}?\b(?:{MUSIC}|volume)|"
    rf"\b(?:{MUSIC}|volume)\s+(?:down|"
    rf"lower|quieter|softer)\b|\bturn\s+(?:the\s+)?(?:{MUSIC}|volume)\s+down\b"
)
_LOUDER = (
    rf"\blouder\b(?:[^,;.]{{0,20}}?\b(?:{MUSIC}|volume))?|"
    rf"\b(?:raise|increase|boost|turn\s+up)\b[^,;.]{{0,20}}?\b(?:{MUSIC}|volume)|\b(?:{MUSIC}|volume)\s+up\b|\bturn\s+(?:the\s+)?(?:{MUSIC}|volume)\s+up\b"
)
_NO_MUSIC = (
    rf"\b(?:no|without|remove|delete|drop|get rid of|lose)\s+(?:the\s+|any\s+)?"
    rf"(?:background\s+)?{MUSIC}|\bsilent\b|\bno\s+sound\b"
)
_ADD_MUSIC = (
    rf"\b(?:add|use|put|with|include|play|set|want|and)\b[^,;.]{{0,25}}?\b{MUSIC}|"
    rf"\bbackground\s+{MUSIC}"
)


def music(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    audio = [m for m in media if m.get("file_type") == "audio"]
    if fit := p.take(_FIT):
        add(out, "fit_to_music", fit[0].start())
    fades: dict[str, int] = {}
    for m in p.take(_NO_FADE):
        for way in ("in", "out"):
            if way in m.group(0).lower() or not re.search(r"in|out", m.group(0)[2:], _I):
                fades[f"fade_{way}_ms"] = 0
    for m in p.find(_FADE):
        ways = {g.lower() for g in m.groups() if g}
        ms = _fade_ms(p, m)
        p.eat(*m.span())
        for way in ways:
            fades[f"fade_{way}_ms"] = 2000 if ms is None else ms
    if fades:
        add(out, "set_music_fade", 0, **fades)
    vol = scale = None
    for m in p.take(_VOLUME):
        number = next(g for g in m.groups() if g)
        vol = float(number) if "." in number and float(number) <= 2 else float(number) / 100
    if p.take(_QUIETER):
        scale = 0.75
    if p.take(_LOUDER):
        scale = 1.25
    if p.take(rf"\bmute\b(?:\s+(?:the\s+)?{MUSIC})?"):
        vol = 0.0
    if vol is not None or scale:
        add(out, "set_music_volume", 0, vol=vol, scale=scale)
    if p.take(_NO_MUSIC):
        add(out, "remove_music")
        return
    named = [a for a in audio if _mentions(p, a.get("filename") or "")]
    nth = p.find(rf"\b({ORDW})\s+(?:song|track|audio|music|tune)\b")
    if named:
        add(out, "add_music", 0, media_id=named[0]["id"])
    elif nth:
        which = position(nth[0].group(1)) or 1
        if not audio or abs(which) > len(audio):
            out.questions.append(f"There is no song {which}: {len(audio)} audio file(s) uploaded.")
        else:
            add(out, "add_music", 0, media_id=audio[which - 1 if which > 0 else which]["id"])
        p.eat(*nth[0].span())
    elif p.take(_ADD_MUSIC):
        if audio:
            add(out, "add_music", 0, media_id=audio[0]["id"])
        else:
            out.notes.append(
                "No music is uploaded yet: upload an mp3, wav, m4a or aac file, "
                "then say 'add music'."
            )


def _mentions(p: Prompt, filename: str) -> bool:
    """Whether the prompt names this upload ("song.mp3", or its stem when distinctive)."""
    stem = filename.rsplit(".", 1)[0]
    if len(stem) < 4 or re.fullmatch(rf"{MUSIC}|track|sound|background|audio", stem, _I):
        stem = ""  # "music.mp3" must not be chosen by "fit to the music"
    for word in (filename, stem):
        if word:
            m = re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", p.text, _I)
            if m:
                p.eat(*m.span())
                return True
    return any(
        q.strip().lower() in (filename.lower(), stem.lower() or filename.lower()) for q in p.quotes
    )
