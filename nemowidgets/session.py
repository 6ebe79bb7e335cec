"""The Session: the one object a notebook and all its widgets share.

A Session owns one background event-loop thread (:mod:`nemowidgets._loop`) and,
on it, one :class:`~nemowidgets.api.client.NemoClient` (one ``httpx.AsyncClient``).
Every public method has a blocking twin that works anywhere - a Jupyter cell
(which already runs inside a loop), VS Code, a plain script - and an async twin
(``aupload``, ``asend``, ...) for async code; both run the work on the Session's
loop.  Widgets call :meth:`Session.submit` and :meth:`Session.observe` instead,
so a click returns at once and the UI follows the events.

It holds what a user works with: the session id, uploaded media, the latest
state and :class:`~nemowidgets.draft.Draft`, a history of drafts (one per prompt
that changed the draft), exports, the agent events, credits and the last error.

Backends: ``Session()`` talks to the cloud when ``NEMO_TOKEN`` or ``NEMO_API_URL``
is set, else to the embedded local backend (:meth:`Session.local`).  The local
backend is a *server*: the Session reaches it only over loopback HTTP, like the
cloud.  Its one contact with ``nemowidgets.local`` is the lazy import of
``nemowidgets.local.server.launch`` that starts the in-process server (so importing the
Session never imports Starlette/uvicorn, and the cloud path never starts one).

Error policy: ``send()`` returns a :class:`Turn` for whatever the conversation
produced - an agent error, nothing to export, a failed render end the turn with
``turn.error`` set - and raises for failures to reach or use the server (network,
token, credits).  Every failure is also emitted as an ``"error"`` event, so the
widgets' status bar shows it, and kept in :attr:`Session.last_error`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import weakref
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from nemowidgets import _session_args as args
from nemowidgets import _session_conn as conn
from nemowidgets import _session_ops as ops
from nemowidgets import _session_turn as turns
from nemowidgets._loop import LoopThread
from nemowidgets._media_files import UploadItem
from nemowidgets._session_core import SessionCore
from nemowidgets._session_events import EVENT_KINDS, ExportResult, SessionEvent, Turn
from nemowidgets._state_file import StateFile
from nemowidgets.api.errors import (
    ConfigurationError,
)
from nemowidgets.api.events import AgentEvent
from nemowidgets.api.models import Credits, MediaInfo
from nemowidgets.api.retry import StreamPolicy
from nemowidgets.draft import Draft
from nemowidgets.protocol import CLOUD_BASE_URL

__all__ = ["EVENT_KINDS", "ExportResult", "Session", "SessionEvent", "Turn"]

log = logging.getLogger("nemowidgets.session")
T = TypeVar("T")
_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def _launch_local(data_dir: str | Path | None) -> Any:
    """Start (or reuse) this process's local server.

    The only place the Session touches ``nemowidgets.local``, imported lazily:
    the server is reached over HTTP like the cloud, and the cloud path must not
    pay for (or depend on) the server's imports.
    """
    from nemowidgets.local.server.launch import ensure_local_server

    return ensure_local_server(Path(data_dir) if data_dir is not None else None)


def _reap(loop: LoopThread, clients: list[Any]) -> None:
    """Finalizer of a Session that was never closed: close its client, stop its thread."""
    for client in clients:
        with contextlib.suppress(Exception):
            loop.run(client.aclose(), timeout=2)
    loop.close(timeout=2)


class Session(SessionCore):
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
    ) -> None:
        args.check_init(
            base_url=base_url,
            token=token,
            session_id=session_id,
            data_dir=data_dir,
            resume=resume,
            language=language,
            client_id=client_id,
            stream_policy=stream_policy,
            render_interval=render_interval,
            export_dir=export_dir,
            client_options=client_options,
        )
        env_url, env_token = os.environ.get("NEMO_API_URL"), os.environ.get("NEMO_TOKEN")
        if backend is None:
            backend = "cloud" if (base_url or token or env_url or env_token) else "local"
        if backend not in ("local", "cloud"):
            raise ConfigurationError(
                f"backend must be 'local' or 'cloud', not {backend!r}.", field="backend"
            )
        self.backend = backend
        self._server: Any = None
        if backend == "local":
            if base_url or token:
                raise ConfigurationError(
                    "The local backend takes no base_url or token: use Session(base_url=...) "
                    "for a server started with `nemowidgets serve`."
                )
            self._server = _launch_local(data_dir)
            self.base_url: str = self._server.url
            self._key = f"local:{Path(self._server.data_dir).resolve()}"
        else:
            if not base_url and env_url:
                args.check_url("NEMO_API_URL", env_url)
            self.base_url = (base_url or env_url or CLOUD_BASE_URL).rstrip("/")
            self._key = self.base_url
        self._token = token  # handed to the client on connect, then dropped
        self._client_id = client_id
        self._client_options = dict(client_options or {})
        self.language = language
        self.stream_policy = stream_policy
        host = urlsplit(self.base_url).hostname or ""
        self.render_interval = (
            render_interval
            if render_interval is not None
            else (0.25 if host in _LOOPBACK else 30.0)
        )
        self.export_dir = Path(export_dir) if export_dir is not None else None
        self._resume = resume
        self._wanted_session_id = str(session_id) if session_id is not None else None
        self._init_core()
        self._states = StateFile()
        self._clients: list[Any] = []  # the one client, in a box the finalizer can see
        # A Session dropped without close() must not leak its thread and connections.
        self._finalizer = weakref.finalize(self, _reap, self._loop, self._clients)
        self._connect_lock = asyncio.Lock()
        # What the user works with.
        self._session_id: str | None = None
        self._connected = False
        self._media: tuple[MediaInfo, ...] = ()
        self._sources: dict[str, Path] = {}  # media key -> file on disk (thumbnails, re-upload)
        self._media_moves: dict[str, str] = {}  # forgotten session's media id -> re-upload's
        self._thumbs: dict[str, bytes] = {}
        self._state: dict[str, Any] | None = None
        self._draft: Draft | None = None
        self._server_draft: Draft | None = None
        self._history: list[Draft] = []
        self._events: deque[AgentEvent] = deque(maxlen=10_000)
        self._log: deque[SessionEvent] = deque(maxlen=1_000)
        self._balance: Credits | None = None
        self._exports: list[ExportResult] = []
        self._active_renders: set[str] = set()
        self._reserved: set[Path] = set()
        self._resume_tasks: list[asyncio.Task[Any]] = []
        self._observers.observe(self._log.append)

    # -- constructors --------------------------------------------------------
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

    # -- read-only state ------------------------------------------------------
    session_id = property(lambda self: self._session_id, doc="The server's session id (str).")
    connected = property(lambda self: self._connected)
    media = property(lambda self: self._media, doc="Uploaded media, in upload order.")
    draft = property(lambda self: self._draft, doc="The current Draft (None before one).")
    history = property(lambda self: tuple(self._history), doc="Every draft version seen.")
    events = property(lambda self: tuple(self._events), doc="The agent events of all turns.")
    log = property(lambda self: tuple(self._log), doc="The last 1,000 SessionEvents.")
    balance = property(lambda self: self._balance, doc="Credits, refreshed after prompts.")
    exports = property(lambda self: tuple(self._exports))
    last_state = property(lambda self: self._state, doc="The latest state payload.")

    # -- connection ----------------------------------------------------------------
    @property
    def _client(self) -> Any:
        return self._clients[0] if self._clients else None

    async def _get_client(self) -> Any:
        if not self._clients:
            from nemowidgets.api.client import NemoClient

            options: dict[str, Any] = {"client_id": self._client_id, **self._client_options}
            token = self._token
            if self._server is not None:  # always anonymous, whatever NEMO_TOKEN says
                options["local_secret"] = self._server.secret
                token = ""
            self._clients.append(NemoClient(base_url=self.base_url, token=token, **options))
            self._token = None  # the client holds it now; the Session keeps no copy
        return self._client

    # -- the public API: sync twins block, async twins await ---------------------
    def connect(self) -> Session:
        """Create the server session (or attach to ``session_id``); idempotent."""
        return self._run(conn.connect(self))

    async def aconnect(self) -> Session:
        return await self._arun(conn.connect(self))

    def upload(
        self,
        items: UploadItem | Iterable[UploadItem],
        *,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> list[MediaInfo]:
        """Upload files: a path, a folder (every supported file in it), ``(name, bytes)``,
        or a list of those.  Checked before anything is sent."""
        return self._run(ops.upload(self, items, progress))

    async def aupload(
        self,
        items: UploadItem | Iterable[UploadItem],
        *,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> list[MediaInfo]:
        return await self._arun(ops.upload(self, items, progress))

    def send(self, prompt: str) -> Turn:
        """Route ``prompt`` (export / credits / status / upload / the agent) and run it."""
        return self._run(turns.send(self, prompt))

    async def asend(self, prompt: str) -> Turn:
        return await self._arun(turns.send(self, prompt))

    def credits(self) -> Credits:
        return self._run(conn.refresh_credits(self))  # type: ignore[arg-type]

    async def acredits(self) -> Credits:
        return await self._arun(conn.refresh_credits(self))  # type: ignore[arg-type]

    def state(self) -> dict[str, Any]:
        """The latest state payload (``data`` of the state endpoint); updates the draft."""
        return self._run(ops.read_state(self))

    async def astate(self) -> dict[str, Any]:
        return await self._arun(ops.read_state(self))

    def export(
        self,
        quality: str = "high",
        *,
        draft: Draft | dict[str, Any] | None = None,
        path: str | Path | None = None,
    ) -> ExportResult:
        """Render ``draft`` (default: the current one) and download the MP4 to ``path``
        (default ``./nemowidgets-exports/<session>-<n>.mp4``)."""
        return self._run(ops.export(self, quality, draft, path))

    async def aexport(
        self,
        quality: str = "high",
        *,
        draft: Draft | dict[str, Any] | None = None,
        path: str | Path | None = None,
    ) -> ExportResult:
        return await self._arun(ops.export(self, quality, draft, path))

    def resume_renders(self) -> list[ExportResult]:
        """Wait for the renders resumed on connect; their videos, delivered."""
        return self._run(ops.wait_resumed(self))

    async def aresume_renders(self) -> list[ExportResult]:
        return await self._arun(ops.wait_resumed(self))

    def thumbnail(self, media: MediaInfo) -> bytes | None:
        """A small JPEG of ``media`` (cached); ``None`` for audio or when none can be made."""
        return self._run(ops.thumbnail(self, media))

    async def athumbnail(self, media: MediaInfo) -> bytes | None:
        return await self._arun(ops.thumbnail(self, media))

    def restore(self, index: int) -> Draft:
        """Make ``history[index]`` the current draft (export renders it).

        Local only: the protocol cannot upload a draft, so the agent's next edit
        starts from the server's latest version.
        """
        args.check_index(index, len(self._history))
        if self._loop.in_thread():
            return conn.restore(self, index)

        async def on_loop() -> Draft:  # so its events are delivered when this returns
            return conn.restore(self, index)

        return self._run(on_loop())

    # -- shutdown ----------------------------------------------------------------
    async def _shutdown(self) -> None:
        for task, _ in list(self._busy_stack):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        self._emit("closed")
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.aclose()

    def close(self) -> None:
        """Close the client and stop the Session's thread. Idempotent.

        Unfinished renders stay in the session file for :meth:`resume`.
        """
        if self._closed:
            return
        self._closed = True
        if self._loop.in_thread():  # from an observer: finish asynchronously
            self._finalizer.detach()
            task = self._loop.loop.create_task(self._shutdown())
            task.add_done_callback(lambda _: self._loop.close())
            return
        self._finalizer.detach()
        with contextlib.suppress(Exception):
            self._loop.run(self._shutdown(), timeout=10)
        self._loop.close()

    async def aclose(self) -> None:
        if self._loop.in_thread():
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

    # -- display -------------------------------------------------------------------
    def _where(self) -> str:
        parts = urlsplit(self.base_url)  # drop any user:password@ from the URL
        return f"{parts.scheme}://{parts.hostname}{':' + str(parts.port) if parts.port else ''}"

    def __repr__(self) -> str:
        draft = self._draft.summary() if self._draft is not None else "no draft"
        return (
            f"<Session {self.backend} {self._where()} session={self._session_id or '-'} "
            f"media={len(self._media)} {draft}>"
        )

    def _repr_html_(self) -> str:
        return conn.describe_html(self)
