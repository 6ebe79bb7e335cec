"""The ``nemowidgets`` command: ``demo``, ``render`` and ``serve``.

``render`` is the main job without a notebook: photos (and music) in, an MP4 out,
through the same :class:`~nemowidgets.session.Session` the widgets use, so the
CLI exercises exactly what a notebook user gets.  ``demo`` opens the quickstart
in JupyterLab (or Voila); ``serve`` runs a standalone local backend for several
notebooks (a JupyterHub, a Binder).

Exit codes: 0 done; 1 a :class:`~nemowidgets.api.errors.NemoError` (its message
and the action to take are printed, never a traceback); 2 bad usage (a missing
file, an unknown option); 130 interrupted.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from nemowidgets._version import __version__
from nemowidgets.protocol import RENDER_QUALITIES, SUPPORTED_FORMATS_TEXT, media_kind

if TYPE_CHECKING:
    from nemowidgets.session import Session, SessionEvent

__all__ = ["DEFAULT_PROMPT", "ProgressBar", "build_parser", "find_notebook", "main"]

DEFAULT_PROMPT = "turn my photos into a smooth video slideshow with transitions and music"
QUICKSTART = "quickstart.ipynb"
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A problem with the command line itself (exit code 2)."""


# -- progress bar --------------------------------------------------------------------


class ProgressBar:
    """A one-line text bar redrawn with ``\\r`` on a stream (stderr): no dependency.

    Called from the Session's loop thread, so drawing is locked, and redraws are
    limited to changes of the shown percentage or label (a 1,000-event burst costs
    a handful of writes).
    """

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self._lock = threading.Lock()
        self._last: tuple[str, int] | None = None
        self._open = False

    def update(self, label: str, percent: float) -> None:
        pct = max(0, min(100, int(percent)))
        with self._lock:
            if self._last == (label, pct):
                return
            if self._open and self._last and self._last[0] != label:
                self.stream.write("\n")  # a new phase starts on its own line
            self._last = (label, pct)
            filled = round(self.width * pct / 100)
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r{label:<10} [{bar}] {pct:3d}%")
            self.stream.flush()
            self._open = True

    def finish(self) -> None:
        """End the current line (so the next message starts cleanly)."""
        with self._lock:
            if self._open:
                self.stream.write("\n")
                self.stream.flush()
            self._open = False
            self._last = None

    def message(self, text: str) -> None:
        """Print a line of text, moving past an open bar first."""
        self.finish()
        with self._lock:
            self.stream.write(text + "\n")
            self.stream.flush()


