"""Looks, brightness, a logo and file-name captions, as people ask for them.

"make it black and white", "a sepia filter on the second photo", "warmer colours",
"brighter", "more contrast", "remove the filter"; "add my logo in the bottom right",
"a small faint watermark top left", "no logo"; "add captions with the file names".
The edits themselves are ``clips.set_look``, ``overlays.set_logo`` and
``overlays.add_file_name_captions``; this detector only reads the words.

A logo is an uploaded picture: the one named in the prompt, else the one whose file
name says logo or watermark.  With none, the agent asks which picture it is
instead of guessing.  "filter" alone ("add an instagram filter") names no look: the
agent says which looks there are.
"""

from __future__ import annotations

import re
from typing import Any

from nemowidgets.local.agent.vocab import ORD_RE, Parsed, Prompt, add, position

__all__ = ["LOOK_WORDS", "decor", "is_logo_file", "normalise_looks"]

_I = re.I
#: A look's name in the draft -> how the reply says it.
LOOK_WORDS = {
    "bw": "black and white",
    "sepia": "sepia",
    "warm": "warm",
    "cool": "cool",
    "vivid": "vivid",
    "faded": "faded",
    "none": "none (the original colours)",
}
_LOOKS: tuple[tuple[str, str], ...] = (
    ("bw", r"\bblack\s*(?:and|&|n)\s*white\b|\bb\s*&\s*w\b|\bmonochrome\b|\bgr[ae]y\s?scale\b"),
    ("sepia", r"\bsepia\b|\bvintage\b|\bretro\b|\bold[- ]fashioned\b"),
    ("warm", r"\bwarm(?:er)?\s+(?:look|tones?|colou?rs?|feel)\b|\bmore\s+warm\b|\bwarmer\b"),
    ("cool", r"\bcool(?:er)?\s+(?:look|tones?|colou?rs?|feel)\b|\bcooler\b|\bcold\s+look\b"),
    (
        "vivid",
        r"\bvivid\b|\bvibrant\b|\bmore\s+saturat\w*|\bsaturated\b|\b(?:more\s+)?colou?rful\b|"
        r"\bpunchier\s+colou?rs\b",
    ),
    ("faded", r"\bfaded\b|\bwashed[- ]out\b|\bmatte\s+look\b|\bmuted\s+colou?rs\b"),
    (
        "none",
        r"\b(?:remove|no|without|drop|turn\s+off|get\s+rid\s+of)\s+(?:the\s+|any\s+)?(?:looks?|"
        r"filters?|colou?r\s+effects?)\b|\boriginal\s+colou?rs?\b|\bback\s+to\s+colou?r\b",
    ),
)
_LOOK_WORD = r"(?:look|filter|effect|tones?|style)"
_BRIGHT = (
    (0.15, r"\bbrighter\b|\bbrighten\b|\blighter\b|\b(?:more|increase\s+the)\s+brightness\b"),
    (-0.15, r"\bdarker\b|\bdarken\b|\b(?:less|reduce\s+the|lower\s+the)\s+brightness\b"),
)
_CONTRAST = (
    (1.25, r"\bmore\s+contrast\b|\b(?:increase|boost)\s+(?:the\s+)?contrast\b|\bpunchier\b"),
    (0.8, r"\bless\s+contrast\b|\b(?:reduce|lower)\s+(?:the\s+)?contrast\b|\bsofter\s+look\b"),
)
_LOGO = r"\b(?:logo|watermark|brand(?:ing)?\s+mark)s?\b"
_NO_LOGO = (
    r"\b(?:remove|no|without|drop|delete|get\s+rid\s+of|hide)\s+(?:the\s+|my\s+|any\s+)?"
    r"(?:logo|watermark)s?\b"
)
_CORNER = (
    r"\b(top|upper|bottom|lower)[\s-]+(left|right)\b|\b(left|right)[\s-]+(top|bottom|upper|lower)\b"
)
_FILE_NAMES = (
    r"\b(?:captions?|subtitles?|labels?)\b[^,;.!?]{0,30}?\b(?:file\s?names?|filenames?|"
    r"names\s+of\s+the\s+(?:files|photos))\b|\b(?:file\s?names?|filenames?)\b[^,;.!?]{0,25}?"
    r"\b(?:as|for|in)\s+(?:the\s+)?(?:captions?|subtitles?|labels?)\b"
)


