"""VideoPlayer: Export with a real progress bar, then the MP4 plays inline.

Bytes or URL - the rule
-----------------------
The browser may not be on the kernel's machine (Binder, JupyterHub), so a
``file://`` path is useless and the local server's URL (loopback, needs the
token) is out of reach.  So:

* an MP4 of at most :data:`INLINE_VIDEO_LIMIT` (20 MB) is sent as bytes in an
  ``ipywidgets.Video`` value (the frontend plays it from a blob: works in
  JupyterLab, Notebook 7 and Voila, local or remote), and its download link is
  a ``data:`` URI;
* a larger one is not pushed through the kernel's websocket: it is shown by a
  ``<video>`` whose source is the file's URL on the Jupyter server that serves
  the notebook (``<base_url>files/<path>``, or ``<base>voila/files/<path>``
  under Voila, whose ``file_allowlist`` must then allow ``.mp4``), with a note.
  The server's root and base URL come from its runtime file (``jpserver-*.json``)
  when it can be found, else the export's path relative to the notebook's
  folder is used; ``NEMO_FILES_URL`` (e.g. ``/user/me/files/project/``) overrides.

The last :data:`KEEP_EXPORTS` exports stay in a dropdown to play again.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import ipywidgets as W

from nemowidgets.api.errors import MediaError
from nemowidgets.widgets._base import CSS, SessionWidget, data_uri, guard, human_size, linkify
from nemowidgets.widgets._served_url import served_url

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Future

    from nemowidgets.session import ExportResult, Session

__all__ = ["INLINE_VIDEO_LIMIT", "KEEP_EXPORTS", "VideoPlayer", "served_url"]

#: Videos up to this size travel as bytes in the widget; larger ones by URL.
INLINE_VIDEO_LIMIT = 20 * 1024 * 1024
#: How many recent exports the dropdown keeps.
KEEP_EXPORTS = 5


def _describe(result: ExportResult) -> str:
    parts = [result.path.name]
    if result.width:
        parts.append(f"{result.width}×{result.height}")
    if result.duration is not None:
        parts.append(f"{result.duration:.1f} s")
    parts.append(getattr(result, "quality", "high"))
    return " · ".join(parts)


class VideoPlayer(SessionWidget):
    """Export the current draft (high or preview quality), follow the render, play the MP4."""

    _kinds: ClassVar[tuple[str, ...]] = (
        "busy",
        "draft",
        "render_started",
        "render_progress",
        "render_done",
        "error",
        "closed",
    )
    _css_class = "nemo-player"

    def __init__(self, session: Session, **kwargs: Any) -> None:
        super().__init__(session, **kwargs)
        self._updating = False
        self._rendering = False
        self._shown: Path | None = None
        self._make_controls()
        self._make_video()
        self.children = (
            W.HTML(CSS),
            W.Label("Video"),
            W.HBox(
                [self._export, self._quality, self._cancel],
                layout=W.Layout(align_items="center", flex_flow="row wrap"),
            ),
            self._progress,
            self._status,
            self._video_box,
            self._link_video,
            W.HBox([self._download, self._recent], layout=W.Layout(align_items="center")),
        )
        self._bind()

    def _make_controls(self) -> None:
        """The export button, the quality switch, cancel, the progress bar and the status."""
        self._export = W.Button(
            description="Export video",
            icon="film",
            button_style="success",
            tooltip="Render the timeline to an MP4 (exporting is free)",
            layout=W.Layout(width="auto", flex="none"),
        )
        self._export.add_class("nemo-export")
        self._export.on_click(lambda _: self.export())
        self._quality = W.ToggleButtons(
            options=[("High", "high"), ("Preview", "preview")],
            value="high",
            description="Quality",
            tooltips=["Full size (e.g. 1920×1080)", "Quick, low-res check"],
            style={"button_width": "5.5em", "description_width": "initial"},
        )
        self._quality.add_class("nemo-quality")
        self._cancel = W.Button(
            description="Cancel",
            icon="stop",
            disabled=True,
            tooltip="Stop the render",
            layout=W.Layout(width="auto", flex="none"),
        )
        self._cancel.add_class("nemo-export-cancel")
        self._cancel.on_click(lambda _: self._session.cancel())
        self._progress = W.IntProgress(
            value=0, min=0, max=100, description="Render", layout=W.Layout(width="100%")
        )
        self._progress.add_class("nemo-progress")
        self._status = W.HTML()
        self._status.add_class("nemo-player-status")

    def _make_video(self) -> None:
        """The video (bytes or a URL), the download link and the recent exports."""
        # The video element's container carries "nemo-video" once it shows a video
        # (``.nemo-video video``): the Video widget for bytes, the HTML for a URL.
        self._video = W.Video(
            value=b"",
            format="mp4",
            autoplay=False,
            controls=True,
            loop=False,
            layout=W.Layout(width="100%", max_width="960px"),
        )
        self._video_box = W.Box([self._video], layout=W.Layout(width="100%", display="none"))
        self._link_video = W.HTML(layout=W.Layout(width="100%", display="none"))
        self._download = W.HTML()
        self._download.add_class("nemo-download")
        self._recent = W.Dropdown(
            options=[],
            description="Recent",
            tooltip="Play one of the last exports again",
            layout=W.Layout(width="auto", display="none"),
        )
        self._recent.add_class("nemo-recent")
        self._recent.observe(self._on_recent, names="value")

    # -- public ----------------------------------------------------------------------
    def export(self, quality: str | None = None) -> Future[Any] | None:
        """Start an export (what the button does); returns at once with the future."""
        quality = quality or str(self._quality.value)
        if self._session.draft is None:
            self._say("Nothing to export yet: ask the agent for a slideshow first.", error=True)
            return None
        self._rendering = True
        self._progress.value = 0
        self._progress.bar_style = "info"
        self._say(f"Starting the {quality} render…")
        self._update_controls()
        try:
            future = self._session.submit(self._session.aexport(quality))
        except RuntimeError as exc:
            self._rendering = False
            self._say(str(exc), error=True)
            self._update_controls()
            return None
        future.add_done_callback(self._exported)
        return future

    def show(self, result: ExportResult) -> None:
        """Play ``result`` (bytes up to :data:`INLINE_VIDEO_LIMIT`, else by URL)."""
        path = Path(result.path)
        self._shown = path
        try:
            size = path.stat().st_size
        except OSError:
            self._say(f"{path.name} is no longer on disk.", error=True)
            return
        name = html.escape(path.name, quote=True)
        if size <= INLINE_VIDEO_LIMIT:
            data = path.read_bytes()
            self._link_video.value = ""
            self._link_video.layout.display = "none"
            self._link_video.remove_class("nemo-video")
            self._video.value = data
            self._video_box.layout.display = None
            self._video_box.add_class("nemo-video")
            self._download.value = (
                f"<a download='{name}' href='{data_uri(data, 'video/mp4')}' "
                f"class='nemo-download-link'>↓ Download {name} ({human_size(size)})</a>"
            )
            note = ""
        else:
            url = served_url(path)
            self._video.value = b""
            self._video_box.layout.display = "none"
            self._video_box.remove_class("nemo-video")
            if url is None:
                self._link_video.value = ""
                self._link_video.remove_class("nemo-video")
                self._download.value = ""
                note = (
                    f" It is {human_size(size)}, too big to send through the notebook, and "
                    f"outside the notebook's folder: open {path}."
                )
            else:
                src = html.escape(url, quote=True)
                self._link_video.add_class("nemo-video")
                self._link_video.value = (
                    f"<video src='{src}' controls preload='metadata' "
                    f"style='width:100%;max-width:960px'></video>"
                )
                self._download.value = (
                    f"<a download='{name}' href='{src}' "
                    f"class='nemo-download-link'>↓ Download {name} "
                    f"({human_size(size)})</a>"
                )
                note = (
                    f" It is {human_size(size)} (over {INLINE_VIDEO_LIMIT // 1024**2} MB), so "
                    "it plays from the notebook server's files URL instead of being sent "
                    "through the kernel."
                )
            self._link_video.layout.display = None if url else "none"
        self._say(f"▶ {_describe(result)}.{note}")

    # -- internals -------------------------------------------------------------------
    def _say(self, text: str, *, error: bool = False, hint: str = "") -> None:
        cls = "nemo-error-text" if error else "nemo-muted"
        body = linkify(text) + (f"<br>➜ {linkify(hint)}" if hint else "")
        self._status.value = f"<span class='{cls}'>{body}</span>" if text else ""

    def _update_controls(self) -> None:
        why = self._why_no_export()
        self._export.disabled = why is not None
        self._export.tooltip = why or "Render the timeline to an MP4 (exporting is free)"
        self._quality.disabled = self._rendering
        self._cancel.disabled = not self._rendering

    def _why_no_export(self) -> str | None:
        """Why Export cannot be pressed now (its tooltip says so); ``None`` if it can."""
        if getattr(self._session, "closed", False):
            return "The session is closed: make a new one to export."
        if self._rendering:
            return "A render is running: wait for it, or press Cancel beside this button."
        if self._session.draft is None:
            return "Nothing to export yet: add media and ask for a slideshow first."
        return None

    def _exported(self, future: Future[Any]) -> None:
        """The export's future is done (Session thread)."""
        self._rendering = False
        exc = None if future.cancelled() else future.exception()
        if exc is not None:
            self._failed(getattr(exc, "message", None) or str(exc), getattr(exc, "hint", ""))
        self._update_controls()

    def _failed(self, message: str, hint: str) -> None:
        if "Cancelled" in message:
            self._progress.bar_style = "warning"
            self._say("Render cancelled.")
        else:
            self._progress.bar_style = "danger"
            self._say(message, error=True, hint=hint if hint not in message else "")

    def _show_recent(self) -> None:
        exports = tuple(self._session.exports)[-KEEP_EXPORTS:]
        options = [(_describe(e), str(e.path)) for e in reversed(exports)]
        with guard(self):
            self._recent.options = options
            self._recent.value = (
                str(self._shown)
                if self._shown and any(v == str(self._shown) for _, v in options)
                else None
            )
            self._recent.layout.display = None if len(options) > 1 else "none"

    def _on_recent(self, change: dict[str, Any]) -> None:
        if self._updating or not change["new"]:
            return
        for result in self._session.exports:
            if str(result.path) == change["new"]:
                self.show(result)
                return

    def _sync(self) -> None:
        self._rendering = getattr(self._session, "busy_what", None) == "export"
        exports = tuple(self._session.exports)
        if exports:
            self.show(exports[-1])
            self._progress.value = 100
            self._progress.bar_style = "success"
        self._show_recent()
        self._update_controls()

    # -- events (Session thread) ------------------------------------------------------
    def _on_render_started(self, data: dict[str, Any]) -> None:
        self._rendering = True
        job = data.get("job")
        self._progress.value = int(getattr(job, "progress", 0) or 0)
        self._progress.bar_style = "info"
        self._say("Resuming the render…" if data.get("resumed") else "Rendering…")
        self._update_controls()

    def _on_render_progress(self, data: dict[str, Any]) -> None:
        job = data.get("job")
        percent = max(0, min(100, round(float(getattr(job, "progress", 0) or 0))))
        self._progress.value = percent
        self._say(f"Rendering… {percent}%")

    def _on_render_done(self, data: dict[str, Any]) -> None:
        self._rendering = False
        self._progress.value = 100
        self._progress.bar_style = "success"
        self.show(data["export"])
        self._show_recent()
        self._update_controls()

    def _on_error(self, data: dict[str, Any]) -> None:
        if self._rendering and not isinstance(data.get("error"), MediaError):  # not an upload's
            self._failed(
                str(data.get("message") or "The export failed."), str(data.get("hint") or "")
            )

    def _on_busy(self, data: dict[str, Any]) -> None:
        if not data.get("busy") and self._rendering:
            self._rendering = False  # ended without a video: cancelled or failed
            if self._progress.bar_style == "info":
                self._progress.bar_style = "warning"
        self._update_controls()

    def _on_draft(self, data: dict[str, Any]) -> None:
        self._update_controls()

    def _on_closed(self, data: dict[str, Any]) -> None:
        self._rendering = False
        self._update_controls()
        self._export.disabled = True
        self._export.tooltip = "The session is closed: make a new one to export."
        self._cancel.disabled = True
