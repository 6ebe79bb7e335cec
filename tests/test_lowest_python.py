"""The package on the lowest Python it declares (``requires-python``), not only on the suite's.

The suite itself runs on one interpreter.  A 3.11-only call (``Task.uncancel`` was
one) passes there and breaks every user on 3.10, so this test builds a fresh venv
with the oldest declared Python, installs the package into it from this checkout
(non-editable: what ``pip install nemowidgets`` would give) and runs, in that venv,
the session-runtime tests and the whole main job: a local Session, an upload, the
default prompt and a small export, decoded with PyAV.

It needs that interpreter on the machine (``python3.10`` on PATH or under pyenv);
without one it is skipped with the reason, never counted as passed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _lowest_declared() -> tuple[int, int]:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'requires-python\s*=\s*">=\s*(\d+)\.(\d+)', text)
    assert found, "pyproject.toml declares no requires-python lower bound"
    return int(found.group(1)), int(found.group(2))


def _interpreter(version: tuple[int, int]) -> str | None:
    """A working ``pythonX.Y``: pyenv's install first (its shim on PATH may not run it)."""
    name = f"python{version[0]}.{version[1]}"
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [str(p / "bin" / name) for p in sorted(pyenv.glob(f"{version[0]}.{version[1]}.*"))]
    on_path = shutil.which(name)
    for exe in [*reversed(candidates), *([on_path] if on_path else [])]:
        probe = subprocess.run(
            [exe, "-c", "import sys, venv; print(sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if probe.returncode == 0 and f"({version[0]}, {version[1]})" in probe.stdout:
            return exe
    return None


MAIN_JOB = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import av

    from nemowidgets import Session
    from nemowidgets.samples import make_samples

    out = Path(sys.argv[1])
    make_samples(out / "media", photos=2)
    with Session.local(data_dir=out / "data") as session:
        session.upload(out / "media")
        turn = session.send("turn my photos into a smooth slideshow with transitions and music")
        assert turn.error is None, turn.error
        result = session.export(path=out / "video.mp4", quality="preview")
    with av.open(str(result.path)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    print("frames", frames, sys.version_info[:2])
    """
)


def test_the_package_works_on_the_lowest_declared_python(tmp_path: Path) -> None:
    version = _lowest_declared()
    if sys.version_info[:2] == version:
        pytest.skip(f"the suite itself runs on Python {version[0]}.{version[1]}")
    python = _interpreter(version)
    if python is None:
        pytest.skip(f"no Python {version[0]}.{version[1]} interpreter on this machine")
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=120)
    vpy = str(venv / "bin" / "python")
    install = subprocess.run(
        [vpy, "-m", "pip", "install", "--quiet", str(ROOT), "pytest>=8", "pytest-timeout"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["NEMO_STATE_DIR"] = str(tmp_path / "state")
    env["NEMO_CONFIG_DIR"] = str(tmp_path / "config")
    # The runtime tests, from a folder without the checkout, so the installed package runs.
    tests = tmp_path / "tests"
    tests.mkdir()
    shutil.copy(ROOT / "tests" / "test_session_runtime.py", tests / "test_session_runtime.py")
    run = subprocess.run(
        [vpy, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert re.search(r"\d+ passed", run.stdout), run.stdout

    script = tmp_path / "main_job.py"
    script.write_text(MAIN_JOB, encoding="utf-8")
    job = subprocess.run(
        [vpy, str(script), str(tmp_path / "job")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert job.returncode == 0, job.stdout[-3000:] + job.stderr[-3000:]
    frames = int(job.stdout.split("frames", 1)[1].split()[0])
    assert frames > 30, job.stdout
    assert f"({version[0]}, {version[1]})" in job.stdout
