"""A browser file checked by its name and size before any of it is sent.

The page asks before it sends a file's first chunk: a file refused after minutes of
sending would waste the user's time.  Kept apart from the Uploader because the
DropZone calls it, and because the limit it explains is the browser's own.
"""

from __future__ import annotations

from nemowidgets.api.errors import FileTooLargeError, UnsupportedFileError
from nemowidgets.protocol import MAX_UPLOAD_BYTES, media_kind
from nemowidgets.widgets._base import human_size

__all__ = ["BROWSER_UPLOAD_LIMIT", "browser_precheck"]

#: Jupyter Server's default limit on one websocket message from the browser
#: (tornado ``websocket_max_message_size``); the DropZone's chunks stay far below it.
BROWSER_UPLOAD_LIMIT = 10 * 1024 * 1024


def browser_precheck(name: str, size: int) -> None:
    """Refuse a browser file by its name and size, before any of it is sent.

    The same rules as the full check after the transfer (which also reads the
    magic bytes), so a file is not sent for minutes only to be refused.
    """
    if media_kind(name) is None:
        ext = name.rsplit(".", 1)[-1].lower() if "." in name.strip(".") else ""
        what = f".{ext} files are" if ext else "a file without an extension is"
        raise UnsupportedFileError(f"{name}: {what} not supported.", filename=name)
    if size == 0:
        raise UnsupportedFileError(
            f"{name} is empty (0 bytes).",
            hint="Pick the file again; it may not have been saved or copied completely.",
            filename=name,
        )
    if size > MAX_UPLOAD_BYTES:
        raise FileTooLargeError(
            f"{name} is {human_size(size)}, over the {MAX_UPLOAD_BYTES // 1024**2} MB limit.",
            filename=name,
        )
