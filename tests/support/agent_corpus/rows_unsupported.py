"""Requests the agent cannot do: it says so, names the thing, changes nothing."""

from __future__ import annotations

from tests.support.agent_corpus.table import row

_NS = "not supported"


def _no(prompt: str, named: str, start: str = "default") -> object:
    return row("unsupported", start, prompt, unchanged=True, says=(named, _NS))


ROWS = [
    _no("blur the faces", "face"),
    _no("add a voiceover", "voice"),
    _no("record my voice over the photos", "voice"),
    _no("add sound effects", "sound effect"),
    _no("speed up the music", "music"),
    _no("export it as a gif", "gif"),
    _no("add some stickers", "sticker"),
    _no("add a filter to the photos", "filter"),
    _no("make the photos sharper and fix the white balance", "sharpen"),
    _no("remove the background from the photos", "background"),
    _no("rotate the third photo", "rotat"),
    _no("mirror the photos", "mirror"),
    _no("add a countdown at the start", "countdown"),
    _no("transcribe the song into subtitles", "transcri"),
    _no("auto-generate captions", "automatic captions"),
    _no("picture in picture with the first photo", "picture-in-picture"),
    _no("split screen with two photos", "split screen"),
    _no("add a green screen effect", "green screen"),
    _no("stabilize the video", "stabiliz"),
    _no("add a glitch effect", "effect"),
    _no("add confetti", "confetti"),
    _no("animate the title", "animat"),
    _no("change the font to comic sans", "font"),
    _no("put a border around the title", "border"),
    _no("add a border around the photos", "border"),
    _no("play two songs at the same time", "one song"),
    _no("upload it to youtube", "publish"),
    _no("make the photos sharper", "sharpen"),
    _no("add rounded corners", "corner"),
    _no("apply an instagram filter", "filter"),
    _no("make it 3:4", "3:4"),
    _no("make it 8k", "8k"),
    _no("slow motion on the second photo", "slow motion"),
    _no("add a chapter marker", "chapter"),
]
