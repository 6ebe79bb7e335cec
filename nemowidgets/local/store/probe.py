"""What an uploaded file really is: decoding it, its size and length, its thumbnail.

The third gate of an upload (``upload_checks`` holds the first two: the name and
the format by its first bytes).  :func:`probe` on the whole file (in a worker
thread) — Pillow for images (size after EXIF orientation, a decompression-bomb
check, a full decode so truncation is caught; an animated image counts as its
first frame), PyAV for audio/video (streams, duration, size, fps, one decoded
frame).  It also writes a ~160 px JPEG thumbnail (a waveform for audio).  It
refuses with the same :class:`MediaRejected` as the first two gates.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageOps

from nemowidgets.local.store.space import is_disk_full
from nemowidgets.local.store.upload_checks import SUPPORTED, MediaRejected
from nemowidgets.protocol import FORMAT_KINDS

if TYPE_CHECKING:  # PyAV and NumPy are imported where they are used: they are heavy
    import numpy as np
    from av import AudioStream, VideoStream
    from av.container import InputContainer
    from av.stream import Stream

__all__ = ["MAX_IMAGE_PIXELS", "Probe", "probe"]

#: Larger photos are refused: 64 MP covers every phone and most cameras, and a
#: decoded 64 MP frame (~190 MB) is as much as the renderer should ever hold.
MAX_IMAGE_PIXELS = 64_000_000
#: A longer side is refused even within the pixel budget (a 40000x1500 strip).
MAX_IMAGE_SIDE = 30000
MAX_VIDEO_SIDE = 8192
THUMB_SIZE = 160


@dataclass
class Probe:
    """What probing found: the protocol's fields plus the real format."""

    file_type: str  # "image" | "video" | "audio"
    format: str
    duration: float | None = None  # seconds
    width: int | None = None
    height: int | None = None
    fps: float | None = None


def probe(path: Path, filename: str, fmt: str, thumb_path: Path) -> Probe:
    """Probe a stored upload and write its thumbnail; refuse what cannot be used.

    Runs in a worker thread: it decodes (a frame, an image), which takes a while.
    """
    if FORMAT_KINDS.get(fmt) == "image":
        return _probe_image(path, filename, fmt, thumb_path)
    return _probe_av(path, filename, fmt, thumb_path)


def _probe_image(path: Path, filename: str, fmt: str, thumb_path: Path) -> Probe:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise _bomb(filename, None, int(found.group(1)) if found else None) from None
    except Exception as exc:
        raise MediaRejected(
            f"{filename} cannot be read as an image ({_short(exc)}). It may be corrupt; {SUPPORTED}"
        ) from None
    with image:
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS or max(width, height) > MAX_IMAGE_SIDE:
            raise _bomb(filename, (width, height))
        # An animated GIF/WebP/PNG is taken as a still: its first frame (the renderer
        # shows photos; convert an animation to MP4 to use it as a clip).
        try:
            orientation = int(image.getexif().get(0x0112, 1))
        except Exception:
            orientation = 1
        if orientation in (5, 6, 7, 8):
            width, height = height, width
        try:
            image.draft("RGB", (THUMB_SIZE * 2, THUMB_SIZE * 2))  # JPEG: decode scaled down
            image.load()  # a full decode: truncated or corrupt data fails here
            thumb = ImageOps.exif_transpose(image)
        except Image.DecompressionBombError:
            raise _bomb(filename, (width, height)) from None
        except Exception as exc:
            raise MediaRejected(
                f"{filename} is corrupt or truncated ({_short(exc)}). Export or "
                f"save the photo again and upload the new file."
            ) from None
        _save_thumbnail(thumb, thumb_path)
    return Probe("image", fmt, None, width, height, None)


