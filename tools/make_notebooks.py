"""Write notebooks/*.ipynb from the cell sources below: ``python tools/make_notebooks.py``.

Notebooks are JSON, awkward to review and easy to commit with stale outputs; so
their source lives here as plain text and the files are generated, without
outputs.  ``--check`` exits 1 when a committed notebook differs from what this
script would write (a test runs it).

Conventions the notebook tests rely on: every notebook but the Voila app
(``app.ipynb``, tested in the browser) leaves its session in ``session``, its
last export in ``result`` and the draft it exported in ``exported`` (a
:class:`nemowidgets.Draft`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

MD, CODE = "markdown", "code"
Cell = tuple[str, str]

QUICKSTART: list[Cell] = [
    (
        MD,
        """\
# nemowidgets quickstart

Turn photos and music into a video, from this notebook. Everything here runs on the
**local backend** that ships with the package: no account, no token, no network.

*Run the cells from top to bottom (Shift+Enter). On a fresh machine:
`pip install "nemowidgets[notebook]"`.*""",
    ),
    (
        MD,
        """\
## Sample media

Three photos and a short piece of music, generated on the spot (nothing is downloaded,
no licence to worry about). Use your own folder instead if you like.""",
    ),
    (
        CODE,
        """\
from pathlib import Path

import nemowidgets
from nemowidgets.samples import make_samples

media = Path("sample-media")
files = make_samples(media, photos=3, music_seconds=10)
[f.name for f in files]""",
    ),
    (
        MD,
        """\
## The Studio

One `Session` talks to the backend; the Studio's parts all share it.

1. **Add media**: click *Select*, open the `sample-media` folder, click *Select*
   again, then *Add* (a folder adds every photo, video and song in it). Or drop
   files from your computer anywhere on the Studio, or click *From browser*
   (any size: they travel in chunks).
2. **Prompt**: type what you want and press *Send* (or Ctrl+Enter).
3. Watch the agent's log and the **timeline** fill in.
4. **Export**: the MP4 renders with a progress bar and plays below it.""",
    ),
    (
        CODE,
        """\
session = nemowidgets.Session.local()
nemowidgets.studio(session)""",
    ),
    (
        MD,
        """\
## The same steps in Python

Everything the Studio does is one call on the session; the Studio above follows
along, because it observes the same session.""",
    ),
    (
        CODE,
        """\
media_infos = session.upload(media)  # a folder: every supported file in it
[(m.filename, m.file_type) for m in media_infos]""",
    ),
    (
        CODE,
        """\
turn = session.send("turn my photos into a smooth video slideshow with transitions and music")
print(turn.reply)""",
    ),
    (
        MD,
        """\
The agent edited the **draft**: the timeline of tracks and segments. It is a plain
dict underneath (`session.draft.raw`); `to_dataframe()` gives one row per segment,
times in seconds.""",
    ),
    (
        CODE,
        """\
exported = session.draft
print(exported.summary())
exported.to_dataframe()[["track", "kind", "segment", "start", "end", "duration", "name"]]""",
    ),
    (
        MD,
        """\
## Export and play

Export renders the draft to an MP4: 1920×1080 at 30 fps by default (`"preview"` is a
quick low-resolution version). Export is free.""",
    ),
    (
        CODE,
        """\
result = session.export(path="slideshow.mp4")
print(f"{result.path.name}: {result.duration:.1f} s, {result.width}x{result.height}")""",
    ),
    (
        CODE,
        """\
from IPython.display import Video

Video(str(result.path), embed=True, width=640)""",
    ),
    (
        MD,
        """\
Next: [teaching.ipynb](teaching.ipynb) builds a slideshow step by step with pandas;
[cloud.ipynb](cloud.ipynb) does the same on the NemoVideo cloud.""",
    ),
]

#: The errors a cloud user meets: (exception, when, what to do).
ERRORS: list[tuple[str, str, str]] = [
    (
        "`AuthError` (1001)",
        "bad or expired token",
        "set a fresh `NEMO_TOKEN`, or unset it for an anonymous token (renewed for you)",
    ),
    (
        "`SessionNotFoundError` (1002)",
        "the session expired",
        "a new session is created for you; upload again",
    ),
    (
        "`NoCreditsError` (2001)",
        "out of credits",
        "anonymous: register with the link in the message (it keeps your work); else top up",
    ),
    (
        "`UnsupportedFileError` (4001)",
        "not a supported format",
        "use mp4 mov avi webm mkv jpg png gif webp mp3 wav m4a aac",
    ),
    ("`FileTooLargeError` (4002)", "over 500 MB", "compress or trim it first"),
    (
        "`ExportBlockedError` (HTTP 402)",
        "export blocked on the free plan",
        "register or upgrade to unlock export",
    ),
    (
        "`RateLimitedError` (HTTP 429)",
        "too many requests",
        "wait about 30 s (retried once for you)",
    ),
    (
        "`StreamError`",
        "the agent's stream broke",
        "nothing was re-sent; the draft was read back from the server",
    ),
    ("`TransportError`", "the server cannot be reached", "check the network and `NEMO_API_URL`"),
    ("`RenderError`", "a render failed", "the message names the file and the segment"),
]
ERROR_TABLE = "\n".join(
    ["| error | when | what to do |", "|---|---|---|"]
    + [f"| {name} | {when} | {todo} |" for name, when, todo in ERRORS]
)

CLOUD: list[Cell] = [
    (
        MD,
        """\
