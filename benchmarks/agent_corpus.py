"""The local agent against its language corpus: pass rate by category, and turn time.

Plays every row of ``tests/support/agent_corpus`` through the agent (the same
judging as ``tests/local/test_agent_corpus.py``) and prints, per category, how
many rows pass, then the per-turn time (median, 95th percentile, slowest)
against the 50 ms budget.  ``--failures`` lists the failing rows and why.

    python benchmarks/agent_corpus.py [--failures] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.agent_corpus import ROWS, Outcome, run  # noqa: E402

BUDGET_MS = 50.0


def _play(repeat: int) -> list[Outcome]:
    outcomes = []
    for r in ROWS:
        runs = [run(r) for _ in range(max(1, repeat))]
        best = min(runs, key=lambda o: o.ms)  # the turn's own cost, not a scheduler hiccup
        outcomes.append(runs[0] if not runs[0].ok else best)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="list the failing rows")
    parser.add_argument("--repeat", type=int, default=3, help="runs per row; the fastest counts")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    args = parser.parse_args(argv)
    outcomes = _play(args.repeat)
    by_tag: dict[str, list[Outcome]] = defaultdict(list)
    for out in outcomes:
        for tag in out.row.tags:
            by_tag[tag].append(out)
    times = sorted(o.ms for o in outcomes)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    passed = sum(o.ok for o in outcomes)
    summary = {
        "rows": len(outcomes),
        "passed": passed,
        "categories": {
            tag: {"rows": len(outs), "passed": sum(o.ok for o in outs)}
            for tag, outs in sorted(by_tag.items())
        },
        "turn_ms": {"median": statistics.median(times), "p95": p95, "max": times[-1]},
        "over_budget": [o.row.id for o in outcomes if o.ms >= BUDGET_MS],
    }
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
        return 0 if passed == len(outcomes) and not summary["over_budget"] else 1
    print(f"{'category':<12} {'rows':>5} {'pass':>5} {'rate':>7}")
    for tag, c in summary["categories"].items():
        print(f"{tag:<12} {c['rows']:>5} {c['passed']:>5} {c['passed'] / c['rows']:>7.1%}")
    print(f"{'all':<12} {len(outcomes):>5} {passed:>5} {passed / len(outcomes):>7.1%}")
    t = summary["turn_ms"]
    print(
        f"\nturn time: median {t['median']:.2f} ms, p95 {t['p95']:.2f} ms, "
        f"max {t['max']:.2f} ms (budget {BUDGET_MS:.0f} ms: "
        f"{len(summary['over_budget'])} turn(s) over)"
    )
    if args.failures:
        for o in outcomes:
            if not o.ok:
                print(f"\n[{' '.join(o.row.tags)}] {o.row.setup}: {o.row.prompt!r}")
                print(f"  reply: {o.text!r}")
                for f in o.failures:
                    print(f"  - {f}")
    return 0 if passed == len(outcomes) and not summary["over_budget"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
