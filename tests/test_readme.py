"""The README's two set-up commands work as written, read from the README itself.

The first command (bootstrap a venv, then the main job: ``nemowidgets render
--sample``) runs in a copy of the repository with no ``.venv``, exactly as a new
user pastes it; the video it writes must decode.  The second command is the one
CI runs (``.ci/run``), so CI running at all shows it works; here we check that
``.ci/run`` runs exactly that command, so the README cannot drift from it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import av
import pytest

from tests.support.checkout import copy_repo
from tests.support.isolation import clean_env

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    """The commands of the README's first ``bash`` block (comments stripped)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block, "README.md has no ```bash block"
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line]


def test_readme_starts_with_the_two_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2, commands
    assert commands[0].startswith("bash scripts/bootstrap && ")
    assert "nemowidgets render --sample" in commands[0]
    assert commands[1].startswith("bash scripts/bootstrap --test && ")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_first_readme_command_makes_a_video_in_a_fresh_checkout(tmp_path: Path) -> None:
    started = time.monotonic()
    repo = copy_repo(tmp_path / "repo")
    assert not (repo / ".venv").exists()
    env = clean_env(tmp_path, drop=("VIRTUAL_ENV", "PYTHONPATH"))
    command = readme_commands()[0]
    result = subprocess.run(
        ["bash", "-c", command], cwd=repo, env=env, capture_output=True, text=True, timeout=850
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    video = repo / "slideshow.mp4"
    assert result.stdout.strip().splitlines()[-1] == str(video)
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        assert (stream.width, stream.height) == (1920, 1080)
        assert frames / float(stream.average_rate) > 5
        assert container.streams.audio
    print(f"README command 1 in a fresh checkout: {time.monotonic() - started:.0f} s")


def test_readme_screenshot_is_there_and_small() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/studio.png)" in text
    png = ROOT / "docs" / "studio.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size < 300_000


@pytest.mark.slow
def test_readme_python_example_runs(tmp_path: Path) -> None:
    """The ten-line example, as printed, makes the video it promises."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"## Python in ten lines\n\n```python\n(.*?)```", text, re.S)
    assert example, "README.md lost its Python example"
    code = example.group(1)
    assert len(code.strip().splitlines()) <= 10
    env = clean_env(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", code + "\nsession.close()\n"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Timeline (" in result.stdout
    with av.open(str(work / "slideshow.mp4")) as container:
        assert (container.streams.video[0].width, container.streams.video[0].height) == (1920, 1080)
