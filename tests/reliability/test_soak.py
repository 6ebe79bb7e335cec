"""Soak: many cycles in one Session stay flat; several Sessions at once stay apart.

A notebook is a long-lived process: a user may prompt and export for an hour.
Any per-cycle leak (a file handle per download, a thread per turn, frames kept
by the renderer, event logs growing without bound) shows here as RSS or file
descriptor growth after the warm-up.  The server runs in this same process
(as in a kernel), so its leaks count too.  The bounds below are reported in
docs/reliability.md by ``tools/reliability_figures.py``.
"""

from __future__ import annotations

import gc
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import av
import numpy as np
import psutil
import pytest

from nemowidgets.local.server.launch import ensure_local_server
from nemowidgets.samples import make_music, make_photo, photo_color
from nemowidgets.session import Session
from tests.support.isolation import isolate

pytestmark = pytest.mark.slow

#: Prompt + export cycles in one Session
SOAK_CYCLES = 50
#: Cycles before the baseline is taken (imports, codec set-up, caches)
WARMUP_CYCLES = 5
#: Allowed growth of the process's RSS after the warm-up, in MB
RSS_GROWTH_LIMIT_MB = 100
#: Allowed growth of open file descriptors after the warm-up
FD_GROWTH_LIMIT = 20
#: Allowed growth of live threads after the warm-up
THREAD_GROWTH_LIMIT = 3
#: Sessions working at once on one server, each checked for its own video
PARALLEL_SESSIONS = 4

# Each prompt changes the draft left by the one before; drafts stay 1.5-3 s long.
PROMPTS = (
    "make each photo 1 second",
    "use crossfade transitions",
    "make it 9:16",
    "turn on ken burns",
    "make each photo 1.5 seconds",
    "use fade through black transitions",
    "make it 1:1",
    "set the music volume to 50%",
    "turn off ken burns",
    "no transitions",
    "make it 16:9",
    "set the music volume to 80%",
)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("soak")
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, root)
        yield root


def _usage() -> tuple[float, int, int]:
    """RSS (MB), open file descriptors and live threads of this process (server included)."""
    gc.collect()
    proc = psutil.Process()
    return proc.memory_info().rss / 2**20, proc.num_fds(), threading.active_count()


def test_soak_50_prompt_export_cycles(env: Path) -> None:
    """50 prompt + export cycles in one Session: every video right, RSS and fds flat."""
    photos = [make_photo(env / f"p{i}.jpg", i, (160, 120)) for i in range(2)]
    with Session.local(
        data_dir=env / "data", client_id=str(uuid.uuid4()), export_dir=env / "exports"
    ) as s:
        s.upload([*photos, make_music(env / "music.wav", 3.0)])
        s.send("make a slideshow with 1.5 seconds per photo")
        base = (0.0, 0, 0)
        peak = [0.0, 0.0, 0.0]  # growth of RSS, fds, threads over the baseline
        for cycle in range(SOAK_CYCLES):
            if cycle == WARMUP_CYCLES:
                base = _usage()
            version = s.draft.version
            turn = s.send(PROMPTS[cycle % len(PROMPTS)])
            assert turn.error is None, turn.reply
            assert s.draft.version != version, f"cycle {cycle}: {turn.prompt!r} changed nothing"
            result = s.export("preview")
            assert result.duration == pytest.approx(s.draft.duration, abs=0.1), cycle
            assert 1.4 <= result.duration <= 3.1
            result.path.unlink()  # keep the disk flat too; the Session must not care
            if cycle >= WARMUP_CYCLES:
                peak = [max(p, now - b) for p, now, b in zip(peak, _usage(), base, strict=True)]
        assert len(s.exports) == SOAK_CYCLES
        assert len(s.history) >= SOAK_CYCLES
    ensure_local_server(env / "data").stop()
    print(
        f"soak growth after warm-up: RSS {peak[0]:.1f} MB, fds {peak[1]:.0f}, threads {peak[2]:.0f}"
    )
    assert peak[0] < RSS_GROWTH_LIMIT_MB
    assert peak[1] < FD_GROWTH_LIMIT
    assert peak[2] < THREAD_GROWTH_LIMIT


def _centre_colour(frame: np.ndarray) -> np.ndarray:
    h, w, _ = frame.shape
    return np.median(frame[h // 3 : 2 * h // 3, w // 3 : 2 * w // 3].reshape(-1, 3), axis=0)


def _frames_at(path: Path, times: list[float]) -> list[np.ndarray]:
    """The decoded frames nearest ``times`` (seconds)."""
    with av.open(str(path)) as container:
        frames = [(f.time, f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]
    return [min(frames, key=lambda tf, t=t: abs(tf[0] - t))[1] for t in times]


def test_parallel_sessions_each_get_their_own_video(env: Path) -> None:
    """4 Sessions at once on one server: each video has its own photos and its own length."""
    indices = [(2 * i, 2 * i + 1) for i in range(PARALLEL_SESSIONS)]
    palette = {i: np.array(photo_color(i), dtype=float) for pair in indices for i in pair}
    per_photo = [1.0 + 0.25 * i for i in range(PARALLEL_SESSIONS)]

    def work(n: int) -> tuple[Path, float]:
        folder = env / f"user{n}"
        photos = [make_photo(folder / f"photo{i}.jpg", i, (160, 120)) for i in indices[n]]
        with Session.local(
            data_dir=env / "shared", client_id=str(uuid.uuid4()), export_dir=folder
        ) as s:
            s.upload(photos)
            turn = s.send(f"make a slideshow with {per_photo[n]:g} seconds per photo")
            assert turn.error is None, turn.reply
            return s.export("preview").path, s.draft.duration

    with ThreadPoolExecutor(PARALLEL_SESSIONS) as pool:
        results = list(pool.map(work, range(PARALLEL_SESSIONS)))
    ensure_local_server(env / "shared").stop()

    assert len({path for path, _ in results}) == PARALLEL_SESSIONS
    for n, (path, duration) in enumerate(results):
        assert duration == pytest.approx(2 * per_photo[n], abs=0.01)
        with av.open(str(path)) as container:
            assert container.duration / 1e6 == pytest.approx(duration, abs=0.15)
        middles = [per_photo[n] / 2, per_photo[n] * 1.5]
        for expected, frame in zip(indices[n], _frames_at(path, middles), strict=True):
            colour = _centre_colour(frame)
            nearest = min(palette, key=lambda i, c=colour: float(np.linalg.norm(palette[i] - c)))
            assert nearest == expected, f"session {n} shows photo {nearest}, not {expected}"
