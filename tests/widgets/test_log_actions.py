"""The conversation log's action buttons: a reply that says "click Export" becomes one click.

On the REAL Session against the cloud stand-in (protocol-accurate payloads): the
agent's text points at the Export button, ``turn.actions`` holds ``"export"``, the
log shows an Export button, and clicking it runs the export through the Session's
non-blocking API (the stand-in receives the render).  The fake Session checks the
button's wiring on its own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nemowidgets.session import Session, Turn
from nemowidgets.widgets import StreamLog
from tests.support import sse_scripts as S
from tests.support.cloud_server import OWN_TOKEN, CloudServer, start_cloud
from tests.support.cloud_state import tiny_mp4

DRAFT = {
    "t": [{"tt": 0, "sg": [{"id": "a", "s": 0, "d": 2000, "n": "beach.jpg", "k": "image"}]}],
    "d": 2000,
    "m": {"aspect": "16:9", "width": 64, "height": 36},
}


@pytest.fixture(scope="module")
def cloud() -> Iterator[CloudServer]:
    server = start_cloud()
    yield server
    server.stop()


@pytest.fixture
def session(
    cloud: CloudServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Session]:
    cloud.reset()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEMO_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("NEMO_API_URL", cloud.url)
    monkeypatch.setenv("NEMO_TOKEN", OWN_TOKEN)
    with Session() as s:
        yield s


def _visible(log: StreamLog) -> list[str]:
    return [b.description for b in log._action_row.children if b.layout.display != "none"]


def test_click_export_in_a_reply_is_an_export_button_that_exports(session, cloud) -> None:
    log = StreamLog(session, interval=0)
    session.connect()
    cloud.state.sessions[session.session_id]["draft"] = DRAFT
    cloud.state.output_bytes = tiny_mp4()
    cloud.state.sse_script = S.adk_script("Done! Click the Export button to download it.")
    turn = session.send("make a slideshow")
    assert turn.actions == ("export",)
    assert log.actions == ("export",)
    assert _visible(log) == ["Export"]
    assert not cloud.state.renders

    log._buttons["export"].click()  # returns at once: the export runs on the Session's loop
    deadline = time.monotonic() + 30
    while not session.exports and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(cloud.state.renders) == 1, "the button did not start a render"
    assert session.exports
    assert session.exports[0].path.exists()
    assert _visible(log) == []
    assert log.actions == ()
    assert "› export" in log.text
    assert "Exported" in log.text
    assert cloud.state.prompts == ["make a slideshow"]  # the export never went to the agent


def test_a_reply_without_gui_instructions_shows_no_button(session, cloud) -> None:
    log = StreamLog(session, interval=0)
    cloud.state.sse_script = S.adk_script("I made a 3-photo slideshow with crossfades.")
    assert session.send("make a slideshow").actions == ()
    assert log.actions == ()
    assert _visible(log) == []


def test_buttons_follow_the_order_said_and_send_their_command(fake) -> None:
    log = StreamLog(fake, interval=0)
    turn = Turn("p", "agent", (), None, "No changes", "reply", actions=("status", "export"))
    fake.emit("turn_finished", turn=turn)
    assert log.actions == ("status", "export")
    assert _visible(log) == ["Status", "Export"]
    future = log.run_action("status")
    assert future is not None
    future.result(5)
    assert ("send", "status") in fake.calls
    assert log.actions == ()
    with pytest.raises(ValueError, match="Unknown action"):
        log.run_action("delete everything")
