"""docs/reliability.md's figures are exactly what tools/reliability_figures.py produces.

The figures (scenarios, corpus size, soak bounds) are read from the tests, so a
test added or a bound changed without re-running the script fails here, with
the command to run.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location(
        "reliability_figures", ROOT / "tools" / "reliability_figures.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("reliability_figures", module)
    spec.loader.exec_module(module)
    return module


def test_readme_block_is_up_to_date() -> None:
    tool = _tool()
    block = tool.render_block()
    current = tool.current_block((ROOT / "docs" / "reliability.md").read_text(encoding="utf-8"))
    assert current == block, "docs/reliability.md is stale: run python tools/reliability_figures.py"


def test_block_reports_the_real_figures() -> None:
    """The block's counts come from the code: >= 12 scenarios, >= 40 bad inputs, the bounds."""
    tool = _tool()
    from tests.support.badinputs import CASES

    faults = [t for path in tool.fault_modules() for t in tool.collect_tests(path)]
    assert any(p.name == "test_faults_storage.py" for p in tool.fault_modules())
    soak = ROOT / "tests" / "reliability" / "test_soak.py"
    bounds = {name: value for name, value, _ in tool.collect_bounds(soak)}
    block = tool.render_block()
    assert len(faults) >= 12
    assert len(CASES) >= 40
    assert f"**Fault matrix: {len(faults)} scenarios**" in block
    assert f"**Bad inputs: {len(CASES)} cases**" in block
    assert all(f"`{c.name}`" in block for c in CASES)
    assert all(f"`{t.name}`" in block for t in faults)
    assert {"RSS_GROWTH_LIMIT_MB", "FD_GROWTH_LIMIT", "SOAK_CYCLES"} <= set(bounds)
    assert f"**{bounds['RSS_GROWTH_LIMIT_MB']}** (`RSS_GROWTH_LIMIT_MB`)" in block


def test_splice_touches_only_the_marked_block() -> None:
    tool = _tool()
    block = f"{tool.START}\nnew\n{tool.END}\n"
    before = f"# Title\n\nintro\n\n{tool.START}\nold\n{tool.END}\n\n## Later section\ntext\n"
    after = tool.splice(before, block)
    assert after == f"# Title\n\nintro\n\n{tool.START}\nnew\n{tool.END}\n\n## Later section\ntext\n"
    assert tool.splice("# T\n", block) == f"# T\n\n## Reliability\n\n{block}"  # appended
    assert tool.splice(after, block) == after  # idempotent
    placeholder = f"## Reliability\n\n{tool.START}\n\n## Next\n"  # a lone opening marker
    assert tool.splice(placeholder, block) == f"## Reliability\n\n{block}\n## Next\n"
