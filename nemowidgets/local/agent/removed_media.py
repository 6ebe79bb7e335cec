"""The media the user took out of the video (``m.removed_media``): removed, never lost.

Pure edits like the rest of ``edits`` (which re-exports them).
"""

from __future__ import annotations

import copy

from nemowidgets.local.agent.timing import Draft, default_meta, reorder, retime, segments
from nemowidgets.protocol import TRACK_AUDIO


def remove_media(draft: Draft, media_id: str) -> Draft:
    """Take an uploaded file out: every segment of ``media_id`` goes, and the file is hidden.

    Unlike :func:`remove_segment` the slideshow may end up empty (the user removed
    its last photo on purpose).  The id joins ``m.removed_media``: the file stays
    stored (an upload is never lost), but the server no longer lists it or offers it
    to the agent, and undoing this version brings it back.
    """
    new = copy.deepcopy(draft)
    video = segments(new)
    keep = [i for i, sg in enumerate(video) if sg.get("src") != media_id]
    if len(keep) != len(video):
        new = reorder(new, keep)
    for t in new.get("t", []):
        if t.get("tt") == TRACK_AUDIO:
            t["sg"] = [sg for sg in t.get("sg", []) if sg.get("src") != media_id]
    new["t"] = [t for t in new.get("t", []) if t.get("tt") != TRACK_AUDIO or t.get("sg")]
    meta = new.setdefault("m", default_meta())
    meta["removed_media"] = sorted({*hidden_media(draft), media_id})
    return retime(new, draft.get("d"))


def hidden_media(draft: Draft | None) -> set[str]:
    """The media ids the user removed (``m.removed_media``) as of ``draft``."""
    meta = (draft or {}).get("m") if isinstance(draft, dict) else None
    ids = meta.get("removed_media") if isinstance(meta, dict) else None
    return {str(i) for i in ids} if isinstance(ids, list) else set()


def keep_hidden(draft: Draft, ids: set[str]) -> Draft:
    """``draft`` still hiding ``ids`` (an agent's new slideshow starts a fresh ``m``)."""
    if not ids or ids <= hidden_media(draft):
        return draft
    new = copy.deepcopy(draft)
    meta = new.setdefault("m", default_meta())
    meta["removed_media"] = sorted(ids | hidden_media(draft))
    return new
