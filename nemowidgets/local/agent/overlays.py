"""Edits of the overlays: the title, captions and their style, the logo, and background music.

Pure like ``edits.py`` (which re-exports them): the draft is deep-copied, never
mutated, and every edit ends in :func:`~nemowidgets.local.agent.timing.retime`, which
keeps captions on their photo, titles inside the video and music exactly as
long as the video.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

from PIL import ImageColor

from nemowidgets.local.agent.timing import (
    CAPTION_SIZE,
    DEFAULT_FADE_OUT_MS,
    DEFAULT_TITLE_MS,
    DEFAULT_VOLUME,
    POSITIONS,
    TITLE_SIZE,
    Draft,
    EditError,
    Segment,
    check_index,
    default_meta,
    ensure_track,
    fmt_s,
    next_id,
    retime,
    segments,
    track,
)
from nemowidgets.protocol import LOGO_CORNERS, TRACK_AUDIO, TRACK_TEXT

# -- text ------------------------------------------------------------------------------------


def _title(draft: Draft) -> Segment | None:
    return next((sg for sg in segments(draft, TRACK_TEXT) if "ref" not in sg), None)


def set_title(
    draft: Draft,
    text: str | None = None,
    start_ms: int | None = None,
    end_ms: int | None = None,
    pos: str | None = None,
    size: float | None = None,
) -> Draft:
    """Add or change the title (one per draft); unspecified properties are kept."""
    if pos is not None and pos not in POSITIONS:
        raise EditError(f"A title can be at the {', '.join(POSITIONS)}, not {pos!r}.")
    new = copy.deepcopy(draft)
    sg = _title(new)
    if sg is None:
        if not text:
            raise EditError("There is no title yet: say e.g. add the title 'Summer 2024'.")
        sg = {
            "id": next_id(new),
            "s": 0,
            "d": DEFAULT_TITLE_MS,
            "k": "text",
            "pos": "center",
            "sz": TITLE_SIZE,
        }
        ensure_track(new, TRACK_TEXT, "Titles")["sg"].insert(0, sg)
    if text is not None:
        text = " ".join(text.split())
        if not text:
            raise EditError("The title text is empty: put it in quotes, e.g. title 'Our trip'.")
        sg["txt"] = sg["n"] = text
        new.setdefault("m", default_meta())["title"] = text
    end = int(new.get("d") or 0)
    if start_ms is not None or end_ms is not None:
        s = int(sg["s"] if start_ms is None else start_ms)
        e = int(s + DEFAULT_TITLE_MS if end_ms is None else end_ms)
        if not 0 <= s < end or e <= s:
            raise EditError(
                f"The title must start between 0 and {fmt_s(end)} s and end after it starts."
            )
        sg["s"], sg["d"] = s, min(e, end) - s
    if pos is not None:
        sg["pos"] = pos
    if size is not None:
        sg["sz"] = round(min(0.3, max(0.02, size)), 4)
    return retime(new)


def remove_title(draft: Draft) -> Draft:
    new = copy.deepcopy(draft)
    text = track(new, TRACK_TEXT)
    if _title(new) is None or text is None:
        raise EditError("There is no title to remove.")
    text["sg"] = [sg for sg in text["sg"] if "ref" in sg]
    new.setdefault("m", default_meta())["title"] = None
    return new


def add_caption(draft: Draft, index: int, text: str, pos: str = "bottom") -> Draft:
    """A caption shown while photo ``index`` is (replacing its previous caption)."""
    check_index(draft, index)
    text = " ".join(str(text).split())
    if not text:
        raise EditError("The caption is empty: put it in quotes, e.g. caption photo 2 'Sunset'.")
    new = copy.deepcopy(draft)
    ref = segments(new)[index]["id"]
    tt = ensure_track(new, TRACK_TEXT, "Titles")
    tt["sg"] = [sg for sg in tt["sg"] if sg.get("ref") != ref]
    tt["sg"].append(
        {
            "id": next_id(new),
            "s": 0,
            "d": 1,
            "k": "text",
            "txt": text,
            "n": text,
            "pos": pos,
            "sz": CAPTION_SIZE,
            "ref": ref,
        }
    )
    return retime(new)


def remove_captions(draft: Draft) -> Draft:
    new = copy.deepcopy(draft)
    text = track(new, TRACK_TEXT)
    if text is None or not any("ref" in sg for sg in text["sg"]):
        raise EditError("There are no captions to remove.")
    text["sg"] = [sg for sg in text["sg"] if "ref" not in sg]
    return new


def add_file_name_captions(
    draft: Draft, pos: str = "bottom", *, keep_extension: bool = False
) -> Draft:
    """A caption on every photo and clip with its file name (``beach_day.jpg`` ->
    ``beach_day``), replacing their previous captions."""
    if pos not in POSITIONS:
        raise EditError(f"A caption can be at the {', '.join(POSITIONS)}, not {pos!r}.")
    new = draft
    for index, sg in enumerate(segments(draft)):
        name = str(sg.get("n") or sg.get("src") or f"photo {index + 1}")
        if not keep_extension:
            name = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name) or name
        new = add_caption(new, index, name, pos)
    if new is draft:
        raise EditError("The slideshow has no photos yet: ask for a slideshow first.")
    return new


def _colour(value: str, what: str) -> str:
    """A colour name or hex (``"yellow"``, ``"#fc0"``, ``"#ffcc0080"``) as ``#rrggbb[aa]``."""
    try:
        rgba = ImageColor.getcolor(str(value).strip(), "RGBA")
    except (ValueError, AttributeError):
        raise EditError(
            f"{value!r} is not a colour for the {what}: say a colour name or e.g. '#ffcc00'."
        ) from None
    assert isinstance(rgba, tuple)
    text = "#{:02x}{:02x}{:02x}".format(*rgba[:3])
    return text if rgba[3] == 255 else f"{text}{rgba[3]:02x}"


