"""The local backend's editing agent: prompt → edits → :class:`AgentReply`.

The server's ``/run_sse`` calls :func:`respond` and streams the reply as ADK
events: one function call + response per :class:`ToolCall`, then the text.
It is rule-based (``intents.py`` reads the prompt, ``edits.py`` changes the
draft), so the same prompt, draft and media always give the same draft.

Decisions worth knowing:

* A new slideshow uses the photos and clips in upload order, 3 s per photo,
  clips at their own length (at most 10 s), **hard cuts** unless transitions are
  asked for ("transitions", "smooth" or a type: then 0.5 s), Ken Burns only for
  "smooth"/"ken burns"/"slow zoom", and the first uploaded audio as looping
  background music (80 %, 1 s fade-out) unless "no music"/"silent" is said.
* Several instructions in one prompt are all applied, one ToolCall each, in a
  fixed order (build, reorder, durations, transitions, motion, music, total
  length, format, text).  In a "make a slideshow …" prompt the slideshow's own
  settings (seconds per photo, transition, Ken Burns, which music) are folded
  into its single ``make_slideshow`` call, and the reply describes the final
  draft.  With a slideshow already there, "make a 15 s vertical video" *edits*
  it: everything the prompt does not mention (transitions, Ken Burns, music) stays.
* The reply states only values that hold on the draft it returns: a sentence
  about a photo length that a later edit of the same prompt changed is dropped.
* The reply is in the prompt's language (Chinese prompts: ``zh_reply.py``).
* An edit with no slideshow yet (e.g. "add the title 'Trip'") first makes the
  default slideshow, and says so; with no photos uploaded it asks for photos.
  A music edit with no music yet adds the first uploaded song first.
* A prompt is applied all-or-nothing: if one of its edits is impossible
  ("make the 9th photo 5 seconds" with 3 photos) nothing changes and the reply
  says why.  Photo numbers refer to the order *before* the prompt's edits.
* An unknown request changes nothing and lists what the agent can do; a request
  it cannot do is named with the nearest thing it can do; a clear but incomplete
  one ("add a title") gets a question back.  Relative edits ("make it longer",
  "a bit faster") change the current value by a step and say the new value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import nemowidgets.local.agent.edits as edits
from nemowidgets.local.agent.actions import apply
from nemowidgets.local.agent.decor import is_logo_file
from nemowidgets.local.agent.intents import Intent, Parsed, parse
from nemowidgets.local.agent.photo_actions import tr_text
from nemowidgets.local.agent.photo_refs import Resolver, count
from nemowidgets.local.agent.timing import EditError, fmt_s, sanitize, segments
from nemowidgets.local.agent.zh_reply import to_chinese
from nemowidgets.protocol import TRACK_AUDIO

SUMMARY = "\0summary"  # where the description of a new slideshow goes, once it is final
NOOP = "\0noop"  # marks the sentence of an edit that had nothing to do ("no title" with none)


@dataclass
class ToolCall:
    """One edit the agent made, streamed as an ADK functionCall + functionResponse."""

    name: str
    args: dict[str, Any]
    result: dict[str, Any] = field(default_factory=dict[str, Any])


@dataclass
class AgentReply:
    """The agent's answer to one prompt."""

    text: str  # always a helpful sentence (what it did, or what it can do)
    calls: list[ToolCall]
    draft: dict[str, Any] | None  # the new draft, or None when the draft is unchanged
    undo: bool = False  # "undo": the server reverts to the previous stored version


