"""Starting the local server: in-process (a daemon thread) or in the foreground (CLI).

In a kernel, :func:`ensure_local_server` starts one uvicorn server per data dir
and process on ``127.0.0.1`` and a free port, in a daemon thread with its own
event loop, so it never competes with Jupyter's loop and dies with the kernel.
Its secret (the only credential for ``POST /api/auth/anonymous-token``) is kept
in ``<data_dir>/secret`` with mode 0600: only this OS user can read it, and a
restarted kernel reuses it (with the persisted client id, it gets back the
same user, its sessions and its render jobs).

``nemowidgets serve`` calls :func:`serve`: a foreground server with a fixed
token (``--token``, else ``NEMO_TOKEN``, else a new one printed once), bound to
loopback unless told otherwise, stopping cleanly on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import secrets
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemowidgets.local.faults import FaultPlan

if TYPE_CHECKING:
    import uvicorn
    from starlette.applications import Starlette

__all__ = [
    "LocalServer",
    "create_app",
    "default_data_dir",
    "ensure_local_server",
    "serve",
    "start_server",
]

_SERVERS: dict[Path, LocalServer] = {}
_SERVERS_LOCK = threading.Lock()


def create_app(data_dir: Path | str, **kwargs: Any) -> Starlette:
    """The ASGI app (see :func:`nemowidgets.local.server.app.create_app`)."""
    from nemowidgets.local.server.app import create_app as _create_app

    return _create_app(data_dir, **kwargs)


def default_data_dir() -> Path:
    """``NEMO_LOCAL_DATA_DIR``, else the user's data dir + ``/local``."""
    env = os.environ.get("NEMO_LOCAL_DATA_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("nemowidgets")) / "local"


def _prepare_dir(data_dir: Path | str | None) -> Path:
    path = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)  # photos are private
    return path.resolve()


def load_secret(data_dir: Path) -> str:
    """The data dir's secret, created (mode 0600) on first use; shared by later kernels."""
    path = Path(data_dir) / "secret"
    for _attempt in range(50):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
            value = path.read_text(encoding="ascii", errors="replace").strip()
            if value:
                return value
            time.sleep(0.02)  # another process is writing it right now
            continue
        value = "nwl_sec_" + secrets.token_urlsafe(32)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(value)
        return value
    raise RuntimeError(f"{path} is empty: delete it and start again.")


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart on the same port
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(False)
    return sock


def _uvicorn_config(app: Any, log_level: str = "warning") -> uvicorn.Config:
    import uvicorn

    return uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        http="h11",
        ws="none",
        timeout_graceful_shutdown=3,
        server_header=False,
    )


