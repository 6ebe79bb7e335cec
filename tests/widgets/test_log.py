"""StreamLog: streaming text, compact tool lines, notices, errors, coalescing and folding."""

from __future__ import annotations

import itertools
import time

from nemowidgets.api.events import AgentEvent
from nemowidgets.widgets import StreamLog

from .conftest import updates


def agent(kind: str, text: str = "", **kw) -> tuple[str, dict]:
    return ("agent_event", {"event": AgentEvent(kind, text=text, **kw)})


def test_streaming_text_grows_in_one_line(fake) -> None:
    log = StreamLog(fake, interval=0)
    fake.emit("turn_started", prompt="make a slideshow", action="agent")
    fake.emit_many(
        [
            agent("text", "I made ", partial=True),
            agent("text", "a slideshow", partial=True),
            agent("text", ".", partial=False),
        ]
    )
    assert log.text.splitlines() == ["› make a slideshow", "I made a slideshow."]
    fake.emit_many([agent("text", "Anything else?")])  # a new message: a new line
    assert log.text.splitlines()[-1] == "Anything else?"


def test_final_text_that_replaces_the_stream_wins(fake) -> None:
    log = StreamLog(fake, interval=0)
    fake.emit_many(
        [
            agent("text", "draft", partial=True),
            agent("text", "Final words.", data={"replaces_partial": True}),
        ]
    )
    assert log.text == "Final words."


def test_tool_activity_is_one_compact_line(fake) -> None:
    log = StreamLog(fake, interval=0)
    fake.emit_many(
        [
            agent("tool_call", name="make_slideshow", data={"photos": 3}),
            agent("keepalive"),
            agent("tool_result", name="make_slideshow", data={"ok": True}),
            agent("tool_call", name="set_transition"),
            agent("tool_result", name="set_transition", data={"ok": False}),
        ]
    )
    assert log.text.splitlines() == ["⚙ make_slideshow ✓", "⚙ set_transition ✗"]
    assert "nemo-l-tool" in log._view.value


def test_still_working_and_errors_stand_out(fake) -> None:
    log = StreamLog(fake, interval=0)
    fake.emit_many([agent("notice", "Still working…")])
    fake.emit_many([agent("error", "The agent failed.")])
    fake.emit("error", error=None, message="The agent failed.", hint="Rephrase the request.")
    lines = log.text.splitlines()
    assert lines == ["◷ Still working…", "The agent failed.", "➜ Rephrase the request."]
    assert log._view.value.count("nemo-l-error") == 1  # the hint joined the agent's error
    fake.emit(
        "error",
        error=None,
        message="No credits.",
        hint="Register: https://nemovideo.com/register?bind=u1",
    )
    assert 'href="https://nemovideo.com/register?bind=u1"' in log._view.value


def test_renders_are_logged(fake, tmp_path) -> None:
    from types import SimpleNamespace

    log = StreamLog(fake, interval=0)
    fake.emit("render_started", job=None, path="x.mp4", resumed=False)
    result = SimpleNamespace(path=tmp_path / "s-1.mp4", duration=25.5, width=1920, height=1080)
    fake.emit("render_done", export=result)
    assert log.text.splitlines() == [
        "▶ Rendering the video…",
        "✓ Video ready: s-1.mp4 (25.5 s, 1920×1080)",
    ]


def test_text_is_escaped(fake) -> None:
    log = StreamLog(fake, interval=0)
    fake.emit_many([agent("text", "<img src=x onerror=alert(1)> & co")])
    assert "<img src=x" not in log._view.value
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; co" in log._view.value


def test_old_lines_fold_away(fake) -> None:
    log = StreamLog(fake, max_lines=10, interval=0)
    fake.emit_many([agent("text", f"line {i}") for i in range(25)])
    lines = log.text.splitlines()
    assert lines[0] == "… 15 earlier lines"
    assert lines[1:] == [f"line {i}" for i in range(15, 25)]
    assert log._view.value.count("class='nemo-l ") == 10


def test_a_burst_of_1000_events_is_coalesced(fake) -> None:
    """1,000 events at full speed: at most one update per 100 ms window, last state shown."""
    log = StreamLog(fake, interval=0.1)
    before = len(updates(log._view, "value"))
    start = time.monotonic()
    fake.emit_many([agent("text", f"chunk {i} ", partial=True) for i in range(1000)])
    fake.settle(0.25)  # past the trailing edge
    elapsed = time.monotonic() - start
    sent = len(updates(log._view, "value")) - before
    assert 1 <= sent <= int(elapsed / 0.1) + 2, (sent, elapsed)
    assert "chunk 999" in log._view.value  # the trailing update carried the last state
    assert log.updates == len(updates(log._view, "value"))


def test_coalesced_updates_are_spaced_by_the_interval(fake) -> None:
    """Events spread over ~0.5 s: updates come at the leading edge, then one per interval."""
    log = StreamLog(fake, interval=0.1)
    stamps: list[float] = []
    log._view.observe(lambda _: stamps.append(time.monotonic()), names="value")
    start = time.monotonic()
    for i in range(25):
        fake.emit_many([agent("text", f"{i}", partial=True)])
        time.sleep(0.02)
    fake.settle(0.2)
    elapsed = time.monotonic() - start
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert 3 <= len(stamps) <= elapsed / 0.1 + 2, (stamps, elapsed)
    assert all(g >= 0.09 for g in gaps), gaps


def test_no_output_widget_anywhere(fake) -> None:
    from ipywidgets import Output

    from .conftest import walk

    log = StreamLog(fake)
    assert not any(isinstance(w, Output) for w in walk(log))


def test_clear_empties_the_view(fake) -> None:
    log = StreamLog(fake, interval=0)
    fake.emit_many([agent("text", "hello")])
    log.clear()
    assert log.text == ""
    assert "Send a prompt to start" in log._view.value
