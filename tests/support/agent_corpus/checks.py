"""The corpus's predicate language over a draft, and the reply-matches-draft invariant.

A row's ``expect`` is a dict of property -> wanted value, read from the draft the
turn leaves (``reply.draft``, or the starting draft when nothing changed):

* a plain value must be equal (seconds within 1 ms): ``total_s=20``, ``aspect="4:5"``,
  ``transition=None``, ``last="astronaut.jpg"``, ``order=[...]``;
* a tuple ``(op, value)`` compares: ``("<", 3)``, ``(">=", 1.1)``, ``("!=", "black")``,
  ``("between", (2, 2.9))``;
* ``photo_s`` holds for every photo; ``dur_of={"moon.jpg": 5}`` for the named ones;
* ``without="moon.jpg"``: not in the slideshow; ``shuffled=True``: same photos, new order;
* ``keeps=("transition", "music", ...)``: the same as in the starting draft;
* ``unchanged=True``: the turn changed nothing (``reply.draft is None``);
  ``asks=True``: unchanged and the reply is a question; ``undo=True``;
* ``says="..."`` / ``says=(..., ...)``: substrings of the reply (case-insensitive);
  ``not_says``: substrings it must not contain.

Two invariants hold for every row, whatever it expects: the reply is in the
language of the prompt, and every value the reply states (lengths, seconds per
photo, format, volume, transitions, Ken Burns, photo count, music, title, fades)
agrees with the draft it describes.
"""

from __future__ import annotations

import itertools
import math
import operator
import re
from collections.abc import Callable
from typing import Any

from tests.support.agent_corpus.setups import song_beats

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "!=": operator.ne,
}
_SPECIAL = {"unchanged", "asks", "undo", "says", "not_says", "keeps", "without", "shuffled"}


def _track(draft: dict, tt: int) -> list[dict]:
    return next((t["sg"] for t in draft.get("t", []) if t.get("tt") == tt), [])


def _beat_props(draft: dict, video: list[dict], song: dict | None) -> dict[str, Any]:
    """Whether every cut (a hard cut, or a transition's middle) and the end are on a beat
    of the draft's song, and how many beats each photo lasts."""
    beats = [round(1000 * b) for b in song_beats(song["src"])] if song else []
    cuts = [
        b["s"] + max(0, a["s"] + a["d"] - b["s"]) // 2 for a, b in itertools.pairwise(video)
    ] + [draft["d"]]
    on = bool(beats) and all(min(abs(c - b) for b in beats) <= 1 for c in cuts)
    period = (beats[1] - beats[0]) if len(beats) > 1 else 0
    if not (on and period):
        return {"on_beat": on, "beats_per_photo": None}
    steps = sorted({round((b - a) / period) for a, b in itertools.pairwise(cuts)})
    return {"on_beat": on, "beats_per_photo": steps}


def props(draft: dict | None) -> dict[str, Any]:
    """The properties rows talk about (seconds, file names), read from a draft."""
    if draft is None:
        return {"count": 0}
    video, music, text = _track(draft, 0), _track(draft, 1), _track(draft, 7)
    trs = [sg["tr"] for sg in video if sg.get("tr")]
    title = next((sg for sg in text if "ref" not in sg), None)
    names = {sg["id"]: sg["n"] for sg in video}
    kbs = [sg["kb"] for sg in video if "kb" in sg]
    song = music[0] if music else None
    looks = [sg.get("fx") for sg in video]
    logo = draft["m"].get("logo")
    caps = [sg for sg in text if "ref" in sg]
    clip = next((sg for sg in video if sg.get("k") == "video"), None)
    return {
        "look": looks[0] if video and len(set(looks)) == 1 else looks,
        "looks": looks,
        "brightness": video[0].get("br", 0.0) if video else None,
        "contrast": video[0].get("ct", 1.0) if video else None,
        "logo": (logo["n"], logo["pos"]) if logo else None,
        "logo_size": logo["sz"] if logo else None,
        "total_s": draft["d"] / 1000,
        "durations": [sg["d"] / 1000 for sg in video],
        "photo_durations": [sg["d"] / 1000 for sg in video if sg.get("k") == "image"],
        "dur_by_name": {sg["n"]: sg["d"] / 1000 for sg in video},
        "order": [sg["n"] for sg in video],
        "count": len(video),
        "first": video[0]["n"] if video else None,
        "last": video[-1]["n"] if video else None,
        "transition": trs[0]["type"] if trs else None,
        "transition_s": max(tr["d"] for tr in trs) / 1000 if trs else 0,
        "ken_burns": bool(kbs),
        "zoom_in": bool(kbs) and all(kb["z1"] > kb["z0"] for kb in kbs),
        "aspect": draft["m"]["aspect"],
        "size": (draft["m"]["width"], draft["m"]["height"]),
        "fps": draft["m"]["fps"],
        "fit": draft["m"]["fit"],
        "music": song["n"] if song else None,
        "volume": song["vol"] if song else None,
        "fade_in_s": song["fi"] / 1000 if song else None,
        "fade_out_s": song["fo"] / 1000 if song else None,
        "title": title["txt"] if title else None,
        "title_pos": title["pos"] if title else None,
        "title_size": title["sz"] if title else None,
        "captions": {names.get(sg["ref"]): sg["txt"] for sg in text if "ref" in sg},
        "title_color": title.get("col") if title else None,
        "title_box": title.get("bg") if title else None,
        "caption_size": caps[0]["sz"] if caps else None,
        "caption_color": caps[0].get("col") if caps else None,
        "caption_box": caps[0].get("bg") if caps else None,
        "clip": (clip.get("in", 0) / 1000, clip["d"] / 1000) if clip else None,
        "clip_muted": bool(clip.get("mu")) if clip else None,
        **_beat_props(draft, video, song),
    }


