"""The actions on the photos themselves: which, in what order, how long, how they change.

Each one makes an intent concrete against the current draft (photo numbers to
indices, "a bit longer" to a length) and says in words what changed.
"""

from __future__ import annotations

from typing import Any

import nemowidgets.local.agent.edits as edits
from nemowidgets.local.agent.photo_refs import (
    Action,
    Resolver,
    Result,
    count,
    find_media,
    seg_name,
)
from nemowidgets.local.agent.timing import EditError, fmt_s, segments

TR_NAMES = {
    "crossfade": "crossfades",
    "fade_black": "fades through black",
    "slide": "slides",
    "wipe": "wipes",
    "zoom": "zoom transitions",
}


def tr_text(video: list[dict[str, Any]]) -> str:
    trs = [sg["tr"] for sg in video if sg.get("tr")]
    if not trs:
        return "hard cuts" if len(video) > 1 else "no transitions with one photo"
    top = max(tr["d"] for tr in trs)
    return f"{fmt_s(top)} s {TR_NAMES.get(trs[0]['type'], trs[0]['type'])}"


def scaled(current: int, a: dict[str, Any], step: int = 50) -> int:
    """A relative length: ``current`` plus ``delta_ms``, or times ``scale`` (to ``step`` ms)."""
    if a.get("scale"):
        return max(step, round(current * float(a["scale"]) / step) * step)
    return current + int(a.get("delta_ms", 0))


def photo_text(draft: dict[str, Any]) -> str:
    durs = sorted({sg["d"] for sg in segments(draft) if sg.get("k", "image") == "image"})
    return (
        f"{fmt_s(durs[0])} s"
        if len(durs) == 1 or durs[-1] - durs[0] <= 1
        else (f"{fmt_s(durs[0])}-{fmt_s(durs[-1])} s")
    )


