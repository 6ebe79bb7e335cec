"""The local draft's invariants, checked the same way by every suite that makes drafts.

The timing rule of ``nemowidgets.protocol`` plus what the renderer relies on:
segment ``i+1`` starts at ``s_i + d_i - tr_i.d``; a transition never takes more
than half of either neighbour; the draft's ``d`` is the end of the last video
segment; looping music covers the whole video and its fades fit inside it;
text stays inside the video and captions sit exactly on their photo.
"""

from __future__ import annotations

from nemowidgets.protocol import TRACK_AUDIO, TRACK_TEXT, TRACK_VIDEO

TRANSITIONS = {"crossfade", "fade_black", "slide", "wipe", "zoom", "none"}


def _track(draft: dict, tt: int) -> list[dict]:
    return next((t["sg"] for t in draft["t"] if t["tt"] == tt), [])


def assert_draft_invariants(draft: dict) -> None:
    """Fail with the segment id when any invariant of the local draft is broken."""
    assert {"t", "d", "m"} <= set(draft), sorted(draft)
    ids = [sg["id"] for t in draft["t"] for sg in t["sg"]]
    assert len(ids) == len(set(ids)), f"duplicate segment ids: {ids}"
    video = _track(draft, TRACK_VIDEO)
    assert video, "no video segments"
    expected = 0
    for i, sg in enumerate(video):
        assert isinstance(sg["s"], int), sg
        assert isinstance(sg["d"], int), sg
        assert sg["d"] > 0, sg
        assert sg["s"] == expected, f"{sg['id']} starts at {sg['s']}, expected {expected}"
        assert sg["k"] in ("image", "video"), sg
        assert sg.get("src"), sg
        tr = sg.get("tr")
        if i == len(video) - 1:
            assert tr is None, f"last segment {sg['id']} has a transition"
        if tr:
            assert tr["type"] in TRANSITIONS, tr
            assert 0 <= tr["d"] <= sg["d"] // 2, (sg, tr)
            assert tr["d"] <= video[i + 1]["d"] // 2, (sg, tr)
        expected = sg["s"] + sg["d"] - (tr["d"] if tr else 0)
    assert draft["d"] == video[-1]["s"] + video[-1]["d"], "draft d is not the end of the video"
    for sg in _track(draft, TRACK_AUDIO):
        assert sg["s"] == 0, sg
        assert sg["k"] == "audio", sg
        if sg.get("loop", True):
            assert sg["d"] == draft["d"], f"music {sg['id']} lasts {sg['d']}, video {draft['d']}"
        assert sg["fi"] >= 0, sg
        assert sg["fo"] >= 0, sg
        assert sg["fi"] + sg["fo"] <= sg["d"], sg
        assert 0 <= sg["vol"] <= 2, sg
    by_id = {sg["id"]: sg for sg in video}
    for sg in _track(draft, TRACK_TEXT):
        assert sg["k"] == "text", sg
        assert sg["txt"], sg
        assert sg["pos"] in ("top", "center", "bottom"), sg
        assert sg["s"] >= 0, sg
        assert sg["d"] > 0, sg
        assert sg["s"] + sg["d"] <= draft["d"], sg
        if "ref" in sg:
            ref = by_id[sg["ref"]]
            assert (sg["s"], sg["d"]) == (ref["s"], ref["d"]), (sg, ref)
    m = draft["m"]
    assert m["fit"] in ("blur", "black", "cover"), m
    assert m["width"] > 0, m
    assert m["height"] > 0, m
