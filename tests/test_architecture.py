"""The layering rules of docs/architecture.md, checked on the source: data flows one way.

``widgets → session → (draft, routing, api) → protocol``; ``local → protocol``.
A violation here is a design bug even when every other test passes, because it
is how a server ends up sharing state with its client, or a widget grows its
own HTTP client.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nemowidgets"

# For each layer: the nemowidgets modules it may import (prefix match).
ALLOWED: dict[str, tuple[str, ...]] = {
    "nemowidgets.local": ("nemowidgets.local", "nemowidgets.protocol", "nemowidgets._version"),
    # Inside local/, by concern: server -> (store, agent, render); store -> render;
    # agent and render are pure (a draft in, a draft or frames out); faults is a leaf.
    "nemowidgets.local.agent": ("nemowidgets.local.agent", "nemowidgets.protocol"),
    "nemowidgets.local.render": ("nemowidgets.local.render", "nemowidgets.protocol"),
    "nemowidgets.local.store": (
        "nemowidgets.local.store",
        "nemowidgets.local.render",
        "nemowidgets.local.faults",
        "nemowidgets.protocol",
    ),
    "nemowidgets.local.faults": ("nemowidgets.protocol",),
    "nemowidgets.api": ("nemowidgets.api", "nemowidgets.protocol", "nemowidgets._version"),
    "nemowidgets.draft": ("nemowidgets.draft", "nemowidgets.api.errors", "nemowidgets.protocol"),
    "nemowidgets.routing": ("nemowidgets.routing", "nemowidgets.protocol"),
    "nemowidgets.widgets": (
        "nemowidgets.widgets",
        "nemowidgets.session",
        "nemowidgets._media_files",  # the session layer's file rules (which files a folder holds)
        "nemowidgets.draft",
        "nemowidgets.routing",
        "nemowidgets.protocol",
        "nemowidgets.api.errors",
        "nemowidgets.api.models",
        "nemowidgets.api.events",
        "nemowidgets.api.media",
        "nemowidgets._version",
    ),
}

# Session launches the embedded server (and only that) from nemowidgets.local.
SESSION_MAY_LAUNCH = "nemowidgets.local.server.launch"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    module = _module_name(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against this module's package
                base = module.split(".")
                is_pkg = path.name == "__init__.py"
                base = base if is_pkg else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.add(name)
    return {name for name in found if name.startswith("nemowidgets")}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layer_imports_only_downward(path: Path) -> None:
    module = _module_name(path)
    for layer, allowed in ALLOWED.items():
        if module == layer or module.startswith(layer + "."):
            bad = {imp for imp in _imports(path) if not imp.startswith(allowed)}
            assert not bad, f"{module} must not import {sorted(bad)}"


def test_session_touches_local_only_to_launch() -> None:
    path = PACKAGE / "session.py"
    if not path.exists():
        pytest.fail("nemowidgets/session.py is missing")
    local = {imp for imp in _imports(path) if imp.startswith("nemowidgets.local")}
    assert local <= {SESSION_MAY_LAUNCH}, local
