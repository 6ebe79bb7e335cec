"""The command line's parser: one sub-command per job (``demo``, ``render``, ``serve``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from nemowidgets._version import __version__
from nemowidgets.cli._demo import cmd_demo
from nemowidgets.cli._render import DEFAULT_PROMPT, cmd_render
from nemowidgets.cli._serve import cmd_serve
from nemowidgets.protocol import RENDER_QUALITIES

__all__ = ["build_parser"]

if TYPE_CHECKING:
    # argparse names the type of add_subparsers() privately; typeshed types it so.
    Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]  # noqa: SLF001


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nemowidgets",
        description="Turn photos and music into videos: notebooks, a headless render, a server.",
    )
    parser.add_argument("--version", action="version", version=f"nemowidgets {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    _add_demo(sub)
    _add_render(sub)
    _add_serve(sub)
    return parser


def _add_demo(sub: Subcommands) -> None:
    """``demo``: copy the quickstart notebook and open it."""
    demo = sub.add_parser(
        "demo",
        help="open the quickstart notebook in JupyterLab (or Voila)",
        description="Copy the quickstart notebook into a folder (the current one by default, "
        "never overwriting your copy) and open it in JupyterLab, or in Voila with --voila.",
    )
    demo.add_argument("--voila", action="store_true", help="open it as a Voila app instead")
    demo.add_argument("--no-browser", action="store_true", help="do not open a browser")
    demo.add_argument("--port", type=int, default=None, help="port for the Jupyter server")
    demo.add_argument(
        "--dir", type=Path, default=None, help="folder for the notebook (default: current)"
    )
    demo.set_defaults(func=cmd_demo)


def _add_render(sub: Subcommands) -> None:
    """``render``: photos and music to an MP4, headless."""
    render = sub.add_parser(
        "render",
        help="photos + music -> MP4, headless, with a progress bar",
        description="Upload photos (files or folders) and music, ask the agent for a slideshow, "
        "export the MP4 and print its path. Runs on the embedded local backend: no account, "
        "no network.",
    )
    render.add_argument("photos", nargs="*", type=Path, help="photos, videos or folders of them")
    render.add_argument(
        "--music", type=Path, default=None, help="background music (mp3 wav m4a aac)"
    )
    render.add_argument(
        "--prompt", default=DEFAULT_PROMPT, help="what to make (default: %(default)r)"
    )
    render.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("slideshow.mp4"),
        help="the MP4 to write (default: %(default)s)",
    )
    render.add_argument(
        "--quality",
        choices=RENDER_QUALITIES,
        default="high",
        help="high = the draft's canvas (1080p); preview = quick low resolution",
    )
    render.add_argument(
        "--sample",
        action="store_true",
        help="use generated sample photos and music when none are given",
    )
    render.add_argument(
        "--cloud",
        action="store_true",
        help="use the cloud backend (NEMO_TOKEN or an anonymous token)",
    )
    render.add_argument(
        "--batch",
        nargs="+",
        type=Path,
        default=None,
        metavar="DIR",
        help="one video per folder, each with its own prompt.txt (else --prompt), "
        "rendered side by side",
    )
    render.add_argument(
        "--out-dir",
        type=Path,
        default=None,
        help="with --batch: where the videos go, <folder name>.mp4 (default: current folder)",
    )
    render.add_argument("-q", "--quiet", action="store_true", help="no progress bar or agent text")
    render.add_argument(
        "-v", "--verbose", action="store_true", help="also show the library's log messages"
    )
    render.set_defaults(func=cmd_render)


def _add_serve(sub: Subcommands) -> None:
    """``serve``: a standalone local backend."""
    serve = sub.add_parser(
        "serve",
        help="run a standalone local backend (for JupyterHub, Binder, several notebooks)",
        description="Run the local backend until Ctrl+C. Clients use it with "
        "NEMO_API_URL=http://HOST:PORT and NEMO_TOKEN=<token>.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface (default: loopback only)")
    serve.add_argument("--port", type=int, default=8765, help="port (default: %(default)s)")
    serve.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where media, drafts and renders are stored "
        "(default: NEMO_LOCAL_DATA_DIR or the user data dir)",
    )
    serve.add_argument(
        "--token",
        default=None,
        help="the token clients must send (default: NEMO_TOKEN, else a new one printed once)",
    )
    serve.set_defaults(func=cmd_serve)
