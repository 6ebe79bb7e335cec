"""Write the README's error table from ``nemowidgets.api.errors``.

The tree drawn in that module's docstring is the source: each line gives a class
and what it means; the classes give the protocol code, the HTTP status and the
hint every message carries.  ``--check`` exits 1 when the README is stale.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import readme_block

from nemowidgets.api import errors

NAME = "errors-table"
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
    start, end = readme_block.markers(NAME)
    lines = [
        start,
        "| Exception | Code | When | What the message tells you to do |",
        "|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows()]
    lines.append(end)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the README is stale")
    args = parser.parse_args(argv)
    block = render()
    if args.check:
        if not readme_block.is_current(NAME, block):
            print("README's error table is stale: run python tools/error_table.py")
            return 1
        return 0
    changed = readme_block.write(NAME, block)
    print("README error table " + ("updated" if changed else "already up to date"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
