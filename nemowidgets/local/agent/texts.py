"""Detectors for titles and captions: their text, position, timing and size.

Text comes in placeholders (``⟦n⟧``): quoted, or lifted from "a title saying ..."
by ``unquoted.py``.  A clear request without its text ("add a title", "add
subtitles", "put some text on it") becomes a question back, never a guess.
Like the other detectors (see ``phrases.py``) these consume the words they used.
"""

from __future__ import annotations

import re
from typing import Any

from nemowidgets.local.agent.vocab import (
    DUR,
    ORD_RE,
    PLACEHOLDER_RE,
    Parsed,
    Prompt,
    add,
    dur_ms,
    names,
    position,
    where,
)

__all__ = ["CAPTION_QUESTION", "TEXT_QUESTION", "captions", "titles"]

_I = re.I


CAPTION_QUESTION = (
    "What should the captions say, and on which photos? Name each one, e.g. caption photo 2 "
    "'Sunset', or caption the last photo: The end."
)
TEXT_QUESTION = (
    "What should the text say? For the whole video add a title, e.g. add the title "
    "'Summer 2024' at the top; for one photo a caption, e.g. caption photo 2 'Sunset'."
)
_ADD_TEXT = r"\b(?:add|put|want|need|write|include|insert|create|give|show|display|with|some)\b"


def captions(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    if p.take(
        r"\b(?:remove|delete|drop|clear|hide|no|without|get rid of)\s+(?:the\s+|all\s+"
        r"(?:the\s+)?|any\s+)?(?:captions?|subtitles?|labels?)\b"
    ):
        add(out, "remove_captions")
    asked = False
    for kw in p.find(r"\b(?:caption|subtitle|label)(?:s|ed)?\b")[:12]:
        lead = p.text[: kw.start()][::-1]  # reversed: the nearest boundary before the keyword
        head = re.search(r"[,;]|\bdna\b", lead)
        start = kw.start() - (head.start() if head else kw.start())
        tokens = sorted(
            [(m.start(), "o", m) for m in ORD_RE.finditer(p.text, start)]
            + [(m.start(), "q", m) for m in PLACEHOLDER_RE.finditer(p.text, start)],
            key=lambda x: x[0],
        )
        used = False
        i = 0
        while i + 1 < len(tokens):
            (_, k1, m1), (_, k2, m2) = tokens[i], tokens[i + 1]
            if {k1, k2} == {"o", "q"}:
                o, q = (m1, m2) if k1 == "o" else (m2, m1)
                pos = _text_pos(p.clause(kw.start(), stop_and=False))
                add(
                    out,
                    "add_caption",
                    o.start(),
                    photo=position(o.group(0)),
                    text=p.quotes[int(q.group(1))],
                    pos=pos,
                )
                p.eat(*o.span())
                p.eat(*q.span())
                used = True
                i += 2
            else:
                i += 1
        if used:
            p.eat(*kw.span())
        elif tokens and tokens[0][1] == "o" and not any(k == "q" for _, k, _ in tokens):
            which = where(position(tokens[0][2].group(0)))
            out.questions.append(
                f"What should the caption on {which} say? Put it in "
                f"quotes, e.g. caption {which} 'Sunset'."
            )
            p.eat(*kw.span())
        elif not tokens and not asked and p.has(_ADD_TEXT) and "remove_captions" not in names(out):
            asked = True
            out.questions.append(CAPTION_QUESTION)
            p.eat(*kw.span())


def _text_pos(clause: str) -> str | None:
    m = re.search(r"\b(top|upper|bottom|lower|cent(?:er|re)(?:ed)?|middle)\b", clause, _I)
    if not m:
        return None
    word = m.group(1).lower()
    if word in ("top", "upper"):
        return "top"
    return "bottom" if word in ("bottom", "lower") else "center"


def _title_timing(clause: str, full: str) -> dict[str, Any]:
    """Title timing words → ``start_ms``/``end_ms``, ``last_ms`` (from the end) or ``whole``."""
    d, num = DUR, r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?)?"
    if m := re.search(rf"\bbetween\s+{num}\s+and\s+({d})", full, _I):
        return {"start_ms": round(float(m.group(1)) * 1000), "end_ms": dur_ms(m.group(2))}
    if m := re.search(rf"\bfrom\s+{num}\s*(?:to|until|till|-)\s*({d})", clause, _I):
        return {"start_ms": round(float(m.group(1)) * 1000), "end_ms": dur_ms(m.group(2))}
    if m := re.search(rf"\b(?:first|opening)\s+({d})", clause, _I):
        return {"start_ms": 0, "end_ms": dur_ms(m.group(1))}
    if m := re.search(rf"\b(?:last|final|closing)\s+({d})", clause, _I):
        return {"last_ms": dur_ms(m.group(1))}
    if re.search(
        r"\b(?:whole|entire|full)\s+(?:video|thing|time|slideshow|movie|length)\b|"
        r"\bthroughout\b|\ball the way\b",
        clause,
        _I,
    ):
        return {"whole": True}
    if re.search(r"\bat the end\b", clause, _I):
        return {"last_ms": 3000}
    if m := re.search(rf"\b(?:starting|start|appear(?:ing)?)\s+(?:at|after)\s+({d})", clause, _I):
        return {"start_ms": dur_ms(m.group(1))}
    if m := re.search(rf"\bfor\s+({d})", clause, _I):
        return {"start_ms": 0, "end_ms": dur_ms(m.group(1))}
    return {}


