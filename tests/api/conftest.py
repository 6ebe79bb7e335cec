"""Fixtures of the client's tests: one cloud stand-in per module, a clean state per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cloud_server import CloudServer, CloudState, start_cloud


@pytest.fixture(autouse=True)
def _isolated_env(isolated_env: Path) -> None:
    """No user settings leak into a client test (tests/conftest.py)."""


@pytest.fixture(scope="module")
def cloud_server() -> Iterator[CloudServer]:
    server = start_cloud()
    yield server
    server.stop()


@pytest.fixture
def cloud(cloud_server: CloudServer) -> CloudState:
    """The stand-in's state, fresh for this test (knobs at their defaults)."""
    return cloud_server.reset()
