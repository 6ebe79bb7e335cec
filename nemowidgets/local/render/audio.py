"""The soundtrack: music and video-clip sound, decoded, mixed and faded in small blocks.

Every source is decoded with PyAV and resampled by ``av.AudioResampler`` to float
planar stereo at 48 kHz, the rate the AAC encoder gets.  The mixer is pulled block by
block as video frames are written, and each source is read sequentially from its
in-point, so memory does not grow with the length of the video or the song: a loop
re-opens the file instead of keeping the whole song decoded.

Gains: ``vol`` (0-2) times linear fade-in and fade-out ramps (``fi``/``fo``, ms).
Video clips get ramps as long as their transitions, so their sound crossfades with
the pictures.  The sum is clipped to [-1, 1] before encoding.
"""

from __future__ import annotations

import collections
import queue
import threading
from collections.abc import Generator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import av
import numpy as np
from numpy.typing import NDArray

from .errors import RenderFailure, failure
from .threads import background

SAMPLE_RATE = 48000
#: Planar float samples, ``(channels, n)``, or one gain per sample.
Samples = NDArray[np.float32]
CHANNELS = 2

if TYPE_CHECKING:  # PyAV's Packet is generic only in its stubs, not at run time
    from typing import TypeAlias

    _Packet: TypeAlias = av.Packet[av.AudioStream]


@dataclass(frozen=True)
class AudioPart:
    """One source placed on the timeline (all positions in samples at 48 kHz)."""

    path: Path
    start: int
    length: int
    in_point: float = 0.0  # seconds into the source
    volume: float = 1.0
    fade_in: int = 0
    fade_out: int = 0
    loop: bool = False
    seg_id: str | None = None
    name: str | None = None
    required: bool = True  # music must have sound; a clip without a sound track is fine

    def envelope(self, first: int, count: int) -> Samples:
        """Gain for samples ``first .. first + count`` of this part."""
        k = np.arange(first, first + count, dtype=np.float32)
        gain = np.full(count, self.volume, dtype=np.float32)
        if self.fade_in > 0:
            gain *= np.clip(k / self.fade_in, 0.0, 1.0)
        if self.fade_out > 0:
            gain *= np.clip((self.length - k) / self.fade_out, 0.0, 1.0)
        return gain


class _Reader:
    """A part's source as an endless sample stream (silence after the end unless looping)."""

    def __init__(self, part: AudioPart) -> None:
        self.part = part
        self._chunks: Generator[Samples, None, None] | None = self._decode()
        self._chunk: Samples | None = None
        self._pos = 0
        self._pass_samples = 0

    def _fail(self, problem: str) -> RenderFailure:
        return failure(
            self.part.seg_id,
            self.part.name or self.part.path.name,
            problem,
            "Re-upload the file, or remove it from the draft.",
        )

    def _decode(self) -> Generator[Samples, None, None]:
        """Yield (2, n) float32 blocks from the in-point to the end of the file, once."""
        try:
            container = av.open(str(self.part.path))
        except (av.FFmpegError, OSError) as exc:
            raise self._fail(f"cannot open the audio ({exc})") from exc
        try:
            if not container.streams.audio:
                if self.part.required:
                    raise self._fail("the file has no audio stream")
                return
            stream = container.streams.audio[0]
            start = max(0.0, self.part.in_point)
            if start > 0:
                container.seek(int(start * 1_000_000), backward=True)
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
            skip: int | None = None
            frames = container.decode(stream)
            while True:
                try:
                    frame = next(frames, None)
                except (av.FFmpegError, OSError) as exc:
                    raise self._fail(f"cannot decode the audio ({exc})") from exc
                for out in resampler.resample(frame):
                    block = out.to_ndarray().astype(np.float32, copy=False)
                    if skip is None:  # first output: drop what lies before the in-point
                        t0 = frame.time if frame is not None and frame.time is not None else 0.0
                        skip = max(0, round((start - t0) * SAMPLE_RATE))
                    if skip:
                        cut = min(skip, block.shape[1])
                        block, skip = block[:, cut:], skip - cut
                    if block.shape[1]:
                        yield block
                if frame is None:
                    return
        finally:
            container.close()

    def _next_chunk(self) -> Samples | None:
        while self._chunks is not None:
            chunk = next(self._chunks, None)
            if chunk is not None:
                self._pass_samples += chunk.shape[1]
                return chunk
            if self.part.loop and self._pass_samples > 0:
                self._pass_samples = 0
                self._chunks = self._decode()
            else:
                self._chunks = None
        return None

    def read(self, count: int) -> Samples:
        out = np.zeros((CHANNELS, count), dtype=np.float32)
        filled = 0
        while filled < count:
            if self._chunk is None or self._pos >= self._chunk.shape[1]:
                self._chunk, self._pos = self._next_chunk(), 0
                if self._chunk is None:
                    break
            take = min(count - filled, self._chunk.shape[1] - self._pos)
            out[:, filled : filled + take] = self._chunk[:, self._pos : self._pos + take]
            filled += take
            self._pos += take
        return out

    def close(self) -> None:
        if self._chunks is not None:
            self._chunks.close()
            self._chunks = None


