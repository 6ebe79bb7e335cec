"""The work of a chunked render: one video piece (on a worker) and the soundtrack (once).

:func:`render_piece` is the function a worker runs, in this process (threads) or in a
Dask worker process, here or on another machine.  It takes plain data (the draft, the
media map of absolute paths, a frame range) and returns the piece's bytes, so the
output never needs storage shared with the worker: Dask carries the few megabytes
back.  The *media* is read from the paths in the map: workers read the local server's
data directory directly (shared storage), not by URL from the server, because that
server listens on loopback only and needs the session token; a worker on the same
machine sees the same paths, and one on another machine needs the data directory
mounted at the same path (NFS, a shared volume).  A worker that cannot see a file
says so, naming it, instead of failing as if the upload were missing.
"""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from .audio import SAMPLE_RATE, Mixer, SoundtrackEncoder
from .errors import RenderFailure
from .pipeline import render_draft
from .timeline import plan_render


@dataclass(frozen=True)
class PieceResult:
    """A rendered piece and where and how it was made (for progress and the benchmark)."""

    index: int
    data: bytes
    frames: int
    wall: float
    peak_rss_mb: float
    pid: int
    host: str


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def _referenced(draft: Mapping[str, Any]) -> set[str]:
    ids = set()
    for track in draft.get("t") or []:
        for seg in (track.get("sg") or []) if isinstance(track, Mapping) else []:
            if isinstance(seg, Mapping) and seg.get("src"):
                ids.add(str(seg["src"]))
    return ids


def check_media_visible(draft: Mapping[str, Any], media: Mapping[str, str | Path]) -> None:
    """Fail, naming the file, when this machine cannot read a file the draft uses."""
    for media_id in sorted(_referenced(draft)):
        if media_id in media and not Path(media[media_id]).is_file():
            raise RenderFailure(
                f"worker {socket.gethostname()} (pid {os.getpid()}) cannot read "
                f"{media[media_id]} (media {media_id!r}). Workers read media from the "
                "local data directory: mount it at the same path on every worker.",
                filename=Path(media[media_id]).name,
            )


def render_piece(
    draft: dict[str, Any],
    media: Mapping[str, str],
    index: int,
    first: int,
    stop: int,
    quality: str = "high",
    threads: int | None = None,
    progress: Callable[[float], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> PieceResult:
    """Render frames ``first..stop`` of ``draft`` as a video-only H.264 piece; its bytes."""
    started = time.perf_counter()
    check_media_visible(draft, media)
    paths = {key: Path(value) for key, value in media.items()}
    with tempfile.TemporaryDirectory(prefix="nemo-piece-") as tmp:
        out = Path(tmp) / f"piece_{index:04d}.mp4"
        stats = render_draft(
            draft,
            paths,
            out,
            quality=quality,
            progress=progress,
            should_cancel=should_cancel,
            frames=(first, stop),
            threads=threads,
        )
        data = out.read_bytes()
    return PieceResult(
        index,
        data,
        stats.frames,
        time.perf_counter() - started,
        _peak_rss_mb(),
        os.getpid(),
        socket.gethostname(),
    )


def render_soundtrack(
    draft: dict[str, Any], media: Mapping[str, Path], out_path: Path, quality: str = "high"
) -> Path:
    """Mix and AAC-encode the whole timeline's sound into an audio-only MP4 (``.m4a``).

    The same mixer, encoder settings and block timing as a one-piece render, so the
    joined file's audio packets are the ones a one-piece render would have written.
    """
    plan = plan_render(draft, {k: Path(v) for k, v in media.items()}, quality)
    total = round(plan.frames * SAMPLE_RATE / plan.canvas.fps)
    out_path = Path(out_path)
    with contextlib.ExitStack() as cleanup:
        container = av.open(str(out_path), "w", format="mp4")
        cleanup.callback(container.close)
        stream = container.add_stream("aac", rate=SAMPLE_RATE)
        stream.layout = "stereo"
        stream.bit_rate = plan.audio_bitrate
        sound = SoundtrackEncoder(Mixer(plan.audio), stream, total)
        cleanup.callback(sound.close)
        step = SAMPLE_RATE  # let it run ahead a second at a time; mux what is ready
        for reached in range(step, total + step, step):
            for packet in sound.advance(min(reached, total)):
                container.mux(packet)
        for packet in sound.finish():
            container.mux(packet)
    return out_path
