"""The renderer at full size and at length: 1080p, flat memory, and the benchmark's smoke run."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from nemowidgets.local.render import render_draft
from nemowidgets.samples import make_music, make_photo
from tests.local.render_support import decode, mean_rgb, nearest_photo, slideshow

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_1080p_render_of_big_photos(tmp_path) -> None:
    """A 12 MP landscape, a 12 MP portrait and a phone-sized photo at 1080p30."""
    media = {
        "p0": make_photo(tmp_path / "a.jpg", 0, (4000, 3000)),
        "p1": make_photo(tmp_path / "b.jpg", 1, (3024, 4032)),
        "p2": make_photo(tmp_path / "c.jpg", 2, (1920, 1080)),
        "music": make_music(tmp_path / "m.mp3", 4.0),
    }
    title = {
        "id": "t",
        "s": 0,
        "d": 1000,
        "k": "text",
        "txt": "Paradise Found",
        "pos": "center",
        "sz": 0.08,
    }
    draft = slideshow(
        ["p0", "p1", "p2"],
        seconds=1.0,
        music="music",
        size=(1920, 1080),
        kb={"z0": 1.0, "z1": 1.1, "x0": 0.5, "y0": 0.5, "x1": 0.55, "y1": 0.5},
        titles=[title],
    )
    stats = render_draft(draft, media, tmp_path / "hd.mp4")
    video = decode(tmp_path / "hd.mp4")
    assert (video.width, video.height, video.fps) == (1920, 1080, 30)
    assert abs(video.duration - 2.4) <= 1 / 30
    assert stats.frames == len(video.frames) == 72
    for index, second in enumerate((0.4, 1.1, 2.1)):
        assert (
            nearest_photo(mean_rgb(video.frames[round(second * 30)], (0.4, 0.1, 0.6, 0.3)), 3)
            == index
        )
    assert video.rms(0.2, 1.2) > 0.05


PEAK_RSS = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    from nemowidgets.local.render import render_draft
    from nemowidgets.samples import make_music, make_photo
    from tests.local.render_support import slideshow
    count, folder = int(sys.argv[1]), Path(sys.argv[2])
    sizes = [(1200, 900), (900, 1200), (1000, 1000), (1280, 720)]
    files = [make_photo(folder / f"{i}.jpg", i, sizes[i]) for i in range(4)]
    media = {f"p{i}": files[i % 4] for i in range(count)}
    media["music"] = make_music(folder / "m.mp3", 5.0)
    draft = slideshow(list(media)[:-1], seconds=0.6, tr_ms=200, music="music", size=(640, 360),
                      kb={"z0": 1.0, "z1": 1.1})
    render_draft(draft, media, folder / "out.mp4")
    print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
""")


def peak_rss_mb(count: int, folder: Path) -> float:
    folder.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(count), str(folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return float(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_memory_is_flat_in_the_number_of_photos(tmp_path) -> None:
    """40 photos (4x the video) must not need meaningfully more memory than 10."""
    ten = peak_rss_mb(10, tmp_path / "ten")
    forty = peak_rss_mb(40, tmp_path / "forty")
    assert forty - ten < 12, (ten, forty)


@pytest.mark.slow
def test_the_benchmark_smoke_run_reports_ratios(tmp_path) -> None:
    """The small run: the agent's draft at 320x180, every renderer, the cold prompt job."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "render.py"), "--small", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    names = {"ours", "ours-plain", "ours-preview", "floor", "ffmpeg-zoompan", "ffmpeg", "prompt"}
    assert set(summary["results"]) == names
    seconds = summary["job"]["seconds"]
    for name, result in summary["results"].items():
        assert result["wall"] > 0
        assert result["cpu"] > 0
        assert result["rss_mb"] > 10
        if name != "prompt":  # the prompt job makes its own (1080p) draft of 3 photos
            assert abs(result["duration"] - seconds) <= 1 / 30, name
    results = summary["results"]
    for key in ("default_vs_floor", "default_vs_ffmpeg_zoompan", "plain_vs_ffmpeg"):
        assert key in summary
    assert np.isclose(
        summary["ratios"]["default_vs_floor"], results["ours"]["wall"] / results["floor"]["wall"]
    )
    assert summary["peak_rss_mb"] == results["ours"]["rss_mb"]
    assert summary["prompt_to_mp4_s"] == results["prompt"]["wall"]
    assert "peak_rss_mb <= 300.0" in summary["targets_met"]
