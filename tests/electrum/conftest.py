"""Fixtures: real e-x servers over the real regtest nodes, stopped after use."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from simnet.electrum import ElectrumServer, start_electrum
from simnet.node import RegtestNode


@pytest.fixture(scope="session")
def ltc_electrum(
    tmp_path_factory: pytest.TempPathFactory, ltc_node: RegtestNode
) -> Iterator[ElectrumServer]:
    """One e-x over the session's LTC node."""
    server = start_electrum(tmp_path_factory.mktemp("ltc-ex"), ltc_node)
    yield server
    server.stop()


@pytest.fixture
def electrum_factory(tmp_path: Path) -> Iterator[Callable[..., ElectrumServer]]:
    """Private servers for tests that kill them (`tls=True`: ssl:// with a self-signed
    certificate); all stopped at the end."""
    started: list[ElectrumServer] = []

    def make(node: RegtestNode, *, tls: bool = False) -> ElectrumServer:
        server = start_electrum(tmp_path / f"ex{len(started)}", node, tls=tls)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()
