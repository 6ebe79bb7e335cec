"""Fixtures of the client's protocol tests against the real local server.

The cloud stand-in of ``tests/api`` has knobs only it has (scripted streams,
request logs, injected payload variants); here the other side is the real
``nemowidgets.local`` server, misbehaving only through its own fault switch.
One plain server and one with fault injection per module (fast); each test
makes its own client id and session, so tests stay independent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nemowidgets.local.faults import FaultPlan
from nemowidgets.local.server.launch import LocalServer, start_server
from tests.support.local_server import sample_media, start_local_server  # noqa: F401


@pytest.fixture(autouse=True)
def _isolated_env(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user settings leak in (tests/conftest.py), and no fault plan from the environment."""
    monkeypatch.delenv("NEMO_FAULTS", raising=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """A plain local server (a kernel's secret, no faults), shared by a module's tests."""
    srv = start_server(data_dir=tmp_path_factory.mktemp("api_local"), faults=False)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def fault_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """A local server with fault injection on (nothing armed until a test arms it)."""
    srv = start_server(data_dir=tmp_path_factory.mktemp("api_local_faults"), faults=True)
    yield srv
    srv.stop()


@pytest.fixture
def faults(fault_server: LocalServer) -> Iterator[FaultPlan]:
    """``fault_server``'s plan, cleared before and after the test (hit counts restart at 0)."""
    plan = fault_server.faults
    assert plan is not None
    plan.clear()
    plan.hits.clear()
    yield plan
    plan.clear()
