"""Cuts on the beat: the detector on synthetic songs, the edit, and the cuts of a real MP4.

The signals are made here with numpy, so the truth is known: a click track at a
fixed tempo, and a "song" (kick on the beat, hi-hat on every eighth, a drone under
them) whose tempo speeds up from 100 to 140 BPM.  The rendered videos are decoded
with PyAV and their cuts found by frame difference (photos of flat, distinct colours),
so "every cut within one frame of a click" is measured on what a viewer sees.
"""

from __future__ import annotations

import itertools
import sqlite3
import wave
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nemowidgets.draft import Draft
from nemowidgets.local.agent import edits as E
from nemowidgets.local.agent.beat_sync import cut_times
from nemowidgets.local.agent.hand_edits import apply_edits
from nemowidgets.local.render import render_draft
from nemowidgets.local.store.beats import Beats, beats_of_file, detect_beats
from nemowidgets.local.store.database import Store
from nemowidgets.session._media import media_from_state
from nemowidgets.widgets._strip_model import strip_model
from tests.local.render_support import decode
from tests.support.draft_invariants import assert_draft_invariants

SR = 44_100
FPS = 30
COLOURS = [
    (220, 40, 40),
    (40, 200, 60),
    (40, 60, 220),
    (230, 210, 40),
    (200, 60, 200),
    (40, 210, 210),
]


