"""Studio: all parts on one Session, stable CSS classes, labels, closing, nothing at import."""

from __future__ import annotations

import subprocess
import sys

from ipywidgets import Output

from nemowidgets.widgets import (
    PromptBox,
    StatusBar,
    StreamLog,
    Studio,
    TimelineTable,
    Uploader,
    VideoPlayer,
    studio,
)

from .conftest import classes, walk

E2E_CLASSES = {
    "nemo-prompt",
    "nemo-send",
    "nemo-timeline",
    "nemo-log",
    "nemo-export",
    "nemo-progress",
    "nemo-filechooser",
    "nemo-add",
    "nemo-status",
    "nemo-uploader",
}


def test_studio_has_every_part_on_one_session(fake) -> None:
    s = studio(fake)
    assert isinstance(s, Studio)
    assert s.session is fake
    kinds = [type(p) for p in s.parts]
    assert kinds == [StatusBar, Uploader, PromptBox, StreamLog, TimelineTable, VideoPlayer]
    assert all(p.session is fake for p in s.parts)
    assert classes(s) >= E2E_CLASSES
    assert not any(isinstance(w, Output) for w in walk(s))


def test_parts_stay_in_step(fake) -> None:
    s = studio(fake)
    fake.emit("turn_started", prompt="hello", action="agent")
    assert s.prompt_box._send_button.disabled
    assert "› hello" in s.stream_log.text
    fake.emit("turn_finished", turn=None)
    assert not s.prompt_box._send_button.disabled


def test_close_unobserves_everything_and_keeps_a_given_session(fake) -> None:
    s = studio(fake)
    assert fake.observer_count == 7  # the six parts and the RendersPanel
    s.close()
    assert fake.observer_count == 0
    assert not fake.closed  # the caller's Session is the caller's to close


def test_controls_are_labelled(fake) -> None:
    s = studio(fake)
    for w in walk(s):
        name = type(w).__name__
        if name == "Button" and w.description not in ("Select", "Cancel", "Change"):
            assert w.tooltip or w.description, w
        if name in ("Textarea", "Dropdown", "ToggleButtons", "IntProgress") and "nemo" in " ".join(
            w._dom_classes
        ):
            assert w.description, w
        if hasattr(w, "description_allow_html"):
            assert w.description_allow_html is False


def test_repr_is_cheap_and_tokenless(fake) -> None:
    fake.session_id = "s-1"
    s = studio(fake)
    assert repr(s) == "<Studio backend=local session=s-1>"
    assert repr(s.uploader) == "<Uploader backend=local session=s-1>"


def test_a_part_needs_a_session() -> None:
    import pytest

    with pytest.raises(TypeError, match="needs a Session"):
        StreamLog(None)  # type: ignore[arg-type]


def test_importing_the_widgets_creates_nothing(tmp_path) -> None:
    """No Session, no server, no cwd captured at import time."""
    code = (
        "import sys, nemowidgets.widgets, nemowidgets.widgets.uploader; "
        "print(sorted(m for m in ('nemowidgets.session', 'nemowidgets.local', "
        "'ipyfilechooser', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert out.stdout.strip() == "[]"
