"""The Session against the cloud stand-in (tests/support/cloud_server.py) on loopback.

The stand-in plays the vendor's server with the shapes our local backend never
emits: typed events, in-band agent errors, GUI-minded text, turns with no text.
Also: which backend ``Session()`` picks from the environment.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from nemowidgets.api.errors import AgentError, ConfigurationError
from nemowidgets.protocol import CLOUD_BASE_URL
from nemowidgets.session import Session
from tests.support import sse_scripts as S
from tests.support.cloud_server import OWN_TOKEN, start_cloud
from tests.support.cloud_state import tiny_mp4

DRAFT = {
    "t": [
        {
            "tt": 0,
            "sg": [
                {"id": "a", "s": 0, "d": 3000, "n": "beach.jpg", "k": "image"},
                {"id": "b", "s": 3000, "d": 3000, "n": "city.jpg", "k": "image"},
            ],
        }
    ],
    "d": 6000,
    "m": {"aspect": "16:9", "width": 1920, "height": 1080},
}


@pytest.fixture(scope="module")
def cloud():
    server = start_cloud()
    yield server
    server.stop()


@pytest.fixture
def session(cloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    cloud.reset()
    monkeypatch.setenv("NEMO_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("NEMO_API_URL", cloud.url)
    monkeypatch.setenv("NEMO_TOKEN", OWN_TOKEN)
    with Session() as s:  # picks the cloud from the environment
        yield s


def test_session_picks_the_cloud_from_the_environment(session, cloud) -> None:
    assert session.backend == "cloud"
    assert session.base_url == cloud.url
    assert session.render_interval == 0.25  # loopback: no need to wait 30 s
    session.connect()
    assert session.session_id in cloud.state.sessions


def test_gui_text_is_translated_and_tools_kept(session, cloud) -> None:
    cloud.state.sse_script = S.adk_script("Done! Click the Export button to download it.")
    turn = session.send("make a slideshow")
    assert turn.reply == (
        "Done! Run the export (type “export”, or call session.export()) to download it."
    )
    texts = [e.text for e in turn.events if e.kind == "text"]
    assert "".join(texts).count("Run the export") == 1  # partial + final shown once
    assert [e.name for e in turn.events if e.kind == "tool_call"] == ["make_slideshow"]
    assert cloud.state.prompts == ["make a slideshow"]


def test_a_turn_without_text_replies_with_the_diff(session, cloud) -> None:
    session.connect()
    cloud.state.sessions[session.session_id]["draft"] = DRAFT
    session.state()
    assert session.draft.duration == 6.0
    changed = {**DRAFT, "m": {**DRAFT["m"], "aspect": "9:16", "width": 1080, "height": 1920}}
    cloud.state.sessions[session.session_id]["draft"] = changed  # what the agent did
    cloud.state.sse_script = [
        S.data({"type": "heartbeat"}),
        S.data({"type": "tool_call", "name": "set_aspect", "args": {}}),
    ]
    turn = session.send("make it vertical for TikTok")
    assert turn.reply == "Aspect 16:9 → 9:16; Size 1920x1080 → 1080x1920"
    assert turn.diff == turn.reply
    synthesized = [e for e in turn.events if e.kind == "text"]
    assert synthesized[-1].text == turn.reply
    assert len(session.history) == 2


def test_an_agent_error_ends_the_turn(session, cloud) -> None:
    cloud.state.sse_script = [
        S.data(S.adk_text("Working on it.")),
        S.data(S.adk_error("MODEL_OVERLOADED", "The model is overloaded.")),
    ]
    errors = []
    session.observe(errors.append, kinds=["error"])
    turn = session.send("make a slideshow")
    assert isinstance(turn.error, AgentError)
    assert turn.reply == "Working on it.\nThe model is overloaded."
    assert turn.events[-1].kind == "error"
    session.credits()  # a round trip, so the error event has surely been delivered
    assert isinstance(errors[0].data["error"], AgentError)


def test_a_trailing_temporary_issue_is_ignored(session, cloud) -> None:
    cloud.state.sse_script = [
        S.data(S.adk_text("Added a title.")),
        S.data(S.adk_text("I encountered a temporary issue, sorry.")),
    ]
    turn = session.send("add a title")
    assert turn.reply == "Added a title."
    assert turn.ok


def test_session_lost_before_a_prompt_is_replaced_and_the_prompt_sent_once(session, cloud) -> None:
    session.connect()
    old = session.session_id
    cloud.state.add_session("1")  # (the stand-in numbers new sessions by count)
    del cloud.state.sessions[old]  # the server forgot it
    turn = session.send("make a slideshow")
    assert turn.ok
    assert session.session_id != old
    assert cloud.state.prompts == ["make a slideshow"]  # rejected once, then sent once
    replaced = [e for e in session.log if e.kind == "session_replaced"]
    assert "Upload your media again" in replaced[0].data["message"]


def test_own_token_never_shown(session, caplog) -> None:
    with caplog.at_level(logging.DEBUG):
        session.send("status")
        asyncio.run(session.asend("credits"))
    for text in (
        repr(session),
        session._repr_html_(),
        caplog.text,
        *(repr(e) for e in session.log),
    ):
        assert OWN_TOKEN not in text


def test_backend_selection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_STATE_DIR", str(tmp_path / "state"))
    for name in ("NEMO_TOKEN", "NEMO_API_URL"):
        monkeypatch.delenv(name, raising=False)
    with Session(token="nmv_usr_abc") as s:  # a token alone: the real cloud (not contacted)
        assert (s.backend, s.base_url, s.render_interval) == ("cloud", CLOUD_BASE_URL, 30.0)
        assert "nmv_usr_abc" not in repr(s)
    with Session.cloud(base_url="https://user:pw@example.test:8443/") as s:
        assert s.base_url == "https://user:pw@example.test:8443"
        assert "pw" not in repr(s)
        assert "https://example.test:8443" in repr(s)
    monkeypatch.setenv("NEMO_LOCAL_DATA_DIR", str(tmp_path / "local"))
    with Session() as s:  # nothing set: the embedded local backend
        assert s.backend == "local"
        assert s.base_url.startswith("http://127.0.0.1:")
    with pytest.raises(ConfigurationError, match="takes no base_url"):
        Session.local(base_url="http://127.0.0.1:1")
    with pytest.raises(ConfigurationError, match="backend must be"):
        Session(backend="moon")


def test_close_is_idempotent_and_final(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cloud
) -> None:
    monkeypatch.setenv("NEMO_STATE_DIR", str(tmp_path / "state"))
    s = Session(base_url=cloud.url, token=OWN_TOKEN)
    closed = []
    s.observe(closed.append, kinds=["closed"])
    s.connect()
    s.close()
    s.close()
    assert s.closed
    assert len(closed) == 1
    with pytest.raises(ConfigurationError, match="closed"):
        s.send("status")


def test_observers_may_submit_but_not_block(session) -> None:
    outcomes: list[str] = []

    def on_credits(event) -> None:
        try:
            session.credits()  # blocking, from the Session's own thread
        except RuntimeError as exc:
            outcomes.append(str(exc))
        session.unsubscribe_me()
        outcomes.append(type(session.submit(session.astate())).__name__)

    session.unsubscribe_me = session.observe(on_credits, kinds=["credits"])
    session.send("credits")
    session.state()
    assert "own event-loop thread" in outcomes[0]
    assert outcomes[1] == "Future"


def test_a_reply_that_says_click_export_offers_the_export_action(session, cloud) -> None:
    cloud.state.sse_script = S.adk_script("Done! Click the Export button to download it.")
    turn = session.send("make a slideshow")
    assert turn.actions == ("export",)  # read before the text was GUI-translated
    assert "Export button" not in turn.reply
    cloud.state.sse_script = S.adk_script("I made a 3-photo slideshow with crossfades.")
    assert session.send("make a slideshow").actions == ()


def test_several_actions_are_kept_in_the_order_said(session, cloud) -> None:
    cloud.state.sse_script = S.adk_script(
        "Open the timeline panel to check it, then click [Export] when you are happy."
    )
    assert session.send("make a slideshow").actions == ("status", "export")


@pytest.mark.parametrize(("prompt", "size"), [("export it in 720p", (1280, 720)),
                                              ("export in 1080p", (1920, 1080))])  # fmt: skip
def test_export_in_a_resolution_renders_that_size(
    session, cloud, prompt, size, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the export is written under ./nemowidgets-exports
    cloud.state.output_bytes = tiny_mp4()
    session.connect()
    small = {**DRAFT, "m": {**DRAFT["m"], "width": 960, "height": 540}}
    cloud.state.sessions[session.session_id]["draft"] = small
    session.state()
    turn = session.send(prompt)
    assert (turn.action, turn.ok) == ("export", True), turn.reply
    (job,) = cloud.state.renders.values()
    sent = job["draft"]["m"]
    assert (sent["width"], sent["height"], sent["aspect"]) == (*size, "16:9")
    assert session.draft.width == 960  # the current draft itself is not changed
