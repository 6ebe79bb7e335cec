"""The Session's runtime: a user's cancel becomes CancelledByUser, on every Python it supports.

``Task.uncancel`` (withdrawing a cancel request that was turned into another
outcome) exists only from Python 3.11; the package declares 3.10.  These run
the cancel path for real on whichever interpreter runs the suite.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Iterator

import pytest

from nemowidgets.api.errors import CancelledByUser
from nemowidgets.session._runtime import Runtime


async def _nothing() -> None:
    return None


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    rt = Runtime(name="test-runtime")
    yield rt
    rt.close(_nothing)


def _working(rt: Runtime, started: threading.Event) -> object:
    async def work() -> None:
        async with rt.busy_with("turn"):
            started.set()
            await asyncio.sleep(30)

    return work()


def test_a_users_cancel_raises_cancelled_by_user_and_says_so(runtime: Runtime) -> None:
    seen: list[str] = []
    runtime.observe(lambda e: seen.append(e.kind), kinds=["notice", "error", "busy"])
    started = threading.Event()
    future = runtime.submit(_working(runtime, started))  # type: ignore[arg-type]
    assert started.wait(5)
    runtime.cancel()
    with pytest.raises(CancelledByUser):
        future.result(5)
    runtime.loop.run(asyncio.sleep(0))  # the observers ran
    assert seen == ["busy", "busy", "notice"]
    assert not runtime.busy


def test_the_cancel_request_is_withdrawn_once_it_became_cancelled_by_user(
    runtime: Runtime,
) -> None:
    """After the cancel became CancelledByUser the task is not 'being cancelled' any more.

    On 3.11+ an unwithdrawn request would make an enclosing ``asyncio.timeout``
    or task group treat the task as cancelled; 3.10 counts no requests.
    """
    started = threading.Event()

    async def outer() -> tuple[int, str]:
        try:
            await runtime.guard(_working(runtime, started))  # type: ignore[arg-type]
        except CancelledByUser:
            task = asyncio.current_task()
            assert task is not None
            pending = task.cancelling() if hasattr(task, "cancelling") else 0
            await asyncio.sleep(0)  # the task goes on: it is not cancelled again
            return pending, "went on"
        raise AssertionError("not cancelled")

    future = runtime.submit(outer())
    assert started.wait(5)
    runtime.cancel()
    assert future.result(5) == (0, "went on")


def test_a_shutdown_cancel_stays_a_plain_cancel(runtime: Runtime) -> None:
    """Only the user's cancel is reported; a cancel from elsewhere propagates as is."""
    seen: list[str] = []
    runtime.observe(lambda e: seen.append(e.kind), kinds=["notice", "error"])
    started = threading.Event()
    future = runtime.submit(_working(runtime, started))  # type: ignore[arg-type]
    assert started.wait(5)
    runtime.loop.call_soon(runtime.stop_busy)
    with pytest.raises(concurrent.futures.CancelledError):
        future.result(5)
    runtime.loop.run(asyncio.sleep(0))
    assert seen == []
