"""Sample photos and music, made on the fly: no download, no licence to worry about.

The quickstart, the CLI's ``render --sample`` and the tests all use these, so a
fresh install works offline.  Photos are distinct on purpose (hue, layout and a
big number), which lets tests tell which photo a rendered frame shows.
"""

from __future__ import annotations

import colorsys
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = ["make_music", "make_photo", "make_samples", "photo_color"]

#: Photo sizes of mixed shapes (landscape, portrait, square), up to 12 MP.
SAMPLE_SIZES: tuple[tuple[int, int], ...] = (
    (1600, 1200),
    (1080, 1350),
    (1200, 1200),
    (1920, 1080),
    (900, 1600),
)


def photo_color(index: int) -> tuple[int, int, int]:
    """The dominant colour of sample photo ``index`` (well apart from its neighbours)."""
    hue = (index * 0.381966) % 1.0  # golden-ratio steps keep neighbours apart
    r, g, b = colorsys.hsv_to_rgb(hue, 0.65, 0.9)
    return int(r * 255), int(g * 255), int(b * 255)


def make_photo(
    path: str | Path,
    index: int = 0,
    size: tuple[int, int] | None = None,
    *,
    label: str | None = None,
    quality: int = 90,
) -> Path:
    """Write a sample photo: a soft gradient in ``photo_color(index)`` with a label."""
    path = Path(path)
    width, height = size or SAMPLE_SIZES[index % len(SAMPLE_SIZES)]
    base = np.array(photo_color(index), dtype=np.float32)
    yy = np.linspace(0.75, 1.1, height, dtype=np.float32)[:, None, None]
    xx = np.linspace(0.95, 1.05, width, dtype=np.float32)[None, :, None]
    pixels = np.clip(base[None, None, :] * yy * xx, 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    short = min(width, height)
    # A sun and a horizon, so Ken Burns motion and fitting are visible.
    cx, cy, r = int(width * 0.7), int(height * 0.3), short // 8
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 244, 214))
    draw.rectangle((0, int(height * 0.72), width, height), fill=tuple(int(c * 0.45) for c in base))
    font = ImageFont.load_default(size=max(12, short // 6))
    text = label if label is not None else str(index + 1)
    draw.text((width * 0.08, height * 0.08), text, fill=(255, 255, 255), font=font)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = "JPEG" if path.suffix.lower() in {".jpg", ".jpeg"} else None
    if fmt == "JPEG":
        image.save(path, fmt, quality=quality)
    else:
        image.save(path)
    return path


def make_music(
    path: str | Path,
    seconds: float = 10.0,
    *,
    sample_rate: int = 44100,
    notes: tuple[float, ...] = (261.63, 329.63, 392.0, 523.25),
) -> Path:
    """Write a gentle arpeggio as WAV, MP3, M4A or AAC (by the path's extension)."""
    import av

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = int(seconds * sample_rate)
    t = np.arange(n, dtype=np.float64) / sample_rate
    note_len = 0.25
    freq = np.array(notes)[(t / note_len).astype(int) % len(notes)]
    envelope = np.exp(-3.0 * (t % note_len))
    wave = 0.3 * np.sin(2 * math.pi * freq * t) * envelope
    pcm = (np.clip(wave, -1, 1) * 32767).astype(np.int16)
    stereo = np.stack([pcm, pcm])  # planar

    ext = path.suffix.lower().lstrip(".")
    codec, container_fmt = {
        "wav": ("pcm_s16le", "wav"),
        "mp3": ("libmp3lame", "mp3"),
        "m4a": ("aac", "mp4"),
        "aac": ("aac", "adts"),
    }[ext]
    with av.open(str(path), "w", format=container_fmt) as container:
        stream = container.add_stream(codec, rate=sample_rate)
        stream.layout = "stereo"
        chunk = 1024
        for start in range(0, n, chunk):
            block = np.ascontiguousarray(stereo[:, start : start + chunk])
            frame = av.AudioFrame.from_ndarray(block, format="s16p", layout="stereo")
            frame.sample_rate = sample_rate
            frame.pts = start
            frame.time_base = Fraction(1, sample_rate)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def make_samples(folder: str | Path, photos: int = 5, music_seconds: float = 12.0) -> list[Path]:
    """Write ``photos`` sample photos and one music file into ``folder``; return the paths."""
    folder = Path(folder)
    paths = [make_photo(folder / f"photo_{i + 1:02d}.jpg", i) for i in range(photos)]
    paths.append(make_music(folder / "music.mp3", music_seconds))
    return paths
