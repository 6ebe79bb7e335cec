"""Prompt routing: which prompts are the client's own actions; pure functions, no I/O.

Routing
-------
Before a prompt reaches the agent, :func:`route` decides whether it is one of
the actions the client performs itself (docs/protocol.md, the agent's stream):
``"export"``, ``"credits"``, ``"status"``, ``"upload"``, ``"variants"`` (renders of
the draft in other aspects, "also make a vertical and a square one"); anything else is
``"agent"``.  Sending an action to the agent would cost credits for nothing and
get a GUI-minded answer ("click Export"), so routing matters; but a false
positive is worse (the user's edit silently never happens), so the rule is
strict and simple:

    **A prompt is an action only when it is a command**: it contains the
    action's keyword phrase as whole words, and every other word is filler
    (politeness, pronouns, "the video", quality words, ...).

So "export", "please export the video in high quality", "send me the video",
"how many credits do I have left?" and "导出视频" are actions, while "make a
slideshow and export-ready" (``export-ready`` is one hyphenated word, and
"make"/"slideshow" are not filler), "add a title 'Download Festival'" and "把照片做成
幻灯片然后导出" go to the agent.  A command mixed with an edit ("export it as
9:16") also goes to the agent, which can do the edit; the user exports after.
Chinese has no spaces, so for it the keyword and the filler phrases are removed
and the prompt is a command when nothing but punctuation is left.

The other direction, the backend's GUI-minded text ("click Export"), is
``routing_gui``: :func:`gui_actions` and :func:`translate_gui`, re-exported here.
"""

from __future__ import annotations

import re
from typing import Final, Literal

from nemowidgets.routing_gui import gui_actions, translate_gui
from nemowidgets.routing_variants import variant_aspects

__all__ = [
    "ACTIONS",
    "ACTION_COMMANDS",
    "Action",
    "export_quality",
    "export_size",
    "gui_actions",
    "route",
    "translate_gui",
    "variant_aspects",
]

Action = Literal["export", "credits", "status", "upload", "variants", "agent"]
ACTIONS: Final = ("export", "credits", "status", "upload", "variants", "agent")
#: The shortest prompt :func:`route` sends to each client action: what a button for a
#: ``turn.actions`` entry sends, so it runs exactly the handler a typed command would.
ACTION_COMMANDS: Final[dict[str, str]] = {
    "export": "export",
    "status": "status",
    "upload": "upload",
    "credits": "credits",
}

# -- routing tables ------------------------------------------------------------
_PHRASES: Final[dict[str, tuple[tuple[str, ...], ...]]] = {
    "export": (("export",), ("download",), ("send", "me"), ("render",)),
    "credits": (("credits",), ("credit",), ("balance",)),
    "status": (
        ("status", "of", "my", "export"),
        ("status", "of", "the", "export"),
        ("export", "status"),
        ("export", "progress"),
        ("render", "status"),
        ("status",),
        ("state",),
        ("tracks",),
        ("timeline",),
    ),
    "upload": (("upload",),),
}


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_FILLER: Final = _set(
    "a an the it this that my me i i'd i'm we us our you your can could would will please pls "
    "plz now ok okay yes so just then and go ahead let's lets want like to for of in on as "
    "with is are what's whats what how do does did have has get check see show current "
    "thanks thank hey hi"
)
_ACTION_FILLER: Final[dict[str, frozenset[str]]] = {
    "export": _set(
        "video movie mp4 file final result finished version high quality hd full preview low "
        "res resolution quick draft copy 1080p 720p 1080 720 fullhd full-hd fhd 2160p 1440p "
        "480p 360p 4k uhd"
    ),
    "credits": _set(
        "many much left remaining account balance credit credits available there there's"
    ),
    "status": _set(
        "state status timeline tracks track draft project session segments list view display "
        "where things"
    ),
    "upload": _set(
        "photos photo pictures picture images image files file media music song audio videos "
        "video some more clips clip"
    ),
}
_ZH_KEYWORDS: Final[dict[str, tuple[str, ...]]] = {
    "export": ("导出", "下载", "渲染"),
    "credits": ("积分", "余额"),
    "status": ("状态", "轨道", "时间线"),
    "upload": ("上传",),
}
_ZH_FILLER: Final = (
    "请帮我",
    "帮我",
    "麻烦",
    "一下",
    "现在",
    "我的",
    "我",
    "请",
    "把",
    "将",
    "吧",
    "吗",
    "呢",
    "了",
    "的",
    "给",
    "看看",
    "查看",
    "查询",
    "查",
    "看",
    "显示",
    "还有",
    "还剩",
    "剩余",
    "剩下",
    "多少",
    "有",
    "是",
    "当前",
    "目前",
    "视频",
    "影片",
    "文件",
    "高清",
    "预览",
    "照片",
    "图片",
    "音乐",
    "素材",
    "所有",
    "全部",
    "一些",
    "发给",
    "发送",
    "个",
    "可以",
    "吗",
)
_WORD_RE: Final = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_CJK_RE: Final = re.compile(r"[\u3400-\u9fff]")
_ZH_PUNCT_RE: Final = re.compile(r"[\s\W_]+")


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text.lower().replace("’", "'"))


