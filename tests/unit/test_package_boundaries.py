"""Which top-level package may import which (read with `ast`, lazy and type-only imports too).

    dexproto   the protocol both sides share: imports nothing of app, dexserver or simnet
    dexserver  the DEX server: imports dexproto, never the client (app)
    app        the client: imports dexproto; dexserver and simnet only from the CLI's
               registration point (app/cli/__init__.py adds `cambio server …`/`simnet …`)

A server that imports the client can be changed by a client refactor, and a protocol module
that imports either side cannot be shared; these rules keep the seams where the design says.
An exception would be a known debt in KNOWN_DEBTS, with its reason (none is left: the server
has its own node client, dexserver/node_rpc.py); the test fails when one is paid off
(remove it then) as well as when a new one appears.
"""

from __future__ import annotations

from tests.importgraph import cycle_in, import_graph, strongly_connected

PACKAGES = ("app", "dexproto", "dexserver", "simnet")
FORBIDDEN = {
    "dexproto": ("app", "dexserver", "simnet"),
    "dexserver": ("app",),
    "app": ("dexserver", "simnet"),
}
REGISTRATION_POINT = "app.cli"  # app/cli/__init__.py: the server's and simnet's subcommands
KNOWN_DEBTS: set[tuple[str, str]] = set()  # none left: add one only with its reason


def top(module: str) -> str:
    return module.partition(".")[0]


def crossings(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Every (importer, imported) edge a rule forbids."""
    out = set()
    for module, targets in graph.items():
        banned = FORBIDDEN.get(top(module), ())
        if module == REGISTRATION_POINT:
            banned = tuple(b for b in banned if b not in ("dexserver", "simnet"))
        out |= {(module, t) for t in targets if top(t) in banned}
    return out


def test_the_rules_catch_a_forbidden_import() -> None:
    graph = {
        "dexproto.codec": {"app.assets"},
        "dexserver.orders": {"dexproto.rules", "app.client.orders"},
        "app.cli": {"dexserver.cli", "simnet.cli"},
        "app.ui.view": {"simnet.devnet", "dexproto.messages"},
    }
    assert crossings(graph) == {
        ("dexproto.codec", "app.assets"),
        ("dexserver.orders", "app.client.orders"),
        ("app.ui.view", "simnet.devnet"),
    }


def test_package_boundaries() -> None:
    graph = import_graph(PACKAGES)
    assert graph["app.cli"] >= {"dexserver.cli", "simnet.cli"}  # the reader sees across
    found = crossings(graph)
    assert found - KNOWN_DEBTS == set(), "forbidden imports:\n" + "\n".join(
        f"{a} -> {b}" for a, b in sorted(found - KNOWN_DEBTS)
    )
    assert KNOWN_DEBTS - found == set(), "paid-off debts to remove from KNOWN_DEBTS:\n" + "\n".join(
        f"{a} -> {b}" for a, b in sorted(KNOWN_DEBTS - found)
    )


def test_no_import_cycle_in_dexproto_or_dexserver() -> None:
    for package in ("dexproto", "dexserver"):
        graph = import_graph((package,))
        cycles = [" -> ".join(cycle_in(graph, c)) for c in strongly_connected(graph)]
        assert not cycles, f"import cycles in {package}/:\n" + "\n".join(cycles)
