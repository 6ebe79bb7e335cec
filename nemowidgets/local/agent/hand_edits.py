"""Named edits from outside the agent: one vocabulary for prompts, hand edits and Python calls.

The agent turns words into calls of the pure functions in ``edits.py``; the
Studio's timeline strip and ``Session.edit(name, **args)`` send the same calls
by name over ``POST /_local/edits`` (docs/protocol.md).  This module is the one
place that checks such a call: the name must be a known edit, every argument
one of its parameters with the right JSON type, and a segment may be named by
its id (``"segment": "seg_3"``) or by its 0-based position (``"segment": 2``).
Ranges are the edit functions' own business (their :class:`EditError` says what
to do), so a hand edit and a prompt refuse the same things with the same words.

Every refusal is a :class:`HandEditError` whose ``field`` is the JSON path of
the bad part (``edits[1].args.ms``); the server answers it as code 4000 / HTTP
422.  A list of edits is all or nothing, like a prompt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import nemowidgets.local.agent.edits as E
from nemowidgets.local.agent.timing import Draft, EditError, check_index, sanitize, segments
from nemowidgets.protocol import MAX_EDITS_PER_REQUEST, TRACK_AUDIO

__all__ = ["EDIT_NAMES", "HandEditError", "apply_edits"]

Media = list[dict[str, Any]]


class HandEditError(ValueError):
    """A named edit that cannot be applied; ``field`` is the JSON path of the bad part."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class _Spec:
    """An edit: its function, its parameters (name -> JSON type) and which are required."""

    run: Callable[..., Draft]
    params: Mapping[str, str] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    needs_video: bool = True


def _media_item(media: Media, media_id: str, kinds: tuple[str, ...], where: str) -> dict[str, Any]:
    item = next((m for m in media if m.get("id") == media_id), None)
    if item is None or item.get("file_type") not in kinds:
        what = " or ".join(kinds)
        raise HandEditError(f"{where}: {media_id!r} is not an uploaded {what} file.", where)
    return item


def _seconds_ms(item: dict[str, Any]) -> int | None:
    duration = item.get("duration")
    return round(float(duration) * 1000) if isinstance(duration, int | float) else None


# Adapters from the checked JSON arguments to the pure functions (which take positions).
def _segment_duration(d: Draft, media: Media, kw: dict[str, Any]) -> Draft:
    segment, ms = kw["segment"], kw["ms"]
    E.set_segment_duration(d, segment, ms)  # the index and range checks, with their words
    sg = segments(d)[segment]
    source = next((m for m in media if m.get("id") == sg.get("src")), None)
    return E.set_segment_duration(d, segment, ms, _seconds_ms(source) if source else None)


def _fit_to_music(d: Draft, media: Media, kw: dict[str, Any]) -> Draft:
    music = segments(d, TRACK_AUDIO)
    item = next((m for m in media if music and m.get("id") == music[0].get("src")), None)
    length = _seconds_ms(item) if item else None
    if not length:
        raise EditError("There is no music of known length to fit to: add a song first.")
    return E.fit_to_music(d, length)


def _add_music(d: Draft, media: Media, kw: dict[str, Any]) -> Draft:
    item = _media_item(media, kw["media_id"], ("audio",), "args.media_id")
    return E.add_music(d, item, kw.get("vol"))


def _slideshow(d: Draft | None, media: Media, kw: dict[str, Any]) -> Draft:
    kw = dict(kw)
    ids = kw.pop("media", None)
    visuals = [m for m in media if m.get("file_type") in ("image", "video")]
    if ids is not None:
        visuals = [_media_item(media, i, ("image", "video"), "args.media") for i in ids]
    music = kw.pop("music", None)
    song = _media_item(media, music, ("audio",), "args.music") if music else None
    meta = dict(d["m"], title=None) if d and isinstance(d.get("m"), dict) else None
    return E.make_slideshow(visuals, music=song, meta=meta, **kw)


def _append(d: Draft, media: Media, kw: dict[str, Any]) -> Draft:
    items = [_media_item(media, i, ("image", "video"), "args.media") for i in kw["media"]]
    return E.append_media(d, items, kw.get("photo_ms"))


def _logo(d: Draft, media: Media, kw: dict[str, Any]) -> Draft:
    kw = dict(kw)
    item = _media_item(media, kw.pop("media_id"), ("image",), "args.media_id")
    return E.set_logo(d, item, **kw)


def _trim(d: Draft, media: Media, kw: dict[str, Any]) -> Draft:
    kw = dict(kw)
    index = kw.pop("segment")
    check_index(d, index)
    source = next((m for m in media if m.get("id") == segments(d)[index].get("src")), None)
    return E.trim_clip(d, index, source_ms=_seconds_ms(source) if source else None, **kw)


def _beats(d: Draft, media: Media, kw: dict[str, Any]) -> Draft:
    """The music's beats come from its media record (found when it was uploaded)."""
    music = segments(d, TRACK_AUDIO)
    item = next((m for m in media if music and m.get("id") == music[0].get("src")), None)
    if item is None:
        raise EditError("There is no music to cut to: add a song first (add_music).")
    beats = item.get("beats")
    return E.sync_to_beats(
        d,
        [float(b) for b in beats] if isinstance(beats, list) else [],
        kw.get("every"),
        kw.get("target_ms"),
        song_ms=_seconds_ms(item),
    )


