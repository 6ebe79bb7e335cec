"""The Session's connection: creating or attaching a session, replacing a lost one.

Split from :mod:`nemowidgets.session` (a friend module working on its private
fields, on its loop thread).  Everything about *which* server session we talk
to lives here: connect / attach / resume, the 1002 policy (a new session,
re-uploading what came from disk, telling the user), adopting a state payload
into the draft and history, and credits.
"""

from __future__ import annotations

import asyncio
import copy
import html
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from nemowidgets.api.errors import ConfigurationError, NemoError, SessionNotFoundError
from nemowidgets.api.models import Credits, MediaInfo
from nemowidgets.draft import Draft
from nemowidgets.protocol import media_kind

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.session import Session

__all__ = [
    "adopt_state",
    "connect",
    "media_from_state",
    "media_key",
    "refresh_credits",
    "remap_media",
    "replace_session",
    "restore",
    "with_session",
]

log = logging.getLogger("nemowidgets.session")
T = TypeVar("T")


async def connect(s: Session) -> Session:
    """Create the server session, or attach to the wanted / remembered one; idempotent."""
    async with s._connect_lock:
        if s._connected:
            return s
        client = await s._get_client()
        record = s._states.load(s._key) if s._resume else None
        sid = s._wanted_session_id or (record or {}).get("session_id")
        if sid:
            s._session_id = str(sid)
            try:
                data = await client.state(s._session_id)
            except SessionNotFoundError:
                await replace_session(s)
            else:
                s._media = media_from_state(data)
                adopt_state(s, data)
        else:
            s._session_id = (await client.create_session(s.language)).session_id
        s._connected = True
        s._states.set_session(s._key, s._session_id)
        s._emit("connected", backend=s.backend, session_id=s._session_id, base_url=s.base_url)
        await refresh_credits(s, quiet=True)
        if record and record["renders"]:
            from nemowidgets._session_ops import resume_render

            s._resume_tasks = [
                asyncio.create_task(s._guard(resume_render(s, r))) for r in record["renders"]
            ]
    return s


async def with_session(s: Session, op: Callable[[str], Awaitable[T]]) -> T:
    """Run ``op(session_id)``; on 1002 start a new session, say so, retry once."""
    await connect(s)
    assert s._session_id is not None
    try:
        return await op(s._session_id)
    except SessionNotFoundError:
        await replace_session(s)
        return await op(s._session_id)


def adopt_state(s: Session, data: dict[str, Any]) -> tuple[Draft | None, str, bool]:
    """Take a state payload: update the draft and history when the server's draft changed.

    Compared with the server's previous draft (not the shown one), so a draft
    restored from the history stays current until the server's draft moves on.
    """
    s._state = data
    new = Draft.from_state(data)
    previous_server, shown = s._server_draft, s._draft
    if new is None or (
        previous_server is not None
        and previous_server.raw == new.raw
        and previous_server.version == new.version
    ):
        return shown, "No changes", False
    s._server_draft = s._draft = new
    s._history.append(new)
    diff = shown.diff(new) if shown is not None else f"New timeline: {new.summary()}"
    version = new.version if new.version is not None else len(s._history)
    s._emit("draft", draft=new, diff=diff, version=version, restored=False)
    return new, diff, True


def media_key(media: MediaInfo) -> str:
    return media.id or media.hash or media.cdn_url or media.filename


def media_from_state(data: dict[str, Any]) -> tuple[MediaInfo, ...]:
    """The session's media as listed in a state payload (``media`` or ``video_infos``)."""
    state = data.get("state") if isinstance(data.get("state"), dict) else data
    items = state.get("media") or state.get("video_infos") or []
    out: list[MediaInfo] = []
    fields = (
        "cdn_url",
        "duration",
        "width",
        "height",
        "fps",
        "hash",
        "id",
        "size",
        "thumbnail_url",
    )
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        name = str(item.get("filename") or item.get("name") or item.get("id") or "?")
        kind = item.get("file_type") or item.get("type") or media_kind(name) or "?"
        known = {k: item[k] for k in fields if item.get(k) is not None}
        extra = {
            k: v for k, v in item.items() if k not in fields and k not in ("filename", "file_type")
        }
        try:
            out.append(MediaInfo(filename=name, file_type=str(kind), extra=extra, **known))
        except TypeError:  # pragma: no cover - a future MediaInfo without a field
            out.append(MediaInfo(filename=name, file_type=str(kind), extra=dict(item)))
    return tuple(out)


