"""A hostile server's `match` terms against the real client (security review C1, C2, C4's
servertime, L2, L4): each attack is answered with a JSON-RPC error, never a signed ack;
nothing reaches either chain; the order's coins are never locked for a swap and are free
once the order is over; a MatchRefused event names the problem.

Every test places a real order first (stored, coins locked), then the server attacks it.
"""

from __future__ import annotations

import secrets

import pytest

from app.safety.limits import SafetyLimits
from tests.hostile.conftest import MakeTrader
from tests.hostile.server import HostileServer, MatchAnswer, counterparty_address, now_ms
from tests.hostile.trader import (
    LOT,
    RATE,
    Trader,
    assert_error,
    assert_refused,
    names,
)
from tests.waits import until

pytestmark = pytest.mark.regtest

HOUR_MS = 3_600_000
RATE_WORDS = (r"\brate\b", "price", "limit")
OVERFILL_WORDS = ("quantity", "remain", "more than", "exceed", "overfill", "fill")
FEE_WORDS = ("fee",)


def pay_asset(side: str) -> str:
    return "ltc" if side == "sell" else "btc"


async def refused(
    trader: Trader,
    oid: str,
    answer: MatchAnswer,
    match_id: str,
    *words: str,
    accepted: frozenset[str] = frozenset(),
) -> None:
    """The common end of an attack: an error answer, the refusal event naming the problem,
    nothing on chain or locked for a swap, and the coins free once the order is over."""
    assert_error(answer)
    refusal = await trader.refusal(match_id)
    assert refusal.order_id == oid, refusal
    assert names(refusal.reason, *words), f"the reason does not name the problem: {refusal}"
    await trader.assert_untouched(oid, accepted)
    await trader.finish(oid)


async def attack(
    trader: Trader,
    server: HostileServer,
    oid: str,
    *words: str,
    side: str = "sell",
    quantity: int = 10 * LOT,
    rate: int = RATE,
    feerate: int = 10,
    servertime: int | None = None,
) -> None:
    """Send one signed maker note with these terms for our order; it must be refused."""
    note = server.note(
        oid,
        quantity=quantity,
        rate=rate,
        side="maker",
        feerate=feerate,
        servertime=servertime,
        address=counterparty_address(pay_asset(side)),
    )
    await refused(trader, oid, await server.send_match([note]), note["matchid"], *words)


