"""What a Session was configured with, resolved once from its arguments and the environment.

``Session()`` talks to the cloud when ``NEMO_TOKEN`` or ``NEMO_API_URL`` is set
(or a URL or token is passed), else to the embedded local backend.  The local
backend is a *server*: the Session reaches it only over loopback HTTP, like the
cloud.  Its one contact with ``nemowidgets.local`` is :func:`launch_local`, the
lazy import of ``nemowidgets.local.server.launch`` that starts the in-process server (so
importing the Session never imports Starlette/uvicorn, and the cloud path never
starts one).

The token and the local server's secret are *not* settings: they go straight to
the connection (which hands them to the client and keeps no copy), so no repr
of the settings can show them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from nemowidgets.api.errors import ConfigurationError
from nemowidgets.api.retry import StreamPolicy
from nemowidgets.protocol import CLOUD_BASE_URL
from nemowidgets.session import _args as args
from nemowidgets.session._render_args import check_cluster

__all__ = ["Backend", "Settings", "launch_local", "resolve"]

_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass(frozen=True)
class Settings:
    """The resolved configuration shared (read-only) by the Session's collaborators.

    ``key`` is the backend's identity in the session file: the base URL for a
    remote server, ``local:<data dir>`` for the in-process one (whose port
    changes with every kernel).
    """

    backend: str
    base_url: str
    key: str
    language: str = "en"
    client_id: str | None = None
    client_options: dict[str, Any] = field(default_factory=dict, repr=False)
    stream_policy: StreamPolicy | None = None
    render_interval: float = 30.0
    export_dir: Path | None = None
    resume: bool = False
    session_id: str | None = None  # the session to attach to, if given

    @property
    def where(self) -> str:
        """The base URL without any ``user:password@``."""
        parts = urlsplit(self.base_url)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname}{port}"

    @property
    def poll_intervals(self) -> tuple[float, ...]:
        """How long to wait between state polls after a broken stream."""
        policy = self.stream_policy if self.stream_policy is not None else StreamPolicy()
        return tuple(float(x) for x in policy.state_poll_intervals)

    @property
    def outage_limit(self) -> float:
        """How long render polling rides out an unreachable or failing server (seconds)."""
        return max(30.0, 20 * self.render_interval)


@dataclass(frozen=True)
class Backend:
    """Where to connect: the settings, plus what must not be kept in them."""

    settings: Settings
    token: str | None = field(default=None, repr=False)
    local_secret: str | None = field(default=None, repr=False)


def launch_local(data_dir: str | os.PathLike[str] | None, cluster: Any = None) -> Any:
    """Start (or reuse) this process's local server; ``cluster``: where it renders
    batches, variants and chunked videos (an address or a client, passed through:
    the Session never imports Dask).

    The only place the Session touches ``nemowidgets.local``, imported lazily:
    the server is reached over HTTP like the cloud, and the cloud path must not
    pay for (or depend on) the server's imports.
    """
    from nemowidgets.local.server.launch import ensure_local_server

    return ensure_local_server(Path(data_dir) if data_dir is not None else None, cluster=cluster)


def _pick_backend(backend: str | None, base_url: str | None, token: str | None) -> str:
    env_url, env_token = os.environ.get("NEMO_API_URL"), os.environ.get("NEMO_TOKEN")
    if backend is None:
        backend = "cloud" if (base_url or token or env_url or env_token) else "local"
    if backend not in ("local", "cloud"):
        raise ConfigurationError(
            f"backend must be 'local' or 'cloud', not {backend!r}.", field="backend"
        )
    return backend


def _where(
    backend: str, base_url: str | None, token: str | None, data_dir: Any, cluster: Any
) -> tuple[str, str, str | None, str | None]:
    """``(base_url, key, token, local_secret)`` of the chosen backend."""
    if cluster is not None and backend != "local":
        raise ConfigurationError(
            "cluster= works with the local backend only: the cloud renders on its own "
            "machines. Use Session.local(cluster=...).",
            field="cluster",
        )
    if backend == "local":
        if base_url or token:
            raise ConfigurationError(
                "The local backend takes no base_url or token: use Session(base_url=...) "
                "for a server started with `nemowidgets serve`."
            )
        server = launch_local(data_dir, cluster)
        # Always anonymous, whatever NEMO_TOKEN says; the secret proves we are its kernel.
        return str(server.url), f"local:{Path(server.data_dir).resolve()}", "", server.secret
    env_url = os.environ.get("NEMO_API_URL")
    if not base_url and env_url:
        args.check_url("NEMO_API_URL", env_url)
    url = (base_url or env_url or CLOUD_BASE_URL).rstrip("/")
    return url, url, token, None


def resolve(
    base_url: str | None,
    token: str | None,
    *,
    backend: str | None,
    data_dir: str | os.PathLike[str] | None,
    options: dict[str, Any],
    cluster: Any = None,
) -> Backend:
    """Check the Session's arguments and resolve them (starting the local server if chosen).

    ``options`` are the remaining keyword arguments of ``Session()``, by name.
    """
    args.check_init(base_url=base_url, token=token, data_dir=data_dir, **options)
    chosen = _pick_backend(backend, base_url, token)
    url, key, token, secret = _where(chosen, base_url, token, data_dir, check_cluster(cluster))
    interval = options["render_interval"]
    if interval is None:
        interval = 0.25 if (urlsplit(url).hostname or "") in _LOOPBACK else 30.0
    export_dir = options["export_dir"]
    session_id = options["session_id"]
    settings = Settings(
        backend=chosen,
        base_url=url,
        key=key,
        language=options["language"],
        client_id=options["client_id"],
        client_options=dict(options["client_options"] or {}),
        stream_policy=options["stream_policy"],
        render_interval=float(interval),
        export_dir=Path(export_dir) if export_dir is not None else None,
        resume=options["resume"],
        session_id=str(session_id) if session_id is not None else None,
    )
    return Backend(settings, token=token, local_secret=secret)