class Mixer:
    """Pull-based mix of all parts: ``read(n)`` returns the next ``n`` samples, in order."""

    def __init__(self, parts: list[AudioPart]) -> None:
        self._pending = sorted((p for p in parts if p.length > 0), key=lambda p: p.start)
        self._active: list[_Reader] = []
        self.position = 0

    def read(self, count: int) -> Samples:
        lo, hi = self.position, self.position + count
        while self._pending and self._pending[0].start < hi:
            self._active.append(_Reader(self._pending.pop(0)))
        out = np.zeros((CHANNELS, count), dtype=np.float32)
        for reader in self._active:
            part = reader.part
            a, b = max(lo, part.start), min(hi, part.start + part.length)
            if b > a:
                samples = reader.read(b - a)
                samples *= part.envelope(a - part.start, b - a)
                out[:, a - lo : b - lo] += samples
        for reader in [r for r in self._active if r.part.start + r.part.length <= hi]:
            reader.close()
            self._active.remove(reader)
        self.position = hi
        np.clip(out, -1.0, 1.0, out=out)
        return out

    def close(self) -> None:
        for reader in self._active:
            reader.close()
        self._active.clear()


class SoundtrackEncoder:
    """Mixes and AAC-encodes the soundtrack on a low-priority thread of its own, ahead of
    the video, so the video loop only muxes finished packets.

    Why a thread: decoding the music and AAC encoding cost about a second per 25 s of
    video; on the video thread that second delays every frame handed to x264, while
    here it fills the gaps x264's own threads leave on the cores.  It may run up to
    ``lead`` seconds ahead (plenty of room to use idle moments; AAC packets are ~24
    KB a second, so memory stays small and flat); its packets are handed to the
    muxer (by the video thread, the only one that muxes) once the video is within
    ``mux_lead`` of them, so the file stays interleaved.
    """

    BLOCK = 1024  # AAC's frame size

    def __init__(
        self,
        mixer: Mixer,
        stream: av.AudioStream,
        total: int,
        lead: float = 30.0,
        mux_lead: float = 1.0,
    ) -> None:
        self._mixer, self._stream, self._total = mixer, stream, total
        self._lead = int(lead * SAMPLE_RATE)
        self._mux_lead = int(mux_lead * SAMPLE_RATE)
        self._held: collections.deque[_Packet] = collections.deque()
        self._allowed = 0
        self._stop = False
        self._cond = threading.Condition()
        self._packets: queue.SimpleQueue[_Packet | BaseException] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="nemo-render-audio", daemon=True)
        self._thread.start()

    def advance(self, video_samples: int) -> list[_Packet]:
        """The video has reached ``video_samples``: let the mix run ahead; take packets."""
        with self._cond:
            self._allowed = min(self._total, video_samples + self._lead)
            self._cond.notify()
        self._held.extend(self._drain())
        out = []
        while self._held and (self._held[0].pts or 0) < video_samples + self._mux_lead:
            out.append(self._held.popleft())
        return out

    def finish(self) -> list[_Packet]:
        """Encode to the end, flush the encoder; the remaining packets."""
        with self._cond:
            self._allowed = self._total
            self._cond.notify()
        self._thread.join()
        out = [*self._held, *self._drain()]
        self._held.clear()
        return out

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        self._thread.join()

    def _drain(self) -> list[_Packet]:
        out: list[_Packet] = []
        while True:
            try:
                item = self._packets.get_nowait()
            except queue.Empty:
                return out
            if isinstance(item, BaseException):
                raise item
            out.append(item)

    def _run(self) -> None:
        background()
        done = 0
        try:
            while done < self._total:
                with self._cond:
                    while not self._stop and done >= self._allowed:
                        self._cond.wait()
                    if self._stop:
                        return
                    until = self._allowed
                while done < until:
                    count = min(self.BLOCK, self._total - done)
                    samples = np.ascontiguousarray(self._mixer.read(count))
                    frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="stereo")
                    frame.sample_rate, frame.pts = SAMPLE_RATE, done
                    frame.time_base = Fraction(1, SAMPLE_RATE)
                    for packet in self._stream.encode(frame):
                        self._packets.put(packet)
                    done += count
            for packet in self._stream.encode(None):
                self._packets.put(packet)
        except BaseException as exc:  # handed to the video thread, which raises it
            self._packets.put(exc)
        finally:
            self._mixer.close()