def _look(d: Draft, media: Media, kw: dict[str, Any]) -> Draft:
    kw = dict(kw)
    return E.set_look(d, kw.pop("look", None), kw.pop("segments", None), **kw)


def _plain(fn: Callable[..., Draft]) -> Callable[..., Draft]:
    def run(d: Draft, media: Media, kw: dict[str, Any]) -> Draft:
        return fn(d, **kw)

    return run


_SEG, _INT, _NUM, _STR, _BOOL, _IDS = "segment", "int", "number", "str", "bool", "ids"
_SEGS, _BOOL_OR_STR = "segments", "bool or str"
EDITS: dict[str, _Spec] = {
    "move_segment": _Spec(
        _plain(lambda d, segment, to: E.move_segment(d, segment, to)),
        {"segment": _SEG, "to": _INT},
        frozenset({"segment", "to"}),
    ),
    "swap_segments": _Spec(_plain(E.swap_segments), {"a": _SEG, "b": _SEG}, frozenset("ab")),
    "remove_segment": _Spec(
        _plain(lambda d, segment: E.remove_segment(d, segment)),
        {"segment": _SEG},
        frozenset({"segment"}),
    ),
    "set_segment_duration": _Spec(
        _segment_duration, {"segment": _SEG, "ms": _INT}, frozenset({"segment", "ms"})
    ),
    "reverse_order": _Spec(_plain(E.reverse_order)),
    "shuffle_order": _Spec(_plain(E.shuffle_order), {"seed": _INT}),
    "set_photo_duration": _Spec(_plain(E.set_photo_duration), {"ms": _INT}, frozenset({"ms"})),
    "set_total_duration": _Spec(_plain(E.set_total_duration), {"ms": _INT}, frozenset({"ms"})),
    "fit_to_music": _Spec(_fit_to_music),
    "sync_to_beats": _Spec(_beats, {"every": _INT, "target_ms": _INT}),
    "set_transition": _Spec(_plain(E.set_transition), {"kind": _STR, "ms": _INT}),
    "set_ken_burns": _Spec(
        _plain(E.set_ken_burns), {"on": _BOOL, "style": _STR}, frozenset({"on"})
    ),
    "set_canvas": _Spec(_plain(E.set_canvas), {"aspect": _STR, "short_side": _INT, "fps": _INT}),
    "set_fit": _Spec(_plain(E.set_fit), {"fit": _STR}, frozenset({"fit"})),
    "set_title": _Spec(
        _plain(E.set_title),
        {"text": _STR, "start_ms": _INT, "end_ms": _INT, "pos": _STR, "size": _NUM},
    ),
    "remove_title": _Spec(_plain(E.remove_title)),
    "add_caption": _Spec(
        _plain(lambda d, segment, text, pos="bottom": E.add_caption(d, segment, text, pos)),
        {"segment": _SEG, "text": _STR, "pos": _STR},
        frozenset({"segment", "text"}),
    ),
    "remove_captions": _Spec(_plain(E.remove_captions)),
    "add_music": _Spec(_add_music, {"media_id": _STR, "vol": _NUM}, frozenset({"media_id"})),
    "remove_music": _Spec(_plain(E.remove_music)),
    "set_music_volume": _Spec(_plain(E.set_music_volume), {"vol": _NUM}, frozenset({"vol"})),
    "set_music_fade": _Spec(_plain(E.set_music_fade), {"fade_in_ms": _INT, "fade_out_ms": _INT}),
    "make_slideshow": _Spec(
        _slideshow,
        {
            "media": _IDS,
            "photo_ms": _INT,
            "transition": _STR,
            "transition_ms": _INT,
            "ken_burns": _BOOL,
            "music": _STR,
        },
        needs_video=False,
    ),
    "append_media": _Spec(_append, {"media": _IDS, "photo_ms": _INT}, frozenset({"media"})),
    "set_look": _Spec(
        _look,
        {"look": _STR, "segments": _SEGS, "brightness": _NUM, "contrast": _NUM},
    ),
    "trim_clip": _Spec(
        _trim, {"segment": _SEG, "start_ms": _INT, "end_ms": _INT}, frozenset({"segment"})
    ),
    "mute_clip": _Spec(
        _plain(lambda d, segment=None, muted=True: E.mute_clip(d, segment, muted)),
        {"segment": _SEG, "muted": _BOOL},
    ),
    "add_file_name_captions": _Spec(
        _plain(E.add_file_name_captions), {"pos": _STR, "keep_extension": _BOOL}
    ),
    "set_text_style": _Spec(
        _plain(E.set_text_style),
        {"which": _STR, "size": _NUM, "color": _STR, "box": _BOOL_OR_STR},
    ),
    "set_logo": _Spec(
        _logo,
        {"media_id": _STR, "corner": _STR, "size": _NUM, "opacity": _NUM},
        frozenset({"media_id"}),
    ),
    "remove_logo": _Spec(_plain(E.remove_logo)),
    "remove_media": _Spec(
        _plain(lambda d, media_id: E.remove_media(d, media_id)),
        {"media_id": _STR},
        frozenset({"media_id"}),
        needs_video=False,
    ),
}
#: Every edit a hand edit may name, for messages and the docs.
EDIT_NAMES = tuple(sorted(EDITS))


