"""Chinese prompts -> the English the detectors read (replies go back: ``zh_reply.py``).

Chinese has no spaces and puts the object first ("把第一张照片移到最后"), so the
rewrite is in three steps, each a table applied in order (longer phrases first):

1. numbers and slots: "第三张" -> "photo 3", "两秒" / "半秒" -> seconds, "每秒24帧" -> fps;
2. sentence shapes: "把 A 移到 B" -> "move A to B", and words whose meaning depends
   on what they follow ("标题大一点" is a bigger title, "音乐大一点" louder music);
3. words: negations first ("不要", "别用", "去掉" -> "no" / "remove"), then the
   vocabulary ("转场" -> "transitions", "抖音" -> "tiktok").

A photo named by what is in it ("有猫的照片", "月亮那张") is flagged by
:func:`describes_content`: the agent cannot see the photos and says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nemowidgets.local.agent.colours import ZH_COLOURS

__all__ = ["CHINESE", "cn_number", "describes_content", "to_english"]

_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def cn_number(text: str) -> int | None:
    """A Chinese numeral from 1 to 99 (一, 十二, 二十五), or digits."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        value = (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + _CN_DIGITS.get(ones, 0)
        return value or None
    return _CN_DIGITS.get(text) if len(text) == 1 else None


_CN_NUM = r"(?<![\d.一二两三四五六七八九十])([\d.]+|[一二两三四五六七八九十]+)"


def _num(m: re.Match[str]) -> str:
    return str(cn_number(m.group(1)) or m.group(1))


