"""The local agent's language corpus: realistic prompts, each with what its draft must be.

A row is ``row(tags, setup, prompt, **expect)``: space-separated category tags
(``"neg zh"``), a starting-draft key (``setups.SETUPS``), the prompt, and the
properties the turn must leave (``checks.check_draft`` documents the little
predicate language).  Rows live in the ``rows_*`` modules by theme; add a line
to extend the corpus.  :func:`run` plays one row and returns its failures, so
the test (``tests/local/test_agent_corpus.py``) and the benchmark
(``benchmarks/agent_corpus.py``) judge rows the same way.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

from nemowidgets.local.agent import respond
from tests.support.agent_corpus.checks import check_draft, check_language, check_reply
from tests.support.agent_corpus.setups import setup
from tests.support.agent_corpus.table import Row
from tests.support.draft_invariants import assert_draft_invariants

__all__ = ["CATEGORY_MINIMUMS", "ROWS", "Outcome", "Row", "run"]


@dataclass
class Outcome:
    row: Row
    text: str = ""
    ms: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def run(r: Row) -> Outcome:
    """Play one row against the agent: the reply, its time, and every failed check."""
    start, media = setup(r.setup)
    given = copy.deepcopy(start)
    t0 = time.perf_counter()
    reply = respond(r.prompt, start, media)
    out = Outcome(r, reply.text, (time.perf_counter() - t0) * 1000)
    fail = out.failures
    if start != given:
        fail.append("respond mutated the draft it was given")
    if not reply.text.strip():
        fail.append("empty reply")
    e = r.expect
    if e.get("undo"):
        if not reply.undo:
            fail.append("expected an undo")
        return out
    if reply.undo:
        fail.append("unexpected undo")
    if (e.get("unchanged") or e.get("asks")) and reply.draft is not None:
        fail.append("expected no change, but the draft changed")
    if e.get("asks") and "?" not in reply.text and "？" not in reply.text:
        fail.append("expected a question")
    says = e.get("says", ())
    for s in (says,) if isinstance(says, str) else says:
        if s.lower() not in reply.text.lower():
            fail.append(f"reply lacks {s!r}")
    not_says = e.get("not_says", ())
    for s in (not_says,) if isinstance(not_says, str) else not_says:
        if s.lower() in reply.text.lower():
            fail.append(f"reply contains {s!r}")
    final = reply.draft if reply.draft is not None else start
    if reply.draft is not None:
        try:
            assert_draft_invariants(reply.draft)
        except AssertionError as exc:
            fail.append(f"draft invariant: {exc}")
    fail += check_draft(e, start, final)
    fail += check_reply(reply.text, final)
    fail += check_language(r.prompt, reply.text)
    return out


def _rows() -> list[Row]:
    from tests.support.agent_corpus import (
        rows_creators,
        rows_edits,
        rows_issue,
        rows_review,
        rows_slots,
        rows_unsupported,
        rows_zh,
    )

    modules = (
        rows_issue,
        rows_slots,
        rows_edits,
        rows_unsupported,
        rows_zh,
        rows_review,
        rows_creators,
    )
    return [r for m in modules for r in m.ROWS]


#: The categories the issue asks for, with the least number of rows each must have.
CATEGORY_MINIMUMS = {
    "zh": 60,
    "neg": 40,
    "relative": 30,
    "compound": 30,
    "unsupported": 30,
    "duration": 10,
    "total": 10,
    "percent": 8,
    "position": 10,
    "aspect": 10,
    "filename": 10,
    "content": 5,
    "issue": 15,
    "review": 100,
}
ROWS: list[Row] = _rows()
