"""``nemowidgets render --batch DIR...`` as a user runs it (the console script), its renders
sent to a real cluster by ``NEMO_DASK_SCHEDULER`` (a scheduler and two worker processes on
loopback): one video per folder, each folder's prompt.txt, a bad folder reported alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.local.dask_support import dask_cluster
from tests.local.render_support import decode, photos
from tests.support.isolation import clean_env

pytestmark = [pytest.mark.slow]
SCRIPT = Path(sys.executable).with_name("nemowidgets")


def test_render_batch_makes_one_video_per_folder_on_the_cluster(tmp_path: Path) -> None:
    for name in ("ana", "ben", "cleo"):
        folder = tmp_path / "class" / name
        if name != "cleo":  # cleo's folder has a prompt but no photos
            photos(folder, 2)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "prompt.txt").write_text("make a slideshow with 1 second per photo")
    out = tmp_path / "videos"
    out.mkdir()
    folders = [str(tmp_path / "class" / n) for n in ("ana", "ben", "cleo")]
    with dask_cluster(tmp_path) as cluster:
        env = clean_env(tmp_path) | {"NEMO_DASK_SCHEDULER": cluster.address}
        result = subprocess.run(
            [str(SCRIPT), "render", "--batch", *folders, "--out-dir", str(out),
             "--quality", "preview"],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=400,
        )  # fmt: skip
    assert result.returncode == 1, result.stderr  # one item failed
    assert "Traceback" not in result.stderr
    printed = result.stdout.split()
    assert printed == [str(out / "ana.mp4"), str(out / "ben.mp4")]
    assert "cleo: failed:" in result.stderr
    assert "no photos" in result.stderr
    assert "2 of 3 videos made." in result.stderr
    assert f"on {cluster.address}" in result.stderr  # the progress says where it runs
    for path in printed:
        video = decode(Path(path))
        assert len(video.frames) > 10
        assert (video.width, video.height) == (640, 360)


def test_batch_takes_folders_only(tmp_path: Path) -> None:
    photo = photos(tmp_path, 1)["p0"]
    result = subprocess.run(
        [str(SCRIPT), "render", str(photo), "--batch", str(tmp_path)],
        env=clean_env(tmp_path), cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--batch takes folders only" in result.stderr