def _same(got: Any, want: Any, tol: float = 0.0011) -> bool:
    if isinstance(want, bool) or want is None or isinstance(got, bool):
        return got is want or got == want
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(got, want, abs_tol=tol)
    if isinstance(want, (list, tuple)) and isinstance(got, (list, tuple)):
        return len(got) == len(want) and all(
            _same(g, w, tol) for g, w in zip(got, want, strict=True)
        )
    return bool(got == want)


def _holds(got: Any, want: Any) -> bool:
    if isinstance(want, tuple) and len(want) == 2 and want[0] == "between":
        low, high = want[1]
        return got is not None and low - 1e-9 <= got <= high + 1e-9
    if isinstance(want, tuple) and len(want) == 2 and want[0] in _OPS:
        op, value = want
        if got is None:
            return op == "!=" and value is not None
        return bool(_OPS[op](got, value))
    return _same(got, want)


def check_draft(expect: dict, start: dict | None, final: dict | None) -> list[str]:
    """The failed properties of ``expect`` on the final draft (``[]``: all hold)."""
    got, before = props(final), props(start)
    failures: list[str] = []
    for key, want in expect.items():
        if key in _SPECIAL:
            continue
        if key == "photo_s":
            values = got.get("photo_durations") or [None]
            ok = all(_holds(v, want) for v in values)
            shown: Any = sorted(set(values), key=str)
        elif key == "dur_of":
            shown = {n: got.get("dur_by_name", {}).get(n) for n in want}
            ok = all(_holds(shown[n], w) for n, w in want.items())
        elif key == "caption":
            name, text = want
            shown = got.get("captions", {})
            ok = shown.get(name) == text
        else:
            shown = got.get(key, "<missing>")
            ok = _holds(shown, want)
        if not ok:
            failures.append(f"{key}: wanted {want!r}, got {shown!r}")
    if "without" in expect and expect["without"] in got.get("order", []):
        failures.append(f"without: {expect['without']} is still in {got['order']}")
    new_order, old_order = got.get("order", []), before.get("order", [])
    if expect.get("shuffled") and (
        sorted(new_order) != sorted(old_order) or new_order == old_order
    ):
        failures.append(f"shuffled: {old_order} -> {new_order}")
    for key in expect.get("keeps", ()):
        if not _same(got.get(key), before.get(key)):
            failures.append(f"keeps {key}: was {before.get(key)!r}, now {got.get(key)!r}")
    return failures


# -- the reply -------------------------------------------------------------------------------

