"""``nemowidgets demo``: the quickstart notebook in JupyterLab, or the Studio app in Voila.

Voila runs the whole notebook before it shows anything, and shows every output:
the quickstart (an export at 1080p, Python lists, a second video, "Shift+Enter")
would be a blank page for half a minute and then a page of notebook leftovers.
So ``--voila`` serves ``app.ipynb`` instead: a title, a line of help, and the
Studio, shown at once.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from nemowidgets.cli._common import UsageError

__all__ = ["APP", "QUICKSTART", "cmd_demo", "find_notebook"]

QUICKSTART = "quickstart.ipynb"
APP = "app.ipynb"  #: the Voila app: the Studio alone


def find_notebook(name: str = QUICKSTART) -> Path:
    """The shipped notebook: inside the installed package, or the checkout's notebooks/."""
    package = Path(__file__).resolve().parents[1]  # nemowidgets/
    for folder in (package / "notebooks", package.parent / "notebooks"):
        if (folder / name).is_file():
            return folder / name
    raise UsageError(f"{name} is not part of this installation (looked in {package})")


def cmd_demo(args: argparse.Namespace) -> int:
    folder: Path = (args.dir or Path.cwd()).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    name = APP if args.voila else QUICKSTART
    target = folder / name
    if target.exists():
        print(f"using your copy: {target}", file=sys.stderr)
    else:
        shutil.copyfile(find_notebook(name), target)
        print(f"copied {name} to {target}", file=sys.stderr)

    module = "voila" if args.voila else "jupyterlab"
    if not _importable(module):
        raise UsageError(f"{module} is not installed: pip install 'nemowidgets[notebook]'")
    cmd = [sys.executable, "-m", module, name]
    if args.no_browser:
        cmd.append("--no-browser")
    if args.port is not None:
        cmd.append(f"--port={args.port}")
    if not args.voila and hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers often run as root, which JupyterLab refuses without this flag.
        print("running as root: passing --allow-root to JupyterLab", file=sys.stderr)
        cmd.append("--allow-root")
    proc = subprocess.Popen(cmd, cwd=folder)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        # Pass Ctrl+C on (a terminal sent it to Jupyter too: a second one skips Jupyter's
        # "shut down?" question), then give the server time to stop its kernels.
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait()
        raise


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None
