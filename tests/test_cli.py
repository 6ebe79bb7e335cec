"""The ``nemowidgets`` command, run as a user runs it: the console script in a subprocess.

``render`` goes through the real Session and the embedded local backend and its
MP4 is decoded with PyAV; ``serve`` is a real server answering over loopback and
stopped with SIGINT, as Ctrl+C would.
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import av
import httpx
import pytest

from nemowidgets.cli import ProgressBar, build_parser, find_notebook, main
from nemowidgets.samples import make_music, make_photo
from tests.support.isolation import clean_env

SCRIPT = Path(sys.executable).with_name("nemowidgets")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A clean environment: local backend, every nemowidgets dir under tmp."""
    return clean_env(tmp_path)


def run_cli(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 240):
    return subprocess.run(
        [str(SCRIPT), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- help ----------------------------------------------------------------------------


def test_console_script_help_lists_the_commands(env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(["--help"], env, tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    for command in ("demo", "render", "serve"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("demo", ["--voila", "--no-browser"]),
        ("render", ["--music", "--prompt", "--output", "--quality", "--sample"]),
        ("serve", ["--host", "--port", "--data-dir", "--token"]),
    ],
)
def test_each_subcommand_has_help(
    command: str, options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: nemowidgets {command}")
    for option in options:
        assert option in out


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([])
    assert exit_info.value.code == 2
    assert "COMMAND" in capsys.readouterr().err


def test_the_quickstart_is_found() -> None:
    path = find_notebook()
    assert path.name == "quickstart.ipynb"
    assert path.is_file()


# -- progress bar --------------------------------------------------------------------


def test_progress_bar_redraws_only_on_change_and_ends_lines() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, width=10)
    for pct in (0, 0.2, 0.4, 50, 50.7, 100):  # 0.x and 50.x round to one step each
        bar.update("export", pct)
    bar.update("upload", 10)  # a new phase starts a new line
    bar.finish()
    text = stream.getvalue()
    assert text.count("\r") == 4
    assert "\rexport     [#####-----]  50%" in text
    assert "[##########] 100%\n\rupload" in text
    assert text.endswith("  10%\n")


# -- render --------------------------------------------------------------------------


def _decode(path: Path) -> tuple[float, int, int, int, bool]:
    """(duration s, width, height, decoded frames, has audio) of an MP4."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        has_audio = bool(container.streams.audio)
        frames = sum(1 for _ in container.decode(video))
        duration = float(container.duration or 0) / av.time_base
        return duration, video.width, video.height, frames, has_audio


@pytest.mark.slow
def test_render_sample_preview_writes_a_valid_mp4(env: dict[str, str], tmp_path: Path) -> None:
    started = time.monotonic()
    result = run_cli(["render", "--sample", "-o", "x.mp4", "--quality", "preview"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    out = Path(result.stdout.strip().splitlines()[-1])
    assert out == tmp_path / "x.mp4"
    duration, width, height, frames, has_audio = _decode(out)
    # The CLI reports the draft's length; the file must match it within a frame or two.
    reported = float(re.search(r"done in \d+ s: ([\d.]+) s", result.stderr).group(1))
    assert abs(duration - reported) < 0.15
    assert duration > 5  # five sample photos
    assert width < 1920  # preview is low resolution
    assert height < 1080
    assert frames > 0
    assert has_audio  # the sample music
    assert "Traceback" not in result.stderr
    assert "export" in result.stderr  # the progress bar ran
    assert "100%" in result.stderr
    print(f"render --sample preview: {time.monotonic() - started:.1f} s")


def test_render_missing_photo_is_exit_code_2(env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(["render", "no-such-photo.jpg", "-o", "x.mp4"], env, tmp_path, timeout=60)
    assert result.returncode == 2
    assert "photo not found: no-such-photo.jpg" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.mp4").exists()


def test_render_without_photos_says_what_to_give(env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(["render", "-o", "x.mp4"], env, tmp_path, timeout=60)
    assert result.returncode == 2
    assert "--sample" in result.stderr


def test_render_music_that_is_not_audio_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    photo = make_photo(tmp_path / "a.jpg", 0, (64, 48))
    result = run_cli(["render", str(photo), "--music", str(photo)], env, tmp_path, timeout=60)
    assert result.returncode == 2
    assert "is not an audio file" in result.stderr


def test_render_a_corrupt_photo_is_a_nemo_error_with_a_hint(
    env: dict[str, str], tmp_path: Path
) -> None:
    """A file that passes the command line's checks but not the backend's: exit 1, no trace."""
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"this is not a jpeg at all" * 10)
    music = make_music(tmp_path / "m.wav", 1.0)
    result = run_cli(["render", str(bad), "--music", str(music), "-o", "x.mp4"], env, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "broken.jpg" in result.stderr
    assert "hint:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.mp4").exists()


# -- serve ---------------------------------------------------------------------------


def test_serve_answers_with_its_token_and_stops_on_sigint(
    env: dict[str, str], tmp_path: Path
) -> None:
    port, token = free_port(), "nwl_test_" + os.urandom(8).hex()
    proc = subprocess.Popen(
        [
            str(SCRIPT),
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "srv"),
            "--token",
            token,
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/api/credits/balance/simple"
    try:
        deadline = time.monotonic() + 60
        answer = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                answer = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert answer is not None, "the server never answered"
        assert answer.status_code == 200
        assert answer.json()["code"] == 0
        refused = httpx.get(url, headers={"Authorization": "Bearer nwl_wrong"}, timeout=5)
        assert refused.json()["code"] == 1001
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            stdout, stderr = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert token not in stdout + stderr  # given on the command line: never echoed
    with pytest.raises(httpx.TransportError):
        httpx.get(url, timeout=2)  # the port is closed


# -- demo ----------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_copies_the_quickstart_and_serves_it(env: dict[str, str], tmp_path: Path) -> None:
    port, folder = free_port(), tmp_path / "demo"
    env = {**env, "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"), "JUPYTER_CONFIG_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [str(SCRIPT), "demo", "--no-browser", "--port", str(port), "--dir", str(folder)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline, status = time.monotonic() + 90, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/lab", timeout=2).status_code
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert status is not None, "JupyterLab never answered"
        assert (folder / "quickstart.ipynb").read_bytes() == find_notebook().read_bytes()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            output, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert "quickstart.ipynb" in output
    assert proc.returncode in (0, 130), output


def test_demo_voila_serves_the_studio_app_not_the_quickstart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Voila shows every output after running every cell: it gets the Studio alone."""
    import json

    from nemowidgets.cli import _demo

    started: list[list[str]] = []

    class Proc:
        def __init__(self, cmd: list[str], cwd: Path) -> None:
            started.append(cmd)

        def wait(self) -> int:
            return 0

    monkeypatch.setattr(_demo.subprocess, "Popen", Proc)
    assert main(["demo", "--voila", "--no-browser", "--dir", str(tmp_path)]) == 0
    assert started[0][2:4] == ["voila", "app.ipynb"]
    app = json.loads((tmp_path / "app.ipynb").read_text())
    code = "\n".join("".join(c["source"]) for c in app["cells"] if c["cell_type"] == "code")
    text = "\n".join("".join(c["source"]) for c in app["cells"])
    assert "studio(" in code
    assert "export" not in code  # nothing renders before the page shows
    assert "Shift+Enter" not in text
    assert not (tmp_path / "quickstart.ipynb").exists()
