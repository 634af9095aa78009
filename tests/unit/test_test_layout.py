"""The test suite's own layout (read with `ast`, nothing imported): no test module imports
another (shared builders and fakes live in tests/fakes/, shared fixtures in a conftest.py),
and tests/unit starts no node, no Electrum server and no real DEX server (those tests live in
tests/integration, tests/electrum, tests/e2e, tests/hostile)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

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


def live_uses(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(), str(path))
    for line, name in imports(tree):
        if name in LIVE_IMPORTS:
            yield f"{path.name}:{line} imports {name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for arg in node.args.args:
                if arg.arg in LIVE_FIXTURES:
                    yield f"{path.name}:{node.lineno} {node.name} takes {arg.arg}"


def test_unit_tests_start_no_node_and_no_real_server() -> None:
    found = [use for path in sorted((TESTS / "unit").glob("*.py")) for use in live_uses(path)]
    assert found == [], "these belong in tests/integration (or electrum, e2e):\n" + "\n".join(found)
