"""Helpers of the renderer tests: sample media, small drafts, and MP4s decoded with PyAV."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from nemowidgets.samples import make_music, make_photo, photo_color

SMALL = (320, 180)
#: Landscape, portrait and square, so fitting is exercised on every render.
SMALL_PHOTO_SIZES = ((480, 360), (270, 480), (400, 400), (640, 360))


def photos(folder: Path, count: int, sizes=SMALL_PHOTO_SIZES) -> dict[str, Path]:
    """``count`` sample photos as a media map ``{"p0": path, ...}``."""
    return {
        f"p{i}": make_photo(folder / f"photo_{i}.jpg", i, sizes[i % len(sizes)])
        for i in range(count)
    }


def slideshow(
    ids: list[str],
    *,
    seconds: float = 1.0,
    transition: str | None = "crossfade",
    tr_ms: int = 300,
    music: str | None = None,
    fade_out: int = 500,
    loop: bool = True,
    volume: float = 1.0,
    size: tuple[int, int] = SMALL,
    fps: int = 30,
    fit: str = "blur",
    kb: dict | None = None,
    titles: list[dict] | None = None,
) -> dict:
    """A draft following the protocol's timing rule (like the agent's)."""
    segments, start = [], 0
    length = round(seconds * 1000)
    for i, media_id in enumerate(ids):
        seg = {
            "id": f"seg_{i + 1}",
            "s": start,
            "d": length,
            "src": media_id,
            "n": f"{media_id}.jpg",
            "k": "image",
        }
        overlap = 0
        if transition and i < len(ids) - 1:
            seg["tr"] = {"type": transition, "d": tr_ms}
            overlap = tr_ms if transition != "none" else 0
        if kb is not None:
            seg["kb"] = kb
        segments.append(seg)
        start += length - overlap
    total = segments[-1]["s"] + segments[-1]["d"]
    tracks = [{"tt": 0, "n": "Photos", "sg": segments}]
    if music:
        tracks.append(
            {
                "tt": 1,
                "n": "Music",
                "sg": [
                    {
                        "id": "seg_music",
                        "s": 0,
                        "d": total,
                        "src": music,
                        "n": "music.wav",
                        "k": "audio",
                        "in": 0,
                        "vol": volume,
                        "fi": 0,
                        "fo": fade_out,
                        "loop": loop,
                    }
                ],
            }
        )
    if titles:
        tracks.append({"tt": 7, "n": "Titles", "sg": titles})
    return {
        "t": tracks,
        "d": total,
        "m": {"width": size[0], "height": size[1], "fps": fps, "fit": fit, "title": None},
    }


@dataclass
class Decoded:
    """What a player would see and hear."""

    frames: list[np.ndarray]  # RGB
    fps: Fraction
    width: int
    height: int
    duration: float  # seconds, from the container
    video_codec: str
    pix_fmt: str
    audio_codec: str | None
    sample_rate: int | None
    channels: int | None
    audio: np.ndarray | None  # (channels, samples) float32

    def rms(self, start: float, end: float) -> float:
        assert self.audio is not None
        assert self.sample_rate
        a, b = int(start * self.sample_rate), int(end * self.sample_rate)
        chunk = self.audio[:, a:b]
        return float(np.sqrt(np.mean(chunk.astype(np.float64) ** 2))) if chunk.size else 0.0


def decode(path: Path) -> Decoded:
    with av.open(str(path)) as container:
        vstream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(vstream)]
        info = (
            vstream.average_rate,
            vstream.codec_context.width,
            vstream.codec_context.height,
            container.duration / 1_000_000,
            vstream.codec_context.name,
            vstream.codec_context.pix_fmt,
        )
    audio = codec = rate = channels = None
    with av.open(str(path)) as container:
        if container.streams.audio:
            astream = container.streams.audio[0]
            codec, rate = astream.codec_context.name, astream.codec_context.sample_rate
            channels = astream.codec_context.channels
            blocks = [f.to_ndarray() for f in container.decode(astream)]
            audio = np.concatenate(blocks, axis=1) if blocks else np.zeros((channels, 0))
    return Decoded(frames, *info, codec, rate, channels, audio)


def mean_rgb(
    frame: np.ndarray,
    box: tuple[float, float, float, float] = (0.4, 0.45, 0.6, 0.6),
) -> np.ndarray:
    """Mean colour of a region given as fractions (x0, y0, x1, y1); default: the centre."""
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = box
    region = frame[int(y0 * h) : int(y1 * h), int(x0 * w) : int(x1 * w)]
    return region.reshape(-1, 3).mean(axis=0)


def nearest_photo(rgb: np.ndarray, count: int) -> int:
    """Which sample photo's colour is closest (by hue direction, as brightness varies)."""

    def unit(v) -> np.ndarray:
        v = np.asarray(v, dtype=np.float64)
        v = v - v.mean()
        return v / (np.linalg.norm(v) or 1.0)

    scores = [float(unit(rgb) @ unit(photo_color(i))) for i in range(count)]
    return int(np.argmax(scores))


def music(folder: Path, seconds: float) -> Path:
    return make_music(folder / "music.wav", seconds)


def sine_clip(
    path: Path,
    *,
    seconds: float = 2.0,
    size: tuple[int, int] = (320, 240),
    fps: int = 25,
    tone: float = 440.0,
) -> Path:
    """An MP4 whose picture is blue for the first second and green after, with a tone."""
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
        audio = container.add_stream("aac", rate=44100)
        audio.layout = "mono"
        for i in range(int(seconds * fps)):
            colour = (30, 60, 220) if i < fps else (40, 200, 60)
            pixels = np.empty((size[1], size[0], 3), np.uint8)
            pixels[...] = colour
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = i
            for packet in video.encode(frame):
                container.mux(packet)
        samples = int(seconds * 44100)
        t = np.arange(samples) / 44100
        wave = (0.5 * np.sin(2 * math.pi * tone * t)).astype(np.float32)[None, :]
        for start in range(0, samples, 1024):
            block = np.ascontiguousarray(wave[:, start : start + 1024])
            frame = av.AudioFrame.from_ndarray(block, format="flt", layout="mono")
            frame.sample_rate, frame.pts = 44100, start
            frame.time_base = Fraction(1, 44100)
            for packet in audio.encode(frame):
                container.mux(packet)
        for stream in (video, audio):
            for packet in stream.encode(None):
                container.mux(packet)
    return path
