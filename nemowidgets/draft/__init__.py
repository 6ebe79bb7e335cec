"""The draft model: a timeline read tolerantly from the protocol's state.

The protocol publishes only the draft's outer short keys (``t`` tracks, ``tt``
track type, ``sg`` segments, ``d`` duration in ms, ``m`` metadata); the keys
inside a segment are the backend's business (the local backend documents its
own in :mod:`nemowidgets.protocol`).  So :class:`Draft` keeps the raw dict
unchanged (it goes back to the render call as is) and builds its views from it
tolerantly: a missing key gets a default, an unknown track type becomes
``other(tt)``, and every segment key it does not know becomes a column of
:meth:`Draft.to_dataframe` - nothing is dropped.  Only a field whose *type* makes
the timeline meaningless (``t`` not a list, ``d`` not a number, ...) raises
:class:`~nemowidgets.api.errors.MalformedPayloadError`, naming its path
(``draft.t[1].sg[0].d``) so the report says exactly what the server sent.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

from nemowidgets.draft._diff import diff_lines as _diff_lines
from nemowidgets.draft._parts import Segment, Track, format_seconds, parse_track, row_kind
from nemowidgets.draft._parts import bad as _bad
from nemowidgets.draft._parts import is_number as _is_number
from nemowidgets.draft._parts import number as _number

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["BASE_COLUMNS", "STYLE_COLUMNS", "Draft", "Segment", "Track", "format_seconds"]

#: The columns every :meth:`Draft.to_dataframe` has, in this order.
BASE_COLUMNS = ("track", "kind", "segment", "start", "end", "duration", "name", "volume", "text")
#: Named columns for the local backend's look, sound and text-style keys (see
#: ``nemowidgets.protocol``), after the base columns and only when a segment has one.
STYLE_COLUMNS: dict[str, str] = {
    "fx": "look",
    "br": "brightness",
    "ct": "contrast",
    "mu": "muted",
    "col": "color",
    "bg": "box",
}
#: Segment keys folded into the base columns (``src`` stays a column of its own).
_CONSUMED = frozenset({"s", "d", "n", "vol", "txt", *STYLE_COLUMNS})
_STYLE_NAMES = frozenset(STYLE_COLUMNS.values())
#: Track labels of the summary, in the protocol's style (docs/protocol.md).
_LABELS = {"video": "Video", "audio": "BGM", "text": "Title"}


class Draft:
    """A timeline: the raw draft dict plus tolerant views of it.

    Build one with :meth:`from_state` (from the state endpoint) or ``Draft(raw)``.
    Drafts are immutable by convention: ``raw`` is what the server sent.
    """

    __slots__ = ("_canvas", "_tracks", "raw", "version")

    def __init__(
        self,
        raw: dict[str, Any],
        *,
        version: int | None = None,
        canvas: dict[str, Any] | None = None,
    ) -> None:
        if not isinstance(raw, dict):
            raise _bad("draft", "an object", raw)
        tracks = raw.get("t")
        if tracks is None:
            tracks = []
        if not isinstance(tracks, list):
            raise _bad("draft.t", "a list", tracks)
        _number(raw, "d", "draft")
        meta = raw.get("m")
        if meta is not None and not isinstance(meta, dict):
            raise _bad("draft.m", "an object", meta)
        self.raw = raw
        self.version = version
        self._canvas = canvas if isinstance(canvas, dict) else {}
        self._tracks = tuple(parse_track(i, t) for i, t in enumerate(tracks))

    # -- construction --------------------------------------------------------
    @classmethod
    def from_state(cls, data: Any) -> Draft | None:
        """The draft in a state payload, or ``None`` when there is none yet.

        Accepts the state endpoint's ``data`` (the state inside under ``"state"``),
        the inner state (with ``"draft"``), or a raw draft (with ``"t"``).  A draft
        sent as a JSON string (seen in some ADK state deltas) is decoded.
        """
        if data is None:
            return None
        if not isinstance(data, dict):
            raise _bad("state", "an object", data)
        inner = data.get("state")
        state: dict[str, Any] = inner if isinstance(inner, dict) else data
        if "draft" in state:
            raw = state.get("draft")
        elif "t" in state:
            raw, state = state, {}
        else:
            return None
        if isinstance(raw, str):
            try:
                raw = json.loads(raw) if raw.strip() else None
            except ValueError:
                raise _bad("draft", "an object (or its JSON)", raw) from None
        if raw is None or raw == {}:
            return None
        version = state.get("draft_version")
        canvas = state.get("canvas_config")
        return cls(
            raw,
            version=int(version) if _is_number(version) else None,
            canvas=canvas if isinstance(canvas, dict) else None,
        )

    # -- properties ----------------------------------------------------------
    @property
    def tracks(self) -> tuple[Track, ...]:
        return self._tracks

    @property
    def meta(self) -> dict[str, Any]:
        meta = self.raw.get("m")
        return meta if isinstance(meta, dict) else {}

    @property
    def duration(self) -> float:
        """Seconds: the draft's ``d``, else the end of its last segment."""
        d = self.raw.get("d")
        if _is_number(d):
            return float(d) / 1000
        return max((t.end for t in self._tracks), default=0.0)

    def _dimension(self, key: str) -> int | None:
        for source in (self.meta, self._canvas):
            value = source.get(key)
            if _is_number(value):
                return int(value)
        return None

    @property
    def width(self) -> int | None:
        return self._dimension("width")

    @property
    def height(self) -> int | None:
        return self._dimension("height")

    @property
    def aspect(self) -> str | None:
        value = self.meta.get("aspect") or self._canvas.get("aspect")
        return None if value is None else str(value)

    @property
    def segment_count(self) -> int:
        return sum(len(t.segments) for t in self._tracks)

    @property
    def is_exportable(self) -> bool:
        """True when some track has a non-empty ``sg`` (what export requires)."""
        return any(t.segments for t in self._tracks)

    # -- views ---------------------------------------------------------------
    def rows(self) -> list[dict[str, Any]]:
        """One dict per segment: the base columns, then every other segment key."""
        rows: list[dict[str, Any]] = []
        for track in self._tracks:
            for seg in track.segments:
                row: dict[str, Any] = {
                    "track": track.number,
                    "kind": row_kind(track.kind, seg.media_kind),
                    "segment": seg.number,
                    "start": seg.start,
                    "end": seg.end,
                    "duration": seg.duration,
                    "name": seg.name,
                    "volume": seg.volume,
                    "text": seg.text,
                }
                for key, column in STYLE_COLUMNS.items():
                    if key in seg.raw:
                        row[column] = seg.raw[key]
                for key, value in seg.raw.items():
                    if key in _CONSUMED:
                        continue
                    # A backend key that collides with a base column keeps its value
                    # under "sg.<key>" rather than overwrite ours or be dropped.
                    taken = key in BASE_COLUMNS or key in _STYLE_NAMES
                    row[f"sg.{key}" if taken else key] = value
                rows.append(row)
        return rows

    def to_dataframe(self) -> pd.DataFrame:
        """The timeline as a table: one row per segment, times in seconds."""
        import pandas as pd

        rows = self.rows()
        columns = list(BASE_COLUMNS)
        columns += [c for c in STYLE_COLUMNS.values() if any(c in row for row in rows)]
        for row in rows:
            columns.extend(k for k in row if k not in columns)
        # Object columns keep dicts (``tr``, ``kb``) as objects, not expanded.
        return pd.DataFrame(rows, columns=columns)

    def summary(self) -> str:
        """One line, e.g. ``Timeline (2 tracks): 1. Video: 5 clips (0-13s) 2. BGM: ...``."""
        n = len(self._tracks)
        head = f"Timeline ({n} track{'' if n == 1 else 's'}):"
        if not n:
            return f"{head} empty"
        return " ".join([head, *(f"{t.number}. {_describe_track(t)}" for t in self._tracks)])

    def diff(self, other: Draft | None) -> str:
        """What changed from this draft to ``other``, in words ("No changes" if equal)."""
        lines = _diff_lines(self, other)
        return "; ".join(lines) if lines else "No changes"

    def diff_lines(self, other: Draft | None) -> list[str]:
        """:meth:`diff` as a list of phrases."""
        return _diff_lines(self, other)

    # -- dunder --------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Draft):
            return NotImplemented
        return self.raw == other.raw

    __hash__ = None  # type: ignore[assignment]  # mutable raw dict: not hashable

    def __repr__(self) -> str:
        size = f", {self.width}x{self.height}" if self.width and self.height else ""
        return (
            f"Draft(version={self.version}, tracks={len(self._tracks)}, "
            f"segments={self.segment_count}, duration={format_seconds(self.duration)}s{size})"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        cells = "".join(
            f"<tr><td>{t.number}</td><td>{esc(t.kind)}</td><td>{esc(_describe_track(t))}</td>"
            f"<td>{len(t.segments)}</td></tr>"
            for t in self._tracks
        )
        size = f" · {self.width}×{self.height}" if self.width and self.height else ""
        version = f" v{self.version}" if self.version is not None else ""
        return (
            f"<div class='nemo-draft'><b>Draft{esc(version)}</b> · "
            f"{format_seconds(self.duration)} s{esc(size)}"
            "<table><thead><tr><th>#</th><th>kind</th><th>contents</th><th>segments</th>"
            f"</tr></thead><tbody>{cells}</tbody></table></div>"
        )


def _span(start: float, end: float) -> str:
    return f"{format_seconds(start)}-{format_seconds(end)}s"


def _describe_track(track: Track) -> str:
    """``Video: city timelapse (0-10s)`` / ``BGM: Lo-fi (0-10s, 35%)`` / ``Title: "X" (0-3s)``."""
    segs = track.segments
    label = _LABELS.get(track.kind, track.name or track.kind.capitalize())
    if not segs:
        return f"{label}: empty"
    span = _span(track.start, track.end)
    if track.kind == "text":
        texts = [s.text or s.name or "" for s in segs]
        shown = ", ".join(f'"{t}"' for t in texts[:3]) + (", …" if len(texts) > 3 else "")
        return f"{'Title' if len(segs) == 1 else 'Titles'}: {shown} ({span})"
    what = (segs[0].name or "1 clip") if len(segs) == 1 else f"{len(segs)} clips"
    if track.kind == "audio":
        volumes = {s.volume for s in segs}
        volume = volumes.pop() if len(volumes) == 1 else None
        if volume is not None:
            span += f", {round(volume * 100)}%"
    return f"{label}: {what} ({span})"
