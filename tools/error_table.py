"""Write the error table of docs/reference.md from ``nemowidgets.api.errors``.

The tree drawn in that module's docstring is the source: each line gives a class
and what it means; the classes give the protocol code, the HTTP status and the
hint every message carries.  ``--check`` exits 1 when the table is stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import readme_block

from nemowidgets.api import errors

NAME = "errors-table"
PAGE = readme_block.ROOT / "docs/reference.md"
_TREE_LINE = re.compile(r"^[\s│├└─]*(?P<cls>[A-Z]\w+)\s{2,}(?P<what>.+)$")


def rows() -> list[tuple[str, str, str, str]]:
    out = []
    for line in (errors.__doc__ or "").splitlines():
        match = _TREE_LINE.match(line)
        if not match or not hasattr(errors, match["cls"]):
            continue
        cls = getattr(errors, match["cls"])
        what = re.sub(r"^(\d{4}|HTTP \d{3}|HTTP 5xx):\s*", "", match["what"].strip())
        codes = []
        if cls.protocol_code:
            codes.append(f"`{cls.protocol_code}`")
        if cls.http_status:
            codes.append("HTTP 5xx" if cls.http_status == 500 else f"HTTP {cls.http_status}")
        out.append((f"`{cls.__name__}`", ", ".join(codes), what, cls.default_hint))
    return out


def render() -> str:
    lines = ["| Exception | Code | When | What the message tells you to do |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows()]
    return readme_block.block(NAME, lines)


def main(argv: list[str] | None = None) -> int:
    description = __doc__.splitlines()[0]
    return readme_block.run_cli(NAME, render, description, argv, what="error table", page=PAGE)


if __name__ == "__main__":
    raise SystemExit(main())
