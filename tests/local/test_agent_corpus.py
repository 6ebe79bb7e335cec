"""The language corpus: every realistic prompt leaves the draft its row says, and says so.

Rows are in ``tests/support/agent_corpus`` (one line each, by theme); each row
also checks that the reply is in the prompt's language and that every value
the reply states agrees with the draft it produced.  The per-category pass
rates and turn times are printed by ``benchmarks/agent_corpus.py``.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.support.agent_corpus import CATEGORY_MINIMUMS, ROWS, Row, run


@pytest.mark.parametrize("r", ROWS, ids=[r.id for r in ROWS])
def test_corpus_row(r: Row) -> None:
    out = run(r)
    assert out.ok, f"{r.prompt!r} -> {out.text!r}\n" + "\n".join(out.failures)


def test_corpus_is_big_enough_in_every_category() -> None:
    assert len(ROWS) >= 250
    counts = Counter(tag for r in ROWS for tag in r.tags)
    low = {tag: counts[tag] for tag, least in CATEGORY_MINIMUMS.items() if counts[tag] < least}
    assert not low, f"categories below their minimum: {low}"


def test_rows_are_unique() -> None:
    ids = [r.id for r in ROWS]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]


def test_same_row_same_reply() -> None:
    for r in ROWS[::17]:
        assert run(r).text == run(r).text, r.prompt
