"""Variants, a batch and chunked videos through the Session and the local server, on a real
Dask cluster: a ``dask scheduler`` and two ``dask worker`` processes on loopback, started
by the test (``tests/local/dask_support.py``), as a cluster is used.

The path under test is the user's: ``Session.local(cluster="tcp://...")`` hands the address
to the in-process server, whose render jobs go to the workers; the workers read the media
from the server's data dir by path (shared storage) and write the videos there.  Faults: a
worker killed while it renders a chunk (the chunk moves to the other worker), and the
scheduler killed mid-render (the job goes on in the server: a notice, nothing lost).
Every output is decoded.  Videos are tiny (320x180, 1-6 s).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from nemowidgets import batch
from nemowidgets.local.render.timeline import plan_render
from nemowidgets.local.server.launch import ensure_local_server
from nemowidgets.session import Session, SessionEvent
from tests.local.dask_support import Cluster, dask_cluster
from tests.local.render_support import decode, music, photos, slideshow

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("isolated_env")]

KB = {"z0": 1.0, "z1": 1.25, "x0": 0.4, "y0": 0.5, "x1": 0.6, "y1": 0.5}


def _watcher(cluster: Cluster) -> Any:
    import distributed

    client = distributed.Client(cluster.address, timeout=30, set_as_default=False)
    client.wait_for_workers(2, timeout=90)
    return client


@pytest.fixture(scope="module")
def shared_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One cluster for the tests that leave it whole."""
    with dask_cluster(tmp_path_factory.mktemp("cluster")) as cluster:
        client = _watcher(cluster)
        client.close()
        yield cluster


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[tuple[Cluster, Any]]:
    """A cluster of its own, with a watching client, for the tests that break it."""
    with dask_cluster(tmp_path) as cluster:
        client = _watcher(cluster)
        try:
            yield cluster, client
        finally:
            client.close()


@pytest.fixture
def open_session(tmp_path: Path) -> Iterator[Callable[..., Session]]:
    """``open_session(cluster)``: a local Session on its own data dir; its server stops after."""
    made: list[Session] = []

    def make(cluster: str) -> Session:
        session = Session.local(data_dir=tmp_path / "data", export_dir=tmp_path / "out",
                                cluster=cluster)  # fmt: skip
        made.append(session)
        return session

    yield make
    for session in made:
        session.close()
    ensure_local_server(tmp_path / "data").stop()


def _draft(session: Session, folder: Path, count: int, seconds: float, kb: bool = False) -> dict:
    media = photos(folder, count)
    media["mu"] = music(folder, count * seconds + 1)
    infos = session.upload([*media.values()])
    ids = [m.id for m in infos if m.file_type == "image"]
    song = next(m.id for m in infos if m.file_type == "audio")
    return slideshow(ids, seconds=seconds, size=(320, 180), music=song, kb=KB if kb else None)


def _frames(draft: dict, quality: str) -> int:
    """The frame count of a one-piece render of ``draft`` (the timeline's, not a guess)."""
    paths = {
        seg["src"]: Path(__file__)  # any file: only the timing is read
        for track in draft["t"]
        for seg in track["sg"]
    }
    return plan_render(draft, paths, quality).frames


def _when_processing(client: Any, prefix: str, action: Callable[[int], None]) -> threading.Thread:
    """Run ``action(worker pid)`` shortly after a worker starts a task whose key has ``prefix``."""
    pids = client.run(os.getpid)

    def watch() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            busy = [a for a, keys in client.processing().items() if any(
                str(k).startswith(prefix) for k in keys)]  # fmt: skip
            if busy:
                time.sleep(0.15)
                action(pids[busy[0]])
                return
            time.sleep(0.01)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_variants_render_on_the_cluster_one_named_file_each(
    shared_cluster: Cluster, open_session, tmp_path: Path
) -> None:
    session = open_session(shared_cluster.address)
    draft = _draft(session, tmp_path / "media", 3, 0.6)
    results = session.export_variants(["16:9", "9:16", "1:1"], "preview", draft=draft)
    assert [r.path.name for r in results] == [
        "slideshow-16x9-preview.mp4",
        "slideshow-9x16-preview.mp4",
        "slideshow-1x1-preview.mp4",
    ]
    assert [(r.width, r.height) for r in results] == [(320, 180), (180, 320), (180, 180)]
    for result in results:
        assert result.job.where == shared_cluster.address
        assert result.job.aspect in ("16:9", "9:16", "1:1")
        video = decode(result.path)
        assert len(video.frames) == _frames(draft, "preview")
        assert (video.width, video.height) == (result.width, result.height)
        assert video.audio is not None


def test_a_prompt_asking_for_other_formats_renders_variants(
    shared_cluster: Cluster, open_session, tmp_path: Path
) -> None:
    session = open_session(shared_cluster.address)
    media = photos(tmp_path / "media", 2)
    session.upload([*media.values()])
    session.send("make a slideshow")
    turn = session.send("also make a vertical and a square one in preview")
    assert turn.action == "variants"
    assert turn.error is None, turn.reply
    names = sorted(p.name for p in (tmp_path / "out").glob("*.mp4"))
    assert len(names) == 2, names
    assert "1x1" in names[0]
    assert "9x16" in names[1]
    assert "unchanged" in turn.reply
    for name in names:
        assert decode(tmp_path / "out" / name).frames