TEXT_TARGETS = ("all", "title", "captions")


def set_text_style(
    draft: Draft,
    which: str = "all",
    *,
    size: float | None = None,
    color: str | None = None,
    box: bool | str | None = None,
) -> Draft:
    """Style the title, the captions or all text: ``size`` (of the canvas height,
    0.02-0.3), text ``color`` and a background ``box`` (``True``: translucent black; a
    colour; ``False``: none).  Unspecified properties are kept."""
    if which not in TEXT_TARGETS:
        raise EditError(f"Style the {', '.join(TEXT_TARGETS)}, not {which!r}.")
    if size is not None and not (math.isfinite(size) and 0.02 <= size <= 0.3):
        raise EditError(f"Text size can be 0.02 to 0.3 of the picture's height, not {size:g}.")
    col = None if color is None else _colour(color, "text")
    bg = box if isinstance(box, bool) or box is None else _colour(box, "text box")
    new = copy.deepcopy(draft)
    chosen = [
        sg
        for sg in segments(new, TRACK_TEXT)
        if which == "all" or (which == "captions") == ("ref" in sg)
    ]
    if not chosen:
        raise EditError(f"There is no {'text' if which == 'all' else which} to style yet.")
    for sg in chosen:
        if size is not None:
            sg["sz"] = round(size, 4)
        if col is not None:
            sg["col"] = col
        if bg is False:
            sg.pop("bg", None)
        elif bg is not None:
            sg["bg"] = bg
    return new


# -- logo ------------------------------------------------------------------------------------

_CORNER_WORDS = {"top": "t", "bottom": "b", "left": "l", "right": "r", "upper": "t", "lower": "b"}


def corner_code(corner: str) -> str:
    """``"bottom right"``, ``"bottom-right"``, ``"br"`` -> ``"br"``."""
    text = str(corner).strip().lower()
    if text in LOGO_CORNERS:
        return text
    words = re.split(r"[\s_-]+", text)
    code = "".join(_CORNER_WORDS.get(w, "?") for w in words)
    code = code if code in LOGO_CORNERS else code[::-1]
    if code not in LOGO_CORNERS:
        raise EditError(f"A logo goes in a corner (e.g. 'bottom right'), not {corner!r}.")
    return code


