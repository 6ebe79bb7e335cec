"""Where the local server renders a job, and the render request's local extensions.

``output.aspect`` re-frames the draft (one draft, several variants), ``output.parallel``
places the job (``none`` / ``jobs`` / ``chunks``); both are checked, with a 4000 naming
the field.  Placement rules are pure (``Placement.mode``); two renders that overlap on a
server really run side by side, the second on a LocalCluster the server starts.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest

from nemowidgets import protocol as P
from nemowidgets.local.server.render_routes import reframe
from nemowidgets.local.store.placement import AUTO_CHUNK_SECONDS, Placement
from tests.local.render_support import decode
from tests.support.local_server import RawClient, photo_draft


@pytest.fixture
def uploaded(local_api: RawClient, sample_media) -> tuple[str, list[dict]]:
    sid = local_api.new_session()
    files = local_api.upload_ok(sid, [sample_media["photo0"], sample_media["photo1"]])
    return sid, files


def _render(api: RawClient, sid: str, draft: dict, **options: object) -> httpx.Response:
    output = {"format": "mp4", "quality": "preview", **options}
    body = {"id": f"render_{uuid.uuid4().hex}", "sessionId": sid, "draft": draft, "output": output}
    return api.post(P.RENDER_PATH, json=body)


def test_the_rules_one_export_alone_never_needs_dask(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEMO_DASK_SCHEDULER", raising=False)
    here = Placement()
    assert here.mode(None, busy=0, duration=600) == "none"
    assert here.mode(None, busy=1, duration=5) == "overflow"  # overlaps another: a worker
    assert Placement(auto=False).mode(None, busy=3, duration=5) == "none"
    assert here.mode("chunks", busy=0, duration=1) == "chunks"  # asked for wins
    cluster = Placement("tcp://127.0.0.1:1")
    assert cluster.mode(None, busy=0, duration=5) == "jobs"
    assert cluster.mode(None, busy=0, duration=AUTO_CHUNK_SECONDS) == "chunks"
    assert cluster.mode("none", busy=0, duration=600) == "none"
    monkeypatch.setenv("NEMO_DASK_SCHEDULER", "tcp://127.0.0.1:2")
    assert Placement().configured() == "tcp://127.0.0.1:2"


def test_an_unreachable_scheduler_is_remembered_not_retried_for_every_job(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nemowidgets.local.render import executors
    from nemowidgets.local.render.errors import ClusterUnavailable

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 2.0)

    placement = Placement("tcp://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(ClusterUnavailable, match="cannot reach the Dask scheduler"):
        placement.acquire()
    with pytest.raises(ClusterUnavailable, match="cannot reach"):  # at once, from memory
        placement.acquire()
    placement.configure("tcp://127.0.0.1:10")  # a new address is tried again
    with pytest.raises(ClusterUnavailable, match=r"127\.0\.0\.1:10"):
        placement.acquire()


def test_reframe_keeps_the_short_side_and_the_timeline() -> None:
    draft = {"t": [{"tt": 0, "sg": [{"id": "a", "s": 0, "d": 1000}]}], "d": 1000,
             "m": {"width": 320, "height": 180, "fps": 15, "aspect": "16:9"}}  # fmt: skip
    assert reframe(draft, "9:16")["m"] | {} == {"width": 180, "height": 320, "fps": 15,
                                              "aspect": "9:16"}  # fmt: skip
    assert reframe(draft, "1:1")["m"]["width"] == 180
    assert reframe(draft, "9:16")["t"] == draft["t"]
    assert draft["m"]["aspect"] == "16:9"  # the original is untouched


@pytest.mark.badinput
@pytest.mark.parametrize(
    ("output", "field"),
    [({"aspect": "2:1"}, "output.aspect"), ({"aspect": 9}, "output.aspect"),
     ({"parallel": "gpu"}, "output.parallel"), ({"parallel": True}, "output.parallel")],
)  # fmt: skip
def test_bad_local_options_are_refused_naming_the_field(
    local_api: RawClient, uploaded, output: dict, field: str
) -> None:
    sid, files = uploaded
    r = _render(local_api, sid, photo_draft(files, seconds=0.5), **output)
    assert r.status_code == 422
    assert r.json()["code"] == 4000
    assert field in r.json()["error"]


def _video(api: RawClient, job: dict, folder: Path) -> Path:
    r = api.http.get(job["output"]["url"], headers=api.headers())
    assert r.status_code == 200
    out = folder / f"{job['id']}.mp4"
    out.write_bytes(r.content)
    return out


def test_an_aspect_renders_the_reframed_draft(
    local_api: RawClient, uploaded, tmp_path: Path
) -> None:
    sid, files = uploaded
    r = _render(local_api, sid, photo_draft(files, seconds=0.5), aspect="9:16", parallel="none")
    assert r.status_code == 200, r.text
    job = local_api.wait_render(r.json()["data"]["id"])
    assert job["status"] == "completed"
    assert job["aspect"] == "9:16"
    assert job["where"] == "threads"
    video = decode(_video(local_api, job, tmp_path))
    assert (video.width, video.height) == (180, 320)


@pytest.mark.slow
def test_renders_that_overlap_a_busy_one_run_beside_it_on_a_local_cluster(
    fault_server, fault_api: RawClient, sample_media, tmp_path: Path
) -> None:
    """The first job holds the server's render thread (a stall); the next two overlap it:
    they are queued while worker processes start, then move to them and finish."""
    sid = fault_api.new_session()
    files = fault_api.upload_ok(sid, [sample_media["photo0"], sample_media["photo1"]])
    draft = photo_draft(files, seconds=1.0)
    fault_server.faults.arm("render_stall", seconds=120)
    busy = _render(fault_api, sid, draft).json()["data"]["id"]
    time.sleep(0.3)
    others = [
        _render(fault_api, sid, draft, aspect=a).json()["data"]["id"] for a in ("1:1", "9:16")
    ]
    jobs = [fault_api.wait_render(job, timeout=240) for job in others]
    assert fault_api.poll(busy)["status"] == "processing"  # still stalled: they did not wait
    fault_api.post(P.RENDER_CANCEL_PATH.format(render_id=busy))
    assert [j["status"] for j in jobs] == ["completed", "completed"], jobs
    assert {j["where"] for j in jobs} == {"local-cluster"}
    assert jobs[0]["dashboard"].startswith("http://127.0.0.1:")
    sizes = [(v.width, v.height, len(v.frames)) for v in
             (decode(_video(fault_api, j, tmp_path)) for j in jobs)]  # fmt: skip
    assert sizes == [(180, 180, 30), (180, 320, 30)]  # 2 photos x 1 s at 15 fps