def normalise_looks(text: str) -> str:
    """ "a sepia filter" -> "a sepia look": the look is asked for, not an unknown filter."""
    return re.sub(
        r"\b(black\s*(?:and|&)\s*white|sepia|vintage|retro|monochrome|warm(?:er)?|cool(?:er)?|"
        r"vivid|faded|gr[ae]y\s?scale)\s+(?:filter|effect)s?\b",
        r"\1 look",
        text,
        flags=_I,
    )


def is_logo_file(name: str) -> bool:
    """Whether an upload is named as a logo (``logo.png``, ``my_watermark.png``)."""
    return bool(re.search(r"logo|watermark", name or "", _I))


def decor(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    """Looks, brightness and contrast, the logo, and captions from the file names."""
    if named := p.take(_FILE_NAMES):
        add(out, "add_file_name_captions", named[0].start())
    _logo(p, out, media)
    for name, pattern in _LOOKS:
        for m in p.take(pattern):
            p.take(rf"^\s*{_LOOK_WORD}\b")  # the "look" of "a sepia look"
            add(out, "set_look", m.start(), look=name, photo=_photo(p, m.start()))
            p.eat(m.end(), m.end() + _look_tail(p.text[m.end() :]))
    for delta, pattern in _BRIGHT:
        for m in p.take(pattern):
            add(out, "set_look", m.start(), brightness_delta=delta, photo=_photo(p, m.start()))
    for scale, pattern in _CONTRAST:
        for m in p.take(pattern):
            add(out, "set_look", m.start(), contrast_scale=scale, photo=_photo(p, m.start()))


def _look_tail(rest: str) -> int:
    m = re.match(rf"\s*(?:{_LOOK_WORD}|colou?rs?)\b", rest, _I)
    return m.end() if m else 0


def _photo(p: Prompt, at: int) -> int | None:
    """The photo a look is for, when the clause names one ("make photo 2 black and white")."""
    lead = p.text[:at]
    start = max(lead.rfind(","), lead.rfind(";"), lead.rfind(" and "), lead.rfind("."))
    which = ORD_RE.search(p.clause(start + 1, stop_and=True))
    if which is None:
        return None
    p.eat(*(which.start() + start + 1, which.end() + start + 1))
    return position(which.group(0))


def _logo(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    if off := p.take(_NO_LOGO):
        add(out, "remove_logo", off[0].start())
        return
    said = p.find(_LOGO)
    if not said:
        return
    clause = p.clause(max(0, said[0].start() - 40), stop_and=False) + p.clause(said[0].start())
    pictures = [x for x in media if x.get("file_type") == "image"]
    named = [x for x in pictures if _named(p, str(x.get("filename") or ""))]
    chosen = named or [x for x in pictures if is_logo_file(str(x.get("filename") or ""))]
    for m in said:
        p.eat(*m.span())
    if not chosen:
        out.questions.append(
            "Which picture is the logo? Upload it (a PNG with transparency works best) with "
            "'logo' in its name, or name it, e.g. 'use brand.png as the logo'."
        )
        return
    corner = re.search(_CORNER, p.text, _I)
    size = 0.1 if re.search(r"\b(?:small|tiny|little|subtle)\b", clause, _I) else None
    size = 0.25 if re.search(r"\b(?:big|large|bigger|larger)\b", clause, _I) else size
    faint = re.search(r"\b(?:faint|transparent|subtle|light|see[- ]through)\b", clause, _I)
    add(
        out,
        "set_logo",
        said[0].start(),
        media_id=chosen[0]["id"],
        corner=" ".join(g for g in corner.groups() if g) if corner else None,
        size=size,
        opacity=0.5 if faint else None,
    )
    if corner:
        p.eat(*corner.span())


def _named(p: Prompt, filename: str) -> bool:
    if not filename:
        return False
    m = re.search(rf"(?<![\w.]){re.escape(filename)}(?!\w)", p.text, _I)
    if m:
        p.eat(*m.span())
    return m is not None