# --- C1: the terms against our order ---------------------------------------------------------
@pytest.mark.parametrize(
    ("side", "rate"),
    [("sell", RATE * 9 // 10), ("buy", RATE * 11 // 10)],
    ids=["sell-below-limit", "buy-above-limit"],
)
async def test_rate_worse_than_the_limit(
    make_trader: MakeTrader, server: HostileServer, side: str, rate: int
) -> None:
    trader = await make_trader()
    oid = await trader.place(side, 10 * LOT, RATE)
    await attack(trader, server, oid, *RATE_WORDS, side=side, rate=rate)


async def test_overfill_in_one_request(make_trader: MakeTrader, server: HostileServer) -> None:
    trader = await make_trader()
    oid = await trader.place("sell", 10 * LOT, RATE)
    await attack(trader, server, oid, *OVERFILL_WORDS, quantity=11 * LOT)


async def test_overfill_across_two_requests(make_trader: MakeTrader, server: HostileServer) -> None:
    trader = await make_trader()
    oid = await trader.place("sell", 10 * LOT, RATE)
    first = server.note(
        oid, quantity=6 * LOT, rate=RATE, side="taker", address=counterparty_address("ltc")
    )
    answer = await server.send_match([first])
    assert answer.acked(first["matchid"]), f"the fair first match was refused: {answer}"
    second = server.note(
        oid, quantity=6 * LOT, rate=RATE, side="maker", address=counterparty_address("ltc")
    )
    await refused(
        trader,
        oid,
        await server.send_match([second]),
        second["matchid"],
        *OVERFILL_WORDS,
        accepted=frozenset({first["matchid"]}),
    )


async def test_overfill_via_connect_resync(make_trader: MakeTrader, server: HostileServer) -> None:
    trader = await make_trader()
    oid = await trader.place("sell", 10 * LOT, RATE)
    first = server.note(
        oid, quantity=8 * LOT, rate=RATE, side="taker", address=counterparty_address("ltc")
    )
    assert (await server.send_match([first])).acked(first["matchid"])
    # On the next connect the server "remembers" another match: 8 + 5 lots of a 10-lot order.
    extra = server.note(
        oid, quantity=5 * LOT, rate=RATE, side="maker", address=counterparty_address("ltc")
    )
    server.connect_matches = [server.state(first), server.state(extra)]
    await server.drop()
    await server.wait_connections(2)
    mid = extra["matchid"]
    await until(
        lambda: mid in trader.swaps_of(oid) or trader.match_refusals(mid),
        "the client to take or refuse the resync match",
    )
    assert mid not in trader.swaps_of(oid), f"overfill stored: {trader.swaps_of(oid)}"
    refusal = await trader.refusal(mid)
    assert refusal.order_id == oid and names(refusal.reason, *OVERFILL_WORDS), refusal
    await trader.assert_untouched(oid, frozenset({first["matchid"]}))
    await trader.finish(oid)


async def test_quantity_not_a_lot_multiple(make_trader: MakeTrader, server: HostileServer) -> None:
    trader = await make_trader()
    oid = await trader.place("sell", 10 * LOT, RATE)
    await attack(trader, server, oid, "lot", quantity=5 * LOT + 7)


async def test_rate_not_a_rate_step_multiple(
    make_trader: MakeTrader, server: HostileServer
) -> None:
    trader = await make_trader()
    oid = await trader.place("sell", 10 * LOT, RATE)
    await attack(trader, server, oid, "step", rate=RATE + 50)  # better than the limit


async def test_match_on_a_cancelled_order(make_trader: MakeTrader, server: HostileServer) -> None:
    trader = await make_trader()
    oid = await trader.place("sell", 10 * LOT, RATE)
    await trader.finish(oid)  # cancelled, its coins released
    order = trader.core.order_store.get(oid)
    assert order is not None and order.status == "cancelled"
    note = server.note(
        oid, quantity=10 * LOT, rate=RATE, side="maker", address=counterparty_address("ltc")
    )
    await refused(
        trader,
        oid,
        await server.send_match([note]),
        note["matchid"],
        "cancel",
        "not live",
        "no longer",
        "not open",
        "closed",
        "finished",
    )


async def test_maker_role_for_a_market_order(
    make_trader: MakeTrader, server: HostileServer
) -> None:
    server.epochlen = 4000  # the match must arrive inside the market order's one epoch
    trader = await make_trader()
    oid = await trader.place("sell", 10 * LOT, 0, otype="market")
    assert server.orders[oid].method == "market"
    await attack(trader, server, oid, "maker", "market", r"\brole\b")


# --- C2: fee rates -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("advertised", "feerate", "words"),
    [
        (10, 5000, FEE_WORDS),  # above the user's limit (1000 atoms/vB for LTC)
        (1, 5, ("below", "relay", "floor", "minimum", "lower", "less")),  # under the node's 10
        (30, 20, ("below", "advertis", "server's own", "minimum", "lower", "less")),  # < assets[]
    ],
    ids=["above-user-limit", "below-relay-floor", "below-advertised-rate"],
)
async def test_fee_rate_out_of_bounds(
    make_trader: MakeTrader,
    server: HostileServer,
    advertised: int,
    feerate: int,
    words: tuple[str, ...],
) -> None:
    server.set_asset("ltc", feerate=advertised)
    trader = await make_trader()
    oid = await trader.place("sell", 10 * LOT, RATE)
    note = server.note(
        oid,
        quantity=10 * LOT,
        rate=RATE,
        side="maker",
        feerate=feerate,
        address=counterparty_address("ltc"),
    )
    answer = await server.send_match([note])
    await refused(trader, oid, answer, note["matchid"], *words)
    assert names(trader.match_refusals(note["matchid"])[0].reason, "fee")


async def test_fee_share_too_high_for_a_small_match(
    make_trader: MakeTrader, server: HostileServer
) -> None:
    """A fee rate inside every bound (10 atoms/vB, the relay floor, what the server
    advertises), but the user allows fees of at most 0.1 % of a match: the worst-case fees
    of one 0.01-LTC lot (init share, refund, redeem) are several times that."""
    trader = await make_trader(limits=SafetyLimits(max_fee_share_bp=10))
    oid = await trader.place("sell", 10 * LOT, RATE)
    await attack(trader, server, oid, "share", "%", "value", "of the", quantity=LOT)


# --- L4: an amount that converts to 0 does not abort the request's other notes -----------------
async def test_zero_amount_note_does_not_abort_the_valid_one(
    make_trader: MakeTrader, server: HostileServer
) -> None:
    server.set_asset("ltc", lotsize=LOT // 10)  # 0.001 LTC lots: 1 lot x rate 100 pays 0 BTC
    trader = await make_trader()
    oid = await trader.place("buy", 10 * LOT, RATE)
    zero = server.note(
        oid, quantity=LOT // 10, rate=100, side="maker", address=counterparty_address("btc")
    )
    valid = server.note(
        oid, quantity=5 * LOT, rate=RATE, side="taker", address=counterparty_address("btc")
    )
    answer = await server.send_match([zero, valid])
    assert_refused(answer, zero["matchid"])
    assert trader.swaps_of(oid) == {valid["matchid"]: "Matched"}, (
        f"the valid note was not stored: {trader.swaps_of(oid)}, answer {answer.response}"
    )
    refusal = await trader.refusal(zero["matchid"])
    assert names(
        refusal.reason, "amount", "zero", "nothing", "round", r"\b0\b", "too small", "dust"
    ), refusal
    await trader.assert_untouched(oid, frozenset({valid["matchid"]}))
    await trader.finish(oid)


# --- C4: the match time --------------------------------------------------------------------------
@pytest.mark.parametrize("offset_ms", [2 * HOUR_MS, -2 * HOUR_MS], ids=["future", "past"])
async def test_servertime_far_off_our_clock(
    make_trader: MakeTrader, server: HostileServer, offset_ms: int
) -> None:
    trader = await make_trader()
    oid = await trader.place("sell", 10 * LOT, RATE)
    await attack(trader, server, oid, "time", "clock", servertime=now_ms() + offset_ms)


# --- L2: a note the client cannot settle is never acked ----------------------------------------
@pytest.mark.parametrize("what", ["unknown-order", "address-on-the-wrong-chain"])
async def test_unsettleable_note_is_not_acked(
    make_trader: MakeTrader, server: HostileServer, what: str
) -> None:
    trader = await make_trader()
    oid = await trader.place("sell", 10 * LOT, RATE)
    target = secrets.token_bytes(32).hex() if what == "unknown-order" else oid
    address = counterparty_address("btc")  # we pay LTC: a BTC address cannot be paid
    note = server.note(target, quantity=10 * LOT, rate=RATE, side="maker", address=address)
    assert_error(await server.send_match([note]))
    refusal = await trader.refusal(note["matchid"])
    assert refusal.order_id == target, refusal
    words = ("unknown", "order") if what == "unknown-order" else ("address",)
    assert names(refusal.reason, *words), refusal
    await trader.assert_untouched(oid)
    await trader.finish(oid)
