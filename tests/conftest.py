"""Shared fixtures: real regtest nodes on free loopback ports, stopped after use."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

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


# What Bitcoin Core's interpreter checked (tests/btc_kernel.py): (transactions, inputs,
# refused), this process's own and, under xdist, each worker's (sent in its workeroutput).
_KERNEL_KEY = "btc_kernel"
_worker_kernel_counts: list[tuple[int, int, int]] = []


def _own_kernel_counts() -> tuple[int, int, int] | None:
    kernel = sys.modules.get("tests.btc_kernel")
    if kernel is None or not kernel.SESSION.verified:
        return None
    ledger = kernel.SESSION
    return len(ledger.verified), sum(ledger.verified.values()), len(ledger.refused)


def pytest_sessionfinish(session: pytest.Session) -> None:
    output = getattr(session.config, "workeroutput", None)  # set on an xdist worker only
    counts = _own_kernel_counts()
    if output is not None and counts is not None:
        output[_KERNEL_KEY] = list(counts)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    counts = getattr(node, "workeroutput", {}).get(_KERNEL_KEY)
    if counts is not None:
        _worker_kernel_counts.append((counts[0], counts[1], counts[2]))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many BTC-side transactions Bitcoin Core's interpreter checked, when a test used it."""
    own = _own_kernel_counts()
    every = _worker_kernel_counts + ([own] if own is not None else [])
    if every:
        txs, inputs, refused = (sum(c[i] for c in every) for i in range(3))
        terminalreporter.write_line(
            f"libbitcoinkernel: {txs} BTC-side transactions verified ({inputs} inputs), "
            f"{refused} refused"
        )
