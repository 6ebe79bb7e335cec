"""Chinese prompts: every English intent has a Chinese phrasing, and the reply is in Chinese."""

from __future__ import annotations

from tests.support.agent_corpus.table import KEEP, KEEP_STYLE, PHOTOS, row

_B, _M, _A, _MT, _C = PHOTOS
_NS = "不支持"
_NO_SEE = "看不到照片里的内容"

ROWS = [
    # -- building --
    row("zh basic", "none", "做一个幻灯片", count=5),
    row(
        "zh compound",
        "none",
        "用所有照片做一个有转场和音乐的视频",
        transition="crossfade",
        music="summer_song.mp3",
    ),
    row("zh neg", "none", "做一个幻灯片，不要音乐", music=None, count=5),
    row("zh total", "none", "做一个30秒的视频", total_s=30, count=5),
    # -- durations and totals --
    row("zh duration", "default", "每张照片2秒", photo_s=2, keeps=KEEP),
    row("zh duration", "default", "每张照片4秒", photo_s=4, keeps=KEEP),
    row("zh duration", "default", "每张图片1.5秒", photo_s=1.5, keeps=KEEP),
    row("zh duration", "default", "每张照片显示五秒", photo_s=5, keeps=KEEP),
    row("zh duration", "default", "每张照片两秒钟", photo_s=2, keeps=KEEP),
    row("zh duration", "default", "每张照片半秒", photo_s=0.5),
    row("zh position", "default", "第三张照片显示6秒", durations=[3, 3, 6, 3, 3]),
    row("zh position", "default", "把第三张照片延长到6秒", durations=[3, 3, 6, 3, 3]),
    row("zh position", "default", "让第一张照片持续4秒", durations=[4, 3, 3, 3, 3]),
    row("zh position", "default", "第二张照片5秒", durations=[3, 5, 3, 3, 3]),
    row("zh position", "default", "第三张照片显示四秒", durations=[3, 3, 4, 3, 3]),
    row("zh total", "default", "总时长20秒", total_s=20, keeps=KEEP),
    row("zh total", "default", "总长度改成20秒", total_s=20, keeps=KEEP),
    row("zh total", "default", "视频要15秒", total_s=15, keeps=KEEP),
    row("zh total", "default", "做成二十秒", total_s=20, keeps=KEEP),
    row("zh duration", "default", "转场1秒", transition="crossfade", transition_s=1),
    # -- music --
    row("zh percent", "default", "音乐音量50%", volume=0.5),
    row("zh percent", "default", "音乐音量30%", volume=0.3),
    row("zh relative", "default", "音乐大声一点", volume=(">", 0.8)),
    row("zh relative", "default", "声音小一点", volume=("<", 0.8)),
    row("zh relative", "default", "音乐太吵了", volume=("<", 0.8)),
    row("zh percent", "default", "静音", volume=0),
    row("zh neg", "default", "不要音乐", music=None),
    row("zh neg", "default", "我不想要音乐", music=None),
    row("zh neg", "default", "取消背景音乐", music=None),
    row("zh neg", "default", "关掉音乐", music=None),
    row("zh filename", "default", "换成 piano.m4a", music="piano.m4a"),
    row("zh filename", "default", "用 piano.m4a 作为背景音乐", music="piano.m4a"),
    row("zh neg", "default", "不要淡出", fade_out_s=0),
    row("zh compound", "default", "音乐淡入2秒，淡出4秒", fade_in_s=2, fade_out_s=4),
    # -- transitions and motion --
    row("zh neg", "default", "别用转场", transition=None, keeps=KEEP_STYLE),
    row("zh neg", "default", "去掉转场", transition=None, keeps=KEEP_STYLE),
    row("zh basic", "default", "用擦除转场", transition="wipe"),
    row("zh basic", "cuts", "加上缩放效果", ken_burns=True),
    row("zh basic", "cuts", "缓慢放大每张照片", ken_burns=True, zoom_in=True),
    row("zh neg", "smooth", "去掉缩放", ken_burns=False),
    row("zh neg", "smooth", "不要缩放效果", ken_burns=False),
    row("zh neg", "smooth", "停止缩放", ken_burns=False),
    row("zh relative", "default", "转场长一点", transition_s=(">", 0.5)),
    # -- format --
    row("zh aspect", "default", "竖屏", aspect="9:16"),
    row("zh aspect", "vertical", "改成横屏", aspect="16:9"),
    row("zh aspect", "default", "正方形", aspect="1:1"),
    row("zh aspect", "default", "适合抖音", aspect="9:16"),
    row("zh aspect", "default", "分辨率改成720p", size=(1280, 720)),
    row("zh aspect", "default", "每秒24帧", fps=24),
    row("zh aspect", "default", "加黑边", fit="black"),
    row("zh aspect", "default", "填满画面", fit="cover"),
    # -- order --
    row("zh basic", "default", "倒序", order=list(reversed(PHOTOS))),
    row("zh basic", "default", "打乱顺序", shuffled=True),
    row("zh neg position", "default", "删除第二张照片", without=_M),
    row("zh neg position", "default", "去掉第二张照片", without=_M),
    row("zh position", "default", "把最后一张照片移到最前面", first=_C),
    row("zh position", "default", "交换第一张和第二张", order=[_M, _B, _A, _MT, _C]),
    row("zh filename", "default", "删除 moon.jpg", without=_M),
    # -- relative --
    row("zh relative", "default", "快一点", photo_s=("<", 3), keeps=KEEP),
    row("zh relative", "default", "更快一点", photo_s=("<", 3), keeps=KEEP),
    row("zh relative", "default", "慢一点", photo_s=(">", 3), keeps=KEEP),
    row("zh relative", "default", "视频长一点", total_s=(">", 13), keeps=KEEP),
    row("zh relative", "default", "视频短一点", total_s=("<", 13), keeps=KEEP),
    row("zh relative", "titled", "标题大一点", title_size=(">", 0.08)),
    row("zh relative", "titled", "字小一点", title_size=("<", 0.08)),
    # -- text --
    row("zh basic", "default", "加上标题「毕业」", title="毕业"),
    row("zh basic", "titled", "标题放在底部", title_pos="bottom", title="Summer"),
    row("zh neg", "titled", "去掉标题", title=None),
    row("zh position", "default", "第二张加字幕「日落」", caption=(_M, "日落")),
    # -- compound --
    row(
        "zh compound",
        "default",
        "竖屏，15秒，标题「夏天」",
        aspect="9:16",
        total_s=15,
        title="夏天",
        transition="crossfade",
    ),
    row(
        "zh compound",
        "default",
        "每张照片4秒，不要音乐",
        photo_s=4,
        music=None,
        transition="crossfade",
    ),
    row("zh compound", "default", "正方形，音乐音量40%", aspect="1:1", volume=0.4),
    row("zh compound", "default", "把第一张照片移到最后，并且去掉转场", last=_B, transition=None),
    row("zh compound neg", "cuts", "不要转场，加上缩放效果", transition=None, ken_burns=True),
    row(
        "zh compound",
        "smooth",
        "做成15秒的竖屏视频",
        total_s=15,
        aspect="9:16",
        ken_burns=True,
        transition="crossfade",
    ),
    # -- unsupported and content --
    row("zh decor", "default", "黑白效果", look="bw"),
    row("zh unsupported", "default", "加滤镜", unchanged=True, says=("滤镜", _NS)),
    row("zh decor", "default", "加上我的水印", asks=True, says="logo"),
    row("zh decor", "branded", "加个logo", logo=("logo.png", "br")),
    row("zh decor", "default", "调亮一点", brightness=(">", 0)),
    row("zh content", "default", "把有猫的照片删掉", unchanged=True, says=_NO_SEE),
    row("zh content", "default", "去掉月亮那张", unchanged=True, says=_NO_SEE),
    # -- misc --
    row("zh basic", "default", "撤销", undo=True),
    row("zh basic", "default", "你能做什么", unchanged=True, says="我可以"),
]