# -- parser --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nemowidgets",
        description="Turn photos and music into videos: notebooks, a headless render, a server.",
    )
    parser.add_argument("--version", action="version", version=f"nemowidgets {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

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
    demo.set_defaults(func=_cmd_demo)

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
    render.add_argument("-q", "--quiet", action="store_true", help="no progress bar or agent text")
    render.add_argument(
        "-v", "--verbose", action="store_true", help="also show the library's log messages"
    )
    render.set_defaults(func=_cmd_render)

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
    serve.set_defaults(func=_cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (the console script exits with it)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"nemowidgets {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # NemoError is imported lazily; check by type below
        from nemowidgets.api.errors import NemoError

        if not isinstance(exc, NemoError):
            raise
        print(f"nemowidgets {args.command}: error: {exc.message}", file=sys.stderr)
        if exc.hint and exc.hint not in exc.message:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return EXIT_ERROR


# -- render --------------------------------------------------------------------------


def _check_inputs(photos: Sequence[Path], music: Path | None) -> list[Path]:
    """Fail fast, before any server starts, on files that do not exist or cannot be used."""
    items: list[Path] = []
    for path in photos:
        if not path.exists():
            raise UsageError(f"photo not found: {path}")
        if path.is_file() and media_kind(path.name) is None:
            raise UsageError(f"{path} is not a supported file. Supported: {SUPPORTED_FORMATS_TEXT}")
        items.append(path.resolve())
    if music is not None:
        if not music.is_file():
            raise UsageError(f"music file not found: {music}")
        if media_kind(music.name) != "audio":
            raise UsageError(f"--music {music} is not an audio file (mp3 wav m4a aac)")
        items.append(music.resolve())
    return items


def _total_bytes(items: Sequence[Path]) -> int:
    """Bytes to upload: the files, and the supported files of each folder."""
    total = 0
    for item in items:
        files = sorted(item.iterdir()) if item.is_dir() else [item]
        total += sum(f.stat().st_size for f in files if f.is_file() and media_kind(f.name))
    return total


def _progress_observer(bar: ProgressBar, upload_bytes: int) -> Callable[[SessionEvent], None]:
    """Session events -> the text bar (runs on the Session's loop thread).

    Upload progress arrives per file; the bar shows all files together.
    """
    sent: dict[str, int] = {}

    def on_event(event: SessionEvent) -> None:
        data: dict[str, Any] = event.data
        if event.kind == "upload_progress":
            sent[str(data.get("filename"))] = int(data.get("sent") or 0)
            total = max(upload_bytes, sum(sent.values()), 1)
            bar.update("upload", 100.0 * sum(sent.values()) / total)
        elif event.kind == "render_progress":
            job = data.get("job")
            bar.update("export", float(getattr(job, "progress", 0) or 0))
        elif event.kind == "notice":
            bar.message(str(data.get("text", "")))

    return on_event


def _open_session(cloud: bool) -> Session:
    from nemowidgets.session import Session

    return Session.cloud() if cloud else Session.local()


def _cmd_render(args: argparse.Namespace) -> int:
    photos: list[Path] = list(args.photos)
    music: Path | None = args.music
    if not photos and not args.sample:
        raise UsageError("give photos (files or folders), or --sample to use generated ones")
    items = _check_inputs(photos, music)
    output: Path = args.output.expanduser().resolve()
    if output.suffix.lower() != ".mp4":
        raise UsageError(f"-o {args.output}: the output must be an .mp4 file")
    if not output.parent.is_dir():
        raise UsageError(f"-o {args.output}: folder {output.parent} does not exist")

    bar = ProgressBar(stream=io.StringIO() if args.quiet else sys.stderr)
    # Errors are printed once, below, with their hint; the library's own warnings would
    # repeat them (the Session also logs what it emits as error events).
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    else:
        logging.getLogger("nemowidgets").addHandler(logging.NullHandler())
    with tempfile.TemporaryDirectory(prefix="nemowidgets-sample-") as tmp:
        if not photos:  # --sample
            from nemowidgets.samples import make_samples

            samples = make_samples(tmp)
            items = [p for p in samples if media_kind(p.name) == "image"]
            items += [music.resolve()] if music else [p for p in samples if p not in items]
        return _render(items, args, output, bar)


def _render(items: list[Path], args: argparse.Namespace, output: Path, bar: ProgressBar) -> int:
    session = _open_session(args.cloud)
    unsubscribe = session.observe(_progress_observer(bar, _total_bytes(items)))
    started = time.monotonic()
    try:
        session.connect()
        bar.update("upload", 0)
        session.upload(items)
        bar.finish()
        bar.message(f"uploaded {len(session.media)} files; asking: {args.prompt!r}")
        turn = session.send(args.prompt)
        if turn.error is not None:  # the turn ended in an error the Session reported
            raise turn.error
        if turn.reply:
            bar.message(f"agent: {turn.reply}")
        if session.draft is None or not session.draft.is_exportable:
            from nemowidgets.api.errors import DraftError

            raise DraftError(
                f"The agent built no timeline from the prompt {args.prompt!r}.",
                hint="Try the default prompt, or say e.g. 'make a slideshow with music'.",
            )
        bar.update("export", 0)
        result = session.export(args.quality, path=output)
        bar.finish()
    except KeyboardInterrupt:
        bar.finish()
        session.cancel()
        raise
    except Exception:
        bar.finish()  # the error message starts on a line of its own
        raise
    finally:
        unsubscribe()
        session.close()
    size = f"{result.width}x{result.height}" if result.width else ""
    length = f"{result.duration:.1f} s" if result.duration else ""
    took = time.monotonic() - started
    bar.message(f"done in {took:.0f} s: {' '.join(x for x in (length, size) if x)}")
    print(result.path)
    return 0


# -- serve ---------------------------------------------------------------------------


def _cmd_serve(args: argparse.Namespace) -> int:
    from nemowidgets.local.server.launch import serve

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: must be 0-65535")
    data_dir = args.data_dir.expanduser().resolve() if args.data_dir else None
    return serve(host=args.host, port=args.port, data_dir=data_dir, token=args.token)


# -- demo ----------------------------------------------------------------------------


def find_notebook(name: str = QUICKSTART) -> Path:
    """The shipped notebook: inside the installed package, or the checkout's notebooks/."""
    here = Path(__file__).resolve().parent
    for folder in (here / "notebooks", here.parent / "notebooks"):
        if (folder / name).is_file():
            return folder / name
    raise UsageError(f"{name} is not part of this installation (looked in {here})")


def _cmd_demo(args: argparse.Namespace) -> int:
    folder: Path = (args.dir or Path.cwd()).expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / QUICKSTART
    if target.exists():
        print(f"using your copy: {target}", file=sys.stderr)
    else:
        shutil.copyfile(find_notebook(), target)
        print(f"copied the quickstart to {target}", file=sys.stderr)

    module = "voila" if args.voila else "jupyterlab"
    if not _importable(module):
        raise UsageError(f"{module} is not installed: pip install 'nemowidgets[notebook]'")
    cmd = [sys.executable, "-m", module, QUICKSTART]
    if args.no_browser:
        cmd.append("--no-browser")
    if args.port is not None:
        cmd.append(f"--port={args.port}")
    if not args.voila and hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers often run as root, which JupyterLab refuses without this flag.
        print("running as root: passing --allow-root to JupyterLab", file=sys.stderr)
        cmd.append("--allow-root")
    proc = subprocess.Popen(cmd, cwd=folder)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        # Pass Ctrl+C on (a terminal sent it to Jupyter too: a second one skips Jupyter's
        # "shut down?" question), then give the server time to stop its kernels.
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait()
        raise


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
