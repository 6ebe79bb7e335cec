"""Fixtures of the client's tests: one cloud stand-in per module, a clean state per test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `tests.support` is imported from the repo root
    sys.path.insert(0, str(ROOT))

from tests.support.cloud_server import CloudServer, CloudState, start_cloud  # noqa: E402


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user settings leak in: a private config dir, no token, no URL, no source."""
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(tmp_path / "config"))
    for name in ("NEMO_TOKEN", "NEMO_API_URL", "SKILL_SOURCE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def cloud_server() -> Iterator[CloudServer]:
    server = start_cloud()
    yield server
    server.stop()


@pytest.fixture
def cloud(cloud_server: CloudServer) -> CloudState:
    """The stand-in's state, fresh for this test (knobs at their defaults)."""
    return cloud_server.reset()
