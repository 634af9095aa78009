"""A hostile server's configuration and identity against the real client (security review
C4 lock times, L11 key pinning): the client refuses to trade on the server (ServerRefused
naming the problem), no order is placed, nothing is locked, nothing reaches the chain."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import MakeTrader
from tests.hostile.server import HostileServer, counterparty_address
from tests.hostile.trader import LOT, RATE, names, refuses_orders, settle

pytestmark = pytest.mark.regtest

MINUTE_MS, HOUR_MS = 60_000, 3_600_000
YEAR_MS = 365 * 24 * HOUR_MS


@pytest.mark.parametrize(
    ("maker_ms", "taker_ms"),
    [
        (90_000, MINUTE_MS),  # a 1-minute taker contract: no time to act on regtest either
        (24 * HOUR_MS, 24 * HOUR_MS),  # inverted: the taker's contract would not expire first
        (2 * HOUR_MS, 3 * HOUR_MS),  # inverted: the taker's expires last
        (24 * HOUR_MS + 1, 24 * HOUR_MS),  # 1 ms gap: a maker contract expiring before ours
        (30 * YEAR_MS, 24 * HOUR_MS),  # decades: the maker's coins locked for 30 years
        (30 * YEAR_MS, 29 * YEAR_MS),
    ],
    ids=["too-short", "equal", "inverted", "no-gap", "maker-decades", "both-decades"],
)
async def test_lock_times_refused(
    make_trader: MakeTrader, server: HostileServer, maker_ms: int, taker_ms: int
) -> None:
    server.locktimes = {"maker": maker_ms, "taker": taker_ms}
    trader = await make_trader(ready=False)
    await refuses_orders(trader, "lock")


async def test_changed_server_key_on_reconnect(
    make_trader: MakeTrader, server: HostileServer
) -> None:
    trader = await make_trader()
    oid = await trader.place("sell", 10 * LOT, RATE)
    server.change_key(bytes(range(33, 65)))  # same URL, another key from the next connection
    await server.drop()
    await server.wait_connections(2)
    await settle(lambda: trader.server_refusals() or "connect" in server.methods(2))
    # The new key's server sends an otherwise fair match.
    note = server.note(
        oid, quantity=10 * LOT, rate=RATE, side="maker", address=counterparty_address("ltc")
    )
    answer = await server.send_match([note], timeout=3)
    assert not answer.acks, f"the client acked a match signed by the new key: {answer}"
    refusal = await trader.server_refusal()
    assert names(refusal.reason, "key"), refusal
    await trader.assert_untouched(oid)
