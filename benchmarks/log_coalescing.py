"""How much coalescing saves: 10,000 log events at full speed through the StreamLog.

The events (agent text chunks, a tool call every 50, a "Still working…" notice
every 500) are dispatched on a loop thread exactly as a Session dispatches to
its observers, as fast as it can.  Two runs:

* **coalesced** - the StreamLog as shipped: at most one frontend update per
  0.1 s (leading + trailing edge);
* **baseline** - the same widget with ``interval=0``: one update per event.

A second pair paces the events at ``--rate`` per second (1,000 by default, for
3 s) to show the steady state: about ten updates a second instead of a thousand.

Each frontend update is counted where a kernel would send it (the widget's
comm), and costs what a kernel pays for it: the message is JSON-serialised and
HMAC-signed (what ``jupyter_client.Session.send`` does) - so the CPU time is the
kernel-side cost of the updates, not of a browser.  Prints the updates, the
bytes, the kernel CPU time and wall time of each run, and the ratios.

    python benchmarks/log_coalescing.py [--events 10000] [--rate 1000] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import comm

from nemowidgets.api.events import AgentEvent
from nemowidgets.session import SessionEvent
from nemowidgets.session._loop import LoopThread


class KernelLikeComm:
    """Counts messages and pays a kernel's per-message cost: JSON + HMAC-SHA256 signature."""

    kernel = "bench"
    _key = b"benchmark-signing-key"
    messages = 0
    bytes_sent = 0

    def __init__(self, **kwargs: Any) -> None:
        self.comm_id = f"bench-{id(self)}"

    def open(self, *args: Any, **kwargs: Any) -> None:
        pass

    def on_msg(self, callback: Any) -> None:
        pass

    def close(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        payload = json.dumps({"comm_id": self.comm_id, "data": data}).encode()
        hmac.new(self._key, payload, hashlib.sha256).hexdigest()
        KernelLikeComm.messages += 1
        KernelLikeComm.bytes_sent += len(payload)


class EventSource:
    """Dispatches events to observers on a loop thread, like a Session (no server needed)."""

    backend = "local"
    session_id = "bench"

    def __init__(self) -> None:
        self._loop = LoopThread(name="bench-events")
        self._subs: list[Callable[[SessionEvent], None]] = []

    def observe(
        self, callback: Callable[[SessionEvent], None], kinds: Iterable[str] | None = None
    ) -> Callable[[], None]:
        self._subs.append(callback)
        return lambda: self._subs.remove(callback)

    def burst(self, events: list[SessionEvent], rate: float | None = None) -> None:
        """Dispatch the events on the loop thread - all in one go, or ``rate`` per second
        (in batches every 10 ms) - and return when done."""
        done = threading.Event()
        batch = len(events) if rate is None else max(1, round(rate / 100))
        start = time.monotonic()

        def run(at: int) -> None:
            for event in events[at : at + batch]:
                for callback in self._subs:
                    callback(event)
            if at + batch >= len(events):
                done.set()
                return
            due = start + (at + batch) / rate if rate else 0.0
            self._loop.loop.call_later(max(0.0, due - time.monotonic()), run, at + batch)

        self._loop.call_soon(run, 0)
        done.wait()

    def settle(self, seconds: float) -> None:
        import asyncio

        self._loop.run(asyncio.sleep(seconds))

    def close(self) -> None:
        self._loop.close()


def make_events(n: int) -> list[SessionEvent]:
    events = [SessionEvent("turn_started", {"prompt": "make a slideshow", "action": "agent"})]
    for i in range(n - 1):
        if i % 500 == 499:
            event = AgentEvent("notice", text="Still working…")
        elif i % 50 == 49:
            event = AgentEvent("tool_call", name="make_slideshow", data={"step": i})
        else:
            event = AgentEvent("text", text=f"word{i} ", partial=True)
        events.append(SessionEvent("agent_event", {"event": event}))
    return events


def run(interval: float, n: int, rate: float | None = None) -> dict[str, Any]:
    from nemowidgets.widgets import StreamLog

    source = EventSource()
    log = StreamLog(source, interval=interval)  # type: ignore[arg-type]
    events = make_events(n)
    KernelLikeComm.messages = KernelLikeComm.bytes_sent = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    source.burst(events, rate)
    burst_wall = time.perf_counter() - wall0
    source.settle(max(0.2, 2 * interval))  # let the trailing update go out
    cpu = time.process_time() - cpu0
    wall = time.perf_counter() - wall0
    result = {
        "interval_s": interval,
        "events": n,
        "rate": rate,
        "updates": KernelLikeComm.messages,
        "bytes": KernelLikeComm.bytes_sent,
        "kernel_cpu_s": round(cpu, 4),
        "burst_wall_s": round(burst_wall, 4),
        "wall_s": round(wall, 4),
        "last_line_shown": "word" in log.text.splitlines()[-1],
    }
    log.close()
    source.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument(
        "--rate",
        type=float,
        default=1000.0,
        help="events per second of the paced runs (3 s of them)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    comm.create_comm = lambda **kwargs: KernelLikeComm(**kwargs)  # count instead of send
    coalesced = run(0.1, args.events)
    baseline = run(0.0, args.events)
    paced_n = int(args.rate * 3)
    paced = run(0.1, paced_n, args.rate)
    paced_base = run(0.0, paced_n, args.rate)

    def ratios(base: dict[str, Any], ours: dict[str, Any]) -> dict[str, float]:
        return {
            "updates": round(base["updates"] / max(1, ours["updates"]), 1),
            "kernel_cpu": round(base["kernel_cpu_s"] / max(1e-9, ours["kernel_cpu_s"]), 1),
            "bytes": round(base["bytes"] / max(1, ours["bytes"]), 1),
        }

    if args.json:
        print(
            json.dumps(
                {
                    "burst": {
                        "coalesced": coalesced,
                        "baseline": baseline,
                        "baseline_over_coalesced": ratios(baseline, coalesced),
                    },
                    "paced": {
                        "coalesced": paced,
                        "baseline": paced_base,
                        "baseline_over_coalesced": ratios(paced_base, paced),
                    },
                }
            )
        )
        return
    for title, ours, base in (
        (f"{args.events:,} log events at full speed through StreamLog", coalesced, baseline),
        (f"{paced_n:,} log events at {args.rate:,.0f}/s (3 s)", paced, paced_base),
    ):
        print(title)
        print(f"{'':12}{'updates':>10}{'MB sent':>10}{'kernel CPU s':>14}{'wall s':>10}")
        for name, r in (("coalesced", ours), ("baseline", base)):
            print(
                f"{name:12}{r['updates']:>10,}{r['bytes'] / 1e6:>10.1f}"
                f"{r['kernel_cpu_s']:>14.3f}{r['burst_wall_s']:>10.3f}"
            )
        q = ratios(base, ours)
        print(
            f"baseline / coalesced: {q['updates']}x the updates, {q['kernel_cpu']}x the "
            f"kernel CPU, {q['bytes']}x the bytes; last event shown: "
            f"{ours['last_line_shown']}\n"
        )


if __name__ == "__main__":
    main()
