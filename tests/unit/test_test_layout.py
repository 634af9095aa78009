"""The test suite's own layout (read with `ast`, nothing imported): no test module imports
another (shared builders and fakes live in tests/fakes/, shared fixtures in a conftest.py),
and tests/unit and tests/gui (what `make check` runs) start no node, no Electrum server, no
simnet and no real DEX server (those tests live in tests/integration, tests/integration/gui,
tests/electrum, tests/e2e, tests/hostile)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import TypeGuard

TESTS = Path(__file__).resolve().parents[1]
# What starts a daemon or a real server: the imports, and the fixtures of tests/conftest.py,
# tests/electrum/conftest.py and tests/e2e/conftest.py.
LIVE_IMPORTS = {
    "dexserver.app",  # DexServer: the real server on a loopback port
    "simnet.node.start_node",
    "simnet.node.RegtestNode",
    "simnet.electrum",
    "simnet.harness.Simnet",
}
LIVE_FIXTURES = {"ltc_node", "btc_node", "fresh_node", "ltc_electrum", "electrum_factory"}
LIVE_FIXTURES |= {"simnet", "traders"}
# The folders `make check` runs: no daemon, no e-x, no simnet.
QUICK = ("unit", "gui")
# The folders of tests that do start them; their helpers (swap_harness.py, ...) come with a node.
LIVE_FOLDERS = ("integration", "electrum", "e2e", "hostile")


def module_of(path: Path) -> str:
    return ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)


def imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every import anywhere in `tree`: modules, and module.name for
    each name taken from a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def is_test_module(dotted: str) -> bool:
    return dotted.startswith("tests.") and any(p.startswith("test_") for p in dotted.split("."))


def test_no_test_module_imports_another() -> None:
    found = [
        f"{path.relative_to(TESTS.parent)}:{line} imports {name}"
        for path in sorted(TESTS.rglob("*.py"))
        for line, name in imports(ast.parse(path.read_text(), str(path)))
        if is_test_module(name) and not name.startswith(module_of(path))
    ]
    assert found == [], "move what they share to tests/fakes/ or a conftest.py:\n" + "\n".join(
        found
    )


def test_the_checks_see_a_test_module_import() -> None:
    tree = ast.parse("from tests.unit.test_x import y\nimport tests.gui.test_z\n")
    assert [n for _, n in imports(tree) if is_test_module(n)] == [
        "tests.unit.test_x",
        "tests.unit.test_x.y",
        "tests.gui.test_z",
    ]
    assert not is_test_module("tests.fakes.swaps") and not is_test_module("tests.conftest")


def fixture_args(args: ast.arguments) -> Iterator[str]:
    """The arguments pytest fills with fixtures: those without a default (`simnet: bool = True`
    is a helper's option, not the simnet fixture)."""
    positional = args.posonlyargs + args.args
    yield from (a.arg for a in positional[: len(positional) - len(args.defaults)])
    yield from (a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None)


def is_regtest_mark(node: ast.AST) -> TypeGuard[ast.Attribute]:
    """`<...>.mark.regtest`, as in `pytest.mark.regtest`."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "regtest"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "mark"
    )


def live_uses(path: Path) -> Iterator[str]:
    """What in `path` needs a daemon or a real server: a live import, a test or fixture taking a
    live fixture, or the `regtest` mark ("needs litecoind")."""
    tree = ast.parse(path.read_text(), str(path))
    for line, name in imports(tree):
        if name in LIVE_IMPORTS:
            yield f"{path.name}:{line} imports {name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for arg in fixture_args(node.args):
                if arg in LIVE_FIXTURES:
                    yield f"{path.name}:{node.lineno} {node.name} takes {arg}"
        elif is_regtest_mark(node):
            yield f"{path.name}:{node.lineno} is marked regtest"


def test_quick_tests_start_no_node_and_no_real_server() -> None:
    found = [
        f"{folder}/{use}"
        for folder in QUICK
        for path in sorted((TESTS / folder).rglob("*.py"))
        for use in live_uses(path)
    ]
    assert found == [], "these belong in tests/integration (or gui/ there, electrum, e2e):\n" + (
        "\n".join(found)
    )


def test_quick_tests_and_fakes_take_no_helper_of_the_live_folders() -> None:
    """What a quick test shares with a live one is in tests/fakes (the match builders in
    matches.py, not in swap_harness.py next to the node funding)."""
    live = tuple(f"tests.{folder}" for folder in LIVE_FOLDERS)
    found = {
        f"{path.relative_to(TESTS.parent)}:{line}": name  # the module, once per import
        for folder in (*QUICK, "fakes")
        for path in sorted((TESTS / folder).rglob("*.py"))
        for line, name in reversed(list(imports(ast.parse(path.read_text(), str(path)))))
        if name.startswith(live)
    }
    assert found == {}, "move what they share to tests/fakes/:\n" + "\n".join(
        f"{where} imports {name}" for where, name in found.items()
    )


def test_quick_folders_are_what_make_check_runs() -> None:
    makefile = (TESTS.parent / "Makefile").read_text()
    recipe = makefile[makefile.index("\ncheck:") :].split("\n\n")[0].replace("\\\n", " ")
    pytest_line = next(line for line in recipe.splitlines() if "pytest" in line)
    assert [w for w in pytest_line.split() if w.startswith("tests/")] == [
        f"tests/{folder}" for folder in QUICK
    ]


def test_the_live_check_sees_a_node_a_simnet_and_the_mark(tmp_path: Path) -> None:
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "import pytest\n"
        "from simnet.node import RegtestNode, free_port\n"
        "pytestmark = pytest.mark.regtest\n"
        "def test_a(window, ltc_node): ...\n"
        "async def test_b(*, simnet): ...\n"
        "def test_c(window, loop): ...\n"
        "def helper(qtbot, *, simnet=True, fresh_node=None): ...\n"
    )
    assert sorted(live_uses(probe)) == [
        "test_probe.py:2 imports simnet.node.RegtestNode",
        "test_probe.py:3 is marked regtest",
        "test_probe.py:4 test_a takes ltc_node",
        "test_probe.py:5 test_b takes simnet",
    ]
