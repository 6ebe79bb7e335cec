"""Prompt routing and GUI translation, table-driven (EN + ZH)."""

from __future__ import annotations

import pytest

from nemowidgets.routing import (
    ACTION_COMMANDS,
    ACTIONS,
    export_quality,
    export_size,
    gui_actions,
    route,
    translate_gui,
    variant_aspects,
)

ROUTES = [
    # export
    ("export", "export"),
    ("Export", "export"),
    ("export!", "export"),
    ("Please export the video in high quality", "export"),
    ("can you export it now?", "export"),
    ("download", "export"),
    ("Download the video", "export"),
    ("send me the video", "export"),
    ("Send me the final video please", "export"),
    ("render a preview", "export"),
    ("I want to download the mp4", "export"),
    ("导出", "export"),
    ("导出视频", "export"),
    ("请帮我导出视频。", "export"),
    ("下载视频", "export"),
    ("导出 video please", "export"),
    # variants: another version in other aspects (the draft is not changed)
    ("also make a vertical and a square one", "variants"),
    ("export a 9:16 version too", "variants"),
    ("render all three formats", "variants"),
    ("I want it in 16:9, 9:16 and 1:1 versions", "variants"),
    ("make a square copy", "variants"),
    ("再做一个竖版和一个方形的", "variants"),
    # an aspect without "another version" is an edit for the agent
    ("make it vertical", "agent"),
    ("make it 9:16", "agent"),
    ("把视频改成竖版", "agent"),
    ("also make a vertical one with a title", "agent"),
    ("add 9 photos too", "agent"),
    # credits
    ("credits", "credits"),
    ("How many credits do I have left?", "credits"),
    ("what's my balance", "credits"),
    ("What’s my balance?", "credits"),
    ("check my credits", "credits"),
    ("积分", "credits"),
    ("我的积分还有多少", "credits"),
    ("余额", "credits"),
    ("查询余额", "credits"),
    # status
    ("status", "status"),
    ("show tracks", "status"),
    ("show me the timeline", "status"),
    ("what's the current state?", "status"),
    ("状态", "status"),
    ("查看状态", "status"),
    ("显示时间线", "status"),
    # upload
    ("upload", "upload"),
    ("upload my photos", "upload"),
    ("Upload some more music", "upload"),
    ("上传", "upload"),
    ("上传照片", "upload"),
    # agent: edits, and sentences that only mention a keyword
    ("make a slideshow with transitions and music", "agent"),
    ("make a slideshow and export-ready", "agent"),
    ("add a title 'Download Festival' at the start", "agent"),
    ("Make a video of the festival we went to, the one we could download photos from", "agent"),
    ("export it as 9:16 for TikTok", "agent"),
    ("credit the photographer in the closing title", "agent"),
    ("balance the music volume with the clip sound", "agent"),
    ("set the status text to 'on tour'", "agent"),
    ("I uploaded 5 photos, make a slideshow", "agent"),
    ("render the title in bold", "agent"),
    ("add a track of music and show tracks with fades", "agent"),
    ("把照片做成幻灯片然后导出", "agent"),
    ("把时间线上的第三张照片删除", "agent"),
    ("上传的照片做成视频", "agent"),
    ("", "agent"),
    ("   ", "agent"),
    ("what can you do?", "agent"),
    ("export and check credits", "agent"),
]


@pytest.mark.parametrize(("prompt", "action"), ROUTES)
def test_route(prompt: str, action: str) -> None:
    assert route(prompt) == action


@pytest.mark.parametrize(
    ("prompt", "aspects"),
    [
        ("also make a vertical and a square one", ("9:16", "1:1")),
        ("a square one and a vertical one too", ("1:1", "9:16")),
        ("render all three formats", ("16:9", "9:16", "1:1")),
        ("export a 4:5 version as well", ("4:5",)),
        ("make reels and youtube versions", ("9:16", "16:9")),
        ("再做一个竖版和一个方形的", ("9:16", "1:1")),
        ("make it vertical", ()),
        ("", ()),
    ],
)
def test_variant_aspects_in_the_order_said(prompt: str, aspects: tuple[str, ...]) -> None:
    assert variant_aspects(prompt) == aspects


def test_route_table_is_big_and_covers_every_action() -> None:
    assert len(ROUTES) >= 25
    assert {a for _, a in ROUTES} == set(ACTIONS)


@pytest.mark.parametrize(
    ("prompt", "quality"),
    [
        ("export", "high"),
        ("export a preview", "preview"),
        ("quick export", "preview"),
        ("export in high quality", "high"),
        ("导出预览", "preview"),
        ("render low-res", "preview"),
    ],
)
def test_export_quality(prompt: str, quality: str) -> None:
    assert export_quality(prompt) == quality


