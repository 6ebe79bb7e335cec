"""Generated blocks of README.md and docs/: ``<!-- name -->`` … ``<!-- /name -->``.

Figures a reader trusts (error codes, reliability numbers) are produced from the
code by scripts, never typed; each script owns one marked block of one page and
nothing else, because people edit the rest of the page by hand.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name} -->", f"<!-- /{name} -->"


def block(name: str, lines: Iterable[str]) -> str:
    """Block ``name``: ``lines`` between its markers, ending with a newline."""
    start, end = markers(name)
    return "\n".join([start, *lines, end]) + "\n"


def splice(readme: str, name: str, block: str, *, heading: str = "") -> str:
    """``readme`` with block ``name`` replaced by ``block`` (which includes its markers).

    A lone opening marker (a placeholder) is replaced; with no marker at all the
    block is appended, under ``heading`` when one is given.
    """
    start_marker, end_marker = markers(name)
    start, end = readme.find(start_marker), readme.find(end_marker)
    if start != -1 and end > start:
        return readme[:start] + block.rstrip("\n") + readme[end + len(end_marker) :]
    if start != -1:
        return readme[:start] + block.rstrip("\n") + readme[start + len(start_marker) :]
    sep = "" if readme.endswith("\n\n") else ("\n" if readme.endswith("\n") else "\n\n")
    return readme + sep + (f"{heading}\n\n" if heading else "") + block


def current(readme: str, name: str) -> str | None:
    start_marker, end_marker = markers(name)
    start, end = readme.find(start_marker), readme.find(end_marker)
    if start == -1 or end < start:
        return None
    return readme[start : end + len(end_marker)] + "\n"


def write(name: str, block: str, readme_path: Path = README, *, heading: str = "") -> bool:
    """Rewrite one block if it changed; re-read first, replace atomically."""
    text = readme_path.read_text(encoding="utf-8") if readme_path.exists() else ""
    new = splice(text, name, block, heading=heading)
    if new == text:
        return False
    tmp = readme_path.with_name(f".{readme_path.name}.{os.getpid()}.tmp")
    tmp.write_text(new, encoding="utf-8")
    os.replace(tmp, readme_path)
    return True


def is_current(name: str, block: str, readme_path: Path = README) -> bool:
    text = readme_path.read_text(encoding="utf-8") if readme_path.exists() else ""
    return current(text, name) == block


def run_cli(
    name: str,
    render: Callable[[], str],
    description: str,
    argv: Sequence[str] | None = None,
    *,
    what: str,
    heading: str = "",
    printable: bool = False,
    page: Path = README,
) -> int:
    """The command line of a block's script: rewrite the block, or ``--check`` it (exit 1 if stale).

    ``what`` names the block in messages ("error table"); ``printable`` adds
    ``--print`` (the block on stdout, nothing written).  The stale message names
    the script to run: the file that defines ``render``.  ``page`` is the file
    that holds the block (the README unless told otherwise).
    """
    parser = argparse.ArgumentParser(description=description)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="exit 1 if the README is stale")
    if printable:
        group.add_argument("--print", action="store_true", help="print the block, write nothing")
    args = parser.parse_args(argv)
    block = render()
    shown = page.relative_to(ROOT) if page.is_relative_to(ROOT) else page
    if getattr(args, "print", False):
        sys.stdout.write(block)
        return 0
    if args.check:
        if not is_current(name, block, page):
            script = Path(render.__code__.co_filename).name
            print(f"{shown}'s {what} is stale: run python tools/{script}")
            return 1
        return 0
    changed = write(name, block, page, heading=heading)
    print(f"{shown} {what} " + ("updated" if changed else "already up to date"))
    return 0
