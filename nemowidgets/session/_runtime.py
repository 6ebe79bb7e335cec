"""Where a Session's work runs, who hears about it, and what happens on failure.

:class:`Runtime` owns the Session's loop thread (:mod:`nemowidgets.session._loop`)
and its observers.  Coroutines run there (blocking twins, async twins, ``submit``
for widgets); ``busy`` events frame every operation; failures become ``"error"``
events (once each) and a user's cancel becomes :class:`CancelledByUser`.  Every
other collaborator of the Session reaches the loop and the observers through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable
from concurrent.futures import Future
from typing import Any, TypeVar

from nemowidgets.api.errors import (
    CancelledByUser,
    ConfigurationError,
    NemoError,
    SessionClosedError,
    redact,
)
from nemowidgets.session._events import Observers, SessionEvent
from nemowidgets.session._loop import LoopThread

__all__ = ["Runtime", "forget_cancel"]

log = logging.getLogger("nemowidgets.session")
T = TypeVar("T")
#: The attribute that marks an exception as already reported (one "error" event each).
_REPORTED = "_nemo_reported"


def forget_cancel(task: asyncio.Task[Any]) -> None:
    """Withdraw one cancel request of ``task`` after turning it into another outcome.

    From Python 3.11 a task counts cancel requests (``Task.cancelling``) and code
    that swallows one must call ``Task.uncancel`` so that an enclosing timeout or
    task group does not think it is still being cancelled.  Python 3.10 has no
    counter (and no ``uncancel``): there is nothing to withdraw.
    """
    if sys.version_info >= (3, 11):
        task.uncancel()


def _closed_error() -> ConfigurationError:
    return ConfigurationError("This Session is closed; create a new one.", hint="")


class Runtime:
    """Loop thread, observers, busy state, error reporting and cancel, for one Session."""

    def __init__(self, name: str = "nemowidgets-session") -> None:
        self._loop = LoopThread(name=name)
        self._observers = Observers(self._loop)
        self._closed = False
        self._last_error: NemoError | None = None
        self._busy_stack: list[tuple[asyncio.Task[Any] | None, str]] = []
        self._user_cancelled: set[asyncio.Task[Any]] = set()
        self._log: deque[SessionEvent] = deque(maxlen=1_000)
        self._observers.observe(self._log.append)

    # -- state ---------------------------------------------------------------------
    @property
    def loop(self) -> LoopThread:
        return self._loop

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def last_error(self) -> NemoError | None:
        return self._last_error

    @property
    def busy(self) -> bool:
        return bool(self._busy_stack)

    @property
    def busy_what(self) -> str | None:
        return self._busy_stack[0][1] if self._busy_stack else None

    @property
    def log(self) -> tuple[SessionEvent, ...]:
        return tuple(self._log)

    # -- observers -----------------------------------------------------------------
    def observe(
        self, callback: Callable[[SessionEvent], None], kinds: Iterable[str] | None = None
    ) -> Callable[[], None]:
        return self._observers.observe(callback, kinds)

    def emit(self, kind: str, **data: Any) -> None:
        self._observers.emit(kind, **data)

    # -- running work --------------------------------------------------------------
    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Block until ``coro`` ran on the loop (refused on the loop thread itself)."""
        if self._closed:
            coro.close()
            raise _closed_error()
        try:
            return self._loop.run(self.guard(coro))
        except RuntimeError:
            coro.close()  # refused before it ran (e.g. from the loop thread): no "never awaited"
            raise

    async def arun(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await ``coro`` on the loop, from any loop."""
        if self._closed:
            coro.close()
            raise _closed_error()
        return await self._loop.arun(self.guard(coro))

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        """Start ``coro`` on the loop without waiting; a thread-safe future of its result."""
        if self._closed:
            coro.close()
            raise _closed_error()
        return self._loop.submit(self.guard(coro))

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """A guarded task on the loop (called on the loop thread)."""
        return asyncio.create_task(self.guard(coro))

    async def guard(self, coro: Awaitable[T]) -> T:
        """Report failures as events; turn a user's cancel into CancelledByUser."""
        task = asyncio.current_task()
        try:
            return await coro
        except asyncio.CancelledError:
            if task is not None and task in self._user_cancelled:
                self._user_cancelled.discard(task)
                forget_cancel(task)
                exc = CancelledByUser("Cancelled.")
                self.report(exc)
                raise exc from None
            if self._closed:  # close() stopped it: our error, not a bare CancelledError
                raise SessionClosedError(
                    "The Session was closed before this call finished."
                ) from None
            raise
        except Exception as exc:
            self.report(exc)
            raise

    def report(self, exc: BaseException) -> None:
        """Emit ``exc`` as an ``"error"`` event (a user's cancel as a notice), once."""
        if getattr(exc, _REPORTED, False):
            return
        with contextlib.suppress(AttributeError):
            setattr(exc, _REPORTED, True)
        if isinstance(exc, CancelledByUser):
            self.emit("notice", text="Cancelled.")
            return
        if isinstance(exc, NemoError):
            self._last_error = exc
        message = getattr(exc, "message", None) or redact(str(exc)) or type(exc).__name__
        hint = getattr(exc, "hint", "") or ""
        # INFO, not WARNING: with no logging set up, Python would print warnings to
        # stderr, and the user already gets the exception or the "error" event.
        log.info("nemowidgets: %s %s", message, hint)
        self.emit("error", error=exc, message=message, hint=hint)

    @contextlib.asynccontextmanager
    async def busy_with(self, what: str) -> AsyncIterator[None]:
        """Frame an operation: ``busy`` events when the first starts and the last ends."""
        entry = (asyncio.current_task(), what)
        self._busy_stack.append(entry)
        if len(self._busy_stack) == 1:
            self.emit("busy", busy=True, what=what)
        try:
            yield
        finally:
            self._busy_stack.remove(entry)
            if not self._busy_stack:
                self.emit("busy", busy=False, what=None)

    # -- cancel --------------------------------------------------------------------
    def cancel(self) -> None:
        """Cancel the running operations as the user's cancel; never blocks."""
        if not self._closed:
            self._loop.call_soon(self._cancel_now)

    def cancelled_by_user(self, task: asyncio.Task[Any] | None) -> bool:
        """Whether ``task`` is being cancelled by the user (not by a shutdown)."""
        return task is not None and task in self._user_cancelled

    def _cancel_now(self) -> None:
        for task, _ in list(self._busy_stack):
            if task is not None and not task.done():
                self._user_cancelled.add(task)
                task.cancel()

    def stop_busy(self) -> None:
        """Cancel the running operations (other than the caller) for a shutdown."""
        for task, _ in list(self._busy_stack):
            if task is not None and task is not asyncio.current_task():
                task.cancel()

    # -- shutdown ------------------------------------------------------------------
    def close(
        self, shutdown: Callable[[], Coroutine[Any, Any, None]], timeout: float = 10.0
    ) -> bool:
        """Run ``shutdown()`` on the loop, then stop the thread; False if already closed.

        From an observer (the loop thread) the shutdown is scheduled instead of awaited.
        """
        if self._closed:
            return False
        self._closed = True
        if self._loop.in_thread():
            task = self._loop.loop.create_task(shutdown())
            task.add_done_callback(lambda _: self._loop.close())
            return True
        with contextlib.suppress(Exception):
            self._loop.run(shutdown(), timeout=timeout)
        self._loop.close(timeout)
        return True
