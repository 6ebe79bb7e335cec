"""One intent → one edit: the agent's actions, each returning the call's args and a sentence.

``agent.respond`` decides *which* edits a prompt makes and in what order; this
module makes each one concrete against the current draft (photo numbers to
indices, "quieter" to a volume, "the last 3 seconds" to times) and says in
words what changed, so the reply can be exact ("Photo 3 (beach.jpg) now lasts
5 s.").  Impossible edits raise :class:`~nemowidgets.local.agent.timing.EditError`.
"""

from __future__ import annotations

from typing import Any

import nemowidgets.local.agent.edits as edits
from nemowidgets.local.agent.creator_actions import CREATOR_ACTIONS, creator_action
from nemowidgets.local.agent.decor import LOOK_WORDS
from nemowidgets.local.agent.rhythm import beat_sync_action
from nemowidgets.local.agent.timing import EditError, fmt_s, segments
from nemowidgets.local.agent.vocab import Intent
from nemowidgets.protocol import TRACK_AUDIO, TRACK_TEXT

TR_NAMES = {
    "crossfade": "crossfades",
    "fade_black": "fades through black",
    "slide": "slides",
    "wipe": "wipes",
    "zoom": "zoom transitions",
}


def count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def tr_text(video: list[dict[str, Any]]) -> str:
    trs = [sg["tr"] for sg in video if sg.get("tr")]
    if not trs:
        return "hard cuts" if len(video) > 1 else "no transitions with one photo"
    top = max(tr["d"] for tr in trs)
    return f"{fmt_s(top)} s {TR_NAMES.get(trs[0]['type'], trs[0]['type'])}"


def _name(sg: dict[str, Any]) -> str:
    return str(sg.get("n") or sg.get("src") or sg.get("id"))


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


def _media(media: list[dict[str, Any]], media_id: str | None) -> dict[str, Any] | None:
    return next((m for m in media if m.get("id") == media_id), None)


