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


def test_mypy_strict_is_clean() -> None:
    """``mypy`` with the project's config (``[tool.mypy]``: strict, the whole package)."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, (
        "mypy --strict (pyproject.toml [tool.mypy]) found type errors in nemowidgets/; "
        "run `python -m mypy` from the repository root and fix them (no blanket ignores):\n"
        + result.stdout
        + result.stderr
    )