_NUM = r"(\d+(?:\.\d+)?)"
_TR_EN = {
    "crossfades": "crossfade",
    "fades through black": "fade_black",
    "slides": "slide",
    "wipes": "wipe",
    "zoom transitions": "zoom",
}
_TR_ZH = {
    "交叉淡化": "crossfade",
    "黑场过渡": "fade_black",
    "滑动转场": "slide",
    "擦除转场": "wipe",
    "缩放转场": "zoom",
}
_ASPECT = r"(16:9|9:16|1:1|4:5)"
#: (pattern, the property it states, how to read the groups into that property's value).
_STATEMENTS: tuple[tuple[str, str], ...] = (
    (rf"(?<![\d.]){_NUM} s long\b", "total_s"),
    (rf"\bTotal length:? {_NUM} s\b", "total_s"),
    (rf"^Made a slideshow\b[^\n]*?: {_NUM} s\.", "total_s"),
    (rf"总时长[:：]?\s*{_NUM}\s*秒", "total_s"),
    (rf"视频现在长\s*{_NUM}\s*秒", "total_s"),
    (rf"\bEach photo now lasts {_NUM} s\b", "photo_s"),
    (rf"(?<![\d.\-]){_NUM} s (?:each|per photo)\b", "photo_s"),
    (rf"每张照片(?:现在)?(?:显示|持续)?\s*{_NUM}\s*秒", "photo_s"),
    (rf"\bPhoto \d+ \(([^)]+)\) now lasts {_NUM} s\b", "dur_of"),
    (rf"第\s*\d+\s*张照片（([^）]+)）现在(?:显示|持续)\s*{_NUM}\s*秒", "dur_of"),
    (rf"\bFormat: {_ASPECT}, (\d+)x(\d+), (\d+) fps", "format"),
    (rf"格式[:：]\s*{_ASPECT}[,，]\s*(\d+)x(\d+)[,，]\s*(\d+)\s*fps", "format"),
    (r"\bMusic volume:? (\d+)%", "volume_pct"),
    (r"音乐音量[:：]?\s*(\d+)%", "volume_pct"),
    (rf"as background music \((\d+)%, {_NUM} s fade-out\)", "music_pct_fo"),
    (rf"(?<![\d.]){_NUM} s ({'|'.join(_TR_EN)})\b", "transition_en"),
    (rf"{_NUM}\s*秒的?({'|'.join(_TR_ZH)})", "transition_zh"),
    (r"\bRemoved the transitions\b|已去掉转场", "no_transition"),
    (r"\bKen Burns is on\b|Ken Burns zoom\)|Ken Burns 效果已开启", "kb_on"),
    (r"\bKen Burns is off\b|Ken Burns 效果已关闭", "kb_off"),
    (r"\bslideshow (?:of|has|now has) (\d+) photos?\b|(\d+)\s*张照片的幻灯片", "count"),
    (r"\bRemoved the music\b|已去掉音乐", "no_music"),
    (r"\b(?:Added|with) (\S+) as background music\b|用\s*(\S+?)\s*作为背景音乐", "music"),
    (r"\bTitle '([^'\n]*)' at the (top|center|bottom)\b", "title"),
    (r"标题「([^」\n]*)」在(顶部|中间|底部)", "title_zh"),
    (rf"\bmusic now fades out over {_NUM} s|音乐淡出\s*{_NUM}\s*秒", "fade_out"),
    (rf"\bfades in over {_NUM} s|音乐淡入\s*{_NUM}\s*秒", "fade_in"),
)
_POS_ZH = {"顶部": "top", "中间": "center", "底部": "bottom"}


def _tol(number: str) -> float:
    decimals = len(number.partition(".")[2])
    return 0.5 * 10**-decimals + 1e-9


def _unquote(text: str) -> str:
    """The reply without quoted examples ('4 seconds per photo') and titles."""
    return re.sub(r"'[^'\n]*'|\"[^\"\n]*\"|“[^”\n]*”|‘[^’\n]*’|「[^」\n]*」", "''", text)


