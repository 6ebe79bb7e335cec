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

from nemowidgets.local.agent.zh_words import (
    CORNERS_ZH,
    FADE,
    FIT,
    HELP_ZH,
    KB,
    LOOKS_ZH,
    NUM,
    POS,
    TEXT_ZH,
    TR,
    TR_RE,
    WHERE,
    Repl,
    clip_zh,
    fades_zh,
    made_zh,
    on_zh,
    style_zh,
    title_zh,
    where_zh,
)

__all__ = ["to_chinese"]


_RULES: tuple[tuple[str, Repl], ...] = (
    (r"Sorry, I didn't understand that\.\s*", "抱歉，我没听懂。\n\n"),
    (r"Here is what I can do:(?:\n• [^\n]*)+", HELP_ZH),
    (r"There was no slideshow yet, so I made one first\.", "还没有幻灯片，所以我先做了一个。"),
    (
        rf"Made a slideshow of (.+?) \((.*?)\)(?: with (\S+) as background music)?: {NUM} s\.",
        made_zh,
    ),
    (rf"Each photo now lasts {NUM} s\.", r"每张照片现在显示 \1 秒。"),
    (rf"The other photos now last {NUM} s\.", r"其他照片现在显示 \1 秒。"),
    (rf"Photo (\d+) \((.*?)\) now lasts {NUM} s\.", r"第 \1 张照片（\2）现在显示 \3 秒。"),
    (rf"(?:Stretched|Shortened) the photos to {NUM} s each\.", r"每张照片现在显示 \1 秒。"),
    (rf"(?:Stretched|Shortened) the photos to {NUM}-{NUM} s each\.", r"每张照片调整为 \1-\2 秒。"),
    (rf"The video is now {NUM} s long\.", r"视频现在长 \1 秒。"),
    (rf"Total length: {NUM} s\.", r"总时长 \1 秒。"),
    (rf"Transitions: {NUM} s ({TR_RE})\.", lambda m: f"转场：{m.group(1)} 秒的{TR[m.group(2)]}。"),
    (r"Removed the transitions: hard cuts between photos\.", "已去掉转场：照片之间直接切换。"),
    (rf"\({NUM} s did not fit: photos are too short\.\)", r"（\1 秒放不下：照片太短。）"),
    (
        r"There is only one photo, so there is nothing to transition between\.",
        "只有一张照片，无法加转场。",
    ),
    (
        r"Ken Burns is on: each photo slowly zooms (in|out|or pans)\.",
        lambda m: f"Ken Burns 效果已开启：每张照片{KB[m.group(1)]}。",
    ),
    (r"Ken Burns is off\.", "Ken Burns 效果已关闭。"),
    (
        rf"Added (\S+) as background music \((\d+)%, {NUM} s fade-out\)\.",
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
        rf"The music now ({FADE}(?: and {FADE})?)\.",
        fades_zh,
    ),
    (
        rf"Fitted the video to (\S+) \({NUM} s\): {NUM} s per photo\.",
        r"已让视频适配 \1（\2 秒）：每张照片 \3 秒。",
    ),
    (
        rf"Fitted the video to (\S+) \({NUM} s\): {NUM}-{NUM} s per photo\.",
        r"已让视频适配 \1（\2 秒）：每张照片 \3-\4 秒。",
    ),
    (r"Format: (\S+), (\d+x\d+), (\d+) fps\.", r"格式：\1，\2，\3 fps。"),
    (
        r"Photos are now shown (.+?)\.(?=\s|$)",
        lambda m: f"照片现在{FIT.get(m.group(1), m.group(1))}。",
    ),
    (r"Removed the title\.", "已去掉标题。"),
    (
        rf"Title '(.*?)' at the (top|center|bottom), {NUM}-{NUM} s"
        rf"(?:, text size {NUM}% of the frame height)?\.",
        title_zh,
    ),
    (
        rf"Caption '(.*?)' on photo (\d+) at the (top|center|bottom) \({NUM}-{NUM} s\)\.",
        lambda m: (
            f"第 {m.group(2)} 张照片加上字幕「{m.group(1)}」，"
            f"在{POS[m.group(3)]}（{m.group(4)}-{m.group(5)} 秒）。"
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
        rf"about {NUM} s a photo(; with transitions, the middle of each one is on the beat)?\.",
        lambda m: (
            f"已按 {m.group(1)}{f'（{m.group(2)} BPM）' if m.group(2) else ''} 的节拍卡点："
            f"{'每拍' if m.group(3) == 'every beat' else f'每 {m.group(4)} 拍'}切换，"
            f"每张照片约 {m.group(5)} 秒{'；有转场时，转场的中点对准节拍' if m.group(6) else ''}。"
        ),
    ),
    (r"OK, the cuts stay where they are\.", "好的，切换点保持不变。"),
    (
        rf"Clip (\d+) \((.*?)\) now shows {NUM}-{NUM} s of its file \({NUM} s\)\.",
        r"第 \1 段视频（\2）现在播放文件的 \3-\4 秒（\5 秒）。",
    ),
    (
        r"Muted the sound of (.+?); the music plays on\.",
        lambda m: f"已关闭{clip_zh(m.group(1))}的原声，音乐照常播放。",
    ),
    (r"The sound of (.+?) is back on\.", lambda m: f"已恢复{clip_zh(m.group(1))}的原声。"),
    (r"(The title|The captions|All text): (.+?)\.(?=\s|$)", lambda m: style_zh(m)),
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
        lambda m: f"还没有可以设置样式的{TEXT_ZH[m.group(1)]}。",
    ),
    (r"(\S+) is a photo, not a video clip\.", r"\1 是照片，不是视频片段。"),
    (
        r"No music is uploaded yet: .*?'\.",
        "还没有上传音乐：请上传 mp3、wav、m4a 或 aac 文件，再说“加音乐”。",
    ),
    (
        rf"A photo can last {NUM} to {NUM} s, not {NUM} s\.",
        r"每张照片可以显示 \1 到 \2 秒，不能是 \3 秒。",
    ),
    (
        rf"A transition can last 0 to {NUM} s, not {NUM} s\.",
        r"转场可以是 0 到 \1 秒，不能是 \2 秒。",
    ),
    (
        rf"{NUM} s does not fit (\d+) photo\(s\): .*?\.",
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
        rf"How long should ({WHERE}) last\? .*?'\.",
        lambda m: f"{where_zh(m.group(1))}要显示多久？例如：“{where_zh(m.group(1))}5秒”。",
    ),
    (
        r"What should the title say\? .*?'\.",
        "标题要写什么？请放在引号里，例如：加上标题「夏天」在顶部。",
    ),
    (r"Which photo\? .*?'\.", "哪一张照片？例如：“删除第二张照片”、“把最后一张照片移到最前面”。"),
    (
        rf"What should change about ({WHERE})\? .*?'\.",
        lambda m: (
            f"{where_zh(m.group(1))}要改什么？例如：“{where_zh(m.group(1))}5秒”"
            f"或“删除{where_zh(m.group(1))}”。"
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
        rf"What should the caption on ({WHERE}) say\? .*?'\.",
        lambda m: (
            f"{where_zh(m.group(1))}的字幕要写什么？例如：{where_zh(m.group(1))}加字幕「日落」。"
        ),
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
        lambda m: f"效果：{LOOKS_ZH.get(m.group(1), m.group(1))}，用于{on_zh(m.group(2))}。",
    ),
    (
        r"Brightness ([+-]\d+)% on (every photo|photo \d+ \(.*?\))\.",
        lambda m: f"亮度 {m.group(1)}%，用于{on_zh(m.group(2))}。",
    ),
    (
        r"Contrast (\d+)% on (every photo|photo \d+ \(.*?\))\.",
        lambda m: f"对比度 {m.group(1)}%，用于{on_zh(m.group(2))}。",
    ),
    (r"Captions with the file names on (\d+) photos?\.", r"已用文件名给 \1 张照片加上字幕。"),
    (
        r"Logo (\S+) in the (top left|top right|bottom left|bottom right) corner "
        r"\((\d+)% of the height, (\d+)% opacity\)\.",
        lambda m: (
            f"logo {m.group(1)} 放在{CORNERS_ZH[m.group(2)]}"
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