HELP = (
    "Here is what I can do:\n"
    "• make a slideshow: 'turn my photos into a smooth slideshow with transitions and music'\n"
    "• timing: '4 seconds per photo', 'make it 30 seconds long', 'fit to the music'\n"
    "• transitions: crossfade, fade to black, slide, wipe, zoom or none ('1 second crossfades')\n"
    "• Ken Burns: 'add a slow zoom' / 'no Ken Burns'\n"
    "• format: 16:9, 9:16 (TikTok, Reels, Shorts), 1:1, 4:5, 720p, 1080p; blurred background, "
    "black bars or fill the frame\n"
    "• text: \"add the title 'Summer' at the top\", \"caption the second photo 'Sunset'\", "
    "'make the title yellow', 'captions on a dark box'\n"
    "• video clips: 'trim the clip to its first 4 seconds', 'start the video at 0:05', "
    "'mute the video'\n"
    "• looks: 'black and white', 'sepia', 'warmer', 'brighter', 'more contrast', per photo too; "
    "'add my logo in the bottom right'; 'add captions with the file names'\n"
    "• music: 'music at 35%', 'fade the music out over 2 seconds', 'no music'; "
    "'cut on the beat', 'cut on every other beat'\n"
    "• order: 'move the last photo first', 'remove photo 2', 'swap the first and second photos', "
    "'reverse the order', 'make the third photo 5 seconds'\n"
    "• 'undo' takes back the last change."
)
NO_PHOTOS = (
    "Upload some photos first (jpg, png, webp or gif; video clips work too), then ask "
    "e.g. 'make a slideshow with transitions and music'."
)
# Edits run in this order whatever the wording: build, restructure, time, style, text.
_ORDER = (
    "make_slideshow",
    "append_media",
    "structure",
    "set_photo_duration",
    "set_segment_duration",
    "set_transition",
    "set_ken_burns",
    "remove_music",
    "add_music",
    "set_music_volume",
    "set_music_fade",
    "fit_to_music",
    "set_total_duration",
    "sync_to_beats",
    "set_canvas",
    "set_fit",
    "remove_title",
    "set_title",
    "remove_captions",
    "add_caption",
    "add_file_name_captions",
    "set_look",
    "trim_clip",
    "mute_clip",
    "set_text_style",
    "remove_logo",
    "set_logo",
)
_STRUCTURE = {"remove_segment", "move_segment", "swap_segments", "reverse_order", "shuffle_order"}
_FOLDED = {"set_photo_duration", "set_transition", "set_ken_burns", "add_music", "remove_music"}


def respond(
    prompt: str,
    draft: dict[str, Any] | None,
    media: list[dict[str, Any]],
    *,
    canvas: dict[str, Any] | None = None,
) -> AgentReply:
    """Answer one prompt: the edits made, the new draft (None if unchanged) and a reply."""
    media = [m for m in (media or []) if isinstance(m, dict) and m.get("id")]
    usable = sanitize(draft)
    parsed = parse(prompt or "", media, usable)
    reply = _respond(parsed, usable, media, canvas)
    if parsed.lang == "zh":
        reply.text = to_chinese(reply.text)
    return reply


def _respond(
    parsed: Parsed,
    usable: dict[str, Any] | None,
    media: list[dict[str, Any]],
    canvas: dict[str, Any] | None,
) -> AgentReply:
    if parsed.undo:
        return AgentReply("Undone: back to the previous version of the video.", [], None, undo=True)
    intents = _ordered(parsed.intents, usable)
    if not intents:
        return _nothing_to_do(parsed)
    visuals = slideshow_media(media)
    has_video = usable is not None
    texts: list[str] = []
    if intents[0].name != "make_slideshow" and not has_video:
        if not visuals:
            return AgentReply(NO_PHOTOS, [], None)
        intents.insert(0, Intent("make_slideshow"))
        texts.append("There was no slideshow yet, so I made one first.")
    calls: list[ToolCall] = []
    call = ToolCall("make_slideshow", {})
    work = usable
    try:
        if intents[0].name == "make_slideshow":
            if not visuals:
                return AgentReply(NO_PHOTOS, [], None)
            folded = [i for i in intents[1:] if i.name in _FOLDED]
            intents = [i for i in intents[1:] if i.name not in _FOLDED]
            work, call = _slideshow(folded, media, work, canvas)
            calls.append(call)
            texts.append(SUMMARY)
        if work is None:  # pragma: no cover - a slideshow was made above, or there was one
            raise EditError("There is no slideshow to edit yet.")
        ids = Resolver(work)
        intents = _prepare(intents, work, media, ids)
        for intent in intents:
            call = ToolCall(intent.name, dict(intent.args))
            before = work
            work, call.args, text = apply(intent, work, media, ids)
            call.result = {"ok": True, "duration_ms": work["d"]}
            calls.append(call)
            texts.append(NOOP + text if work is before else text)
    except EditError as exc:
        failed = ToolCall(call.name, call.args, {"ok": False, "error": str(exc)})
        return AgentReply(f"{exc} Nothing was changed.", [failed], None)
    return _reply(parsed, texts, calls, work, usable, media)


