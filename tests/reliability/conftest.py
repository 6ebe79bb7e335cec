"""Shared fixtures of the reliability suite: tiny media, and the repo on sys.path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `tests.support` is imported as a namespace package
    sys.path.insert(0, str(ROOT))

from nemowidgets.samples import make_music, make_photo  # noqa: E402


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def tiny_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three 160x120 photos (indices 0-2) and 3 s of music: enough for a 2-3 s draft."""
    folder = tmp_path_factory.mktemp("tiny_media")
    media = {f"photo{i}": make_photo(folder / f"photo{i}.jpg", i, (160, 120)) for i in range(3)}
    media["music"] = make_music(folder / "music.wav", 3.0)
    return media
