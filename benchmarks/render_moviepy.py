"""MoviePy 2 rendering the render benchmark's plain draft, as its documentation shows.

``ImageClip``s with ``CrossFadeIn`` in a ``CompositeVideoClip`` on black, the song
with ``AudioFadeOut``.  Run by ``render.py --peers ...,moviepy``:

    python benchmarks/render_moviepy.py JOB.json OUT.mp4
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import render_jobs


def main(job_file: str, out: str) -> None:
    from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, afx, vfx

    job = json.loads(Path(job_file).read_text())
    draft = job["plain"]
    w, h, fps = draft["m"]["width"], draft["m"]["height"], draft["m"]["fps"]
    segs = render_jobs.video_segments(draft)
    clips = []
    for i, seg in enumerate(segs):
        clip = ImageClip(job["media"][seg["src"]], duration=seg["d"] / 1000)
        scale = min(w / clip.w, h / clip.h)
        clip = clip.resized(scale).with_start(seg["s"] / 1000).with_position("center")
        if i:
            clip = clip.with_effects([vfx.CrossFadeIn(segs[i - 1]["tr"]["d"] / 1000)])
        clips.append(clip)
    music = render_jobs.music_segment(draft)
    total = draft["d"] / 1000
    video = CompositeVideoClip(clips, size=(w, h), bg_color=(0, 0, 0))
    audio = AudioFileClip(job["music"]).subclipped(0, total)
    video = video.with_audio(audio.with_effects([afx.AudioFadeOut(music["fo"] / 1000)]))
    started = time.perf_counter()
    video.write_videofile(
        out,
        fps=fps,
        codec="libx264",
        preset="veryfast",
        audio_codec="aac",
        audio_bitrate="192k",
        audio_fps=48000,
        ffmpeg_params=["-crf", "23", "-pix_fmt", "yuv420p"],
        logger=None,
    )
    print(json.dumps({"inner_wall": time.perf_counter() - started}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