# nemowidgets on the NemoVideo cloud

The same session API, against the cloud backend. Authentication, in order:

* `NEMO_TOKEN` set in the environment: your own token (tokens last 7 days);
* otherwise an **anonymous token** with 100 free credits, fetched with a client id
  that is stored in your config dir and reused.

`NEMO_API_URL` points the session at another server (a `nemowidgets serve` on a
JupyterHub, or a test server). The token is never printed, logged or saved in the
notebook; keep it out of your cells too: set it in the environment.""",
    ),
    (
        CODE,
        """\
from pathlib import Path

import nemowidgets
from nemowidgets.samples import make_samples

session = nemowidgets.Session.cloud()  # NEMO_TOKEN, else an anonymous token
session.connect()
print("backend:", session.backend, "| server:", session.base_url)""",
    ),
    (
        MD,
        """\
## Credits

| what | costs credits? |
|---|---|
| prompts to the agent (every edit of the draft) | **yes** |
| uploads, reading the state, the balance | no |
| **export** (rendering the MP4) | **no, export is free** |

`frozen` credits are held by work in progress and released when it ends.""",
    ),
    (
        CODE,
        """\
before = session.credits()
before""",
    ),
    (
        CODE,
        """\
media = Path("sample-media")
make_samples(media, photos=3, music_seconds=10)
[m.filename for m in session.upload(media)]""",
    ),
    (
        CODE,
        """\
turn = session.send("turn my photos into a smooth video slideshow with transitions and music")
print(turn.reply)
after = session.credits()
print(f"credits: {before.available:g} -> {after.available:g}")""",
    ),
    (
        CODE,
        """\
exported = session.draft
print(exported.summary())
exported.to_dataframe()[["track", "kind", "segment", "start", "end", "duration", "name"]]""",
    ),
    (
        CODE,
        """\
result = session.export(path="cloud-slideshow.mp4")  # free
print(f"{result.path.name}: {result.duration:.1f} s, {result.width}x{result.height}")""",
    ),
    (
        CODE,
        """\
from IPython.display import Video

Video(str(result.path), embed=True, width=640)""",
    ),
    (
        MD,
        f"""\
## When something goes wrong

Every error is a `nemowidgets.NemoError` with a `message` and a `hint` (the action
to take); the Studio shows both.

{ERROR_TABLE}

Files are checked before anything is sent:""",
    ),
    (
        CODE,
        """\
Path("notes.txt").write_text("not a photo")
try:
    session.upload(Path("notes.txt"))
except nemowidgets.UnsupportedFileError as err:
    print(f"{type(err).__name__}: {err.message}\\nhint: {err.hint}")""",
    ),
]

#: The Voila app (``nemowidgets demo --voila``): the Studio alone, shown at once.  Voila
#: shows every output and runs all cells before the page appears, so: no export, no
#: printed lists, no second video, no notebook instructions.
APP: list[Cell] = [
    (
        MD,
        """\
# nemowidgets Studio

Turn photos and music into a video. **Add media**: drop files from your computer
anywhere below, click *From browser*, or pick the `sample-media` folder with
*Select* and *Add*. Then **describe the video** (or click an example), press *Send*,
and **Export**. Everything runs on this machine; nothing is uploaded elsewhere.""",
    ),
    (
        CODE,
        """\
import nemowidgets
from nemowidgets.samples import make_samples

_ = make_samples("sample-media", photos=3, music_seconds=10)
nemowidgets.studio(nemowidgets.Session.local())""",
    ),
]

TEACHING: list[Cell] = [
    (
        MD,
        """\
# Lesson: a photo slideshow, step by step

**You will:** upload photos and music, ask an agent for a slideshow, inspect the
timeline with pandas, change it by prompt *and* by editing the data, compare
versions, and render a preview and the final video.

Everything runs on the local backend bundled with nemowidgets (no account needed).""",
    ),
    (
        MD,
        """\
## Step 1: photos and music

We generate three photos and a song (`make_samples`); any folder of your own works the
same way. A **session** holds everything: uploaded media, the draft, its history.""",
    ),
    (
        CODE,
        """\
import copy
from pathlib import Path

import nemowidgets
from IPython.display import Video, display
from nemowidgets.samples import make_samples

