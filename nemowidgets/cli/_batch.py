"""``nemowidgets render --batch DIR...``: one video per folder, each with its own prompt.

Each folder's ``prompt.txt`` is its prompt (else ``--prompt``); the videos are
``<out-dir>/<folder name>.mp4``.  A folder that fails is reported and the others
finish; the exit code is 1 if any failed.  Progress: one line per item and stage,
and its render percentage every 25 %.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from nemowidgets.cli._common import EXIT_ERROR, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from nemowidgets.session import BatchProgress

__all__ = ["cmd_batch"]


def _printer(quiet: bool) -> Callable[[BatchProgress], None]:
    lock = threading.Lock()
    shown: dict[str, tuple[str, int]] = {}

    def show(progress: BatchProgress) -> None:
        step = (progress.stage, int(progress.percent // 25))
        if quiet or shown.get(progress.name) == step or progress.stage == "queued":
            return
        shown[progress.name] = step
        text = f"{progress.name}: {progress.stage}"
        if progress.stage == "render":
            where = f" on {progress.where}" if progress.where else ""
            text += f" {progress.percent:.0f}%{where}"
        with lock:
            print(text, file=sys.stderr, flush=True)

    return show


def cmd_batch(args: argparse.Namespace) -> int:
    folders: list[Path] = [Path(p).expanduser() for p in args.batch]
    for folder in folders:
        if not folder.is_dir():
            raise UsageError(f"--batch {folder}: not a folder")
    out_dir: Path = (args.out_dir or Path.cwd()).expanduser().resolve()
    if not out_dir.is_dir():
        raise UsageError(f"--out-dir {out_dir}: folder does not exist")
    from nemowidgets.session import batch

    results = batch(
        folders,
        args.prompt,
        quality=args.quality,
        out_dir=out_dir,
        progress=_printer(args.quiet),
        backend="cloud" if args.cloud else "local",
    )
    failed = [r for r in results if not r.ok]
    for result in results:
        if result.ok:
            print(result.path)
        else:
            print(f"{result.name}: failed: {result.error}", file=sys.stderr)
    print(f"{len(results) - len(failed)} of {len(results)} videos made.", file=sys.stderr)
    return EXIT_ERROR if failed else 0
