"""Uploader: photos, music and clips from the browser or from the kernel's machine.

Two sources, because of where the bytes are:

* **The browser** (:class:`~nemowidgets.widgets.dropzone.DropZone`): a "From
  browser" picker, and a drop anywhere on the Studio.  Jupyter Server refuses
  a websocket message over :data:`BROWSER_UPLOAD_LIMIT` (10 MiB), so the page
  sends each file in chunks with back-pressure; the kernel writes them to a
  file on disk and the Session streams that file to the server, like a file
  of the kernel's machine: no size limit but the server's, no copy in memory.
* **The kernel's machine** (a folder picker + Add): pick a file, or a folder
  to add every supported file in it; the Session streams it from disk.

Every file is checked before it is sent (``Session.check_upload``: format, magic
bytes, size; a browser file's name and size already before its first chunk) and
the error is shown beside it; a folder means the files ``Session.media_files_in``
lists (the same rule as ``Session.upload(folder)``).  Removing a file cancels its
upload through its ``Session.start_upload`` handle; removing an uploaded file takes
it out of the video and the media list (``Session.aremove_media``: one undoable
draft version).  Files that could not be used are listed below the good ones, with
the supported formats said once.  Uploaded bytes never stay in widget state that a
notebook saves.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import ipywidgets as W

from nemowidgets.api.errors import ConfigurationError
from nemowidgets.protocol import SUPPORTED_EXTENSIONS
from nemowidgets.widgets._base import (
    CSS,
    Coalescer,
    SessionWidget,
    Thumbnails,
    describe_error,
    linkify,
    media_key,
    small_jpeg,
)
from nemowidgets.widgets._browser_check import BROWSER_UPLOAD_LIMIT, browser_precheck
from nemowidgets.widgets._upload_row import FORMATS_HINT, THUMB_PX, UploadRow
from nemowidgets.widgets.dropzone import DropZone

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.api.models import MediaInfo
    from nemowidgets.session import Session

__all__ = ["BROWSER_UPLOAD_LIMIT", "Uploader"]

#: A browser photo up to this size gets its thumbnail from the file at once.
_THUMB_FROM_FILE_LIMIT = 25 * 1024 * 1024


class Uploader(SessionWidget):
    """Add media from the browser or the kernel's disk; see each file's progress and errors.

    ``path``: the folder the file chooser opens in (default: the current
    working directory, read when the widget is made).
    """

    _kinds: ClassVar[tuple[str, ...]] = ("media", "upload_progress", "closed")
    _css_class = "nemo-uploader"

    def __init__(
        self, session: Session, *, path: str | os.PathLike[str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(session, **kwargs)
        # ipyfilechooser reads the cwd at *its* import: imported here, not at ours.
        from nemowidgets.widgets.folder_picker import MediaChooser

        self._lock = threading.RLock()
        self._items: list[UploadRow] = []
        self._hidden: set[str] = set()  # media removed from the view by the user
        self._keys = itertools.count(1)
        self._updating = False
        self._thumbs = Thumbnails(session, size=THUMB_PX * 2)
        self._progress = Coalescer(self._show_progress, 0.1)  # progress events can be many
        self._browser = DropZone(
            accept=",".join(sorted(f".{ext}" for ext in SUPPORTED_EXTENSIONS)),
            on_file=self._on_browser_file,
            precheck=browser_precheck,
            on_refused=self._on_browser_refused,
        )
        self._browser.add_class("nemo-dropzone")
        self._chooser = MediaChooser(
            path=os.fspath(path) if path is not None else os.getcwd(),
            select_desc="Select",
            change_desc="Change",
            title="Files on the kernel's machine (a file, or a folder to add all its media):",
            layout=W.Layout(width="auto"),
        )
        self._chooser.add_class("nemo-filechooser")
        self._add_button = W.Button(
            description="Add",
            icon="plus",
            button_style="info",
            tooltip="Upload the chosen file, or every media file in the chosen folder",
            layout=W.Layout(width="auto", flex="none"),
        )
        self._add_button.add_class("nemo-add")
        self._add_button.on_click(lambda _: self._on_add())
        self._note = W.HTML()
        self._note.add_class("nemo-upload-note")
        self._list = W.VBox(layout=W.Layout(width="100%"))
        self._list.add_class("nemo-upload-list")
        self._formats = W.HTML(
            f"<span class='nemo-muted'>{FORMATS_HINT}</span>", layout=W.Layout(display="none")
        )
        self._formats.add_class("nemo-upload-formats")
        self.children = (
            W.HTML(CSS),
            W.Label("Media"),
            self._browser,
            self._chooser,
            W.HBox([self._add_button, self._note], layout=W.Layout(align_items="center")),
            self._list,
            self._formats,
        )
        self._bind()

    # -- public ----------------------------------------------------------------------
    @property
    def files(self) -> list[dict[str, Any]]:
        """The listed files: name, size, kind, status and error (plain data)."""
        with self._lock:
            return [i.as_dict() for i in self._items]

    def add(self, *paths: str | os.PathLike[str]) -> None:
        """Check and upload files or folders on the kernel's machine (the Add button)."""
        entries: list[tuple[str, Path]] = []
        for raw in paths:
            path = Path(raw).expanduser()
            if path.is_dir():
                found = self._session.media_files_in(path)
                if not found:
                    self._say(
                        f"{path.name or path}: no supported media files in this folder.", error=True
                    )
                entries.extend((p.name, p) for p in found)
            else:
                entries.append((path.name, path))
        jobs = []
        for name, path in entries:
            size = path.stat().st_size if path.is_file() else None
            jobs.append((UploadRow(next(self._keys), name, size, "kernel"), path))
        self._start(jobs)

    # -- adding --------------------------------------------------------------------------
    def _on_add(self) -> None:
        selected = self._chooser.selected
        if not selected:
            self._say(
                "Choose a file or a folder first: click “Select”, pick one, then “Select” again.",
                error=True,
            )
            return
        self._say("")
        self.add(selected)

    def _on_browser_file(self, name: str, path: Path) -> None:
        """A file from the browser arrived in full (kernel thread): upload it like any file."""
        self._say("")
        item = UploadRow(next(self._keys), name, path.stat().st_size, "browser")
        if item.kind == "image" and (item.size or 0) <= _THUMB_FROM_FILE_LIMIT:
            item.set_thumb(small_jpeg(path.read_bytes(), THUMB_PX * 2))  # at once, from disk
        self._start([(item, path)])

    def _on_browser_refused(self, name: str, size: int, exc: Exception) -> None:
        """A browser file refused before it was sent: listed with the reason."""
        item = UploadRow(next(self._keys), name, size, "browser")
        item.remove.on_click(lambda _, it=item: self._remove(it))
        item.status, item.error = "invalid", describe_error(exc)
        with self._lock:
            self._items.append(item)
        item.render()
        self._show_list()

    def _start(self, jobs: Sequence[tuple[UploadRow, Path | tuple[str, bytes]]]) -> None:
        """Validate and list the files; upload the valid ones one after another, in order.

        In order, because the upload order is the photos' order on the timeline; on
        the Session's thread, so the click returns at once.
        """
        valid = []
        for item, payload in jobs:
            item.remove.on_click(lambda _, it=item: self._remove(it))
            try:
                self._session.check_upload(payload)
            except Exception as exc:
                item.status, item.error = "invalid", describe_error(exc)
            else:
                item.status = "queued"
                valid.append((item, payload))
            with self._lock:
                self._items.append(item)
            item.render()
        self._show_list()
        if not valid:
            return
        try:
            self._session.submit(self._upload_in_order(valid))
        except (RuntimeError, ConfigurationError) as exc:  # the Session is closed
            for item, _ in valid:
                item.status, item.error = "failed", str(exc)
                item.render()

    async def _upload_in_order(self, jobs: list[tuple[UploadRow, Any]]) -> None:
        for item, payload in jobs:
            if item.removed:
                continue
            item.status = "uploading"
            item.render()
            item.upload = self._session.start_upload(payload)
            if item.removed:  # removed while it was being started
                item.upload.cancel()
            try:
                result = await item.upload
            except asyncio.CancelledError:
                if not item.removed:
                    raise  # the Session is closing: stop the whole batch
                continue
            except Exception as exc:  # shown beside the file (and by the status bar)
                item.status, item.error = "failed", describe_error(exc)
                self._show_list()  # below the good ones
            else:
                if item.media is None and result:
                    self._uploaded(item, result[0])
            finally:
                item.upload = None
            item.render()
        self._reconcile(self._session.media)

    def _uploaded(self, item: UploadRow, media: MediaInfo) -> None:
        item.media, item.status, item.error = media, "uploaded", ""
        item.remove.tooltip = self._remove_tip(item.name)
        if media.size:
            item.size = media.size
        if media.file_type:
            item.kind = media.file_type
        item.render()
        if not item.has_thumb:
            cached = self._thumbs.get(media)  # e.g. a file back after an undo
            if cached:
                item.set_thumb(cached)
            else:
                self._thumbs.fetch([media], self._thumbs_ready)

    def _thumbs_ready(self) -> None:
        with self._lock:
            items = list(self._items)
        for item in items:
            if item.media is not None and not item.has_thumb:
                item.set_thumb(self._thumbs.get(item.media))

    # -- removing --------------------------------------------------------------------------
    def _remove(self, item: UploadRow) -> None:
        with self._lock:
            if item not in self._items:
                return
            self._items.remove(item)
        item.removed = True
        if item.status in ("queued", "uploading"):
            upload = item.upload
            if upload is not None:
                upload.cancel()  # thread-safe: the upload runs on the Session's thread
            self._say(f"Upload of {item.name} cancelled.")
        elif item.status == "uploaded" and item.media is not None:
            self._remove_media(item, item.media)
        self._show_list()
        item.row.close()

    def _remove_tip(self, name: str) -> str:
        if self._session.backend == "cloud":
            return f"Hide {name} from this list (to take it out of the video, ask the agent)"
        return f"Remove {name} from the video and the media list (Undo brings it back)"

    def _remove_media(self, item: UploadRow, media: MediaInfo) -> None:
        """Take an uploaded file out of the draft and the media (one undoable version)."""
        if self._session.backend == "cloud":  # no hand edits there: only hide it
            self._hidden.add(media_key(media))
            self._say(
                f"{item.name} is hidden from this list but stays in the session's media; "
                f"to take it out of the video, ask e.g. “remove {item.name}”."
            )
            return
        self._say(f"Removing {item.name} from the video and the media list (Undo brings it back).")
        try:
            future = self._session.submit(self._session.aremove_media(media))
        except (RuntimeError, ConfigurationError) as exc:  # the Session is closed
            self._say(f"Could not remove {item.name}: {describe_error(exc)}", error=True)
            return

        def done(f: Any) -> None:
            exc = None if f.cancelled() else f.exception()
            if exc is not None:  # still in the session: list it again
                self._say(f"Could not remove {item.name}: {describe_error(exc)}", error=True)
                self._reconcile(self._session.media)
            else:
                self._say(f"Removed {item.name} from the video and the media list.")

        future.add_done_callback(done)

    # -- view ----------------------------------------------------------------------------
    def _show_list(self) -> None:
        """The good files first, then those that could not be used, then the formats once."""
        with self._lock:
            good = [i for i in self._items if i.status not in UploadRow.BAD]
            bad = [i for i in self._items if i.status in UploadRow.BAD]
        self._list.children = tuple(i.row for i in good + bad)
        needs_formats = any(FORMATS_HINT in i.error for i in bad)
        self._formats.layout.display = None if needs_formats else "none"

    def _say(self, text: str, *, error: bool = False) -> None:
        cls = "nemo-error-text" if error else "nemo-muted"
        self._note.value = f"<span class='{cls}'>{linkify(text)}</span>" if text else ""

    def _reconcile(self, media: tuple[MediaInfo, ...]) -> None:
        """List the Session's media that no row shows yet (e.g. uploaded from code)."""
        with self._lock:
            if any(i.status in ("queued", "uploading") for i in self._items):
                return  # our uploads in flight: their results are matched first
            shown = {media_key(i.media) for i in self._items if i.media is not None}
            present = {media_key(m) for m in media}
            added = False
            for m in media:
                key = media_key(m)
                if key in shown or key in self._hidden:
                    continue
                item = UploadRow(next(self._keys), m.filename, m.size, "session")
                item.remove.on_click(lambda _, it=item: self._remove(it))
                self._items.append(item)
                self._uploaded(item, m)
                added = True
            for item in self._items:
                gone = item.media is not None and media_key(item.media) not in present
                if item.status == "uploaded" and gone:
                    item.status = "gone"
                    item.render()
        if added:
            self._show_list()

    def _sync(self) -> None:
        self._reconcile(self._session.media)

    # -- events (Session thread) ------------------------------------------------------
    def _on_media(self, data: dict[str, Any]) -> None:
        media = tuple(data.get("media") or ())
        with self._lock:  # a finished upload of ours: match it by name before it returns
            shown = {media_key(i.media) for i in self._items if i.media is not None}
            for m in media:
                if media_key(m) in shown:
                    continue
                for item in self._items:
                    if (
                        item.status == "uploading"
                        and item.media is None
                        and item.name == m.filename
                    ):
                        self._uploaded(item, m)
                        break
        self._reconcile(media)

    def _on_upload_progress(self, data: dict[str, Any]) -> None:
        total = data.get("total") or 0
        name = data.get("filename")
        with self._lock:
            item = next(
                (i for i in self._items if i.status in ("queued", "uploading") and i.name == name),
                None,
            )
        if item is not None and total:
            item.progress = min(1.0, float(data.get("sent", 0)) / float(total))
            self._progress.request()

    def _show_progress(self) -> None:
        with self._lock:
            items = [i for i in self._items if i.status == "uploading"]
        for item in items:
            item.bar.value = item.progress

    def close(self) -> None:
        if hasattr(self, "_progress"):
            self._progress.close()
        super().close()

    def _on_closed(self, data: dict[str, Any]) -> None:
        self._add_button.disabled = True
        self._browser.disabled = True
        self._say("The session is closed.")
