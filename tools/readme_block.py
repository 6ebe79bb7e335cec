"""Generated blocks of README.md: ``<!-- name -->`` … ``<!-- /name -->``.

Figures a reader trusts (error codes, reliability numbers) are produced from the
code by scripts, never typed; each script owns one marked block and nothing else,
because people edit the rest of the README by hand.
"""

from __future__ import annotations

import os
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name} -->", f"<!-- /{name} -->"


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
