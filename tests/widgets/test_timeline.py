"""TimelineTable: table, strip, summary, diff; history restores only on the user's choice."""

from __future__ import annotations

import re

from nemowidgets.api.models import MediaInfo
from nemowidgets.draft import Draft
from nemowidgets.widgets import TimelineTable

from .conftest import from_frontend, jpeg_bytes, updates


def draft(
    photos: int = 3,
    seconds: int = 3,
    title: str | None = "Paradise",
    version: int = 1,
    transition: str = "crossfade",
) -> Draft:
    segs, start = [], 0
    for i in range(photos):
        seg = {
            "id": f"seg_{i + 1}",
            "s": start,
            "d": seconds * 1000,
            "src": f"m_{i + 1}",
            "n": f"photo_{i + 1}.jpg",
            "k": "image",
        }
        if i < photos - 1:
            seg["tr"] = {"type": transition, "d": 500}
            start += seconds * 1000 - 500
        segs.append(seg)
    total = start + seconds * 1000
    tracks = [
        {"tt": 0, "n": "Photos", "sg": segs},
        {
            "tt": 1,
            "n": "Music",
            "sg": [
                {
                    "id": "seg_a",
                    "s": 0,
                    "d": total,
                    "src": "m_9",
                    "n": "song.mp3",
                    "k": "audio",
                    "vol": 0.8,
                }
            ],
        },
    ]
    if title:
        tracks.append(
            {
                "tt": 7,
                "n": "Titles",
                "sg": [{"id": "seg_t", "s": 0, "d": 3000, "k": "text", "txt": title, "n": title}],
            }
        )
    return Draft({"t": tracks, "d": total, "m": {"width": 1920, "height": 1080}}, version=version)


def body_rows(table_html: str) -> list[str]:
    body = table_html.split("<tbody>", 1)[1]
    return re.findall(r"<tr class='nemo-row[^>]*>(.*?)</tr>", body)


def publish(fake, d: Draft, diff: str = "", restored: bool = False) -> None:
    fake.history = (*fake.history, d) if not restored else fake.history
    fake.draft = d
    fake.emit("draft", draft=d, diff=diff, version=d.version, restored=restored)


def test_empty_until_a_draft_arrives(fake) -> None:
    table = TimelineTable(fake)
    assert "No timeline yet" in table._table.value
    assert "nemo-timeline" in table._table._dom_classes


def test_draft_event_shows_table_strip_summary_and_diff(fake) -> None:
    table = TimelineTable(fake)
    publish(fake, draft(), diff="New timeline: 3 photos")
    rows = body_rows(table._table.value)
    assert len(rows) == 5  # 3 photos + music + title
    first = rows[0]
    assert "photo_1.jpg" in first
    assert ">0<" in first
    assert ">3<" in first
    assert "crossfade 0.5 s" in first
    assert "80%" in rows[3]
    assert "Paradise" in rows[4]
    assert "7.5 s" not in table._summary.value
    assert "<b>8 s</b>" in table._summary.value
    assert "1920×1080" in table._summary.value
    assert "Last change:" in table._diff.value
    assert "3 photos" in table._diff.value
    strip = table._strip.model
    assert [lane["label"] for lane in strip["lanes"]] == ["Video", "Music", "Titles"]
    assert sum(len(lane["segments"]) for lane in strip["lanes"]) == 5
    video = strip["lanes"][0]
    assert [sg["s"] for sg in video["segments"]] == [0, 2500, 5000]  # crossfades overlap
    assert video["overlaps"][0] == {"s": 2500, "d": 500, "type": "crossfade", "after": "seg_1"}
    assert strip["total"] == 8000


def test_text_in_the_draft_is_escaped(fake) -> None:
    table = TimelineTable(fake)
    publish(fake, draft(title="<b>bold</b> & 'quotes'"))
    assert "<b>bold</b>" not in table._table.value
    assert "&lt;b&gt;bold" in table._table.value
    assert table._strip.model["lanes"][2]["segments"][0]["label"] == "<b>bold</b> & 'quotes'"


def test_thumbnails_appear_in_media_rows(fake) -> None:
    fake.thumbnail_bytes = jpeg_bytes((250, 200, 0), (160, 90))
    fake.media = tuple(MediaInfo(f"photo_{i}.jpg", "image", id=f"m_{i}") for i in (1, 2, 3))
    fake.media += (MediaInfo("song.mp3", "audio", id="m_9"),)
    table = TimelineTable(fake)
    publish(fake, draft())
    fake.settle(0.2)  # the thumbnails are fetched on the Session's loop, then re-rendered
    rows = body_rows(table._table.value)
    assert all("data:image/jpeg;base64," in r for r in rows[:3])
    assert "data:image" not in rows[3]  # audio: none
    assert sorted(table._strip.thumbs) == ["m_1", "m_2", "m_3"]
    assert all(v.startswith("data:image/jpeg;base64,") for v in table._strip.thumbs.values())
    assert sorted(c[1] for c in fake.calls if c[0] == "thumbnail") == [
        "photo_1.jpg",
        "photo_2.jpg",
        "photo_3.jpg",
    ]


def test_history_code_updates_never_restore(fake) -> None:
    table = TimelineTable(fake)
    for v in (1, 2, 3):
        publish(fake, draft(photos=v + 1, version=v), diff=f"v{v}")
    assert fake.restored == []
    assert table._history.value == 2
    assert len(table._history.options) == 3
    assert "v3 · " in table._history.label
    assert len(updates(table._history, "index")) >= 3  # the browser saw the changes


def test_choosing_a_version_restores_it_once(fake) -> None:
    table = TimelineTable(fake)
    for v in (1, 2, 3):
        publish(fake, draft(photos=v + 1, version=v))
    from_frontend(table._history, {"index": 0})  # the user picks v1 in the browser
    fake.settle(0.05)
    assert fake.restored == [0]
    assert "Restored version 1" in table._diff.value
    assert len(body_rows(table._table.value)) == 4  # v1: 2 photos + music + title
    assert table._history.value == 0
    assert fake.restored == [0]  # the widget's update after the restore did not restore again


def test_history_disabled_with_a_single_version(fake) -> None:
    table = TimelineTable(fake)
    publish(fake, draft())
    assert table._history.disabled


def test_a_widget_made_later_shows_the_current_draft(fake) -> None:
    d = draft(photos=2)
    fake.history, fake.draft = (d,), d
    table = TimelineTable(fake)
    assert len(body_rows(table._table.value)) == 4