media = Path("lesson-media")
make_samples(media, photos=3, music_seconds=10)
session = nemowidgets.Session.local()
uploaded = session.upload(media)
[(m.filename, m.file_type, m.width, m.height) for m in uploaded]""",
    ),
    (
        MD,
        """\
## Step 2: ask for a slideshow

The agent understands plain English: durations, transitions, music, titles,
aspect ratios (try *"make it 9:16 for TikTok"* later).""",
    ),
    (
        CODE,
        """\
turn = session.send("make a slideshow with crossfades and music, 2 seconds per photo")
print(turn.reply)
first = session.draft
first""",
    ),
    (
        MD,
        """\
## Step 3: inspect the draft with pandas

`to_dataframe()` gives one row per **segment**: a photo on the video track, the song on
the audio track, maybe a title. Times are in seconds.""",
    ),
    (
        CODE,
        """\
df = first.to_dataframe()
print("total length:", first.duration, "s")
photos = df[df["kind"] == "photo"][["segment", "name", "start", "end", "duration"]]
photos""",
    ),
    (
        MD,
        """\
**Question:** the photos last 2 s each, yet the video is shorter than 2 s × the
number of photos. Why? *(Hint: look at `start` and `end` of neighbouring photos:
transitions overlap.)*

A bar chart of the durations (with matplotlib if it is installed, else drawn in the
table itself):""",
    ),
    (
        CODE,
        """\
try:
    import matplotlib  # noqa: F401

    photos.plot.barh(x="name", y="duration", legend=False, title="seconds per photo")
except ImportError:
    display(photos.style.bar(subset=["duration"], color="#8ab4f8").format(precision=2))""",
    ),
    (
        MD,
        """\
## Step 4: change it by prompt

Each prompt makes a new **version** of the draft; `diff` says what changed.""",
    ),
    (
        CODE,
        """\
turn = session.send("make the second photo 4 seconds")
print(turn.reply)
print("changes:", first.diff(session.draft))
session.draft.to_dataframe()[["segment", "name", "start", "duration"]]""",
    ),
    (
        MD,
        """\
## Step 5: change it by editing the data

The draft is a plain dict (`draft.raw`): tracks `t`, each with a type `tt`
(0 video, 1 music, 7 text) and segments `sg`. We copy it, switch every transition to
a *wipe* and turn the music down to 40 %, and check the change with `diff`.""",
    ),
    (
        CODE,
        """\
edited = copy.deepcopy(session.draft.raw)
for track in edited["t"]:
    for seg in track["sg"]:
        if seg.get("tr"):
            seg["tr"]["type"] = "wipe"
        if track["tt"] == 1:
            seg["vol"] = 0.4
exported = nemowidgets.Draft(edited)
print("changes:", session.draft.diff(exported))""",
    ),
    (
        MD,
        """\
## Step 6: a quick preview, then the full video

`"preview"` renders a small, fast version to check the timing; the default quality is
the full 1920×1080. `draft=` renders our edited version.""",
    ),
    (
        CODE,
        """\
preview = session.export("preview", draft=exported, path="lesson-preview.mp4")
print(f"preview: {preview.width}x{preview.height}, {preview.duration:.1f} s")
Video(str(preview.path), embed=True, width=480)""",
    ),
    (
        CODE,
        """\
result = session.export(draft=exported, path="lesson-slideshow.mp4")
print(f"final: {result.width}x{result.height}, {result.duration:.1f} s")
Video(str(result.path), embed=True, width=640)""",
    ),
    (
        MD,
        """\
## Try it yourself

* Ask for *"fit the slideshow to the music"* and compare the total length.
* Add a title: *"add the title 'Our trip' at the start"*.
* Go back in time: `session.history` lists every version; `session.restore(0)`.""",
    ),
]

NOTEBOOK_CELLS: dict[str, list[Cell]] = {
    "quickstart.ipynb": QUICKSTART,
    "app.ipynb": APP,
    "cloud.ipynb": CLOUD,
    "teaching.ipynb": TEACHING,
}


def build(cells: list[Cell]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {
            "name": "python3",
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        },
        "language_info": {"name": "python"},
    }
    for i, (kind, source) in enumerate(cells):
        make = nbformat.v4.new_markdown_cell if kind == MD else nbformat.v4.new_code_cell
        cell = make(source)
        cell["id"] = f"cell-{i:02d}"  # stable ids keep regenerated files identical
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def render(cells: list[Cell]) -> str:
    return nbformat.writes(build(cells)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a notebook is stale")
    args = parser.parse_args(argv)
    NOTEBOOKS.mkdir(exist_ok=True)
    stale = []
    for name, cells in NOTEBOOK_CELLS.items():
        path, text = NOTEBOOKS / name, render(cells)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"stale notebooks: {', '.join(stale)}; run python tools/make_notebooks.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
