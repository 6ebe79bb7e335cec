"""What creators ask for (issue 12): cuts on the beat, clip trims and sound, text style.

The corpus songs have known beats (``setups._song``: summer_song.mp3 at 120 BPM from
0.12 s, piano.m4a at 90 BPM); ``on_beat`` holds when every cut (a hard cut, or the
middle of a transition) and the end of the video are on one of them.  The ``clip``
setup has surf.mp4 (a 12 s file, 10 s of it shown) third.  These were "not supported"
or a generic menu before.
"""

from __future__ import annotations

from tests.support.agent_corpus.table import row

_NS = "not supported"
_BEAT = {"on_beat": True, "keeps": ("transition", "music", "order", "title")}

_BEATS = [
    row("beats", "default", "sync the cuts to the beat", beats_per_photo=[4], **_BEAT),
    row("beats", "default", "cut on the beat", beats_per_photo=[4], **_BEAT),
    row("beats", "default", "cut on every other beat", beats_per_photo=[2], **_BEAT),
    row("beats", "default", "cut on every beat", beats_per_photo=[1], on_beat=True),
    row("beats", "default", "change the photo every 4 beats", beats_per_photo=[4], **_BEAT),
    row("beats", "default", "switch photos every bar", beats_per_photo=[4], on_beat=True),
    row("beats", "default", "make the cuts match the beats", on_beat=True),
    row("beats", "default", "beat sync the slideshow", on_beat=True, says="120 BPM"),
    row("beats", "cuts", "cut on every second beat", beats_per_photo=[2], transition=None),
    row("beats", "smooth", "time the transitions to the beat", on_beat=True, ken_burns=True),
    row(
        "beats compound",
        "default",
        "make it vertical and cut on the beat",
        aspect="9:16",
        on_beat=True,
    ),
    row(
        "beats compound",
        "default",
        "1 second per photo, on the beat",
        beats_per_photo=[2],
        on_beat=True,
    ),
    row(
        "beats compound",
        "default",
        "use piano.m4a and cut to the beat",
        music="piano.m4a",
        on_beat=True,
        says="90 BPM",
    ),
    row("beats neg", "default", "don't sync to the beat", unchanged=True),
    row("beats", "silent", "cut on the beat", unchanged=True, says="no music"),
    row("beats zh", "default", "卡点", on_beat=True, beats_per_photo=[4]),
    row("beats zh", "default", "跟着节拍切换", on_beat=True),
    row("beats zh", "default", "每两拍切换", beats_per_photo=[2], on_beat=True),
    row("beats zh", "default", "跟着音乐的节奏切换照片", on_beat=True),
]

_CLIPS = [
    row("clips", "clip", "trim the clip to its first 4 seconds", clip=(0, 4), keeps=("music",)),
    row("clips", "clip", "start the video at 0:05", clip=(5, 5)),
    row("clips", "clip", "cut the clip from 0:02 to 0:06", clip=(2, 4)),
    row("clips", "clip", "only use the first 3 seconds of the video", clip=(0, 3)),
    row("clips", "clip", "use the last 5 seconds of the clip", clip=(7, 5)),
    row("clips", "clip", "trim the clip to 6 seconds", clip=(0, 6)),
    row("clips", "clip", "skip the first 2 seconds of the clip", clip=(2, 8)),
    row("clips", "clip", "trim the clip from 0:08 to 0:20", unchanged=True, says="12 s"),
    row(
        "clips",
        "default",
        "trim the clip to its first 4 seconds",
        unchanged=True,
        says="no video clip",
    ),
    row("clips", "clip", "mute the video", clip_muted=True, volume=0.8),
    row("clips", "clip", "turn off the clip's sound", clip_muted=True, volume=0.8),
    row("clips", "clip", "mute the clip but keep the music", clip_muted=True, volume=0.8),
    row(
        "clips", "clip", "remove the sound from the video", clip_muted=True, music="summer_song.mp3"
    ),
    row("clips", "muted", "unmute the clip", clip_muted=False),
    row("clips", "clip", "mute the music", volume=0, clip_muted=False),
    row("clips", "default", "mute the video", volume=0),  # photos only: the whole video silent
    row(
        "clips compound",
        "clip",
        "mute the video and trim it to its first 4 seconds",
        clip_muted=True,
        clip=(0, 4),
    ),
    row("clips zh", "clip", "视频静音", clip_muted=True, volume=0.8),
    row("clips zh", "clip", "关掉视频的声音", clip_muted=True),
    row("clips zh", "clip", "把视频剪到前4秒", clip=(0, 4)),
    row("clips zh", "clip", "视频从第2秒开始", clip=(2, 8)),
    row("clips zh", "clip", "视频只要2到6秒", clip=(2, 4)),
    row("clips zh", "muted", "恢复视频的声音", clip_muted=False),
    row("clips zh", "clip", "静音", volume=0, clip_muted=False),
]

_STYLE = [
    row("style", "titled", "make the title yellow", title_color="#ffff00", title="Summer"),
    row("style", "titled", "change the title to yellow", title_color="#ffff00", title="Summer"),
    row("style", "titled", "yellow title", title_color="#ffff00"),
    row("style", "titled", "make the title red", title_color="#ff0000"),
    row(
        "style",
        "default",
        "add the title 'Summer' in yellow",
        title="Summer",
        title_color="#ffff00",
    ),
    row("style", "titled", "put the title on a dark box", title_box=True),
    row("style", "titled", "yellow title on a dark box", title_box=True, title_color="#ffff00"),
    row("style", "titled", "a white box behind the title", title_box="#ffffff"),
    row("style", "captioned", "bigger captions", caption_size=0.075),
    row("style", "captioned", "make the captions smaller", caption_size=0.048),
    row(
        "style",
        "captioned",
        "white captions on a black background",
        caption_box=True,
        caption_color="#ffffff",
        fit="blur",
    ),
    row("style", "captioned", "make the text red", caption_color="#ff0000"),
    row(
        "style neg",
        "captioned",
        "put the captions on a box, then remove the text box",
        caption_box=None,
    ),
    row("style", "default", "make the captions yellow", unchanged=True, says="no captions"),
    row("style zh", "titled", "标题改成黄色", title_color="#ffff00", title="Summer"),
    row("style zh", "titled", "标题加黑底", title_box=True),
    row("style zh", "captioned", "字幕大一点", caption_size=0.075),
    row("style zh", "titled", "把标题改成红色", title_color="#ff0000"),
]

ROWS = [*_BEATS, *_CLIPS, *_STYLE]
