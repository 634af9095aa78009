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

from tests.importgraph import cycle_in, import_graph, imported, strongly_connected


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
