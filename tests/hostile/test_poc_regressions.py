"""The security review's proofs of concept, turned into tests that the attack now fails
(../shared/security/poc/): poc1 (match terms), poc2 (fee rate, refused before funding),
poc3 (a)/(c) (lock-time configuration), poc6 (a `match` with thousands of notes)."""

from __future__ import annotations

import secrets

import pytest

from app.swap.htlc_tx import check_spendable, redeem_vsize, refund_vsize
from dexproto.address import p2wpkh_script
from dexproto.assets import get_asset
from dexproto.htlc import MAX_CONTRACT_SIZE
from tests.hostile.conftest import MakeTrader
from tests.hostile.server import HostileServer, counterparty_address
from tests.hostile.trader import (
    LOT,
    RATE,
    assert_error,
    names,
    refuses_orders,
)
from tests.waits import until

pytestmark = pytest.mark.regtest

HOUR_MS = 3_600_000


async def test_poc1_cancelled_order_overfilled_at_a_tiny_rate(
    make_trader: MakeTrader, server: HostileServer
) -> None:
    """PoC 1: a cancelled 1-lot sell, then a signed match of 1000x its quantity (+7 atoms,
    not a lot multiple) at 1 % of the limit with a 10^6 atoms/vB fee rate."""
    trader = await make_trader()
    oid = await trader.place("sell", LOT, RATE)
    await trader.finish(oid)
    note = server.note(
        oid,
        quantity=1000 * LOT + 7,
        rate=RATE // 100,
        side="maker",
        feerate=10**6,
        address=counterparty_address("ltc"),
    )
    assert_error(await server.send_match([note]))
    refusal = await trader.refusal(note["matchid"])
    assert names(refusal.reason, "cancel", "not live", "quantity", "lot", "rate", "fee"), refusal
    await trader.assert_untouched(oid)


async def test_poc2_burning_fee_rate_refused_before_funding(
    make_trader: MakeTrader, server: HostileServer
) -> None:
    """PoC 2: the largest fee rate `check_spendable` lets through for our contract value
    (the init and refund would burn about twice the swap in fees): refused, nothing funded."""
    value = 10 * LOT
    asset = get_asset("ltc", "regtest")
    worst = max(
        redeem_vsize(MAX_CONTRACT_SIZE, p2wpkh_script(bytes(20))),
        refund_vsize(MAX_CONTRACT_SIZE, p2wpkh_script(bytes(20))),
    )
    burning = (value - 10_000) // worst
    assert check_spendable(value, burning, asset) > 0  # the old, only, check passes
    trader = await make_trader()
    oid = await trader.place("sell", value, RATE)
    note = server.note(
        oid,
        quantity=value,
        rate=RATE,
        side="maker",
        feerate=burning,
        address=counterparty_address("ltc"),
    )
    assert_error(await server.send_match([note]))
    refusal = await trader.refusal(note["matchid"])
    assert names(refusal.reason, "fee"), refusal
    await trader.assert_untouched(oid)
    await trader.finish(oid)


@pytest.mark.parametrize(
    ("maker_ms", "taker_ms"),
    [
        (2, 1),  # (a): the old check only wanted taker < maker
        (80 * 365 * 24 * HOUR_MS, 80 * 365 * 24 * HOUR_MS - 1),  # (c): coins locked ~80 years
    ],
    ids=["a-2ms-1ms", "c-80-years"],
)
async def test_poc3_lock_time_config_refused(
    make_trader: MakeTrader, server: HostileServer, maker_ms: int, taker_ms: int
) -> None:
    server.locktimes = {"maker": maker_ms, "taker": taker_ms}
    trader = await make_trader(ready=False)
    await refuses_orders(trader, "lock")


async def test_poc6_thousands_of_notes_refused_and_the_link_survives(
    make_trader: MakeTrader, server: HostileServer
) -> None:
    """PoC 6: 6000 validly signed notes (a ~2.4 MB frame, under the 16 MiB inbound limit,
    whose acks would exceed the 1 MiB outbound one). The request is answered with an error,
    and the client's connection loop lives on: it reconnects and takes a fair match."""
    trader = await make_trader()
    oid = await trader.place("sell", 10 * LOT, RATE)
    address = counterparty_address("ltc")
    flood = [
        server.note(
            secrets.token_bytes(32).hex(), quantity=LOT, rate=RATE, side="taker", address=address
        )
        for _ in range(6000)
    ]
    answer = await server.send_match(flood, timeout=8)
    assert_error(answer)
    await server.drop()
    await server.wait_connections(2)
    await until(
        lambda: trader.core.dex.ready and "connect" in server.methods(2), "the client to reconnect"
    )
    fair = server.note(
        oid, quantity=4 * LOT, rate=RATE, side="taker", address=counterparty_address("ltc")
    )
    assert (await server.send_match([fair])).acked(fair["matchid"])
    assert trader.swaps_of(oid) == {fair["matchid"]: "Matched"}
    await trader.assert_untouched(oid, frozenset({fair["matchid"]}))
