"""The order of the photos and clips: move, swap, reverse, shuffle, remove one.

Pure edits like the rest of ``edits`` (which re-exports them): each takes a draft and
returns a new one through ``timing.reorder``, so captions follow their photo.
"""

from __future__ import annotations

import random
import zlib

from nemowidgets.local.agent.timing import Draft, EditError, check_index, reorder, segments


def move_segment(draft: Draft, index: int, to: int) -> Draft:
    """Move segment ``index`` so that it ends up at position ``to`` (both 0-based)."""
    n = len(segments(draft))
    check_index(draft, index)
    check_index(draft, to)
    order = [i for i in range(n) if i != index]
    order.insert(to, index)
    return reorder(draft, order)


def swap_segments(draft: Draft, a: int, b: int) -> Draft:
    """Exchange two segments."""
    order = list(range(len(segments(draft))))
    order[check_index(draft, a)], order[check_index(draft, b)] = b, a
    return reorder(draft, order)


def reverse_order(draft: Draft) -> Draft:
    """Last photo first."""
    return reorder(draft, range(len(segments(draft)) - 1, -1, -1))


def shuffle_order(draft: Draft, seed: int | None = None) -> Draft:
    """A shuffled order, the same for the same draft (seeded by the segment ids)."""
    video = segments(draft)
    if seed is None:
        seed = zlib.crc32(",".join(str(sg.get("id")) for sg in video).encode())
    order = list(range(len(video)))
    random.Random(seed).shuffle(order)
    if len(order) > 1 and order == sorted(order):
        order = order[1:] + order[:1]  # a shuffle that changes nothing looks broken
    return reorder(draft, order)


def remove_segment(draft: Draft, index: int) -> Draft:
    """Remove one photo or clip (and its caption)."""
    n = len(segments(draft))
    check_index(draft, index)
    if n == 1:
        raise EditError("That is the only photo; a slideshow needs at least one.")
    return reorder(draft, [i for i in range(n) if i != index])
