"""The e-x harness: starts over a regtest node, follows its tip, stops without orphans."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from simnet.electrum import ElectrumServer
from simnet.lifecycle import PidFile, alive, is_ours, stop_stale
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


def test_a_recorded_server_is_swept_by_the_pid_file_and_only_by_its_own(
    electrum_factory: Callable[[RegtestNode], ElectrumServer], ltc_node: RegtestNode,
    tmp_path: Path,
) -> None:
    """What `simnet down` (or the next start) does with an e-x a killed owner left: its
    command line names its directory, so the sweep finds it, and another simnet's does not."""
    server, other = electrum_factory(ltc_node), electrum_factory(ltc_node)
    assert server.process is not None and other.process is not None
    pid = server.process.pid
    assert is_ours(pid, server.marker) and not is_ours(other.process.pid, server.marker)
    simnet_dir = tmp_path / "net"
    simnet_dir.mkdir()
    PidFile(simnet_dir).record("ltc-electrumx", pid, server.marker)
    PidFile(simnet_dir).record("btc-electrumx", other.process.pid, server.marker)  # not ours
    assert stop_stale(simnet_dir, timeout=30) == ["ltc-electrumx"]
    assert not alive(pid) and other.height() == ltc_node.rpc("getblockcount")
    assert not PidFile(simnet_dir).path.exists()
