"""The import graph of the code base, read with `ast` (no module is imported): every
module's imports at module level, under `if TYPE_CHECKING:` and inside functions alike, and
Tarjan's strongly connected components.

`from app.x import name` names the submodule `app.x.name` when there is one, else the module
`app.x`. Shared by tests/unit/test_import_cycles.py, test_import_contract.py and
test_package_boundaries.py (no test module imports another).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules(packages: tuple[str, ...] = ("app",)) -> dict[str, Path]:
    """Module name -> file, for every module of the top-level `packages`."""
    return {module_name(p): p for top in packages for p in sorted((ROOT / top).rglob("*.py"))}


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


def import_graph(
    packages: tuple[str, ...] = ("app",), within: str | None = None
) -> dict[str, set[str]]:
    """Edges from each module (of `within` only, when given) to the modules of `packages`
    it imports."""
    modules = app_modules(packages)
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        if within is not None and name != within and not name.startswith(within + "."):
            continue
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