_TITLE_STOP = (
    r"(?!(?:to|at|for|in|into|on|of|from|the|a|an|is|and|or|with|top|bottom|center|centre|"
    r"middle|bigger|smaller|larger|position|size|font|card)\b)"
)


def titles(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    if p.take(
        r"\b(?:remove|delete|drop|clear|hide|get rid of|no|without)\s+(?:the\s+|a\s+|any\s+)?"
        r"(?:main\s+)?(?:titles?|headings?)\b"
    ):
        add(out, "remove_title")
    ask = text_ask = False
    for kw in p.find(
        r"\b(?:title[sd]?|heading|headline|caption|subtitle|text|call(?:ed)?(?: it)?|"
        r"named|name it|saying|that says)\b"
    )[:12]:
        if not p.text[kw.start() : kw.end()].strip():
            continue  # eaten as part of an earlier title clause
        word = kw.group(0).lower()
        if not _title_clause(p, out, kw, word):
            ask = ask or word.startswith(("title", "heading", "headline"))
            lead_in = p.text[max(0, kw.start() - 24) : kw.start()]
            text_ask = text_ask or (word == "text" and bool(re.search(_ADD_TEXT, lead_in, _I)))
    _loose_title(p, out)
    _title_questions(out, ask, text_ask)


def _title_clause(p: Prompt, out: Parsed, kw: re.Match[str], word: str) -> bool:
    """One title keyword: its ``set_title``, its clause eaten; False if it says nothing to do."""
    clause, full = p.clause(kw.start()), p.clause(kw.start(), stop_and=False)
    text = _title_text(p, kw, word, full)
    pos = _text_pos(clause)
    timing = _title_timing(clause, full)
    size = (
        1.25
        if re.search(r"\b(?:bigger|larger|huge)\b", clause, _I)
        else (0.8 if re.search(r"\b(?:smaller|tiny)\b", clause, _I) else None)
    )
    is_title = word.startswith(("title", "heading", "headline"))
    if text is not None:
        if pos is None and word in ("caption", "subtitle"):
            pos = "bottom"
        add(out, "set_title", kw.start(), text=text, pos=pos, scale=size, **timing)
    elif is_title and (pos or timing or size):
        add(out, "set_title", kw.start(), pos=pos, scale=size, **timing)
    else:
        return False
    p.eat(kw.start(), kw.start() + len(full if "between" in full else clause))
    return True


def _title_text(p: Prompt, kw: re.Match[str], word: str, full: str) -> str | None:
    """The title's words: a quote near the keyword (eaten), or the words after it."""
    near = PLACEHOLDER_RE.search(full[: 40 + len(word)])
    lead = p.text[max(0, kw.start() - 24) : kw.start()]
    before = re.search(r"⟦(\d+)⟧\s*as\s+(?:the\s+|a\s+)?$", lead, _I)
    if near:
        p.eat(kw.start() + near.start(), kw.start() + near.end())
        return p.quotes[int(near.group(1))]
    if before:
        p.eat(kw.start() - len(lead) + before.start(), kw.start())
        return p.quotes[int(before.group(1))]
    if word in ("text", "caption", "subtitle"):
        return None
    m = re.match(
        rf"\s*(?::|=|\bas\b|\bto\b)?\s*{_TITLE_STOP}([^\s,;.!?⟦][^,;!?⟦]*?)\s*"
        r"(?=$|[,;!?]|\.(?:\s|$)|\s+(?:at|on top|on the|in the|for|from|during|"
        r"until|between|with|and)\b)",
        p.text[kw.end() :],
        _I,
    )
    return m.group(1).strip() if m else None


def _loose_title(p: Prompt, out: Parsed) -> None:
    """A quote to show with no title keyword: "add 'The End' at the end"."""
    loose = PLACEHOLDER_RE.search(p.text)
    if loose and "set_title" not in names(out) and p.has(r"\b(?:add|put|show|write|display)\b"):
        clause = p.clause(loose.start())
        add(
            out,
            "set_title",
            loose.start(),
            text=p.quotes[int(loose.group(1))],
            pos=_text_pos(clause),
            **_title_timing(clause, clause),
        )
        p.eat(loose.start(), loose.start() + len(clause))


def _title_questions(out: Parsed, ask: bool, text_ask: bool) -> None:
    """A title or text asked for without its words: ask what it should say."""
    if text_ask and not ask and not names(out) & {"set_title", "add_caption"}:
        out.questions.append(TEXT_QUESTION)
    elif ask and "set_title" not in names(out):
        out.questions.append(
            "What should the title say? Put it in quotes, e.g. add the "
            "title 'Summer 2024' at the top."
        )
