"""Prompt → intents: what a plain-English (or Chinese-keyword) request asks the agent to do.

Rule-based on purpose: deterministic, explainable, testable with a table.  The
prompt is normalised (``vocab.normalise``), then detectors run from the most
specific phrases to the most general, each *consuming* the words it used so that
"fade the music out over 2 seconds" is never also read as a transition, and
"for the first 3 seconds" inside a title clause never becomes a photo duration.

An :class:`Intent` holds what the words say (positions are 1-based, negative
from the end, as the user wrote them); the agent resolves them against the draft.
Parts that are clear in intent but missing a value ("make it longer", "add a
title") become *questions* the agent asks back instead of guessing.

Before the detectors, the prompt is read as a sentence: requests that cannot be
done are named and taken out (``unsupported.py``), photos named by file name
become positions (``names.py``), negations are put in the detectors' forms
(``negation.py``), and a photo described by its content stops the turn with a
question (the agent cannot see the photos).

Detector order (most specific first): cuts on the beat (``rhythm.py``), clip trims
and sound (``clip_words.py``), text style (``styles.py``), looks and the logo
(``decor.py``), captions, title size, titles (``texts.py``),
transitions, volume words, music (fit, fades, volume, add/remove), relative lengths and
speed (``relative.py``), total length, order (swap, move, remove, reverse, shuffle, add
new photos: ``order.py``), photo durations, Ken Burns, canvas (aspect, size, fps, fit), "make a
slideshow", then what is still ambiguous.
"""

from __future__ import annotations

import re
from typing import Any

from nemowidgets.local.agent.clip_words import clip_requests
from nemowidgets.local.agent.decor import decor, normalise_looks
from nemowidgets.local.agent.motion import ken_burns
from nemowidgets.local.agent.names import describes_content, resolve_names
from nemowidgets.local.agent.negation import rewrite_negations
from nemowidgets.local.agent.order import LEFT_MOVE, REORDERS, structure
from nemowidgets.local.agent.phrases import music, transitions
from nemowidgets.local.agent.relative import lengths_and_speed, title_size, volume_words
from nemowidgets.local.agent.rhythm import beat_sync
from nemowidgets.local.agent.styles import text_styles
from nemowidgets.local.agent.texts import captions, titles
from nemowidgets.local.agent.unsupported import unsupported
from nemowidgets.local.agent.vocab import (
    DUR,
    ORD,
    ORD_RE,
    QUOTE_RE,
    Intent,
    Parsed,
    Prompt,
    add,
    dur_ms,
    names,
    normalise,
    position,
    where,
)
from nemowidgets.local.agent.zh import describes_content as zh_content

__all__ = ["MAX_PROMPT_CHARS", "Intent", "Parsed", "parse"]

MAX_PROMPT_CHARS = 4000
_I = re.I


def parse(
    prompt: str, media: list[dict[str, Any]] | None = None, draft: dict[str, Any] | None = None
) -> Parsed:
    """The intents of ``prompt``; ``media`` and ``draft`` let it resolve names ("moon.jpg")."""
    out = Parsed(lang=language(prompt))
    if len(prompt) > MAX_PROMPT_CHARS:
        out.questions.append(
            f"That request is very long ({len(prompt):,} characters). Please describe the edit "
            "in a sentence or two, e.g. 'make a slideshow with transitions and music'."
        )
        return out
    text, quotes = normalise(prompt)
    p = Prompt(text, quotes)
    if p.has(r"\b(?:undo|revert|roll ?back|take (?:that|it) back)\b|\bgo back\b(?! to)"):
        out.undo = True
        return out
    if not text or p.has(r"^\W*(?:help|what can you do|commands|options|hi|hello|hey)\W*$"):
        out.help = True
        return out
    p.text = normalise_looks(p.text)
    unsupported(p, out, out.lang)
    p.text, dropped = rewrite_negations(resolve_names(p.text, draft, media or []))
    if describes_content(p.text) or (out.lang == "zh" and zh_content(QUOTE_RE.sub(" ", prompt))):
        out.questions.append(NO_SEE_ZH if out.lang == "zh" else NO_SEE)
        return out
    for detect in (
        beat_sync,
        clip_requests,
        text_styles,
        decor,
        captions,
        title_size,
        titles,
        transitions,
        volume_words,
        music,
        lengths_and_speed,
        _lengths,
        structure,
        _durations,
        ken_burns,
        _canvas,
        _slideshow,
        _ambiguous,
    ):
        detect(p, out, media or [])
    if dropped and not out.intents:
        out.notes.append("好的，保持原样。" if out.lang == "zh" else "OK, I left that as it is.")
    return out


