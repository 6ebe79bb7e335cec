"""File names people can read for a draft's video: ``slideshow-v3-1080p.mp4``.

A name made of the server's session id and a counter (``4834082859673944429-1.mp4``)
says nothing in a Downloads folder.  The name says what the video is instead:
its title (the draft's ``m.title``, else the first text on a title track),
slugified, or ``slideshow``; the draft version it was rendered from; and its
size (``1080p``: the shorter side of the canvas) or ``preview``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.draft import Draft

__all__ = ["export_stem", "slugify", "title_stem"]

_NOT_WORD = re.compile(r"[^\w]+")
DEFAULT_STEM = "slideshow"
MAX_SLUG = 40


def slugify(text: str) -> str:
    """``"Our summer '24!"`` -> ``"our-summer-24"``; letters of any script are kept."""
    text = unicodedata.normalize("NFKC", text).lower()
    slug = _NOT_WORD.sub("-", text).replace("_", "-").strip("-")
    slug = re.sub(r"-{2,}", "-", slug)
    return slug[:MAX_SLUG].rstrip("-")


def _title(draft: Draft) -> str:
    title = draft.meta.get("title")
    if isinstance(title, str) and title.strip():
        return title
    for track in draft.tracks:
        if track.kind == "text":
            for seg in track.segments:
                if seg.text and seg.text.strip():
                    return seg.text
    return ""


def title_stem(draft: Draft) -> str:
    """The title part alone: ``our-summer-24``, or ``slideshow``."""
    return slugify(_title(draft)) or DEFAULT_STEM


def export_stem(draft: Draft, quality: str, version: int | None = None) -> str:
    """``slideshow-v3-1080p`` (no extension); ``version`` defaults to the draft's own."""
    stem = title_stem(draft)
    number = version if version is not None else draft.version
    if number is not None:
        stem += f"-v{int(number)}"
    if quality == "preview":
        stem += "-preview"
    elif draft.width and draft.height:
        stem += f"-{min(draft.width, draft.height)}p"
    return stem
