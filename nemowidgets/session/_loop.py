"""A background event-loop thread: how a sync API runs async code inside Jupyter.

A notebook cell already runs inside the kernel's event loop, so the Session's
sync methods cannot call ``asyncio.run`` (it refuses to nest) and must not block
that loop waiting for itself.  nest-asyncio patched asyncio to allow re-entry; it
is archived, and Jupyter's own packages (jupyter_client, ipykernel) moved to what
this module does instead: own one event loop on one daemon thread, and hand
coroutines to it.  Sync callers block on a ``concurrent.futures.Future``; async
callers on another loop await it through :func:`asyncio.wrap_future`.  Everything
async the Session owns (its one ``httpx.AsyncClient``, its tasks) lives on this
loop, so nothing is ever shared between loops.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

__all__ = ["LoopThread"]

T = TypeVar("T")


class LoopThread:
    """One asyncio loop running forever on one daemon thread, until :meth:`close`."""

    def __init__(self, name: str = "nemowidgets-loop") -> None:
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._closed = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self._started.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._started.set)
        try:
            self._loop.run_forever()
        finally:
            with contextlib.suppress(Exception):
                self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    # -- introspection -------------------------------------------------------
    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    @property
    def closed(self) -> bool:
        return self._closed

    def in_thread(self) -> bool:
        """True when called from the loop's own thread."""
        return threading.get_ident() == self._thread.ident

    # -- running coroutines --------------------------------------------------
    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the loop; return at once with a thread-safe future."""
        if self._closed:
            coro.close()  # never awaited: close it so Python does not warn
            raise RuntimeError("This loop thread is closed (the Session was closed).")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the loop and block until it finishes; return its result.

        Works from plain scripts and from inside another running loop (a Jupyter
        cell).  From the loop thread itself it raises instead of deadlocking: that
        caller must ``await`` the coroutine (or use :meth:`submit`).
        ``timeout`` (seconds) cancels the coroutine and raises ``TimeoutError``.
        """
        if self.in_thread():
            coro.close()
            raise RuntimeError(
                "A blocking nemowidgets call was made from the Session's own event-loop thread "
                "(e.g. inside an observer callback); it would wait for itself forever. "
                "Use the async method (await session.asend(...)) or session.submit(...) there."
            )
        future = self.submit(coro)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"The operation did not finish within {timeout} s.") from None
        except BaseException:  # KeyboardInterrupt in a notebook: stop the work too
            future.cancel()
            raise

    async def arun(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await ``coro`` from any loop: directly when already on ours, else bridged.

        Cancelling the awaiting task cancels the coroutine on the loop thread.
        """
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:  # pragma: no cover - arun is always awaited in a loop
            running = None
        if running is self._loop:
            return await coro
        return await asyncio.wrap_future(self.submit(coro))

    def call_soon(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run a plain callable on the loop thread (thread-safe)."""
        if not self._closed:
            self._loop.call_soon_threadsafe(callback, *args)

    # -- shutdown ------------------------------------------------------------
    async def _cancel_all(self) -> None:
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)

    def close(self, timeout: float = 10.0) -> None:
        """Cancel what still runs, stop the loop and join the thread. Idempotent.

        Called from the loop thread itself (e.g. by an observer), the stop is
        scheduled and the thread ends right after the current callback.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self.in_thread():
            task = self._loop.create_task(self._cancel_all())
            task.add_done_callback(lambda _: self._loop.stop())
            return
        if self._loop.is_running():
            future = asyncio.run_coroutine_threadsafe(self._cancel_all(), self._loop)
            with contextlib.suppress(Exception):
                future.result(timeout)
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)

    def __repr__(self) -> str:
        state = "closed" if self._closed else "running"
        return f"<LoopThread {self._thread.name} {state}>"
