"""Fees that move (M2) on regtest: after our init confirmed, the node's relay minimum rises
above the presigned refund's rate (a fee spike: the node restarted with `-minrelaytxfee` and
`-blockmintxfee` raised). Past the lock time the node refuses the presigned refund for its fee;
the engine re-signs it above the node's minimum (wallet unlocked), that one confirms, and the
swap ends Refunded with every atom accounted for."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store.db import Store
from app.swap.batch import prepare_batch
from app.swap.htlc_tx import refund_vsize
from app.swap.messages import SwapEvent, SwapProblem
from app.swap.states import InitBroadcast, Refunded, Refunding, Role
from app.swap.store import SwapStore, decode_state
from app.wallet.coins import Outpoint, Utxo
from app.wallet.signing import KeyedUtxo
from simnet.node import RegtestNode, atoms_to_coin_str, coin_to_atoms, start_node, stop_quietly
from tests.fakes.matches import HOUR_MS, RATE, fresh_script, make_matches, p2wpkh_for, role_keys
from tests.integration.swap_harness import NodeFunding, Wire, backend, miner, open_engine

pytestmark = pytest.mark.regtest
SPIKE = 50  # atoms/vB: the node's new minimum, above the presigned refund's RATE
TIMEOUT = 60.0


@pytest.fixture
def spiky_node(tmp_path: Path) -> Iterator[RegtestNode]:
    node = start_node(tmp_path / "spiky", "litecoin", "ltc")
    try:
        node.ensure_mature_funds()
        yield node
    finally:
        stop_quietly(node)


def _spike(node: RegtestNode) -> None:
    """Restart the node with its relay and block minimums at SPIKE atoms/vB."""
    node.stop()
    rate = atoms_to_coin_str(SPIKE * 1000)  # atoms/vB -> coins/kvB
    with open(node.datadir / "litecoin.conf", "a") as conf:
        conf.write(f"[regtest]\nminrelaytxfee={rate}\nblockmintxfee={rate}\n")
    node.start()


async def test_a_presigned_refund_below_the_new_minimum_is_resigned_and_refunds(
    tmp_path: Path, spiky_node: RegtestNode, btc_node: RegtestNode
) -> None:
    node = spiky_node
    now = int(time.time() * 1000)
    match, _ = make_matches(
        2_000_000,
        1_000_000,
        match_time_ms=now - 2 * HOUR_MS,
        maker_lock_ms=HOUR_MS,
        taker_lock_ms=HOUR_MS // 2,
    )
    assert match.role is Role.MAKER and match.our_fee_rate == RATE < SPIKE
    # Our side, prepared and confirmed while fees were low (the taker never funds).
    coin_key = os.urandom(32)
    value = match.our_amount + 100_000
    txid, vout = node.fund_script(p2wpkh_for(coin_key), value)
    coin = KeyedUtxo(Utxo(Outpoint(txid, vout), value, p2wpkh_for(coin_key), 0, 0), coin_key)
    change = fresh_script()
    tip = int(node.rpc("getblockcount"))
    (prepared,) = prepare_batch(
        [match], [os.urandom(32)], [coin], change, tip, role_keys(Role.MAKER)
    )
    db = tmp_path / "maker.db"
    swaps = SwapStore(Store(db))
    assert swaps.create(
        InitBroadcast(match, prepared.secret_hash, prepared.ours, None, prepared.sealed_secret)
    )
    swaps.store.close()
    node.rpc("sendrawtransaction", prepared.ours.init.raw.hex())
    node.mine(1)

    await asyncio.to_thread(_spike, node)
    presigned = prepared.ours.refund
    [verdict] = node.rpc("testmempoolaccept", [presigned.raw.hex()])
    assert not verdict["allowed"] and "min relay fee not met" in verdict["reject-reason"]
    assert node.median_time_past() >= prepared.ours.contract.lock_time  # not "non-final"

    events: list[SwapEvent] = []
    backends = {"ltc": backend(node), "btc": backend(btc_node)}
    funding = NodeFunding(node)
    engine = open_engine(db, backends, funding, Wire(), Role.MAKER, events.append)
    mining = asyncio.create_task(miner([node]))
    try:
        engine.start(match.match_id)
        end = await asyncio.wait_for(engine.wait(match.match_id), TIMEOUT)
    finally:
        mining.cancel()
        await asyncio.gather(mining, return_exceptions=True)
        await engine.stop()
        for b in backends.values():
            await b.close()

    refusals = [
        e.message for e in events if isinstance(e, SwapProblem) and presigned.txid in e.message
    ]
    assert refusals and "min relay fee not met" in refusals[0]
    assert isinstance(end, Refunded), end
    history = [decode_state(h.record, h.fmt) for h in engine.store.history(match.match_id)]
    resigned = [s for s in history if isinstance(s, Refunding) and s.bumps]
    assert resigned, "the refund was never re-signed"
    bump = resigned[-1].refund
    assert end.refund_txid == bump.txid != presigned.txid
    vsize = refund_vsize(len(prepared.ours.script), match.refund_script)
    assert bump.fee >= SPIKE * vsize > presigned.fee
    mined = node.rpc("getrawtransaction", bump.txid, True)
    assert int(mined["confirmations"]) >= 1
    # Every atom: the refund output is the contract amount minus the re-signed refund's fee.
    out = await asyncio.to_thread(node.rpc, "gettxout", bump.txid, 0)
    assert coin_to_atoms(out["value"]) == match.our_amount - bump.fee
    print(
        f"\npresigned refund {presigned.fee} atoms refused; re-signed at "
        f"{bump.fee // vsize} atoms/vB ({bump.fee} atoms), refunded"
    )
