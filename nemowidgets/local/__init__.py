"""The embedded local backend: the NemoVideo protocol on loopback, with a local agent and renderer.

Reached only over HTTP (it shares nothing with the client but
:mod:`nemowidgets.protocol`).  Modules::

    launch.py   LocalServer, start_server, ensure_local_server, serve (CLI)
    server.py   the Starlette app: routes, auth gate, envelopes
    web.py      shared context, error envelopes and HTTP statuses
    files.py    upload endpoint, media and thumbnail URLs
    uploads.py  multipart streamed to disk; URL uploads with SSRF guards
    media.py    magic bytes, probing (Pillow / PyAV), thumbnails, safe names
    turns.py    /run_sse: the agent's turn, committed then streamed
    stream.py   ADK-style events and the SSE response
    renders.py  render endpoints;  jobs.py  the render worker pool
    store.py    SQLite records + files in the data dir
    faults.py   fault injection (off unless asked for)
    agent.py, edits.py   the prompt-driven editing agent;  render/   draft -> MP4

The names below are imported lazily, so ``import nemowidgets.local`` stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LocalServer", "create_app", "ensure_local_server", "serve", "start_server"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from nemowidgets.local import launch

        return getattr(launch, name)
    raise AttributeError(f"module 'nemowidgets.local' has no attribute {name!r}")