NO_SEE = (
    "I can't see what is in the photos; name it by file name or position, e.g. "
    "'remove moon.jpg' or 'remove photo 2'."
)
NO_SEE_ZH = (
    "我看不到照片里的内容；请用文件名或位置指定照片，例如“删除 moon.jpg”或“删除第二张照片”。"
)
_CJK = re.compile(r"[\u3400-\u9fff]")


def language(prompt: str) -> str:
    """``"zh"`` when the prompt has Chinese outside its quotes (the reply follows it)."""
    return "zh" if _CJK.search(QUOTE_RE.sub(" ", prompt or "")) else "en"


# -- total length ----------------------------------------------------------------------------

_ABOUT = r"(?:about\s+|exactly\s+|around\s+|only\s+)?"
_TOTAL = "|".join(
    (
        rf"^\W*{_ABOUT}({DUR})(?:\s+(?:long|total|video|please))*\W*$",
        rf"\bmake\s+(?:it|the\s+(?:whole\s+)?(?:video|slideshow|movie|thing)|everything)\s+"
        rf"(?:about\s+|exactly\s+|last\s+)*({DUR})(?:\s+long)?",
        rf"({DUR})\s*(?:long\b|in\s+total\b|total\b|overall\b|in\s+length\b)",
        rf"\b(?:an?|the)\s+({DUR})\s*(?:long\s+)?(?:video|slideshow|movie|clip|reel|short)\b",
        rf"\b(?:total(?:\s+(?:length|duration|time))?|length|duration|run\s?time|overall)\s*"
        rf"(?:of|to|is|=|:|should be|at)?\s*{_ABOUT}({DUR})",
        rf"\b(?:shorten|trim|cut|extend|stretch|lengthen|change|set)\s+(?:it|the\s+(?:video|slideshow|"
        rf"movie|length|duration))\s+(?:down\s+|up\s+)?to\s+({DUR})",
        rf"\b(?:video|slideshow|movie|it)\s+(?:should\s+)?(?:be|last|lasts|run)\s+{_ABOUT}({DUR})",
        rf"\b(?:it|video|slideshow|movie|thing|clip)\s+(?:to\s+)?be\s+(?:only\s+|just\s+)?{_ABOUT}({DUR})",
        rf"\b(?:an?|the)\s+{_ABOUT}({DUR})\s*(?:long\s+)?(?:[\w:]+\s+){{0,3}}?(?:video|slideshow|"
        rf"movie|clip|reel|short|version)\b",
        rf"(?:^|[,;]|\band\b)\s*{_ABOUT}({DUR})\s*(?:long|total)?\s*(?=[,;]|$)",
    )
)


