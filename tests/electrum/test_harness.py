"""The e-x harness: starts over a regtest node, follows its tip, stops without orphans."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pytest

from simnet.electrum import ElectrumServer
from simnet.node import RegtestNode

pytestmark = pytest.mark.regtest


def test_server_follows_the_node_and_stops_cleanly(
    electrum_factory: Callable[[RegtestNode], ElectrumServer], ltc_node: RegtestNode,
) -> None:
    server = electrum_factory(ltc_node)
    assert server.height() == ltc_node.rpc("getblockcount")
    ltc_node.mine(2)
    assert server.wait_synced(20) == ltc_node.rpc("getblockcount")
    header = server.request("blockchain.block.header", 0)
    assert len(bytes.fromhex(header)) == 80
    assert server.process is not None
    pid = server.process.pid
    server.stop()
    assert server.process is None and server.height() is None
    deadline = time.monotonic() + 5
    while True:  # the pid is reaped: no orphan left behind
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
