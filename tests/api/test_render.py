"""Export, every render-status variant, polling, cancel and download with its fallback."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from nemowidgets.api import (
    APIError,
    CancelledByUser,
    DraftError,
    MalformedPayloadError,
    NemoClient,
    RenderError,
    RenderJob,
    RetryPolicy,
)
from tests.support.cloud_server import CloudState, Fault

DRAFT: dict[str, Any] = {
    "t": [{"tt": 0, "n": "Photos", "sg": [{"id": "seg_1", "s": 0, "d": 2000, "src": "m_1"}]},
          {"tt": 1, "sg": []}],
    "d": 2000, "m": {"title": "Opaque", "vendor_key": [1, 2, 3]},
}  # fmt: skip
FAST = RetryPolicy(base=0.0, cap=0.0)


def client(cloud: CloudState) -> NemoClient:
    return NemoClient(cloud.base_url, retry=FAST)


@pytest.mark.anyio
async def test_export_sends_the_protocols_body(cloud: CloudState) -> None:
    sid = cloud.add_session()
    async with client(cloud) as c:
        job = await c.export(sid, DRAFT, quality="preview")
    assert re.fullmatch(r"render_[0-9a-f]{32}", job.id)
    assert (job.status, job.progress, job.session_id) == ("pending", 0.0, sid)
    stored = cloud.renders[job.id]
    assert stored["draft"] == DRAFT  # the opaque draft goes through unchanged
    assert stored["session"] == sid
    assert stored["quality"] == "preview"


@pytest.mark.anyio
async def test_render_ids_are_unique(cloud: CloudState) -> None:
    sid = cloud.add_session()
    async with client(cloud) as c:
        ids = {(await c.export(sid, DRAFT)).id for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.fault
@pytest.mark.anyio
async def test_duplicate_id_is_retried_once_with_a_new_id(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.duplicate_render_once = True
    async with client(cloud) as c:
        job = await c.export(sid, DRAFT)
    assert cloud.count("render") == 2
    assert list(cloud.renders) == [job.id]


@pytest.mark.fault
@pytest.mark.anyio
async def test_duplicate_id_twice_is_an_error(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.inject("render", Fault(status=409, message="render id already exists"), times=2)
    async with client(cloud) as c:
        with pytest.raises(APIError, match="already exists"):
            await c.export(sid, DRAFT)
    assert cloud.count("render") == 2


@pytest.mark.badinput
@pytest.mark.anyio
@pytest.mark.parametrize(
    ("draft", "error", "field"),
    [
        (["t", "sg"], MalformedPayloadError, "draft"),
        ({"t": "photos"}, MalformedPayloadError, "draft.t"),
        ({"t": [{"tt": 0, "sg": "seg_1"}]}, MalformedPayloadError, "draft.t[0].sg"),
        ({"t": [7]}, MalformedPayloadError, "draft.t[0]"),
        ({"t": [{"tt": 0, "sg": []}, {"tt": 1}]}, DraftError, None),
        ({"t": []}, DraftError, None),
    ],
)
async def test_unexportable_drafts_are_refused_before_sending(
    cloud: CloudState, draft: Any, error: type, field: str | None
) -> None:
    async with client(cloud) as c:
        with pytest.raises(error) as info:
            await c.export("1", draft)
    if field:
        assert info.value.details["field"] == field
        assert field in str(info.value)
    else:
        assert type(info.value) is DraftError
        assert "nothing to export" in str(info.value)
    assert cloud.requests == []


@pytest.mark.badinput
@pytest.mark.anyio
async def test_unknown_quality_is_refused(cloud: CloudState) -> None:
    async with client(cloud) as c:
        with pytest.raises(ValueError, match="quality"):
            await c.export("1", DRAFT, quality="4k")
    assert cloud.requests == []


@pytest.mark.anyio
@pytest.mark.parametrize("envelope", ["success", "code", "bare"])
@pytest.mark.parametrize("url_key", ["output.url", "outputUrl", "output_url"])
async def test_every_render_status_variant(cloud: CloudState, envelope: str, url_key: str) -> None:
    sid = cloud.add_session()
    cloud.render_envelope, cloud.render_url_key = envelope, url_key
    seen: list[RenderJob] = []
    async with client(cloud) as c:
        job = await c.export(sid, DRAFT)
        done = await c.wait_render(job.id, progress=seen.append, interval=0.0)
    assert [(j.status, j.progress) for j in seen] == [
        ("pending", 0), ("processing", 40), ("processing", 80), ("completed", 100)]  # fmt: skip
    assert done.url == f"{cloud.base_url}/outputs/{job.id}.mp4"
    assert done.done


@pytest.mark.anyio
async def test_failed_render_raises_with_the_servers_message(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.render_steps = [("processing", 10.0), ("failed", 10.0)]
    async with client(cloud) as c:
        job = await c.export(sid, DRAFT)
        with pytest.raises(RenderError, match=r"segment seg_2: cannot decode beach\.jpg") as info:
            await c.wait_render(job.id, interval=0.0)
    assert info.value.details["job"].status == "failed"


@pytest.mark.anyio
async def test_wait_render_gives_up_after_its_timeout(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.render_steps = [("processing", 5.0)]
    async with client(cloud) as c:
        job = await c.export(sid, DRAFT)
        with pytest.raises(RenderError, match=r"did not finish within 0\.2 s"):
            await c.wait_render(job.id, interval=0.05, timeout=0.2)
    assert 2 <= cloud.count("poll") <= 5


@pytest.mark.anyio
@pytest.mark.parametrize("answer", ["job", "empty"])
async def test_cancel(cloud: CloudState, answer: str) -> None:
    sid = cloud.add_session()
    cloud.cancel_answer = answer
    async with client(cloud) as c:
        job = await c.export(sid, DRAFT)
        cancelled = await c.cancel_render(job.id)
        if answer == "job":
            assert cancelled is not None
            assert cancelled.status == "cancelled"
        else:
            assert cancelled is None
        with pytest.raises(CancelledByUser, match="cancelled"):
            await c.wait_render(job.id, interval=0.0)


@pytest.mark.fault
@pytest.mark.anyio
async def test_cancel_is_idempotent_so_5xx_is_retried(cloud: CloudState) -> None:
    sid = cloud.add_session()
    cloud.inject("cancel", Fault(status=503), times=2)
    async with client(cloud) as c:
        job = await c.export(sid, DRAFT)
        assert (await c.cancel_render(job.id)).status == "cancelled"  # type: ignore[union-attr]
    assert cloud.count("cancel") == 3


async def finished_job(c: NemoClient, sid: str) -> RenderJob:
    job = await c.export(sid, DRAFT)
    return await c.wait_render(job.id, interval=0.0)


@pytest.mark.anyio
async def test_download_from_the_url_with_progress(cloud: CloudState, tmp_path: Path) -> None:
    sid = cloud.add_session()
    cloud.output_size = 2_500_000
    progress: list[tuple[int, int]] = []
    async with client(cloud) as c:
        job = await finished_job(c, sid)
        path = await c.download(job, tmp_path / "out" / "video.mp4",
                                progress=lambda a, b: progress.append((a, b)))  # fmt: skip
    data = path.read_bytes()
    assert len(data) == 2_500_000
    assert data[4:8] == b"ftyp"
    assert progress[-1] == (2_500_000, 2_500_000)
    assert len(progress) >= 2
    assert cloud.count("output") == 1
    assert cloud.count("download") == 0
    assert not (tmp_path / "out" / "video.mp4.part").exists()


@pytest.mark.fault
@pytest.mark.anyio
async def test_download_falls_back_when_the_url_fails(cloud: CloudState, tmp_path: Path) -> None:
    sid = cloud.add_session()
    cloud.render_url_broken = True
    async with client(cloud) as c:
        job = await finished_job(c, sid)
        path = await c.download(job, tmp_path / "video.mp4")
    assert path.stat().st_size == cloud.output_size
    assert cloud.count("output") == 1
    assert cloud.count("download") == 1
    assert cloud.calls("download")[0].headers["authorization"].startswith("Bearer ")


@pytest.mark.fault
@pytest.mark.anyio
async def test_download_fallback_survives_a_dropped_connection(
    cloud: CloudState, tmp_path: Path
) -> None:
    sid = cloud.add_session()
    cloud.render_url_broken = True
    cloud.inject("download", Fault(drop=True))
    async with client(cloud) as c:
        job = await finished_job(c, sid)
        path = await c.download(job, tmp_path / "video.mp4")
    assert path.stat().st_size == cloud.output_size
    assert cloud.count("download") == 2


@pytest.mark.fault
@pytest.mark.anyio
async def test_download_fails_clearly_when_both_fail(cloud: CloudState, tmp_path: Path) -> None:
    sid = cloud.add_session()
    cloud.render_url_broken = True
    async with client(cloud) as c:
        job = await finished_job(c, sid)
        cloud.inject("download", Fault(status=404, message="gone"))
        with pytest.raises(APIError, match=r"gone.*render's URL failed.*HTTP 502"):
            await c.download(job, tmp_path / "out" / "video.mp4")
    assert not list((tmp_path / "out").iterdir())  # no partial file left behind


@pytest.mark.anyio
async def test_output_on_another_origin_gets_no_token(cloud: CloudState, tmp_path: Path) -> None:
    sid = cloud.add_session()
    cloud.output_origin = cloud.base_url.replace("127.0.0.1", "localhost")
    async with client(cloud) as c:
        job = await finished_job(c, sid)
        assert job.url is not None
        assert job.url.startswith("http://localhost:")
        await c.download(job, tmp_path / "video.mp4")
    assert "authorization" not in cloud.calls("output")[0].headers


@pytest.mark.anyio
async def test_download_without_url_uses_the_fallback(cloud: CloudState, tmp_path: Path) -> None:
    sid = cloud.add_session()
    async with client(cloud) as c:
        job = await finished_job(c, sid)
        bare = RenderJob(id=job.id, status="completed")
        await c.download(bare, tmp_path / "video.mp4")
    assert cloud.count("output") == 0
    assert cloud.count("download") == 1


@pytest.mark.anyio
async def test_an_interrupted_download_leaves_no_partial_file(
    cloud: CloudState, tmp_path: Path
) -> None:
    sid = cloud.add_session()
    cloud.output_size = 3_000_000

    def stop(sent: int, total: int) -> None:
        raise KeyboardInterrupt  # the user interrupts the kernel mid-download

    async with client(cloud) as c:
        job = await finished_job(c, sid)
        with pytest.raises(KeyboardInterrupt):
            await c.download(job, tmp_path / "out" / "video.mp4", progress=stop)
    assert list((tmp_path / "out").iterdir()) == []