_Repl = str | Callable[[re.Match[str]], str] | None
_SLOTS: tuple[tuple[re.Pattern[str], _Repl], ...] = (
    (re.compile(r"第\s*" + _CN_NUM + r"\s*秒(钟)?"), lambda m: f" {_num(m)} seconds "),
    (re.compile(r"第" + _CN_NUM + r"(张|个|段)?(照片|图片|相片)?"), lambda m: f" photo {_num(m)} "),
    (re.compile(r"半秒(钟)?"), " 0.5 seconds "),
    (re.compile(_CN_NUM + r"\s*秒(钟)?半"), lambda m: f" {_num(m)}.5 seconds "),
    (re.compile(_CN_NUM + r"\s*秒(钟)?"), lambda m: f" {_num(m)} seconds "),
    (re.compile(_CN_NUM + r"\s*分钟"), lambda m: f" {_num(m)} minutes "),
    (re.compile(r"每秒\s*(\d+)\s*帧|(\d+)\s*帧(每秒)?|帧率\s*(\d+)"), None),
)
_PLACE = r"(?:最前面|最前|开头|第一个|第一位|前面)"
_END = r"(?:最后面|最后|末尾|结尾|最末)"
#: Verbs of removal; Chinese puts the object first with 把 ("把音乐去掉") or at the end
#: of the clause ("音乐不要了", "第二张删掉吧").
_REMOVE = (
    r"(?:去掉|删掉|删除|删了|去了|拿掉|移除|去除|关掉|关了|关闭|取消掉|取消|不要了|不用了|不需要了)"
)
_TAIL = r"(?:吧|了|啦|呀|吗)?"
_SHAPES: tuple[tuple[str, str], ...] = (
    # the clip's own sound and trims ("视频" is the clip here, not the whole video)
    (
        r"取消视频(的)?静音|(打开|恢复)视频(的)?(原声|声音|原音)|视频(的)?(原声|声音|原音)(打开|恢复)",
        " unmute the video ",
    ),
    (
        r"(把)?视频(的)?(原声|声音|原音)(关掉|关了|去掉|关闭|静音|不要了?)|视频(静音|不要声音|无声)|"
        r"(关掉|去掉|关闭)视频(的)?(原声|声音|原音)|静音视频",
        " mute the video ",
    ),
    (
        r"(把)?视频(剪|裁|截|剪辑|裁剪)(到|成)?(只要|只留|保留)?前\s*([\d.]+) seconds",
        r" trim the clip to its first \5 seconds ",
    ),
    (
        r"(把)?视频(只要|只用|只留|保留)前\s*([\d.]+) seconds",
        r" trim the clip to its first \3 seconds ",
    ),
    (r"视频(从|在)\s*([\d.]+) seconds\s*(开始|起)", r" start the video at \2 seconds "),
    (
        r"视频(只要|只用|只留|保留|截取|剪)?(从)?\s*([\d.]+)\s*(秒)?\s*(到|至|-)\s*"
        r"([\d.]+) seconds",
        r" cut the clip from \3 seconds to \6 seconds ",
    ),
    (
        r"(标题|字幕|文字)(加|加上|加个|放在|用)(一个)?(黑底|黑色背景|深色背景|底色|背景框|黑框)",
        r" \1 on a dark box ",
    ),
    (r"(字幕)(的)?(再)?(大一点|大一些|放大|大些|更大)", " captions bigger "),
    (r"(字幕)(的)?(再)?(小一点|小一些|缩小|小些|更小)", " captions smaller "),
    (r"(关小|调小|降低|减小)", " a bit quieter "),
    (r"(调到最大声|开到最大|最大声|最大音量|音量最大|音量调到最大)", " full volume "),
    (rf"把([^，,。；;！!？?把]+?){_REMOVE}{_TAIL}", r" remove \1 "),
    (
        rf"(^|[，,。；;！!？?])([^，,。；;！!？?把]+?){_REMOVE}{_TAIL}(?=\s*(?:$|[，,。；;！!？?]))",
        r"\1 remove \2 ",
    ),
    (r"(不要加|不用加|不需要加|别加|不加)", " no "),
    (r"只要|只", " just "),
    (
        rf"把([^，,。；;]+?)(?:移到|放到|挪到|移动到|放在|调到|换到)\s*{_PLACE}",
        r" move \1 to the front ",
    ),
    (
        rf"把([^，,。；;]+?)(?:移到|放到|挪到|移动到|放在|调到|换到)\s*{_END}",
        r" move \1 to the end ",
    ),
    (r"(?:交换|互换|对调)", " swap "),
    (r"(标题|字幕|文字|字体|字)(的)?(再)?(大一点|大一些|放大|大些|更大)", " title bigger "),
    (r"(标题|字幕|文字|字体|字)(的)?(再)?(小一点|小一些|缩小|小些|更小)", " title smaller "),
    (
        r"(用|拿)文件名(来)?(做|作为|当|当作|生成)?字幕|字幕(用|显示)文件名",
        " captions with the file names ",
    ),
    (r"(调亮|亮一点|变亮|更亮)", " brighter "),
    (r"(调暗|暗一点|变暗|更暗)", " darker "),
    (r"(对比度高一点|增加对比度|对比度大一点|对比度强一点|加强对比度)", " more contrast "),
    (r"(去掉|取消|删除|不要)(滤镜|效果)", " remove the filter "),
    (r"(快一点|快一些|快些|更快一点|更快|加快)", " a bit faster "),
    (r"(慢一点|慢一些|慢些|更慢一点|更慢|放慢)", " a bit slower "),
    (r"(长一点|长一些|更长|加长)", " a bit longer "),
    (r"(短一点|短一些|更短|缩短)", " a bit shorter "),
    (r"(太吵|太响|太大声)了?", " too loud "),
    (r"(太小声|听不(见|到|清))", " too quiet "),
    (r"(大声|响一点|大一点|大一些)", " a bit louder "),
    (r"(小声|轻一点|小一点|小一些)", " a bit quieter "),
    (r"缓慢放大|慢慢放大|慢慢推近", " zoom in slowly on "),
    (r"(?<=\d) seconds 的", " seconds "),
    (r"要(?=\s*\d)", " be "),
)
#: Chinese phrases -> English (applied in order; longer phrases first).
CHINESE: tuple[tuple[str, str], ...] = (
    (r"撤销|撤回|撤消", " undo "),
    (r"你能做什么|你会什么|能做什么|帮助", " what can you do "),
    (r"每(一)?拍", " every beat "),
    (r"每(两|2|二)拍", " every 2 beats "),
    (r"每(四|4)拍|每(一)?小节", " every 4 beats "),
    (r"每(八|8)拍", " every 8 beats "),
    (
        r"卡点|踩点|踩拍|对拍|(跟着|跟随|按照?|随着|配合|对准|对上)(背景)?(音乐|歌曲)?(的)?(节拍|节奏|鼓点)"
        r"(切换|切|剪辑|换图|换照片|转场)?",
        " cut on the beat ",
    ),
    (r"节拍|鼓点", " beat "),
    (r"切换", " change "),
    (r"(适配|匹配|配合|对齐|跟随)(背景)?音乐(的)?(长度|时长)?|和音乐一样长", " fit to the music "),
    *((zh, f" {en} ") for zh, en in ZH_COLOURS.items()),
    (r"黑白(效果|滤镜)?", " black and white "),
    (r"复古|怀旧", " vintage "),
    (r"暖色调|暖色", " warmer "),
    (r"冷色调|冷色", " cooler "),
    (r"更鲜艳|鲜艳", " vivid "),
    (r"褪色", " faded "),
    (r"文件名", " file names "),
    (r"右下角", " bottom right "),
    (r"左下角", " bottom left "),
    (r"右上角", " top right "),
    (r"左上角", " top left "),
    (r"滤镜", " filter "),
    (r"水印", " watermark "),
    (r"不想要|不需要|不用|不要|别用|别加|别|取消|关掉|关闭|停止|无", " no "),
    (r"删除|删掉|删了|去掉|去除|移除|拿掉", " remove "),
    (r"幻灯片|相册视频|照片视频", " slideshow "),
    (r"(做成|生成|制作|做)(一个)?视频", " make a video "),
    (r"做成|改成视频", " make it "),
    (r"做一个|做个|制作一个|生成一个|做", " make a "),
    (r"交叉淡化|交叉溶解|溶解", " crossfade "),
    (r"黑场|渐黑", " fade to black "),
    (r"擦除", " wipe "),
    (r"缩放转场", " zoom transitions "),
    (r"转场|过渡", " transitions "),
    (r"缓慢缩放|慢速缩放|推拉镜头|肯伯恩斯", " ken burns "),
    (r"缩放效果|缩放|推近|放大效果", " zoom "),
    (r"平滑|流畅", " smooth "),
    (r"静音", " mute "),
    (r"背景音乐|配乐|音乐|歌曲|声音", " music "),
    (r"音量", " volume "),
    (r"淡入", " fade in "),
    (r"淡出", " fade out "),
    (r"标题", " title "),
    (r"字幕", " caption "),
    (r"竖屏|竖版|竖向", " vertical "),
    (r"横屏|横版|横向", " landscape "),
    (r"正方形|方形", " square "),
    (r"抖音|快手", " tiktok "),
    (r"黑边", " black bars "),
    (r"填满画面|铺满画面|填满|铺满|裁剪填充", " fill the frame "),
    (r"分辨率", " resolution "),
    (r"顶部|上方", " at the top "),
    (r"底部|下方", " at the bottom "),
    (r"中间|居中", " in the center "),
    (r"倒序|反转顺序|顺序反转|倒过来", " reverse the order "),
    (r"打乱|随机(排序|顺序)?", " shuffle "),
    (r"最后一张(照片|图片)?", " the last photo "),
    (r"每张(照片|图片)?", " each photo "),
    (r"总时长|总长度|总长|时长|长度", " total length "),
    (r"延长到|缩短到|改成|改为|设为|设置为|调成|调到|变成", " to "),
    (r"换成|换为", " use "),
    (r"持续|显示|停留|展示|播放", " for "),
    (r"加个|加上?|添加|增加", " add "),
    (r"使用|用", " use "),
    (r"作为", " as "),
    (r"照片|图片|相片", " photos "),
    (r"视频|影片", " video "),
    (r"[，、；]|然后|并且|再", " , "),
    (r"。", " . "),
    (r"和|跟", " and "),
    (r"的|请|帮我|麻烦|把|将|让|我想|我|吧|呢|了|一下|放在|放到|个", " "),
)
_SHAPES_RE = [(re.compile(p), r) for p, r in _SHAPES]
_CN_RE = [(re.compile(p), r) for p, r in CHINESE]
_CJK = re.compile(r"[\u3400-\u9fff]")
_MIXED = re.compile(r"(?<=[\u3400-\u9fff])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[\u3400-\u9fff])")


def _fps(m: re.Match[str]) -> str:
    return f" {next(g for g in m.groups() if g and g.isdigit())} fps "


def to_english(text: str) -> str:
    """The prompt with its Chinese rewritten into the English the detectors read."""
    if not _CJK.search(text):
        return text
    for pattern, repl in _SLOTS:
        text = pattern.sub(repl or _fps, text)
    text = _MIXED.sub(" ", text)  # "加个logo": the English word is a word of its own
    for pattern, repl in _SHAPES_RE:
        text = pattern.sub(repl, text)
    for pattern, repl in _CN_RE:
        text = pattern.sub(repl, text)
    return text


_CONTENT = re.compile(
    r"有[^，,。；第的]{1,8}的(?:那张|照片|图片|相片)|(?<![第最后一])[^\s，,。；第把]{1,6}(?:那张|那幅)"
)


def describes_content(text: str) -> bool:
    """Whether a Chinese prompt names a photo by what it shows ("有猫的照片")."""
    return bool(_CONTENT.search(text))
