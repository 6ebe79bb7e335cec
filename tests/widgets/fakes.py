"""FAKE Session - for the pure-UI unit tests of the widgets ONLY.

This stands in for OUR ``nemowidgets.Session``: it implements just the part of
its contract the widgets use (``observe``, ``submit``, the async twins,
``start_upload`` and the upload rules, the read-only attributes, ``cancel``,
``restore``, the hand edits and undo/redo) and lets a test emit
``SessionEvent``s.  Like the real one it owns a loop thread
(:class:`nemowidgets.session._loop.LoopThread`) and calls observers *on that thread*.
The behaviour of the real Session is tested in ``tests/test_session_*.py``; the
widgets on the real Session and the real local server are tested in
``test_real_session.py`` of this folder.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from nemowidgets.api.models import Credits, MediaInfo
from nemowidgets.session import Session, SessionEvent, Upload
from nemowidgets.session._loop import LoopThread


class FakeSession:
    """A scriptable stand-in for ``nemowidgets.Session`` (pure-UI unit tests only)."""

    backend = "local"
    base_url = "http://127.0.0.1:1"

    def __init__(self) -> None:
        self._loop = LoopThread(name="fake-session")
        self._lock = threading.Lock()
        self._subs: list[tuple[Callable[[SessionEvent], None], frozenset[str] | None]] = []
        self.session_id: str | None = None
        self.connected = False
        self.closed = False
        self.busy = False
        self.busy_what: str | None = None
        self.media: tuple[MediaInfo, ...] = ()
        self.draft: Any = None
        self.history: tuple[Any, ...] = ()
        self.events: tuple[Any, ...] = ()
        self.balance: Credits | None = None
        self.exports: tuple[Any, ...] = ()
        self.last_error: Any = None
        self.calls: list[tuple[str, Any]] = []
        # Scripted behaviour of the async twins.
        self.send_error: BaseException | None = None
        self.upload_error: BaseException | None = None
        self.gate = threading.Event()  # cleared by a test: send/upload/export wait for it
        self.gate.set()
        self.export_error: BaseException | None = None
        self.thumbnail_bytes: bytes | None = None
        self.restored: list[int] = []
        self.can_undo = False
        self.can_redo = False
        self.edits: list[tuple[str, dict[str, Any]]] = []
        self.edit_error: BaseException | None = None

    # -- observing -------------------------------------------------------------------
    def observe(
        self, callback: Callable[[SessionEvent], None], kinds: Iterable[str] | None = None
    ) -> Callable[[], None]:
        entry = (callback, None if kinds is None else frozenset(kinds))
        with self._lock:
            self._subs.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._subs:
                    self._subs.remove(entry)

        return unsubscribe

    @property
    def observer_count(self) -> int:
        return len(self._subs)

    def _dispatch(self, event: SessionEvent) -> None:
        with self._lock:
            subs = list(self._subs)
        for callback, kinds in subs:
            if kinds is None or event.kind in kinds:
                callback(event)

    def _emit_here(self, kind: str, **data: Any) -> None:
        """Emit from code already on the loop thread (the async twins)."""
        self._dispatch(SessionEvent(kind, data))

    def emit(self, kind: str, **data: Any) -> None:
        """Emit one event on the loop thread and wait until the observers ran."""
        self.emit_many([(kind, data)])

    def emit_many(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        """Emit a burst in ONE loop callback (as fast as the Session can), then wait."""
        done = threading.Event()

        def run() -> None:
            try:
                for kind, data in events:
                    self._dispatch(SessionEvent(kind, data))
            finally:
                done.set()

        self._loop.call_soon(run)
        assert done.wait(10), "the fake session's loop did not run the events"

    def settle(self, seconds: float = 0.0) -> None:
        """Wait ``seconds``, then until the loop ran everything scheduled before now."""
        self._loop.run(asyncio.sleep(seconds))

    # -- running ---------------------------------------------------------------------
    def submit(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return self._loop.submit(coro)

    async def _wait_gate(self) -> None:
        if not self.gate.is_set():
            await asyncio.to_thread(self.gate.wait, 10)

    async def aconnect(self) -> FakeSession:
        self.calls.append(("connect", None))
        return self

    async def asend(self, prompt: str) -> Any:
        self.calls.append(("send", prompt))
        await self._wait_gate()
        if self.send_error is not None:
            raise self.send_error
        return None

    async def aupload(self, items: Any, *, progress: Any = None) -> list[MediaInfo]:
        self.calls.append(("upload", items))
        await self._wait_gate()
        if self.upload_error is not None:
            raise self.upload_error
        name, size = (
            (items[0], len(items[1]))
            if isinstance(items, tuple)
            else (items.name, items.stat().st_size)
        )
        kind = "audio" if name.endswith((".wav", ".mp3")) else "image"
        info = MediaInfo(filename=name, file_type=kind, id=f"m_{len(self.media) + 1}", size=size)
        self._emit_here("upload_progress", filename=name, sent=size, total=size)
        self.media = (*self.media, info)
        self._emit_here("media", media=self.media)
        return [info]

    def start_upload(self, items: Any, *, progress: Any = None) -> Upload:
        return Upload(self._loop.submit(self.aupload(items, progress=progress)))

    # The real rules: which files a folder holds, and the check before sending.
    media_files_in = staticmethod(Session.media_files_in)
    check_upload = staticmethod(Session.check_upload)

    async def athumbnail(self, media: MediaInfo) -> bytes | None:
        self.calls.append(("thumbnail", media.filename))
        return self.thumbnail_bytes

    async def aexport(self, quality: str = "high", **kwargs: Any) -> Any:
        self.calls.append(("export", quality))
        await self._wait_gate()
        if self.export_error is not None:
            raise self.export_error
        return None

    def cancel(self) -> None:
        self.calls.append(("cancel", None))

    async def arestore(self, index: int) -> Any:
        return self.restore(index)

    async def aedit(self, name: str, /, **args: Any) -> Any:
        self.calls.append(("edit", name))
        self.edits.append((name, args))
        await self._wait_gate()
        if self.edit_error is not None:
            raise self.edit_error
        return self.draft

    async def aundo(self) -> Any:
        self.calls.append(("undo", None))
        return self.draft

    async def aredo(self) -> Any:
        self.calls.append(("redo", None))
        return self.draft

    async def aremove_media(self, media: MediaInfo) -> Any:
        self.calls.append(("remove_media", media.filename))
        self.media = tuple(m for m in self.media if m is not media)
        self._emit_here("media", media=self.media)
        return self.draft

    def restore(self, index: int) -> Any:
        self.restored.append(index)
        self.draft = self.history[index]
        data = {"draft": self.draft, "diff": "restored", "version": index + 1, "restored": True}
        self._loop.call_soon(lambda: self._emit_here("draft", **data))
        return self.draft

    def close(self) -> None:
        self.closed = True
        self._loop.close()

    def __repr__(self) -> str:
        return "<FakeSession>"
