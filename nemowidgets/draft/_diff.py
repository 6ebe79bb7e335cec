"""Draft diffs in words, for people: "Photo 3 duration 3s → 5s", "Aspect 16:9 → 9:16".

About a third of agent turns end with no text at all (docs/protocol.md); the user is
then told what changed by comparing the draft before with the draft after.  The
phrases name things the way a user sees them (photos, music, title) rather than
by segment keys, and collapse an edit that touched every photo into one line
("Transition: crossfade → wipe") instead of one line per photo.

Matching: tracks are paired by kind (first video track with first video track,
...); segments by their ``id`` when every segment has a unique one, else by
position.  Starts on the video track are not reported: they follow from the
durations and transitions (the timing rule), which are.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Protocol

from nemowidgets.draft._parts import Segment, Track, format_seconds

__all__ = ["Timeline", "diff_lines"]


class Timeline(Protocol):
    """What a diff reads of a draft (:class:`~nemowidgets.draft.Draft` has it all)."""

    @property
    def raw(self) -> dict[str, Any]: ...
    @property
    def tracks(self) -> tuple[Track, ...]: ...
    @property
    def meta(self) -> dict[str, Any]: ...
    @property
    def duration(self) -> float: ...
    @property
    def aspect(self) -> str | None: ...
    @property
    def width(self) -> int | None: ...
    @property
    def height(self) -> int | None: ...


_NOUNS = {"image": "Photo", "video": "Clip", "audio": "Music", "text": "Title"}
_TRACK_NOUNS = {"video": "Clip", "audio": "Music", "text": "Title"}
_PLURALS = {"Photo": "photos", "Clip": "clips", "Music": "music segments", "Title": "titles"}
_QUIET = frozenset({"id", "k", "s", "d", "n", "src", "txt", "tr", "kb", "vol", "fi", "fo"})
_NAMED_KEYS = {"pos": "position", "sz": "size", "in": "in-point", "loop": "loop"}


def _sec(ms: Any) -> str:
    return f"{format_seconds((ms or 0) / 1000)}s" if isinstance(ms, (int, float)) else "?s"


def _pct(vol: Any) -> str:
    return f"{round((1.0 if vol is None else float(vol)) * 100)}%"


def _val(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return format_seconds(value)
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _noun(track: Track, seg: Segment) -> str:
    return _NOUNS.get(seg.media_kind or "", _TRACK_NOUNS.get(track.kind, "Segment"))


def _plural(nouns: list[str]) -> str:
    kinds = set(nouns)
    return _PLURALS.get(kinds.pop(), "segments") if len(kinds) == 1 else "segments"


def _label(seg: Segment) -> str:
    if seg.text is not None:
        return f"'{seg.text}'"
    return seg.name or "untitled"


def _span(seg: Segment) -> str:
    return f"{format_seconds(seg.start)}-{format_seconds(seg.end)}s"


def _pair_segments(
    old: tuple[Segment, ...], new: tuple[Segment, ...]
) -> tuple[list[tuple[Segment, Segment]], list[Segment], list[Segment], bool]:
    """(matched pairs in new order, removed, added, matched_by_id)."""
    old_ids = [s.raw.get("id") for s in old]
    new_ids = [s.raw.get("id") for s in new]
    by_id = all(i is not None for i in old_ids + new_ids) and (
        len(set(old_ids)) == len(old_ids) and len(set(new_ids)) == len(new_ids)
    )
    if by_id:
        old_map = {s.raw["id"]: s for s in old}
        new_set = set(new_ids)
        pairs = [(old_map[s.raw["id"]], s) for s in new if s.raw["id"] in old_map]
        removed = [s for s in old if s.raw["id"] not in new_set]
        added = [s for s in new if s.raw["id"] not in old_map]
        return pairs, removed, added, True
    n = min(len(old), len(new))
    return list(zip(old[:n], new[:n], strict=True)), list(old[n:]), list(new[n:]), False


def _order_line(pairs: list[tuple[Segment, Segment]], noun: str) -> str | None:
    """Describe a reordering of the matched segments, or ``None`` when the order held."""
    before = sorted(pairs, key=lambda p: p[0].number)
    old_order = [id(p[1]) for p in before]
    new_order = [id(p[1]) for p in pairs]
    if old_order == new_order:
        return None
    if len(new_order) > 2 and new_order == old_order[::-1]:
        return "Order reversed"
    for i, key in enumerate(old_order):  # one segment moved?
        rest = old_order[:i] + old_order[i + 1 :]
        j = new_order.index(key)
        if new_order[:j] + new_order[j + 1 :] == rest:
            seg = before[i][1]
            return f"{noun} moved: {_label(seg)} {i + 1} → {j + 1}"
    moved = sum(a != b for a, b in zip(old_order, new_order, strict=True))
    return f"Order changed ({moved} moved)"


def _seg_changes(
    track: Track, a: Segment, b: Segment, totals: tuple[float, float]
) -> list[tuple[str, str, str, str]]:
    """Changes of one matched pair as (what, old, new, noun) tuples, for grouping.

    ``totals`` (old and new draft length): music that just follows the video's
    length is not reported, the "Length" line says it.
    """
    out: list[tuple[str, str, str, str]] = []
    ra, rb = a.raw, b.raw
    noun = _noun(track, b)
    if track.kind == "text":
        if a.text != b.text:
            out.append(("text", f"'{a.text}'", f"'{b.text}'", noun))
        if (a.start, a.end) != (b.start, b.end):
            out.append(("timing", _span(a), _span(b), noun))
    else:
        follows = track.kind == "audio" and (a.end, b.end) == totals
        if ra.get("d") != rb.get("d") and not follows:
            out.append(("duration", _sec(ra.get("d")), _sec(rb.get("d")), noun))
        if track.kind != "video" and ra.get("s") != rb.get("s"):
            out.append(("start", _sec(ra.get("s")), _sec(rb.get("s")), noun))
        if ra.get("src") != rb.get("src") or (ra.get("n") != rb.get("n") and "txt" not in rb):
            out.append(("media", a.name or "?", b.name or "?", noun))
    ta, tb = a.transition or {}, b.transition or {}
    if ta.get("type", "none") != tb.get("type", "none"):
        out.append(("transition", ta.get("type", "none"), tb.get("type", "none"), noun))
    elif ta.get("d") != tb.get("d") and tb.get("type", "none") != "none":
        out.append(("transition length", _sec(ta.get("d")), _sec(tb.get("d")), noun))
    kb_a, kb_b = ra.get("kb"), rb.get("kb")
    if bool(kb_a) != bool(kb_b):
        out.append(("Ken Burns", "off" if not kb_a else "on", "on" if kb_b else "off", noun))
    elif kb_a != kb_b:
        out.append(("Ken Burns", "changed", "changed", noun))
    if ra.get("vol") != rb.get("vol"):
        out.append(("volume", _pct(ra.get("vol")), _pct(rb.get("vol")), noun))
    for key, word in (("fi", "fade in"), ("fo", "fade out")):
        if ra.get(key) != rb.get(key):
            out.append((word, _sec(ra.get(key) or 0), _sec(rb.get(key) or 0), noun))
    for key in sorted(set(ra) | set(rb), key=str):
        if key in _QUIET or ra.get(key) == rb.get(key):
            continue
        out.append((_NAMED_KEYS.get(key, key), _val(ra.get(key)), _val(rb.get(key)), noun))
    return out


def _phrase(what: str, old: str, new: str, noun: str, where: str) -> str:
    subject = f"{noun}{where}"
    if what == "text":
        return f"{subject} changed: {old} → {new}"
    if what == "timing":
        return f"{subject} timing {old} → {new}"
    if what == "media":
        return f"{subject} replaced: {old} → {new}"
    if what == "Ken Burns":
        return f"Ken Burns {new}{where and ' for ' + noun.lower() + where}"
    if what.startswith("transition"):
        head = "Transition" if what == "transition" else "Transition length"
        suffix = f" (after {noun.lower()}{where})" if where else ""
        return f"{head}: {old} → {new}{suffix}"
    return f"{subject} {what} {old} → {new}"


def _track_lines(
    old: Track | None, new: Track | None, totals: tuple[float, float] = (0.0, 0.0)
) -> list[str]:
    if new is None:
        assert old is not None
        if len(old.segments) == 1:
            seg = old.segments[0]
            return [f"{_noun(old, seg)} removed: {_label(seg)}"]
        return [f"{old.kind.capitalize()} track removed ({len(old.segments)} segments)"]
    old_segs = old.segments if old is not None else ()
    pairs, removed, added, by_id = _pair_segments(old_segs, new.segments)
    lines: list[str] = []
    for group, verb in ((added, "added"), (removed, "removed")):
        if len(group) == 1:
            seg = group[0]
            owner = new if verb == "added" else old
            assert owner is not None
            span = f" ({_span(seg)})" if verb == "added" else ""
            lines.append(f"{_noun(owner, seg)} {verb}: {_label(seg)}{span}")
        elif group:
            owner = new if verb == "added" else old
            assert owner is not None
            lines.append(f"{len(group)} {_plural([_noun(owner, s) for s in group])} {verb}")
    if by_id and len(pairs) > 1:
        order = _order_line(pairs, _noun(new, pairs[0][1]))
        if order:
            lines.append(order)
    # Group identical changes so "every photo 3s → 5s" is one line, not ten.
    changes = [(c, b.number) for a, b in pairs for c in _seg_changes(new, a, b, totals)]
    counts = Counter(c for c, _ in changes)
    seen: set[tuple[str, str, str, str]] = set()
    many = len(new.segments) > 1
    for change, number in changes:
        if change in seen:
            continue
        seen.add(change)
        what, a, b, noun = change
        n = counts[change]
        if n == 1:
            lines.append(_phrase(what, a, b, noun, f" {number}" if many else ""))
        elif what in ("transition", "transition length", "Ken Burns"):
            lines.append(_phrase(what, a, b, noun, ""))
        else:
            scope = f"all {n}" if n == len(pairs) else f"{n} of {len(pairs)}"
            lines.append(f"{noun} {what} {a} → {b} ({scope} {_PLURALS.get(noun, 'segments')})")
    return lines


def _meta_lines(old: Timeline, new: Timeline, titles_changed: bool) -> list[str]:
    ma, mb = old.meta, new.meta
    lines: list[str] = []
    if old.aspect != new.aspect and (old.aspect or new.aspect):
        lines.append(f"Aspect {old.aspect or '?'} → {new.aspect or '?'}")
    if (old.width, old.height) != (new.width, new.height):
        lines.append(
            f"Size {old.width or '?'}x{old.height or '?'} → {new.width or '?'}x{new.height or '?'}"
        )
    for key in sorted(set(ma) | set(mb), key=str):
        a, b = ma.get(key), mb.get(key)
        if a == b or key in ("aspect", "width", "height"):
            continue
        if key == "fps":
            lines.append(f"Frame rate {_val(a)} → {_val(b)} fps")
        elif key == "fit":
            lines.append(f"Photo fit {_val(a)} → {_val(b)}")
        elif key == "removed_media":  # the local backend's removed files (nemowidgets.protocol)
            n = len(b if isinstance(b, list) else []) - len(a if isinstance(a, list) else [])
            if n:
                word = "removed from" if n > 0 else "back in"
                lines.append(f"{abs(n)} file{'s' * (abs(n) != 1)} {word} the media")
        elif key == "title":
            if not titles_changed:
                lines.append(f"Project title {_val(a)} → {_val(b)}")
        else:
            lines.append(f"{key}: {_val(a)} → {_val(b)}")
    return lines


def diff_lines(old: Timeline, new: Timeline | None) -> list[str]:
    """The changes from ``old`` to ``new`` as phrases; ``[]`` when they are equal."""
    if new is None:
        return ["Timeline removed"]
    if old.raw == new.raw:
        return []
    lines: list[str] = []
    kinds: list[str] = []
    for track in (*old.tracks, *new.tracks):
        if track.kind not in kinds:
            kinds.append(track.kind)
    titles_changed = False
    for kind in kinds:
        olds = [t for t in old.tracks if t.kind == kind]
        news = [t for t in new.tracks if t.kind == kind]
        for i in range(max(len(olds), len(news))):
            track_lines = _track_lines(
                olds[i] if i < len(olds) else None,
                news[i] if i < len(news) else None,
                (old.duration, new.duration),
            )
            titles_changed |= kind == "text" and bool(track_lines)
            lines.extend(track_lines)
    lines.extend(_meta_lines(old, new, titles_changed))
    if abs(old.duration - new.duration) > 1e-9:
        lines.append(f"Length {format_seconds(old.duration)}s → {format_seconds(new.duration)}s")
    return lines or ["Timeline changed (no visible difference)"]
