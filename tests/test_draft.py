"""The draft model: tolerant parsing, the table, the summary, diffs in words."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from nemowidgets.api.errors import DraftError, MalformedPayloadError
from nemowidgets.draft import BASE_COLUMNS, Draft, format_seconds


def photo(i: int, d: int = 3000, tr: str | None = "crossfade", **extra: Any) -> dict[str, Any]:
    seg = {"id": f"seg_{i}", "d": d, "src": f"m_{i}", "n": f"photo_{i}.jpg", "k": "image"}
    if tr:
        seg["tr"] = {"type": tr, "d": 500}
    seg.update(extra)
    return seg


def make_draft(
    photos: int = 5, *, title: str | None = "Paradise Found", vol: float = 0.8, aspect: str = "16:9"
) -> dict[str, Any]:
    segs = [photo(i + 1) for i in range(photos)]
    start = 0
    for seg in segs:  # the timing rule: the next starts where this one's transition begins
        seg["s"] = start
        start += seg["d"] - seg.get("tr", {}).get("d", 0)
    segs[-1].pop("tr", None)
    total = segs[-1]["s"] + segs[-1]["d"]
    tracks = [
        {"tt": 0, "n": "Photos", "sg": segs},
        {
            "tt": 1,
            "n": "Music",
            "sg": [
                {
                    "id": "seg_m",
                    "s": 0,
                    "d": total,
                    "src": "m_a",
                    "n": "song.mp3",
                    "k": "audio",
                    "in": 0,
                    "vol": vol,
                    "fi": 0,
                    "fo": 1000,
                    "loop": True,
                }
            ],
        },
    ]
    if title:
        tracks.append(
            {
                "tt": 7,
                "n": "Titles",
                "sg": [
                    {
                        "id": "seg_t",
                        "s": 0,
                        "d": 3000,
                        "k": "text",
                        "txt": title,
                        "n": title,
                        "pos": "center",
                        "sz": 0.08,
                    }
                ],
            }
        )
    w, h = (1920, 1080) if aspect == "16:9" else (1080, 1920)
    return {
        "t": tracks,
        "d": total,
        "m": {"width": w, "height": h, "fps": 30, "aspect": aspect, "fit": "blur"},
    }


# -- from_state ------------------------------------------------------------------


def test_from_state_accepts_envelope_data_inner_state_and_raw_draft() -> None:
    raw = make_draft()
    outer = Draft.from_state({"session_id": "1", "state": {"draft": raw, "draft_version": 4}})
    inner = Draft.from_state({"draft": raw, "draft_version": 4})
    bare = Draft.from_state(raw)
    assert outer is not None
    assert inner is not None
    assert bare is not None
    assert outer.raw is raw
    assert outer.version == inner.version == 4
    assert bare.version is None
    assert outer == inner == bare


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"state": {}},
        {"state": {"draft": None}},
        {"state": {"draft": {}}},
        {"session_id": "1", "state": {"video_infos": []}},
        {"state": {"draft": ""}},
    ],
)
def test_from_state_without_a_draft_is_none(data: Any) -> None:
    assert Draft.from_state(data) is None


def test_from_state_decodes_a_json_string_draft_and_uses_canvas_config() -> None:
    import json

    raw = {"t": [{"tt": 0, "sg": [{"d": 2000}]}]}
    draft = Draft.from_state(
        {
            "state": {
                "draft": json.dumps(raw),
                "canvas_config": {"width": 720, "height": 1280, "aspect": "9:16"},
            }
        }
    )
    assert draft is not None
    assert (draft.width, draft.height, draft.aspect) == (720, 1280, "9:16")
    assert draft.duration == 2.0  # no top-level d: the end of the last segment


def test_properties() -> None:
    draft = Draft(make_draft(5), version=2)
    assert draft.duration == 13.0  # 5 x 3 s - 4 x 0.5 s overlaps
    assert (draft.width, draft.height, draft.version) == (1920, 1080, 2)
    assert [t.kind for t in draft.tracks] == ["video", "audio", "text"]
    assert draft.is_exportable
    assert not Draft({"t": [{"tt": 0, "sg": []}, {"tt": 1}]}).is_exportable
    assert not Draft({"t": []}).is_exportable


# -- malformed ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ([1, 2], "draft"),
        ({"t": "tracks"}, "draft.t"),
        ({"t": {"tt": 0}}, "draft.t"),
        ({"t": [5]}, "draft.t[0]"),
        ({"t": [{"tt": 0, "sg": "x"}]}, "draft.t[0].sg"),
        ({"t": [{"tt": 0, "sg": []}, {"tt": 1, "sg": ["seg"]}]}, "draft.t[1].sg[0]"),
        ({"t": [{"tt": 0, "sg": []}, {"tt": 1, "sg": [{"d": "abc"}]}]}, "draft.t[1].sg[0].d"),
        ({"t": [{"tt": 0, "sg": [{"d": 1}, {"s": [0]}]}]}, "draft.t[0].sg[1].s"),
        ({"t": [{"tt": 0, "sg": [{"d": True}]}]}, "draft.t[0].sg[0].d"),
        ({"t": [{"tt": 1, "sg": [{"d": 1, "vol": "loud"}]}]}, "draft.t[0].sg[0].vol"),
        (
            {"t": [{"tt": 0, "sg": [{"d": 1, "tr": {"type": "wipe", "d": "x"}}]}]},
            "draft.t[0].sg[0].tr.d",
        ),
        ({"t": [], "d": "long"}, "draft.d"),
        ({"t": [], "m": "meta"}, "draft.m"),
    ],
)
def test_malformed_names_the_path(raw: Any, path: str) -> None:
    with pytest.raises(MalformedPayloadError) as info:
        Draft.from_state({"state": {"draft": raw}})
    assert f"{path} should be" in str(info.value)
    assert info.value.details["path"] == path
    assert isinstance(info.value, DraftError)


def test_tolerates_missing_keys_and_unknown_track_types() -> None:
    draft = Draft(
        {
            "t": [
                {"sg": [{}]},
                {"tt": 42, "sg": [{"d": 1500, "weird": [1]}]},
                {"tt": "7", "sg": [{"txt": "hi", "d": 1000}]},
            ]
        }
    )
    frame = draft.to_dataframe()
    assert list(frame["kind"]) == ["other(?)", "other(42)", "text"]
    assert list(frame["duration"]) == [0.0, 1.5, 1.0]
    assert frame.loc[1, "weird"] == [1]
    assert draft.duration == 1.5


# -- to_dataframe ---------------------------------------------------------------


def test_dataframe_rows_columns_and_unknown_keys() -> None:
    raw = make_draft(3)
    raw["t"][0]["sg"][1]["mystery"] = {"a": 1}
    raw["t"][0]["sg"][2]["start"] = "collides"
    frame = Draft(raw).to_dataframe()
    assert tuple(frame.columns[: len(BASE_COLUMNS)]) == BASE_COLUMNS
    for key in (
        "id",
        "src",
        "k",
        "tr",
        "in",
        "fi",
        "fo",
        "loop",
        "pos",
        "sz",
        "mystery",
        "sg.start",
    ):
        assert key in frame.columns, key
    for consumed in ("s", "d", "n", "vol", "txt"):
        assert consumed not in frame.columns
    assert len(frame) == 5  # 3 photos + music + title
    assert list(frame["track"]) == [1, 1, 1, 2, 3]
    assert list(frame["kind"]) == ["photo", "photo", "photo", "audio", "text"]
    assert list(frame["segment"]) == [1, 2, 3, 1, 1]
    assert list(frame["start"]) == [0.0, 2.5, 5.0, 0.0, 0.0]
    assert list(frame["end"]) == [3.0, 5.5, 8.0, 8.0, 3.0]
    assert frame.loc[3, "volume"] == pytest.approx(0.8)
    assert frame.loc[4, "text"] == "Paradise Found"
    assert frame.loc[0, "name"] == "photo_1.jpg"
    assert frame.loc[1, "mystery"] == {"a": 1}  # dict values stay objects
    assert frame.loc[0, "tr"] == {"type": "crossfade", "d": 500}
    assert frame.loc[2, "sg.start"] == "collides"


def test_dataframe_kind_is_photo_for_stills_and_video_for_clips() -> None:
    raw = {"t": [{"tt": 0, "sg": [{"d": 1000, "k": "image"}, {"d": 1000, "k": "video"}, {"d": 5}]}]}
    frame = Draft(raw).to_dataframe()
    assert list(frame["kind"]) == ["photo", "video", "video"]
    assert list(frame["k"][:2]) == ["image", "video"]  # the backend's key, untouched


def test_dataframe_name_falls_back_to_src_and_start_to_timing_rule() -> None:
    raw = {
        "t": [
            {
                "tt": 0,
                "sg": [
                    {"d": 2000, "src": "m_1", "tr": {"type": "wipe", "d": 500}},
                    {"d": 2000, "src": "m_2", "tr": {"type": "none", "d": 700}},
                    {"d": 1000, "src": "m_3"},
                ],
            }
        ]
    }
    frame = Draft(raw).to_dataframe()
    assert list(frame["name"]) == ["m_1", "m_2", "m_3"]
    assert list(frame["start"]) == [0.0, 1.5, 3.5]


def test_empty_draft_dataframe_has_the_base_columns() -> None:
    frame = Draft({"t": []}).to_dataframe()
    assert list(frame.columns) == list(BASE_COLUMNS)
    assert frame.empty


# -- summary --------------------------------------------------------------------


def test_summary_in_the_protocol_style() -> None:
    raw = {
        "t": [
            {"tt": 0, "sg": [{"s": 0, "d": 10000, "n": "city timelapse", "k": "video"}]},
            {"tt": 1, "sg": [{"s": 0, "d": 10000, "n": "Lo-fi", "vol": 0.35}]},
            {"tt": 7, "sg": [{"s": 0, "d": 3000, "txt": "Urban Dreams"}]},
        ],
        "d": 10000,
    }
    assert Draft(raw).summary() == (
        "Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) "
        '3. Title: "Urban Dreams" (0-3s)'
    )


def test_summary_multi_segment_and_edge_cases() -> None:
    raw = make_draft(5, title=None)
    assert Draft(raw).summary() == (
        "Timeline (2 tracks): 1. Video: 5 clips (0-13s) 2. BGM: song.mp3 (0-13s, 80%)"
    )
    assert Draft({"t": []}).summary() == "Timeline (0 tracks): empty"
    assert Draft({"t": [{"tt": 0}]}).summary() == "Timeline (1 track): 1. Video: empty"
    assert Draft({"t": [{"tt": 9, "sg": [{"d": 2500, "n": "x"}]}]}).summary() == (
        "Timeline (1 track): 1. Other(9): x (0-2.5s)"
    )


def test_format_seconds() -> None:
    assert [format_seconds(x) for x in (0, 10.0, 25.5, 3.25, 0.1, -0.0)] == [
        "0",
        "10",
        "25.5",
        "3.25",
        "0.1",
        "0",
    ]


# -- diff -----------------------------------------------------------------------


def _edited(raw: dict[str, Any], fn) -> Draft:
    new = copy.deepcopy(raw)
    fn(new)
    return Draft(new)


def test_no_changes() -> None:
    raw = make_draft()
    assert Draft(raw).diff(Draft(copy.deepcopy(raw))) == "No changes"


def _set_title(r: dict[str, Any]) -> None:
    r["t"].append({"tt": 7, "sg": [{"id": "seg_t", "s": 0, "d": 3000, "txt": "Paradise Found"}]})


def _photo3_5s(r: dict[str, Any]) -> None:
    r["t"][0]["sg"][2]["d"] = 5000


def _wipe(r: dict[str, Any]) -> None:
    for seg in r["t"][0]["sg"]:
        if "tr" in seg:
            seg["tr"]["type"] = "wipe"


def _vertical(r: dict[str, Any]) -> None:
    r["m"].update(aspect="9:16", width=1080, height=1920)


def _quiet(r: dict[str, Any]) -> None:
    r["t"][1]["sg"][0]["vol"] = 0.35


def _drop_two(r: dict[str, Any]) -> None:
    del r["t"][0]["sg"][1:3]


def _last_first(r: dict[str, Any]) -> None:
    r["t"][0]["sg"].insert(0, r["t"][0]["sg"].pop())


def _reverse(r: dict[str, Any]) -> None:
    r["t"][0]["sg"].reverse()


def _kb_on(r: dict[str, Any]) -> None:
    for seg in r["t"][0]["sg"]:
        seg["kb"] = {"z0": 1.0, "z1": 1.1}


def _all_4s(r: dict[str, Any]) -> None:
    for seg in r["t"][0]["sg"]:
        seg["d"] = 4000


def _rename_title(r: dict[str, Any]) -> None:
    r["t"][2]["sg"][0]["txt"] = "Summer"


def _add_photo(r: dict[str, Any]) -> None:
    r["t"][0]["sg"].append(photo(9, tr=None, s=12000))


def _fade_out(r: dict[str, Any]) -> None:
    r["t"][1]["sg"][0]["fo"] = 2000


def _no_music(r: dict[str, Any]) -> None:
    del r["t"][1]


def _unknown_key(r: dict[str, Any]) -> None:
    r["t"][0]["sg"][0]["filter"] = "sepia"


def _fit_cover(r: dict[str, Any]) -> None:
    r["m"]["fit"] = "cover"


@pytest.mark.parametrize(
    ("edit", "title", "expected"),
    [
        (_set_title, None, "Title added: 'Paradise Found' (0-3s)"),
        (_photo3_5s, "T", "Photo 3 duration 3s → 5s"),
        (_wipe, "T", "Transition: crossfade → wipe"),
        (_vertical, "T", "Aspect 16:9 → 9:16"),
        (_quiet, "T", "Music volume 80% → 35%"),
        (_drop_two, "T", "2 photos removed"),
        (_last_first, "T", "Photo moved: photo_5.jpg 5 → 1"),
        (_reverse, "T", "Order reversed"),
        (_kb_on, "T", "Ken Burns on"),
        (_all_4s, "T", "Photo duration 3s → 4s (all 5 photos)"),
        (_rename_title, "T", "Title changed: 'T' → 'Summer'"),
        (_add_photo, "T", "Photo added: photo_9.jpg (12-15s)"),
        (_fade_out, "T", "Music fade out 1s → 2s"),
        (_no_music, "T", "Music removed: song.mp3"),
        (_unknown_key, "T", "Photo 1 filter none → sepia"),
        (_fit_cover, "T", "Photo fit blur → cover"),
    ],
)
def test_diff_phrases(edit, title: str | None, expected: str) -> None:
    raw = make_draft(5, title=title)
    old = Draft(raw)
    new = _edited(raw, edit)
    lines = old.diff_lines(new)
    assert expected in lines, lines
    assert expected in old.diff(new)


def test_diff_length_and_volume_from_default() -> None:
    raw = make_draft(3, title=None)
    del raw["t"][1]["sg"][0]["vol"]
    new = _edited(
        raw,
        lambda r: (
            r["t"][0]["sg"][0].update(d=5000),
            r.update(d=10000),
            r["t"][1]["sg"][0].update(vol=0.35),
        ),
    )
    lines = Draft(raw).diff_lines(new)
    assert "Music volume 100% → 35%" in lines
    assert "Length 8s → 10s" in lines


def test_music_that_follows_the_length_is_not_reported() -> None:
    raw = make_draft(3, title=None)
    new = _edited(
        raw,
        lambda r: (
            r["t"][0]["sg"][2].update(d=5000),
            r.update(d=10000),
            r["t"][1]["sg"][0].update(d=10000),
        ),
    )
    assert Draft(raw).diff(new) == "Photo 3 duration 3s → 5s; Length 8s → 10s"
    trimmed = _edited(raw, lambda r: r["t"][1]["sg"][0].update(d=5000))
    assert Draft(raw).diff(trimmed) == "Music duration 8s → 5s"


def test_diff_by_position_when_ids_are_missing() -> None:
    a = Draft(
        {
            "t": [
                {
                    "tt": 0,
                    "sg": [
                        {"d": 3000, "n": "a.jpg"},
                        {"d": 3000, "n": "b.jpg"},
                        {"d": 3000, "n": "c.jpg"},
                    ],
                }
            ]
        }
    )
    b = Draft({"t": [{"tt": 0, "sg": [{"d": 3000, "n": "a.jpg"}]}]})
    assert a.diff(b) == "2 clips removed; Length 9s → 3s"
    mixed = Draft(
        {
            "t": [
                {
                    "tt": 0,
                    "sg": [
                        {"d": 3000, "n": "a.jpg"},
                        {"d": 3000, "k": "image", "n": "b.jpg"},
                        {"d": 3000, "k": "video", "n": "c.mp4"},
                    ],
                }
            ]
        }
    )
    assert mixed.diff_lines(b)[0] == "2 segments removed"
    assert "Clip added: b.jpg (0-3s)" in b.diff_lines(
        Draft(
            {"t": [{"tt": 0, "sg": [{"d": 3000, "n": "a.jpg"}, {"d": 3000, "n": "b.jpg", "s": 0}]}]}
        )
    )


def test_diff_to_none_and_invisible_change() -> None:
    raw = make_draft(2)
    assert Draft(raw).diff(None) == "Timeline removed"
    changed = _edited(raw, lambda r: r.update(zz=1))
    assert Draft(raw).diff(changed) == "Timeline changed (no visible difference)"


# -- repr -----------------------------------------------------------------------


def test_repr_and_html() -> None:
    draft = Draft(make_draft(2, title="<b>x</b>"), version=7)
    assert repr(draft) == "Draft(version=7, tracks=3, segments=4, duration=5.5s, 1920x1080)"
    page = draft._repr_html_()
    assert "<table>" in page
    assert "v7" in page
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


# -- export names ----------------------------------------------------------------


def test_export_names_say_what_the_video_is() -> None:
    from nemowidgets.draft._names import export_stem, slugify

    draft = Draft(make_draft(3, title=None), version=3)
    assert export_stem(draft, "high") == "slideshow-v3-1080p"
    assert export_stem(draft, "preview") == "slideshow-v3-preview"
    assert export_stem(Draft(make_draft(3, title="Our summer '24!")), "high", 2) == (
        "our-summer-24-v2-1080p"
    )
    assert export_stem(Draft(make_draft(3, title=None, aspect="9:16")), "high", 1).endswith(
        "-v1-1080p"
    )
    assert slugify("صيف ٢٠٢٤") == "صيف-٢٠٢٤"  # letters of any script stay
    assert slugify("../../etc/passwd") == "etc-passwd"  # never a path
    assert slugify("a" * 90) == "a" * 40
