"""The backend's GUI-minded text, for a notebook: the actions it points at, and a rewrite.

GUI actions
-----------
When the cloud agent says "click the Export button", the notebook can do that
action itself: :func:`gui_actions` lists the client actions a reply points at
(``"export"``, ``"status"``, ``"upload"``, ``"credits"``), in the order said, so
a turn can offer each as one click (``turn.actions``) instead of only
rewriting the sentence.

GUI translation
---------------
The backend believes there is a GUI and says "click [Apply]" or "drag the clip
onto the timeline".  :func:`translate_gui` rewrites such text for a notebook
user (docs/protocol.md): clicks are done through the API, panels
are read from the state, drag-and-drop becomes a prompt, the timeline preview
is the timeline table, the Export button is the export action.
"""

from __future__ import annotations

import re
from typing import Final, Literal

__all__ = ["GuiAction", "gui_actions", "translate_gui"]

#: The client actions a reply can point at (a subset of ``routing.Action``).
GuiAction = Literal["export", "status", "upload", "credits"]

# -- GUI translation -------------------------------------------------------------
_RUN_EXPORT = "run the export (type “export”, or call session.export())"
_RUN_EXPORT_ZH = "运行导出（输入“导出”，或调用 session.export()）"
_READ_STATE = "read the state (type “status”)"
_READ_STATE_ZH = "读取状态（输入“状态”）"
_AS_PROMPT = "send the edit as a prompt (e.g. “move the last photo first”)"
_AS_PROMPT_ZH = "用一句提示词描述这次编辑（例如“把最后一张照片移到最前面”）"
_UPLOAD = "upload them (the Uploader, or session.upload(path))"
_TIMELINE = "see the timeline table"

_CASE = re.IGNORECASE
_ZH_OPEN, _ZH_CLOSE = '[「【\\[“"]', '[」】\\]”"]'

_RULES: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    # The Export button, in any of its phrasings, is the export action.
    (
        re.compile(
            r"\b(?:click|press|tap|hit|use)(?: on)?(?: the)? (?:\[export\]|[\"“]export[\"”]"
            r"|export button)(?: button)?",
            _CASE,
        ),
        _RUN_EXPORT,
    ),
    (re.compile(r"\b(?:the )?\[?export\]? button\b", _CASE), "the export action"),
    (re.compile(rf"点击\s*{_ZH_OPEN}?导出{_ZH_CLOSE}?(?:按钮)?|导出按钮"), _RUN_EXPORT_ZH),
    # Timeline previews: the notebook has a timeline table instead.
    (
        re.compile(
            r"\bpreview (?:it |this |them )?(?:in|on) (?:the )?timeline(?: panel)?\b", _CASE
        ),
        _TIMELINE,
    ),
    (re.compile(r"在时间线(?:上)?预览|时间线预览"), "查看时间线表格"),
    # Drag and drop: uploads when dropping files "here", otherwise a prompt.
    (
        re.compile(
            r"\b(?:drag(?:[ -](?:and|&|n)[ -]drop|/drop)?|drop) (?:your |the )?"
            r"(?:files?|photos?|media|images?|videos?|music)[^.!?;\n]*?"
            r"(?:here|to upload|upload area|upload panel)",
            _CASE,
        ),
        _UPLOAD,
    ),
    (re.compile(r"\bdrag(?:[ -](?:and|&|n)[ -]drop|/drop)?\b[^.!?;\n]*", _CASE), _AS_PROMPT),
    (
        re.compile(r"\bdrop\b[^.!?;\n]*?\b(?:onto|into) the (?:timeline|track)[^.!?;\n]*", _CASE),
        _AS_PROMPT,
    ),
    (re.compile(r"(?:拖拽|拖动|拖放)[^。！？；\n]*"), _AS_PROMPT_ZH),
    # Panels: the notebook reads the state instead of opening a panel.
    (
        re.compile(
            r"\b(?:open|check|go to|switch to)(?: the)? (?:\[[^\]\n]{1,40}\]|\w+(?: \w+)?) "
            r"(?:panel|tab|sidebar|window)\b",
            _CASE,
        ),
        _READ_STATE,
    ),
    (re.compile(r"\bopen (?:the )?\[[^\]\n]{1,40}\]", _CASE), _READ_STATE),
    (
        re.compile(
            rf"打开\s*{_ZH_OPEN}?[^」】\]”\"，。！？\s]{{1,12}}?{_ZH_CLOSE}?"
            r"(?:面板|窗口|标签页|页面)"
        ),
        _READ_STATE_ZH,
    ),
)
#: "click [X]", "click “X”", "click the X button", "click Apply" (a capitalised name).
_CLICK = re.compile(
    r"\b(?:click|press|tap|hit)(?: on)?(?: the)? (?:\[([^\]\n]{1,40})\]|[\"“]([^\"”\n]{1,40})[\"”]"
    r"|(\w+(?: \w+)?) button|((?-i:[A-Z])\w*))",
    _CASE,
)
_CLICK_ZH = re.compile(
    rf"点击\s*(?:{_ZH_OPEN}([^」】\]”\"]{{1,12}}){_ZH_CLOSE}(?:按钮)?"
    r"|([^，。！？\s]{1,8}?)按钮)"
)