# -- signals -----------------------------------------------------------------------------
def click_track(bpm: float, seconds: float, start: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Short 1 kHz clicks at ``bpm`` from ``start``: (samples, click times)."""
    x = np.zeros(int(seconds * SR))
    times = np.arange(start, seconds - 0.05, 60.0 / bpm)
    n = int(0.01 * SR)
    t = np.arange(n) / SR
    click = 0.8 * np.sin(2 * np.pi * 1000 * t) * np.exp(-t / 0.003)
    for c in times:
        i = round(c * SR)
        x[i : i + n] += click[: x.size - i]
    return x, times


def drifting_song(bpm0: float, bpm1: float, seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """Kick on each beat, hi-hat on every eighth, a quiet drone; the tempo goes from
    ``bpm0`` to ``bpm1``: (samples, kick times)."""
    rng = np.random.default_rng(7)
    x = 0.05 * np.sin(2 * np.pi * 220 * np.arange(int(seconds * SR)) / SR)
    kicks = []
    t = np.arange(int(0.15 * SR)) / SR
    kick = 0.9 * np.sin(2 * np.pi * np.cumsum(50 + 100 * np.exp(-t / 0.02)) / SR)
    kick *= np.exp(-t / 0.06)
    m = int(0.03 * SR)
    b = 0.3
    while b < seconds - 0.3:
        period = 60.0 / (bpm0 + (bpm1 - bpm0) * b / seconds)
        i = round(b * SR)
        x[i : i + kick.size] += kick[: x.size - i]
        kicks.append(b)
        for h in (b, b + period / 2):
            j = round(h * SR)
            hat = np.diff(
                0.25 * rng.standard_normal(m) * np.exp(-np.arange(m) / SR / 0.008), prepend=0
            )
            x[j : j + m] += hat[: x.size - j]
        b += period
    return x, np.array(kicks)


def write_wav(path: Path, x: np.ndarray) -> Path:
    pcm = (np.clip(x, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())
    return path


def nearest(times: np.ndarray, at: float) -> float:
    return float(np.min(np.abs(times - at)))


# -- the detector ------------------------------------------------------------------------
@pytest.mark.parametrize("bpm", [90, 120, 128])
def test_a_click_track_gives_its_tempo_and_every_click(bpm: int) -> None:
    x, clicks = click_track(bpm, 12)
    found = detect_beats(x, SR)
    assert found.bpm is not None
    assert abs(found.bpm - bpm) / bpm < 0.02
    beats = np.array(found.times)
    assert len(beats) == len(clicks)
    assert max(nearest(beats, c) for c in clicks) < 0.020


def test_a_song_that_speeds_up_is_followed_kick_by_kick() -> None:
    x, kicks = drifting_song(100, 140, 24)
    found = detect_beats(x, SR)
    beats = np.array(found.times)
    # every beat is on a kick (not on the hi-hats between them), and every kick is a beat
    assert max(nearest(kicks, b) for b in beats) < 0.020
    assert max(nearest(beats, k) for k in kicks[1:-1]) < 0.020
    gaps = np.diff(beats)
    assert gaps[:5].mean() > 1.25 * gaps[-5:].mean()  # it really sped up


def test_silence_and_a_steady_tone_have_no_beats() -> None:
    assert detect_beats(np.zeros(SR * 3), SR) == Beats((), None)
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(SR * 3) / SR)
    assert len(detect_beats(tone, SR).times) < 2


def test_a_file_is_read_through_pyav(tmp_path: Path) -> None:
    x, clicks = click_track(120, 6)
    found = beats_of_file(write_wav(tmp_path / "clicks.wav", x))
    assert max(nearest(np.array(found.times), c) for c in clicks) < 0.020
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\0\0\0\0WAVEjunk")
    assert beats_of_file(broken) == Beats((), None)


# -- the edit ----------------------------------------------------------------------------
PHOTOS = [{"id": f"m_{i}", "filename": f"p{i}.png", "file_type": "image"} for i in range(6)]


def song(beats: list[float], seconds: float = 30.0) -> dict:
    return {"id": "m_song", "filename": "song.wav", "file_type": "audio", "duration": seconds,
            "beats": beats}  # fmt: skip


def test_hard_cuts_land_on_every_other_beat_and_the_end_too() -> None:
    beats = [0.1 + 0.5 * i for i in range(60)]
    d = E.make_slideshow(PHOTOS, music=song(beats))
    new = E.sync_to_beats(d, beats, every=2)
    assert_draft_invariants(new)
    assert cut_times(new) == [1100, 2100, 3100, 4100, 5100]
    assert new["d"] == 6100
    assert d == E.make_slideshow(PHOTOS, music=song(beats))  # the input is not mutated


def test_the_step_is_chosen_for_the_photo_length_and_crossfades_cut_at_their_middle() -> None:
    beats = [0.5 * i for i in range(80)]  # 120 BPM
    d = E.make_slideshow(PHOTOS, photo_ms=2200, transition="crossfade", music=song(beats))
    new = E.sync_to_beats(d, beats)
    assert_draft_invariants(new)
    video = new["t"][0]["sg"]
    assert all(sg["tr"]["d"] == 500 for sg in video[:-1])  # the crossfades are kept
    assert cut_times(new) == [2000, 4000, 6000, 8000, 10000]  # 4 beats: 2 s, the closest to 2.2
    assert video[1]["s"] == 2000 - 250  # the next photo fades in 0.25 s before the beat
    fast = E.sync_to_beats(d, beats, every=1)  # 0.5 s steps: the crossfades get shorter
    assert_draft_invariants(fast)
    assert cut_times(fast) == [500, 1000, 1500, 2000, 2500]
    assert all(0 < sg["tr"]["d"] <= 332 for sg in fast["t"][0]["sg"][:-1])


def test_a_clip_is_cut_at_the_last_beat_it_still_fills() -> None:
    beats = [0.5 * i for i in range(80)]
    clip = {"id": "m_clip", "filename": "surf.mp4", "file_type": "video", "duration": 3.3}
    d = E.make_slideshow([PHOTOS[0], clip, PHOTOS[1]], photo_ms=2000, music=song(beats))
    new = E.sync_to_beats(d, beats, every=2)
    video = new["t"][0]["sg"]
    assert cut_times(new) == [1000, 4000]  # the clip shows 3 s of its 3.3 s
    assert video[1]["d"] <= 3300
    assert new["d"] == 5000


def test_a_looping_song_repeats_its_beats() -> None:
    beats = [0.25 + 0.5 * i for i in range(8)]  # a 4 s song, looped
    d = E.make_slideshow(PHOTOS, music=song(beats, seconds=4.0))
    new = E.sync_to_beats(d, beats, every=4, song_ms=4000)
    assert cut_times(new) == [2250, 4250, 6250, 8250, 10250]


def test_refusals_say_what_to_do() -> None:
    beats = [0.5 * i for i in range(20)]
    with pytest.raises(E.EditError, match="no music"):
        E.sync_to_beats(E.make_slideshow(PHOTOS), beats)
    d = E.make_slideshow(PHOTOS, music=song([]))
    with pytest.raises(E.EditError, match="no steady beat"):
        E.sync_to_beats(d, [])
    with pytest.raises(E.EditError, match="1 to 16"):
        E.sync_to_beats(d, beats, every=0)


def test_by_name_the_beats_come_from_the_media() -> None:
    beats = [0.1 + 0.5 * i for i in range(60)]
    media = [*PHOTOS, song(beats)]
    d = E.make_slideshow(PHOTOS, music=media[-1])
    new, _ = apply_edits(d, [{"name": "sync_to_beats", "args": {"every": 2}}], media)
    assert cut_times(new) == [1100, 2100, 3100, 4100, 5100]


# -- the rendered MP4 --------------------------------------------------------------------
def photo_files(folder: Path, n: int) -> dict[str, Path]:
    out = {}
    for i in range(n):
        path = folder / f"p{i}.png"
        Image.new("RGB", (320, 180), COLOURS[i % len(COLOURS)]).save(path)
        out[f"m_{i}"] = path
    return out


def render_synced(
    tmp_path: Path, wav: Path, n: int, **sync: object
) -> tuple[dict, list[np.ndarray]]:
    found = beats_of_file(wav)
    files = photo_files(tmp_path, n)
    media = [{"id": k, "filename": p.name, "file_type": "image"} for k, p in files.items()]
    music = {"id": "m_song", "filename": wav.name, "file_type": "audio", "duration": 30.0}
    d = E.make_slideshow(media, music=music, meta={"width": 320, "height": 180, "fps": FPS,
                                                   "aspect": "16:9", "fit": "cover"})  # fmt: skip
    if sync.pop("crossfade", False):
        d = E.set_transition(d, "crossfade", 300)
    d = E.sync_to_beats(d, list(found.times), **sync)  # type: ignore[arg-type]
    out = tmp_path / "synced.mp4"
    render_draft(d, {**files, "m_song": wav}, out, quality="high")
    video = decode(out)
    assert video.fps == FPS
    return d, [f.astype(np.int16) for f in video.frames]


def test_every_hard_cut_of_the_render_is_within_a_frame_of_a_click(tmp_path: Path) -> None:
    x, clicks = click_track(120, 10, start=0.3)
    _d, frames = render_synced(tmp_path, write_wav(tmp_path / "clicks.wav", x), 6, every=2)
    diffs = [float(np.abs(b - a).mean()) for a, b in itertools.pairwise(frames)]
    cut_frames = [i + 1 for i, v in enumerate(diffs) if v > 30]
    assert len(cut_frames) == 5, diffs
    for f in cut_frames:
        assert nearest(clicks, f / FPS) <= 1 / FPS + 1e-6, (f / FPS, clicks)


def test_crossfades_are_half_way_on_the_beat_of_a_drifting_song(tmp_path: Path) -> None:
    x, kicks = drifting_song(100, 140, 12)
    d, frames = render_synced(
        tmp_path, write_wav(tmp_path / "song.wav", x), 6, every=2, crossfade=True
    )
    centre = [f[60:120, 100:220].reshape(-1, 3).mean(axis=0) for f in frames]
    for i, cut in enumerate(cut_times(d)):
        a, b = np.array(COLOURS[i], float), np.array(COLOURS[i + 1], float)
        mix = [float((c - a) @ (b - a) / ((b - a) @ (b - a))) for c in centre]
        lo, hi = round((cut - 400) / 1000 * FPS), round((cut + 400) / 1000 * FPS)
        # the first frame past half way is within one frame of a kick
        half = next(k for k in range(lo, hi) if mix[k] >= 0.5)
        assert nearest(kicks, half / FPS) <= 1 / FPS + 1e-6, (cut, half / FPS)


# -- the store ---------------------------------------------------------------------------
def test_an_old_data_dir_gains_the_beats_column_and_its_songs_their_beats(tmp_path: Path) -> None:
    x, clicks = click_track(120, 6)
    folder = tmp_path / "media" / "1"
    folder.mkdir(parents=True)
    write_wav(folder / "m_song.wav", x)
    db = sqlite3.connect(tmp_path / "nemo.sqlite3")
    db.executescript(
        "CREATE TABLE media (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL,"
        " session_id TEXT NOT NULL, filename TEXT NOT NULL, file_type TEXT NOT NULL, format TEXT,"
        " path TEXT NOT NULL, thumb TEXT, size INTEGER, hash TEXT, duration REAL, width INTEGER,"
        " height INTEGER, fps REAL, created_at REAL NOT NULL);"
        "INSERT INTO media (id, session_id, filename, file_type, path, created_at)"
        " VALUES ('m_song', '1', 'clicks.wav', 'audio', 'media/1/m_song.wav', 0);"
    )
    db.commit()
    db.close()
    store = Store(tmp_path)
    try:
        (record,) = store.list_media("1")
        assert abs(record["bpm"] - 120) < 2
        assert max(nearest(np.array(record["beats"]), c) for c in clicks) < 0.020
        assert Store.agent_media(record)["beats"] == record["beats"]
        assert store.get_media("m_song", "1")["beats"] == record["beats"]  # kept, read back
    finally:
        store.close()
    Store(tmp_path).close()  # opening it again adds nothing twice


# -- the server --------------------------------------------------------------------------
def test_an_uploaded_song_carries_its_beats_to_the_agent_and_the_state(local_api, tmp_path) -> None:
    x, clicks = click_track(120, 10, start=0.3)
    files = photo_files(tmp_path, 4)
    sid = local_api.new_session()
    uploaded = local_api.upload_ok(sid, [*files.values(), write_wav(tmp_path / "clicks.wav", x)])
    song_entry = uploaded[-1]
    assert abs(song_entry["bpm"] - 120) < 2.4
    assert max(nearest(np.array(song_entry["beats"]), c) for c in clicks) < 0.020
    assert uploaded[0]["beats"] is None  # a photo has none
    state = local_api.state(sid)["state"]
    assert state["media"][-1]["beats"] == song_entry["beats"]
    result = local_api.sse(sid, "make a slideshow with music, then cut on every other beat")
    assert "every 2 beats" in result.final_text, result.final_text
    draft = local_api.state(sid)["state"]["draft"]
    cuts = cut_times(draft)
    assert len(cuts) == 3
    assert max(nearest(clicks, c / 1000) for c in cuts) < 0.020
    assert all(abs(b - a - 1000) <= 10 for a, b in itertools.pairwise(cuts))
    # The Studio's strip draws the song's beats from the state's media list.
    data = local_api.state(sid)
    media = {m.id: m for m in media_from_state(data["state"])}
    lanes = strip_model(Draft.from_state(data), media)["lanes"]
    drawn = next(lane for lane in lanes if lane["kind"] == "audio")["beats"]
    assert drawn == [round(1000 * b) for b in song_entry["beats"] if 1000 * b < draft["d"]]
    assert set(cuts) <= set(drawn)
