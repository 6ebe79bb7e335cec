"""The embedded local backend: the NemoVideo protocol on loopback, with a local agent and renderer.

Reached only over HTTP (it shares nothing with the client but
:mod:`nemowidgets.protocol`).  Subpackages, by concern (imports point down this list)::

    server/   the HTTP side: launch (LocalServer, start_server, ensure_local_server,
              serve), app (the Starlette app: routes, auth gate, envelopes), context
              (shared per-request context, error envelopes), media_routes (upload
              endpoint, media and thumbnail URLs), uploads (multipart streamed to
              disk; URL uploads with SSRF guards), turn_routes (/run_sse: the agent's
              turn, committed then streamed), sse (ADK-style events and the SSE
              response), render_routes (render endpoints)
    store/    what is kept: database (SQLite records + files in the data dir),
              probe (magic bytes, probing with Pillow / PyAV, thumbnails, safe
              names), jobs (the render job queue and its worker threads)
    agent/    the prompt-driven editing agent: respond (prompt -> reply + draft),
              intents / phrases / texts / order / vocab / unquoted (reading the
              prompt), actions (intent -> edit), edits / overlays / timing (pure
              draft edits)
    render/   draft -> MP4 with PyAV
    faults.py fault injection (off unless asked for); a leaf read by server and jobs

See ``docs/architecture.md`` for the picture.  The names below are imported
lazily, so ``import nemowidgets.local`` stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LocalServer", "create_app", "ensure_local_server", "serve", "start_server"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from nemowidgets.local.server import launch

        return getattr(launch, name)
    raise AttributeError(f"module 'nemowidgets.local' has no attribute {name!r}")
