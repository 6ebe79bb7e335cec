"""Cuts on the beat from Python: ``Session.edit("sync_to_beats")`` on the real local server.

The song's beats come with its media (``MediaInfo.extra["beats"]``, seconds), found by
the server when the file was uploaded; the edit snaps the server's draft to them.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nemowidgets.local.agent.beat_sync import cut_times
from nemowidgets.samples import make_photo
from nemowidgets.session import Session
from tests.local.test_beats import click_track, write_wav
from tests.support.isolation import isolate


def test_sync_to_beats_by_hand(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate(monkeypatch, tmp_path / "env")
    x, clicks = click_track(100, 12, start=0.4)
    files = [make_photo(tmp_path / f"photo_{i}.jpg", i, size=(320, 240)) for i in range(4)]
    files.append(write_wav(tmp_path / "clicks.wav", x))
    session = Session.local(data_dir=tmp_path / "data")
    try:
        session.upload(files)
        song = next(m for m in session.media if m.file_type == "audio")
        assert abs(song.extra["bpm"] - 100) < 2
        session.send("make a slideshow with crossfades and music")
        synced = session.edit("sync_to_beats", every=2)
        cuts = cut_times(synced.raw)
        assert len(cuts) == 3
        assert max(float(np.min(np.abs(clicks - c / 1000))) for c in cuts) < 0.020
        assert all(abs(b - a - 1200) <= 10 for a, b in itertools.pairwise(cuts))
        assert session.state()["state"]["draft"] == synced.raw
    finally:
        session.close()
