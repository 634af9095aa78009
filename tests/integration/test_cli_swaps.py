"""`main.py swaps …` in a subprocess, on a data directory holding two real maker swaps on the
LTC regtest chain: one whose lock time has passed, one locked for 48 h."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from app.config import AppConfig, NodeConfig, save_config
from app.store.db import Store
from app.swap.store import SwapStore
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode
from tests.cli import cambio
from tests.fakes.matches import HOUR_MS, make_matches, role_keys
from tests.integration.swap_harness import stored_maker_swap

pytestmark = pytest.mark.regtest


def test_swaps_cli(tmp_path: Path, ltc_node: RegtestNode, btc_node: RegtestNode) -> None:
    data, other = tmp_path / "data", tmp_path / "other"
    now = int(time.time() * 1000)
    expired, _ = make_matches(
        2_000_000,
        1_000_000,
        match_time_ms=now - 2 * HOUR_MS,
        maker_lock_ms=HOUR_MS,
        taker_lock_ms=HOUR_MS // 2,
    )
    locked, _ = make_matches(2_000_000, 1_000_000)
    store = SwapStore(Store(data / "cambio.db"))
    old_secret, new_secret = os.urandom(32), os.urandom(32)
    old = stored_maker_swap(ltc_node, store, expired, old_secret)
    stored_maker_swap(ltc_node, store, locked, new_secret)
    store.store.close()
    nodes = {
        s: NodeConfig(n.rpc_url, RPC_USER, RPC_PASSWORD)
        for s, n in (("ltc", ltc_node), ("btc", btc_node))
    }
    save_config(data, AppConfig(nodes=nodes))
    other.mkdir()
    shutil.copy(data / "config.json", other / "config.json")
    secrets = {old_secret.hex(), new_secret.hex(), role_keys(expired.role).our_key(expired).hex()}

    r = cambio("swaps", "list", "--datadir", str(data), "--json")
    assert r.returncode == 0, r.stderr
    rows = {s["match_id"]: s for s in json.loads(r.stdout)["swaps"]}
    assert set(rows) == {expired.match_id, locked.match_id}
    assert {s["state"] for s in rows.values()} == {"InitBroadcast"}

    for args in (["--json"], []):
        r = cambio("swaps", "show", expired.match_id[:12], "--datadir", str(data), *args)
        assert r.returncode == 0, r.stderr
        assert not any(s in r.stdout for s in secrets)  # never print a secret
    r = cambio("swaps", "show", expired.match_id, "--datadir", str(data), "--json")
    shown = json.loads(r.stdout)
    assert shown["txids"] == {"init": old.ours.init.txid, "refund": old.ours.refund.txid}
    assert shown["ours_contract"]["time_left"] == "passed"
    assert [h["state"] for h in shown["history"]] == ["InitBroadcast"]

    r = cambio("swaps", "refund", locked.match_id, "--datadir", str(data))
    assert r.returncode == 1 and "lock time has not passed" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1

    export = tmp_path / "swap.json"
    r = cambio("swaps", "export", expired.match_id, "--datadir", str(data), "--out", str(export))
    assert r.returncode == 0, r.stderr
    assert export.stat().st_mode & 0o777 == 0o600

    r = cambio("swaps", "refund", expired.match_id, "--datadir", str(data), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["refund_txid"] == old.ours.refund.txid
    ltc_node.mine(1)

    # Another machine: import the export, the engine sees the refund confirmed.
    r = cambio(
        "swaps", "recover", "--file", str(export), "--datadir", str(other), "--wait", "20", "--json"
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["state"] == "Refunded"
    r = cambio("swaps", "recover", "--file", str(export), "--datadir", str(other))
    assert r.returncode == 1 and "already in this store" in r.stderr

    r = cambio("swaps", "show", "zz", "--datadir", str(data))
    assert r.returncode == 1 and r.stderr.startswith("error: no swap matches")
    r = cambio("swaps", "recover", "--file", str(data / "config.json"), "--datadir", str(other))
    assert r.returncode == 1 and "not a Cambio swap export" in r.stderr
