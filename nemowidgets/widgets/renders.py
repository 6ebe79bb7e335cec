"""RendersPanel: variants and batches, with one progress bar per render job.

The top row starts variants of the current draft: tick the aspects, pick the
quality, click "Render variants" (``session.submit(session.aexport_variants(...))``:
the click returns at once).  Below, every render job of the Session gets a row
with its own progress bar, from the ``render_started`` / ``render_progress`` /
``render_done`` events, and a batch started with ``nemowidgets.start_batch`` can be
shown too (:meth:`RendersPanel.track_batch`), one row per item.  When a job runs
on a Dask cluster its dashboard link is shown.  Only public Session API, never
blocking: the rows follow the events.
"""

from __future__ import annotations

import html
import threading
from typing import TYPE_CHECKING, Any, ClassVar

import ipywidgets as W

from nemowidgets.protocol import RENDER_ASPECTS
from nemowidgets.widgets._base import CSS, SessionWidget, describe_error

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.session import BatchProgress, BatchRun, Session

__all__ = ["RendersPanel"]

_STYLE = {"description_width": "initial"}
_DONE = {"done": "success", "failed": "danger"}


class _Row:
    """One job: a label, a progress bar, a status line (where it runs, its file)."""

    def __init__(self, label: str) -> None:
        self.label = W.HTML(f"<b>{html.escape(label)}</b>", layout=W.Layout(width="14em"))
        self.bar = W.FloatProgress(value=0, min=0, max=100, layout=W.Layout(width="14em"))
        self.bar.add_class("nemo-render-bar")
        self.info = W.HTML(layout=W.Layout(flex="1"))
        self.box = W.HBox([self.label, self.bar, self.info])
        self.box.add_class("nemo-render-row")

    def show(self, percent: float, text: str, style: str = "") -> None:
        self.bar.value = max(0.0, min(100.0, percent))
        self.bar.bar_style = style
        self.info.value = f"<span class='nemo-muted'>{text}</span>"


class RendersPanel(SessionWidget):
    """Start variants; watch every render (and any batch shown) with its own bar."""

    _kinds: ClassVar[tuple[str, ...]] = ("render_started", "render_progress", "render_done")
    _css_class = "nemo-renders"

    def __init__(self, session: Session, **kwargs: Any) -> None:
        super().__init__(session, **kwargs)
        self._aspects = [
            W.Checkbox(value=a in ("16:9", "9:16", "1:1"), description=a, indent=False,
                       layout=W.Layout(width="5em"))
            for a in RENDER_ASPECTS
        ]  # fmt: skip
        self._quality = W.Dropdown(
            options=["high", "preview"], value="high", description="Quality", style=_STYLE,
            layout=W.Layout(width="12em"),
        )  # fmt: skip
        self._start = W.Button(description="Render variants", icon="clone")
        self._start.add_class("nemo-variants-start")
        self._start.on_click(lambda _: self.start_variants())
        self._message = W.HTML()
        self._dashboard = W.HTML()
        self._dashboard.add_class("nemo-dashboard")
        self._rows = W.VBox()
        self._jobs: dict[str, _Row] = {}
        self._rows_lock = threading.Lock()  # batch rows arrive from the batch's threads
        controls = W.HBox([*self._aspects, self._quality, self._start])
        self.children = (W.HTML(CSS), controls, self._message, self._dashboard, self._rows)
        self._bind()

    # -- variants ------------------------------------------------------------------
    def start_variants(self) -> None:
        """Start the ticked variants in the background (what the button does)."""
        aspects = [box.description for box in self._aspects if box.value]
        if not aspects:
            self._message.value = "<span class='nemo-error-text'>Tick at least one aspect.</span>"
            return
        try:
            future = self._session.submit(
                self._session.aexport_variants(aspects, quality=self._quality.value)
            )
        except RuntimeError as exc:  # a closed Session
            self._message.value = f"<span class='nemo-error-text'>{html.escape(str(exc))}</span>"
            return
        self._message.value = f"Rendering {', '.join(aspects)}…"
        future.add_done_callback(self._variants_done)

    def _variants_done(self, future: Any) -> None:
        if future.cancelled():
            self._message.value = "Variants cancelled."
        elif future.exception() is not None:
            text = html.escape(describe_error(future.exception()))
            self._message.value = f"<span class='nemo-error-text'>{text}</span>"
        else:
            names = ", ".join(html.escape(r.path.name) for r in future.result())
            self._message.value = f"Variants ready: {names}"

    # -- the Session's render jobs ----------------------------------------------
    def _row(self, key: str, label: str) -> _Row:
        with self._rows_lock:
            row = self._jobs.get(key)
            if row is None:
                row = self._jobs[key] = _Row(label)
                self._rows.children = (*self._rows.children, row.box)
            return row

    def _where(self, where: str | None, dashboard: str | None) -> str:
        if dashboard:
            link = html.escape(dashboard, quote=True)
            self._dashboard.value = (
                f"Dask dashboard: <a href='{link}' target='_blank' rel='noopener'>{link}</a>"
            )
        return f"on {html.escape(where)}" if where else ""

    def _on_render_started(self, data: dict[str, Any]) -> None:
        job = data["job"]
        label = job.aspect or data.get("path", "").rsplit("/", 1)[-1] or job.id
        self._row(job.id, f"render {label}").show(job.progress, "queued")

    def _on_render_progress(self, data: dict[str, Any]) -> None:
        job = data["job"]
        row = self._row(job.id, f"render {job.aspect or job.id}")
        text = f"{job.status} {job.progress:.0f}% {self._where(job.where, job.dashboard)}"
        row.show(job.progress, text.strip())

    def _on_render_done(self, data: dict[str, Any]) -> None:
        export = data["export"]
        row = self._row(export.job.id, f"render {export.job.aspect or export.job.id}")
        size = f"{export.width}x{export.height}" if export.width else ""
        row.show(100.0, html.escape(f"{export.path.name} {size}".strip()), "success")

    # -- batches ---------------------------------------------------------------------
    def track_batch(self, run: BatchRun) -> None:
        """Show a batch from ``nemowidgets.start_batch``: one row per item."""
        tag = id(run)
        run.observe(lambda progress: self._on_batch(tag, progress))

    def _on_batch(self, tag: int, progress: BatchProgress) -> None:
        row = self._row(f"batch:{tag}:{progress.index}", progress.name)
        text = progress.stage
        if progress.stage == "render":
            text += f" {progress.percent:.0f}% {self._where(progress.where, progress.dashboard)}"
        elif progress.message:
            text += f": {html.escape(progress.message)}"
        row.show(progress.percent, text.strip(), _DONE.get(progress.stage, ""))
