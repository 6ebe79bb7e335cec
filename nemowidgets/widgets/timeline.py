"""TimelineTable: the draft as a strip of tracks on a time axis, a table, a summary and a diff.

Updated after every turn (the Session's ``"draft"`` events).  The table is
built from :meth:`Draft.to_dataframe` (times in seconds) with a thumbnail in
each media row; the strip (:class:`~nemowidgets.widgets.strip.TimelineStrip`)
draws the tracks as they will play and takes hand edits: drag to reorder, drag
an edge to trim, click to select (the table's row follows).  A history dropdown
lists the draft versions; choosing one restores it (``session.arestore(i)``),
while the widget's own updates of the dropdown never do (a guard flag).  Undo
and Redo beside it walk the Session's undo stack.  Every action is submitted to
the Session: a click never waits.
"""

from __future__ import annotations

import html
import math
import threading
from typing import TYPE_CHECKING, Any, ClassVar

import ipywidgets as W

from nemowidgets.draft import format_seconds
from nemowidgets.widgets._base import (
    CSS,
    SessionWidget,
    Thumbnails,
    data_uri,
    describe_error,
    guard,
    linkify,
)
from nemowidgets.widgets.strip import TimelineStrip

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Coroutine
    from concurrent.futures import Future

    from nemowidgets.api.models import MediaInfo
    from nemowidgets.draft import Draft
    from nemowidgets.session import Session

__all__ = ["TimelineTable"]

_EMPTY = (
    "<div class='nemo-muted'>No timeline yet: upload photos (and music), then ask for "
    "a slideshow.</div>"
)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    try:
        return isinstance(value, float) and math.isnan(value)
    except TypeError:  # pragma: no cover
        return False


def _seconds(value: Any) -> str:
    return "" if _blank(value) else format_seconds(float(value))


def _transition(tr: Any) -> str:
    if not isinstance(tr, dict) or tr.get("type", "none") == "none":
        return ""
    d = tr.get("d")
    return (
        f"{tr.get('type')} {format_seconds(d / 1000)} s"
        if isinstance(d, (int, float))
        else str(tr.get("type"))
    )


