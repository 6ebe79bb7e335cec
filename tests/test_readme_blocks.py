"""The README's error table is generated from the exception tree and kept current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_error_table_is_current() -> None:
    result = subprocess.run(
        [sys.executable, "tools/error_table.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_protocol_code_has_a_row() -> None:
    from nemowidgets.protocol import ErrorCode

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in ErrorCode:
        if code is not ErrorCode.OK:
            assert f"`{int(code)}`" in readme, code
