"""Fixtures of the local-backend tests: real servers on loopback.

Defined in tests/support/local_server.py (reusable by other suites).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `tests.support` is imported as a namespace package
    sys.path.insert(0, str(ROOT))

from tests.support.local_server import (  # noqa: E402, F401
    fault_api,
    fault_server,
    local_api,
    local_server,
    sample_media,
    serve_process,
    shared_api,
    shared_server,
    start_local_server,
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
