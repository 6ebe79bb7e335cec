"""Binder's files work: installed into a clean venv, the package and its widgets import.

This is what repo2docker does with ``binder/requirements.txt`` (from the repo's
root), minus the Docker image.  It checks what a Binder visitor needs: the package
(not the source tree) imports, the Studio's widget classes load, the shipped
quickstart is found, and JupyterLab sees the ipywidgets front-end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.checkout import copy_repo


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_binder_requirements_install_and_the_widgets_import(tmp_path: Path) -> None:
    started = time.monotonic()
    repo = copy_repo(tmp_path / "repo")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bin_dir = venv / "bin"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run(
        [
            str(bin_dir / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            "binder/requirements.txt",
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]

    probe = (
        "import nemowidgets, nemowidgets.widgets, ipywidgets, ipyfilechooser\n"
        "from nemowidgets.cli import find_notebook\n"
        "print(nemowidgets.__file__)\n"
        "print(find_notebook())\n"
        "print(nemowidgets.Studio.__name__, nemowidgets.VideoPlayer.__name__)\n"
    )
    result = subprocess.run(
        [str(bin_dir / "python"), "-c", probe],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    package_file, quickstart, names = result.stdout.strip().splitlines()
    assert Path(package_file).is_relative_to(venv)  # the installed package, not the checkout
    assert Path(quickstart).is_relative_to(venv)  # the notebook ships in the wheel
    assert names == "Studio VideoPlayer"

    extensions = subprocess.run(
        [str(bin_dir / "jupyter"), "labextension", "list"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    listing = extensions.stdout + extensions.stderr
    assert "@jupyter-widgets/jupyterlab-manager" in listing
    line = next(x for x in listing.splitlines() if "@jupyter-widgets/jupyterlab-manager" in x)
    assert "enabled" in line
    assert "OK" in line
    print(f"binder install + checks: {time.monotonic() - started:.0f} s")
