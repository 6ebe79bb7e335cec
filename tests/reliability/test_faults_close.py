"""The user's own side going away: ``close()`` while a blocking ``export()`` waits.

A notebook closes a Session from another thread (a widget, a shutdown hook) while
the cell that called ``export()`` is blocked in it.  That call must end with our
own error saying the render is kept and how to get its video, and the video must
then really come back through ``Session.resume()``.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from nemowidgets.api import errors as E
from nemowidgets.local.server.launch import ensure_local_server
from nemowidgets.session import Session
from tests.reliability.faultkit import decode_duration, wait_for
from tests.support.isolation import isolate

pytestmark = pytest.mark.fault


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("NEMO_FAULTS", ",")  # the switch on, nothing armed
    yield tmp_path / "data"
    if (tmp_path / "data").exists():
        ensure_local_server(tmp_path / "data").stop()


def test_close_during_a_blocking_export(
    data_dir: Path, tmp_path: Path, tiny_media: dict[str, Path]
) -> None:
    """close() from another thread while export() blocks: export() raises SessionClosedError
    (not a bare CancelledError) saying the render is kept and naming Session.resume(), which
    then delivers the video."""
    client_id = str(uuid.uuid4())
    s = Session.local(data_dir=data_dir, client_id=client_id, export_dir=tmp_path / "exports")
    s.upload([tiny_media["photo0"], tiny_media["photo1"]])
    assert s.send("make a slideshow with 1 second per photo").error is None
    duration = s.draft.duration
    server = ensure_local_server(data_dir)
    server.faults.arm("render_stall", seconds=3.0)  # the export is still waiting when closed
    started = threading.Event()
    s.observe(lambda e: started.set(), kinds=["render_started"])
    closer = threading.Thread(target=lambda: (started.wait(30), s.close()))
    closer.start()
    with pytest.raises(E.SessionClosedError) as caught:
        s.export("preview")  # blocks this thread, as in a notebook cell
    closer.join(30)
    error = caught.value
    render_id = error.details["render_id"]
    assert f"The render {render_id} is kept" in str(error)
    assert "Session.resume()" in error.hint
    assert not Path(error.details["path"]).exists()  # not downloaded yet

    store = server.app.state.ctx.store
    wait_for(lambda: store.get_render(render_id)["status"] == "completed", 30)
    with Session.resume(data_dir=data_dir, client_id=client_id) as again:
        (video,) = again.resume_renders()
    assert str(video.path) == error.details["path"]
    assert decode_duration(video.path) == pytest.approx(duration, abs=0.2)