def test_a_batch_of_folders_on_the_cluster_reports_the_bad_one_and_finishes_the_rest(
    shared_cluster: Cluster, tmp_path: Path
) -> None:
    folders = []
    for name in ("ana", "ben"):
        folder = tmp_path / "class" / name
        photos(folder, 2)
        (folder / "prompt.txt").write_text("make a slideshow with 1 second per photo")
        folders.append(folder)
    empty = tmp_path / "class" / "cleo"
    empty.mkdir()
    (empty / "prompt.txt").write_text("make a slideshow")  # but no photos
    seen: list[Any] = []
    try:
        results = batch(
            [*folders, empty],
            quality="preview",
            out_dir=tmp_path / "videos",
            progress=seen.append,
            data_dir=tmp_path / "data",
            cluster=shared_cluster.address,
        )
    finally:
        ensure_local_server(tmp_path / "data").stop()
    assert [r.name for r in results] == ["ana", "ben", "cleo"]
    assert [r.ok for r in results] == [True, True, False]
    assert "no photos" in str(results[2].error)
    for result in results[:2]:
        assert result.path == tmp_path / "videos" / f"{result.name}.mp4"
        assert result.export is not None
        assert result.export.job.where == shared_cluster.address
        assert len(decode(result.path).frames) > 10
    stages = {(p.name, p.stage) for p in seen}
    assert {("ana", "upload"), ("ana", "prompt"), ("ana", "render"), ("ana", "done")} <= stages
    assert ("cleo", "failed") in stages


def test_a_long_video_is_rendered_in_chunks_on_the_cluster(
    shared_cluster: Cluster, open_session, tmp_path: Path
) -> None:
    session = open_session(shared_cluster.address)
    draft = _draft(session, tmp_path / "media", 4, 1.5)
    result = session.export("preview", draft=draft, parallel=True)
    assert result.job.where == shared_cluster.address
    video = decode(result.path)
    assert len(video.frames) == _frames(draft, "preview")
    assert video.duration == pytest.approx(len(video.frames) / 15, abs=0.1)
    assert video.audio is not None


@pytest.mark.fault
def test_a_worker_killed_mid_chunk_is_retried_and_the_export_completes(
    own_cluster: tuple[Cluster, Any], open_session, tmp_path: Path
) -> None:
    cluster, client = own_cluster
    session = open_session(cluster.address)
    draft = _draft(session, tmp_path / "media", 4, 2.0, kb=True)
    killed: list[int] = []

    def kill(pid: int) -> None:
        killed.append(pid)
        os.kill(pid, signal.SIGKILL)

    watcher = _when_processing(client, "nemo-piece-", kill)
    result = session.export("high", draft=draft, parallel=True)
    watcher.join(60)
    assert killed, "a worker was killed while it rendered a chunk"
    assert killed[0] not in cluster.worker_pids()
    assert result.job.where == cluster.address
    assert not result.job.notice
    video = decode(result.path)
    assert len(video.frames) == _frames(draft, "high")
    assert (video.width, video.height) == (320, 180)


@pytest.mark.fault
def test_the_scheduler_gone_mid_render_the_job_goes_on_here_and_keeps_its_progress(
    own_cluster: tuple[Cluster, Any], open_session, tmp_path: Path
) -> None:
    cluster, client = own_cluster
    session = open_session(cluster.address)
    draft = _draft(session, tmp_path / "media", 3, 2.0, kb=True)
    events: list[SessionEvent] = []
    session.observe(events.append, kinds=["render_progress", "notice"])
    watcher = _when_processing(client, "nemo-render-", lambda pid: cluster.scheduler.kill())
    result = session.export("high", draft=draft, parallel="jobs")
    watcher.join(60)
    assert cluster.scheduler.poll() is not None, "the scheduler was killed"
    notices = [e.data["text"] for e in events if e.kind == "notice"]
    assert any("Dask" in t and "went on in the local server" in t for t in notices), notices
    assert result.job.where == "threads"
    progress = [e.data["job"].progress for e in events if e.kind == "render_progress"]
    assert progress == sorted(progress), "the progress never went back"
    video = decode(result.path)
    assert len(video.frames) == _frames(draft, "high")


def test_a_client_given_to_the_session_is_used_and_left_open(
    shared_cluster: Cluster, tmp_path: Path
) -> None:
    import distributed

    client = distributed.Client(shared_cluster.address, timeout=30, set_as_default=False)
    try:
        with Session.local(data_dir=tmp_path / "data", cluster=client) as session:
            draft = _draft(session, tmp_path / "media", 2, 0.6)
            result = session.export("preview", draft=draft, parallel="jobs")
        ensure_local_server(tmp_path / "data").stop()
        assert result.job.where == shared_cluster.address
        assert len(decode(result.path).frames) == _frames(draft, "preview")
        assert client.status == "running"  # the caller's client: the server does not close it
    finally:
        client.close()
