"""The agent's actions for clip trims, clip sound and text style (``actions.py`` calls them).

Like the other actions, each makes its intent concrete against the draft (which
clip, which seconds of its file, the current caption size) and says in words what
changed, so the reply states only what the draft holds.
"""

from __future__ import annotations

from typing import Any

import nemowidgets.local.agent.edits as edits
from nemowidgets.local.agent.timing import CAPTION_SIZE, TITLE_SIZE, EditError, fmt_s, segments
from nemowidgets.local.agent.vocab import Intent
from nemowidgets.protocol import TRACK_TEXT

__all__ = ["CREATOR_ACTIONS", "creator_action"]

CREATOR_ACTIONS = frozenset({"trim_clip", "mute_clip", "set_text_style"})
Result = tuple[dict[str, Any], dict[str, Any], str]


def creator_action(
    intent: Intent, draft: dict[str, Any], media: list[dict[str, Any]], at: Any
) -> Result:
    """Run one of :data:`CREATOR_ACTIONS`; ``at(draft, pos)`` turns a position into an index."""
    if intent.name == "trim_clip":
        return _trim(intent.args, draft, media, at)
    if intent.name == "mute_clip":
        return _mute(intent.args, draft, at)
    return _style(intent.args, draft)


def _clip_index(a: dict[str, Any], draft: dict[str, Any], at: Any) -> int:
    video = segments(draft)
    if a.get("photo") is not None:
        i = int(at(draft, int(a["photo"])))
        if video[i].get("k") != "video":
            raise EditError(f"Photo {i + 1} ({video[i].get('n')}) is a photo, not a video clip.")
        return i
    clips = [i for i, sg in enumerate(video) if sg.get("k") == "video"]
    if not clips:
        raise EditError(
            "There is no video clip in the slideshow: upload a video (mp4, mov) and add it."
        )
    return clips[0]


def _trim(a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], at: Any) -> Result:
    i = _clip_index(a, draft, at)
    sg = segments(draft)[i]
    item = next((m for m in media if m.get("id") == sg.get("src")), {})
    source = round(float(item["duration"]) * 1000) if item.get("duration") else None
    start, end = a.get("start_ms"), a.get("end_ms")
    if "last_ms" in a:
        if source is None:
            raise EditError(
                f"I don't know how long {sg.get('n')} is; say e.g. 'from 0:02 to 0:06'."
            )
        start, end = max(0, source - int(a["last_ms"])), source
    elif "length_ms" in a:
        start = int(sg.get("in") or 0)
        end = start + int(a["length_ms"])
    new = edits.trim_clip(draft, i, start, end, source_ms=source)
    got = segments(new)[i]
    s, d = int(got.get("in") or 0), int(got["d"])
    return (
        new,
        {"segment": i + 1, "start_ms": s, "end_ms": s + d},
        f"Clip {i + 1} ({got.get('n')}) now shows {fmt_s(s)}-{fmt_s(s + d)} s of its file "
        f"({fmt_s(d)} s).",
    )


def _mute(a: dict[str, Any], draft: dict[str, Any], at: Any) -> Result:
    muted = bool(a.get("muted", True))
    index = _clip_index(a, draft, at) if a.get("photo") is not None else None
    new = edits.mute_clip(draft, index, muted)
    clips = [sg for sg in segments(new) if sg.get("k") == "video"]
    which = str(segments(new)[index].get("n")) if index is not None else None
    what = which or ("the video clip" if len(clips) == 1 else "the video clips")
    args: dict[str, Any] = {"muted": muted, **({"segment": index + 1} if index is not None else {})}
    if muted:
        return new, args, f"Muted the sound of {what}; the music plays on."
    return new, args, f"The sound of {what} is back on."


_WHICH = {"title": "The title", "captions": "The captions", "all": "All text"}


def _style(a: dict[str, Any], draft: dict[str, Any]) -> Result:
    which = str(a.get("which") or "all")
    args: dict[str, Any] = {"which": which}
    for key in ("color", "box"):
        if key in a:
            args[key] = a[key]
    if "size_scale" in a:
        texts = [sg for sg in segments(draft, TRACK_TEXT) if ("ref" in sg) == (which == "captions")]
        base = CAPTION_SIZE if which == "captions" else TITLE_SIZE
        current = float(texts[0].get("sz", base)) if texts else base
        args["size"] = round(min(0.3, max(0.02, current * float(a["size_scale"]))), 4)
    new = edits.set_text_style(
        draft, which, size=args.get("size"), color=args.get("color"), box=args.get("box")
    )
    said = []
    if "color" in args:
        said.append(f"{args['color']} letters")
    if args.get("box") is True:
        said.append("on a dark box")
    elif isinstance(args.get("box"), str):
        said.append(f"on a {args['box']} box")
    elif args.get("box") is False:
        said.append("no box")
    if "size" in args:
        said.append(f"text size {round(args['size'] * 100, 1):g}% of the frame height")
    return new, args, f"{_WHICH.get(which, 'The text')}: {', '.join(said)}."
