"""The Session's media library: what was uploaded, where it came from, its thumbnails.

:class:`MediaLibrary` uploads files (checked before anything is sent), keeps the
session's media in upload order, remembers which file on disk each came from
(for thumbnails and for re-uploading them into a replacement session), caches
thumbnails, and maps a forgotten session's media ids to their re-uploads so an
older draft still exports.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nemowidgets.api.errors import ConfigurationError, NemoError
from nemowidgets.api.models import MediaInfo
from nemowidgets.protocol import media_kind
from nemowidgets.session import _args as args
from nemowidgets.session._connection import Connection
from nemowidgets.session._files import (
    UploadItem,
    expand_items,
    image_thumbnail,
    video_thumbnail,
)
from nemowidgets.session._runtime import Runtime

__all__ = ["MediaLibrary", "Reupload", "media_from_state", "media_key"]

log = logging.getLogger("nemowidgets.session")
Progress = Callable[[str, int, int], None]
_FIELDS = ("cdn_url", "duration", "width", "height", "fps", "hash", "id", "size", "thumbnail_url")


def media_key(media: MediaInfo) -> str:
    """One media's identity across payloads: its id, else its hash, URL or name."""
    return media.id or media.hash or media.cdn_url or media.filename


def _media_item(item: dict[str, Any]) -> MediaInfo:
    name = str(item.get("filename") or item.get("name") or item.get("id") or "?")
    kind = item.get("file_type") or item.get("type") or media_kind(name) or "?"
    known = {k: item[k] for k in _FIELDS if item.get(k) is not None}
    extra = {
        k: v for k, v in item.items() if k not in _FIELDS and k not in ("filename", "file_type")
    }
    try:
        return MediaInfo(filename=name, file_type=str(kind), extra=extra, **known)
    except TypeError:  # pragma: no cover - a future MediaInfo without a field
        return MediaInfo(filename=name, file_type=str(kind), extra=dict(item))


def media_from_state(data: dict[str, Any]) -> tuple[MediaInfo, ...]:
    """The session's media as listed in a state payload (``media`` or ``video_infos``)."""
    state = data.get("state") if isinstance(data.get("state"), dict) else data
    assert isinstance(state, dict)
    items = state.get("media") or state.get("video_infos") or []
    return tuple(
        _media_item(item)
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict)
    )


@dataclass(frozen=True)
class Reupload:
    """What re-uploading into a replacement session did."""

    before: int  # how many media the forgotten session had
    reuploaded: int  # how many of them came back from disk
    failure: str | None = None  # why re-uploading failed, if it did


