"""Real JupyterLab and Voila servers and a headless Chromium for the browser tests.

Each server runs as its own process (in its own process group, so its kernels
go with it), in an isolated environment: the Jupyter config, runtime, settings
and workspace dirs and the nemowidgets data/state/config dirs all live in the
test's tmp dir, so nothing from the developer's machine leaks in or out.
Readiness is polled over HTTP; logs go to ``test-artifacts/e2e/`` for debugging.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import nbformat

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isolated_env(tmp: Path) -> dict[str, str]:
    """The environment for a Jupyter server and its kernels, everything under ``tmp``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEMO_", "JUPYTER"))}
    dirs = {
        "NEMO_LOCAL_DATA_DIR": "nemo-data",
        "NEMO_STATE_DIR": "nemo-state",
        "NEMO_CONFIG_DIR": "nemo-config",
        "JUPYTER_CONFIG_DIR": "jupyter-config",
        "JUPYTER_DATA_DIR": "jupyter-data",  # no user kernelspec shadows this venv's python3
        "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
        "JUPYTERLAB_SETTINGS_DIR": "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces",
        "IPYTHONDIR": "ipython",
    }
    for var, name in dirs.items():
        (tmp / name).mkdir(parents=True, exist_ok=True)
        env[var] = str(tmp / name)
    # No "get Jupyter news?" toast over the page (and no fetch from the internet).
    news = tmp / dirs["JUPYTERLAB_SETTINGS_DIR"] / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True, exist_ok=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def write_notebook(path: Path, cells: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


@dataclass
class Server:
    """A Jupyter-family server process; ``url`` is its base URL."""

    name: str
    proc: subprocess.Popen
    url: str
    log: IO[bytes]
    token: str = field(default="", repr=False)

    def wait_ready(self, path: str, timeout: float = 90.0) -> None:
        """Poll ``url + path`` until any HTTP answer (or fail with the log)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log_text()}")
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(self.url + path, timeout=2.0)
                return
            time.sleep(0.3)
        raise TimeoutError(f"{self.name} not ready after {timeout} s:\n{self.log_text()}")

    def log_text(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        """SIGTERM (a clean shutdown of the server and its kernels), then the group."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # kernels left in the server's group
        self.log.close()


def _spawn(
    name: str, cmd: list[str], cwd: Path, env: dict[str, str]
) -> tuple[subprocess.Popen, IO]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / f"{name}.log", "wb")  # noqa: SIM115 - closed by Server.stop
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    return proc, log


def _root_flag() -> list[str]:
    """CI containers often run as root, which Jupyter refuses without this flag."""
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def _ready(server: Server, path: str) -> Server:
    """``server`` once ``path`` answers; stopped (not leaked) if it never does."""
    try:
        server.wait_ready(path)
    except BaseException:
        server.stop()
        raise
    return server


def _jupyter_server(
    name: str, module: str, root: Path, env: dict[str, str], app_flags: list[str]
) -> Server:
    """A Jupyter server app (``jupyterlab`` or ``notebook``) on loopback with its own token."""
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-m",
        module,
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        *app_flags,
        *_root_flag(),
    ]
    proc, log = _spawn(name, cmd, root, env)
    server = Server(name, proc, f"http://127.0.0.1:{port}", log, token)
    return _ready(server, f"/api/status?token={token}")


def start_jupyterlab(root: Path, env: dict[str, str]) -> Server:
    return _jupyter_server(
        "jupyterlab",
        "jupyterlab",
        root,
        env,
        [
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ],
    )


def start_notebook7(root: Path, env: dict[str, str]) -> Server:
    """Jupyter Notebook 7 (the classic notebook's successor, built on JupyterLab)."""
    return _jupyter_server(
        "notebook7", "notebook", root, env, ["--JupyterNotebookApp.expose_app_in_browser=True"]
    )


def start_voila(notebook: Path, env: dict[str, str]) -> Server:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "voila",
        notebook.name,
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--show_tracebacks=True",
    ]
    proc, log = _spawn("voila", cmd, notebook.parent, env)
    server = Server("voila", proc, f"http://127.0.0.1:{port}", log)
    return _ready(server, "/voila/static/ready-check")  # any answer, without running the notebook


# -- pages ---------------------------------------------------------------------------

_KERNEL_IDLE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle';
}"""


def open_in_lab(page, server: Server, notebook: str) -> None:
    """Open ``notebook`` in JupyterLab, wait for its kernel, and run every cell."""
    page.goto(f"{server.url}/lab/tree/{notebook}?token={server.token}", timeout=90_000)
    page.wait_for_function(_KERNEL_IDLE, timeout=90_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def open_in_notebook7(page, server: Server, notebook: str) -> None:
    """Open ``notebook`` in Notebook 7, wait for its kernel, and run every cell."""
    page.goto(f"{server.url}/notebooks/{notebook}?token={server.token}", timeout=90_000)
    page.wait_for_function(_KERNEL_IDLE, timeout=90_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def open_in_voila(page, server: Server) -> None:
    """Open the Voila app (Voila runs the notebook on the request)."""
    page.goto(server.url + "/", timeout=120_000)


# -- one notebook in any of the three apps -------------------------------------------

#: The apps the Studio is tested in, for ``pytest.fixture(params=APPS)``.
APPS = ("lab", "notebook7", "voila")


def start_app(app: str, root: Path, env: dict[str, str], notebook: str) -> Server:
    """The server of ``app`` over ``root`` (Voila serves ``notebook`` alone)."""
    if app == "lab":
        return start_jupyterlab(root, env)
    if app == "notebook7":
        return start_notebook7(root, env)
    return start_voila(root / notebook, env)


def open_app(app: str, page: Any, server: Server, notebook: str) -> None:
    """Open ``notebook`` in ``app`` and run it."""
    if app == "lab":
        open_in_lab(page, server, notebook)
    elif app == "notebook7":
        open_in_notebook7(page, server, notebook)
    else:
        open_in_voila(page, server)


@contextlib.contextmanager
def app_page(
    browser: Any,
    app: str,
    root: Path,
    env: dict[str, str],
    notebook: str,
    shots: Path,
    *,
    ready: str,
    width: int = 1280,
) -> Iterator[Any]:
    """A page with ``notebook`` running in ``app``, once the ``ready`` selector shows.

    On a failure inside, the page's screenshot goes to ``shots`` and the server's log is
    printed; the page and the server are closed either way.
    """
    from playwright.sync_api import expect

    server = start_app(app, root, env, notebook)
    page = browser.new_page(viewport={"width": width, "height": 1000})
    try:
        open_app(app, page, server, notebook)
        expect(page.locator(ready).first).to_be_visible(timeout=120_000)
        yield page
    except Exception:
        page.screenshot(path=shots / "failed.png", full_page=True)
        print(server.log_text())
        raise
    finally:
        page.close()
        server.stop()
