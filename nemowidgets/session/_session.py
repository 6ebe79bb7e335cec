"""The Session: the one object a notebook and all its widgets share.

A Session owns one background event-loop thread and, on it, one
:class:`~nemowidgets.api.client.NemoClient` (one ``httpx.AsyncClient``).  Every
public method has a blocking twin that works anywhere - a Jupyter cell (which
already runs inside a loop), VS Code, a plain script - and an async twin
(``aupload``, ``asend``, ...) for async code; both run the work on the Session's
loop.  Widgets call :meth:`Session.submit` and :meth:`Session.observe` instead,
so a click returns at once and the UI follows the events.

The class is a facade: each concern is a collaborator that owns its state -
:class:`~._runtime.Runtime` (loop, observers, busy, errors, cancel),
:class:`~._connection.Connection` (client, session id, a lost session's
replacement, credits), :class:`~._media.MediaLibrary`, :class:`~._drafts.Drafts`
(state, history, restore), :class:`~._exports.Exports` (renders, resume, the
session file) and :class:`~._conversation.Conversation` (turns, routing, the
stream display); :class:`~._lifecycle.Lifecycle` ties a changed server session
to the media, drafts and renders.

Error policy: ``send()`` returns a :class:`Turn` for whatever the conversation
produced - an agent error, nothing to export, a failed render end the turn with
``turn.error`` set - and raises for failures to reach or use the server (network,
token, credits).  Every failure is also emitted as an ``"error"`` event, so the
widgets' status bar shows it, and kept in :attr:`Session.last_error`.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from nemowidgets.session import _args as args
from nemowidgets.session import _files as files
from nemowidgets.session._connection import Connection
from nemowidgets.session._conversation import Conversation
from nemowidgets.session._drafts import Drafts
from nemowidgets.session._events import ExportResult, SessionEvent, Turn
from nemowidgets.session._exports import Exports
from nemowidgets.session._lifecycle import Lifecycle
from nemowidgets.session._media import MediaLibrary
from nemowidgets.session._runtime import Runtime
from nemowidgets.session._settings import resolve
from nemowidgets.session._upload import Upload
from nemowidgets.session._variants import Variants
from nemowidgets.session._view import SessionView

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.api.models import Credits, MediaInfo
    from nemowidgets.api.retry import StreamPolicy
    from nemowidgets.draft import Draft

__all__ = ["Session"]

T = TypeVar("T")
Items = files.UploadItem | Iterable[files.UploadItem]
Progress = Callable[[str, int, int], None]


def _reap(runtime: Runtime, connection: Connection) -> None:
    """Finalizer of a Session that was never closed: close its client, stop its thread."""
    runtime.close(connection.aclose, timeout=2)


class Session(SessionView):
    """A NemoVideo session: upload, prompt, inspect the draft, export.

    ``render_interval`` (seconds between render polls) defaults to 0.25 s on a
    loopback server and 30 s (the vendor's advice) elsewhere; ``stream_policy``
    is passed to the client's ``stream`` (its ``state_poll_intervals`` pace the
    state polling after a broken stream).  ``resume=True`` reattaches to the last
    session of this backend and resumes its unfinished renders on connect.
    """

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        session_id: str | None = None,
        backend: str | None = None,
        data_dir: str | Path | None = None,
        resume: bool = False,
        language: str = "en",
        client_id: str | None = None,
        stream_policy: StreamPolicy | None = None,
        render_interval: float | None = None,
        export_dir: str | Path | None = None,
        client_options: dict[str, Any] | None = None,
        cluster: Any = None,
    ) -> None:
        options = {
            "session_id": session_id, "resume": resume, "language": language,
            "client_id": client_id, "stream_policy": stream_policy,
            "render_interval": render_interval, "export_dir": export_dir,
            "client_options": client_options,
        }  # fmt: skip
        where = resolve(
            base_url, token, backend=backend, data_dir=data_dir, options=options, cluster=cluster
        )
        self._settings = where.settings
        self._runtime = Runtime()
        self._connection = Connection(self._runtime, where)
        self._media = MediaLibrary(self._runtime, self._connection)
        self._drafts = Drafts(self._runtime, self._connection, self._media)
        self._exports = Exports(self._runtime, self._connection, self._media, self._drafts)
        self._variants = Variants(self._exports, self._settings.backend, self._settings.export_dir)
        self._conversation = Conversation(
            self._runtime, self._connection, self._media, self._drafts, self._exports,
            self._variants,
        )  # fmt: skip
        self._connection.bind(Lifecycle(self._runtime, self._media, self._drafts, self._exports))
        # A Session dropped without close() must not leak its thread and connections.
        self._finalizer = weakref.finalize(self, _reap, self._runtime, self._connection)

    # -- constructors --------------------------------------------------------------
    @classmethod
    def local(cls, *, data_dir: str | Path | None = None, **kwargs: Any) -> Session:
        """The embedded backend: an in-process server on loopback, no account needed."""
        return cls(backend="local", data_dir=data_dir, **kwargs)

    @classmethod
    def cloud(
        cls, token: str | None = None, *, base_url: str | None = None, **kwargs: Any
    ) -> Session:
        """The cloud (or any protocol server): ``token`` or ``NEMO_TOKEN``, else anonymous."""
        return cls(base_url=base_url, token=token, backend="cloud", **kwargs)

    @classmethod
    def resume(
        cls, base_url: str | None = None, token: str | None = None, **kwargs: Any
    ) -> Session:
        """Reattach to this backend's last session and resume its unfinished renders.

        Connects at once; the renders continue in the background (see
        :meth:`resume_renders` to wait for their videos).
        """
        session = cls(base_url, token, resume=True, **kwargs)
        session.connect()
        return session

    # -- events and running work --------------------------------------------------
    def observe(
        self, callback: Callable[[SessionEvent], None], kinds: Iterable[str] | None = None
    ) -> Callable[[], None]:
        """Subscribe to events (all, or only ``kinds``); callbacks run on the Session's
        thread; the returned function unsubscribes."""
        return self._runtime.observe(callback, kinds)

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        """Run ``coro`` on the Session's loop without waiting: a ``concurrent.futures.Future``.

        For widgets: ``session.submit(session.asend(text))``.  A failure is also
        emitted as an ``"error"`` event (and the future raises it).
        """
        args.check_coroutine(coro)
        return self._runtime.submit(coro)

    def cancel(self) -> None:
        """Cancel the running turn, upload or export (and the server's render job).

        Never blocks: safe from observer callbacks and widget handlers.
        """
        self._runtime.cancel()

    async def acancel(self) -> None:
        self.cancel()

    # -- the public API: sync twins block, async twins await ---------------------
    def connect(self) -> Session:
        """Create the server session (or attach to ``session_id``); idempotent."""
        self._runtime.run(self._connection.connect())
        return self

    async def aconnect(self) -> Session:
        await self._runtime.arun(self._connection.connect())
        return self

    def upload(self, items: Items, *, progress: Progress | None = None) -> list[MediaInfo]:
        """Upload files: a path, a folder (every supported file in it), ``(name, bytes)``,
        or a list of those.  Checked before anything is sent."""
        return self._runtime.run(self._media.upload(items, progress))

    async def aupload(self, items: Items, *, progress: Progress | None = None) -> list[MediaInfo]:
        return await self._runtime.arun(self._media.upload(items, progress))

    def start_upload(self, items: Items, *, progress: Progress | None = None) -> Upload:
        """Start an upload without waiting: an :class:`Upload` to await or cancel.

        For widgets: ``cancel()`` on the handle stops just this upload, from any thread.
        """
        return Upload(self._runtime.submit(self._media.upload(items, progress)))

    @staticmethod
    def media_files_in(folder: str | os.PathLike[str]) -> list[Path]:
        """The files ``upload(folder)`` sends: supported media directly in it, by name."""
        return files.media_files_in(Path(folder))

    @staticmethod
    def check_upload(item: str | os.PathLike[str] | tuple[str, bytes]) -> None:
        """The check a file passes before it is sent; raises a MediaError saying why not."""
        files.check_file(item)

    def send(self, prompt: str) -> Turn:
        """Route ``prompt`` (export / credits / status / upload / the agent) and run it."""
        return self._runtime.run(self._conversation.send(prompt))

    async def asend(self, prompt: str) -> Turn:
        return await self._runtime.arun(self._conversation.send(prompt))

    def credits(self) -> Credits:
        return self._runtime.run(self._connection.credits())

    async def acredits(self) -> Credits:
        return await self._runtime.arun(self._connection.credits())

    def state(self) -> dict[str, Any]:
        """The latest state payload (``data`` of the state endpoint); updates the draft."""
        return self._runtime.run(self._drafts.refresh())

    async def astate(self) -> dict[str, Any]:
        return await self._runtime.arun(self._drafts.refresh())

    def export(
        self,
        quality: str = "high",
        *,
        draft: Draft | dict[str, Any] | None = None,
        path: str | Path | None = None,
        aspect: str | None = None,
        parallel: bool | str | None = None,
    ) -> ExportResult:
        """Render ``draft`` (default: the current one) and download the MP4 to ``path``
        (default ``./nemowidgets-exports/slideshow-v<version>-1080p.mp4``: the draft's
        title or "slideshow", its version, its size or "preview"; never over a file).

        Local backend only: ``aspect`` (``"9:16"``, ``"vertical"``, ...) re-frames it;
        ``parallel=True`` splits the video into chunks rendered at once on several
        workers, ``False`` renders it in one piece in the server, ``None`` lets the
        server decide (docs/parallel-rendering.md).
        """
        job = self._exports.export(quality, draft, path, aspect=aspect, parallel=parallel)
        return self._runtime.run(job)

    async def aexport(
        self,
        quality: str = "high",
        *,
        draft: Draft | dict[str, Any] | None = None,
        path: str | Path | None = None,
        aspect: str | None = None,
        parallel: bool | str | None = None,
    ) -> ExportResult:
        job = self._exports.export(quality, draft, path, aspect=aspect, parallel=parallel)
        return await self._runtime.arun(job)

    def export_variants(
        self,
        aspects: Iterable[str] = ("16:9", "9:16", "1:1"),
        quality: str = "high",
        *,
        draft: Draft | dict[str, Any] | None = None,
        folder: str | Path | None = None,
    ) -> list[ExportResult]:
        """Render one draft in several aspect presets at once; one result each, in order,
        named like ``slideshow-9x16-1080p.mp4`` in ``folder`` (local backend only)."""
        return self._runtime.run(self._start_variants(aspects, quality, draft, folder))

    async def aexport_variants(
        self,
        aspects: Iterable[str] = ("16:9", "9:16", "1:1"),
        quality: str = "high",
        *,
        draft: Draft | dict[str, Any] | None = None,
        folder: str | Path | None = None,
    ) -> list[ExportResult]:
        return await self._runtime.arun(self._start_variants(aspects, quality, draft, folder))

    async def _start_variants(
        self, aspects: Any, quality: str, draft: Any, folder: Any
    ) -> list[ExportResult]:
        return await self._variants.export(aspects, quality, draft, folder, self._drafts.draft)

    def resume_renders(self) -> list[ExportResult]:
        """Wait for the renders resumed on connect; their videos, delivered."""
        return self._runtime.run(self._exports.wait_resumed())

    async def aresume_renders(self) -> list[ExportResult]:
        return await self._runtime.arun(self._exports.wait_resumed())

    def thumbnail(self, media: MediaInfo) -> bytes | None:
        """A small JPEG of ``media`` (cached); ``None`` for audio or when none can be made."""
        return self._runtime.run(self._media.thumbnail(media))

    async def athumbnail(self, media: MediaInfo) -> bytes | None:
        return await self._runtime.arun(self._media.thumbnail(media))

    def restore(self, index: int) -> Draft:
        """Make ``history[index]`` the current draft (export renders it, and undo undoes it).

        On the local backend it becomes the server's draft (a new version), so the
        agent's next edit builds on it; on the cloud it is only shown and exported.
        """
        args.check_index(index, len(self._drafts.history))
        return self._runtime.run(self._drafts.restore(index))

    async def arestore(self, index: int) -> Draft:
        args.check_index(index, len(self._drafts.history))
        return await self._runtime.arun(self._drafts.restore(index))

    # -- editing by hand (local backend) ----------------------------------------
    def edit(self, name: str, /, **edit_args: Any) -> Draft | None:
        """Apply one named edit, as a prompt would: ``session.edit("move_segment",
        segment="seg_1", to=2)``; a new draft version, undoable.  The names and
        arguments are the agent's own edits (docs/protocol.md lists them)."""
        edits = [args.check_edit(name, edit_args)]
        return self._runtime.run(self._drafts.edit(edits))

    async def aedit(self, name: str, /, **edit_args: Any) -> Draft | None:
        edits = [args.check_edit(name, edit_args)]
        return await self._runtime.arun(self._drafts.edit(edits))

    def remove_media(self, media: MediaInfo | str) -> Draft | None:
        """Take a file out of the video and the media list, as one undoable version.

        ``media``: one of :attr:`media`, or its id or file name.  The upload itself
        stays on the server, so :meth:`undo` brings it back.
        """
        return self._runtime.run(self._remove(media))

    async def aremove_media(self, media: MediaInfo | str) -> Draft | None:
        return await self._runtime.arun(self._remove(media))

    async def _remove(self, media: MediaInfo | str) -> Draft | None:
        found = self._media.find(media)
        if not found.id:
            raise args.no_media_id(found)
        edit = {"name": "remove_media", "args": {"media_id": found.id}}
        return await self._drafts.edit([edit])

    def undo(self) -> Draft:
        """Go back to the draft before the last change (prompt or hand edit); the server's
        draft follows, so the next prompt builds on it."""
        return self._runtime.run(self._drafts.undo())

    async def aundo(self) -> Draft:
        return await self._runtime.arun(self._drafts.undo())

    def redo(self) -> Draft:
        """Repeat the change the last :meth:`undo` took back."""
        return self._runtime.run(self._drafts.redo())

    async def aredo(self) -> Draft:
        return await self._runtime.arun(self._drafts.redo())

    # -- shutdown ------------------------------------------------------------------
    async def _shutdown(self) -> None:
        self._runtime.stop_busy()
        self._runtime.emit("closed")
        await self._connection.aclose()

    def close(self) -> None:
        """Close the client and stop the Session's thread. Idempotent.

        Unfinished renders stay in the session file for :meth:`resume`.
        """
        if not self._runtime.closed:
            self._finalizer.detach()
            self._runtime.close(self._shutdown)

    async def aclose(self) -> None:
        if self._runtime.loop.in_thread():
            self.close()
        else:
            await asyncio.get_running_loop().run_in_executor(None, self.close)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
