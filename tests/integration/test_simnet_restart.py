"""A simnet whose owner died: its processes go with it, and the next start takes the directory
over (stale daemons stopped, chains kept) without funding the traders a second time."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.config import load_config, save_config
from app.wallet.session import unlock_wallet
from dexproto.assets import Network, get_asset
from simnet.harness import (
    COIN_VALUE,
    COINS_PER_CHAIN,
    FUNDING_KEY,
    TRADER_PASSWORD,
    Simnet,
    remote_node,
)
from simnet.lifecycle import alive
from simnet.node import coin_to_atoms

ROOT = Path(__file__).resolve().parents[2]
# An owner whose children do NOT die with it: what a crash left before, or on a system
# without a parent-death signal. The sweep of the next start is all that can clean up.
ORPHANING_OWNER = """
import sys, time
from pathlib import Path
import simnet.harness, simnet.lifecycle
simnet.lifecycle.die_with_parent = lambda sig=15: None
simnet.harness.die_with_parent = lambda sig=15: None
net = simnet.harness.Simnet.start(Path(sys.argv[1]), traders=1, mine_interval=1.0)
print("up", flush=True)
time.sleep(600)
"""


def wait_info(
    directory: Path, proc: subprocess.Popen[bytes], timeout: float = 180
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    path = directory / "simnet.json"
    while not path.exists():
        assert proc.poll() is None, f"the simnet owner exited ({proc.returncode})"
        assert time.monotonic() < deadline, "the simnet did not come up"
        time.sleep(0.2)
    info: dict[str, Any] = json.loads(path.read_text())
    return info


def child_pids(info: dict[str, Any]) -> dict[str, int]:
    return {k: int(v) for k, v in info["pids"].items() if v and k != "simnet"}


def wait_all_gone(pids: dict[str, int], timeout: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = {k: p for k, p in pids.items() if alive(p)}
        if not left:
            return {}
        time.sleep(0.1)
    return {k: p for k, p in pids.items() if alive(p)}


def trader_funds(info: dict[str, Any], datadir: Path) -> dict[str, int]:
    """Atoms on each chain at the trader's funded scripts, from the chains' UTXO sets."""
    wallet = unlock_wallet(datadir, TRADER_PASSWORD)
    try:
        scripts = {
            s: [
                wallet.hd.account(get_asset(s, Network.REGTEST)).script(change, i)
                for i in range(COINS_PER_CHAIN // 2)
                for change in (False, True)
            ]
            for s in info["nodes"]
        }
    finally:
        wallet.store.close()
    out = {}
    for symbol, items in scripts.items():
        node = remote_node(info, symbol)
        scan = node.rpc("scantxoutset", "start", [f"raw({s.hex()})" for s in items])
        out[symbol] = coin_to_atoms(Decimal(scan["total_amount"]))
    return out


def test_a_start_takes_over_what_a_killed_owner_left_and_does_not_fund_again(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "net"
    owner = subprocess.Popen(
        [sys.executable, "-c", ORPHANING_OWNER, str(directory)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    net: Simnet | None = None
    try:
        assert owner.stdout is not None and owner.stdout.readline().strip() == b"up"
        info = wait_info(directory, owner)
        trader = Path(info["traders"]["trader1"]["datadir"])
        funded = trader_funds(info, trader)
        assert funded == {"ltc": COINS_PER_CHAIN * COIN_VALUE, "btc": COINS_PER_CHAIN * COIN_VALUE}
        orphans = child_pids(info)
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        time.sleep(1.0)  # give orphans the chance to (wrongly) die: they must still be there
        assert all(alive(p) for p in orphans.values()), "no orphans: nothing to take over"
        net = Simnet.start(directory, traders=1, mine_interval=1.0)  # was: litecoind exited
        assert not wait_all_gone(orphans, 0.0), "the new start left the stale daemons running"
        assert net.dex_url == info["dex_url"]  # same port again: traders' config stays valid
        assert trader_funds(net.info, trader) == funded  # was: twice as much after a restart
        net.stop()
        net = None
        legacy = load_config(trader)  # a trader dir an older simnet made: no funding record
        legacy.extra.pop(FUNDING_KEY)
        save_config(trader, legacy)
        net = Simnet.start(directory, traders=1, mine_interval=1.0)
        assert trader_funds(net.info, trader) == funded
    finally:
        if net is not None:
            net.stop()
        if owner.poll() is None:
            owner.kill()
            owner.wait()
        if owner.stdout is not None:
            owner.stdout.close()


def test_the_simnet_processes_die_with_a_killed_simnet_up(tmp_path: Path) -> None:
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
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        pids = child_pids(wait_info(directory, up))
        assert set(pids) == {"server", "ltc-node", "btc-node"}
        up.send_signal(signal.SIGKILL)
        up.wait()
        assert not wait_all_gone(pids, 20.0), "the simnet's processes outlived `simnet up`"
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
