"""Replies in Chinese for Chinese prompts: the agent's English sentences, translated.

Every sentence the agent says comes from a small set of templates (``actions.py``,
``respond.py``, the detectors' questions), so the translation is a table of
(English template, Chinese template), applied in order; the values (seconds,
file names, formats) are carried over unchanged, so a Chinese reply states the
same values as the English one and agrees with the draft.  Titles, captions and
file names are never translated.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nemowidgets.local.agent.colours import ZH_COLOURS

__all__ = ["to_chinese"]

_N = r"(\d+(?:\.\d+)?)"
_POS = {"top": "顶部", "center": "中间", "bottom": "底部"}
_TR = {
    "crossfades": "交叉淡化",
    "fades through black": "黑场过渡",
    "slides": "滑动转场",
    "wipes": "擦除转场",
    "zoom transitions": "缩放转场",
}
_TR_RE = "|".join(_TR)
_FADE = r"(?:fades (?:in|out) over [\d.]+ s|has no fade-(?:in|out))"
_HELP_ZH = (
    "我可以：\n"
    "• 做幻灯片：“用照片做一个有转场和音乐的幻灯片”\n"
    "• 时间：“每张照片4秒”、“总时长30秒”、“适配音乐长度”、“快一点”\n"
    "• 转场：交叉淡化、黑场、滑动、擦除、缩放或不要转场（“转场1秒”）\n"
    "• Ken Burns：“加上缩放效果” / “去掉缩放”\n"
    "• 画面：16:9、9:16（抖音、Reels、Shorts）、1:1、4:5、720p、1080p；模糊背景、黑边或填满画面\n"
    "• 文字：“加上标题「夏天」放在顶部”、“第二张加字幕「日落」”、“标题改成黄色”、“标题加黑底”\n"
    "• 视频片段：“把视频剪到前4秒”、“视频从第2秒开始”、“视频静音”\n"
    "• 效果：“黑白”、“复古滤镜”、“调亮一点”，也可以只用于一张照片；“在右下角加上我的 logo”；"
    "“用文件名做字幕”\n"
    "• 音乐：“音乐音量35%”、“音乐淡出2秒”、“不要音乐”、“音乐小声一点”；“卡点”、“每两拍切换”\n"
    "• 顺序：“把最后一张照片移到最前面”、“删除第二张照片”、“交换第一张和第二张”、“倒序”\n"
    "• “撤销”可以撤回上一次修改。"
)


_LOOKS_ZH = {
    "black and white": "黑白",
    "sepia": "复古",
    "warm": "暖色",
    "cool": "冷色",
    "vivid": "鲜艳",
    "faded": "褪色",
    "none (the original colours)": "无（原始颜色）",
}
_CORNERS_ZH = {
    "top left": "左上角",
    "top right": "右上角",
    "bottom left": "左下角",
    "bottom right": "右下角",
}


def _on(said: str) -> str:
    if said == "every photo":
        return "每张照片"
    m = re.match(r"photo (\d+) \((.*?)\)", said)
    return f"第 {m.group(1)} 张照片（{m.group(2)}）" if m else said


_WHERE = r"photo \d+(?: from the end)?|the last photo|the second to last photo"


def _where(said: str) -> str:
    """ "photo 2" -> 第 2 张照片, "the last photo" -> 最后一张照片 (``vocab.where``'s forms)."""
    if said == "the last photo":
        return "最后一张照片"
    if said == "the second to last photo":
        return "倒数第二张照片"
    n = re.sub(r"\D", "", said)
    return f"倒数第 {n} 张照片" if said.endswith("from the end") else f"第 {n} 张照片"


def _style(text: str) -> str:
    text = re.sub(rf"{_N} s each", r"每张照片 \1 秒", text)
    text = re.sub(rf"photos of {_N}-{_N} s", r"每张照片 \1-\2 秒", text)
    text = re.sub(rf"{_N} s ({_TR_RE})", lambda m: f"{m.group(1)} 秒的{_TR[m.group(2)]}", text)
    text = text.replace("hard cuts", "直接切换").replace("Ken Burns zoom", "Ken Burns 缩放")
    text = text.replace("clips at their own length", "视频片段保持原长")
    text = text.replace("no transitions with one photo", "只有一张照片，没有转场")
    return re.sub(rf"^{_N} s$", r"\1 秒", text.replace(", ", "，"))


def _made(m: re.Match[str]) -> str:
    what = m.group(1).replace(" and ", " 和 ")
    what = re.sub(r"(\d+) photos?", r"\1 张照片", what)
    what = re.sub(r"(\d+) video clips?", r"\1 段视频", what)
    music = f"，用 {m.group(3)} 作为背景音乐" if m.group(3) else ""
    return f"做好了 {what}的幻灯片（{_style(m.group(2))}）{music}，总时长 {m.group(4)} 秒。"


def _fades(m: re.Match[str]) -> str:
    parts = []
    for part in m.group(1).split(" and "):
        if f := re.match(rf"fades (in|out) over {_N} s", part):
            parts.append(f"{'淡入' if f.group(1) == 'in' else '淡出'} {f.group(2)} 秒")
        else:
            parts.append("没有淡入" if "fade-in" in part else "没有淡出")
    return "音乐" + "，".join(parts) + "。"


def _title(m: re.Match[str]) -> str:
    size = f"，文字大小为画面高度的 {m.group(5)}%" if m.group(5) else ""
    return f"标题「{m.group(1)}」在{_POS[m.group(2)]}，{m.group(3)}-{m.group(4)} 秒{size}。"


_FIT = {
    "on a blurred copy of themselves": "放在模糊背景上",
    "with black bars": "加黑边显示",
    "filling the frame (cropped)": "填满画面（裁剪）",
}
_KB = {"in": "缓慢放大", "out": "缓慢缩小", "or pans": "缓慢缩放或平移"}
_Repl = str | Callable[[re.Match[str]], str]
_TEXT_ZH = {"title": "标题", "captions": "字幕", "text": "文字", "The title": "标题",
            "The captions": "字幕", "All text": "所有文字"}  # fmt: skip
_COLOUR_ZH = {en: zh for zh, en in reversed(ZH_COLOURS.items())}


def _clip_zh(what: str) -> str:
    return "视频片段" if what in ("the video clip", "the video clips") else f" {what} "


def _style_zh(m: re.Match[str]) -> str:
    parts = []
    for part in m.group(2).split(", "):
        if part.endswith(" letters"):
            colour = part.removesuffix(" letters")
            parts.append(f"{_COLOUR_ZH.get(colour, colour)}文字")
        elif part == "on a dark box":
            parts.append("加深色底框")
        elif part.startswith("on a ") and part.endswith(" box"):
            colour = part[5:-4]
            parts.append(f"加{_COLOUR_ZH.get(colour, colour)}底框")
        elif part == "no box":
            parts.append("去掉底框")
        elif size := re.match(r"text size ([\d.]+)% of the frame height", part):
            parts.append(f"文字大小为画面高度的 {size.group(1)}%")
        else:
            parts.append(part)
    return f"{_TEXT_ZH[m.group(1)]}：{'，'.join(parts)}。"


_RULES: tuple[tuple[str, _Repl], ...] = (
    (r"Sorry, I didn't understand that\.\s*", "抱歉，我没听懂。\n\n"),
    (r"Here is what I can do:(?:\n• [^\n]*)+", _HELP_ZH),
    (r"There was no slideshow yet, so I made one first\.", "还没有幻灯片，所以我先做了一个。"),
    (rf"Made a slideshow of (.+?) \((.*?)\)(?: with (\S+) as background music)?: {_N} s\.", _made),
    (rf"Each photo now lasts {_N} s\.", r"每张照片现在显示 \1 秒。"),
    (rf"The other photos now last {_N} s\.", r"其他照片现在显示 \1 秒。"),
    (rf"Photo (\d+) \((.*?)\) now lasts {_N} s\.", r"第 \1 张照片（\2）现在显示 \3 秒。"),
    (rf"(?:Stretched|Shortened) the photos to {_N} s each\.", r"每张照片现在显示 \1 秒。"),
    (rf"(?:Stretched|Shortened) the photos to {_N}-{_N} s each\.", r"每张照片调整为 \1-\2 秒。"),
    (rf"The video is now {_N} s long\.", r"视频现在长 \1 秒。"),
    (rf"Total length: {_N} s\.", r"总时长 \1 秒。"),
    (rf"Transitions: {_N} s ({_TR_RE})\.", lambda m: f"转场：{m.group(1)} 秒的{_TR[m.group(2)]}。"),
    (r"Removed the transitions: hard cuts between photos\.", "已去掉转场：照片之间直接切换。"),
    (rf"\({_N} s did not fit: photos are too short\.\)", r"（\1 秒放不下：照片太短。）"),
    (
        r"There is only one photo, so there is nothing to transition between\.",
        "只有一张照片，无法加转场。",
    ),
    (
        r"Ken Burns is on: each photo slowly zooms (in|out|or pans)\.",
        lambda m: f"Ken Burns 效果已开启：每张照片{_KB[m.group(1)]}。",
    ),
    (r"Ken Burns is off\.", "Ken Burns 效果已关闭。"),
    (
        rf"Added (\S+) as background music \((\d+)%, {_N} s fade-out\)\.",
        r"已添加 \1 作为背景音乐（音量 \2%，淡出 \3 秒）。",
    ),
    (r"Removed the music\.", "已去掉音乐。"),
    (r"Music volume: (\d+)%\.", r"音乐音量：\1%。"),
    (
        r"Music volume: (\d+)% \(as loud as the recording; .*?\)\.",
        r"音乐音量：\1%（已是原始录音的音量；想更大声请说“音乐音量150%”）。",
    ),
    (
        r"The music is already at (\d+)%, as loud as the recording; .*?anyway\.",
        r"音乐已经是 \1%，即原始录音的音量；再大可能失真，如仍需要请说“音乐音量150%”。",
    ),
    (
        rf"The music now ({_FADE}(?: and {_FADE})?)\.",
        _fades,
    ),
    (
        rf"Fitted the video to (\S+) \({_N} s\): {_N} s per photo\.",
        r"已让视频适配 \1（\2 秒）：每张照片 \3 秒。",
    ),
    (
        rf"Fitted the video to (\S+) \({_N} s\): {_N}-{_N} s per photo\.",
        r"已让视频适配 \1（\2 秒）：每张照片 \3-\4 秒。",
    ),
    (r"Format: (\S+), (\d+x\d+), (\d+) fps\.", r"格式：\1，\2，\3 fps。"),
    (
        r"Photos are now shown (.+?)\.(?=\s|$)",
        lambda m: f"照片现在{_FIT.get(m.group(1), m.group(1))}。",
    ),
    (r"Removed the title\.", "已去掉标题。"),
    (
        rf"Title '(.*?)' at the (top|center|bottom), {_N}-{_N} s"
        rf"(?:, text size {_N}% of the frame height)?\.",
        _title,
    ),
    (
        rf"Caption '(.*?)' on photo (\d+) at the (top|center|bottom) \({_N}-{_N} s\)\.",
        lambda m: (
            f"第 {m.group(2)} 张照片加上字幕「{m.group(1)}」，"
            f"在{_POS[m.group(3)]}（{m.group(4)}-{m.group(5)} 秒）。"
        ),
    ),
    (r"Removed the captions\.", "已去掉字幕。"),
    (r"Removed photo (\d+) \((.*?)\)\.", r"已删除第 \1 张照片（\2）。"),
    (r"Moved photo (\d+) \((.*?)\) to position (\d+)\.", r"已把第 \1 张照片（\2）移到第 \3 位。"),
    (r"Swapped photos (\d+) and (\d+)\.", r"已交换第 \1 张和第 \2 张照片。"),
    (r"Reversed the order of the (\d+) photos\.", r"已倒转 \1 张照片的顺序。"),
    (r"Shuffled the (\d+) photos\.", r"已打乱 \1 张照片的顺序。"),
    (r"Added (\d+) new photos? at the end\.", r"已在末尾添加 \1 张新照片。"),
    (r"All uploaded photos are already in the slideshow\.", "所有上传的照片都已经在幻灯片里了。"),
    (r"Undone: back to the previous version of the video\.", "已撤销：回到视频的上一个版本。"),
    (
        r"Upload some photos first \(.*?\), then ask .*?'\.",
        "请先上传照片（jpg、png、webp 或 gif，也可以是视频片段），"
        "再说“做一个有转场和音乐的幻灯片”。",
    ),
    (
        r"There is no photo (\d+): the slideshow has (\d+) photos?(?: \((\d+-\d+)\))?\.",
        lambda m: (
            f"没有第 {m.group(1)} 张照片：幻灯片有 {m.group(2)} 张照片"
            + (f"（{m.group(3)}）" if m.group(3) else "")
            + "。"
        ),
    ),
    (r"There is no last photo: .*?\.", "没有最后一张照片。"),
    (r"There is no title to remove\.", "没有可以去掉的标题。"),
    (r"There is no music to remove\.", "没有可以去掉的音乐。"),
    (r"There is no title yet: .*?'\.", "还没有标题：例如说“加上标题「夏天」”。"),
    (r"There are no captions to remove\.", "没有可以去掉的字幕。"),
    (
        r"There is no music yet: .*?'\.",
        "还没有音乐：请先上传歌曲（mp3、wav、m4a、aac），再说“加音乐”。",
    ),
    (r"There is no music to fit to: .*?'\.", "没有可以适配的音乐：请先上传歌曲并说“加音乐”。"),
    (r"There is no music to cut to: .*?'\.", "没有可以卡点的音乐：请先上传歌曲并说“加音乐”。"),
    (
        r"I don't know the beats of (\S+) yet; upload it again to find them\.",
        r"还不知道 \1 的节拍；请重新上传这首歌。",
    ),
    (
        r"I found no steady beat in (\S+), so there is nothing to cut to\.",
        r"在 \1 里没有找到稳定的节拍，无法卡点。",
    ),
    (
        rf"Cuts on the beat of (\S+?)(?: \((\d+) BPM\))?: (every beat|every (\d+) beats), "
        rf"about {_N} s a photo(; with transitions, the middle of each one is on the beat)?\.",
        lambda m: (
            f"已按 {m.group(1)}{f'（{m.group(2)} BPM）' if m.group(2) else ''} 的节拍卡点："
            f"{'每拍' if m.group(3) == 'every beat' else f'每 {m.group(4)} 拍'}切换，"
            f"每张照片约 {m.group(5)} 秒{'；有转场时，转场的中点对准节拍' if m.group(6) else ''}。"
        ),
    ),
    (r"OK, the cuts stay where they are\.", "好的，切换点保持不变。"),
    (
        rf"Clip (\d+) \((.*?)\) now shows {_N}-{_N} s of its file \({_N} s\)\.",
        r"第 \1 段视频（\2）现在播放文件的 \3-\4 秒（\5 秒）。",
    ),
    (
        r"Muted the sound of (.+?); the music plays on\.",
        lambda m: f"已关闭{_clip_zh(m.group(1))}的原声，音乐照常播放。",
    ),
    (r"The sound of (.+?) is back on\.", lambda m: f"已恢复{_clip_zh(m.group(1))}的原声。"),
    (r"(The title|The captions|All text): (.+?)\.(?=\s|$)", lambda m: _style_zh(m)),
    (
        r"There is no video clip in the slideshow: .*?\.(?=\s|$)",
        "幻灯片里没有视频片段：请上传视频（mp4、mov）并加入幻灯片。",
    ),
    (
        r"There are no video clips to mute: .*?\.(?=\s|$)",
        "没有可以静音的视频片段；音乐可以用“静音”或音量0%关掉。",
    ),
    (
        r"There is no (title|captions|text) to style yet\.",
        lambda m: f"还没有可以设置样式的{_TEXT_ZH[m.group(1)]}。",
    ),
    (r"(\S+) is a photo, not a video clip\.", r"\1 是照片，不是视频片段。"),
    (
        r"No music is uploaded yet: .*?'\.",
        "还没有上传音乐：请上传 mp3、wav、m4a 或 aac 文件，再说“加音乐”。",
    ),
    (
        rf"A photo can last {_N} to {_N} s, not {_N} s\.",
        r"每张照片可以显示 \1 到 \2 秒，不能是 \3 秒。",
    ),
    (rf"A transition can last 0 to {_N} s, not {_N} s\.", r"转场可以是 0 到 \1 秒，不能是 \2 秒。"),
    (
        rf"{_N} s does not fit (\d+) photo\(s\): .*?\.",
        r"\1 秒放不下 \2 张照片：每张照片会太短或太长。",
    ),
    (r"The volume can be 0% to 200%, not (\d+)%\.", r"音量可以是 0% 到 200%，不能是 \1%。"),
    (
        r"That is the only photo; a slideshow needs at least one\.",
        "这是唯一的一张照片，幻灯片至少要有一张。",
    ),
    (
        r"How long should it be\? .*?'\.",
        "视频要多长？例如：“总时长30秒”、“每张照片4秒”或“适配音乐长度”。",
    ),
    (
        rf"How long should ({_WHERE}) last\? .*?'\.",
        lambda m: f"{_where(m.group(1))}要显示多久？例如：“{_where(m.group(1))}5秒”。",
    ),
    (
        r"What should the title say\? .*?'\.",
        "标题要写什么？请放在引号里，例如：加上标题「夏天」在顶部。",
    ),
    (r"Which photo\? .*?'\.", "哪一张照片？例如：“删除第二张照片”、“把最后一张照片移到最前面”。"),
    (
        rf"What should change about ({_WHERE})\? .*?'\.",
        lambda m: (
            f"{_where(m.group(1))}要改什么？例如：“{_where(m.group(1))}5秒”"
            f"或“删除{_where(m.group(1))}”。"
        ),
    ),
    (
        r"Which format: (.*?)\?",
        lambda m: f"要哪种画面比例：{m.group(1).replace(' or ', ' 还是 ')}？",
    ),
    (
        r"Which transition would you like: (.*?)\?",
        lambda m: f"要哪种转场：{m.group(1).replace(' or ', ' 还是 ')}？",
    ),
    (
        rf"What should the caption on ({_WHERE}) say\? .*?'\.",
        lambda m: f"{_where(m.group(1))}的字幕要写什么？例如：{_where(m.group(1))}加字幕「日落」。",
    ),
    (
        r"What should the captions say, and on which photos\? .*?\.$",
        "字幕要写什么、加在哪几张照片上？例如：第二张加字幕「日落」。",
    ),
    (
        r"What should the text say\? .*?'Sunset'\.",
        "文字要写什么？整个视频用标题，例如：加上标题「夏天」；单张照片用字幕，例如：第二张加字幕「日落」。",
    ),
    (
        r"There is no song (\d+): (\d+) audio file\(s\) uploaded\.",
        r"没有第 \1 首歌：只上传了 \2 个音频文件。",
    ),
    (
        r"The local renderer goes up to 1080p, so I used 1080p\.",
        "本地渲染最高 1080p，所以用了 1080p。",
    ),
    (
        r"I did not understand '(.*?)', so that part is not done; say e\.g\. 'move photo 2 last'\.",
        r"我没听懂“\1”，这部分没有做；可以说“把第二张照片移到最后”。",
    ),
    (
        r"Look: (.+?) on (every photo|photo \d+ \(.*?\))\.",
        lambda m: f"效果：{_LOOKS_ZH.get(m.group(1), m.group(1))}，用于{_on(m.group(2))}。",
    ),
    (
        r"Brightness ([+-]\d+)% on (every photo|photo \d+ \(.*?\))\.",
        lambda m: f"亮度 {m.group(1)}%，用于{_on(m.group(2))}。",
    ),
    (
        r"Contrast (\d+)% on (every photo|photo \d+ \(.*?\))\.",
        lambda m: f"对比度 {m.group(1)}%，用于{_on(m.group(2))}。",
    ),
    (r"Captions with the file names on (\d+) photos?\.", r"已用文件名给 \1 张照片加上字幕。"),
    (
        r"Logo (\S+) in the (top left|top right|bottom left|bottom right) corner "
        r"\((\d+)% of the height, (\d+)% opacity\)\.",
        lambda m: (
            f"logo {m.group(1)} 放在{_CORNERS_ZH[m.group(2)]}"
            f"（高度的 {m.group(3)}%，不透明度 {m.group(4)}%）。"
        ),
    ),
    (r"Removed the logo\.", "已去掉 logo。"),
    (r"There is no logo to remove\.", "没有可以去掉的 logo。"),
    (
        r"Which picture is the logo\? .*?'\.",
        "哪张图片是 logo？请上传（最好是透明背景的 PNG），文件名里带 logo，"
        "或指明文件，例如“用 brand.png 作为 logo”。",
    ),
    (r"No change needed: ", "无需更改："),
    (r"\s*Nothing was changed\.", "没有做任何更改。"),
)
_COMPILED = [(re.compile(p), r) for p, r in _RULES]


def to_chinese(text: str) -> str:
    """The reply in Chinese (values, titles and file names unchanged)."""
    for pattern, repl in _COMPILED:
        text = pattern.sub(repl, text)
    return re.sub(r"(?<=[。！？）])[ \t]+(?=\S)", "", text)