async def replace_session(s: Session) -> None:
    """The server forgot the session: start a new one, re-upload what came from disk, say so."""
    client = await s._get_client()
    old = s._session_id
    s._session_id = (await client.create_session(s.language)).session_id
    s._states.set_session(s._key, s._session_id)
    old_media, s._media = s._media, ()
    s._server_draft = s._draft = None
    message = (
        f"The session {old} was not found on the server (it expired or the server lost "
        f"it); started a new one ({s._session_id}). The timeline starts empty."
    )
    paths = [s._sources[media_key(m)] for m in old_media if media_key(m) in s._sources]
    paths = [p for p in paths if p.exists()]
    if paths:
        try:
            s._media = tuple(await client.upload(s._session_id, paths))
            by_path = {p: m for m in old_media if (p := s._sources.get(media_key(m)))}
            for m, p in zip(s._media, paths, strict=False):
                s._sources[media_key(m)] = p
                _moved(s, by_path.get(p), m)
            message += f" Re-uploaded {len(paths)} file(s) from disk."
        except NemoError as exc:
            message += f" Re-uploading failed ({exc.message})."
            paths = []
    missing = len(old_media) - len(paths)
    if missing or not old_media:
        message += " Upload your media again" + (
            f" ({missing} file(s) could not be re-uploaded)." if missing else "."
        )
    s._emit("session_replaced", old=old, new=s._session_id, message=message)
    if s._history:  # the shown timeline belonged to the old session: clear it
        s._emit(
            "draft",
            draft=None,
            diff="The new session starts with an empty timeline.",
            version=0,
            restored=False,
        )
    if old_media:
        s._emit("media", media=s._media)


def _moved(s: Session, old: MediaInfo | None, new: MediaInfo) -> None:
    """Remember that ``old`` (a forgotten session's media) was re-uploaded as ``new``."""
    if old is None:
        return
    for before, after in ((old.id, new.id), (old.cdn_url, new.cdn_url)):
        if before and after and before != after:
            for key, value in list(s._media_moves.items()):  # a second replacement
                if value == before:
                    s._media_moves[key] = after
            s._media_moves[before] = after


def remap_media(s: Session, draft: dict[str, Any]) -> dict[str, Any]:
    """``draft`` with segment sources pointing at re-uploaded media (after a 1002).

    A draft made before the session was replaced names the old session's media
    ids, which the new session refuses; the re-uploads are the same files, so
    their new ids are swapped in.  Unchanged (the same object) when nothing moved.
    """
    moves = s._media_moves
    tracks = draft.get("t")
    if (
        not moves
        or not isinstance(tracks, list)
        or not any(
            isinstance(seg, dict) and seg.get("src") in moves
            for track in tracks
            if isinstance(track, dict)
            for seg in (track.get("sg") if isinstance(track.get("sg"), list) else [])
        )
    ):
        return draft
    out = copy.deepcopy(draft)
    for track in out["t"]:
        for seg in track.get("sg") or [] if isinstance(track, dict) else []:
            if isinstance(seg, dict) and seg.get("src") in moves:
                seg["src"] = moves[seg["src"]]
    return out


async def refresh_credits(s: Session, *, quiet: bool = False) -> Credits | None:
    try:
        client = await s._get_client()
        credits = await client.credits()
    except NemoError as exc:
        if not quiet:
            raise
        log.debug("Credits not refreshed: %s", exc.message)
        return None
    s._balance = credits
    s._emit("credits", credits=credits)
    return credits


def restore(s: Session, index: int) -> Draft:
    """Make ``history[index]`` the shown draft; the server's draft is not changed."""
    try:
        chosen = s._history[index]
    except IndexError:
        raise ConfigurationError(
            f"No draft version {index}: the history has {len(s._history)}."
        ) from None
    before, s._draft = s._draft, chosen
    diff = before.diff(chosen) if before is not None else chosen.summary()
    version = chosen.version if chosen.version is not None else s._history.index(chosen) + 1
    s._emit("draft", draft=chosen, diff=diff, version=version, restored=True)
    s._emit(
        "notice",
        text=f"Restored draft version {version}. Export renders it; the "
        "agent's next edit starts from the server's latest draft.",
    )
    return chosen


def describe_html(s: Session) -> str:
    """The Session as a small table: backend, session id, media, draft; never the token."""
    rows = {
        "backend": f"{s.backend} ({s._where()})",
        "session": s._session_id or "not connected",
        "media": f"{len(s._media)} file(s)",
        "draft": s._draft.summary() if s._draft is not None else "none yet",
        "exports": str(len(s._exports)),
    }
    cells = "".join(
        f"<tr><th style='text-align:left'>{k}</th><td>{html.escape(v)}</td></tr>"
        for k, v in rows.items()
    )
    return f"<table class='nemo-session'>{cells}</table>"