def set_logo(
    draft: Draft,
    media: str | dict[str, Any],
    corner: str = "br",
    size: float = 0.15,
    opacity: float = 0.8,
) -> Draft:
    """A logo (an uploaded picture; PNG transparency is kept) in a corner of the whole
    video.  ``size``: its longer side as a fraction of the picture's shorter side
    (0.02-0.5); ``opacity`` 0-1.  ``media`` is a media id or the upload's media dict."""
    if isinstance(media, dict):
        if media.get("file_type") not in (None, "image"):
            raise EditError(f"{media.get('filename') or 'That file'} is not a picture for a logo.")
        media_id, name = str(media["id"]), str(media.get("filename") or media["id"])
    else:
        media_id = name = str(media)
    if not (math.isfinite(size) and 0.02 <= size <= 0.5):
        raise EditError(f"A logo can be 2% to 50% of the picture's height, not {size:.0%}.")
    if not (math.isfinite(opacity) and 0.0 <= opacity <= 1.0):
        raise EditError(f"The logo's opacity can be 0% to 100%, not {opacity:.0%}.")
    new = copy.deepcopy(draft)
    new.setdefault("m", default_meta())["logo"] = {
        "src": media_id,
        "n": name,
        "pos": corner_code(corner),
        "sz": round(size, 4),
        "op": round(opacity, 3),
    }
    return new


def remove_logo(draft: Draft) -> Draft:
    if not (draft.get("m") or {}).get("logo"):
        raise EditError("There is no logo to remove.")
    new = copy.deepcopy(draft)
    new["m"].pop("logo", None)
    return new


# -- music -----------------------------------------------------------------------------------


def add_music(draft: Draft, audio: dict[str, Any], vol: float | None = None) -> Draft:
    """Background music: ``audio`` (a media dict) looped or trimmed to the video, 1 s fade-out.

    Replacing a song keeps the previous volume and fades.
    """
    new = copy.deepcopy(draft)
    old = next(iter(segments(new, TRACK_AUDIO)), {})
    tt = ensure_track(new, TRACK_AUDIO, "Music")
    tt["sg"] = [
        {
            "id": old.get("id") or next_id(new),
            "s": 0,
            "d": int(new.get("d") or 0),
            "src": audio["id"],
            "n": audio.get("filename") or audio["id"],
            "k": "audio",
            "in": 0,
            "vol": vol if vol is not None else old.get("vol", DEFAULT_VOLUME),
            "fi": old.get("fi", 0),
            "fo": old.get("fo", DEFAULT_FADE_OUT_MS),
            "loop": True,
        }
    ]
    return retime(new)


def _music(draft: Draft) -> list[Segment]:
    music = segments(draft, TRACK_AUDIO)
    if not music:
        raise EditError(
            "There is no music yet: upload a song (mp3, wav, m4a, aac) and say 'add music'."
        )
    return music


def remove_music(draft: Draft) -> Draft:
    new = copy.deepcopy(draft)
    _music(new)
    new["t"] = [t for t in new["t"] if t.get("tt") != TRACK_AUDIO]
    return new


def set_music_volume(draft: Draft, vol: float) -> Draft:
    """Music volume, 0.0-2.0 (1.0 = as recorded)."""
    if not 0 <= vol <= 2:
        raise EditError(f"The volume can be 0% to 200%, not {round(vol * 100)}%.")
    new = copy.deepcopy(draft)
    for sg in _music(new):
        sg["vol"] = round(vol, 3)
    return new


def set_music_fade(
    draft: Draft, fade_in_ms: int | None = None, fade_out_ms: int | None = None
) -> Draft:
    """Music fade-in and/or fade-out lengths (clamped to the music's length)."""
    new = copy.deepcopy(draft)
    for sg in _music(new):
        for key, ms in (("fi", fade_in_ms), ("fo", fade_out_ms)):
            if ms is not None:
                if not 0 <= ms <= 60_000:
                    raise EditError(f"A fade can last 0 to 60 s, not {fmt_s(ms)} s.")
                sg[key] = int(ms)
    return retime(new)
