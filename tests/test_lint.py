"""Strict linting is part of the test suite, so CI fails on a lint error too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


TARGETS = [p for p in ("nemowidgets", "tests", "benchmarks", "tools") if (ROOT / p).exists()]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *TARGETS], cwd=ROOT, capture_output=True, text=True
    )


def test_ruff_check_is_clean() -> None:
    result = _ruff("check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _ruff("format", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


#: The parts of the package already adopted by ``mypy --strict`` (the rest follows).
MYPY_STRICT = [
    "nemowidgets/session",
    "nemowidgets/cli",
    "nemowidgets/draft",
    "nemowidgets/local/agent",
    "nemowidgets/routing.py",
    "nemowidgets/api",
    "nemowidgets/protocol.py",
    "nemowidgets/local/server",
    "nemowidgets/local/store",
    "nemowidgets/local/faults.py",
]


def test_mypy_strict_is_clean_where_adopted() -> None:
    """``mypy --strict`` on the adopted parts; imported modules are read, not reported."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", *MYPY_STRICT],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
