"""Which server session a Session talks to, through which client, and its credits.

:class:`Connection` owns the one :class:`~nemowidgets.api.client.NemoClient`,
the server's session id, the connect lock and the credit balance.  It creates a
session or attaches to the wanted / remembered one, and when the server has
forgotten it (code 1002, see ``docs/protocol.md``) starts a new one and retries
the operation once.

What the media, the drafts and the renders do on those occasions is not its
business: it tells a :class:`ConnectionHooks` (the Session's lifecycle), bound
once the collaborators that need the connection exist.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from nemowidgets.api.errors import NemoError, SessionNotFoundError
from nemowidgets.api.models import Credits
from nemowidgets.session._runtime import Runtime
from nemowidgets.session._settings import Backend, Settings
from nemowidgets.session._state_file import StateFile

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.api.client import NemoClient

__all__ = ["Connection", "ConnectionHooks"]

log = logging.getLogger("nemowidgets.session")
T = TypeVar("T")


class ConnectionHooks(Protocol):
    """What the rest of the Session does when the connection's session changes."""

    def attached(self, data: dict[str, Any]) -> None:
        """Attached to an existing server session; ``data`` is its state payload."""

    async def replaced(self, old: str | None, new: str) -> None:
        """The server forgot session ``old``; ``new`` replaces it (and is already set)."""

    def resume_renders(self, records: list[dict[str, Any]]) -> None:
        """Connected with ``resume=True``: these renders were started before a restart."""


class Connection:
    """The client, the server's session id (and its replacement), and the credits."""

    def __init__(self, runtime: Runtime, backend: Backend, states: StateFile | None = None) -> None:
        self._runtime = runtime
        self._settings = backend.settings
        self._token = backend.token  # handed to the client on first use, then dropped
        self._local_secret = backend.local_secret
        self._states = states if states is not None else StateFile()
        self._clients: list[NemoClient] = []  # the one client, once made
        self._lock = asyncio.Lock()
        self._session_id: str | None = None
        self._connected = False
        self._balance: Credits | None = None
        self._hooks: ConnectionHooks | None = None

    def bind(self, hooks: ConnectionHooks) -> None:
        """Who hears about attaching, replacing and resuming (set once, before connecting)."""
        self._hooks = hooks

    # -- state -----------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def states(self) -> StateFile:
        return self._states

    @property
    def session_id(self) -> str | None:
        return self._session_id

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def balance(self) -> Credits | None:
        return self._balance

    @property
    def client(self) -> NemoClient | None:
        """The client, once one was made (``None`` before the first operation)."""
        return self._clients[0] if self._clients else None

    async def get_client(self) -> NemoClient:
        """The client, made on first use (it takes the token; no copy is kept here)."""
        if not self._clients:
            from nemowidgets.api.client import NemoClient

            options: dict[str, Any] = {
                "client_id": self._settings.client_id,
                **self._settings.client_options,
            }
            if self._local_secret is not None:
                options["local_secret"] = self._local_secret
            self._clients.append(
                NemoClient(base_url=self._settings.base_url, token=self._token, **options)
            )
            self._token = None
        return self._clients[0]

    def _require_session(self) -> str:
        if self._session_id is None:  # pragma: no cover - connect() always sets it
            raise RuntimeError("No server session: connect() first.")
        return self._session_id

    # -- connecting ------------------------------------------------------------------
    async def connect(self) -> None:
        """Create the server session, or attach to the wanted / remembered one; idempotent."""
        async with self._lock:
            if self._connected:
                return
            client = await self.get_client()
            record = self._states.load(self._settings.key) if self._settings.resume else None
            wanted = self._settings.session_id or (record or {}).get("session_id")
            if wanted:
                await self._attach(client, str(wanted))
            else:
                self._session_id = (await client.create_session(self._settings.language)).session_id
            self._connected = True
            session_id = self._require_session()
            self._states.set_session(self._settings.key, session_id)
            self._runtime.emit(
                "connected",
                backend=self._settings.backend,
                session_id=session_id,
                base_url=self._settings.base_url,
            )
            await self.refresh_credits(quiet=True)
            if record and record["renders"] and self._hooks is not None:
                self._hooks.resume_renders(list(record["renders"]))

    async def _attach(self, client: NemoClient, session_id: str) -> None:
        self._session_id = session_id
        try:
            data = await client.state(session_id)
        except SessionNotFoundError:
            await self.replace()
        else:
            if self._hooks is not None:
                self._hooks.attached(data)

    async def with_session(self, op: Callable[[str], Awaitable[T]]) -> T:
        """Run ``op(session_id)``; on 1002 start a new session, say so, retry once."""
        await self.connect()
        try:
            return await op(self._require_session())
        except SessionNotFoundError:
            await self.replace()
            return await op(self._require_session())

    async def replace(self) -> None:
        """The server forgot the session: start a new one and let the hooks recover."""
        client = await self.get_client()
        old = self._session_id
        new = (await client.create_session(self._settings.language)).session_id
        self._session_id = new
        self._states.set_session(self._settings.key, new)
        if self._hooks is not None:
            await self._hooks.replaced(old, new)

    # -- credits ---------------------------------------------------------------------
    async def refresh_credits(self, *, quiet: bool = False) -> Credits | None:
        """Read the balance (emitting ``credits``); ``quiet``: a failure returns None."""
        try:
            client = await self.get_client()
            credits = await client.credits()
        except NemoError as exc:
            if not quiet:
                raise
            log.debug("Credits not refreshed: %s", exc.message)
            return None
        self._balance = credits
        self._runtime.emit("credits", credits=credits)
        return credits

    async def credits(self) -> Credits:
        """The balance, or the failure to read it."""
        credits = await self.refresh_credits()
        if credits is None:  # pragma: no cover - not quiet: a failure raised
            raise RuntimeError("Credits were not read.")
        return credits

    # -- shutdown --------------------------------------------------------------------
    async def aclose(self) -> None:
        """Close the client (its connections); never raises."""
        for client in self._clients:
            with contextlib.suppress(Exception):
                await client.aclose()