def _stated(kind: str, g: tuple[str, ...], p: dict) -> str | None:
    """None when the statement agrees with the draft properties ``p``, else what is wrong."""
    vals = [x for x in g if x is not None]
    if kind == "total_s":
        ok = math.isclose(p.get("total_s", -1), float(vals[0]), abs_tol=_tol(vals[0]))
        return None if ok else f"says {vals[0]} s long, draft is {p.get('total_s')} s"
    if kind == "photo_s":
        durs = p.get("photo_durations") or []
        ok = bool(durs) and all(
            math.isclose(d, float(vals[0]), abs_tol=_tol(vals[0])) for d in durs
        )
        return None if ok else f"says {vals[0]} s per photo, draft has {durs}"
    if kind == "dur_of":
        got = p.get("dur_by_name", {}).get(vals[0])
        ok = got is not None and math.isclose(got, float(vals[1]), abs_tol=_tol(vals[1]))
        return None if ok else f"says {vals[0]} lasts {vals[1]} s, draft has {got}"
    if kind == "format":
        want = (vals[0], (int(vals[1]), int(vals[2])), int(vals[3]))
        got = (p.get("aspect"), p.get("size"), p.get("fps"))
        return None if want == got else f"says format {want}, draft is {got}"
    if kind in ("volume_pct", "music_pct_fo"):
        got = p.get("volume")
        if got is None or round(got * 100) != int(vals[0]):
            return f"says volume {vals[0]}%, draft has {got}"
        if kind == "music_pct_fo" and not math.isclose(
            p.get("fade_out_s") or 0, float(vals[1]), abs_tol=_tol(vals[1])
        ):
            return f"says fade-out {vals[1]} s, draft has {p.get('fade_out_s')}"
        return None
    if kind in ("transition_en", "transition_zh"):
        names = _TR_EN if kind == "transition_en" else _TR_ZH
        want = (names[vals[1]], float(vals[0]))
        got = (p.get("transition"), p.get("transition_s") or 0)
        ok = got[0] == want[0] and math.isclose(got[1], want[1], abs_tol=_tol(vals[0]))
        return None if ok else f"says {want} transitions, draft has {got}"
    simple = {
        "no_transition": ("transition", None),
        "kb_on": ("ken_burns", True),
        "kb_off": ("ken_burns", False),
        "no_music": ("music", None),
    }
    if kind in simple:
        key, want = simple[kind]
        return None if p.get(key) == want else f"says {key} is {want}, draft has {p.get(key)}"
    if kind == "count":
        got = len(p.get("photo_durations") or [])
        return None if got == int(vals[0]) else f"says {vals[0]} photos, draft has {got}"
    if kind == "music":
        return (
            None if p.get("music") == vals[0] else f"says music {vals[0]}, draft {p.get('music')}"
        )
    if kind in ("title", "title_zh"):
        pos = _POS_ZH.get(vals[1], vals[1])
        got = (p.get("title"), p.get("title_pos"))
        return None if got == (vals[0], pos) else f"says title {(vals[0], pos)}, draft {got}"
    key = "fade_out_s" if kind == "fade_out" else "fade_in_s"
    got = p.get(key)
    ok = got is not None and math.isclose(got, float(vals[0]), abs_tol=_tol(vals[0]))
    return None if ok else f"says {key} {vals[0]}, draft has {got}"


def check_reply(text: str, described: dict | None) -> list[str]:
    """Every value the reply states must hold on the draft it describes."""
    p = props(described)
    failures = []
    for pattern, kind in _STATEMENTS:
        source = text if kind.startswith("title") else _unquote(text)
        for m in re.finditer(pattern, source, re.M):
            if described is None:
                failures.append(f"states {m.group(0)!r} but there is no draft")
                continue
            wrong = _stated(kind, m.groups(), p)
            if wrong:
                failures.append(f"reply {m.group(0)!r}: {wrong}")
    return failures


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_NOISE = re.compile(
    r"\S+\.(?:jpe?g|png|webp|gif|mp[34]|m4a|wav|aac|mov)\b|Ken Burns|\bfps\b|\d+x\d+|"
    r"\b\d+p\b|\bsession\.\w+\(\)|\bTikTok|\bReels|\bShorts|\bYouTube|\bInstagram|\blogo\b",
    re.I,
)


def prompt_language(prompt: str) -> str:
    """``"zh"`` when the prompt (outside quotes) has Chinese characters, else ``"en"``."""
    return "zh" if _CJK.search(_unquote(prompt)) else "en"


def check_language(prompt: str, reply: str) -> list[str]:
    """The reply must be in the prompt's language (quotes, file names and brands aside)."""
    text = _LATIN_NOISE.sub(" ", _unquote(reply))
    cjk = len(_CJK.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    if prompt_language(prompt) == "zh":
        return [] if cjk and cjk >= latin / 2 else [f"reply is not in Chinese: {reply!r}"]
    return [] if not cjk else [f"reply to an English prompt has Chinese: {reply!r}"]
