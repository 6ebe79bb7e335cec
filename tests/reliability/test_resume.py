"""A kernel killed during a render: the next kernel resumes the saved job and gets the video.

The first "kernel" is a real subprocess running ``Session.local`` (its server
in-process, as in Jupyter).  Its render is held at 0 % by the fault switch
(``NEMO_FAULTS=render_stall``), and then the process is killed with SIGKILL:
no clean-up runs, its server dies mid-job.  The test process then plays the
restarted kernel: same data dir, same config dir (so the same client id and
user), same state dir (so the same saved job), no fault - and
``Session.resume()`` must deliver the video to the path the first kernel chose.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from nemowidgets.local.server.launch import ensure_local_server
from nemowidgets.protocol import RENDER_COMPLETED
from nemowidgets.session import Session
from tests.reliability.faultkit import Recorder, decode_duration
from tests.support.isolation import isolate

KERNEL = r"""
import json, sys, threading
from pathlib import Path
from nemowidgets.samples import make_music, make_photo
from nemowidgets.session import Session

data, exports, media = (Path(p) for p in sys.argv[1:4])
started = threading.Event()
s = Session.local(data_dir=data, export_dir=exports)
s.observe(lambda e: started.set(), kinds=["render_progress"])
s.upload([make_photo(media / "a.jpg", 0, (160, 120)), make_photo(media / "b.jpg", 1, (160, 120)),
          make_music(media / "m.wav", 3.0)])
s.send("make a slideshow with 1 second per photo")
s.submit(s.aexport("preview"))
assert started.wait(60), "the render never started"
print(json.dumps({"session_id": s.session_id, "duration": s.draft.duration}), flush=True)
threading.Event().wait(600)  # a busy kernel, until it is killed
"""


def test_kernel_killed_mid_render_resumes_and_delivers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kill -9 during a render; Session.resume() in a new kernel delivers the saved job."""
    data, exports, media = tmp_path / "data", tmp_path / "exports", tmp_path / "media"
    media.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
    env.update(
        NEMO_STATE_DIR=str(tmp_path / "state"),
        NEMO_CONFIG_DIR=str(tmp_path / "config"),
        NEMO_FAULTS="render_stall:seconds=600",
    )
    kernel = subprocess.Popen(
        [sys.executable, "-c", KERNEL, str(data), str(exports), str(media)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        assert kernel.stdout is not None
        ready, _, _ = select.select([kernel.stdout], [], [], 120)
        line = kernel.stdout.readline() if ready else ""
        assert line, f"the first kernel failed: {kernel.stderr.read() if kernel.stderr else ''}"
        first = json.loads(line)
        saved = json.loads((tmp_path / "state" / "sessions.json").read_text())
        (record,) = next(iter(saved.values()))["renders"]
        assert psutil.Process(kernel.pid).is_running()
    finally:
        kernel.send_signal(signal.SIGKILL)
        kernel.wait(10)
        for pipe in (kernel.stdout, kernel.stderr):
            if pipe is not None:
                pipe.close()
    assert kernel.returncode == -signal.SIGKILL
    assert not Path(record["path"]).exists()

    isolate(monkeypatch, tmp_path, "NEMO_FAULTS", "NEMO_LOCAL_DATA_DIR")  # the kernel's dirs
    started = time.monotonic()
    s = Session.resume(data_dir=data, export_dir=exports)
    try:
        rec = Recorder(s)
        assert s.session_id == first["session_id"]
        (result,) = s.resume_renders()
        assert time.monotonic() - started < 60
        assert result.job.id == record["id"]
        assert result.job.status == RENDER_COMPLETED
        assert result.path == Path(record["path"])
        assert decode_duration(result.path) == pytest.approx(first["duration"], abs=0.1)
        assert len(s.media) == 3  # the uploads survived the kill too
        assert not rec.errors()
        saved = json.loads((tmp_path / "state" / "sessions.json").read_text())
        assert next(iter(saved.values()))["renders"] == []  # delivered: no longer pending
    finally:
        s.close()
        ensure_local_server(data).stop()
