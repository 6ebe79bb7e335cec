"""Chunked rendering: the chunk plan, and a joined render equal to a one-piece render.

The equality test decodes both files: the same number of frames at the same
timestamps, every frame within 40 dB PSNR (luma) of the one-piece render's (the two
are separate lossy encodes: a piece restarts x264 with an IDR frame, so frames
near a seam are coded differently), and the very same audio.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from nemowidgets.local.render import RenderCancelled, RenderFailure, render_draft
from nemowidgets.local.render.chunks import Chunk, join_pieces, plan_chunks
from nemowidgets.local.render.errors import ClusterUnavailable
from nemowidgets.local.render.executors import ThreadExecutor, open_executor
from nemowidgets.local.render.parallel import render_chunked
from nemowidgets.local.render.pieces import check_media_visible, render_piece
from tests.local.render_support import music, photos, slideshow

THREE = [Chunk(0, 0, 30), Chunk(1, 30, 60), Chunk(2, 60, 90)]


@pytest.fixture(scope="module")
def small_job(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, Path]:
    """A 320x180, 3 s draft with music, and its one-piece render."""
    folder = tmp_path_factory.mktemp("chunks")
    media = photos(folder, 3)
    media["mu"] = music(folder, 4.0)
    draft = slideshow(["p0", "p1", "p2"], seconds=1.2, tr_ms=300, music="mu")
    one = folder / "one.mp4"
    assert render_draft(draft, media, one).frames == 90
    return draft, media, one


def _video(path: Path) -> tuple[list[int], list[np.ndarray], list[bool], float]:
    with av.open(str(path)) as container:
        frames = list(container.decode(video=0))
        duration = container.duration / 1_000_000
    pts = [f.pts for f in frames]
    luma = [f.to_ndarray(format="gray") for f in frames]
    return pts, luma, [f.key_frame for f in frames], duration


def _audio(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def assert_same_as_one_piece(joined: Path, one: Path, seams: list[int]) -> None:
    pts_a, luma_a, _, dur_a = _video(one)
    pts_b, luma_b, keys_b, dur_b = _video(joined)
    assert len(luma_b) == len(luma_a)
    assert pts_b == pts_a
    assert dur_b == pytest.approx(dur_a, abs=1e-3)
    worst = min(_psnr(a, b) for a, b in zip(luma_a, luma_b, strict=False))
    assert worst > 40.0, f"a frame differs from the one-piece render: {worst:.1f} dB"
    assert all(keys_b[n] for n in seams), "every piece starts with a keyframe"
    assert np.array_equal(_audio(joined), _audio(one)), "the soundtrack is rendered once, alike"


# -- the plan ------------------------------------------------------------------------
def test_plan_covers_every_frame_once_on_the_gop_grid() -> None:
    chunks = plan_chunks(765, 2, fps=30)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert chunks[0].first == 0
    assert chunks[-1].stop == 765
    assert all(a.stop == b.first for a, b in itertools.pairwise(chunks))
    assert len(chunks) % 2 == 0
    assert all(c.first % 30 == 0 for c in chunks)


def test_plan_short_video_is_one_piece_and_long_video_gets_rounds() -> None:
    assert plan_chunks(50, 4, fps=30) == [Chunk(0, 0, 50)]
    assert len(plan_chunks(150, 8, fps=30)) == 2  # at least 2 s per chunk
    long = plan_chunks(30 * 600, 4, fps=30)  # 10 minutes on 4 workers
    assert len(long) % 4 == 0
    assert len(long) > 4
    assert max(c.frames for c in long) <= 30 * 60 + 30
    sizes = [c.frames for c in plan_chunks(765, 2, fps=30)]
    assert max(sizes) - min(sizes) <= 30


def test_plan_rejects_nothing_to_render() -> None:
    with pytest.raises(ValueError, match="frames"):
        plan_chunks(0, 2)


# -- the join ------------------------------------------------------------------------
def test_chunked_render_equals_one_piece_render(small_job, tmp_path: Path) -> None:
    draft, media, one = small_job
    executor = ThreadExecutor(2)
    seen: list[float] = []
    try:
        stats = render_chunked(
            draft,
            media,
            tmp_path / "joined.mp4",
            executor=executor,
            chunks=THREE,
            progress=seen.append,
        )
    finally:
        executor.close()
    assert (stats.frames, stats.chunks, stats.where) == (90, 3, "threads")
    assert [p.index for p in stats.pieces] == [0, 1, 2]
    assert seen[-1] == 100.0
    assert seen == sorted(seen)
    assert_same_as_one_piece(tmp_path / "joined.mp4", one, [0, 30, 60])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["joined.mp4"], "no pieces left"


def test_join_refuses_pieces_of_other_settings(small_job, tmp_path: Path) -> None:
    draft, media, _ = small_job
    as_str = {k: str(v) for k, v in media.items()}
    first = tmp_path / "a.mp4"
    first.write_bytes(render_piece(draft, as_str, 0, 0, 30).data)
    other = dict(draft, m=dict(draft["m"], width=160, height=90))
    second = tmp_path / "b.mp4"
    second.write_bytes(render_piece(other, as_str, 1, 30, 60).data)
    with pytest.raises(RenderFailure, match=r"b\.mp4.*other settings"):
        join_pieces(
            [(Chunk(0, 0, 30), first), (Chunk(1, 30, 60), second)],
            None,
            tmp_path / "out.mp4",
            Fraction(30),
        )
    with pytest.raises(RenderFailure, match="gap at frame 30"):
        join_pieces(
            [(Chunk(0, 0, 30), first), (Chunk(2, 60, 90), first)],
            None,
            tmp_path / "out.mp4",
            Fraction(30),
        )
    assert not (tmp_path / "out.mp4").exists()


# -- failures ------------------------------------------------------------------------
def test_a_bad_draft_fails_before_any_work(small_job, tmp_path: Path) -> None:
    draft, media, _ = small_job
    missing = {k: v for k, v in media.items() if k != "p1"}
    with pytest.raises(RenderFailure, match=r"seg_2.*not among the uploaded files"):
        render_chunked(draft, missing, tmp_path / "x.mp4", executor=ThreadExecutor(1))
    assert list(tmp_path.iterdir()) == []


def test_a_worker_that_cannot_see_a_file_names_it(small_job, tmp_path: Path) -> None:
    draft, media, _ = small_job
    elsewhere = dict(media, p2=str(tmp_path / "not-mounted" / "photo_2.jpg"))
    with pytest.raises(RenderFailure, match=r"cannot read .*photo_2\.jpg.*same path"):
        check_media_visible(draft, elsewhere)


def test_cancel_stops_every_piece_and_leaves_nothing(small_job, tmp_path: Path) -> None:
    draft, media, _ = small_job
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 5

    executor = ThreadExecutor(2)
    try:
        with pytest.raises(RenderCancelled):
            render_chunked(
                draft,
                media,
                tmp_path / "x.mp4",
                executor=executor,
                chunks=THREE,
                should_cancel=cancel,
            )
    finally:
        executor.close()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.fault
def test_unreachable_scheduler_is_our_error_and_renders_here(
    small_job, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft, media, one = small_job
    monkeypatch.setenv("NEMO_DASK_SCHEDULER", "tcp://127.0.0.1:9")  # nothing listens there
    monkeypatch.setattr("nemowidgets.local.render.executors.CONNECT_TIMEOUT", 1.0)
    with pytest.raises(ClusterUnavailable, match=r"tcp://127\.0\.0\.1:9.*NEMO_DASK_SCHEDULER"):
        open_executor()
    stats = render_chunked(draft, media, tmp_path / "x.mp4", chunks=THREE)
    assert stats.fell_back
    assert "NEMO_DASK_SCHEDULER" in stats.fell_back
    assert stats.where == "threads"
    assert_same_as_one_piece(tmp_path / "x.mp4", one, [0, 30, 60])
    with pytest.raises(ClusterUnavailable):
        render_chunked(draft, media, tmp_path / "y.mp4", chunks=THREE, fallback=False)


# -- a LocalCluster of worker processes ---------------------------------------------
def test_local_cluster_renders_the_pieces_in_worker_processes(small_job, tmp_path: Path) -> None:
    import os

    draft, media, one = small_job
    executor = open_executor(2)
    try:
        assert executor.name == "local-cluster"
        assert executor.workers == 2
        stats = render_chunked(draft, media, tmp_path / "c.mp4", executor=executor, chunks=THREE)
    finally:
        executor.close()
    assert stats.where == "local-cluster"
    assert os.getpid() not in {p.pid for p in stats.pieces}, "pieces ran in worker processes"
    assert_same_as_one_piece(tmp_path / "c.mp4", one, [0, 30, 60])
