"""The actions on the text track: the title and the photos' captions."""

from __future__ import annotations

from typing import Any

import nemowidgets.local.agent.edits as edits
from nemowidgets.local.agent.photo_refs import Action, Resolver, Result
from nemowidgets.local.agent.timing import fmt_s, segments
from nemowidgets.protocol import TRACK_TEXT


def _remove_title(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    if not any("ref" not in sg for sg in segments(draft, TRACK_TEXT)):
        return draft, {}, "There is no title to remove."
    return edits.remove_title(draft), {}, "Removed the title."


def _set_title(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    end = int(draft.get("d") or 0)
    args: dict[str, Any] = {k: a[k] for k in ("text", "pos") if k in a}
    if a.get("whole"):
        args.update(start_ms=0, end_ms=end)
    elif "last_ms" in a:
        args.update(start_ms=max(0, end - a["last_ms"]), end_ms=end)
    elif "start_ms" in a or "end_ms" in a:
        args.update({k: a[k] for k in ("start_ms", "end_ms") if k in a})
    if a.get("scale"):
        current = next((sg for sg in segments(draft, TRACK_TEXT) if "ref" not in sg), {})
        args["size"] = round(current.get("sz", edits.TITLE_SIZE) * a["scale"], 4)
    new = edits.set_title(draft, **args)
    sg = next(sg for sg in segments(new, TRACK_TEXT) if "ref" not in sg)
    text = f"Title '{sg['txt']}' at the {sg['pos']}, {fmt_s(sg['s'])}-{fmt_s(sg['s'] + sg['d'])} s"
    if a.get("scale"):
        text += f", text size {round(sg['sz'] * 100, 1):g}% of the frame height"
    return new, args, text + "."


def _add_caption(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    i = ids.at(draft, a["photo"])
    new = edits.add_caption(draft, i, a["text"], a.get("pos") or "bottom")
    cap = segments(new, TRACK_TEXT)[-1]
    return (
        new,
        {"photo": i + 1, "text": a["text"], "pos": cap["pos"]},
        f"Caption '{a['text']}' on photo {i + 1} at the {cap['pos']} "
        f"({fmt_s(cap['s'])}-{fmt_s(cap['s'] + cap['d'])} s).",
    )


def _remove_captions(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    if not any("ref" in sg for sg in segments(draft, TRACK_TEXT)):
        return draft, {}, "There are no captions to remove."
    return edits.remove_captions(draft), {}, "Removed the captions."


TEXT_ACTIONS: dict[str, Action] = {
    "remove_title": _remove_title,
    "set_title": _set_title,
    "add_caption": _add_caption,
    "remove_captions": _remove_captions,
}
