"""The layering rules of docs/architecture.md, checked on the source: data flows one way.

``widgets → session → (draft, routing, api) → protocol``; ``local → protocol``.
A violation here is a design bug even when every other test passes, because it
is how a server ends up sharing state with its client, or a widget grows its
own HTTP client.  And no import cycle anywhere in the package: every import
statement counts (module level, inside functions, under ``TYPE_CHECKING``),
because a cycle in the static graph is two modules that cannot be understood,
tested or moved apart.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
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
    "nemowidgets.routing_variants": ("nemowidgets.protocol",),
    "nemowidgets.routing_gui": ("nemowidgets.protocol",),
    "nemowidgets.widgets": (
        "nemowidgets.widgets",
        "nemowidgets.session",
        "nemowidgets.draft",
        "nemowidgets.routing",
        "nemowidgets.protocol",
        "nemowidgets.api.errors",
        "nemowidgets.api.models",
        "nemowidgets.api.events",
        "nemowidgets._version",
    ),
    "nemowidgets.session": (
        "nemowidgets.session",
        "nemowidgets.draft",
        "nemowidgets.routing",
        "nemowidgets.api",
        "nemowidgets.protocol",
        "nemowidgets._version",
        "nemowidgets.local.server.launch",  # see test_session_touches_local_only_to_launch
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


def _imported(path: Path) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every import statement of ``path``: ``(module, names imported from it)``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = _module_name(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against this module's package
                base = module.split(".")
                is_pkg = path.name == "__init__.py"
                base = base if is_pkg else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield name, tuple(alias.name for alias in node.names)


def _imports(path: Path) -> set[str]:
    """The nemowidgets modules ``path`` imports from (``from m import x``: ``m``)."""
    return {name for name, _ in _imported(path) if name.startswith("nemowidgets")}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layer_imports_only_downward(path: Path) -> None:
    module = _module_name(path)
    for layer, allowed in ALLOWED.items():
        if module == layer or module.startswith(layer + "."):
            bad = {imp for imp in _imports(path) if not imp.startswith(allowed)}
            assert not bad, f"{module} must not import {sorted(bad)}"


def _session_modules() -> list[Path]:
    return sorted((PACKAGE / "session").rglob("*.py"))


def test_session_touches_local_only_to_launch() -> None:
    assert _session_modules(), "the nemowidgets/session/ package is missing"
    for path in _session_modules():
        local = {imp for imp in _imports(path) if imp.startswith("nemowidgets.local")}
        assert local <= {SESSION_MAY_LAUNCH}, (path.name, local)


def _is_private_elsewhere(module: str) -> bool:
    """A private module (a ``_name`` part) of another layer than the widgets."""
    parts = module.split(".")
    return module != "nemowidgets._version" and any(p.startswith("_") for p in parts[1:])


@pytest.mark.parametrize("path", sorted((PACKAGE / "widgets").rglob("*.py")), ids=lambda p: p.name)
def test_widgets_use_only_public_session_api(path: Path) -> None:
    """Widgets see the Session's public surface, never its private modules."""
    imported = _graph()[_module_name(path)]
    outside = {m for m in imported if not m.startswith("nemowidgets.widgets")}
    bad = sorted(m for m in outside if _is_private_elsewhere(m))
    assert not bad, f"widgets/{path.name} imports private modules {bad}"


# -- import cycles ---------------------------------------------------------------------


@cache
def _graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports, counting every import statement.

    ``from pkg import name`` is an edge to ``pkg.name`` when that is a module of
    the package, else to ``pkg``; ``import a.b`` is an edge to ``a.b``.
    """
    paths = {_module_name(p): p for p in _modules()}
    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        edges: set[str] = set()
        for name, names in _imported(path):
            subs = {f"{name}.{n}" for n in names if f"{name}.{n}" in paths}
            edges |= subs
            if name in paths and (not names or len(subs) < len(names)):
                edges.add(name)  # `import name`, or names defined in it
        edges.discard(module)
        graph[module] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _area(module: str) -> str:
    """The top-level part of the package a module belongs to (``nemowidgets.local`` ...)."""
    return ".".join(module.split(".")[:2])


def _describe(component: list[str]) -> str:
    graph = _graph()
    lines = [f"  cycle of {len(component)} modules:"]
    for module in component:
        inside = sorted(graph[module] & set(component))
        path = _module_path(module)
        lines.append(f"    {path} imports {', '.join(inside)}")
    return "\n".join(lines)


def _module_path(module: str) -> str:
    for path in _modules():
        if _module_name(path) == module:
            return str(path.relative_to(PACKAGE.parent))
    return module  # pragma: no cover


AREAS = sorted({_area(_module_name(p)) for p in _modules()})


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The detector itself: a known cycle is found, a chain is not."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


@pytest.mark.parametrize("area", AREAS)
def test_no_import_cycle(area: str) -> None:
    """No import cycle touches ``area``; the failure lists every cycle, by file.

    One case per part of the package, so a cycle in one part does not hide
    that another is clean.
    """
    cycles = [c for c in _cycles(_graph()) if any(_area(m) == area for m in c)]
    assert not cycles, f"import cycles touching {area}:\n" + "\n".join(map(_describe, cycles))


# -- size: one concept per module, one step per function --------------------------------------

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

#: Data, not code: tables generated from a source and checked in (none in the package yet).
GENERATED_PARTS = ("generated",)

#: Exceptions, each with the reason; empty, and it should stay so (only ever shrink it).
SIZE_ALLOWED: set[str] = set()


def _sized_modules() -> list[Path]:
    return [
        p
        for p in _modules()
        if not any(part in GENERATED_PARTS for part in p.relative_to(PACKAGE).parts)
    ]


def _too_long() -> list[str]:
    """Every module over MAX_MODULE_LINES and function over MAX_FUNCTION_LINES (physical lines)."""
    found = []
    for path in _sized_modules():
        rel = str(path.relative_to(PACKAGE.parent))
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{rel}: {lines} lines")
        for name, length in _function_lengths(text):
            if length > MAX_FUNCTION_LINES:
                found.append(f"{rel}:{name}: {length} lines")
    return found


def _function_lengths(text: str) -> list[tuple[str, int]]:
    """Every function and method (nested ones too) and its physical lines, from ``def``."""
    return [
        (node.name, (node.end_lineno or node.lineno) - node.lineno + 1)
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def _size_key(entry: str) -> str:
    return entry.rsplit(": ", 1)[0]


def test_no_module_or_function_too_long() -> None:
    """No module over ~400 lines, no function over ~60: split by concept, name the steps.

    A long module mixes concepts and a long function hides its steps; both are
    where a reader gets lost and a bug hides.  The allow-list only shrinks.
    """
    too_long = [e for e in _too_long() if _size_key(e) not in SIZE_ALLOWED]
    assert not too_long, "too long (split by concept, or name the steps):\n" + "\n".join(too_long)


def test_size_allow_list_is_not_stale() -> None:
    """An entry that is short enough now must leave the allow-list, so it cannot grow back."""
    keys = {_size_key(e) for e in _too_long()}
    assert keys >= SIZE_ALLOWED, f"no longer too long, remove: {sorted(SIZE_ALLOWED - keys)}"


def test_the_size_check_counts_physical_lines() -> None:
    """The counter itself: a 61-line method is found as 61, a 60-line function as 60."""
    short = "def short():\n" + "".join(f"    x{i} = {i}\n" for i in range(59))
    long = "class C:\n    async def long(self):\n" + "".join(
        f"        x{i} = {i}\n" for i in range(60)
    )
    assert dict(_function_lengths(short + "\n\n" + long)) == {"short": 60, "long": 61}