def _typed(kind: str, value: Any, where: str, draft: Draft | None) -> Any:
    """``value`` checked against a parameter ``kind`` (a segment id becomes its position)."""
    if value is None:
        return None
    if kind == _SEGS:
        if not isinstance(value, list):
            raise HandEditError(f"{where} must be a list of segments (ids or positions).", where)
        return [_typed(_SEG, v, f"{where}[{i}]", draft) for i, v in enumerate(value)]
    if kind == _BOOL_OR_STR:
        if not isinstance(value, bool | str):
            raise HandEditError(f"{where} must be true, false or a colour, not {value!r}.", where)
        return value
    if kind == _SEG:
        if isinstance(value, str):
            ids = [sg.get("id") for sg in segments(draft)]
            if value not in ids:
                raise HandEditError(f"{where}: there is no segment {value!r} on the video.", where)
            return ids.index(value)
        kind = _INT
    if kind == _INT:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise HandEditError(f"{where} must be a whole number, not {value!r}.", where)
        return value
    if kind == _NUM:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise HandEditError(f"{where} must be a number, not {value!r}.", where)
        return float(value)
    if kind == _BOOL and not isinstance(value, bool):
        raise HandEditError(f"{where} must be true or false, not {value!r}.", where)
    if kind == _STR and not isinstance(value, str):
        raise HandEditError(f"{where} must be a string, not {value!r}.", where)
    if kind == _IDS and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise HandEditError(f"{where} must be a list of media ids.", where)
    return value


def _one(
    draft: Draft | None, empty: Draft, item: Any, media: Media, where: str
) -> tuple[Draft, dict[str, Any]]:
    """One checked edit; ``empty`` stands in for a missing slideshow where that makes sense."""
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise HandEditError(f'{where} must be {{"name": ..., "args": {{...}}}}.', where)
    name, args = item["name"], item.get("args") or {}
    spec = EDITS.get(name)
    if spec is None:
        raise HandEditError(
            f"{where}.name: unknown edit {name[:60]!r}; known: {', '.join(EDIT_NAMES)}.",
            f"{where}.name",
        )
    if not isinstance(args, dict):
        raise HandEditError(f"{where}.args must be an object.", f"{where}.args")
    for key in args:
        if key not in spec.params:
            allowed = ", ".join(spec.params) or "none"
            raise HandEditError(
                f"{where}.args.{key}: {name} has no argument {key!r} (its arguments: {allowed}).",
                f"{where}.args.{key}",
            )
    for key in sorted(spec.required - {k for k, v in args.items() if v is not None}):
        raise HandEditError(f"{where}.args.{key} is required by {name}.", f"{where}.args.{key}")
    if draft is None and spec.needs_video:
        raise EditError("There is no slideshow yet: make one first (make_slideshow).")
    target = draft if draft is not None else empty
    checked = {
        k: _typed(spec.params[k], v, f"{where}.args.{k}", draft)
        for k, v in args.items()
        if v is not None
    }
    try:
        new = spec.run(target, media, checked)
    except HandEditError as exc:
        raise HandEditError(f"{where}.{exc}", f"{where}.{exc.field}") from None
    return new, {"name": name, "args": dict(args)}


def apply_edits(
    draft: Draft | None, edits: Any, media: Sequence[dict[str, Any]]
) -> tuple[Draft, list[dict[str, Any]]]:
    """Apply ``edits`` (``[{"name", "args"}, ...]``) in order: the new draft and the edits made.

    All or nothing.  ``media`` are the session's files as the agent sees them.
    Raises :class:`HandEditError` naming the bad field; an edit the draft cannot
    take (:class:`EditError`) is re-raised as one naming its edit.
    """
    if not isinstance(edits, list) or not edits:
        raise HandEditError(
            '"edits" must be a non-empty list of {"name", "args"} objects.', "edits"
        )
    if len(edits) > MAX_EDITS_PER_REQUEST:
        raise HandEditError(f'"edits" takes at most {MAX_EDITS_PER_REQUEST} edits.', "edits")
    work: Draft | None = sanitize(draft)
    empty = _empty(draft)
    applied = []
    for i, item in enumerate(edits):
        where = f"edits[{i}]"
        try:
            work, done = _one(work, empty, item, list(media), where)
        except EditError as exc:
            name = item.get("name") if isinstance(item, dict) else "?"
            raise HandEditError(f"{where} ({name}): {exc}", where) from None
        applied.append(done)
    assert work is not None
    return work, applied


def _empty(draft: Draft | None) -> Draft:
    """An empty timeline keeping the old canvas and hidden media (for remove_media)."""
    meta = draft.get("m") if isinstance(draft, dict) else None
    return {"t": [], "d": 0, "m": dict(meta) if isinstance(meta, dict) else E.default_meta()}