def _bomb(filename: str, size: tuple[int, int] | None, pixels: int | None = None) -> MediaRejected:
    pixels = size[0] * size[1] if size else pixels
    dims = f"{size[0]}x{size[1]} pixels, " if size else ""
    dims = f" ({dims}{pixels / 1e6:.0f} megapixels)" if pixels else ""
    limit = MAX_IMAGE_PIXELS // 1_000_000
    return MediaRejected(
        f"{filename} is too large an image{dims}: photos up to {limit} megapixels are "
        f"accepted (larger ones may be decompression bombs).",
        hint=resize_hint(size),
    )


def resize_hint(size: tuple[int, int] | None) -> str:
    """How to make a too-large photo fit: the largest size of the same shape that is taken."""
    limit = MAX_IMAGE_PIXELS // 1_000_000
    if not size:
        return (
            f"Resize it to at most {limit} megapixels (e.g. 8000x8000 or less) in a photo "
            "editor, then upload it again."
        )
    width, height = size
    scale = min((MAX_IMAGE_PIXELS / (width * height)) ** 0.5, MAX_IMAGE_SIDE / max(size), 1.0)
    fit_w, fit_h = max(1, math.floor(width * scale)), max(1, math.floor(height * scale))
    return (
        f"Resize it to at most {fit_w}x{fit_h} pixels ({limit} megapixels, same shape) in a "
        f"photo editor, or with Pillow: im.thumbnail(({fit_w}, {fit_h})); im.save(...). "
        "Then upload it again."
    )


def _save_thumbnail(image: Image.Image, thumb_path: Path) -> None:
    # Lazily: importing the renderer's package loads PyAV.
    from nemowidgets.local.render.image_modes import to_rgb

    shown = to_rgb(image)  # a 16-bit PNG scaled to 8 bits, not clipped to white
    image = shown.copy() if shown is image else shown
    image.thumbnail((THUMB_SIZE, THUMB_SIZE))
    if image.mode == "RGBA":
        backdrop = Image.new("RGBA", image.size, (40, 40, 40, 255))
        image = Image.alpha_composite(backdrop, image)
    image.convert("RGB").save(thumb_path, "JPEG", quality=80)


def _probe_av(path: Path, filename: str, fmt: str, thumb_path: Path) -> Probe:
    import av  # heavy import; only needed for audio and video

    try:
        container = av.open(str(path), metadata_errors="ignore")
    except Exception as exc:
        raise MediaRejected(
            f"{filename} cannot be opened as {fmt.upper()} ({_short(exc)}). "
            f"It may be corrupt or incomplete. {SUPPORTED}"
        ) from None
    with container:
        video = next(
            (
                s
                for s in container.streams.video
                if not s.disposition & av.stream.Disposition.attached_pic
            ),
            None,
        )
        audio = next(iter(container.streams.audio), None)
        main = video if video is not None else audio
        if main is None:
            raise MediaRejected(f"{filename} has no video or audio stream. {SUPPORTED}")
        duration = _duration(container, main)
        if not duration or duration <= 0:
            raise MediaRejected(
                f"{filename} has no playable content (duration 0). It may be corrupt or incomplete."
            )
        try:
            if video is not None:
                return _probe_video(container, video, filename, fmt, duration, thumb_path)
            if audio is not None:
                return _probe_audio(container, audio, filename, fmt, duration, thumb_path)
            raise AssertionError("unreachable: main is one of the two")
        except MediaRejected:
            raise
        except Exception as exc:
            if is_disk_full(exc):  # writing the thumbnail failed: the disk, not the file
                raise
            raise MediaRejected(
                f"{filename} cannot be decoded ({_short(exc)}). It may be corrupt; "
                f"re-export it and upload it again."
            ) from None


def _duration(container: InputContainer, stream: Stream) -> float | None:
    if stream.duration is not None and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return float(container.duration) / 1_000_000
    end = None  # no header duration (e.g. some WebM): demux, without decoding
    for packet in container.demux(stream):
        if packet.pts is not None and packet.time_base:
            t = float((packet.pts + (packet.duration or 0)) * packet.time_base)
            end = t if end is None else max(end, t)
    container.seek(0)
    return end


