"""The corpus's media and starting drafts, each named by a short key.

Photos have telling file names (``moon.jpg``, ``astronaut.jpg``) so that rows can
name them the way a user would ("the moon photo"); no file is named after a cat,
a dog or a sunset, so a row describing a photo by its content cannot be matched
by name.  Starting drafts are made by prompts the agent has always understood
(``tests/local/test_agent.py`` pins them), so a setup key is short to write.
"""

from __future__ import annotations

import copy
from functools import cache

from nemowidgets.local.agent import respond

PHOTOS = ("beach.jpg", "moon.jpg", "astronaut.jpg", "mountains.jpg", "city_night.jpg")


def _photo(i: int, name: str) -> dict:
    return {
        "id": f"m_{i}",
        "filename": name,
        "file_type": "image",
        "duration": None,
        "width": 800,
        "height": 600,
        "fps": None,
    }


def _song(media_id: str, name: str, seconds: float, bpm: float) -> dict:
    """A song with its beats, as the server finds them at upload (seconds)."""
    return {
        "id": media_id,
        "filename": name,
        "file_type": "audio",
        "duration": seconds,
        "width": None,
        "height": None,
        "fps": None,
        "beats": [round(0.12 + i * 60 / bpm, 3) for i in range(int((seconds - 0.12) * bpm / 60))],
        "bpm": bpm,
    }


_IMAGES = [_photo(i, name) for i, name in enumerate(PHOTOS, 1)]
SONG = _song("m_song", "summer_song.mp3", 20.0, 120.0)
PIANO = _song("m_piano", "piano.m4a", 30.0, 90.0)
LOGO = {**_photo(9, "logo.png"), "id": "m_logo"}
#: A 12 s phone video with its own sound (a slideshow shows its first 10 s).
CLIP = {**_photo(7, "surf.mp4"), "id": "m_clip", "file_type": "video", "duration": 12.0, "fps": 30}
MEDIA: dict[str, list[dict]] = {
    "trip": [*_IMAGES, SONG, PIANO],
    # the trip and a logo.png (which a slideshow leaves out: it is for the corner)
    "branded": [*_IMAGES, LOGO, SONG, PIANO],
    "photos": list(_IMAGES),
    "songs": [SONG, PIANO],
    # two photos, the surf clip third, two more photos, and the songs
    "clips": [*_IMAGES[:2], CLIP, *_IMAGES[2:4], SONG, PIANO],
    "nothing": [],
}

#: key -> (media key, the prompts that build the starting draft; none: no draft).
SETUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "none": ("trip", ()),
    # 5 photos x 3 s, 0.5 s crossfades, summer_song.mp3 at 80 %: 13 s.
    "default": ("trip", ("make a slideshow with transitions and music",)),
    # the same with Ken Burns on every photo.
    "smooth": ("trip", ("make a smooth slideshow with transitions and music",)),
    # hard cuts, music: 15 s.
    "cuts": ("trip", ("make a slideshow",)),
    # crossfades, no music uploaded at all.
    "silent": ("photos", ("make a slideshow with transitions",)),
    "titled": ("trip", ("make a slideshow with transitions and music", "add the title 'Summer'")),
    "vertical": ("trip", ("make a slideshow with transitions and music", "9:16")),
    # the default slideshow with its music at 100 % (as loud as the recording).
    "loud": ("trip", ("make a slideshow with transitions and music", "music at 100%")),
    "no_photos": ("songs", ()),
    "branded": ("branded", ("make a slideshow with transitions and music",)),
    "bw": ("trip", ("make a slideshow with transitions and music", "make it black and white")),
    "empty": ("nothing", ()),
    # beach, moon, surf.mp4 (10 s), astronaut, mountains; crossfades, summer_song.mp3.
    "clip": ("clips", ("make a slideshow with transitions and music",)),
    "muted": ("clips", ("make a slideshow with transitions and music", "mute the video")),
    "captioned": (
        "trip",
        ("make a slideshow with transitions and music", "add captions with the file names"),
    ),
}


@cache
def _built(key: str) -> dict | None:
    media_key, prompts = SETUPS[key]
    draft = None
    for prompt in prompts:
        reply = respond(prompt, draft, MEDIA[media_key])
        assert reply.draft is not None, f"setup {key!r}: {prompt!r} -> {reply.text}"
        draft = reply.draft
    return draft


def setup(key: str) -> tuple[dict | None, list[dict]]:
    """(a fresh copy of the starting draft or None, the media) for a setup key."""
    media_key, _ = SETUPS[key]
    return copy.deepcopy(_built(key)), copy.deepcopy(MEDIA[media_key])


def song_beats(media_id: str) -> list[float]:
    """The beats (seconds) of a corpus song, by media id; ``[]`` for anything else."""
    for items in MEDIA.values():
        for item in items:
            if item["id"] == media_id and item.get("beats"):
                return list(item["beats"])
    return []
