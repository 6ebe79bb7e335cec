"""The widgets on the REAL Session and the real local server (no fakes): the user's path.

Upload through the Uploader's file chooser, send a prompt from the PromptBox,
see the timeline rows and the log, export a preview from the VideoPlayer and
decode the MP4 it plays with PyAV.  Also: browser uploads on the real server,
routing with an error and its hint, and no token in any widget's state.
"""

from __future__ import annotations

import gc
import io
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import pytest

from nemowidgets.samples import make_music, make_photo
from nemowidgets.session import Session
from nemowidgets.widgets import studio

from .conftest import jpeg_bytes, walk
from .test_uploader import choose, pick_in_browser, statuses

PROMPT = "turn my photos into a smooth video slideshow with transitions and music"


def wait_for(condition: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or condition}")


@pytest.fixture
def session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_env: Path
) -> Iterator[Session]:
    monkeypatch.chdir(tmp_path)  # exports go to ./nemowidgets-exports
    s = Session.local(data_dir=tmp_path / "data")
    yield s
    s.close()


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    for i in range(3):
        make_photo(folder / f"photo_{i + 1}.jpg", i, (320, 180))
    make_music(folder / "music.wav", 2)
    return folder


def secrets_in_process(session: Session) -> set[str]:
    """Every token-like secret alive in this process (the client's Secret objects)."""
    from nemowidgets.api.auth import Secret

    found = {o.reveal() for o in gc.get_objects() if isinstance(o, Secret)}
    server = getattr(session, "_server", None)
    if server is not None and getattr(server, "secret", None):
        found.add(server.secret)
    return {s for s in found if s and len(s) >= 8}


def widget_state_text(root) -> str:
    parts = []
    for w in walk(root):
        for key, value in w.get_state().items():
            if isinstance(value, (bytes, memoryview)):
                parts.append(bytes(value).decode("latin-1"))
            else:
                parts.append(f"{key}={json.dumps(value, default=str)}")
    return "\n".join(parts)


def test_studio_end_to_end_on_the_local_backend(session: Session, media_dir: Path) -> None:
    st = studio(session)
    wait_for(lambda: "Ready" in st.status_bar._line.value, 30, "the status bar to be ready")
    assert "local backend" in st.status_bar._line.value

    # 1. the media folder, through the file chooser and Add
    choose(st.uploader, media_dir)
    st.uploader._add_button.click()
    wait_for(
        lambda: (
            len(statuses(st.uploader)) == 4 and set(statuses(st.uploader).values()) == {"uploaded"}
        ),
        60,
        "the uploads",
    )
    assert len(session.media) == 4
    rows = {i.name: i for i in st.uploader._items}
    wait_for(lambda: rows["photo_1.jpg"].thumb.format == "jpeg", 20, "a thumbnail")
    assert rows["music.wav"].thumb.format == "svg+xml"

    # 2. the prompt, from the PromptBox
    st.prompt_box.value = PROMPT
    started = time.monotonic()
    st.prompt_box._send_button.click()
    assert time.monotonic() - started < 0.5  # the click returns at once
    wait_for(
        lambda: (
            session.draft is not None
            and not session.busy
            and not st.prompt_box._send_button.disabled
        ),
        60,
        "the turn",
    )
    table = st.timeline._table.value
    assert table.count("<tr class='nemo-row") == 4  # 3 photos + the music
    assert "photo_2.jpg" in table
    wait_for(
        lambda: st.timeline._table.value.count("data:image/jpeg;base64,") == 3,
        20,
        "thumbnails in the table",
    )
    assert sum(len(lane["segments"]) for lane in st.timeline._strip.model["lanes"]) == 4
    assert "slideshow" in st.stream_log.text.lower()
    assert st.stream_log.text.startswith(f"› {PROMPT}")
    assert "credit" not in st.status_bar._line.value  # the local backend has none

    # 3. export a preview from the player, and play it
    st.player._quality.value = "preview"
    st.player._export.click()
    wait_for(lambda: bool(st.player._video.value), 120, "the video")
    assert st.player._progress.value == 100
    assert st.player._progress.bar_style == "success"
    with av.open(io.BytesIO(bytes(st.player._video.value))) as container:
        duration = container.duration / 1_000_000
        stream = container.streams.video[0]
        assert stream.codec_context.width < 1920  # a preview
    assert abs(duration - session.draft.duration) < 0.1
    assert "data:video/mp4;base64," in st.player._download.value

    # no token or secret in any widget's state
    state = widget_state_text(st)
    secrets = secrets_in_process(session)
    assert secrets, "the test should find the client's token"
    for secret in secrets:
        assert secret not in state
    assert "nwl_" not in state
    assert "nmv_" not in state
    st.close()


def test_browser_files_upload_to_the_real_server(session: Session) -> None:
    st = studio(session)
    pick_in_browser(st.uploader, [("red.jpg", jpeg_bytes()), ("liar.mp3", b"GIF89a" + b"0" * 64)])
    wait_for(lambda: statuses(st.uploader).get("red.jpg") == "uploaded", 30, "the upload")
    assert statuses(st.uploader)["liar.mp3"] == "invalid"
    assert "liar.mp3" in st.uploader.files[1]["error"]
    assert [m.filename for m in session.media] == ["red.jpg"]
    st.close()


def test_export_without_a_timeline_shows_the_hint(session: Session) -> None:
    st = studio(session)
    st.prompt_box.value = "export"  # routed to the export action, not the agent
    st.prompt_box._send_button.click()
    wait_for(
        lambda: (
            "Ask the agent to build a timeline first" in st.stream_log._view.value
            or "make a slideshow" in st.stream_log._view.value
        ),
        30,
        "the error in the log",
    )
    wait_for(lambda: not st.prompt_box._send_button.disabled, 30, "the box to unlock")
    assert "→ export" in st.stream_log.text
    assert "nemo-l-error" in st.stream_log._view.value
    st.close()


@pytest.mark.usefixtures("isolated_env")
def test_studio_without_a_session_makes_one_and_closes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEMO_LOCAL_DATA_DIR", str(tmp_path / "data"))
    st = studio()
    assert isinstance(st.session, Session)
    assert st.session.backend == "local"
    wait_for(lambda: st.session.connected, 30, "the connection")
    st.close()
    assert st.session.closed