def _click(match: re.Match[str]) -> str:
    name = next(g for g in match.groups() if g)
    return f"use “{name.strip()}” (done through the API)"


def _click_zh(match: re.Match[str]) -> str:
    name = next(g for g in match.groups() if g)
    return f"通过 API 执行「{name}」"


def _capitalise_sentences(original: str, text: str) -> str:
    """Keep a capital letter where a sentence began with one before the rewrite."""
    lead = len(text) - len(text.lstrip())
    if original.lstrip()[:1].isupper() and text[lead : lead + 1].islower():
        text = text[:lead] + text[lead].upper() + text[lead + 1 :]
    return re.sub(r"([.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)


def translate_gui(text: str) -> str:
    """Rewrite GUI instructions in agent text so they make sense in a notebook."""
    if not text:
        return text
    out = text
    for pattern, replacement in _RULES:
        out = pattern.sub(replacement, out)
    out = _CLICK.sub(_click, out)
    out = _CLICK_ZH.sub(_click_zh, out).replace("点击", "通过 API 执行")
    if out == text:
        return text
    out = re.sub(r"[ \t]{2,}", " ", out)
    return _capitalise_sentences(text, out)


# -- GUI actions -------------------------------------------------------------------
_GUI_ACTIONS: Final[tuple[tuple[GuiAction, re.Pattern[str]], ...]] = (
    (
        "export",
        re.compile(
            r"\b(?:click|press|tap|hit|use)(?: on)?(?: the)? (?:\[export\]|[\"“]export[\"”]|"
            r"export\b)|\bthe \[?export\]? button\b|点击\s*[「【\[“\"]?导出|导出按钮",
            _CASE,
        ),
    ),
    (
        "status",
        re.compile(
            r"\b(?:open|check|go to|switch to|look at)(?: the)? \[?(?:timeline|tracks|status|"
            r"project)\]?(?: panel| tab| view| window)?\b|打开\s*[「【\[“\"]?(?:时间线|轨道|状态)",
            _CASE,
        ),
    ),
    (
        "upload",
        re.compile(
            r"\b(?:click|press|tap|hit|use)(?: on)?(?: the)? (?:\[upload\]|upload\b)|"
            r"\b(?:drag|drop)\b[^.!?;\n]*?\b(?:here|to upload|upload area|upload panel)\b|"
            r"点击\s*[「【\[“\"]?上传|上传按钮",
            _CASE,
        ),
    ),
    (
        "credits",
        re.compile(
            r"\b(?:check|open|see|view)(?: your| the)? (?:credits?|balance)(?: panel| page)?\b|"
            r"查看\s*(?:积分|余额)",
            _CASE,
        ),
    ),
)


def gui_actions(text: str) -> tuple[GuiAction, ...]:
    """The client actions a backend reply tells the user to click, in the order it says them.

    "Click the Export button to download it" -> ``("export",)``; a reply with no
    GUI instruction -> ``()``.  Read from the reply *before* :func:`translate_gui`.
    """
    found: list[tuple[int, GuiAction]] = []
    for action, pattern in _GUI_ACTIONS:
        m = pattern.search(text or "")
        if m:
            found.append((m.start(), action))
    return tuple(action for _, action in sorted(found))