TRANSLATIONS = [
    # clicks -> done through the API
    (
        "Click [Apply] to save your changes.",
        "Use “Apply” (done through the API) to save your changes.",
    ),
    ('Press "Generate" to continue', "Use “Generate” (done through the API) to continue"),
    ("click Apply to confirm", "use “Apply” (done through the API) to confirm"),
    ("Then click the Save button.", "Then use “Save” (done through the API)."),
    ("Tap on [Confirm].", "Use “Confirm” (done through the API)."),
    (" Click [OK] first", " Use “OK” (done through the API) first"),
    ("点击「应用」按钮即可保存。", "通过 API 执行「应用」即可保存。"),
    ("点击【确认】", "通过 API 执行「确认」"),
    ("点击确认按钮继续", "通过 API 执行「确认」继续"),
    ("点击应用即可", "通过 API 执行应用即可"),
    # the Export button -> run the export
    (
        "Click the Export button to download your video.",
        "Run the export (type “export”, or call session.export()) to download your video.",
    ),
    (
        "When you are happy, click [Export].",
        "When you are happy, run the export (type “export”, or call session.export()).",
    ),
    (
        "Use the Export button when ready.",
        "Run the export (type “export”, or call session.export()) when ready.",
    ),
    ("The Export button is at the top right.", "The export action is at the top right."),
    ("请点击导出按钮下载视频", "请运行导出（输入“导出”，或调用 session.export()）下载视频"),
    ("完成后点击导出。", "完成后运行导出（输入“导出”，或调用 session.export()）。"),
    # panels -> read the state
    (
        "Open the Media panel to see your files.",
        "Read the state (type “status”) to see your files.",
    ),
    ("open [Assets] for the list", "read the state (type “status”) for the list"),
    ("Check the Timeline tab.", "Read the state (type “status”)."),
    ("打开素材面板查看文件", "读取状态（输入“状态”）查看文件"),
    # drag and drop -> a prompt (or an upload)
    (
        "You can drag the clips on the timeline to reorder them. Then export.",
        "You can send the edit as a prompt (e.g. “move the last photo first”). Then export.",
    ),
    (
        "Drag and drop your photos here to get started.",
        "Upload them (the Uploader, or session.upload(path)) to get started.",
    ),
    (
        "Just drop it onto the timeline where you want it.",
        "Just send the edit as a prompt (e.g. “move the last photo first”).",
    ),
    (
        "拖拽照片到时间线上调整顺序。",
        "用一句提示词描述这次编辑（例如“把最后一张照片移到最前面”）。",
    ),
    # preview in the timeline -> the timeline table
    ("Preview it in the timeline before exporting.", "See the timeline table before exporting."),
    ("You can preview in timeline.", "You can see the timeline table."),
    ("在时间线上预览效果", "查看时间线表格效果"),
    # left alone
    ("I will drop the volume to 35%.", "I will drop the volume to 35%."),
    ("Added 5 photos with crossfades.", "Added 5 photos with crossfades."),
    ("The exported video will be 1080p.", "The exported video will be 1080p."),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), TRANSLATIONS)
def test_translate_gui(text: str, expected: str) -> None:
    assert translate_gui(text) == expected


def test_translation_table_is_big() -> None:
    assert len(TRANSLATIONS) >= 25


def test_translation_is_idempotent() -> None:
    for text, expected in TRANSLATIONS:
        assert translate_gui(expected) == expected, text


# The issue's prompts that used to reach the agent although they are client actions.
ISSUE_ROUTES = [
    ("export it in 1080p", "export"),
    ("please export the video in 720p", "export"),
    ("show me the status of my export", "status"),
    ("what's the export status?", "status"),
    ("export and check status", "agent"),  # two commands: the agent answers
    ("export it in 1080p and make it vertical", "agent"),
]


@pytest.mark.parametrize(("prompt", "action"), ISSUE_ROUTES)
def test_issue_routes(prompt: str, action: str) -> None:
    assert route(prompt) == action


GUI_ACTIONS = [
    ("Click the Export button to download your video.", ("export",)),
    ("Done! Open the Timeline panel to review, then click [Export].", ("status", "export")),
    ("Press “Export” when you are happy.", ("export",)),
    ("Drag your photos here to upload them.", ("upload",)),
    ("Check your credits balance first.", ("credits",)),
    ("请点击「导出」按钮下载视频。", ("export",)),
    ("I added the title 'Export Festival'.", ()),
    ("The export of the video is not part of this step.", ()),
    ("", ()),
]


@pytest.mark.parametrize(("text", "actions"), GUI_ACTIONS)
def test_gui_actions(text: str, actions: tuple[str, ...]) -> None:
    assert gui_actions(text) == actions


@pytest.mark.parametrize(
    ("prompt", "size"),
    [
        ("export it in 1080p", 1080),
        ("export in 720p please", 720),
        ("download it in full HD", 1080),
        ("export a 720p preview", 720),
        ("导出高清", 720),
        ("export", None),
        ("export the video in high quality", None),
    ],
)
def test_export_size_reads_the_resolution_of_an_export_command(prompt: str, size) -> None:
    assert route(prompt) == "export"
    assert export_size(prompt) == size


def test_each_action_command_routes_to_its_action() -> None:
    assert set(ACTION_COMMANDS) == {"export", "status", "upload", "credits"}
    for action, command in ACTION_COMMANDS.items():
        assert route(command) == action
