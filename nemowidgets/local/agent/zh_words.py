"""The words of the Chinese replies: the vocabulary and the translators of sentence pieces.

``zh_reply`` applies its table of (English template, Chinese template) rules; the
Chinese for transitions, positions, looks, corners, colours and the help text, and the
functions that translate a matched piece ("fades in over 1 s", a title's style), are here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nemowidgets.local.agent.colours import ZH_COLOURS

NUM = r"(\d+(?:\.\d+)?)"
POS = {"top": "顶部", "center": "中间", "bottom": "底部"}
TR = {
    "crossfades": "交叉淡化",
    "fades through black": "黑场过渡",
    "slides": "滑动转场",
    "wipes": "擦除转场",
    "zoom transitions": "缩放转场",
}
TR_RE = "|".join(TR)
FADE = r"(?:fades (?:in|out) over [\d.]+ s|has no fade-(?:in|out))"
HELP_ZH = (
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


LOOKS_ZH = {
    "black and white": "黑白",
    "sepia": "复古",
    "warm": "暖色",
    "cool": "冷色",
    "vivid": "鲜艳",
    "faded": "褪色",
    "none (the original colours)": "无（原始颜色）",
}
CORNERS_ZH = {
    "top left": "左上角",
    "top right": "右上角",
    "bottom left": "左下角",
    "bottom right": "右下角",
}


def on_zh(said: str) -> str:
    if said == "every photo":
        return "每张照片"
    m = re.match(r"photo (\d+) \((.*?)\)", said)
    return f"第 {m.group(1)} 张照片（{m.group(2)}）" if m else said


WHERE = r"photo \d+(?: from the end)?|the last photo|the second to last photo"


def where_zh(said: str) -> str:
    """ "photo 2" -> 第 2 张照片, "the last photo" -> 最后一张照片 (``vocab.where``'s forms)."""
    if said == "the last photo":
        return "最后一张照片"
    if said == "the second to last photo":
        return "倒数第二张照片"
    n = re.sub(r"\D", "", said)
    return f"倒数第 {n} 张照片" if said.endswith("from the end") else f"第 {n} 张照片"


def _style(text: str) -> str:
    text = re.sub(rf"{NUM} s each", r"每张照片 \1 秒", text)
    text = re.sub(rf"photos of {NUM}-{NUM} s", r"每张照片 \1-\2 秒", text)
    text = re.sub(rf"{NUM} s ({TR_RE})", lambda m: f"{m.group(1)} 秒的{TR[m.group(2)]}", text)
    text = text.replace("hard cuts", "直接切换").replace("Ken Burns zoom", "Ken Burns 缩放")
    text = text.replace("clips at their own length", "视频片段保持原长")
    text = text.replace("no transitions with one photo", "只有一张照片，没有转场")
    return re.sub(rf"^{NUM} s$", r"\1 秒", text.replace(", ", "，"))


def made_zh(m: re.Match[str]) -> str:
    what = m.group(1).replace(" and ", " 和 ")
    what = re.sub(r"(\d+) photos?", r"\1 张照片", what)
    what = re.sub(r"(\d+) video clips?", r"\1 段视频", what)
    music = f"，用 {m.group(3)} 作为背景音乐" if m.group(3) else ""
    return f"做好了 {what}的幻灯片（{_style(m.group(2))}）{music}，总时长 {m.group(4)} 秒。"


def fades_zh(m: re.Match[str]) -> str:
    parts = []
    for part in m.group(1).split(" and "):
        if f := re.match(rf"fades (in|out) over {NUM} s", part):
            parts.append(f"{'淡入' if f.group(1) == 'in' else '淡出'} {f.group(2)} 秒")
        else:
            parts.append("没有淡入" if "fade-in" in part else "没有淡出")
    return "音乐" + "，".join(parts) + "。"


def title_zh(m: re.Match[str]) -> str:
    size = f"，文字大小为画面高度的 {m.group(5)}%" if m.group(5) else ""
    return f"标题「{m.group(1)}」在{POS[m.group(2)]}，{m.group(3)}-{m.group(4)} 秒{size}。"


FIT = {
    "on a blurred copy of themselves": "放在模糊背景上",
    "with black bars": "加黑边显示",
    "filling the frame (cropped)": "填满画面（裁剪）",
}
KB = {"in": "缓慢放大", "out": "缓慢缩小", "or pans": "缓慢缩放或平移"}
Repl = str | Callable[[re.Match[str]], str]
TEXT_ZH = {"title": "标题", "captions": "字幕", "text": "文字", "The title": "标题",
            "The captions": "字幕", "All text": "所有文字"}  # fmt: skip
_COLOUR_ZH = {en: zh for zh, en in reversed(ZH_COLOURS.items())}


def clip_zh(what: str) -> str:
    return "视频片段" if what in ("the video clip", "the video clips") else f" {what} "


def style_zh(m: re.Match[str]) -> str:
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
    return f"{TEXT_ZH[m.group(1)]}：{'，'.join(parts)}。"
