"""Recovery on the simnet: 20 pending swaps resumed by restarted clients (timed), and a maker
refunding by itself after the lock time when the taker vanished (chain time moved forward, so
this module runs on its own simnet and the refund test comes last)."""

from __future__ import annotations

import asyncio
import time

import pytest

from app.client.client import Client as HeadlessClient
from app.wallet.session import unlock_wallet
from simnet.harness import TRADER_PASSWORD, Simnet
from tests.e2e.conftest import LOT, RATE
from tests.e2e.procs import Client, accounting, assert_balances, balance, place

pytestmark = pytest.mark.regtest
SWAPS = 20


async def _place_many(datadir: object, count: int) -> list[str]:
    """Many orders from one short-lived in-process client (a CLI call per order is slow)."""
    wallet = unlock_wallet(datadir, TRADER_PASSWORD)  # type: ignore[arg-type]
    core = HeadlessClient(wallet, settle=False)
    try:
        await core.start()
        await core.ready(30)
        return [await core.place_order("ltc_btc", "sell", "limit", LOT, RATE) for _ in range(count)]
    finally:
        await core.stop()
        await wallet.close()


def test_restarted_clients_resume_20_pending_swaps(traders: tuple[Client, Client]) -> None:
    maker, taker = traders
    sells = asyncio.run(_place_many(maker.datadir, SWAPS))
    for oid in sells:
        maker.wait_booked(oid)
    place(taker.datadir, "buy", "market", SWAPS * LOT * RATE // 10**8 * 5 // 4)
    matched = [maker.matched(oid)[0]["match_id"] for oid in sells]
    for mid in matched:  # §9 case B: one init transaction funds all 20 maker contracts
        maker.wait_state(mid, "InitBroadcast")
    maker.kill()
    taker.kill()
    t0 = time.monotonic()
    maker.start()
    resumed = maker.wait_for(lambda e: e["event"] == "SwapsResumed", 60, "resume")
    spawn_to_resumed = time.monotonic() - t0
    assert resumed["count"] == SWAPS
    taker.start()
    for mid in matched:
        maker.wait_state(mid, "Complete", timeout=180)
    for mid in matched:
        taker.wait_state(mid, "Complete", timeout=120)
    total = time.monotonic() - t0
    inits = {accounting(maker.datadir, mid)["init_fee"] for mid in matched}
    print(
        f"\nRESUME of {SWAPS} pending swaps: engine {resumed['elapsed_ms']} ms, process "
        f"start -> all resumed {spawn_to_resumed:.1f} s, restart -> all {SWAPS} Complete "
        f"{total:.1f} s (maker init fees seen: {len(inits)})"
    )


def test_maker_refunds_after_lock_time_when_taker_vanishes(
    simnet: Simnet, traders: tuple[Client, Client]
) -> None:
    maker, taker = traders
    before_ltc = balance(maker.datadir, "ltc")
    sell = place(maker.datadir, "sell", "limit", LOT, RATE)
    maker.wait_for(lambda e: e["event"] == "OrderBooked" and e["order_id"] == sell, 30, "booked")
    place(taker.datadir, "buy", "market", LOT * RATE // 10**8 * 5 // 4)
    match_id = maker.matched(sell)[0]["match_id"]
    maker.wait_state(match_id, "InitBroadcast")
    taker.kill()  # the counterparty disappears after the maker's init
    simnet.time_travel(25 * 60)  # past the maker's 20-minute lock time
    maker.wait_for(lambda e: e["event"] == "SwapRefund" and e["match_id"] == match_id, 60, "refund")
    maker.wait_state(match_id, "Refunded", timeout=60)
    acct = accounting(maker.datadir, match_id)
    assert acct["refunded"] == acct["refund_value"] > 0
    spent = acct["init_fee"] + LOT - acct["refund_value"]  # the init's and the refund's fees
    assert_balances(simnet, {(maker.datadir, "ltc"): before_ltc - spent})
