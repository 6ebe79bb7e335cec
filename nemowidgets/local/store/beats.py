"""The beats of a song, found in numpy: onset strength, tempo, then beat times.

Creators ask for "cuts on the beat"; that needs to know where the beats are, once,
when a song is uploaded (the result is kept with its media record).  The method is
the classic one (D. Ellis, "Beat tracking by dynamic programming", 2007), small
enough to own instead of pulling in librosa (and its numba/llvmlite/scipy stack,
hundreds of MB, for three numpy steps):

1. **Onset strength.**  The song, mono at 11 025 Hz, as a log-magnitude spectrogram
   (23 ms Hann windows, a 5.8 ms hop); the *spectral flux* (how much each band got
   louder since the frame before, summed over bands) is high where a note or a drum
   starts.  A slow local mean is taken off, so a long crescendo is not an onset.
2. **Tempo.**  The envelope's autocorrelation, weighted by a log-normal prior around
   120 BPM (people tap there, so of two octaves the likelier one wins), gives the
   beat period; it is estimated again in 8 s windows (4 s in a short song), within a
   factor 1.4 of the whole song's, so a song that speeds up or slows down is followed.
3. **Beats.**  Dynamic programming picks the chain of frames with strong onsets whose
   gaps are each close to the local period: score(t) = onset(t) + max over the
   previous beat p of score(p) - tightness * log((t - p) / period)^2.  The best
   chain, backtracked, is the beats; each is refined to its onset peak (a parabola
   through three frames), and weak beats at the start and end (silence) are dropped.

Times are seconds from the start of the file.  Only the first 10 minutes are read:
longer files are no music for a slideshow, and the upload must stay quick (a 3-minute
song takes about half a second).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["SAMPLE_RATE", "Beats", "beats_of_file", "detect_beats", "onset_envelope"]

log = logging.getLogger(__name__)

Floats = npt.NDArray[np.float64]

SAMPLE_RATE = 11_025
N_FFT = 256  # 23 ms: short, so an onset is placed within a few ms
HOP = 64  # 5.8 ms per envelope frame
MAX_SECONDS = 600.0
MIN_BPM, MAX_BPM, PRIOR_BPM = 40.0, 200.0, 120.0
TIGHTNESS = 100.0  # how strongly a beat gap must match the period (Ellis's alpha)
#: The flux of a frame reflects an onset that far after the frame's centre (measured on
#: clicks and drum hits: the window's leading edge meets the onset first).
_LAG_S = 0.5 * N_FFT / SAMPLE_RATE - 0.5 * HOP / SAMPLE_RATE
#: The least flux (summed log-magnitude rise over the bands) that is an onset at all; a
#: real one, even a soft note, is over 10 (the rounding noise of a steady tone is ~1e-9).
_MIN_FLUX = 1.0
#: Frames per FFT batch: 1024 frames of 256 samples are 2 MB a temporary (8192 were 16 MB
#: each, ~50 MB at the peak of an upload); the batch size does not change the result.
_CHUNK = 1024


@dataclass(frozen=True)
class Beats:
    """Beat times (seconds) and the average tempo, or ``bpm=None`` without a beat."""

    times: tuple[float, ...]
    bpm: float | None

    def as_record(self) -> list[float]:
        """The times as stored with the media (ms precision)."""
        return [round(t, 3) for t in self.times]


def _frames_per_second() -> float:
    return SAMPLE_RATE / HOP


def onset_envelope(samples: npt.ArrayLike, sr: int = SAMPLE_RATE) -> Floats:
    """The onset strength per frame (``HOP`` samples at ``sr``), in units of its standard
    deviation; all zero for a sound without onsets."""
    env = _flux(samples, sr)
    if float(env.max(initial=0.0)) < _MIN_FLUX:  # a steady sound (or silence): no onset
        return np.zeros(env.size)
    sd = float(env.std())
    return env / sd if sd > 0 else env


def _flux(samples: npt.ArrayLike, sr: int) -> Floats:
    """Spectral flux per frame, a slow local mean taken off (unscaled)."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    if sr != SAMPLE_RATE:
        raise ValueError(f"onset_envelope takes {SAMPLE_RATE} Hz samples, not {sr} Hz")
    if x.size < N_FFT:
        return np.zeros(0)
    padded = np.pad(x, N_FFT // 2)
    n_frames = 1 + (padded.size - N_FFT) // HOP
    window = np.hanning(N_FFT + 1)[:-1]
    bands = _bands()
    logmag = np.empty((n_frames, bands.shape[1]))
    # The frames as a strided view of the samples (no copy), windowed batch by batch.
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    for start in range(0, n_frames, _CHUNK):
        stop = min(n_frames, start + _CHUNK)
        spectrum = np.abs(np.fft.rfft(frames[start:stop] * window, axis=1))
        logmag[start:stop] = np.log1p(100.0 * (spectrum @ bands))
    flux = np.zeros(n_frames)
    flux[1:] = np.maximum(0.0, np.diff(logmag, axis=0)).sum(axis=1)
    # Off with a slow local mean (~0.4 s), so only sudden changes remain.
    width = max(3, round(0.4 * _frames_per_second()) | 1)
    kernel = np.ones(width) / width
    local = np.convolve(np.pad(flux, width // 2, mode="edge"), kernel, mode="valid")
    env: Floats = np.maximum(0.0, flux - local[: flux.size])
    return env


def _bands() -> Floats:
    """Bins -> bands a third of an octave wide (the low bins are bands of their own): a
    kick's few low bins count as much as a hi-hat's many high ones, as in a mel scale."""
    freqs = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    edges = [0.0, *np.geomspace(60.0, SAMPLE_RATE / 2, 24)[1:]]
    index = np.searchsorted(edges, freqs, side="right") - 1
    used = np.unique(index)
    matrix = (index[:, None] == used[None, :]).astype(np.float64)
    normalised: Floats = matrix / matrix.sum(axis=0)
    return normalised


def _autocorr(env: Floats) -> Floats:
    x = env - env.mean()
    n = 1 << int(np.ceil(np.log2(2 * x.size)))
    spec = np.fft.rfft(x, n)
    ac: Floats = np.fft.irfft(spec * np.conj(spec), n)[: x.size]
    return ac


def _best_period(ac: Floats, lo: float, hi: float, prior: bool) -> float | None:
    """The lag (frames, sub-frame) of the strongest autocorrelation peak in ``lo..hi``."""
    fps = _frames_per_second()
    a, b = max(2, math.floor(lo)), min(ac.size - 2, math.ceil(hi))
    if b <= a:
        return None
    lags = np.arange(a, b + 1)
    weight = np.ones(lags.size)
    if prior:  # log-normal around PRIOR_BPM, one octave wide
        bpm = 60.0 * fps / lags
        weight = np.exp(-0.5 * np.log2(bpm / PRIOR_BPM) ** 2)
    score = ac[a : b + 1] * weight
    k = int(np.argmax(score))
    if score[k] <= 0:
        return None
    lag = float(lags[k])
    if 0 < k < lags.size - 1:  # a parabola through the peak and its neighbours
        y0, y1, y2 = ac[lags[k] - 1], ac[lags[k]], ac[lags[k] + 1]
        denom = y0 - 2 * y1 + y2
        if denom < 0:
            lag += 0.5 * (y0 - y2) / denom
    return lag


def _periods(env: Floats) -> Floats | None:
    """The beat period (frames) at every frame: the song's, followed window by window."""
    fps = _frames_per_second()
    whole = _best_period(_autocorr(env), 60 * fps / MAX_BPM, 60 * fps / MIN_BPM, prior=True)
    if whole is None:
        return None
    # 8 s windows (shorter for a short song, down to 4 s: at least two windows of it).
    size = min(round(8 * fps), env.size // 2)
    if size < round(4 * fps):
        return np.full(env.size, whole)
    step = size // 4
    centres, found = [], []
    for start in range(0, env.size - size + 1, step):
        ac = _autocorr(env[start : start + size])
        local = _best_period(ac, whole / 1.4, whole * 1.4, prior=False)
        if local is not None:
            centres.append(start + size / 2)
            found.append(local)
    if not found:
        return np.full(env.size, whole)
    smooth = [float(np.median(found[max(0, i - 1) : i + 2])) for i in range(len(found))]
    return np.interp(np.arange(env.size), centres, smooth)


def _track(env: Floats, period: Floats) -> list[int]:
    """Ellis's dynamic programme: the best chain of beat frames (in order)."""
    n = env.size
    score = np.zeros(n)
    back = np.full(n, -1)
    for t in range(n):
        p = float(period[t])
        lo, hi = t - round(2 * p), t - round(p / 2)
        if hi < 0:
            score[t] = env[t]
            continue
        lo = max(0, lo)
        prev = np.arange(lo, hi + 1)
        cand = score[lo : hi + 1] - TIGHTNESS * np.log((t - prev) / p) ** 2
        k = int(np.argmax(cand))
        if cand[k] > 0:
            score[t] = env[t] + cand[k]
            back[t] = prev[k]
        else:
            score[t] = env[t]
    # The chain ends at the best score within the last period.
    tail = max(1, round(float(period[-1])))
    t = int(n - tail + np.argmax(score[n - tail :]))
    chain = []
    while t >= 0:
        chain.append(t)
        t = int(back[t])
    return chain[::-1]


def _refine(env: Floats, frame: int) -> float:
    """The onset peak near ``frame`` (two frames either side), to a fraction of a frame."""
    a, b = max(0, frame - 2), min(env.size, frame + 3)
    k = a + int(np.argmax(env[a:b]))
    if 0 < k < env.size - 1:
        y0, y1, y2 = float(env[k - 1]), float(env[k]), float(env[k + 1])
        denom = y0 - 2 * y1 + y2
        if denom < 0:
            return k + 0.5 * (y0 - y2) / denom
    return float(k)


def detect_beats(samples: npt.ArrayLike, sr: int = SAMPLE_RATE) -> Beats:
    """The beats of mono ``samples`` at ``sr`` Hz (resampled to ``SAMPLE_RATE`` if need be)."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    if sr != SAMPLE_RATE and x.size:
        x = np.interp(
            np.arange(0, x.size * SAMPLE_RATE / sr) * sr / SAMPLE_RATE, np.arange(x.size), x
        )
    raw = _flux(x, SAMPLE_RATE)
    env = onset_envelope(x)
    if env.size < 4 or not env.any():
        return Beats((), None)
    period = _periods(env)
    if period is None:
        return Beats((), None)
    chain = _track(env, period)
    # The beats from the first to the last that is on a real onset (not on silence, nor on
    # the ripple of a held note), and clearly stronger than the rest.
    near = np.array([raw[max(0, f - 2) : f + 3].max() for f in chain])
    strengths = env[chain]
    typical = float(np.median(strengths[strengths > 0])) if strengths.any() else 0.0
    idx = np.flatnonzero((near >= _MIN_FLUX) & (strengths >= 0.2 * typical))
    if idx.size < 2:
        return Beats((), None)
    chain = chain[idx[0] : idx[-1] + 1]
    fps = _frames_per_second()
    times = tuple(float(max(0.0, _refine(env, f) / fps + _LAG_S)) for f in chain)
    span = times[-1] - times[0]
    bpm = 60.0 * (len(times) - 1) / span if span > 0 else None
    return Beats(times, None if bpm is None else round(float(bpm), 2))


def decode_mono(path: Path, max_seconds: float = MAX_SECONDS) -> Floats:
    """The file's sound, mono at ``SAMPLE_RATE``, at most ``max_seconds`` of it (PyAV)."""
    import av

    chunks: list[Floats] = []
    limit = int(max_seconds * SAMPLE_RATE)
    got = 0
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return np.zeros(0)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        for frame in container.decode(container.streams.audio[0]):
            for out in resampler.resample(frame):
                block = out.to_ndarray().reshape(-1).astype(np.float64)
                chunks.append(block)
                got += block.size
            if got >= limit:
                break
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1).astype(np.float64))
    return np.concatenate(chunks)[:limit] if chunks else np.zeros(0)


def beats_of_file(path: Path) -> Beats:
    """The beats of an audio (or video) file; no beats when it cannot be read."""
    try:
        samples = decode_mono(Path(path))
    except Exception as exc:  # a file the probe accepted but the decoder chokes on
        log.warning("beat detection skipped for %s: %s", Path(path).name, type(exc).__name__)
        return Beats((), None)
    return detect_beats(samples)