def _ordered(intents: list[Intent], usable: dict[str, Any] | None) -> list[Intent]:
    """The prompt's intents in the fixed order, less those the draft already satisfies."""
    intents = sorted(intents, key=lambda i: (_rank(i.name), i.at))
    if usable is not None and len(intents) > 1 and intents[0].name == "make_slideshow":
        intents = intents[1:]  # "make a 15 s vertical video": edit this one, keep its style
    song = next((sg.get("src") for sg in segments(usable, TRACK_AUDIO)), None)
    if len(intents) > 1:  # "play the music at full volume": the music is there already
        intents = [i for i in intents if i.name != "add_music" or i.args.get("media_id") != song]
    return intents


def _nothing_to_do(parsed: Parsed) -> AgentReply:
    """No edit in the prompt: its questions and notes, or the help."""
    said = " ".join(parsed.questions + parsed.notes)
    if said:
        return AgentReply(said, [], None)
    lead = "" if parsed.help else "Sorry, I didn't understand that.\n\n"
    return AgentReply(lead + HELP, [], None)


def _reply(
    parsed: Parsed,
    texts: list[str],
    calls: list[ToolCall],
    work: dict[str, Any],
    usable: dict[str, Any] | None,
    media: list[dict[str, Any]],
) -> AgentReply:
    """The edits made, said: the summary of a new slideshow, the new length, the notes."""
    if SUMMARY in texts:
        texts[texts.index(SUMMARY)] = describe(work, media)
        texts = _overridden(texts, calls)
    elif usable is not None and work["d"] != usable["d"]:
        texts = _overridden(texts, calls)
        texts.append(f"The video is now {work['d'] / 1000:.1f} s long.")
    texts += parsed.questions + parsed.notes
    if work == usable:
        return AgentReply("No change needed: " + " ".join(_said(texts, True)), calls, None)
    return AgentReply(" ".join(_said(texts, False)), calls, work)


def _said(texts: list[str], unchanged: bool) -> list[str]:
    """The sentences to say: a no-op removal ("no title" with none) only when nothing changed."""
    return [t.removeprefix(NOOP) for t in texts if unchanged or not t.startswith(NOOP)]


def _prepare(
    intents: list[Intent], draft: dict[str, Any], media: list[dict[str, Any]], ids: Resolver
) -> list[Intent]:
    """Add the music a music edit needs; remove photos from the back (numbers stay valid)."""
    names = {i.name for i in intents}
    audio = [m for m in media if m.get("file_type") == "audio"]
    needs = {"set_music_volume", "set_music_fade", "fit_to_music", "sync_to_beats"} & names
    chosen = names & {"add_music", "remove_music"}
    if needs and not segments(draft, TRACK_AUDIO) and audio and not chosen:
        intents = [*intents, Intent("add_music", {"media_id": audio[0]["id"]})]
        intents.sort(key=lambda i: (_rank(i.name), i.at))
    n = len(ids.ids)

    def back_first(intent: Intent) -> int:  # remove the later photos first
        if intent.name != "remove_segment":
            return 0
        pos = int(intent.args.get("photo", 0))
        return -(pos - 1 if pos > 0 else n + pos)

    return sorted(intents, key=lambda i: (_rank(i.name), back_first(i), i.at))


def _rank(name: str) -> int:
    return _ORDER.index("structure" if name in _STRUCTURE else name)


