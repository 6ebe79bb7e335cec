"""A restart loses nothing: drafts, media and finished renders survive; unfinished jobs resume."""

from __future__ import annotations

import io
import os
import time

import av
import pytest

from nemowidgets import protocol as P
from tests.support.local_server import RawClient, photo_draft

pytest.importorskip("nemowidgets.local.agent")
pytest.importorskip("nemowidgets.local.render")


def test_everything_survives_a_restart(start_local_server, sample_media) -> None:
    server = start_local_server()
    api = RawClient.anonymous(server, "kernel-client")
    sid = api.new_session()
    files = api.upload_ok(
        sid, [sample_media["photo0"], sample_media["photo1"], sample_media["music"]]
    )
    api.sse(sid, "make a slideshow with music, 1 second per photo")
    api.sse(sid, "make it square")
    before = api.state(sid)
    job = api.data(api.export(sid, photo_draft(files[:2])))
    assert api.wait_render(job["id"])["status"] == "completed"
    video = api.get(f"/renders/{job['id']}.mp4").content
    api.close()

    server = start_local_server.restart(server)
    # A restarted kernel: same client id and secret, a new token, the same user.
    again = RawClient.anonymous(server, "kernel-client")
    try:
        after = again.state(sid)
        assert after["state"]["draft"] == before["state"]["draft"]
        assert after["state"]["draft_version"] == before["state"]["draft_version"] == 2
        assert after["state"]["media"] == before["state"]["media"]
        assert again.get(files[0]["cdn_url"]).content == sample_media["photo0"].read_bytes()
        assert again.get(files[0]["thumbnail_url"]).status_code == 200
        assert again.poll(job["id"])["status"] == "completed"
        assert again.get(f"/renders/{job['id']}.mp4").content == video
        assert again.stats(sid)["prompts"] == 2
        again.sse(sid, "undo")  # history survived too: undo goes back to version 1
        assert again.state(sid)["state"]["canvas_config"]["aspect"] != "1:1"
    finally:
        again.close()


def test_an_unfinished_render_resumes_after_a_restart(start_local_server, sample_media) -> None:
    """Stopped mid-render (as a kernel restart would), the job is re-queued and delivered."""
    server = start_local_server(faults=True)
    api = RawClient.anonymous(server, "resumer")
    sid = api.new_session()
    files = api.upload_ok(sid, [sample_media["photo0"], sample_media["photo1"]])
    server.faults.arm("render_stall", seconds=60)  # hold it in "processing"
    job = api.data(api.export(sid, photo_draft(files)))
    for _ in range(100):
        if api.poll(job["id"])["status"] == "processing":
            break
        time.sleep(0.02)
    assert api.poll(job["id"])["status"] == "processing"
    api.close()
    server = start_local_server.restart(server)
    again = RawClient.anonymous(server, "resumer")
    try:
        final = again.wait_render(job["id"])
        assert final["status"] == "completed", final
        with av.open(io.BytesIO(again.get(f"/renders/{job['id']}.mp4").content)) as container:
            assert abs(container.duration / 1e6 - 2.0) <= 0.2
        assert server.faults.hits["render_stall"] == 1
        assert again.get(P.CREDITS_PATH).status_code == 200
    finally:
        again.close()


def test_a_job_of_a_killed_process_is_adopted(
    serve_process, start_local_server, tmp_path, sample_media
) -> None:
    """The kernel process dies (SIGKILL) mid-render; the next server on the data dir adopts
    the orphaned job, because its owner's pid is gone."""
    data = tmp_path / "shared"
    token = "nwl_shared_token_for_test"
    dying = serve_process(data, token=token, env={"NEMO_FAULTS": "render_stall"})
    api = RawClient(dying.url, token)
    sid = api.new_session()
    files = api.upload_ok(sid, [sample_media["photo2"]])
    job = api.data(api.export(sid, photo_draft(files)))
    for _ in range(200):
        if api.poll(job["id"])["status"] == "processing":
            break
        time.sleep(0.02)
    dying.process.kill()
    dying.process.wait(10)
    api.close()
    server = start_local_server(data, token=token)
    heir = RawClient(server.url, token)
    try:
        assert heir.wait_render(job["id"])["status"] == "completed"
        assert heir.get(P.RENDER_DOWNLOAD_PATH.format(render_id=job["id"])).content[4:8] == b"ftyp"
    finally:
        heir.close()


KERNEL = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from nemowidgets.local.server.launch import ensure_local_server
from tests.support.local_server import RawClient, photo_draft
server = ensure_local_server(Path({data!r}))
api = RawClient.anonymous(server, "kernel-client")
sid = api.new_session()
files = api.upload_ok(sid, [Path({photo!r})])
job = api.data(api.export(sid, photo_draft(files, seconds=2.0)))
while api.poll(job["id"])["status"] != "processing":
    time.sleep(0.05)
print(job["id"], flush=True)
"""  # ends mid-render (NEMO_FAULTS holds it there), stopping nothing: a kernel shutting down


def test_a_kernel_exits_mid_render_and_the_next_one_gets_the_video(
    start_local_server, tmp_path, sample_media
) -> None:
    import subprocess
    import sys

    from nemowidgets.local.server.launch import load_secret
    from tests.support.local_server import ROOT

    data = tmp_path / "kernel_data"
    script = KERNEL.format(root=str(ROOT), data=str(data), photo=str(sample_media["photo0"]))
    start = time.monotonic()
    env = {**os.environ, "NEMO_FAULTS": "render_stall:seconds=600"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - start < 60  # the stalled render worker did not hold the exit
    render_id = done.stdout.split()[-1]
    server = start_local_server(data, secret=load_secret(data))
    api = RawClient.anonymous(server, "kernel-client")
    try:
        job = api.wait_render(render_id)
        assert job["status"] == "completed", job
        with av.open(io.BytesIO(api.get(job["output"]["url"]).content)) as container:
            assert abs(container.duration / 1e6 - 2.0) <= 0.2
    finally:
        api.close()