def _append_media(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    used = {sg.get("src") for sg in segments(draft)}
    fresh = [m for m in media if m.get("file_type") in ("image", "video") and m["id"] not in used]
    if not fresh:
        raise EditError("All uploaded photos are already in the slideshow.")
    return (
        edits.append_media(draft, fresh),
        {"media": [m["id"] for m in fresh]},
        f"Added {count(len(fresh), 'new photo')} at the end.",
    )


def _remove_segment(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    video = segments(draft)
    i = ids.at(draft, a["photo"])
    return (
        edits.remove_segment(draft, i),
        {"photo": i + 1},
        f"Removed photo {i + 1} ({seg_name(video[i])}).",
    )


def _move_segment(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    video = segments(draft)
    i = ids.at(draft, a["photo"])
    to = a["to"]
    if isinstance(to, dict):
        rest = [sg.get("id") for k, sg in enumerate(video) if k != i]
        j = rest.index(ids.id(int(to.get("after") or to.get("before") or 0)))
        to_index = j + 1 if "after" in to else j
    else:
        to_index = to - 1 if to > 0 else len(video) + to
        if not 0 <= to_index < len(video):
            raise EditError(
                f"There is no position {to}: the slideshow has {count(len(video), 'photo')}."
            )
    return (
        edits.move_segment(draft, i, to_index),
        {"photo": i + 1, "to": to_index + 1},
        f"Moved photo {ids.number(a['photo'])} ({seg_name(video[i])}) to position {to_index + 1}.",
    )


def _swap_segments(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    i, j = ids.at(draft, a["a"]), ids.at(draft, a["b"])
    return (
        edits.swap_segments(draft, i, j),
        {"a": i + 1, "b": j + 1},
        f"Swapped photos {ids.number(a['a'])} and {ids.number(a['b'])}.",
    )


def _reverse_order(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    n = len(segments(draft))
    return edits.reverse_order(draft), {}, f"Reversed the order of the {n} photos."


def _shuffle_order(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    return edits.shuffle_order(draft), {}, f"Shuffled the {len(segments(draft))} photos."


def _set_photo_duration(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    images = [sg["d"] for sg in segments(draft) if sg.get("k", "image") == "image"]
    common = max(set(images), key=images.count) if images else edits.DEFAULT_PHOTO_MS
    ms = a.get("ms") or scaled(common, a)
    new = edits.set_photo_duration(draft, ms)
    return new, {"ms": ms}, f"Each photo now lasts {fmt_s(ms)} s."


def _set_segment_duration(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    video = segments(draft)
    i = ids.at(draft, a["photo"])
    ms = a.get("ms") or scaled(video[i]["d"], a)
    source = find_media(media, video[i].get("src")) or {}
    max_ms = round(float(source.get("duration") or 0) * 1000) or None
    return (
        edits.set_segment_duration(draft, i, ms, max_ms),
        {"photo": i + 1, "ms": ms},
        f"Photo {i + 1} ({seg_name(video[i])}) now lasts {fmt_s(ms)} s.",
    )


def _set_transition(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    current = next((sg["tr"] for sg in segments(draft) if sg.get("tr")), None)
    ms = a.get("ms")
    if ms is None and a.get("scale"):
        base = current["d"] if current else edits.DEFAULT_TRANSITION_MS
        ms = max(100, min(edits.MAX_TRANSITION_MS, round(base * a["scale"])))
    kind = a.get("kind") or ((current or {}).get("type")) or "crossfade"
    new = edits.set_transition(draft, kind, ms)
    if kind == "none":
        return new, {"kind": kind}, "Removed the transitions: hard cuts between photos."
    args = {
        "kind": kind,
        "ms": max([sg["tr"]["d"] for sg in segments(new) if sg.get("tr")] or [0]),
    }
    wanted = ms if ms is not None else args["ms"]
    text = f"Transitions: {tr_text(segments(new))}."
    if len(segments(new)) < 2:
        text = "There is only one photo, so there is nothing to transition between."
    elif wanted > args["ms"]:
        text += f" ({fmt_s(wanted)} s did not fit: photos are too short.)"
    return new, args, text


def _set_ken_burns(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    on, style = bool(a.get("on")), a.get("style")
    moves = {"in": "slowly zooms in", "out": "slowly zooms out"}.get(
        str(style), "slowly zooms or pans"
    )
    return (
        edits.set_ken_burns(draft, on, style),
        {"on": on, **({"style": style} if style and on else {})},
        f"Ken Burns is on: each photo {moves}." if on else "Ken Burns is off.",
    )


def _set_total_duration(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    ms = a.get("ms") or scaled(int(draft["d"]), a, step=100)
    new = edits.set_total_duration(draft, ms)
    verb = "Stretched" if new["d"] >= draft["d"] else "Shortened"
    return new, {"ms": ms}, f"{verb} the photos to {photo_text(new)} each."


def _set_canvas(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    new = edits.set_canvas(draft, a.get("aspect"), a.get("short_side"), a.get("fps"))
    m = new["m"]
    return (new, dict(a), f"Format: {m['aspect']}, {m['width']}x{m['height']}, {m['fps']} fps.")


def _set_fit(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    words = {
        "blur": "on a blurred copy of themselves",
        "black": "with black bars",
        "cover": "filling the frame (cropped)",
    }
    return edits.set_fit(draft, a["fit"]), dict(a), f"Photos are now shown {words[a['fit']]}."


PHOTO_ACTIONS: dict[str, Action] = {
    "append_media": _append_media,
    "remove_segment": _remove_segment,
    "move_segment": _move_segment,
    "swap_segments": _swap_segments,
    "reverse_order": _reverse_order,
    "shuffle_order": _shuffle_order,
    "set_photo_duration": _set_photo_duration,
    "set_segment_duration": _set_segment_duration,
    "set_transition": _set_transition,
    "set_ken_burns": _set_ken_burns,
    "set_total_duration": _set_total_duration,
    "set_canvas": _set_canvas,
    "set_fit": _set_fit,
}
