"""Requests the local agent cannot do: named honestly, with the nearest thing it can do.

Each entry is (pattern, what it is, what it is in Chinese, the nearest supported
alternative in English and in Chinese).  The detector runs before every other
one and consumes its words, so "speed up the music" is never read as "faster
photos" and "blur the faces" never as a blurred background; the rest of the
prompt is still done.  A prompt with nothing else to do changes nothing.
"""

from __future__ import annotations

import re

from nemowidgets.local.agent.vocab import PLACEHOLDER_RE, Parsed, Prompt

__all__ = ["UNSUPPORTED", "unsupported"]

_TEXT_ALT = (
    "I can make the title or the captions bigger or smaller, change their colour, put them on "
    "a box, and put the title at the top, center or bottom",
    "我可以调整标题或字幕的大小和颜色、加底框，并把标题放在顶部、中间或底部",
)
_LOOK_ALT = (
    "I can give the photos a look (black and white, sepia, warm, cool, vivid or faded) and "
    "make them brighter, darker or more contrasted",
    "我可以给照片加上黑白、复古、暖色、冷色、鲜艳或褪色效果，并调亮、调暗或增加对比度",
)
_FIT_ALT = (
    "I can show the photos on a blurred background, with black bars or filling the frame",
    "我可以把照片放在模糊背景上、加黑边或填满画面",
)
#: (pattern, name, Chinese name, (alternative, Chinese alternative)); most specific first.
UNSUPPORTED: tuple[tuple[str, str, str, tuple[str, str]], ...] = (
    (
        r"\b(?:heart|cube|spin(?:ning)?|swirl|star|circle|iris|page[- ]?(?:curl|turn)|morph|"
        r"ripple|blinds?|clock|shatter|3d|doors?|whip(?:\s+pan)?|luma|film\s+burn|flash|spiral|"
        r"pixelat\w*|twirl|rotat\w*|glitch|flip)\s+(?:transitions?|wipes?|effects?\s+between)\b|"
        r"\b(?:fade|fading|dip|dipping)s?\s+(?:to|through|into)\s+white\b|\bwhite\s+(?:fades?|flash)\b",
        "Transitions such as '{0}'",
        "「{0}」这类转场",
        (
            "I can do crossfades, fades through black, slides, wipes or zoom transitions",
            "我可以使用交叉淡化、黑场、滑动、擦除或缩放转场",
        ),
    ),
    (
        r"\b(?:spotify|apple\s+music|soundcloud|youtube\s+music|deezer|tidal|pandora)\b|"
        r"\b(?:a\s+|the\s+|some\s+)?(?:song|track|tune|music)s?\s+by\s+(?!the\s+(?:end|way)\b)\w+|"
        r"\b(?:download|find|search\s+for)\s+(?:a\s+|some\s+)?(?:song|music|track)\b",
        "Finding or downloading songs (from Spotify or anywhere else)",
        "查找或下载歌曲（Spotify 等）",
        (
            "upload an mp3, wav, m4a or aac file and say 'add music'",
            "请上传 mp3、wav、m4a 或 aac 文件，再说“加音乐”",
        ),
    ),
    (
        r"\b(?:reverse|invert)\s+(?:the\s+)?(?:music|song|audio|soundtrack)\b|"
        r"\b(?:play\w*\s+)?(?:the\s+)?(?:music|song|audio)\s+(?:backwards?|in\s+reverse|reversed)\b",
        "Playing the music backwards",
        "倒放音乐",
        (
            "I can reverse the order of the photos, or fade the music in and out",
            "我可以倒转照片顺序，或让音乐淡入淡出",
        ),
    ),
    (
        r"\b(?:music|song|audio|soundtrack)\s+(?:to\s+)?(?:start|begin)s?\s+(?:at|from|after)\b|"
        r"\bstart\s+the\s+(?:music|song)\s+(?:at|from)\b|\bskip\s+the\s+(?:intro|beginning)\s+of\b",
        "Starting the music part-way through",
        "从中间开始播放音乐",
        (
            "the music starts with the video; I can fade it in or fit the video to it",
            "音乐和视频同时开始；我可以让音乐淡入，或让视频适配音乐长度",
        ),
    ),
    (
        r"\btransition\s+sounds?\b|\bwhoosh\w*",
        "Sound effects",
        "音效",
        ("I can add one song as background music", "我可以添加一首背景音乐"),
    ),
    (
        r"\bbold\b|\bunderlin\w*|\bitalics?\b",
        "Bold, italic or underlined text",
        "粗体、斜体或下划线文字",
        _TEXT_ALT,
    ),
    (
        r"\btranslat\w*",
        "Translating text",
        "翻译文字",
        (
            "write the title in the language you want, e.g. add the title 'Bonjour'",
            "请直接用想要的语言写标题，例如：加上标题「你好」",
        ),
    ),
    (
        r"\b(?:stickers?|emoji\s+stickers?|overlay\s+images?|gifs?\s+on\s+top)\b",
        "Stickers and image overlays",
        "贴纸和图片叠加",
        (
            "I can put one logo in a corner ('add my logo in the bottom right'), a title or "
            "captions",
            "我可以在角落放一个 logo（“在右下角加上我的 logo”）、标题或字幕",
        ),
    ),
    (
        r"\binstagram\s+filters?\b|(?<!\bthe\s)(?<!\bno\s)(?<!\bany\s)(?<!\bremove\s)\bfilters?\b|"
        r"\bcolou?r\s+grad(?:e|ing)\b|\bluts?\b",
        "Custom filters and colour grading",
        "自定义滤镜和调色",
        _LOOK_ALT,
    ),
    (
        r"\b(?:exposure|sharpen\w*|sharper|sharpness|hdr|white\s+balance|hue)\b",
        "Sharpening, exposure and white balance",
        "锐化、曝光和白平衡",
        _LOOK_ALT,
    ),
    (r"\bfaces?\b", "Blurring or detecting faces", "人脸模糊或识别", _FIT_ALT),
    (
        r"\bvoice[- ]?overs?\b|\bnarrat\w*|\brecord\w*\s+(?:my\s+)?voice\b|\bmy\s+voice\b|"
        r"\bmicrophone\b",
        "Voice-overs and recording",
        "配音和录音",
        (
            "I can use an uploaded song or audio file as the background music",
            "我可以把上传的歌曲或音频作为背景音乐",
        ),
    ),
    (
        r"\bsound\s+effects?\b|\bsfx\b",
        "Sound effects",
        "音效",
        ("I can add one song as background music", "我可以添加一首背景音乐"),
    ),
    (
        r"\b(?:speed\s+up|slow\s+down)\s+(?:the\s+)?(?:music|song|audio)\b|"
        r"\b(?:music|song|audio)\s+(?:faster|slower)\b|\btempo\b|\bpitch\b",
        "Changing the music's speed or pitch",
        "改变音乐的速度或音调",
        (
            "I can fit the video to the music or change its volume",
            "我可以让视频适配音乐长度，或调整音量",
        ),
    ),
    (
        r"\bgifs?\b",
        "GIF export",
        "导出 GIF",
        ("the video is exported as an MP4", "视频会导出为 MP4"),
    ),
    (
        r"\b(?:remove|delete|erase|cut\s+out)\s+(?:the\s+)?backgrounds?\b(?!\s+music)|"
        r"\bbackground\s+removal\b",
        "Removing the background of photos",
        "去除照片背景",
        _FIT_ALT,
    ),
    (
        r"\brotat\w*|\bupside\s+down\b|\bsideways\b|\bspin(?:s|ning)?\b",
        "Rotating photos",
        "旋转照片",
        _FIT_ALT,
    ),
    (
        r"\bmirror\w*|\bflip\w*\s+(?:\w+\s+){0,3}?(?:horizontally|vertically)\b",
        "Mirroring or flipping photos",
        "镜像或翻转照片",
        _FIT_ALT,
    ),
    (r"\bcount\s?downs?\b|\btimers?\b", "Countdowns", "倒计时", _TEXT_ALT),
    (
        r"\btranscri\w*|\blyrics\b|\bspeech\s+to\s+text\b",
        "Transcribing audio into subtitles",
        "把音频转写成字幕",
        (
            "I can add captions you write, e.g. caption photo 2 'Sunset'",
            "我可以添加你写的字幕，例如：第二张加字幕「日落」",
        ),
    ),
    (
        r"\bauto(?:matic(?:ally)?)?[- ]?(?:generated?\s+)?(?:captions?|subtitles?)\b|"
        r"\bauto[- ]?generate\s+(?:the\s+)?(?:captions?|subtitles?)\b|"
        r"\b(?:captions?|subtitles?)\s+automatically\b",
        "Automatic captions",
        "自动字幕",
        (
            "I can add captions you write, e.g. caption photo 2 'Sunset'",
            "我可以添加你写的字幕，例如：第二张加字幕「日落」",
        ),
    ),
    (r"\bpicture[- ]in[- ]picture\b|\bpip\b", "Picture-in-picture", "画中画", _FIT_ALT),
    (
        r"\bsplit[- ]?screens?\b|\bcollages?\b|\bside\s+by\s+side\b",
        "Split screen and collages",
        "分屏和拼图",
        _FIT_ALT,
    ),
    (r"\bgreen\s?screens?\b|\bchroma\s?key\w*", "Green screen (chroma key)", "绿幕抠像", _FIT_ALT),
    (r"\bstabili[sz]\w*", "Stabilizing video clips", "视频防抖", _FIT_ALT),
    (
        r"\b(?:glitch|confetti|particles?|sparkles?|snow|light\s+leaks?|vhs|lens\s+flares?|"
        r"fireworks?|3d|neon|shake|earthquake)\b(?:\s+effects?)?",
        "Visual effects such as {0}",
        "「{0}」等视觉特效",
        _LOOK_ALT,
    ),
    (
        r"\banimat\w*\s+(?:the\s+)?(?:title|text|caption|words)\b|\b(?:title|text)\s+animations?\b|"
        r"\btypewriter\b|\bscrolling\s+text\b|\b(?:appear\w*\s+)?(?:letter|word)\s+by\s+"
        r"(?:letter|word)\b",
        "Animated text",
        "文字动画",
        _TEXT_ALT,
    ),
    (
        r"\bfonts?\b(?!\s+(?:size\s+)?(?:bigger|larger|smaller))|\btypefaces?\b|\bcomic\s+sans\b|\bitalics?\b",
        "Choosing fonts",
        "更换字体",
        _TEXT_ALT,
    ),
    (
        r"\bborders?\b|\bframes?\s+around\b|\brounded\s+corners?\b|\bvignett\w*|\bdrop\s+shadows?\b",
        "Borders, frames and rounded corners",
        "边框、相框和圆角",
        _FIT_ALT,
    ),
    (
        r"\b(?:2|multiple|several|both)\s+songs\b|\b(?:second|another)\s+(?:music\s+)?track\b|"
        r"\bmix\s+(?:the\s+)?songs\b",
        "Playing more than one song at a time",
        "同时播放多首歌曲",
        (
            "I can use one song as background music, e.g. 'use piano.m4a'",
            "我可以使用一首歌作为背景音乐",
        ),
    ),
    (
        r"\b(?:upload|publish|share|post)\w*\s+(?:it\s+|the\s+video\s+)?(?:to|on)\s+(?:my\s+)?"
        r"(?:youtube|instagram|tiktok|facebook|twitter|x)\b|\bpublish\w*",
        "Publishing to YouTube or social media",
        "发布到 YouTube 或社交媒体",
        (
            "export the video (type 'export') and upload the MP4 yourself",
            "请导出视频（输入“导出”），再自己上传 MP4",
        ),
    ),
    (
        r"\b(?:8k|4k|uhd|2160p?|1440p?|2k)\b",
        "{0} output",
        "{0} 分辨率",
        ("the local renderer goes up to 1080p (say '1080p')", "本地渲染最高 1080p（输入“1080p”）"),
    ),
    (
        r"\bslow[- ]?mo(?:tion)?\b|\btime[- ]?lapse\b",
        "Slow motion and time-lapse",
        "慢动作和延时摄影",
        (
            "I can make a photo or the whole video longer, e.g. 'make photo 2 5 seconds'",
            "我可以让某张照片或整个视频更长，例如：第二张照片5秒",
        ),
    ),
    (r"\bchapters?\b", "Chapter markers", "章节标记", _TEXT_ALT),
)
_MATCH_ONLY = {"Publishing to YouTube or social media"}
_RATIO = re.compile(r"(?<![\d.:x])(\d{1,2})\s*[:/]\s*(\d{1,2})(?![\d.:])")
_ASPECTS = {"16:9", "9:16", "1:1", "4:5"}


