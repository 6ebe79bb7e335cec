"""Shared fixtures of the reliability suite: tiny media (the rest is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.local_server import media_set


@pytest.fixture(scope="session")
def tiny_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three 160x120 photos (indices 0-2) and 3 s of music: enough for a 2-3 s draft."""
    return media_set(tmp_path_factory.mktemp("tiny_media"), (160, 120))
