"""Title and caption text written without quotes, lifted out like quoted text.

People rarely quote: "add a title saying Holiday 2024", "a title that says Happy
Birthday", "caption the first photo with Sunrise", "add a caption to the last photo:
the end", "加个标题叫毕业快乐".  Run by ``vocab.normalise`` right after quotes are
lifted (so on the prompt as typed: case, numbers and Chinese untouched), this puts
such text in the same placeholders (``⟦n⟧``) as quoted text, and drops the word that
introduced it ("saying", "called", ":"), so the title and caption detectors read
one form.

The text runs to the end of its clause, and stops before what is plainly not part of
it: a position ("at the top"), a photo ("to the second photo"), a time ("for 3
seconds") or a new instruction ("and make it vertical").  A marker only counts in a
clause about text (a title, caption, heading, label ...), so "a photo called moon.jpg"
is left alone.  A marker with nothing after it ("add a title saying") is dropped, so
the detector asks what the text should be.
"""

from __future__ import annotations

import re

from nemowidgets.local.agent.colours import is_colour

__all__ = ["lift_unquoted"]

_I = re.I
_TEXT_NOUN = (
    r"\b(?:titles?|captions?|subtitles?|headings?|headlines?|labels?|text|words|writing|"
    r"caption|label)\b"
)
#: What introduces the text, once a text noun was said earlier in the clause.
_MARKER = re.compile(
    r"(?:\b(?:that|which)\s+(?:says|reads|will\s+say|should\s+say)\b|\bsaying\b|\breading\b|"
    r"\b(?:called|named|titled|entitled)\b|\bwith\s+the\s+(?:text|words?)\b|"
    r"\b(?:should|must|will|to|can)\s+(?:say|read)\b|\bsays\b|"
    r"(?<=\w)\s*:(?!\d)|"
    r"(?<=\btitle)\s+it\b|"
    r"(?<=\s)to\b)",
    _I,
)
#: "to" introduces the text only after "change the title" (not "add a caption to photo 2").
_CHANGE_TO = re.compile(
    r"\b(?:change|set|rename|update|edit|switch)\s+(?:the\s+)?(?:main\s+)?(?:title|heading)"
    r"(?:\s+text)?\s*$",
    _I,
)
#: "caption the first photo with Sunrise", "label the moon photo Night sky".
_CAPTION_REF = re.compile(
    r"(?P<ref>\b(?:caption|label|subtitle)\s+(?:the\s+)?(?:(?:(?!(?:to|on|for|at|in|with|saying|"
    r"called|named|that|which)\b)[\w.\-]+\s+){0,3}?"
    r"(?:photo|picture|image|pic|slide|shot|one)s?(?:\s*#?\d+)?|(?:photo\s+|#)\d+))"
    r"\s+(?!\d)(?:with\s+(?:the\s+(?:text|words?)\s+)?|as\s+|saying\s+|-\s+)?",
    _I,
)
_VERBS = (
    r"(?:make|add|put|set|use|change|move|remove|delete|drop|swap|switch|reverse|shuffle|"
    r"fit|turn|give|show|keep|let|cut|trim|fade|play|include|place|caption|label|title|"
    r"it\b|also|then)"
)
_PLACES = r"(?:top|bottom|cent(?:er|re)|middle|start|beginning|end|upper|lower)"
_PICS = r"(?:photo|picture|image|pic|slide|shot|one)s?\b"
#: Where the text stops: the first of these after it starts.
_STOP = re.compile(
    r"\s*[,;!?⟦]|\.(?=\s|$)|"
    rf"\s+(?:and|then|but|plus)\s+(?:also\s+)?(?={_VERBS})|"
    rf"\s+(?:at|on|in|to|onto|near)\s+(?:the\s+)?(?:very\s+)?{_PLACES}\b|\s+on\s+top\b|"
    rf"\s+(?:on|to|for|at|under|over|onto)\s+(?:the\s+)?(?:[\w.\-]+\s+)?{_PICS}|"
    rf"\s+(?:on|to|for)\s+(?:photo|picture|image|#)\s*\d|"
    r"\s+(?:for|during|from|between|until|till|after)\s+(?:the\s+)?(?:first\s+|last\s+|whole\b|"
    r"entire\b|\d)|"
    r"\s+(?:throughout|please)\b|\s+(?:in|with)\s+(?:a\s+)?(?:big|bigger|large|larger|small|"
    r"smaller|huge|tiny)\b",
    _I,
)
_LEADING_STOP = re.compile(
    r"(?:to|at|on|in|for|and|then|but|with|from|of|is|a|an|that|which|saying|called|named|"
    r"reading|titled|says)\b|⟦|\d+(?:\.\d+)?\s*(?:s|sec|seconds?)\b",
    _I,
)
_ZH = re.compile(
    r"(标题|字幕|文字)[^，,。；;！!？?\s]{0,3}?(?:叫做|叫|写着|写上|写|改成|改为|换成|为|是|：|:)\s*"
    r"([^，,。；;！!？?⟦]+)"
)


def lift_unquoted(text: str, quotes: list[str]) -> str:
    """``text`` with unquoted title/caption text as placeholders (appended to ``quotes``)."""

    def keep(value: str) -> str:
        quotes.append(value)
        return f" ⟦{len(quotes) - 1}⟧ "

    def zh(m: re.Match[str]) -> str:
        if is_colour(m.group(2)):  # "标题改成黄色": a colour, not the title's new text
            return m.group(0)
        return f"{m.group(1)} {keep(m.group(2).strip())}"

    text = _ZH.sub(zh, text)
    out, pos = [], 0
    for m in _markers(text):
        if m.start() < pos:
            continue
        rest = text[m.end() :]
        lead = len(rest) - len(rest.lstrip())
        stop = _STOP.search(rest, lead)
        end = stop.start() if stop else len(rest)
        value = rest[lead:end].strip().strip("\"'“”")
        out.append(text[pos : m.start()])
        if value and not _LEADING_STOP.match(value) and not is_colour(value):
            out.append((m.groupdict().get("ref") or "") + keep(value))
            pos = m.end() + end
        elif m.group(0).strip() in (":",) or m.group(0).lower().startswith(("caption", "label")):
            out.append(m.group(0))
            pos = m.end()
        else:
            out.append(" ")  # "add a title saying": the detector asks what it should say
            pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def _markers(text: str) -> list[re.Match[str]]:
    """Markers in clauses about text, and the ends of "caption <photo>" references."""
    found = []
    for m in _MARKER.finditer(text):
        head = re.split(r"[,;!?]|\.(?=\s|$)", text[: m.start()])[-1]
        if m.group(0).lower() == "to" and not _CHANGE_TO.search(head):
            continue
        if re.search(_TEXT_NOUN, head + m.group(0), _I):
            found.append(m)
    found += [m for m in _CAPTION_REF.finditer(text) if not text[m.end() :].startswith("⟦")]
    return sorted(found, key=lambda m: m.start())
