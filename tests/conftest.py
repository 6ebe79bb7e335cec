"""What every suite shares: the repo on ``sys.path``, asyncio for anyio, an isolated environment.

The per-directory conftests keep only what their suite needs (servers, media,
fakes) and make ``isolated_env`` autouse where every test needs it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `tests.support` is imported from the repo root
    sys.path.insert(0, str(ROOT))

from tests.support.isolation import isolate  # noqa: E402


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user settings leak in: private config and state dirs, no token, no URL, no source."""
    return isolate(monkeypatch, tmp_path)
