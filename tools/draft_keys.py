"""Write the draft-keys table of docs/protocol.md from ``nemowidgets.protocol``'s docstring.

The segment keys of the local draft are defined once, in the protocol module's
docstring (the one module client and server share); docs/protocol.md shows the
same table, generated here.  ``--check`` exits 1 when the page is stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import readme_block

from nemowidgets import protocol

NAME = "draft-keys"
PAGE = readme_block.ROOT / "docs/protocol.md"
_ROW = re.compile(r"^``(?P<key>\w+)``\s+(?P<text>.+)$")


def rows() -> list[tuple[str, str]]:
    """``(key, meaning)`` pairs of the docstring's segment-key table (continuations joined)."""
    doc = protocol.__doc__ or ""
    table = doc.split("Segment keys", 1)[1].split("========", 1)[1]
    out: list[tuple[str, str]] = []
    for line in table.splitlines():
        if line.startswith("========"):
            if out:
                break
            continue
        match = _ROW.match(line)
        if match:
            out.append((match["key"], match["text"].strip()))
        elif out and line.strip():
            key, text = out[-1]
            out[-1] = (key, f"{text} {line.strip()}")
    return out


def render() -> str:
    lines = [
        "Segment keys of the local backend's draft (times in milliseconds); the source is the",
        "docstring of `nemowidgets/protocol.py`. Tracks: `tt` 0 video, 1 audio (music), 7 text.",
        "",
        "| key | meaning |",
        "|---|---|",
    ]
    lines += [f"| `{key}` | {text.replace('``', '`')} |" for key, text in rows()]
    return readme_block.block(NAME, lines)


def main(argv: list[str] | None = None) -> int:
    description = __doc__.splitlines()[0]
    return readme_block.run_cli(NAME, render, description, argv, what="draft-keys table", page=PAGE)


if __name__ == "__main__":
    raise SystemExit(main())