class LocalServer:
    """A local server running in a daemon thread of this process.

    ``url`` is ``http://127.0.0.1:PORT``; ``secret`` and ``token`` are hidden from
    ``repr``; ``faults`` is the live :class:`FaultPlan` (``None`` when off).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        data_dir: Path | str | None = None,
        token: str | None = None,
        secret: str | None = None,
        faults: Any = None,
        **app_kwargs: Any,
    ) -> None:
        self.host = host
        self.data_dir = _prepare_dir(data_dir)
        self._token = token
        self._app_kwargs = app_kwargs
        self.app = create_app(
            self.data_dir, token=token, secret=secret, faults=faults, **app_kwargs
        )
        ctx = self.app.state.ctx
        self._secret: str | None = ctx.secret
        self.faults: FaultPlan | None = ctx.faults
        self._sock = _bind(host, port)
        self.port: int = self._sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self.port}"
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def secret(self) -> str | None:
        return self._secret

    @property
    def token(self) -> str | None:
        return self._token

    def use_cluster(self, cluster: Any) -> None:
        """Send this server's batch, variant and chunked renders to ``cluster`` from now on:
        a scheduler address (``tcp://host:port``), a ``distributed.Client``, or ``None``
        (``NEMO_DASK_SCHEDULER``, else a LocalCluster when needed)."""
        self.app.state.ctx.jobs.placement.configure(cluster)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._server.should_exit

    def start(self, timeout: float = 30.0) -> LocalServer:
        import uvicorn

        self._server = uvicorn.Server(_uvicorn_config(self.app))

        def run() -> None:
            try:
                asyncio.run(self._server.serve(sockets=[self._sock]))
            except BaseException as exc:  # reported by start() / visible in .error
                self._error = exc

        self._thread = threading.Thread(target=run, name=f"nemo-local-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"The local server on {self.url} did not start"
                    f"{f': {self._error!r}' if self._error else ''}."
                )
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 15.0) -> None:
        """Shut down: open streams end, running renders are left to resume, the port is freed."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(5)
        with contextlib.suppress(OSError):
            self._sock.close()
        with contextlib.suppress(Exception):
            self.app.state.ctx.store.close()
        with _SERVERS_LOCK:
            if _SERVERS.get(self.data_dir) is self:
                del _SERVERS[self.data_dir]

    def restart(self) -> LocalServer:
        """Stop, then start a new server on the same data dir, port, token, secret and plan."""
        self.stop()
        return LocalServer(
            host=self.host,
            port=self.port,
            data_dir=self.data_dir,
            token=self._token,
            secret=self._secret,
            faults=self.faults if self.faults is not None else False,
            **self._app_kwargs,
        ).start()

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return (
            f"LocalServer(url={self.url!r}, data_dir={str(self.data_dir)!r}, "
            f"running={self.running})"
        )


def start_server(
    host: str = "127.0.0.1",
    port: int = 0,
    data_dir: Path | str | None = None,
    *,
    token: str | None = None,
    secret: str | None = None,
    faults: Any = None,
    **app_kwargs: Any,
) -> LocalServer:
    """Start a server in a daemon thread and wait until it answers.

    ``port=0`` picks a free port.  Without ``token`` and ``secret`` a random secret
    is made (``server.secret``).  Extra keyword arguments go to ``create_app``.
    """
    return LocalServer(
        host=host,
        port=port,
        data_dir=data_dir,
        token=token,
        secret=secret,
        faults=faults,
        **app_kwargs,
    ).start()


def ensure_local_server(data_dir: Path | str | None = None, *, cluster: Any = None) -> LocalServer:
    """The process's server for ``data_dir`` (default: :func:`default_data_dir`), started once.

    ``cluster`` (a scheduler address or a ``distributed.Client``), when given, is where
    that server renders batches, variants and chunked videos from now on (the server
    is shared by the kernel's Sessions on that data dir: the last one given wins).
    """
    path = _prepare_dir(data_dir)
    with _SERVERS_LOCK:
        server = _SERVERS.get(path)
        if server is None or not server.running:
            server = start_server(data_dir=path, secret=load_secret(path))
            _SERVERS[path] = server
    if cluster is not None:
        server.use_cluster(cluster)
    return server


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    data_dir: Path | str | None = None,
    token: str | None = None,
) -> int:
    """Run a server in the foreground until Ctrl-C (``nemowidgets serve``); the exit code.

    The token comes from ``token``, else ``NEMO_TOKEN``, else a new one is made and
    printed once (it is not stored: keep it, or pass ``--token`` next time).
    """
    import uvicorn

    generated = not (token or os.environ.get("NEMO_TOKEN"))
    token = token or os.environ.get("NEMO_TOKEN") or "nwl_" + secrets.token_urlsafe(32)
    path = _prepare_dir(data_dir)
    app = create_app(path, token=token)
    sock = _bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{sock.getsockname()[1]}"
    print(f"nemowidgets local server: {url}  (data: {path})", flush=True)
    print(f"Point clients at it: NEMO_API_URL={url}", flush=True)
    if generated:
        print(f"Token (shown once; clients set NEMO_TOKEN to it): {token}", flush=True)
    if not _is_loopback(host):
        print(
            f"Warning: listening on {host}, not loopback: anyone who can reach this address "
            f"and knows the token can use the server.",
            flush=True,
        )
    server = uvicorn.Server(_uvicorn_config(app, log_level="info"))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the SIGINT it handled, after shutting down
        pass
    finally:
        with contextlib.suppress(OSError):
            sock.close()
    print("nemowidgets local server stopped.", flush=True)
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


if (
    __name__ == "__main__"
):  # pragma: no cover - `python -m nemowidgets.local.server.launch` for tests
    import sys

    args = dict(zip(("host", "port", "data_dir", "token"), sys.argv[1:], strict=False))
    raise SystemExit(
        serve(
            args.get("host", "127.0.0.1"),
            int(args.get("port", 8765)),
            args.get("data_dir"),
            args.get("token"),
        )
    )
