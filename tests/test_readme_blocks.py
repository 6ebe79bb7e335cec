"""Blocks generated from the code (the error table, the draft keys, in docs/) are kept current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("tool", ["error_table.py", "draft_keys.py"])
def test_readme_generated_block_is_current(tool: str) -> None:
    result = subprocess.run(
        [sys.executable, f"tools/{tool}", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_protocol_code_has_a_row() -> None:
    from nemowidgets.protocol import ErrorCode

    readme = (ROOT / "docs/reference.md").read_text(encoding="utf-8")
    for code in ErrorCode:
        if code is not ErrorCode.OK:
            assert f"`{int(code)}`" in readme, code
