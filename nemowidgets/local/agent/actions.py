"""One intent → one edit: the agent's actions, each returning the call's args and a sentence.

``agent.respond`` decides *which* edits a prompt makes and in what order; the
actions make each one concrete against the current draft (photo numbers to
indices, "quieter" to a volume, "the last 3 seconds" to times) and say in
words what changed, so the reply can be exact ("Photo 3 (beach.jpg) now lasts
5 s.").  Impossible edits raise :class:`~nemowidgets.local.agent.timing.EditError`.

This module only dispatches by the intent's name; the actions live by what they
change: ``photo_actions``, ``music_actions``, ``text_actions``, ``decor_actions``,
``creator_actions`` (clips and text style) and ``rhythm`` (cuts on the beats).
"""

from __future__ import annotations

from typing import Any

from nemowidgets.local.agent.creator_actions import CREATOR_ACTIONS, creator_action
from nemowidgets.local.agent.decor_actions import DECOR_ACTIONS
from nemowidgets.local.agent.music_actions import MUSIC_ACTIONS, music_seg
from nemowidgets.local.agent.photo_actions import PHOTO_ACTIONS
from nemowidgets.local.agent.photo_refs import Action, Resolver, Result
from nemowidgets.local.agent.rhythm import beat_sync_action
from nemowidgets.local.agent.text_actions import TEXT_ACTIONS
from nemowidgets.local.agent.timing import EditError
from nemowidgets.local.agent.vocab import Intent

_ACTIONS: dict[str, Action] = {**PHOTO_ACTIONS, **MUSIC_ACTIONS, **TEXT_ACTIONS, **DECOR_ACTIONS}


def apply(
    intent: Intent, draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    """Run one edit: (new draft, the call's args, a sentence saying what changed)."""
    action = _ACTIONS.get(intent.name)
    if action is not None:
        return action(intent.args, draft, media, ids)
    if intent.name in CREATOR_ACTIONS:
        return creator_action(intent, draft, media, ids.at)
    if intent.name == "sync_to_beats":
        return beat_sync_action(draft, music_seg(draft), media, intent.args)
    raise EditError(f"I can't do {intent.name!r} yet.")  # pragma: no cover - all are handled
