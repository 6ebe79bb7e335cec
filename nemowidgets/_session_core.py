"""The Session's plumbing: where work runs, who hears about it, what happens on failure.

:class:`SessionCore` is the base of :class:`nemowidgets.session.Session`, kept in
its own module so that the Session's file is about what a user does (upload,
send, export) and this one about how: coroutines run on the Session's loop
thread (blocking twins, async twins, ``submit`` for widgets), observers hear
every event, ``busy`` events frame every operation, failures become ``"error"``
events (once each) and a user's cancel becomes :class:`CancelledByUser`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, TypeVar

from nemowidgets._loop import LoopThread
from nemowidgets._session_args import check_coroutine
from nemowidgets._session_events import Observers, SessionEvent
from nemowidgets.api.errors import CancelledByUser, ConfigurationError, NemoError, redact

__all__ = ["SessionCore"]

log = logging.getLogger("nemowidgets.session")
T = TypeVar("T")


class SessionCore:
    """Loop, observers, busy state, error reporting and cancel, for :class:`Session`."""

    _loop: LoopThread
    _observers: Observers
    _closed: bool
    _last_error: NemoError | None
    _busy_stack: list[tuple[asyncio.Task[Any] | None, str]]
    _user_cancelled: set[asyncio.Task[Any]]

    def _init_core(self) -> None:
        self._loop = LoopThread(name="nemowidgets-session")
        self._observers = Observers(self._loop)
        self._closed = False
        self._last_error = None
        self._busy_stack = []
        self._user_cancelled = set()

    busy = property(lambda self: bool(self._busy_stack), doc="True while work runs.")
    busy_what = property(lambda self: self._busy_stack[0][1] if self._busy_stack else None)
    closed = property(lambda self: self._closed)
    last_error = property(lambda self: self._last_error)

    # -- observers ----------------------------------------------------------------
    def observe(
        self, callback: Callable[[SessionEvent], None], kinds: Iterable[str] | None = None
    ) -> Callable[[], None]:
        """Subscribe to events (all, or only ``kinds``); callbacks run on the Session's
        thread; the returned function unsubscribes."""
        return self._observers.observe(callback, kinds)

    def _emit(self, kind: str, **data: Any) -> None:
        self._observers.emit(kind, **data)

    # -- running work ------------------------------------------------------------
    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._closed:
            coro.close()
            raise ConfigurationError("This Session is closed; create a new one.", hint="")
        try:
            return self._loop.run(self._guard(coro))
        except RuntimeError:
            coro.close()  # refused before it ran (e.g. from the loop thread): no "never awaited"
            raise

    async def _arun(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._closed:
            coro.close()
            raise ConfigurationError("This Session is closed; create a new one.", hint="")
        return await self._loop.arun(self._guard(coro))

    def submit(self, coro: Coroutine[Any, Any, T]) -> Any:
        """Run ``coro`` on the Session's loop without waiting: a ``concurrent.futures.Future``.

        For widgets: ``session.submit(session.asend(text))``.  A failure is also
        emitted as an ``"error"`` event (and the future raises it).
        """
        check_coroutine(coro)
        if self._closed:
            coro.close()
            raise ConfigurationError("This Session is closed; create a new one.", hint="")
        return self._loop.submit(self._guard(coro))

    async def _guard(self, coro: Awaitable[T]) -> T:
        """Report failures as events; turn a user's cancel into CancelledByUser."""
        task = asyncio.current_task()
        try:
            return await coro
        except asyncio.CancelledError:
            if task is not None and task in self._user_cancelled:
                self._user_cancelled.discard(task)
                task.uncancel()
                exc = CancelledByUser("Cancelled.")
                self._report(exc)
                raise exc from None
            raise
        except Exception as exc:
            self._report(exc)
            raise

    def _report(self, exc: BaseException) -> None:
        if getattr(exc, "_nemo_reported", False):
            return
        with contextlib.suppress(AttributeError):
            exc._nemo_reported = True  # type: ignore[attr-defined]
        if isinstance(exc, CancelledByUser):
            self._emit("notice", text="Cancelled.")
            return
        if isinstance(exc, NemoError):
            self._last_error = exc
        message = getattr(exc, "message", None) or redact(str(exc)) or type(exc).__name__
        hint = getattr(exc, "hint", "") or ""
        # INFO, not WARNING: with no logging set up, Python would print warnings to
        # stderr, and the user already gets the exception or the "error" event.
        log.info("nemowidgets: %s %s", message, hint)
        self._emit("error", error=exc, message=message, hint=hint)

    @contextlib.asynccontextmanager
    async def _busy(self, what: str):  # type: ignore[no-untyped-def]
        entry = (asyncio.current_task(), what)
        self._busy_stack.append(entry)
        if len(self._busy_stack) == 1:
            self._emit("busy", busy=True, what=what)
        try:
            yield
        finally:
            self._busy_stack.remove(entry)
            if not self._busy_stack:
                self._emit("busy", busy=False, what=None)

    def cancel(self) -> None:
        """Cancel the running turn, upload or export (and the server's render job).

        Never blocks: safe from observer callbacks and widget handlers.
        """
        if not self._closed:
            self._loop.call_soon(self._cancel_now)

    async def acancel(self) -> None:
        self.cancel()

    def _cancel_now(self) -> None:
        for task, _ in list(self._busy_stack):
            if task is not None and not task.done():
                self._user_cancelled.add(task)
                task.cancel()
