"""The actions on the background music: add or remove it, its volume and fades, fit to it."""

from __future__ import annotations

from typing import Any

import nemowidgets.local.agent.edits as edits
from nemowidgets.local.agent.photo_actions import photo_text
from nemowidgets.local.agent.photo_refs import Action, Resolver, Result, find_media, seg_name
from nemowidgets.local.agent.timing import EditError, fmt_s, segments
from nemowidgets.protocol import TRACK_AUDIO

#: "louder" stops at the recording's own level: a gain above 1.0 can clip, so going past
#: 100 % takes a number ("music at 150%"), never a relative word.
LOUDEST_RELATIVE = 1.0


def music_seg(draft: dict[str, Any]) -> dict[str, Any] | None:
    return next(iter(segments(draft, TRACK_AUDIO)), None)


def _add_music(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    song = find_media(media, a.get("media_id"))
    if song is None:
        raise EditError("That song is not uploaded: upload an mp3, wav, m4a or aac file first.")
    new = edits.add_music(draft, song)
    seg = music_seg(new) or {}
    return (
        new,
        {"media_id": song["id"]},
        f"Added {song.get('filename') or song['id']} as background music "
        f"({round(seg.get('vol', 0) * 100)}%, {fmt_s(seg.get('fo', 0))} s fade-out).",
    )


def _remove_music(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    if music_seg(draft) is None:  # "no music" with none there: nothing to do, not an error
        return draft, {}, "There is no music to remove."
    return edits.remove_music(draft), {}, "Removed the music."


def _set_music_volume(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    vol = a.get("vol")
    capped = ""
    if vol is None:
        current = float((music_seg(draft) or {}).get("vol", edits.DEFAULT_VOLUME))
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


def _set_music_fade(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    new = edits.set_music_fade(draft, a.get("fade_in_ms"), a.get("fade_out_ms"))
    seg = music_seg(new) or {}
    said = [
        f"fades {way} over {fmt_s(seg[key])} s" if seg[key] else f"has no fade-{way}"
        for way, key in (("in", "fi"), ("out", "fo"))
        if f"fade_{way}_ms" in a
    ]
    return new, dict(a), f"The music now {' and '.join(said)}."


def _fit_to_music(
    a: dict[str, Any], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> Result:
    music = music_seg(draft)
    song = find_media(media, (music or {}).get("src"))
    seconds = (song or {}).get("duration")
    if music is None:
        raise EditError("There is no music to fit to: upload a song and say 'add music'.")
    if not seconds:
        raise EditError(
            f"I don't know how long {seg_name(music)} is, so I can't fit to it; "
            "try 'make it 30 seconds long'."
        )
    ms = round(float(seconds) * 1000)
    new = edits.fit_to_music(draft, ms)
    return (
        new,
        {"music_ms": ms},
        f"Fitted the video to {seg_name(music)} ({fmt_s(ms)} s): {photo_text(new)} per photo.",
    )


MUSIC_ACTIONS: dict[str, Action] = {
    "add_music": _add_music,
    "remove_music": _remove_music,
    "set_music_volume": _set_music_volume,
    "set_music_fade": _set_music_fade,
    "fit_to_music": _fit_to_music,
}