def apply(
    intent: Intent, draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Run one edit: (new draft, the call's args, a sentence saying what changed)."""
    a, name = intent.args, intent.name
    video = segments(draft)
    if name == "append_media":
        used = {sg.get("src") for sg in video}
        fresh = [
            m for m in media if m.get("file_type") in ("image", "video") and m["id"] not in used
        ]
        if not fresh:
            raise EditError("All uploaded photos are already in the slideshow.")
        return (
            edits.append_media(draft, fresh),
            {"media": [m["id"] for m in fresh]},
            f"Added {count(len(fresh), 'new photo')} at the end.",
        )
    if name == "remove_segment":
        i = ids.at(draft, a["photo"])
        return (
            edits.remove_segment(draft, i),
            {"photo": i + 1},
            f"Removed photo {i + 1} ({_name(video[i])}).",
        )
    if name == "move_segment":
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
            f"Moved photo {ids.number(a['photo'])} ({_name(video[i])}) to position {to_index + 1}.",
        )
    if name == "swap_segments":
        i, j = ids.at(draft, a["a"]), ids.at(draft, a["b"])
        return (
            edits.swap_segments(draft, i, j),
            {"a": i + 1, "b": j + 1},
            f"Swapped photos {ids.number(a['a'])} and {ids.number(a['b'])}.",
        )
    if name == "reverse_order":
        return edits.reverse_order(draft), {}, f"Reversed the order of the {len(video)} photos."
    if name == "shuffle_order":
        return edits.shuffle_order(draft), {}, f"Shuffled the {len(video)} photos."
    if name == "set_photo_duration":
        images = [sg["d"] for sg in video if sg.get("k", "image") == "image"]
        common = max(set(images), key=images.count) if images else edits.DEFAULT_PHOTO_MS
        ms = a.get("ms") or _scaled(common, a)
        new = edits.set_photo_duration(draft, ms)
        return new, {"ms": ms}, f"Each photo now lasts {fmt_s(ms)} s."
    if name == "set_segment_duration":
        i = ids.at(draft, a["photo"])
        ms = a.get("ms") or _scaled(video[i]["d"], a)
        source = _media(media, video[i].get("src")) or {}
        max_ms = round(float(source.get("duration") or 0) * 1000) or None
        return (
            edits.set_segment_duration(draft, i, ms, max_ms),
            {"photo": i + 1, "ms": ms},
            f"Photo {i + 1} ({_name(video[i])}) now lasts {fmt_s(ms)} s.",
        )
    if name == "set_transition":
        current = next((sg["tr"] for sg in video if sg.get("tr")), None)
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
    if name == "set_ken_burns":
        on, style = bool(a.get("on")), a.get("style")
        moves = {"in": "slowly zooms in", "out": "slowly zooms out"}.get(
            str(style), "slowly zooms or pans"
        )
        return (
            edits.set_ken_burns(draft, on, style),
            {"on": on, **({"style": style} if style and on else {})},
            f"Ken Burns is on: each photo {moves}." if on else "Ken Burns is off.",
        )
    return _apply_more(intent, draft, media, ids)


def _music_seg(draft: dict[str, Any]) -> dict[str, Any] | None:
    return next(iter(segments(draft, TRACK_AUDIO)), None)


def _apply_more(
    intent: Intent, draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> tuple[dict[str, Any], dict[str, Any], str]:
    a, name = intent.args, intent.name
    music = _music_seg(draft)
    if name == "add_music":
        song = _media(media, a.get("media_id"))
        if song is None:
            raise EditError("That song is not uploaded: upload an mp3, wav, m4a or aac file first.")
        new = edits.add_music(draft, song)
        seg = _music_seg(new) or {}
        return (
            new,
            {"media_id": song["id"]},
            f"Added {song.get('filename') or song['id']} as background music "
            f"({round(seg.get('vol', 0) * 100)}%, {fmt_s(seg.get('fo', 0))} s fade-out).",
        )
    if name == "remove_music":
        if music is None:  # "no music" with none there: nothing to do, not an error
            return draft, {}, "There is no music to remove."
        return edits.remove_music(draft), {}, "Removed the music."
    if name == "set_music_volume":
        return _volume(draft, music, a)
    if name == "set_music_fade":
        new = edits.set_music_fade(draft, a.get("fade_in_ms"), a.get("fade_out_ms"))
        seg = _music_seg(new) or {}
        said = [
            f"fades {way} over {fmt_s(seg[key])} s" if seg[key] else f"has no fade-{way}"
            for way, key in (("in", "fi"), ("out", "fo"))
            if f"fade_{way}_ms" in a
        ]
        return new, dict(a), f"The music now {' and '.join(said)}."
    if name == "fit_to_music":
        song = _media(media, (music or {}).get("src"))
        seconds = (song or {}).get("duration")
        if music is None:
            raise EditError("There is no music to fit to: upload a song and say 'add music'.")
        if not seconds:
            raise EditError(
                f"I don't know how long {_name(music)} is, so I can't fit to it; "
                "try 'make it 30 seconds long'."
            )
        ms = round(float(seconds) * 1000)
        new = edits.fit_to_music(draft, ms)
        return (
            new,
            {"music_ms": ms},
            f"Fitted the video to {_name(music)} ({fmt_s(ms)} s): {_photo_text(new)} per photo.",
        )
    if name == "set_total_duration":
        ms = a.get("ms") or _scaled(int(draft["d"]), a, step=100)
        new = edits.set_total_duration(draft, ms)
        verb = "Stretched" if new["d"] >= draft["d"] else "Shortened"
        return new, {"ms": ms}, f"{verb} the photos to {_photo_text(new)} each."
    if name == "set_canvas":
        new = edits.set_canvas(draft, a.get("aspect"), a.get("short_side"), a.get("fps"))
        m = new["m"]
        return (new, dict(a), f"Format: {m['aspect']}, {m['width']}x{m['height']}, {m['fps']} fps.")
    if name == "set_fit":
        words = {
            "blur": "on a blurred copy of themselves",
            "black": "with black bars",
            "cover": "filling the frame (cropped)",
        }
        return edits.set_fit(draft, a["fit"]), dict(a), f"Photos are now shown {words[a['fit']]}."
    if name == "remove_title":
        if not any("ref" not in sg for sg in segments(draft, TRACK_TEXT)):
            return draft, {}, "There is no title to remove."
        return edits.remove_title(draft), {}, "Removed the title."
    if name == "set_title":
        return _title(draft, a)
    if name == "add_caption":
        i = ids.at(draft, a["photo"])
        new = edits.add_caption(draft, i, a["text"], a.get("pos") or "bottom")
        cap = segments(new, TRACK_TEXT)[-1]
        return (
            new,
            {"photo": i + 1, "text": a["text"], "pos": cap["pos"]},
            f"Caption '{a['text']}' on photo {i + 1} at the {cap['pos']} "
            f"({fmt_s(cap['s'])}-{fmt_s(cap['s'] + cap['d'])} s).",
        )
    if name in CREATOR_ACTIONS:
        return creator_action(intent, draft, media, ids.at)
    if name == "sync_to_beats":
        return beat_sync_action(draft, music, media, a)
    if name in _DECOR:
        return _decor(intent, draft, media, ids)
    if name == "remove_captions":
        if not any("ref" in sg for sg in segments(draft, TRACK_TEXT)):
            return draft, {}, "There are no captions to remove."
        return edits.remove_captions(draft), {}, "Removed the captions."
    raise EditError(f"I can't do {name!r} yet.")  # pragma: no cover - every intent is handled


#: "louder" stops at the recording's own level: a gain above 1.0 can clip, so going past
#: 100 % takes a number ("music at 150%"), never a relative word.
LOUDEST_RELATIVE = 1.0


def _volume(
    draft: dict[str, Any], music: dict[str, Any] | None, a: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], str]:
    vol = a.get("vol")
    capped = ""
    if vol is None:
        current = float((music or {}).get("vol", edits.DEFAULT_VOLUME))
        vol = round(current * a["scale"], 3)
        if a["scale"] > 1 and vol > LOUDEST_RELATIVE:
            if current >= LOUDEST_RELATIVE:
                return (
                    draft,
                    {"vol": current},
                    f"The music is already at {round(current * 100)}%, as loud as the recording; "
                    "louder can distort, so say e.g. 'music at 150%' to boost it anyway.",
                )
            vol = LOUDEST_RELATIVE
            capped = " (as loud as the recording; say e.g. 'music at 150%' to boost it further)"
    new = edits.set_music_volume(draft, vol)
    return new, {"vol": vol}, f"Music volume: {round(vol * 100)}%{capped}."


def _scaled(current: int, a: dict[str, Any], step: int = 50) -> int:
    """A relative length: ``current`` plus ``delta_ms``, or times ``scale`` (to ``step`` ms)."""
    if a.get("scale"):
        return max(step, round(current * float(a["scale"]) / step) * step)
    return current + int(a.get("delta_ms", 0))


def _photo_text(draft: dict[str, Any]) -> str:
    durs = sorted({sg["d"] for sg in segments(draft) if sg.get("k", "image") == "image"})
    return (
        f"{fmt_s(durs[0])} s"
        if len(durs) == 1 or durs[-1] - durs[0] <= 1
        else (f"{fmt_s(durs[0])}-{fmt_s(durs[-1])} s")
    )


def _title(draft: dict[str, Any], a: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], str]:
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


