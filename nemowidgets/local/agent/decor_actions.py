"""The decor actions: looks, brightness and contrast, the logo, file-name captions.

``decor.py`` reads them from the prompt; this module applies them to the draft.
"""

from __future__ import annotations

from typing import Any

import nemowidgets.local.agent.edits as edits
from nemowidgets.local.agent.decor import LOOK_WORDS
from nemowidgets.local.agent.photo_refs import (
    Action,
    Resolver,
    Result,
    count,
    find_media,
    seg_name,
)
from nemowidgets.local.agent.timing import segments

_CORNERS = {"tl": "top left", "tr": "top right", "bl": "bottom left", "br": "bottom right"}


def _add_file_name_captions(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    new = edits.add_file_name_captions(draft, a.get("pos") or "bottom")
    n = len(segments(new))
    return new, dict(a), f"Captions with the file names on {count(n, 'photo')}."


def _remove_logo(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    if not (draft.get("m") or {}).get("logo"):
        return draft, {}, "There is no logo to remove."
    return edits.remove_logo(draft), {}, "Removed the logo."


def _set_logo(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    logo = find_media(media, a.get("media_id")) or {"id": a.get("media_id")}
    current = (draft.get("m") or {}).get("logo") or {}
    new = edits.set_logo(
        draft,
        logo,
        a.get("corner") or current.get("pos") or "br",
        float(a.get("size") or current.get("sz") or 0.15),
        float(a.get("opacity") or current.get("op") or 0.8),
    )
    got = new["m"]["logo"]
    return (
        new,
        {"media_id": got["src"], "corner": got["pos"], "size": got["sz"], "opacity": got["op"]},
        f"Logo {got['n']} in the {_CORNERS[got['pos']]} corner "
        f"({round(got['sz'] * 100)}% of the height, {round(got['op'] * 100)}% opacity).",
    )


def _set_look(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    video = segments(draft)
    which = None if a.get("photo") is None else [ids.at(draft, int(a["photo"]))]
    first = video[which[0]] if which else (video[0] if video else {})
    where = f"photo {which[0] + 1} ({seg_name(first)})" if which else "every photo"
    args: dict[str, Any] = {"photo": which[0] + 1} if which else {}
    if "look" in a:
        new = edits.set_look(draft, a["look"], which)
        args["look"] = a["look"]
        said = f"Look: {LOOK_WORDS[a['look']]} on {where}."
    elif "brightness_delta" in a:
        br = max(-1.0, min(1.0, float(first.get("br", 0.0)) + float(a["brightness_delta"])))
        new = edits.set_look(draft, None, which, brightness=br)
        args["brightness"] = round(br, 3)
        said = f"Brightness {round(br * 100):+d}% on {where}."
    else:
        ct = max(0.0, min(3.0, float(first.get("ct", 1.0)) * float(a["contrast_scale"])))
        new = edits.set_look(draft, None, which, contrast=ct)
        args["contrast"] = round(ct, 3)
        said = f"Contrast {round(ct * 100)}% on {where}."
    return new, args, said


DECOR_ACTIONS: dict[str, Action] = {
    "add_file_name_captions": _add_file_name_captions,
    "remove_logo": _remove_logo,
    "set_logo": _set_logo,
    "set_look": _set_look,
}
