"""The words the local agent understands: normalisation and the shared regex atoms.

Separate from ``intents.py`` (which decides what a prompt asks for) so that the
vocabulary can grow without touching the logic.  A prompt is normalised once:
quoted text is lifted out into placeholders (``⟦0⟧``) so that nothing inside a
title is read as a command; Chinese keywords (docs/protocol.md) are rewritten into
their English equivalents; number words become digits.  Everything afterwards
matches case-insensitively on the normalised text.

It also holds the small types every detector shares: :class:`Intent`,
:class:`Parsed` and :class:`Prompt` (the text that detectors consume).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Quoted text: straight, curly, CJK corner brackets, guillemets; a single-quoted
#: span must not start or end inside a word (so "don't" and "Bob's" are safe).
QUOTE_RE = re.compile(
    r'"([^"]+)"|“([^”]+)”|「([^」]+)」|『([^』]+)』|«([^»]+)»|‘([^’]+)’|(?<!\w)\'([^\']+)\'(?!\w)'
)
PLACEHOLDER_RE = re.compile(r"⟦(\d+)⟧")

_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def cn_number(text: str) -> int | None:
    """A Chinese numeral from 1 to 99 (一, 十二, 二十五), or digits."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        value = (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + _CN_DIGITS.get(ones, 0)
        return value or None
    return _CN_DIGITS.get(text) if len(text) == 1 else None


_CN_NUM = r"(?<![\d.一二两三四五六七八九十])([\d.]+|[一二两三四五六七八九十]+)"

#: Chinese phrases → English (applied in order; longer phrases first).
CHINESE: tuple[tuple[str, str], ...] = (
    (r"撤销|撤回|撤消", " undo "),
    (r"(适配|匹配|配合|对齐|跟随)(背景)?音乐(的)?(长度|时长)?|和音乐一样长", " fit to the music "),
    (r"幻灯片|相册视频|照片视频", " slideshow "),
    (r"(做成|生成|制作|做)(一个)?视频", " make a video "),
    (r"无转场|不要转场|去掉转场|取消转场", " no transitions "),
    (r"交叉淡化|交叉溶解|溶解", " crossfade "),
    (r"黑场|渐黑", " fade to black "),
    (r"擦除", " wipe "),
    (r"缩放转场", " zoom transitions "),
    (r"转场|过渡", " transitions "),
    (r"缓慢缩放|慢速缩放|推拉镜头|肯伯恩斯", " ken burns "),
    (r"平滑|流畅", " smooth "),
    (r"背景音乐|配乐|音乐", " music "),
    (r"音量", " music volume "),
    (r"淡入", " fade in "),
    (r"淡出", " fade out "),
    (r"标题", " title "),
    (r"字幕", " caption "),
    (r"竖屏|竖版", " vertical "),
    (r"横屏|横版", " landscape "),
    (r"正方形|方形", " square "),
    (r"顶部|上方", " at the top "),
    (r"底部|下方", " at the bottom "),
    (r"中间|居中", " in the center "),
    (r"删除|删掉|去掉|移除", " remove "),
    (r"倒序|反转顺序|顺序反转", " reverse the order "),
    (r"打乱|随机(排序|顺序)?", " shuffle "),
    (r"最后一张(照片|图片)?", " the last photo "),
    (r"每张(照片|图片)?", " each photo "),
    (r"总时长|总长度|总长|时长", " total length "),
    (r"加上?|添加|增加", " add "),
    (r"使用|用", " use "),
    (r"照片|图片|相片", " photos "),
    (r"[，、；]|然后|并且", " , "),
    (r"。", " . "),
    (r"和", " and "),
)
_CN_RE = [(re.compile(p), r) for p, r in CHINESE]
_CN_ORDINAL = re.compile(r"第" + _CN_NUM + r"(张|个|段)?(照片|图片|相片)?")
_CN_SECONDS = re.compile(_CN_NUM + r"\s*秒(钟)?")
_CN_MINUTES = re.compile(_CN_NUM + r"\s*分钟")

_WORD_NUMBERS = {
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
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
}
_WORD_RE = re.compile(
    r"\b(" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + r")\b", re.I
)
_ONE_RE = re.compile(
    r"\bone\s+(?=(?:ms|milliseconds?|secs?|seconds?|mins?|minutes?)\b)|\ba\s+(?=minutes?\b)", re.I
)
_HALF_RE = re.compile(r"\bhalf\s+a\s+(?=(?:second|sec|minute|min)\b)", re.I)
_PHOTO_ONE_RE = re.compile(r"\b((?:photo|picture|image|slide|pic)s?\s+)one\b", re.I)


def normalise(prompt: str) -> tuple[str, list[str]]:
    """(text with quotes replaced by placeholders, the quoted strings)."""
    quotes: list[str] = []

    def lift(m: re.Match) -> str:
        quotes.append(next(g for g in m.groups() if g is not None))
        return f" ⟦{len(quotes) - 1}⟧ "

    text = QUOTE_RE.sub(lift, prompt.replace("⟦", "[").replace("⟧", "]"))
    text = _CN_ORDINAL.sub(lambda m: f" photo {cn_number(m.group(1)) or m.group(1)} ", text)
    text = _CN_SECONDS.sub(lambda m: f" {cn_number(m.group(1)) or m.group(1)} seconds ", text)
    text = _CN_MINUTES.sub(lambda m: f" {cn_number(m.group(1)) or m.group(1)} minutes ", text)
    for pattern, repl in _CN_RE:
        text = pattern.sub(repl, text)
    text = _HALF_RE.sub("0.5 ", text)
    text = _ONE_RE.sub("1 ", text)
    text = _PHOTO_ONE_RE.sub(r"\g<1>1", text)
    text = _WORD_RE.sub(lambda m: str(_WORD_NUMBERS[m.group(1).lower()]), text)
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


# -- what the detectors share -------------------------------------------------------------

_I = re.I


@dataclass
class Intent:
    """One edit asked for: ``name`` is the edit (and ToolCall) name."""

    name: str
    args: dict = field(default_factory=dict)
    at: int = 0  # where in the prompt (orders edits of the same kind)


@dataclass
class Parsed:
    """What a prompt asks for: edits, undo, help, and questions/notes to pass on."""

    intents: list[Intent] = field(default_factory=list)
    undo: bool = False
    help: bool = False
    questions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Prompt:
    """The normalised text; detectors blank out (consume) what they used."""

    def __init__(self, text: str, quotes: list[str]) -> None:
        self.text, self.quotes = text, quotes

    def find(self, pattern: str) -> list[re.Match]:
        return list(re.finditer(pattern, self.text, _I))

    def has(self, pattern: str) -> re.Match | None:
        return re.search(pattern, self.text, _I)

    def eat(self, start: int, end: int) -> None:
        self.text = self.text[:start] + " " * (end - start) + self.text[end:]

    def take(self, pattern: str) -> list[re.Match]:
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
