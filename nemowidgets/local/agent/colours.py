"""Colour words, in English and Chinese, as the text-style edit takes them (CSS names).

A leaf: the unquoted-text reader (``unquoted.py``) needs them too, so that "change the
title to yellow" and "标题改成黄色" style the title instead of renaming it "yellow".
"""

from __future__ import annotations

import re

__all__ = ["COLOUR", "ZH_COLOURS", "colour_name", "is_colour"]

#: Words people use -> a CSS colour name (``overlays._colour`` reads it).
_WORDS = {
    "white": "white", "black": "black", "yellow": "yellow", "red": "red", "blue": "blue",
    "green": "green", "pink": "pink", "purple": "purple", "orange": "orange", "gold": "gold",
    "golden": "gold", "silver": "silver", "grey": "gray", "gray": "gray", "cyan": "cyan",
    "navy": "navy", "brown": "brown", "magenta": "magenta", "teal": "teal",
}  # fmt: skip
#: Chinese colour words -> the English word the detectors read.
ZH_COLOURS = {
    "黄色": "yellow", "红色": "red", "白色": "white", "黑色": "black", "蓝色": "blue",
    "绿色": "green", "粉红色": "pink", "粉色": "pink", "紫色": "purple", "橙色": "orange",
    "金色": "gold", "银色": "silver", "灰色": "gray",
}  # fmt: skip
#: One colour word (use with re.I).
COLOUR = (
    r"(?:" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r"|#[0-9a-f]{3}(?:[0-9a-f]{3})?)"
)
_ONLY = re.compile(rf"^\s*(?:{COLOUR})(?:\s+colou?r)?\s*$|^\s*(?:{'|'.join(ZH_COLOURS)})\s*$", re.I)


def colour_name(word: str) -> str:
    """``"Golden"`` -> ``"gold"``; a hex colour as it is."""
    key = word.strip().lower()
    return _WORDS.get(key, key)


def is_colour(text: str) -> bool:
    """Whether ``text`` is just a colour ("yellow", "red colour", "黄色")."""
    return bool(_ONLY.match(text))
