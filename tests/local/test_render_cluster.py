"""Chunked rendering on a real cluster: a ``dask scheduler`` and two ``dask worker``
processes on loopback, started by the test (see ``dask_support``).

The workers are separate processes that read the media by path from the test's
folder (the shared-storage route ``pieces`` documents).  Faults: a worker killed
while it renders a chunk (the chunk moves to the other worker), and the scheduler
killed mid-render (our error, recorded, and the render finishes in this process).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from nemowidgets.local.render.chunks import plan_chunks
from nemowidgets.local.render.errors import ClusterUnavailable
from nemowidgets.local.render.executors import DaskExecutor
from nemowidgets.local.render.parallel import render_chunked
from nemowidgets.local.render.timeline import plan_render
from tests.local.dask_support import Cluster, dask_cluster
from tests.local.render_support import decode, music, photos, slideshow

pytestmark = [pytest.mark.slow]

KB = {"from": [1.0, 0.5, 0.5], "to": [1.2, 0.5, 0.5]}


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, int]:
    """A draft slow enough that a chunk takes a good fraction of a second (Ken Burns)."""
    folder = tmp_path_factory.mktemp("cluster-media")
    media = photos(folder, 6, sizes=((1200, 900), (900, 1200)))
    media["mu"] = music(folder, 12.0)
    draft = slideshow([f"p{i}" for i in range(6)], seconds=2.0, size=(640, 360), music="mu", kb=KB)
    return draft, media, plan_render(draft, media, "high").frames


@pytest.fixture
def cluster(tmp_path: Path):
    with dask_cluster(tmp_path) as running:
        yield running


def _connect(cluster: Cluster) -> DaskExecutor:
    executor = DaskExecutor.connect(cluster.address)
    executor.client.wait_for_workers(2, timeout=60)
    return executor


def _when_busy(executor: DaskExecutor, action, delay: float = 0.2) -> threading.Thread:
    """Run ``action(worker_pid)`` ``delay`` s after a worker starts rendering a chunk."""
    pids = executor.client.run(os.getpid)

    def watch() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            busy = [
                address
                for address, keys in executor.client.processing().items()
                if any(str(key).startswith("nemo-piece-") for key in keys)
            ]
            if busy:
                time.sleep(delay)
                action(pids[busy[0]])
                return
            time.sleep(0.01)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def _decodes_fully(path: Path, frames: int) -> None:
    video = decode(path)
    assert len(video.frames) == frames
    assert video.duration == pytest.approx(frames / 30, abs=0.05)
    assert video.audio is not None
    assert video.audio.shape[1] >= 48000 * (frames / 30 - 0.05)


@pytest.mark.fault
def test_a_worker_killed_mid_chunk_has_its_chunk_rendered_by_another(
    job, cluster: Cluster, tmp_path: Path
) -> None:
    draft, media, frames = job
    executor = _connect(cluster)
    killed: list[int] = []

    def kill(pid: int) -> None:
        killed.append(pid)
        os.kill(pid, signal.SIGKILL)

    watcher = _when_busy(executor, kill)
    try:
        chunks = plan_chunks(frames, 2, fps=30, min_seconds=1, max_seconds=3)
        stats = render_chunked(draft, media, tmp_path / "out.mp4", executor=executor, chunks=chunks)
    finally:
        watcher.join(timeout=60)
        executor.close()
    assert killed, "a worker was killed while rendering"
    assert stats.fell_back is None
    assert stats.where == cluster.address
    assert len(stats.pieces) == len(chunks) == 4
    survivors = {p.pid for p in stats.pieces}
    assert killed[0] not in survivors
    assert survivors <= set(cluster.worker_pids())
    _decodes_fully(tmp_path / "out.mp4", frames)


@pytest.mark.fault
def test_the_scheduler_gone_is_our_error_and_the_render_finishes_here(
    job, cluster: Cluster, tmp_path: Path
) -> None:
    draft, media, frames = job
    executor = _connect(cluster)
    watcher = _when_busy(executor, lambda pid: cluster.scheduler.kill())
    try:
        chunks = plan_chunks(frames, 2, fps=30, min_seconds=1, max_seconds=3)
        stats = render_chunked(draft, media, tmp_path / "out.mp4", executor=executor, chunks=chunks)
    finally:
        watcher.join(timeout=60)
        executor.close()
    assert cluster.scheduler.poll() is not None, "the scheduler was killed"
    assert stats.fell_back
    assert "Dask cluster" in stats.fell_back
    assert stats.where == "threads"
    assert os.getpid() in {p.pid for p in stats.pieces}, "the rest rendered in this process"
    _decodes_fully(tmp_path / "out.mp4", frames)


@pytest.mark.fault
def test_without_fallback_a_lost_scheduler_raises_our_error(
    job, cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft, media, frames = job
    monkeypatch.setattr("nemowidgets.local.render.executors.LOST_GRACE", 2.0)
    executor = _connect(cluster)
    cluster.scheduler.kill()
    cluster.scheduler.wait(timeout=10)
    try:
        with pytest.raises(ClusterUnavailable, match="Dask"):
            render_chunked(
                draft,
                media,
                tmp_path / "out.mp4",
                executor=executor,
                chunks=plan_chunks(frames, 2, fps=30, min_seconds=1),
                fallback=False,
            )
    finally:
        executor.close()
    assert not (tmp_path / "out.mp4").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []
