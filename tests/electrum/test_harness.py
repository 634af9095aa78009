"""The e-x harness: starts over a regtest node, follows its tip, stops without orphans."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from simnet.electrum import ElectrumServer
from simnet.lifecycle import PidFile, alive, is_ours, stop_stale
from simnet.node import RegtestNode

pytestmark = pytest.mark.regtest
ROOT = Path(__file__).resolve().parents[2]


def test_server_follows_the_node_and_stops_cleanly(
    electrum_factory: Callable[[RegtestNode], ElectrumServer],
    ltc_node: RegtestNode,
) -> None:
    server = electrum_factory(ltc_node)
    assert server.height() == ltc_node.rpc("getblockcount")
    ltc_node.mine(2)
    assert server.wait_synced(20) == ltc_node.rpc("getblockcount")
    header = server.request("blockchain.block.header", 0)
    assert len(bytes.fromhex(header)) == 80
    process = server.process  # narrowed here, not server.process: stop() clears that
    assert process is not None
    pid = process.pid
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
    electrum_factory: Callable[[RegtestNode], ElectrumServer],
    ltc_node: RegtestNode,
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


def test_the_electrum_servers_of_a_killed_simnet_up_die_and_are_recorded(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "net"
    up = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "simnet",
            "up",
            "--dir",
            str(directory),
            "--traders",
            "1",
            "--electrum",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        info_path = directory / "simnet.json"
        deadline = time.monotonic() + 180
        while not info_path.exists():
            assert up.poll() is None, f"simnet up exited ({up.returncode})"
            assert time.monotonic() < deadline, "the simnet did not come up"
            time.sleep(0.2)
        pids = {
            k: int(v)
            for k, v in json.loads(info_path.read_text())["pids"].items()
            if v and k != "simnet"
        }
        assert {"ltc-electrumx", "btc-electrumx"} <= set(pids)
        recorded = PidFile(directory).read()
        for name in ("ltc-electrumx", "btc-electrumx"):
            assert recorded[name]["pid"] == pids[name]
            assert is_ours(pids[name], recorded[name]["marker"])  # what the sweep checks
        up.send_signal(signal.SIGKILL)
        up.wait()
        deadline = time.monotonic() + 30
        while (left := {k for k, p in pids.items() if alive(p)}) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not left, f"outlived `simnet up`: {left}"
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
        stop_stale(directory)  # leave no orphan even when the test fails
