"""Fixtures of the local-backend tests: real servers on loopback.

Defined in tests/support/local_server.py (reusable by other suites).
"""

from __future__ import annotations

from tests.support.local_server import (  # noqa: F401
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
