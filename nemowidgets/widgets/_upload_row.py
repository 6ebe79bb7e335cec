"""One file in the Uploader's list: its row of widgets and its state (no file bytes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as W

from nemowidgets.api.errors import UnsupportedFileError
from nemowidgets.protocol import media_kind
from nemowidgets.widgets._base import human_size, kind_label, linkify

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.api.models import MediaInfo
    from nemowidgets.session import Upload

__all__ = ["FORMATS_HINT", "THUMB_PX", "UploadRow"]

THUMB_PX = 56
#: The supported formats, said once under the list rather than in every refused row.
FORMATS_HINT = UnsupportedFileError.default_hint
#: Simple vector icons (no emoji font needed) for files without a picture.
_ICONS = {
    "audio": "<circle cx='22' cy='38' r='6'/><circle cx='38' cy='34' r='6'/>"
    "<path d='M27 38V16l17-4v22' stroke='#3949ab' stroke-width='3' fill='none'/>",
    "video": "<rect x='12' y='16' width='32' height='24' rx='3'/>"
    "<path d='M24 22v12l10-6z' fill='#e8eaf6'/>",
}
_GENERIC_ICON = "<path d='M18 12h14l8 8v24H18z' fill='none' stroke='#3949ab' stroke-width='3'/>"


def _icon(kind: str) -> bytes:
    shape = _ICONS.get(kind, _GENERIC_ICON)
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{THUMB_PX}' height='{THUMB_PX}' "
        f"viewBox='0 0 {THUMB_PX} {THUMB_PX}'><rect width='100%' height='100%' rx='6' "
        f"fill='#e8eaf6'/><g fill='#3949ab'>{shape}</g></svg>"
    ).encode()


class UploadRow:
    """One file of the list and its row of widgets (no file bytes are kept)."""

    #: The statuses of files that could not be used (listed below the others).
    BAD = frozenset({"invalid", "failed"})

    def __init__(self, key: int, name: str, size: int | None, source: str) -> None:
        self.key = key
        self.name = name
        self.size = size
        self.kind = media_kind(name) or "?"
        self.source = source  # "browser" | "kernel" | "session"
        self.status = "queued"  # queued uploading uploaded | invalid failed gone
        self.error = ""
        self.media: MediaInfo | None = None
        self.upload: Upload | None = None  # its upload, running on the Session's loop
        self.removed = False
        self.has_thumb = False
        self.progress = 0.0
        self.thumb = W.Image(
            value=_icon(self.kind),
            format="svg+xml",
            layout=W.Layout(
                width=f"{THUMB_PX}px", height=f"{THUMB_PX}px", object_fit="contain", flex="none"
            ),
        )
        self.info = W.HTML(layout=W.Layout(flex="1 1 auto", min_width="8em", margin="0 0 0 10px"))
        self.bar = W.FloatProgress(
            value=0.0,
            min=0.0,
            max=1.0,
            description="",
            layout=W.Layout(width="7em", visibility="hidden"),
        )
        self.bar.add_class("nemo-upload-progress")
        self.remove = W.Button(
            description="Remove",
            tooltip=f"Remove {name} from the list",
            layout=W.Layout(width="auto", flex="none"),
        )
        self.remove.add_class("nemo-remove")
        self.row = W.HBox(
            [self.thumb, self.info, self.bar, self.remove],
            layout=W.Layout(align_items="center", width="100%"),
        )
        self.row.add_class("nemo-upload-item")

    def as_dict(self) -> dict[str, Any]:
        """The row as plain data: name, size, kind, status and error."""
        return {
            "name": self.name,
            "size": self.size,
            "kind": self.kind,
            "status": self.status,
            "error": self.error,
        }

    def set_thumb(self, jpeg: bytes | None) -> None:
        if jpeg:
            self.thumb.format = "jpeg"
            self.thumb.value = jpeg
            self.has_thumb = True

    def render(self) -> None:
        esc = linkify
        meta = " · ".join(x for x in (kind_label(self.kind), human_size(self.size)) if x)
        if self.media is not None and self.media.duration:
            meta += f" · {self.media.duration:.1f} s"
        status = {
            "queued": "waiting…",
            "uploading": "uploading…",
            "uploaded": "✓ uploaded",
            "gone": "not in the current session: add it again",
        }.get(self.status, "")
        body = f"<b>{esc(self.name)}</b><br><span class='nemo-muted'>{esc(meta)}"
        body += f" · {esc(status)}</span>" if status else "</span>"
        error = self.error.replace(FORMATS_HINT, "").strip()  # said once, under the list
        if error:
            body += f"<br><span class='nemo-error-text' role='alert'>✗ {esc(error)}</span>"
        self.info.value = body
        self.bar.layout.visibility = "visible" if self.status == "uploading" else "hidden"
        if self.status == "uploaded":
            self.bar.value = 1.0
