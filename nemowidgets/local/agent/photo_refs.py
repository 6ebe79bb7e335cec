"""How an edit names and finds photos: positions as the user saw them, names, media by id.

Shared by every family of actions (``photo_actions``, ``music_actions``,
``text_actions``, ``decor_actions``), so each says "photo 3 (beach.jpg)" the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nemowidgets.local.agent.timing import EditError, segments

#: What an action returns: (new draft, the call's args, a sentence saying what changed).
Result = tuple[dict[str, Any], dict[str, Any], str]


def count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def seg_name(sg: dict[str, Any]) -> str:
    return str(sg.get("n") or sg.get("src") or sg.get("id"))


def find_media(media: list[dict[str, Any]], media_id: str | None) -> dict[str, Any] | None:
    return next((m for m in media if m.get("id") == media_id), None)


class Resolver:
    """Photo positions as the user saw them (before this prompt's edits) → segment ids."""

    def __init__(self, draft: dict[str, Any] | None) -> None:
        self.ids: list[str] = [str(sg.get("id")) for sg in segments(draft)]

    def id(self, pos: int) -> str:
        n = len(self.ids)
        index = pos - 1 if pos > 0 else n + pos
        if not 0 <= index < n or pos == 0:
            where = (
                f"photo {pos}"
                if pos > 0
                else ("last photo" if pos == -1 else f"photo {-pos} from the end")
            )
            raise EditError(
                f"There is no {where}: the slideshow has {count(n, 'photo')}"
                f"{f' (1-{n})' if n > 1 else ''}."
            )
        return self.ids[index]

    def number(self, pos: int) -> int:
        """The photo's number as the user saw it before this prompt (the last one: n)."""
        return pos if pos > 0 else len(self.ids) + pos + 1

    def at(self, draft: dict[str, Any], pos: int) -> int:
        """The current index of the photo the user called ``pos``."""
        seg_id = self.id(pos)
        for i, sg in enumerate(segments(draft)):
            if sg.get("id") == seg_id:
                return i
        raise EditError(f"Photo {pos} was already removed by this request.")


#: One action: (the intent's args, the draft, the uploaded media, the resolver) → Result.
Action = Callable[[dict[str, Any], dict[str, Any], list[dict[str, Any]], Resolver], Result]
