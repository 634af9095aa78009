"""The harness itself: an honest match on the hostile server IS accepted (a signed ack, the
swap stored as Matched), and an honest maker match IS funded on chain, so the attack tests'
"refused, nothing on chain" checks can fail and prove something when they pass."""

from __future__ import annotations

import pytest

from app.client.order_store import LIVE
from tests.hostile.conftest import MakeTrader
from tests.hostile.server import HostileServer, counterparty_address
from tests.hostile.trader import LOT, RATE
from tests.waits import until

pytestmark = pytest.mark.regtest


async def test_honest_taker_match_is_acked_and_stored(
    make_trader: MakeTrader, server: HostileServer
) -> None:
    trader = await make_trader()
    oid = await trader.place("sell", 10 * LOT, RATE)
    note = server.note(
        oid, quantity=4 * LOT, rate=RATE, side="taker", address=counterparty_address("ltc")
    )
    answer = await server.send_match([note])
    pubkey = trader.core.dex.session.account_pubkey
    assert pubkey is not None
    assert answer.verified_acks(pubkey) == {note["matchid"]}, answer.response
    assert trader.swaps_of(oid) == {note["matchid"]: "Matched"}
    assert not trader.match_refusals(note["matchid"])
    await trader.assert_untouched(oid, accepted=frozenset({note["matchid"]}))
    # The rest of the order is cancelled; the accepted match still needs the order's coins
    # (its swap funds from them), so they stay reserved for it.
    await trader.core.cancel_order(oid)
    await until(
        lambda: trader.core.order_store.get(oid).status not in LIVE,  # type: ignore[union-attr]
        "the cancel",
        timeout=10.0,
    )
    locks = trader.wallet.asset("ltc").lock_reasons()
    assert f"order:{oid}" in locks.values(), locks


async def test_honest_maker_match_is_funded(make_trader: MakeTrader, server: HostileServer) -> None:
    trader = await make_trader()
    oid = await trader.place("sell", 10 * LOT, RATE)
    note = server.note(
        oid, quantity=10 * LOT, rate=RATE, side="maker", address=counterparty_address("ltc")
    )
    answer = await server.send_match([note])
    assert answer.acked(note["matchid"]), answer.response
    await until(lambda: "init" in server.methods(), "the client's init report")
    mempools = await trader.mempools()
    assert len(mempools["ltc"]) == 1 and mempools["btc"] == []
    ltc = trader.wallet.asset("ltc")
    coins = await ltc.utxos()
    assert sum(c.value for c in coins) < trader.start["ltc"].total - 10 * LOT
    assert trader.swaps_of(oid)[note["matchid"]] != "Matched"
    with pytest.raises(AssertionError):  # the attack tests' check sees a funded swap
        await trader.assert_untouched(oid, accepted=frozenset({note["matchid"]}))
