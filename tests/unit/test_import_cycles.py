"""No import cycle inside `app/`: every module's imports, read with `ast` (module level,
under `if TYPE_CHECKING:` and inside functions alike: a cycle hidden behind a lazy or
type-only import is still two modules that cannot be understood, tested or moved apart).

The graph has one node per module under app/ and an edge for each import of another app
module (`from app.x import name` names the submodule `app.x.name` when there is one, else the
module `app.x`). Strongly connected components (Tarjan) of more than one module, or a module
importing itself, are cycles; the failure names one path around each.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT / "app").rglob("*.py"))}


def imported(tree: ast.AST, module: str, is_package: bool, known: set[str]) -> Iterator[str]:
    """The app modules `tree` imports anywhere in its body."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, `level - 1` packages up
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in known:
                    yield sub
                elif base in known:
                    yield base


def import_graph() -> dict[str, set[str]]:
    modules = app_modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        graph[name] = set(imported(tree, name, path.name == "__init__.py", known))
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the graph has a few hundred nodes)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            nxt = next(edges, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    out.append(sorted(component))
    return out


def cycle_in(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One path around the component, from its first module back to it (breadth first)."""
    members, start = set(component), component[0]
    came: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for nxt in sorted(graph[node] & members):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came[path[-1]])
                    return [*reversed(path), start]
                if nxt not in came:
                    came[nxt] = node
                    following.append(nxt)
        frontier = following
    return component


def test_the_graph_sees_every_kind_of_import() -> None:
    """The reader must find imports under TYPE_CHECKING, in functions and relative ones,
    or the cycle check below would pass by seeing nothing."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "import app.a\n"
        "from app import b\n"
        "if TYPE_CHECKING:\n"
        "    from app.c import Thing\n"
        "def f() -> None:\n"
        "    from .d import other\n"
    )
    known = {"app", "app.a", "app.b", "app.c", "app.pkg", "app.pkg.d", "app.pkg.e"}
    found = set(imported(ast.parse(source), "app.pkg.e", False, known))
    assert found == {"app.a", "app.b", "app.c", "app.pkg.d"}


def test_cycles_are_found_and_named() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    components = strongly_connected(graph)
    assert components == [["a", "b", "c"], ["e"]]
    assert cycle_in(graph, components[0]) == ["a", "b", "c", "a"]
    assert cycle_in(graph, components[1]) == ["e", "e"]


def test_no_import_cycle_in_app() -> None:
    graph = import_graph()
    assert graph.get("app.client.client")  # the reader works
    cycles = [" -> ".join(cycle_in(graph, c)) for c in strongly_connected(graph)]
    assert not cycles, "import cycles in app/:\n" + "\n".join(cycles)


def test_window_actions_does_not_import_the_main_window() -> None:
    """The window's actions get what they need from the window; they never import it."""
    graph = import_graph()
    assert "app.ui.main_window" not in graph["app.ui.window_actions"]
