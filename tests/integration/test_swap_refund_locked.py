"""A real wallet's swap on the LTC regtest chain: the store holds neither the swap's private key
nor its secret, and `main.py swaps refund` still refunds with the wallet locked (no password
anywhere), from the refund presigned before the init was broadcast."""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from app.config import NodeConfig
from app.swap.batch import prepare_batch
from app.swap.keys import WalletKeys
from app.swap.states import InitBroadcast, KeyPath, Role
from app.swap.store import SwapStore
from app.wallet.coins import Outpoint, Utxo
from app.wallet.session import create_wallet, unlock_wallet
from app.wallet.signing import KeyedUtxo
from dexproto.assets import Network
from dexproto.crypto import hash160, pubkey_from_secret
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode
from tests.cli import cambio
from tests.fakes.matches import HOUR_MS, fresh_script, make_matches, p2wpkh_for

pytestmark = pytest.mark.regtest
PASSWORD = "correct horse"


def _raw_files(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())


async def test_refund_with_the_wallet_locked(
    tmp_path: Path, ltc_node: RegtestNode, btc_node: RegtestNode
) -> None:
    nodes = {
        s: NodeConfig(n.rpc_url, RPC_USER, RPC_PASSWORD)
        for s, n in (("ltc", ltc_node), ("btc", btc_node))
    }
    create_wallet(tmp_path, PASSWORD, network=Network.REGTEST, nodes=nodes, scrypt_n=2**10)
    wallet = unlock_wallet(tmp_path, PASSWORD)
    keys = WalletKeys(wallet.hd)
    wallet.asset("btc").receive_address()  # our order's address: BTC receive index 0
    path = KeyPath("btc", False, 0)
    key, secret = keys.key_at(path, "regtest"), os.urandom(32)
    now = int(time.time() * 1000)
    expired, _ = make_matches(
        2_000_000,
        1_000_000,
        match_time_ms=now - 2 * HOUR_MS,
        maker_lock_ms=HOUR_MS,
        taker_lock_ms=HOUR_MS // 2,
    )
    assert expired.role is Role.MAKER
    match = replace(expired, our_pkh=hash160(pubkey_from_secret(key)), our_key_path=path)

    coin_key = os.urandom(32)
    value = match.our_amount + 100_000
    txid, vout = ltc_node.fund_script(p2wpkh_for(coin_key), value)
    coin = KeyedUtxo(Utxo(Outpoint(txid, vout), value, p2wpkh_for(coin_key), 0, 0), coin_key)
    tip = int(ltc_node.rpc("getblockcount"))
    (prepared,) = prepare_batch([match], [secret], [coin], fresh_script(), tip, keys)
    swaps = SwapStore(wallet.store)
    assert swaps.create(
        InitBroadcast(match, prepared.secret_hash, prepared.ours, None, prepared.sealed_secret)
    )
    ltc_node.rpc("sendrawtransaction", prepared.ours.init.raw.hex())
    ltc_node.mine(1)
    await wallet.close()  # locked from here on: no seed in memory, no password given

    raw = _raw_files(tmp_path / "cambio.db")
    for needle in (key, secret):
        assert needle not in raw and needle.hex().encode() not in raw

    r = cambio("swaps", "show", match.match_id, "--datadir", str(tmp_path), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["key_in_clear"] is False
    r = cambio("swaps", "refund", match.match_id, "--datadir", str(tmp_path), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["refund_txid"] == prepared.ours.refund.txid
    ltc_node.mine(1)
    tx = ltc_node.rpc("getrawtransaction", prepared.ours.refund.txid, True)
    assert tx["confirmations"] >= 1
    assert tx["vout"][0]["scriptPubKey"]["hex"] == match.refund_script.hex()