class TimelineTable(SessionWidget):
    """The current draft: strip, table, summary, last change and version history."""

    _kinds: ClassVar[tuple[str, ...]] = ("draft", "media")
    _css_class = "nemo-timelinetable"

    def __init__(self, session: Session, **kwargs: Any) -> None:
        super().__init__(session, **kwargs)
        self._lock = threading.RLock()
        self._updating = False
        self._diff_text = ""
        self._thumbs = Thumbnails(session, size=96)
        self._summary = W.HTML(layout=W.Layout(flex="1 1 20em", min_width="0"))
        self._summary.add_class("nemo-summary")
        self._history = W.Dropdown(
            options=[],
            description="Version",
            tooltip="Earlier versions of the timeline: pick one to restore it",
            layout=W.Layout(width="auto"),
        )
        self._history.add_class("nemo-history")
        self._history.observe(self._on_pick, names="value")
        self._undo = self._action_button("Undo", "undo", "Take back the last change", "nemo-undo")
        self._redo = self._action_button("Redo", "repeat", "Repeat the undone change", "nemo-redo")
        self._undo.on_click(lambda _: self._run(self._session.aundo(), "undo"))
        self._redo.on_click(lambda _: self._run(self._session.aredo(), "redo"))
        self._strip = TimelineStrip(session, layout=W.Layout(width="100%"))
        self._strip.add_class("nemo-strip")
        self._strip.observe(self._on_select, names="selected")
        self._diff = W.HTML(layout=W.Layout(width="100%"))
        self._diff.add_class("nemo-diff")
        self._table = W.HTML(layout=W.Layout(width="100%", max_height="24em", overflow="auto"))
        self._table.add_class("nemo-timeline")
        self.children = (
            W.HTML(CSS),
            W.Label("Timeline"),
            W.HBox(  # the version menu and undo/redo wrap under the summary in a narrow column
                [self._summary, self._history, self._undo, self._redo],
                layout=W.Layout(align_items="center", flex_flow="row wrap"),
            ),
            self._strip,
            self._diff,
            self._table,
        )
        self._bind()

    # -- history dropdown, undo and redo --------------------------------------------
    @staticmethod
    def _action_button(text: str, icon: str, tip: str, cls: str) -> W.Button:
        button = W.Button(
            description=text,
            icon=icon,
            tooltip=tip,
            disabled=True,
            layout=W.Layout(width="auto", flex="none", margin="0 0 0 6px"),
        )
        button.add_class(cls)
        return button

    def _run(self, coro: Coroutine[Any, Any, Any], what: str) -> None:
        """Submit ``coro`` to the Session (never wait); say so beside the diff if it fails."""
        self._undo.disabled = self._redo.disabled = True  # one at a time
        try:
            future = self._session.submit(coro)
        except Exception as exc:  # the Session is closed
            self._failed(what, exc)
            return
        future.add_done_callback(lambda f: self._after(f, what))

    def _after(self, future: Future[Any], what: str) -> None:
        exc = None if future.cancelled() else future.exception()
        if exc is not None:
            self._failed(what, exc)
        self._show_undo()

    def _failed(self, what: str, exc: BaseException) -> None:
        self._diff.value = (
            f"<span class='nemo-error-text'>Could not {what}: {linkify(describe_error(exc))}</span>"
        )
        self._show_undo()

    def _show_undo(self) -> None:
        cloud = self._session.backend == "cloud"
        self._undo.disabled = cloud or not getattr(self._session, "can_undo", False)
        self._redo.disabled = cloud or not getattr(self._session, "can_redo", False)
        if cloud:
            note = "Undo and redo need the local backend; on the cloud, say 'undo' to the agent"
            self._undo.tooltip = self._redo.tooltip = note

    def _on_pick(self, change: dict[str, Any]) -> None:
        if self._updating or change["new"] is None:
            return  # our own update of the options, not the user's choice
        self._run(self._session.arestore(int(change["new"])), "restore")

    def _on_select(self, change: dict[str, Any]) -> None:
        """The strip's selection changed (the user clicked a segment): the row follows."""
        draft = self._session.draft
        if draft is not None:
            with self._lock:
                self._table.value = self._table_html(draft, self._media_by_id())

    def _show_history(self, draft: Draft | None) -> None:
        history = tuple(self._session.history)
        options = []
        for i, d in enumerate(history):
            version = d.version if d.version is not None else i + 1
            options.append(
                (f"v{version} · {d.segment_count} segments · {format_seconds(d.duration)} s", i)
            )
        current = next((i for i, d in enumerate(history) if d is draft), None)
        if current is None and draft is not None:
            current = next(
                (i for i in range(len(history) - 1, -1, -1) if history[i] == draft), None
            )
        with guard(self):
            self._history.options = options
            self._history.value = current
            self._history.disabled = len(options) < 2
            self._history.layout.display = None if options else "none"

    # -- rendering -----------------------------------------------------------------------
    def _media_by_id(self) -> dict[str, MediaInfo]:
        return {m.id: m for m in self._session.media if m.id}

    def _render(self, draft: Draft | None) -> None:
        with self._lock:
            if draft is None:
                self._summary.value = "<span class='nemo-muted'>No draft yet</span>"
                self._strip.show(None, {})
                self._table.value = _EMPTY
                self._show_history(None)
                return
            media = self._media_by_id()
            srcs = {
                str(seg.raw.get("src"))
                for t in draft.tracks
                for seg in t.segments
                if seg.raw.get("src")
            }
            self._thumbs.fetch(
                [media[s] for s in srcs if s in media], lambda: self._render(self._session.draft)
            )
            size = f" · {draft.width}×{draft.height}" if draft.width and draft.height else ""
            self._summary.value = (
                f"<b>{format_seconds(draft.duration)} s</b>{html.escape(size)} · "
                f"<span class='nemo-muted'>{html.escape(draft.summary())}</span>"
            )
            self._strip.show(draft, media)
            self._strip.set_thumbs(
                {s: uri for s in srcs if (uri := self._thumb(s, media)) is not None}
            )
            self._table.value = self._table_html(draft, media)
            self._show_history(draft)
            self._show_undo()

    def _thumb(self, src: Any, media: dict[str, MediaInfo]) -> str | None:
        m = media.get(str(src)) if not _blank(src) else None
        jpeg = self._thumbs.get(m) if m is not None else None
        return data_uri(jpeg) if jpeg else None

    def _table_html(self, draft: Draft, media: dict[str, MediaInfo]) -> str:
        df = draft.to_dataframe()
        if df.empty:
            return "<div class='nemo-muted'>The timeline has no segments yet.</div>"
        esc = html.escape
        head = (
            "<tr><th scope='col'><span class='nemo-muted'>picture</span></th>"
            "<th scope='col'>#</th><th scope='col'>kind</th><th scope='col'>name</th>"
            "<th scope='col'>start&nbsp;s</th><th scope='col'>end&nbsp;s</th>"
            "<th scope='col'>duration&nbsp;s</th><th scope='col'>transition</th>"
            "<th scope='col'>volume</th><th scope='col'>text</th></tr>"
        )
        rows = []
        chosen = self._strip.selected
        for rec in df.to_dict("records"):
            uri = self._thumb(rec.get("src"), media)
            pic = f"<img src='{uri}' alt='{esc(str(rec.get('name') or ''))}'>" if uri else ""
            volume = "" if _blank(rec.get("volume")) else f"{float(rec['volume']) * 100:.0f}%"
            text = "" if _blank(rec.get("text")) else str(rec["text"])
            name = "" if _blank(rec.get("name")) else str(rec["name"])
            seg_id = "" if _blank(rec.get("id")) else str(rec["id"])
            picked = bool(chosen) and seg_id == chosen
            cls = f"nemo-row nemo-row-{esc(str(rec['kind']))}"
            aria = ""
            if picked:
                cls, aria = cls + " nemo-row-selected", " aria-selected='true'"
            rows.append(
                f"<tr class='{cls}' data-id='{esc(seg_id, quote=True)}'{aria}><td>{pic}</td>"
                f"<td>{rec['track']}.{rec['segment']}</td><td>{esc(str(rec['kind']))}</td>"
                f"<td>{esc(name)}</td><td class='num'>{_seconds(rec['start'])}</td>"
                f"<td class='num'>{_seconds(rec['end'])}</td>"
                f"<td class='num'>{_seconds(rec['duration'])}</td>"
                f"<td>{esc(_transition(rec.get('tr')))}</td><td class='num'>{volume}</td>"
                f"<td>{esc(text)}</td></tr>"
            )
        return (
            "<style>.nemo-row-selected td{background:rgba(255,179,0,.22)}</style>"
            f"<table class='nemo-table nemo-timeline-table' aria-label='Timeline segments'>"
            f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def _sync(self) -> None:
        draft = self._session.draft
        self._render(draft)
        if draft is not None:
            self._diff.value = f"<span class='nemo-muted'>{html.escape(draft.summary())}</span>"

    # -- events (Session thread) ------------------------------------------------------
    def _on_draft(self, data: dict[str, Any]) -> None:
        draft = data.get("draft")
        diff = str(data.get("diff") or "")
        version = data.get("version")
        what = f"Restored version {version}" if data.get("restored") else "Last change"
        self._diff.value = f"<b>{what}:</b> {html.escape(diff)}" if diff else ""
        self._render(draft)

    def _on_media(self, data: dict[str, Any]) -> None:
        if self._session.draft is not None:
            self._render(self._session.draft)