def _slideshow(
    folded: list[Intent],
    media: list[dict[str, Any]],
    old: dict[str, Any] | None,
    canvas: dict[str, Any] | None,
) -> tuple[dict[str, Any], ToolCall]:
    """Build the slideshow, with the prompt's timing, transition, motion and music folded in."""
    opts = {i.name: i.args for i in folded}
    timing = opts.get("set_photo_duration", {})
    photo_ms = timing.get("ms") or edits.DEFAULT_PHOTO_MS + timing.get("delta_ms", 0)
    if timing.get("scale"):
        photo_ms = round(edits.DEFAULT_PHOTO_MS * timing["scale"] / 50) * 50
    tr = opts.get("set_transition")
    kind = "none" if tr is None else tr.get("kind") or "crossfade"
    tr_ms = round((tr or {}).get("ms") or edits.DEFAULT_TRANSITION_MS * (tr or {}).get("scale", 1))
    audio = [m for m in media if m.get("file_type") == "audio"]
    music = None if "remove_music" in opts or not audio else audio[0]
    if "add_music" in opts:
        music = next(m for m in audio if m["id"] == opts["add_music"]["media_id"])
    meta = dict(old["m"], title=None) if old and isinstance(old.get("m"), dict) else None
    meta = meta or edits.default_meta(canvas)
    ken_burns = bool(opts.get("set_ken_burns", {}).get("on"))
    kb_style = opts.get("set_ken_burns", {}).get("style")
    visuals = slideshow_media(media)
    draft = edits.make_slideshow(
        visuals,
        photo_ms=photo_ms,
        transition=kind,
        transition_ms=tr_ms,
        ken_burns=ken_burns,
        music=music,
        meta=meta,
    )
    if ken_burns and kb_style:
        draft = edits.set_ken_burns(draft, True, kb_style)
    args = {
        "media": [m["id"] for m in visuals],
        "photo_ms": photo_ms,
        "transition": kind,
        "transition_ms": tr_ms if kind != "none" else 0,
        "ken_burns": ken_burns,
        "music": music["id"] if music else None,
    }
    video = segments(draft)
    call = ToolCall(
        "make_slideshow", args, {"ok": True, "duration_ms": draft["d"], "segments": len(video)}
    )
    return draft, call


def slideshow_media(media: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The photos and clips a slideshow is made of: uploads named as a logo are left out
    (``logo.png`` is for the corner), unless there is nothing else."""
    visuals = [m for m in media if m.get("file_type") in ("image", "video")]
    photos = [m for m in visuals if not is_logo_file(str(m.get("filename") or ""))]
    return photos or visuals


def describe(draft: dict[str, Any], media: list[dict[str, Any]]) -> str:
    """What a new slideshow is, read from the final draft (so the reply matches it)."""
    video = segments(draft)
    photos = [sg["d"] for sg in video if sg.get("k") == "image"]
    clips = len(video) - len(photos)
    what = count(len(photos), "photo") + (f" and {count(clips, 'video clip')}" if clips else "")
    low, high = (min(photos), max(photos)) if photos else (0, 0)
    each = f"{fmt_s(low)} s each" if high - low <= 1 else f"photos of {fmt_s(low)}-{fmt_s(high)} s"
    style = [each if photos else "clips at their own length"]
    if len(video) > 1:
        style.append(tr_text(video))
    elif photos:
        style = [f"{fmt_s(low)} s"]
    if any("kb" in sg for sg in video):
        style.append("Ken Burns zoom")
    text = f"Made a slideshow of {what} ({', '.join(style)})"
    music = next(iter(segments(draft, TRACK_AUDIO)), None)
    if music:
        text += f" with {music.get('n') or music.get('src')} as background music"
    return text + f": {draft['d'] / 1000:.1f} s."


_RETIMED = {"set_total_duration", "fit_to_music", "sync_to_beats"}


def _overridden(texts: list[str], calls: list[ToolCall]) -> list[str]:
    """Drop sentences about photo lengths that a later edit of this prompt changed again."""
    names = [c.name for c in calls]
    if _RETIMED & set(names):
        return [
            t
            for t in texts
            if not re.match(r"(?:Photo \d+ \(.*\) now lasts|Each photo now lasts)", t)
        ]
    if "set_photo_duration" in names and "set_segment_duration" in names:
        return [re.sub(r"^Each photo now lasts", "The other photos now last", t) for t in texts]
    return texts
