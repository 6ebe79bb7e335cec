"""Ken Burns: slow zoom and pan on the photos, on or off, and which way it zooms.

"zoom in slowly on each photo" turns it on with every photo zooming in (not the
usual alternating moves); "stop zooming" / "no ken burns" turn it off; the last
one said wins when a prompt says both.
"""

from __future__ import annotations

import re
from typing import Any

from nemowidgets.local.agent.vocab import Parsed, Prompt, add

__all__ = ["ken_burns"]

_KB_OFF = (
    r"\b(?:no|without|remove|disable|turn off|stop|drop|get rid of|switch off)\s+(?:the\s+)?"
    r"(?:ken[- ]?burns?|zoom(?:ing)?|pan(?:ning)?|motion|movement)(?:\s+effects?)?\b|"
    r"\b(?:ken[- ]?burns?|zoom(?:ing)?|motion)\s+off\b|\b(?:static|still)\s+photos\b|"
    r"\bkeep\s+(?:the\s+)?photos\s+still\b"
)
_KB_ON = (
    r"\bken[- ]?burns?\b|\bslow(?:ly)?\s+zoom(?:ing)?\b|\bzoom(?:ing)?\s+(?:in\s+)?slowly\b|"
    r"\b(?:slow|gentle|subtle)\s+(?:pan|zoom|motion|movement)s?\b|\bpan(?:ning)?\s+and\s+"
    r"zoom(?:ing)?\b|\bzoom(?:ing)?\s+and\s+pan(?:ning)?\b|\b(?:moving|animated?)\s+"
    r"(?:the\s+)?photos\b|\bsmooth(?:er|ly)?\b|\bzoom(?:ing)?\s+(?:in|out)\s+(?:slowly\s+)?on\b|"
    r"\b(?:add|use|with|turn\s+on|enable|want|keep)\s+(?:a\s+|the\s+|some\s+)?(?:zoom(?:ing)?|"
    r"motion|pan(?:ning)?)(?:\s+effects?)?\b|\bken\s+burns\s+on\b"
)


def ken_burns(p: Prompt, out: Parsed, media: list[dict[str, Any]]) -> None:
    off = p.take(_KB_OFF)
    on = p.take(_KB_ON)
    if off or on:
        last = max([(m.start(), False) for m in off] + [(m.start(), True) for m in on])
        said = " ".join(m.group(0) for m in on).lower()
        style = "in" if re.search(r"zoom(?:ing)?\s+in\b", said) else None
        style = style or ("out" if re.search(r"zoom(?:ing)?\s+out\b", said) else None)
        add(out, "set_ken_burns", last[0], on=last[1], style=style if last[1] else None)