class MediaLibrary:
    """The session's media, their source files and thumbnails, and re-upload moves."""

    def __init__(self, runtime: Runtime, connection: Connection) -> None:
        self._runtime = runtime
        self._connection = connection
        self._media: tuple[MediaInfo, ...] = ()
        self._sources: dict[str, Path] = {}  # media key -> file on disk
        self._moves: dict[str, str] = {}  # forgotten session's media id -> re-upload's
        self._thumbs: dict[str, bytes] = {}

    @property
    def media(self) -> tuple[MediaInfo, ...]:
        return self._media

    def adopt(self, data: dict[str, Any]) -> None:
        """Attached to an existing session: its media as its state lists them."""
        self._media = media_from_state(data)

    def announce(self) -> None:
        self._runtime.emit("media", media=self._media)

    def sync(self, data: dict[str, Any]) -> bool:
        """Follow the media list of a state payload after an edit (a removed or restored file).

        Known media keep their records (and so their source files and thumbnails);
        announced only when the list changed.
        """
        listed = media_from_state(data)
        known = {media_key(m): m for m in self._media}
        new = tuple(known.get(media_key(m), m) for m in listed)
        if [media_key(m) for m in new] == [media_key(m) for m in self._media]:
            return False
        self._media = new
        self.announce()
        return True

    def find(self, media: MediaInfo | str) -> MediaInfo:
        """One of the session's media: itself, or by id or file name; else ConfigurationError."""
        for m in self._media:
            if m is media or m == media or media in (m.id, m.filename):
                return m
        shown = media.filename if isinstance(media, MediaInfo) else str(media)[:80]
        names = ", ".join(m.filename for m in self._media[:8]) or "none yet"
        raise ConfigurationError(
            f"{shown!r} is not one of this session's media (argument 'media'); "
            f"the session has: {names}.",
            hint="Pass one of session.media, or its id or file name.",
            field="media",
        )

    # -- uploads -----------------------------------------------------------------------
    async def upload(
        self, items: UploadItem | Iterable[UploadItem], progress: Progress | None
    ) -> list[MediaInfo]:
        """Check ``items`` (before anything is sent), upload them, add them to the media."""
        args.check_callable("progress", progress, "(filename, sent, total)")
        pairs = expand_items(items)
        client = await self._connection.get_client()
        report = self._progress_reporter(progress)
        await self._connection.connect()
        async with self._runtime.busy_with("upload"):
            sent = [item for item, _ in pairs]
            media = await self._connection.with_session(
                lambda sid: client.upload(sid, sent, progress=report)
            )
            for info, (item, source) in zip(media, pairs, strict=False):
                key = media_key(info)
                if source is not None:
                    self._sources[key] = source
                elif info.file_type == "image" and not info.thumbnail_url:
                    # Browser uploads: thumbnail the bytes now, as they will not be kept.
                    assert isinstance(item, tuple)
                    with contextlib.suppress(Exception):
                        self._thumbs[key] = await asyncio.to_thread(image_thumbnail, item[1])
            present = {media_key(m) for m in self._media}  # an edit's state may list them already
            self._media = self._media + tuple(m for m in media if media_key(m) not in present)
            self.announce()
        return list(media)

    def _progress_reporter(self, progress: Progress | None) -> Progress:
        def on_progress(filename: str, sent: int, total: int) -> None:
            self._runtime.emit("upload_progress", filename=filename, sent=sent, total=total)
            if progress is not None:
                try:
                    progress(filename, sent, total)
                except Exception:
                    log.exception("An upload progress callback raised (ignored)")

        return on_progress

    # -- thumbnails --------------------------------------------------------------------
    async def thumbnail(self, media: MediaInfo) -> bytes | None:
        """A small JPEG of ``media`` (cached): the server's, else made from its file."""
        args.check_media(media)
        key = media_key(media)
        if key in self._thumbs:
            return self._thumbs[key]
        if media.file_type == "audio":
            return None
        data = await self._fetch_thumbnail(media)
        source = self._sources.get(key)
        if data is None and source is not None:
            maker = image_thumbnail if media.file_type == "image" else video_thumbnail
            try:
                data = await asyncio.to_thread(maker, source)
            except Exception as exc:
                log.warning("No thumbnail for %s: %s", source, exc)
        if data is not None:
            self._thumbs[key] = data
        return data

    async def _fetch_thumbnail(self, media: MediaInfo) -> bytes | None:
        if not media.thumbnail_url:
            return None
        try:
            client = await self._connection.get_client()
            return await client.fetch_bytes(media.thumbnail_url)
        except NemoError as exc:
            log.warning("Thumbnail of %s not fetched: %s", media.filename, exc.message)
            return None

    # -- a replaced session ------------------------------------------------------------
    async def reupload(self, session_id: str) -> Reupload:
        """Empty the media and re-upload into ``session_id`` what came from disk."""
        old, self._media = self._media, ()
        sources = [self._sources.get(media_key(m)) for m in old]
        by_path = {p: m for m, p in zip(old, sources, strict=True) if p is not None}
        paths = [p for p in sources if p is not None and p.exists()]
        if not paths:
            return Reupload(len(old), 0)
        try:
            client = await self._connection.get_client()
            self._media = tuple(await client.upload(session_id, paths))
        except NemoError as exc:
            return Reupload(len(old), 0, exc.message)
        for new, path in zip(self._media, paths, strict=False):
            self._sources[media_key(new)] = path
            self._moved(by_path[path], new)
        return Reupload(len(old), len(paths))

    def _moved(self, old: MediaInfo, new: MediaInfo) -> None:
        """Remember that ``old`` (a forgotten session's media) was re-uploaded as ``new``."""
        for before, after in ((old.id, new.id), (old.cdn_url, new.cdn_url)):
            if before and after and before != after:
                for key, value in list(self._moves.items()):  # a second replacement
                    if value == before:
                        self._moves[key] = after
                self._moves[before] = after

    def remap(self, draft: dict[str, Any]) -> dict[str, Any]:
        """``draft`` with segment sources pointing at re-uploaded media (after a 1002).

        A draft made before the session was replaced names the old session's media
        ids, which the new session refuses; the re-uploads are the same files, so
        their new ids are swapped in.  Unchanged (the same object) when nothing moved.
        """
        if not self._moves or not any(seg.get("src") in self._moves for seg in _segments(draft)):
            return draft
        out = copy.deepcopy(draft)
        for seg in _segments(out):
            if seg.get("src") in self._moves:
                seg["src"] = self._moves[seg["src"]]
        return out


def _segments(draft: dict[str, Any]) -> list[dict[str, Any]]:
    """Every segment dict of a draft's tracks (malformed parts skipped)."""
    tracks = draft.get("t")
    out: list[dict[str, Any]] = []
    for track in tracks if isinstance(tracks, list) else []:
        segments = track.get("sg") if isinstance(track, dict) else None
        if isinstance(segments, list):
            out.extend(seg for seg in segments if isinstance(seg, dict))
    return out
