"""Shared fixtures: real regtest nodes on free loopback ports, stopped after use."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from simnet.node import RegtestNode, start_node, stop_quietly
from tests.fakes.dex_server import FakeServer

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The Qt fixtures (core, window, loop) for tests/gui, tests/integration/gui, tests/electrum.
pytest_plugins = ["tests.qt_fixtures"]


@pytest.fixture(scope="session")
def ltc_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegtestNode]:
    """One Litecoin Core regtest node for the whole session (tests use fresh keys)."""
    node = start_node(tmp_path_factory.mktemp("ltc-node"), "litecoin", "ltc")
    node.ensure_mature_funds()
    yield node
    stop_quietly(node)


@pytest.fixture(scope="session")
def btc_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegtestNode]:
    """The BTC chain: Bitcoin Core when installed, else a second Litecoin Core chain."""
    from simnet.node import find_daemon

    kind = "bitcoin" if find_daemon("bitcoin") else "litecoin"
    node = start_node(tmp_path_factory.mktemp("btc-node"), kind, "btc")
    node.ensure_mature_funds()
    yield node
    stop_quietly(node)


@pytest.fixture
def fresh_node(tmp_path: Path) -> Iterator[RegtestNode]:
    """A private node for tests that stop it or move its clock."""
    node = start_node(tmp_path / "node", "litecoin", "ltc")
    yield node
    stop_quietly(node)


@pytest.fixture
async def server() -> AsyncIterator[FakeServer]:
    """The scripted DEX server (tests/fakes/dex_server.py) on a free loopback port."""
    srv = FakeServer()
    await srv.start()
    yield srv
    await srv.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many BTC-side transactions Bitcoin Core's interpreter checked (tests/btc_kernel.py),
    when a test used it."""
    import sys

    kernel = sys.modules.get("tests.btc_kernel")
    if kernel is not None and kernel.SESSION.verified:
        ledger = kernel.SESSION
        terminalreporter.write_line(
            f"libbitcoinkernel: {len(ledger.verified)} BTC-side transactions verified "
            f"({sum(ledger.verified.values())} inputs), {len(ledger.refused)} refused"
        )