def unsupported(p: Prompt, out: Parsed, lang: str) -> None:
    """Consume what cannot be done; say what it is and the nearest supported thing."""
    for pattern, name, name_zh, (alt, alt_zh) in UNSUPPORTED:
        found = p.find(pattern)
        for m in found:
            if name in _MATCH_ONLY:  # "post it on instagram reels" still says the format
                p.eat(*m.span())
            else:
                _eat_clause(p, m)
        if found:
            word = found[0].group(0).strip()
            what = name.format(word.upper() if name.startswith("{") else word)
            what_zh = name_zh.format(word.upper() if name_zh.startswith("{") else word)
            out.notes.append(
                f"暂不支持{what_zh}；{alt_zh}。"
                if lang == "zh"
                else f"{what} {_be(what)} not supported yet; {alt}."
            )
    for m in _RATIO.finditer(p.text):
        ratio = f"{m.group(1)}:{m.group(2)}"
        if ratio not in _ASPECTS:
            p.eat(*m.span())
            out.notes.append(
                f"暂不支持 {ratio} 画面比例；可以用 16:9、9:16、1:1 或 4:5。"
                if lang == "zh"
                else f"The {ratio} format is not supported; I can do 16:9, 9:16, 1:1 or 4:5."
            )


_BOUNDARY = re.compile(r"[,;!?]|\.(?=\s|$)|\b(?:and|then|but|also)\b", re.I)


def _eat_clause(p: Prompt, m: re.Match[str]) -> None:
    """Consume the clause the request is in ("put the title in bold" asks nothing more).

    A clause holding a quoted text keeps it: in "add the title 'Summer' in red" only
    the colour is refused, and the title is still added.
    """
    start = max((b.end() for b in _BOUNDARY.finditer(p.text, 0, m.start())), default=0)
    after = _BOUNDARY.search(p.text, m.end())
    end = after.start() if after else len(p.text)
    if PLACEHOLDER_RE.search(p.text, start, end):
        start, end = m.span()
    cut = start
    for q in PLACEHOLDER_RE.finditer(p.text, start, end):
        p.eat(cut, q.start())
        cut = q.end()
    p.eat(cut, end)


def _be(what: str) -> str:
    head = what.split(" such as ")[0].split(" (")[0]
    gerund = head.split()[0].endswith("ing")  # "Finding or downloading songs is ..."
    plural = head.endswith("s") or " and " in head
    return "are" if plural and not gerund else "is"