def _find(words: list[str], phrase: tuple[str, ...]) -> int:
    n = len(phrase)
    for i in range(len(words) - n + 1):
        if tuple(words[i : i + n]) == phrase:
            return i
    return -1


def _english_action(words: list[str]) -> str | None:
    for action, phrases in _PHRASES.items():
        filler = _FILLER | _ACTION_FILLER[action]
        for phrase in phrases:
            at = _find(words, phrase)
            if at < 0:
                continue
            rest = words[:at] + words[at + len(phrase) :]
            if all(w in filler for w in rest):
                return action
    return None


def _chinese_action(text: str) -> str | None:
    for action, keywords in _ZH_KEYWORDS.items():
        hits = [k for k in keywords if k in text]
        if not hits:
            continue
        rest = text
        for phrase in (*hits, *_ZH_FILLER):
            rest = rest.replace(phrase, "")
        # What is left must be punctuation or English filler ("导出 video please").
        leftover = _words(rest)
        filler = _FILLER | _ACTION_FILLER[action]
        if not _CJK_RE.search(rest) and all(w in filler for w in leftover):
            return action
    return None


def route(prompt: str) -> Action:
    """The action for ``prompt``: ``"export"``, ``"credits"``, ``"status"``, ``"upload"``,
    ``"variants"`` or ``"agent"`` (see the module docstring for the rule, and
    :mod:`nemowidgets.routing_variants` for variants)."""
    text = (prompt or "").strip()
    if not text:
        return "agent"
    if variant_aspects(text):
        return "variants"
    if _CJK_RE.search(text):
        action = _chinese_action(text)
    else:
        action = _status_first(_words(text)) or _english_action(_words(text))
    return action or "agent"  # type: ignore[return-value]


def _status_first(words: list[str]) -> str | None:
    """ "show me the status of my export": a status phrase naming the export is a status."""
    filler = _FILLER | _ACTION_FILLER["status"]
    for phrase in _PHRASES["status"][:5]:
        at = _find(words, phrase)
        if at >= 0 and all(w in filler for w in words[:at] + words[at + len(phrase) :]):
            return "status"
    return None


def export_quality(prompt: str) -> str:
    """``"preview"`` when an export command asks for a quick/low/preview one, else ``"high"``."""
    words = set(_words(prompt or ""))
    if words & {"preview", "draft", "quick", "low", "low-res"} or "预览" in (prompt or ""):
        return "preview"
    return "high"


_SIZE = re.compile(
    r"(?<![\w.])(?:(2160|1440|1080|720|480|360)p\b|\d{3,4}\s*[x×]\s*(2160|1440|1080|720|480|360)\b)|"
    r"\b(full[\s-]?hd|fhd|4k|uhd)\b|(全高清|超清|高清)",
    re.IGNORECASE,
)
_NAMED_SIZES: Final[dict[str, int]] = {
    "fullhd": 1080, "full-hd": 1080, "fhd": 1080, "4k": 2160, "uhd": 2160,
    "全高清": 1080, "超清": 1080, "高清": 720,
}  # fmt: skip


def export_size(prompt: str) -> int | None:
    """The short side an export command asks for: "export it in 1080p" -> ``1080``.

    "720p", "1280x720", "full HD", "4K" (2160) and "高清" (720) are read; ``None``
    when the command names no size (the draft's own size is used).
    """
    m = _SIZE.search(prompt or "")
    if m is None:
        return None
    number = m.group(1) or m.group(2)
    if number:
        return int(number)
    word = re.sub(r"\s+", "", (m.group(3) or m.group(4) or "").lower())
    return _NAMED_SIZES.get(word) or _NAMED_SIZES.get(word.replace("-", ""))