def _lengths(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    for m in p.take(_TOTAL):
        add(out, "set_total_duration", m.start(), ms=dur_ms(m.group(0)))


# -- photos: durations (order: ``order.py``) ----------------------------------------------

_CONN = (
    r"(?:should\s+)?(?:(?:to|for|be|last|lasts|is|=|:|at|of|stay|stays|shown\s+for|take|"
    r"takes)\s+)*(?:about\s+)?"
)
_PHOTO = r"(?:photo|picture|image|pic|slide|shot)"
_ONE_PHOTO = (
    rf"(?P<o>{ORD})\s*{_CONN}(?P<d>{DUR})(?:\s+(?P<r1>longer|shorter|more|less))?|"
    rf"(?P<d2>{DUR})(?:\s+(?P<r2>longer|shorter|more|less))?\s+(?:for|on)\s+(?:the\s+)?"
    rf"(?P<o2>{ORD})"
)
_EACH_PHOTO = "|".join(
    (
        rf"({DUR})(?:\s+(?P<r1>longer|shorter))?\s*(?:long\s+)?(?:per|each|for\s+each|for\s+every|"
        rf"every|a|on\s+each)\s+{_PHOTO}",
        rf"\b(?:each|every|per|all(?:\s+the)?)\s+{_PHOTO}s?\s*{_CONN}({DUR})(?:\s+(?P<r2>longer|shorter))?",
        rf"({DUR})\s*(?:long\s+)?{_PHOTO}s\b",
        rf"\b(?:show|display|hold|keep)\s+(?:each|every|the)?\s*(?:{_PHOTO}s?)?\s*(?:for\s+)?({DUR})",
        rf"({DUR})\s+(?:each|apiece)\b",
        rf"\b{_PHOTO}s\s+(?:to|for|at|of)\s+({DUR})",
        rf"\b(?:the|my|all|these)\s+(?:the\s+)?{_PHOTO}s\s+{_CONN}({DUR})(?!\s*(?:longer|shorter))",
        rf"\b(?:each|every|all(?:\s+the)?)\s+{_PHOTO}s?\b(?:\s+[a-z']+){{1,5}}?\s+(?:for\s+)?"
        rf"({DUR})(?!\s*(?:longer|shorter|more|less))",
    )
)


def _durations(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    for m in p.take(_ONE_PHOTO):
        which = position(m.group("o") or m.group("o2"))
        ms = dur_ms(m.group("d") or m.group("d2")) or 0
        word = (m.group("r1") or m.group("r2") or "").lower()
        if word:
            sign = -1 if word in ("shorter", "less") else 1
            add(out, "set_segment_duration", m.start(), photo=which, delta_ms=sign * ms)
        else:
            add(out, "set_segment_duration", m.start(), photo=which, ms=ms)
    for m in p.take(_EACH_PHOTO):
        ms = dur_ms(m.group(0)) or 0
        word = (m.group("r1") or m.group("r2") or "").lower()
        if word:
            add(out, "set_photo_duration", m.start(), delta_ms=-ms if word == "shorter" else ms)
        else:
            add(out, "set_photo_duration", m.start(), ms=ms)


# -- canvas and the slideshow itself ---------------------------------------------------------

_ASPECT_WORDS = (
    (
        "9:16",
        r"\b9\s*[:x/×]\s*16\b|\bvertical\b|\bportrait\b(?!\s+(?:photos?|pictures?))|"
        r"\btik\s?tok\b|\breels?\b|\bshorts\b|\bstor(?:y|ies)\b|\bphone\s+screen\b",
    ),
    (
        "4:5",
        r"\b4\s*[:x/×]\s*5\b|\binstagram\s+portrait\b|"
        r"\binstagram\b(?!\s+(?:reels?|stor(?:y|ies)))(?:\s+(?:post|feed))?",
    ),
    ("1:1", r"\b1\s*[:x/×]\s*1\b|\bsquare\b"),
    (
        "16:9",
        r"\b16\s*[:x/×]\s*9\b|\blandscape\b|\bwide\s?screen\b|\bhorizontal\b|"
        r"\byoutube\b(?!\s+shorts)",
    ),
)
_FITS = (
    (
        "blur",
        r"\bblur(?:red|ry)?\s+(?:background|backdrop|bars|sides|edges|fill|borders)\b|"
        r"\bblur\s+fill\b",
    ),
    (
        "black",
        r"\bblack\s+(?:bars|background|borders|edges|sides|backdrop)\b|"
        r"\bletter\s?box(?:ed|ing)?\b|\bpillar\s?box(?:ed|ing)?\b",
    ),
    (
        "cover",
        r"\b(?:fill|cover)\s+(?:up\s+)?(?:the\s+)?(?:whole\s+|entire\s+)?(?:frame|screen|"
        r"canvas)\b|\bcrop(?:ped)?(?:\s+to\s+fill)?\b|\bzoom\s+to\s+fill\b|"
        r"\bno\s+(?:black\s+)?bars\b|\bfull[- ]?screen\b|\bfill\b",
    ),
)


def _canvas(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    found = [(m.start(), aspect) for aspect, pattern in _ASPECT_WORDS for m in p.take(pattern)]
    if len({a for _, a in found}) > 1 and re.search(r"\bor\b", p.text, _I):
        out.questions.append(f"Which format: {' or '.join(sorted({a for _, a in found}))}?")
        found = []
    side = None
    if p.take(r"\b720p?\b|\bhd\s+ready\b|\b1280\s*x\s*720\b"):
        side = 720
    if p.take(r"\b1080p?\b|\bfull\s*hd\b|\bfhd\b|\b1920\s*x\s*1080\b|\bin\s+hd\b"):
        side = 1080
    if p.take(r"\b4k\b|\b2160p?\b|\buhd\b"):
        side = 1080
        out.notes.append("The local renderer goes up to 1080p, so I used 1080p.")
    fps = [int(m.group(1)) for m in p.take(r"\b(\d{2})\s*(?:fps|frames?\s+(?:per|a)\s+second)\b")]
    if found or side or fps:
        add(
            out,
            "set_canvas",
            min([s for s, _ in found], default=0),
            aspect=max(found)[1] if found else None,
            short_side=side,
            fps=fps[-1] if fps else None,
        )
    for fit, pattern in _FITS:
        if m := p.take(pattern):
            add(out, "set_fit", m[0].start(), fit=fit)


_SLIDESHOW = "|".join(
    (
        r"\bslide\s?shows?\b|\bmontage\b|\bphoto\s+(?:video|movie|reel)\b",
        r"\b(?:make|create|build|generate|produce|turn|put|combine|assemble|stitch)\b[^,;.]{0,40}?"
        r"\b(?:into|to)\s+(?:an?\s+)?(?:\w+\s+){0,3}?(?:video|movie|slideshow|reel|film|clip)\b",
        r"\b(?:make|create|build|generate|produce)\s+(?:me\s+)?(?:an?|my)\s+(?:[\w:]+\s+){0,4}?"
        r"(?:video|movie|reel|film)\b",
        r"\bvideo\s+(?:from|of|with)\s+(?:my|the|these|all)\s+(?:photos|pictures|images|pics)\b",
    )
)


def _slideshow(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    if m := p.take(_SLIDESHOW):
        add(out, "make_slideshow", m[0].start())


def _ambiguous(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    done = names(out)
    left = LEFT_MOVE.search(p.text)
    if left and done & REORDERS:  # one move of several was not read: say so, never drop it
        out.notes.append(
            f"I did not understand '{' '.join(left.group(0).split())}', so that part is not "
            "done; say e.g. 'move photo 2 last'."
        )
    timed = {"set_total_duration", "set_photo_duration", "set_segment_duration", "fit_to_music"}
    vague = p.has(
        r"\b(?:longer|shorter|slower|faster|speed\s+(?:it\s+)?up|"
        r"slow\s+(?:it\s+)?down)\b"
    )
    which = ORD_RE.search(p.text)
    n = where(position(which.group(0)) if which else None)
    if which and vague and not done & timed:
        out.questions.append(
            f"How long should {n} last? For example 'make {n} "
            f"5 seconds' or 'make {n} 2 seconds shorter'."
        )
    elif vague and not done & timed:
        out.questions.append(
            "How long should it be? For example: 'make it 30 seconds long', "
            "'4 seconds per photo' or 'fit to the music'."
        )
    elif which and p.has(r"\b(?:make|set|change)\b") and not done:
        out.questions.append(
            f"What should change about {n}? For example 'make {n} "
            f"5 seconds', 'move {n} first' or 'remove {n}'."
        )
    elif (
        p.has(
            r"\b(?:remove|delete|move|swap|replace|change)\b[^,;.]{0,20}\b(?:a|the|that|this|"
            r"one)\s+(?:photo|picture|image)\b"
        )
        and not done
    ):
        out.questions.append(
            "Which photo? Say e.g. 'remove photo 2', 'move the last photo first' "
            "or 'make the third photo 5 seconds'."
        )
