"""Fixtures of the client's protocol tests against the real local server.

The cloud stand-in of ``tests/api`` has knobs only it has (scripted streams,
request logs, injected payload variants); here the other side is the real
``nemowidgets.local`` server, misbehaving only through its own fault switch.
One plain server and one with fault injection per module (fast); each test
makes its own client id and session, so tests stay independent.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `tests.support` is imported from the repo root
    sys.path.insert(0, str(ROOT))

from nemowidgets.local.faults import FaultPlan  # noqa: E402
from nemowidgets.local.launch import LocalServer, start_server  # noqa: E402
from tests.support.local_server import sample_media, start_local_server  # noqa: E402, F401


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user settings leak in: a private config dir, no token, no URL, no source, no faults."""
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(tmp_path / "config"))
    for name in ("NEMO_TOKEN", "NEMO_API_URL", "SKILL_SOURCE", "NEMO_FAULTS"):
        monkeypatch.delenv(name, raising=False)


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
