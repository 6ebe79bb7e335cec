"""Chunked rendering's two pure halves: which frames each piece gets, and the lossless join.

**Planning.**  Remotion Lambda splits a video into ``frameCount / framesPerLambda``
chunks, at least 20 frames each, and aims at a concurrency of 75-150 functions that
grows with the video's length, because a Lambda pool is practically unbounded and
every function renders its own audio too.  Our pool is a fixed set of workers (two on
a laptop, tens on a cluster), so :func:`plan_chunks` starts from the worker count:

* a multiple of ``workers`` chunks of (nearly) equal length, so every worker gets the
  same amount of work and no worker idles through a lone last chunk;
* one chunk per worker unless that makes chunks longer than ``max_seconds``; longer
  videos get more rounds, which bounds what a killed worker costs (its chunk is
  rendered again elsewhere) and the size of a piece held in a worker's memory;
* at least ``min_seconds`` per chunk: each piece pays a fixed start-up (x264's
  look-ahead warm-up, decoding the photos on screen at its first frame), so a short
  video gets fewer chunks, and one that short gets a single one-piece render;
* boundaries on the GOP grid (``gop`` frames, one second by default): every piece
  starts with an IDR frame anyway, so the joined file's keyframes fall on whole
  seconds and seeking lands on them.

The audio is not chunked: it is mixed and encoded once for the whole timeline (see
``pieces.render_soundtrack``), so there are no AAC priming gaps at the seams, the
problem Remotion works around by padding and trimming every chunk's audio.

**Joining.**  :func:`join_pieces` copies the pieces' H.264 packets into one MP4 with
PyAV, shifting each piece's timestamps by its first frame, and interleaves the audio
packets; nothing is decoded or encoded again.  It checks that every piece has the same
codec parameters (the SPS/PPS in ``extradata``), so pieces from workers with a
different encoder build fail loudly instead of making an unplayable file.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import av

from .errors import RenderFailure

if TYPE_CHECKING:
    _Packet = av.Packet[Any]  # a packet of a video or an audio stream (generic in the stubs)

MIN_SECONDS = 2.0
MAX_SECONDS = 60.0


@dataclass(frozen=True)
class Chunk:
    """Frames ``first`` to ``stop`` (exclusive) of the render, piece number ``index``."""

    index: int
    first: int
    stop: int

    @property
    def frames(self) -> int:
        return self.stop - self.first


def plan_chunks(
    frames: int,
    workers: int,
    *,
    fps: float = 30.0,
    gop: int | None = None,
    min_seconds: float = MIN_SECONDS,
    max_seconds: float = MAX_SECONDS,
) -> list[Chunk]:
    """Split ``frames`` frames into chunks for ``workers`` workers (see the module doc)."""
    if frames < 1:
        raise ValueError(f"frames must be at least 1, not {frames}")
    workers = max(1, int(workers))
    grid = max(1, gop if gop is not None else round(fps))
    shortest = max(grid, math.ceil(min_seconds * fps))
    longest = max(shortest, math.floor(max_seconds * fps))
    rounds = max(1, math.ceil(frames / (workers * longest)))
    count = min(workers * rounds, frames // shortest)
    if count > workers:
        count -= count % workers
    if count <= 1:
        return [Chunk(0, 0, frames)]
    bounds = [0]
    for k in range(1, count):
        edge = round(k * frames / count / grid) * grid
        if bounds[-1] < edge < frames:
            bounds.append(edge)
    bounds.append(frames)
    return [Chunk(i, a, b) for i, (a, b) in enumerate(itertools.pairwise(bounds))]


def _piece_packets(path: Path, first: int, fps: Fraction) -> Iterator[_Packet]:
    """The piece's video packets with timestamps moved to start at frame ``first``."""
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise RenderFailure(f"piece {path.name} has no video stream; render it again")
        stream = container.streams.video[0]
        tb = stream.time_base
        assert tb is not None
        shift = round(Fraction(first) / fps / tb)
        for packet in container.demux(stream):
            if packet.size == 0 or packet.pts is None or packet.dts is None:
                continue  # the demuxer's end-of-stream marker
            packet.pts += shift
            packet.dts += shift
            yield packet


def _audio_packets(path: Path) -> Iterator[_Packet]:
    with av.open(str(path)) as container:
        for packet in container.demux(container.streams.audio[0]):
            if packet.size and packet.dts is not None:
                yield packet


def _keyed(packets: Iterator[_Packet], order: int) -> Iterator[tuple[Fraction, int, _Packet]]:
    for packet in packets:
        tb = packet.time_base
        assert tb is not None
        assert packet.dts is not None
        yield packet.dts * tb, order, packet


def _check_templates(pieces: Sequence[Path]) -> None:
    """Every piece must carry the same H.264 parameters, or the joined file breaks."""
    reference: tuple[object, ...] | None = None
    for path in pieces:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise RenderFailure(f"piece {path.name} has no video stream; render it again")
            ctx = container.streams.video[0].codec_context
            shape = (ctx.name, ctx.width, ctx.height, ctx.pix_fmt, bytes(ctx.extradata or b""))
        if reference is None:
            reference = shape
        elif shape != reference:
            raise RenderFailure(
                f"piece {path.name} was encoded with other settings than the first piece "
                "(a worker with another PyAV/x264 build?). Install the same nemowidgets "
                "and PyAV versions on every worker, then render again."
            )


def join_pieces(
    pieces: Sequence[tuple[Chunk, Path]],
    audio: Path | None,
    out_path: Path,
    fps: Fraction,
) -> int:
    """Join the pieces (in frame order) and the audio into ``out_path``; the frame count.

    No re-encoding: packets are copied with corrected timestamps.  The file is written
    under a temporary name and renamed when complete, like a one-piece render.
    """
    ordered = sorted(pieces, key=lambda item: item[0].first)
    expected = 0
    for chunk, _ in ordered:
        if chunk.first != expected:
            raise RenderFailure(f"the pieces leave a gap at frame {expected}; render it again")
        expected = chunk.stop
    _check_templates([path for _, path in ordered])
    out_path = Path(out_path)
    partial = out_path.with_name(f".{out_path.name}.{os.getpid()}.join.partial")
    try:
        count = _write_joined(ordered, audio, partial, fps)
        os.replace(partial, out_path)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    return count


def _write_joined(
    ordered: Sequence[tuple[Chunk, Path]], audio: Path | None, partial: Path, fps: Fraction
) -> int:
    with contextlib.ExitStack() as stack:
        first_piece = stack.enter_context(av.open(str(ordered[0][1])))
        out = stack.enter_context(
            av.open(str(partial), "w", format="mp4", options={"movflags": "+faststart"})
        )
        vout = out.add_stream_from_template(first_piece.streams.video[0])
        aout = None
        if audio is not None:
            sound = stack.enter_context(av.open(str(audio)))
            aout = out.add_stream_from_template(sound.streams.audio[0])

        def video() -> Iterator[_Packet]:
            for chunk, path in ordered:
                yield from _piece_packets(path, chunk.first, fps)

        streams = [_keyed(video(), 0)]
        if audio is not None:
            streams.append(_keyed(_audio_packets(audio), 1))
        count, last_dts = 0, Fraction(-(10**18))
        for when, order, packet in heapq.merge(*streams, key=lambda item: item[:2]):
            if order == 0:
                if when <= last_dts:
                    raise RenderFailure(
                        "the pieces' timestamps overlap at the seam near "
                        f"{float(when):.3f} s (pieces too short?); render with fewer chunks"
                    )
                last_dts = when
                count += 1
                packet.stream = vout
            else:
                packet.stream = aout
            out.mux(packet)
    return count
