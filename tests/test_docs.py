"""The documentation lives in the repository, and the code only cites documents that exist there.

A comment that points at notes outside the repository ("see the design notes", a
file on somebody's machine) cannot be followed by the next reader, and it goes
stale without anyone noticing.  So every ``*.md`` path named in the package must
be a file of this repository, given relative to its root (``docs/protocol.md``),
and the README must link the two documents that explain the code.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Trees whose every text file is checked; in tests/ only comments and docstrings
#: (test data may name a ``.md`` file that is not meant to exist).
FULL_TEXT = ("nemowidgets", "tools", "benchmarks", "scripts")
_URL = re.compile(r"[A-Za-z][\w+.-]*://\S+")
_MD_PATH = re.compile(r"(?<![\w.\-/\\])(?:\.{1,2}/|/|~/)?[\w\-./]*\w\.md\b")
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def cited_documents(text: str) -> list[str]:
    """The ``.md`` paths named in ``text`` (URLs left out: they point at the web, not a file)."""
    return _MD_PATH.findall(_URL.sub(" ", text))


def missing_document(cited: str) -> str | None:
    """Why ``cited`` is not a document of this repository, or ``None`` if it is one."""
    if cited.startswith(("/", "~")):
        return "an absolute path, outside the repository"
    target = (ROOT / cited).resolve()
    if not target.is_relative_to(ROOT):
        return "outside the repository"
    if not target.is_file():
        return "no such file relative to the repository root"
    return None


def _python_prose(source: str) -> str:
    """The comments and docstrings of a Python file."""
    pieces: list[str] = []
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    pieces += [tok.string for tok in tokens if tok.type == tokenize.COMMENT]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                pieces.append(doc)
    return "\n".join(pieces)


def _texts() -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    for tree in FULL_TEXT:
        for path in sorted((ROOT / tree).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            try:
                out.append((path, path.read_text(encoding="utf-8")))
            except UnicodeDecodeError:  # fonts, images: no prose to check
                continue
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path.resolve() != Path(__file__).resolve():
            out.append((path, _python_prose(path.read_text(encoding="utf-8"))))
    return out


def test_the_code_cites_only_documents_of_the_repository() -> None:
    bad = [
        f"{path.relative_to(ROOT)}: {cited!r} is {why}"
        for path, text in _texts()
        for cited in cited_documents(text)
        if (why := missing_document(cited)) is not None
    ]
    assert not bad, (
        "Cite documents by their path in the repository (e.g. docs/protocol.md):\n" + "\n".join(bad)
    )


def test_the_check_catches_documents_that_are_not_here() -> None:
    """The check above can fail: outside notes, bare names and escapes are all caught."""
    outside = "PROTO" + "COL.md"  # split, so this file does not cite it itself
    text = (
        f"see {outside} and notes/{outside}, /srv/{outside}, ../x/{outside}; "
        "also docs/protocol.md and https://example.org/README.md"
    )
    cited = cited_documents(text)
    assert cited == [outside, f"notes/{outside}", f"/srv/{outside}", f"../x/{outside}",
                     "docs/protocol.md"]  # fmt: skip
    assert [missing_document(c) is None for c in cited] == [False, False, False, False, True]


@pytest.mark.parametrize("doc", ["docs/protocol.md", "docs/architecture.md"])
def test_readme_links_the_documentation(doc: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"]({doc})" in readme, f"README.md does not link {doc}"
    assert (ROOT / doc).is_file()


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@pytest.mark.parametrize(
    "page", ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]
)
def test_relative_links_of_the_documentation_resolve(page: str) -> None:
    path = ROOT / page
    text = path.read_text(encoding="utf-8")
    anchors = {_slug(m) for m in re.findall(r"^#+ (.+)$", text, re.M)}
    broken = []
    for link in _LINK.findall(text):
        if _URL.match(link) or link.startswith("mailto:"):
            continue
        target, _, anchor = link.partition("#")
        found = (path.parent / target).exists() if target else anchor in anchors
        if not found:
            broken.append(link)
    assert not broken, f"{page}: broken links {broken}"