_DECOR = {"set_look", "set_logo", "remove_logo", "add_file_name_captions"}
_CORNERS = {"tl": "top left", "tr": "top right", "bl": "bottom left", "br": "bottom right"}


def _decor(
    intent: Intent, draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Looks, brightness and contrast, the logo, file-name captions (``decor.py`` reads them)."""
    a, name = intent.args, intent.name
    if name == "add_file_name_captions":
        new = edits.add_file_name_captions(draft, a.get("pos") or "bottom")
        n = len(segments(new))
        return new, dict(a), f"Captions with the file names on {count(n, 'photo')}."
    if name == "remove_logo":
        if not (draft.get("m") or {}).get("logo"):
            return draft, {}, "There is no logo to remove."
        return edits.remove_logo(draft), {}, "Removed the logo."
    if name == "set_logo":
        logo = _media(media, a.get("media_id")) or {"id": a.get("media_id")}
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
    return _look(a, draft, ids)


def _look(
    a: dict[str, Any], draft: dict[str, Any], ids: Resolver
) -> tuple[dict[str, Any], dict[str, Any], str]:
    video = segments(draft)
    which = None if a.get("photo") is None else [ids.at(draft, int(a["photo"]))]
    first = video[which[0]] if which else (video[0] if video else {})
    where = f"photo {which[0] + 1} ({_name(first)})" if which else "every photo"
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
