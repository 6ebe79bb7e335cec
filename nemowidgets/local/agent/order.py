"""Photo order: swap, move, remove, reverse, shuffle and add new photos, as the user says it.

A detector like those in ``intents.py`` (which runs it after the length detectors).
Several edits may share one verb: "put astronaut first and moon last" is two moves,
"swap the first and second photos and the third and fourth" two swaps; each becomes its
own intent, applied in the order said, with photo numbers as they were before the
prompt.  A move the detector could not read is left in the text, so the agent says that
part was not done (:data:`LEFT_MOVE`) instead of dropping it.
"""

from __future__ import annotations

import re
from typing import Any

from nemowidgets.local.agent.vocab import (
    DUR,
    NOUN,
    ORD,
    ORDNOUN,
    ORDW,
    TOK,
    Parsed,
    Prompt,
    add,
    position,
)

__all__ = ["LEFT_MOVE", "REORDERS", "structure"]

_I = re.I
REORDERS = {"move_segment", "swap_segments", "remove_segment", "reverse_order"}
#: What is left of a move after the detectors ran: "photo 1 should really be last".
LEFT_MOVE = re.compile(
    rf"(?:{ORD}|photo\s+\d+)\b[^,;.!?]{{0,20}}?\b(?:first|last|end|start|front|beginning)\b", re.I
)

_NOUNS = rf"(?:{NOUN}\s*)"
_SWAP = (
    rf"\b(?:swap|switch|exchange|flip|trade)\s+(?:the\s+)?{_NOUNS}?(?P<a>{TOK})\s*"
    rf"(?:{ORDNOUN}\s*)?(?:and|with|&|for)\s+(?:the\s+)?{_NOUNS}?(?P<b>{TOK})(?:\s*{ORDNOUN})?"
)
_DEST = (
    rf"(?:to\s+|at\s+|in\s+|into\s+)?(?:the\s+)?(?:be\s+)?(?:the\s+)?(?P<dst>first|start|"
    rf"beginning|front|last|end|(?:position|slot|place|spot)\s*#?\s*\d+|"
    rf"{ORDW}\s+(?:position|place|slot|spot)|(?:after|before|behind)\s+(?:the\s+)?(?:{ORD}|{TOK}))"
)
_MOVE = (
    rf"\b(?:move|put|place|bring|make|shift|send)\s+(?:the\s+)?(?P<src>{ORD})\s+{_DEST}"
    rf"(?:\s+(?:one|{NOUN}|position|place))?"
)
#: A second (third ...) move after the first, without its verb: "and photo 2 last",
#: ", then the moon one at the end", "astronaut first, moon last".
_MOVE_MORE = (
    rf"(?:^|(?<=[,;])|(?<=\band)|(?<=\bthen)|(?<=&))\s*(?:then\s+|also\s+)?(?:the\s+)?"
    rf"(?P<src>{ORD}|(?:photo|picture|image)\s+\d+(?=\s+{ORDW}\b))\s+(?:should\s+(?:be|go|come)\s+|goes\s+|comes\s+|to\s+be\s+)?"
    rf"(?:(?:to|at|in|into)\s+)?(?:the\s+)?(?:very\s+)?(?P<dst>first|last|end|front|start|"
    rf"beginning|(?:position|slot|place|spot)\s*#?\s*\d+|{ORDW}(?:\s+(?:position|place|slot|spot))?|"
    rf"(?:after|before|behind)\s+(?:the\s+)?(?:{ORD}|{TOK}))(?:\s+one)?\b(?!\s*\d)(?!\s*(?:s|sec))"
)
_SWAP_MORE = (
    rf"\s*(?:,|and|&)\s*(?:then\s+)?(?:swap\s+)?(?:the\s+)?{_NOUNS}?(?P<a>{TOK})\s*"
    rf"(?:{ORDNOUN}\s*)?(?:and|with|&)\s+(?:the\s+)?{_NOUNS}?(?P<b>{TOK})(?:\s*{ORDNOUN})?"
)
_REMOVE_VERB = (
    r"\b(?:remove|delete|drop|cut(?:\s+out)?|take\s+out|get\s+rid\s+of|skip|exclude|"
    r"lose)\s+"
)
_ITEM = rf"(?:the\s+)?(?:{NOUN}\s*)?(?:#\s*)?{TOK}(?:\s*{ORDNOUN})?"
_APPEND = (
    rf"\b(?:add|include|append|use|put\s+in)\s+(?:the\s+)?(?:new|newly\s+uploaded|remaining|"
    rf"other|rest\s+of\s+the|missing|more|latest|extra|all\s+(?:the\s+)?)\s*(?:new\s+)?"
    rf"(?:uploaded\s+)?{NOUN}"
)


def _dest(text: str) -> dict[str, Any] | int:
    word = text.lower()
    if word.startswith(("after", "before", "behind")):
        return {"after" if word.startswith("after") else "before": position(text.split(None, 1)[1])}
    if word in ("first", "start", "beginning", "front"):
        return 1
    if word in ("last", "end"):
        return -1
    return position(text) or 1


def structure(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    for m in p.take(_SWAP):
        add(out, "swap_segments", m.start(), a=position(m.group("a")), b=position(m.group("b")))
        end = m.end()
        while more := re.match(_SWAP_MORE, p.text[end:], _I):  # "... and the third and fourth"
            a, b = position(more.group("a")), position(more.group("b"))
            add(out, "swap_segments", end + more.start("a"), a=a, b=b)
            p.eat(end, end + more.end())
            end += more.end()
    for m in p.take(rf"\b(?:swap|switch|flip)\s+the\s+(first|last)\s+2\s+{NOUN}"):
        a, b = (1, 2) if m.group(1).lower() == "first" else (-2, -1)
        add(out, "swap_segments", m.start(), a=a, b=b)
    for m in p.take(_MOVE):
        src, dst = position(m.group("src")), _dest(m.group("dst"))
        add(out, "move_segment", m.start(), photo=src, to=dst)
    for m in p.take(_MOVE_MORE):  # "put astronaut first and moon last": one verb, two moves
        add(
            out, "move_segment", m.start(), photo=position(m.group("src")), to=_dest(m.group("dst"))
        )
    for m in p.take(rf"{_REMOVE_VERB}the\s+(first|last)\s+(\d+)\s+{NOUN}"):
        n = int(m.group(2))
        for k in range(1, n + 1) if m.group(1).lower() == "first" else range(-n, 0):
            add(out, "remove_segment", m.start(), photo=k)
    for m in p.find(rf"{_REMOVE_VERB}(?P<list>{_ITEM}(?:\s*(?:,|and|&)\s*{_ITEM})*)"):
        body = m.group("list")
        if not re.search(rf"{NOUN}|\bone\b|#", body, _I) or re.search(DUR, p.clause(m.start()), _I):
            continue  # "cut the first photo to 2 s" is a duration; "remove 2" names nothing
        for t in re.finditer(rf"(?<![\w.])({ORDW}|\d+)(?![\w.])", body, _I):
            add(out, "remove_segment", m.start() + t.start(), photo=position(t.group(1)))
        p.eat(*m.span())
    if hit := p.take(r"\breverse(?:d)?\b|\bbackwards?\b|\bin\s+reverse\b"):
        add(out, "reverse_order", hit[0].start())
    if hit := p.take(r"\bshuffle[ds]?\b|\brandom(?:i[sz]e)?\b|\bmix\s+up\b|\bscramble\b"):
        add(out, "shuffle_order", hit[0].start())
    if hit := p.take(_APPEND):
        add(out, "append_media", hit[0].start())
