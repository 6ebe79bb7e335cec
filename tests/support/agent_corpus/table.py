"""One corpus row, and the constants rows share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.support.agent_corpus.setups import PHOTOS

__all__ = ["KEEP", "KEEP_STYLE", "PHOTOS", "Row", "row"]

#: What an edit of something else must not change (a length request keeps the style).
KEEP_STYLE = ("ken_burns", "music", "volume", "aspect", "fit", "title", "order")
KEEP = ("transition", *KEEP_STYLE)


@dataclass(frozen=True)
class Row:
    tags: tuple[str, ...]
    setup: str
    prompt: str
    expect: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.setup}: {self.prompt}"


def row(tags: str, start: str, prompt: str, **expect: Any) -> Row:
    return Row(tuple(tags.split()), start, prompt, expect)