def _probe_video(
    container: InputContainer,
    video: VideoStream,
    filename: str,
    fmt: str,
    duration: float,
    thumb_path: Path,
) -> Probe:
    ctx = video.codec_context
    width, height = int(ctx.width or 0), int(ctx.height or 0)
    if not width or not height or max(width, height) > MAX_VIDEO_SIDE:
        raise MediaRejected(
            f"{filename}: video size {width}x{height} is not supported "
            f"(up to {MAX_VIDEO_SIDE} pixels a side)."
        )
    rate = video.average_rate or video.guessed_rate or video.base_rate
    fps = round(float(rate), 3) if rate else None
    target = min(1.0, duration / 4)
    frame = None
    for count, decoded in enumerate(container.decode(video)):
        frame = decoded
        if count >= 60 or (decoded.time is not None and decoded.time >= target):
            break
    if frame is None:
        raise MediaRejected(f"{filename}: no video frame could be decoded; it may be corrupt.")
    if getattr(frame, "rotation", 0) in (90, -90, 270, -270):
        width, height = height, width
    scale = THUMB_SIZE / max(frame.width, frame.height)
    pixels = frame.reformat(
        width=max(2, round(frame.width * scale)),
        height=max(2, round(frame.height * scale)),
        format="rgb24",
    ).to_ndarray()
    thumb = Image.fromarray(pixels)
    rotation = getattr(frame, "rotation", 0)
    if rotation:
        thumb = thumb.rotate(rotation, expand=True)
    _save_thumbnail(thumb, thumb_path)
    return Probe("video", fmt, round(duration, 3), width, height, fps)


def _probe_audio(
    container: InputContainer,
    audio: AudioStream,
    filename: str,
    fmt: str,
    duration: float,
    thumb_path: Path,
) -> Probe:
    import av
    import numpy as np

    resampler = av.AudioResampler(format="s16", layout="mono", rate=8000)
    chunks = []
    seconds = 0.0
    for frame in container.decode(audio):
        for out in resampler.resample(frame):
            chunks.append(out.to_ndarray().reshape(-1))
            seconds += out.samples / 8000
        if seconds >= 20:
            break
    if not chunks:
        raise MediaRejected(f"{filename}: no audio could be decoded; it may be corrupt.")
    samples = np.abs(np.concatenate(chunks).astype(np.float32))
    _waveform(samples, thumb_path)
    return Probe("audio", fmt, round(duration, 3), None, None, None)


def _waveform(samples: np.ndarray, thumb_path: Path) -> None:
    """A small bar waveform of the first seconds: tells music files apart at a glance."""
    import numpy as np

    width, height, bars = THUMB_SIZE, 90, 32
    image = Image.new("RGB", (width, height), (34, 40, 58))
    draw = ImageDraw.Draw(image)
    levels = [
        float(np.sqrt(np.mean(part**2))) if part.size else 0.0
        for part in np.array_split(samples, bars)
    ]
    peak = max(levels) or 1.0
    step = width / bars
    for i, level in enumerate(levels):
        h = max(2.0, (level / peak) * (height - 16))
        x = i * step + step * 0.2
        draw.rectangle(
            (x, (height - h) / 2, x + step * 0.6, (height + h) / 2), fill=(120, 190, 255)
        )
    image.save(thumb_path, "JPEG", quality=80)


def _short(exc: BaseException) -> str:
    """An error's text without file paths: Pillow's and PyAV's errors name the server's own
    file, and where a server keeps its data is none of a client's business."""
    text = (getattr(exc, "strerror", None) or str(exc)).strip() or type(exc).__name__
    text = re.sub(r"""\s*['"]?(?:[A-Za-z]:)?[\\/][^'"\s]*[\\/][^'"\s]*['"]?""", "", text)
    text = text.strip(" :") or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."
