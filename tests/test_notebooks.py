"""Every shipped notebook runs top to bottom in a real kernel, as a new user would run it.

Each notebook is executed with nbclient in a fresh kernel of the test's own Python, in
an empty folder, with every nemowidgets dir under tmp and no token in sight
(``cloud.ipynb`` gets a token and ``NEMO_API_URL`` of a local server started here,
the way CI stands in for the cloud).  Then:

* no cell errors;
* the exported MP4 exists and decodes to the exported draft's duration (within
  one frame) and size;
* the executed notebook - outputs included - contains no token: not the local
  server's secret, not ``NEMO_TOKEN``, not any token the backend issued.

The notebooks follow a convention (tools/make_notebooks.py): ``result`` is the
last export and ``exported`` the draft it rendered; a probe cell appended here
reads them, and is removed again before the token scan.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import av
import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from tests.support.isolation import DIR_SETTINGS, clean_env

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts" / "notebooks"
TOKEN_RE = re.compile(rb"\b(?:nmv|nwl)_[A-Za-z0-9_\-]{6,}")
PROBE = """\
import json
print("NEMO-PROBE " + json.dumps({
    "path": str(result.path.resolve()),
    "draft_s": exported.duration,
    "width": result.width,
    "height": result.height,
    "draft_size": [exported.width, exported.height],
}))"""


def kernel_env(tmp: Path) -> dict[str, str]:
    """The kernel's environment: a fresh install's view, every state dir under ``tmp``."""
    env = clean_env(tmp)
    env["IPYTHONDIR"] = str(tmp / "ipython")
    return env


def this_python_kernel(tmp: Path) -> KernelManager:
    """A kernel of the test's own Python: no user-level "python3" kernelspec can divert it."""
    spec = tmp / "kernels" / "nemowidgets-test"
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "nemowidgets test", "language": "python"})
    )
    specs = KernelSpecManager(kernel_dirs=[str(spec.parent)], ensure_native_kernel=False)
    return KernelManager(kernel_name="nemowidgets-test", kernel_spec_manager=specs)


def execute(name: str, workdir: Path, env: dict[str, str]) -> tuple[nbformat.NotebookNode, dict]:
    """Run notebook ``name`` in ``workdir``; the executed notebook and the probe's values."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        f"{name} is committed with outputs; run tools/make_notebooks.py"
    )
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    client = NotebookClient(
        nb,
        km=this_python_kernel(workdir.parent),
        timeout=300,
        resources={"metadata": {"path": str(workdir)}},
    )
    started = time.monotonic()
    client.execute(env=env)  # raises CellExecutionError, with the traceback, on any error
    print(f"{name}: {time.monotonic() - started:.1f} s")
    probe_cell = nb.cells.pop()
    text = "".join(o.get("text", "") for o in probe_cell.outputs if o.output_type == "stream")
    probe = json.loads(text.split("NEMO-PROBE ", 1)[1])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, ARTIFACTS / name)
    return nb, probe


def check_video(probe: dict, size: tuple[int, int] = (1920, 1080)) -> None:
    """The MP4 decodes: one frame's worth of the draft's duration, the expected size."""
    path = Path(probe["path"])
    assert path.is_file(), path
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        fps = float(stream.average_rate)
        frames = sum(1 for _ in container.decode(stream))
        assert container.streams.audio, "no audio stream"
        width, height = stream.width, stream.height
    assert abs(frames / fps - probe["draft_s"]) <= 1 / fps + 1e-6, (frames, fps, probe)
    assert (width, height) == size
    assert (probe["width"], probe["height"]) == size


def secrets_in(*folders: Path) -> set[bytes]:
    """Every token-shaped string stored under ``folders``, and the local server's secret."""
    found: set[bytes] = set()
    for folder in folders:
        for path in folder.rglob("*"):
            if not path.is_file() or path.stat().st_size > 50_000_000:
                continue
            data = path.read_bytes()
            found.update(TOKEN_RE.findall(data))
            if path.name == "secret":
                found.add(data.strip())
    return {s for s in found if len(s) >= 8}


def assert_no_secret(nb: nbformat.NotebookNode, forbidden: set[bytes]) -> None:
    text = nbformat.writes(nb).encode()
    leaked = [s[:6] + b"..." for s in forbidden if s in text]
    assert not leaked, f"secrets in the executed notebook: {leaked}"
    shaped = TOKEN_RE.findall(text)
    assert not shaped, f"token-shaped strings in the executed notebook: {shaped[:3]}"


def test_notebooks_match_their_generator() -> None:
    """The committed notebooks are exactly what tools/make_notebooks.py writes (no outputs)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_notebooks.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", ["quickstart.ipynb", "teaching.ipynb"])
def test_local_notebook_runs_and_exports(name: str, tmp_path: Path) -> None:
    env = kernel_env(tmp_path)
    workdir = tmp_path / "work"
    workdir.mkdir()
    nb, probe = execute(name, workdir, env)
    check_video(probe)
    assert Path(probe["path"]).parent == workdir  # saved next to the notebook
    forbidden = secrets_in(*(Path(env[v]) for v in env if v.startswith("NEMO_")))
    assert (Path(env["NEMO_LOCAL_DATA_DIR"]) / "secret").is_file(), "no local secret to check"
    assert_no_secret(nb, forbidden)
    if name == "teaching.ipynb":
        assert (workdir / "lesson-preview.mp4").is_file()
        with av.open(str(workdir / "lesson-preview.mp4")) as preview:
            assert preview.streams.video[0].width < 1920


@pytest.mark.slow
def test_cloud_notebook_runs_against_a_server_given_by_env(tmp_path: Path) -> None:
    from nemowidgets.local.server.launch import start_server

    token = "nwl_ci_" + secrets.token_urlsafe(24)
    server = start_server(port=0, data_dir=tmp_path / "server", token=token)
    try:
        env = kernel_env(tmp_path)
        env["NEMO_API_URL"], env["NEMO_TOKEN"] = server.url, token
        workdir = tmp_path / "work"
        workdir.mkdir()
        nb, probe = execute("cloud.ipynb", workdir, env)
    finally:
        server.stop()
    check_video(probe)
    forbidden = {token.encode()} | secrets_in(
        tmp_path / "server",
        *(Path(env[v]) for v in DIR_SETTINGS),
    )
    assert_no_secret(nb, forbidden)
    outputs = nbformat.writes(nb)
    assert "UnsupportedFileError" in outputs  # the errors section really caught one
    assert "credits:" in outputs
