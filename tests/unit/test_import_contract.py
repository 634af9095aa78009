"""The UI only binds (issue 15): a module of `app.ui` imports from the app only
- other `app.ui` modules,
- `app.client` and its modules (the client, its read models, and `app.client.views`, the
  one module that names the value types and rules the UI may use),
- the app's error modules (`app.errors`, `app.<package>.errors`), which the UI catches by
  type (never dexproto's: app/dex maps the protocol's errors into the app's tree);
and nothing in `app` imports `simnet` or `dexserver` except the CLI's registration point
(`app.cli`, the package that lists every subcommand). Imports outside the project (stdlib,
PySide6 through app/ui/qt.py, qasync, keyring, segno) are not this test's business.

So a widget cannot reach a store, SQL, a chain backend or the DEX protocol: what it shows
comes through the client, and a refactor behind the client never touches a widget. The graph
is read with `ast` (tests/importgraph.py): imports under TYPE_CHECKING and inside functions
count too.
"""

from __future__ import annotations

from tests.importgraph import import_graph

UI = "app.ui"
CLIENT = "app.client"
REGISTRATION_POINT = "app.cli"
OUTSIDE = ("simnet", "dexserver")


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def allowed(importer: str, imported: str) -> bool:
    if any(_within(imported, top) for top in OUTSIDE):
        return importer == REGISTRATION_POINT
    if not _within(importer, UI):
        return True
    return (
        _within(imported, UI)
        or _within(imported, CLIENT)
        or (_within(imported, "app") and imported.rpartition(".")[2] == "errors")
    )


def violations(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{a} -> {b}" for a, targets in graph.items() for b in targets if not allowed(a, b)
    )


def test_the_rule_refuses_what_it_should() -> None:
    graph = {
        "app.ui.view": {
            "app.ui.qt",
            "app.client.views",
            "app.wallet.errors",
            "app.swap.store",
            "dexproto.errors",
        },
        "app.ui.launch": {"simnet.devnet"},
        "app.cli": {"simnet.cli", "dexserver.cli", "app.wallet.session"},
        "app.client.client": {"app.dex.client", "app.swap.store"},
        "app.wallet.service": {"dexserver.orders"},
    }
    assert violations(graph) == [
        "app.ui.launch -> simnet.devnet",
        "app.ui.view -> app.swap.store",
        "app.ui.view -> dexproto.errors",
        "app.wallet.service -> dexserver.orders",
    ]


def test_the_graph_reaches_simnet_and_dexserver() -> None:
    graph = import_graph(("app", "dexproto", "simnet", "dexserver"), within="app")
    assert {"simnet.cli", "dexserver.cli"} <= graph["app.cli"]  # the reader works
    assert "app.ui.main_window" in graph and "app.client.client" in graph["app.ui.main_window"]


def test_the_ui_only_binds() -> None:
    found = violations(import_graph(("app", "dexproto", "simnet", "dexserver"), within="app"))
    assert not found, f"{len(found)} imports break the UI's contract:\n" + "\n".join(found)
