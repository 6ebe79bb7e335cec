"""TimelineTable: the draft as a strip of tracks on a time axis, a table, a summary and a diff.

Updated after every turn (the Session's ``"draft"`` events).  The table is
built from :meth:`Draft.to_dataframe` (times in seconds) with a thumbnail in
each media row; the strip draws one lane per track and one block per segment,
sized by its duration and showing its photo.  A history dropdown lists the
draft versions; choosing one restores it (``session.restore(i)``), while the
widget's own updates of the dropdown never do (a guard flag).
"""

from __future__ import annotations

import html
import math
import threading
from typing import TYPE_CHECKING, Any, ClassVar

import ipywidgets as W

from nemowidgets.draft import format_seconds
from nemowidgets.widgets._base import CSS, SessionWidget, Thumbnails, data_uri, guard, linkify

if TYPE_CHECKING:  # pragma: no cover
    from nemowidgets.api.models import MediaInfo
    from nemowidgets.draft import Draft
    from nemowidgets.session import Session

__all__ = ["TimelineTable"]

_COLORS = {"video": "#3f6fd8", "audio": "#2e8b57", "text": "#d9822b"}
_LANE_NAMES = {"video": "Video", "audio": "Music", "text": "Titles"}
_TICK_STEPS = (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600)
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
        self._strip = W.HTML(layout=W.Layout(width="100%"))
        self._strip.add_class("nemo-strip")
        self._diff = W.HTML(layout=W.Layout(width="100%"))
        self._diff.add_class("nemo-diff")
        self._table = W.HTML(layout=W.Layout(width="100%", max_height="24em", overflow="auto"))
        self._table.add_class("nemo-timeline")
        self.children = (
            W.HTML(CSS),
            W.Label("Timeline"),
            W.HBox(  # the version menu wraps under the summary in a narrow column
                [self._summary, self._history],
                layout=W.Layout(align_items="center", flex_flow="row wrap"),
            ),
            self._strip,
            self._diff,
            self._table,
        )
        self._bind()

    # -- history dropdown ------------------------------------------------------------
    def _on_pick(self, change: dict[str, Any]) -> None:
        if self._updating or change["new"] is None:
            return  # our own update of the options, not the user's choice
        try:
            self._session.restore(int(change["new"]))
        except Exception as exc:
            self._diff.value = (
                f"<span class='nemo-error-text'>Could not restore: "
                f"{linkify(getattr(exc, 'message', str(exc)))}</span>"
            )

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
                self._strip.value = ""
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
            self._strip.value = self._strip_html(draft, media)
            self._table.value = self._table_html(draft, media)
            self._show_history(draft)

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
        for rec in df.to_dict("records"):
            uri = self._thumb(rec.get("src"), media)
            pic = f"<img src='{uri}' alt='{esc(str(rec.get('name') or ''))}'>" if uri else ""
            volume = "" if _blank(rec.get("volume")) else f"{float(rec['volume']) * 100:.0f}%"
            text = "" if _blank(rec.get("text")) else str(rec["text"])
            name = "" if _blank(rec.get("name")) else str(rec["name"])
            rows.append(
                f"<tr class='nemo-row nemo-row-{esc(str(rec['kind']))}'><td>{pic}</td>"
                f"<td>{rec['track']}.{rec['segment']}</td><td>{esc(str(rec['kind']))}</td>"
                f"<td>{esc(name)}</td><td class='num'>{_seconds(rec['start'])}</td>"
                f"<td class='num'>{_seconds(rec['end'])}</td>"
                f"<td class='num'>{_seconds(rec['duration'])}</td>"
                f"<td>{esc(_transition(rec.get('tr')))}</td><td class='num'>{volume}</td>"
                f"<td>{esc(text)}</td></tr>"
            )
        return (
            f"<table class='nemo-table nemo-timeline-table' aria-label='Timeline segments'>"
            f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def _strip_html(self, draft: Draft, media: dict[str, MediaInfo]) -> str:
        total = max([draft.duration, *(t.end for t in draft.tracks)]) or 1.0
        esc = html.escape
        lanes = []
        for track in draft.tracks:
            color = _COLORS.get(track.kind, "#777")
            blocks = []
            for seg in track.segments:
                left = seg.start / total * 100
                width = max(seg.duration / total * 100, 0.4)
                label = seg.text or seg.name or ""
                tip = f"{label} · {format_seconds(seg.start)}–{format_seconds(seg.end)} s"
                if _transition(seg.transition):
                    tip += f" · then {_transition(seg.transition)}"
                if seg.volume is not None:
                    tip += f" · volume {seg.volume * 100:.0f}%"
                uri = self._thumb(seg.raw.get("src"), media) if track.kind == "video" else None
                bg = f"background-color:{color};"
                if uri:
                    bg += f"background-image:url({uri});"
                blocks.append(
                    f"<div class='nemo-seg' style='left:{left:.3f}%;width:{width:.3f}%;{bg}' "
                    f"title='{esc(tip, quote=True)}'>{esc(label)}</div>"
                )
            name = _LANE_NAMES.get(track.kind, track.name or track.kind)
            lanes.append(
                f"<div class='nemo-lane'><div class='nemo-lane-label'>{esc(name)}</div>"
                f"<div class='nemo-lane-body'>{''.join(blocks)}</div></div>"
            )
        step = next((s for s in _TICK_STEPS if total / s <= 10), _TICK_STEPS[-1])
        ticks = "".join(
            f"<div class='nemo-tick' style='left:{i * step / total * 100:.3f}%'>"
            f"{format_seconds(i * step)}s</div>"
            for i in range(int(total // step) + 1)
        )
        return (
            f"<div class='nemo-strip-body' role='img' aria-label='{esc(draft.summary())}'>"
            f"{''.join(lanes)}<div class='nemo-axis'>{ticks}</div></div>"
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
