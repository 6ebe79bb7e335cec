"""Files on the kernel's machine: which to upload, the pre-check, thumbnails, probing.

Kept apart from the Session's media library so that it stays about the
session's media.  Everything here is blocking (disk, Pillow, PyAV); the Session
calls it through ``asyncio.to_thread`` so its event loop never stalls on a big
photo.  The Uploader widget uses the same rules through the public
``Session.media_files_in`` and ``Session.check_upload``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nemowidgets.api.errors import MediaError
from nemowidgets.api.media import check_upload as _check_upload
from nemowidgets.protocol import SUPPORTED_FORMATS_TEXT, media_kind

__all__ = [
    "ClientItem",
    "UploadItem",
    "check_file",
    "expand_items",
    "image_thumbnail",
    "media_files_in",
    "probe_video",
    "video_thumbnail",
]

#: What ``Session.upload`` takes, per item: a path (file or folder) or ``(name, bytes)``.
UploadItem = str | Path | tuple[str, bytes]
#: What the client uploads, per file: a path on disk or ``(name, bytes)``.
ClientItem = Path | tuple[str, bytes]
THUMB_SIZE = 160


def check_file(item: str | os.PathLike[str] | tuple[str, bytes]) -> None:
    """The check every file passes before it is sent (format, magic bytes, size).

    Raises a :class:`MediaError` naming the file and what to do.
    """
    _check_upload(item)


def media_files_in(folder: Path) -> list[Path]:
    """The supported media files directly in ``folder``, sorted by name (hidden ones skipped).

    One rule for ``Session.upload(folder)`` and the Uploader's Add button, so a
    folder means the same files, in the same order, on both paths.
    """
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and media_kind(p.name)
    )


def _is_bytes_item(item: Any) -> bool:
    return (
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[0], str)
        and isinstance(item[1], (bytes, bytearray, memoryview))
    )


def _bad_pair(item: Any) -> bool:
    """A ``(filename, something)`` tuple whose second item is neither bytes nor a path."""
    return (
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[0], str)
        and not isinstance(item[1], (str, os.PathLike, bytes, bytearray, memoryview))
    )


def _as_list(items: Any) -> list[Any]:
    """``items`` as a list of single items: one path or pair, or an iterable of them."""
    if isinstance(items, (str, os.PathLike)) or _is_bytes_item(items) or _bad_pair(items):
        return [items]
    if isinstance(items, (bytes, bytearray, memoryview)):
        raise MediaError(
            "items: bare bytes have no file name; pass a (filename, bytes) pair "
            "such as ('photo.jpg', data).",
            field="items",
        )
    if isinstance(items, dict) or not isinstance(items, Iterable):
        raise MediaError(
            f"items: cannot upload a {type(items).__name__}; pass a file or "
            "folder path, a (filename, bytes) pair, or a list of those.",
            field="items",
        )
    return list(items)


def _files_of_path(path: Path) -> list[Path]:
    """A file, or the supported files of a folder; a clear error for anything else."""
    if path.is_dir():
        files = media_files_in(path)
        if not files:
            raise MediaError(
                f"{path}: this folder has no supported media files.",
                hint=f"Supported formats: {SUPPORTED_FORMATS_TEXT}.",
                filename=str(path),
            )
        return files
    if path.is_file():
        return [path]
    raise MediaError(
        f"{path}: no such file or folder.",
        hint="Check the path (relative paths start at the notebook's folder).",
        filename=str(path),
    )


def _expand_one(item: Any) -> list[tuple[ClientItem, Path | None]]:
    if _is_bytes_item(item):
        return [((item[0], bytes(item[1])), None)]
    if _bad_pair(item):
        raise MediaError(
            f"items: the pair ({item[0]!r}, …) must hold the file's bytes second, "
            f"not a {type(item[1]).__name__}.",
            field="items",
            filename=item[0],
        )
    if not isinstance(item, (str, os.PathLike)) or (isinstance(item, str) and not item.strip()):
        raise MediaError(
            f"items: cannot upload {item!r:.60}: pass a file or folder path, "
            "or a (filename, bytes) pair.",
            field="items",
        )
    return [(p, p) for p in _files_of_path(Path(item).expanduser())]


def expand_items(items: UploadItem | Iterable[UploadItem]) -> list[tuple[ClientItem, Path | None]]:
    """Flatten ``items`` into ``(item for the client, source path or None)`` pairs.

    A folder becomes every supported file directly inside it, sorted by name
    (hidden files skipped); a missing path or an empty folder is a
    :class:`MediaError` naming it, raised before anything is sent.
    """
    out = [pair for item in _as_list(items) for pair in _expand_one(item)]
    if not out:
        raise MediaError("Nothing to upload: give a file, a folder or a (name, bytes) pair.")
    return out


def _jpeg(image: Any, size: int) -> bytes:
    from PIL import Image

    image = image.convert("RGB")
    image.thumbnail((size, size), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def image_thumbnail(source: Path | bytes, size: int = THUMB_SIZE) -> bytes:
    """A small JPEG of an image (a file or its bytes), turned upright by its EXIF orientation."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
        image.draft("RGB", (size * 2, size * 2))  # JPEG: decode at a reduced scale
        return _jpeg(ImageOps.exif_transpose(image), size)


def video_thumbnail(path: Path, size: int = THUMB_SIZE) -> bytes | None:
    """A small JPEG of a video's first frame, or ``None`` when it has no video."""
    import av

    with av.open(str(path)) as container:
        if not container.streams.video:
            return None
        for frame in container.decode(video=0):
            return _jpeg(frame.to_image(), size)
    return None


def probe_video(path: Path) -> tuple[float | None, int | None, int | None]:
    """``(duration s, width, height)`` of an MP4, decoded by PyAV's demuxer."""
    import av

    with av.open(str(path)) as container:
        duration = container.duration / 1_000_000 if container.duration else None
        stream = container.streams.video[0] if container.streams.video else None
        if stream is None:
            return duration, None, None
        if duration is None and stream.duration and stream.time_base:
            duration = float(stream.duration * stream.time_base)
        return duration, stream.codec_context.width, stream.codec_context.height
