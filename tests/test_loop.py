"""The background loop thread: the sync API from scripts, from inside a running
loop (as in a notebook cell), from the loop thread itself, and the async bridge."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time

import pytest

from nemowidgets.session._loop import LoopThread


@pytest.fixture
def lt():
    loop_thread = LoopThread(name="test-loop")
    yield loop_thread
    loop_thread.close()


async def _where() -> str:
    await asyncio.sleep(0)
    return threading.current_thread().name


async def _fail() -> None:
    await asyncio.sleep(0)
    raise ValueError("boom")


async def _sleep_until_cancelled(cancelled: threading.Event, seconds: float = 30) -> None:
    """Sleeps; sets ``cancelled`` when the sleep is cancelled (and lets the cancel through)."""
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        cancelled.set()
        raise


def test_run_from_plain_code_runs_on_the_loop_thread(lt: LoopThread) -> None:
    assert lt.run(_where()) == "test-loop"
    assert lt.thread.daemon


def test_run_propagates_exceptions(lt: LoopThread) -> None:
    with pytest.raises(ValueError, match="boom"):
        lt.run(_fail())


def test_run_from_inside_a_running_loop_works(lt: LoopThread) -> None:
    """A Jupyter cell runs inside the kernel's loop: the sync call must not nest it."""

    async def cell() -> tuple[str, bool]:
        outer = asyncio.get_running_loop()
        result = lt.run(_where())  # sync call inside a running loop
        return result, outer is not lt.loop

    assert asyncio.run(cell()) == ("test-loop", True)


def test_run_from_the_loop_thread_raises_instead_of_deadlocking(lt: LoopThread) -> None:
    async def reentrant() -> str:
        try:
            lt.run(_where())
        except RuntimeError as exc:
            return str(exc)
        return "no error"

    message = lt.run(reentrant(), timeout=5)
    assert "own event-loop thread" in message
    assert "await" in message


def test_submit_returns_a_concurrent_future(lt: LoopThread) -> None:
    future = lt.submit(_where())
    assert isinstance(future, concurrent.futures.Future)
    assert future.result(5) == "test-loop"


def test_timeout_cancels_the_coroutine(lt: LoopThread) -> None:
    cancelled = threading.Event()
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"0\.2 s"):
        lt.run(_sleep_until_cancelled(cancelled), timeout=0.2)
    assert time.monotonic() - started < 5
    assert cancelled.wait(5)


def test_arun_bridges_from_another_loop(lt: LoopThread) -> None:
    async def main() -> list[str]:
        return await asyncio.gather(lt.arun(_where()), lt.arun(_where()))

    assert asyncio.run(main()) == ["test-loop", "test-loop"]


def test_arun_on_its_own_loop_awaits_directly(lt: LoopThread) -> None:
    async def inner() -> str:
        return await lt.arun(_where())

    assert lt.run(inner()) == "test-loop"


def test_cancelling_the_awaiting_task_cancels_the_work(lt: LoopThread) -> None:
    cancelled = threading.Event()

    async def main() -> None:
        task = asyncio.create_task(lt.arun(_sleep_until_cancelled(cancelled)))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert cancelled.wait(5)


def test_arun_propagates_exceptions(lt: LoopThread) -> None:
    async def main() -> None:
        await lt.arun(_fail())

    with pytest.raises(ValueError, match="boom"):
        asyncio.run(main())


def test_call_soon_runs_on_the_loop_thread(lt: LoopThread) -> None:
    seen: list[str] = []
    done = threading.Event()
    lt.call_soon(lambda: (seen.append(threading.current_thread().name), done.set()))
    assert done.wait(5)
    assert seen == ["test-loop"]


def test_close_cancels_pending_work_and_is_idempotent() -> None:
    lt = LoopThread(name="closing")
    cancelled = threading.Event()
    future = lt.submit(_sleep_until_cancelled(cancelled, 3600))
    time.sleep(0.05)
    lt.close()
    lt.close()  # idempotent
    assert cancelled.is_set()
    assert future.cancelled()
    assert not lt.thread.is_alive()
    assert lt.closed
    with pytest.raises(RuntimeError, match="closed"):
        lt.run(_where())


def test_close_from_the_loop_thread_does_not_deadlock() -> None:
    lt = LoopThread(name="self-closing")

    async def close_self() -> None:
        lt.close()

    lt.submit(close_self())
    lt.thread.join(5)
    assert not lt.thread.is_alive()


def test_many_threads_share_one_loop(lt: LoopThread) -> None:
    results: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        value = lt.run(_where())
        with lock:
            results.append(value)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert results == ["test-loop"] * 8


def test_repr_says_whether_running(lt: LoopThread) -> None:
    assert "running" in repr(lt)
