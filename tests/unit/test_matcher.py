"""Rules of the epoch matcher (protocol §8), one scenario each."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from dexserver.matcher import (
    BookEvent,
    EventKind,
    Match,
    Matcher,
    MatcherError,
    Order,
    Side,
    Status,
)

LOT = 10**6  # base atoms
STEP = 100  # rate step: LOT * STEP = 10^8, so quote amounts are exact
R = 1_000_000  # a rate: 0.01 quote per base; one lot costs 10,000 quote atoms
A, B, C = (bytes([n]) * 32 for n in (1, 2, 3))
BUY, SELL = Side.BUY, Side.SELL


class Book:
    """A matcher plus a counter for order IDs, to keep the scenarios short."""

    def __init__(self) -> None:
        self.m = Matcher(LOT, STEP)
        self._n = itertools.count(1)

    def oid(self) -> bytes:
        return next(self._n).to_bytes(32, "big")

    def limit(
        self, side: Side, lots: int, rate: int, account: bytes = A, standing: bool = True
    ) -> Order:
        return self.m.new_limit(self.oid(), account, side, lots * LOT, rate, standing)

    def market(self, side: Side, size: int, account: bytes = A) -> Order:
        return self.m.new_market(self.oid(), account, side, size)

    def cancel(self, target: Order, account: bytes = A) -> Order:
        return self.m.new_cancel(self.oid(), account, target.oid)

    def booked(self, side: Side, lots: int, rate: int, account: bytes = A) -> Order:
        """A standing limit booked by an epoch of its own."""
        order = self.limit(side, lots, rate, account)
        self.m.match_epoch([order])
        assert order.status is Status.BOOKED
        return order


@pytest.fixture
def bk() -> Book:
    return Book()


def fills(result_matches: list[Match]) -> list[tuple[int, int, int, int]]:
    return [(m.maker_id, m.taker_id, m.quantity // LOT, m.rate) for m in result_matches]


# ---- rule 2: limits that cannot match --------------------------------------------------------


def test_standing_limit_that_cannot_match_is_booked(bk: Book) -> None:
    sell = bk.booked(SELL, 2, R + 2 * STEP)
    buy = bk.limit(BUY, 3, R)
    res = bk.m.match_epoch([buy])
    assert res.match_rows == []
    assert res.booked == [buy] and buy.status is Status.BOOKED
    assert res.events == [BookEvent(EventKind.ADD, buy.id, 3 * LOT)]
    assert bk.m.best_bid() == R and bk.m.best_ask() == sell.rate


def test_immediate_limit_that_cannot_match_is_cancelled(bk: Book) -> None:
    bk.booked(SELL, 2, R + STEP)
    buy = bk.limit(BUY, 1, R, standing=False)
    res = bk.m.match_epoch([buy])
    assert res.unfilled == [buy] and buy.status is Status.UNFILLED
    assert res.match_rows == [] and res.event_rows == [] and res.booked == []
    assert buy.remaining == LOT and buy.filled == 0
    assert bk.m.get(buy.id) is None and bk.m.best_bid() is None
    sell = bk.limit(SELL, 1, R + 2 * STEP, standing=False)  # nothing on the other side
    assert bk.m.match_epoch([sell]).unfilled == [sell]


# ---- rule 3: takers --------------------------------------------------------------------------


def test_match_executes_at_the_makers_rate(bk: Book) -> None:
    maker = bk.booked(SELL, 1, R, account=B)
    taker = bk.limit(BUY, 1, R + 50 * STEP)
    res = bk.m.match_epoch([taker])
    assert res.matches == [Match(maker.id, taker.id, LOT, R, B, A)]
    assert res.matches[0].quote == 10_000
    # and the other way round: a sell taker below a booked bid gets the bid's rate
    bid = bk.booked(BUY, 1, R, account=B)
    ask = bk.limit(SELL, 1, R - 30 * STEP, standing=False)
    assert fills(bk.m.match_epoch([ask]).matches) == [(bid.id, ask.id, 1, R)]


def test_better_price_first(bk: Book) -> None:
    worse = bk.booked(SELL, 1, R + 2 * STEP)
    best = bk.booked(SELL, 1, R)
    mid = bk.booked(SELL, 1, R + STEP)
    taker = bk.limit(BUY, 3, R + 5 * STEP, account=B)
    res = bk.m.match_epoch([taker])
    assert [m.maker_id for m in res.matches] == [best.id, mid.id, worse.id]
    assert [m.rate for m in res.matches] == [R, R + STEP, R + 2 * STEP]


def test_earlier_booking_first_at_equal_rates(bk: Book) -> None:
    first = bk.booked(BUY, 1, R)
    second = bk.booked(BUY, 1, R)
    better_later = bk.booked(BUY, 1, R + STEP)
    taker = bk.market(SELL, 2 * LOT, account=B)
    res = bk.m.match_epoch([taker])
    assert [m.maker_id for m in res.matches] == [better_later.id, first.id]
    assert bk.m.snapshot()[0] == [second]


def test_time_priority_within_one_epoch_follows_the_shuffled_order(bk: Book) -> None:
    a, b = bk.limit(SELL, 1, R), bk.limit(SELL, 1, R)
    bk.m.match_epoch([b, a])  # b comes first in the shuffle, so it books first
    assert b.seq < a.seq
    taker = bk.limit(BUY, 1, R)
    assert fills(bk.m.match_epoch([taker]).matches) == [(b.id, taker.id, 1, R)]


def test_taker_stops_at_its_limit(bk: Book) -> None:
    cheap = bk.booked(SELL, 1, R)
    dear = bk.booked(SELL, 1, R + 2 * STEP)
    taker = bk.limit(BUY, 2, R + STEP, standing=False)
    res = bk.m.match_epoch([taker])
    assert fills(res.matches) == [(cheap.id, taker.id, 1, R)]
    assert res.unfilled == [taker] and taker.filled == LOT and taker.remaining == LOT
    assert dear.status is Status.BOOKED and bk.m.best_ask() == R + 2 * STEP


def test_standing_taker_partly_filled_books_its_rest(bk: Book) -> None:
    maker = bk.booked(SELL, 2, R, account=B)
    taker = bk.limit(BUY, 5, R + STEP)
    res = bk.m.match_epoch([taker])
    assert fills(res.matches) == [(maker.id, taker.id, 2, R)]
    assert res.booked == [taker] and res.filled == [maker]
    assert (taker.status, taker.filled, taker.remaining) == (Status.BOOKED, 2 * LOT, 3 * LOT)
    assert res.events == [
        BookEvent(EventKind.REMOVE, maker.id, 0),
        BookEvent(EventKind.ADD, taker.id, 3 * LOT),
    ]
    # the rest rests at the taker's own rate, and the book is not crossed
    assert bk.m.best_bid() == R + STEP and bk.m.best_ask() is None


def test_maker_partly_filled_stays_with_update_remaining(bk: Book) -> None:
    maker = bk.booked(BUY, 5, R)
    taker = bk.limit(SELL, 2, R, account=B)
    res = bk.m.match_epoch([taker])
    assert res.events == [BookEvent(EventKind.UPDATE, maker.id, 3 * LOT)]
    assert (maker.status, maker.filled, maker.remaining) == (Status.BOOKED, 2 * LOT, 3 * LOT)
    assert res.filled == [taker] and taker.status is Status.FILLED
    assert bk.m.depth()[0][0] == (R, 3 * LOT, 1)


def test_immediate_taker_partly_filled_drops_its_rest(bk: Book) -> None:
    bk.booked(SELL, 1, R)
    taker = bk.limit(BUY, 3, R, standing=False)
    res = bk.m.match_epoch([taker])
    assert res.unfilled == [taker] and taker.filled == LOT and taker.remaining == 2 * LOT
    assert len(bk.m) == 0


def test_taker_sweeps_several_levels_and_orders(bk: Book) -> None:
    makers = [bk.booked(SELL, 1, R + STEP * (i % 2), account=B) for i in range(4)]
    taker = bk.limit(BUY, 3, R + STEP)
    res = bk.m.match_epoch([taker])
    order = [makers[0], makers[2], makers[1]]  # rate R first (in booking order), then R+STEP
    assert [m.maker_id for m in res.matches] == [o.id for o in order]
    assert bk.m.snapshot()[1] == [makers[3]]


def test_self_match_is_allowed(bk: Book) -> None:
    maker = bk.booked(SELL, 1, R, account=A)
    taker = bk.limit(BUY, 1, R, account=A)
    (match,) = bk.m.match_epoch([taker]).matches
    assert match.maker_id == maker.id and match.maker_account == match.taker_account == A


# ---- market orders ---------------------------------------------------------------------------


def test_market_sell_takes_bids_and_drops_the_rest(bk: Book) -> None:
    hi = bk.booked(BUY, 1, R + STEP)
    lo = bk.booked(BUY, 1, R - 10 * STEP)
    taker = bk.market(SELL, 3 * LOT, account=B)
    res = bk.m.match_epoch([taker])
    assert fills(res.matches) == [(hi.id, taker.id, 1, R + STEP), (lo.id, taker.id, 1, lo.rate)]
    assert res.unfilled == [taker] and taker.filled == 2 * LOT and taker.remaining == LOT
    assert len(bk.m) == 0


def test_market_buy_spends_quote_on_whole_lots_at_maker_rates(bk: Book) -> None:
    cheap = bk.booked(SELL, 2, R)  # 10,000 quote a lot
    dear = bk.booked(SELL, 5, 2 * R)  # 20,000 quote a lot
    taker = bk.market(BUY, 75_000, account=B)  # 2 lots at R (20,000), then 2 at 2R (40,000)
    res = bk.m.match_epoch([taker])
    assert fills(res.matches) == [(cheap.id, taker.id, 2, R), (dear.id, taker.id, 2, 2 * R)]
    assert sum(m.quote for m in res.matches) == 60_000
    assert taker.filled == 4 * LOT and taker.remaining == 15_000  # quote atoms left
    assert res.unfilled == [taker]
    assert dear.remaining == 3 * LOT
    assert res.events[-1] == BookEvent(EventKind.UPDATE, dear.id, 3 * LOT)


def test_market_buy_exactly_spent_is_filled(bk: Book) -> None:
    bk.booked(SELL, 3, R)
    taker = bk.market(BUY, 20_000)
    res = bk.m.match_epoch([taker])
    assert res.filled == [taker] and taker.remaining == 0 and taker.filled == 2 * LOT


def test_market_buy_that_cannot_afford_a_lot_matches_nothing(bk: Book) -> None:
    bk.booked(SELL, 3, R)
    taker = bk.market(BUY, 9_999)
    res = bk.m.match_epoch([taker])
    assert res.match_rows == [] and res.unfilled == [taker] and taker.remaining == 9_999


def test_market_order_on_empty_book_is_unfilled(bk: Book) -> None:
    orders = [bk.market(BUY, 50_000), bk.market(SELL, LOT)]
    assert bk.m.match_epoch(orders).unfilled == orders


# ---- rule 1: cancels -------------------------------------------------------------------------


def test_cancel_removes_own_booked_order(bk: Book) -> None:
    target = bk.booked(BUY, 2, R)
    cancel = bk.cancel(target)
    res = bk.m.match_epoch([cancel])
    assert res.cancels_ok == [cancel] and res.cancelled == [target]
    assert cancel.status is Status.CANCEL_OK and target.status is Status.CANCELLED
    assert res.events == [BookEvent(EventKind.REMOVE, target.id, 2 * LOT)]
    assert len(bk.m) == 0 and bk.m.best_bid() is None and bk.m.get(target.id) is None


def test_cancel_of_another_accounts_order_fails(bk: Book) -> None:
    target = bk.booked(BUY, 2, R, account=A)
    cancel = bk.cancel(target, account=B)
    res = bk.m.match_epoch([cancel])
    assert res.cancels_failed == [cancel] and cancel.status is Status.CANCEL_FAILED
    assert res.event_rows == [] and target.status is Status.BOOKED


def test_cancel_before_its_target_is_booked_in_the_same_epoch_fails(bk: Book) -> None:
    target = bk.limit(SELL, 1, R)
    cancel = bk.cancel(target)
    res = bk.m.match_epoch([cancel, target])
    assert res.cancels_failed == [cancel]
    assert res.booked == [target] and target.status is Status.BOOKED


def test_cancel_after_its_target_is_booked_in_the_same_epoch_succeeds(bk: Book) -> None:
    target = bk.limit(SELL, 1, R)
    cancel = bk.cancel(target)
    res = bk.m.match_epoch([target, cancel])
    assert res.cancels_ok == [cancel] and target.status is Status.CANCELLED
    assert [e.kind for e in res.events] == [EventKind.ADD, EventKind.REMOVE]


def test_cancel_of_a_filled_immediate_or_unknown_order_fails(bk: Book) -> None:
    filled = bk.booked(SELL, 1, R)
    bk.m.match_epoch([bk.limit(BUY, 1, R, account=B)])
    immediate = bk.limit(SELL, 1, R, standing=False)
    unknown = bk.m.new_cancel(bk.oid(), A, b"\x77" * 32)
    cancels = [bk.cancel(filled), bk.cancel(immediate), unknown]
    res = bk.m.match_epoch([immediate, *cancels])
    assert res.cancels_failed == cancels and res.cancels_ok == []


def test_cancelled_order_in_a_level_is_skipped_by_takers(bk: Book) -> None:
    first, second, third = (bk.booked(SELL, 1, R) for _ in range(3))
    bk.m.match_epoch([bk.cancel(first), bk.cancel(second)])
    taker = bk.limit(BUY, 2, R, account=B)
    res = bk.m.match_epoch([taker])
    assert fills(res.matches) == [(third.id, taker.id, 1, R)]
    assert res.booked == [taker] and bk.m.best_ask() is None


def test_many_cancels_in_one_level_keep_priority(bk: Book) -> None:
    orders = [bk.booked(BUY, 1, R) for _ in range(100)]
    bk.m.match_epoch([bk.cancel(o) for o in orders[:90]])
    assert bk.m.snapshot()[0] == orders[90:]
    assert len(bk.m.bids.levels[R].orders) < 40  # dead entries were compacted away
    taker = bk.market(SELL, 3 * LOT, account=B)
    assert [m.maker_id for m in bk.m.match_epoch([taker]).matches] == [o.id for o in orders[90:93]]


# ---- book queries and purges -----------------------------------------------------------------


def test_snapshot_depth_and_best(bk: Book) -> None:
    b1 = bk.booked(BUY, 1, R)
    b2 = bk.booked(BUY, 2, R + STEP)
    b3 = bk.booked(BUY, 3, R)
    s1 = bk.booked(SELL, 4, R + 3 * STEP)
    assert bk.m.snapshot() == ([b2, b1, b3], [s1])
    bids, asks = bk.m.depth()
    assert bids == [(R + STEP, 2 * LOT, 1), (R, 4 * LOT, 2)]
    assert asks == [(R + 3 * STEP, 4 * LOT, 1)]
    assert bk.m.depth(max_levels=1)[0] == [(R + STEP, 2 * LOT, 1)]
    assert (bk.m.best_bid(), bk.m.best_ask(), len(bk.m)) == (R + STEP, R + 3 * STEP, 4)


def test_remove_booked_order_and_pending_order(bk: Book) -> None:
    booked = bk.booked(SELL, 1, R)
    pending = bk.limit(SELL, 1, R)
    assert bk.m.remove(booked.id) is booked and booked.status is Status.REVOKED
    assert bk.m.remove(pending.id) is pending
    assert bk.m.remove(pending.id) is None and bk.m.remove(12345) is None
    res = bk.m.match_epoch([pending])  # a revoked pending order is skipped
    assert res.booked == [] and res.event_rows == [] and len(bk.m) == 0


def test_orders_of_and_remove_account(bk: Book) -> None:
    a1 = bk.booked(BUY, 1, R, account=A)
    bk.booked(BUY, 1, R, account=B)
    a2 = bk.limit(SELL, 1, R + STEP, account=A)  # pending
    assert bk.m.orders_of(A) == [a1, a2] and bk.m.orders_of(C) == []
    assert bk.m.get(a2.id) is a2 and bk.m.get_by_oid(a2.oid) is a2
    assert bk.m.remove_account(A) == [a1, a2]
    assert bk.m.orders_of(A) == [] and len(bk.m) == 1


def test_restore_keeps_order_and_rejects_crossing(bk: Book) -> None:
    first = bk.m.restore(bk.oid(), A, SELL, 3 * LOT, R, filled=LOT)
    second = bk.m.restore(bk.oid(), B, SELL, LOT, R)
    assert first.remaining == 2 * LOT and first.seq < second.seq
    with pytest.raises(MatcherError):
        bk.m.restore(bk.oid(), A, BUY, LOT, R)
    with pytest.raises(MatcherError):
        bk.m.restore(bk.oid(), A, BUY, LOT, R - STEP, filled=LOT)
    assert bk.m.snapshot() == ([], [first, second])


# ---- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda m: m.new_limit(b"\1" * 32, A, BUY, LOT + 1, R), 5),
        (lambda m: m.new_limit(b"\1" * 32, A, BUY, 0, R), 5),
        (lambda m: m.new_limit(b"\1" * 32, A, BUY, LOT, R + 1), 6),
        (lambda m: m.new_limit(b"\1" * 32, A, BUY, LOT, 0), 6),
        (lambda m: m.new_market(b"\1" * 32, A, SELL, LOT // 2), 5),
        (lambda m: m.new_market(b"\1" * 32, A, BUY, 0), 5),
        (lambda m: m.new_limit(b"\1" * 31, A, BUY, LOT, R), -32602),
        (lambda m: m.new_cancel(b"\1" * 32, A, b"\2" * 31), 9),
    ],
)
def test_invalid_orders_are_refused(make: Callable[[Matcher], object], code: int) -> None:
    m = Matcher(LOT, STEP)
    with pytest.raises(MatcherError) as err:
        make(m)
    assert err.value.code == code and len(m) == 0 and m.get(1) is None
    with pytest.raises(ValueError):
        Matcher(0, STEP)


def test_duplicate_live_order_id_is_refused(bk: Book) -> None:
    order = bk.limit(BUY, 1, R)
    with pytest.raises(MatcherError) as err:
        bk.m.new_market(order.oid, A, SELL, LOT)
    assert err.value.code == 15


def test_lenient_inputs(bk: Book) -> None:
    assert bk.market(BUY, 12_345).quantity == 12_345  # a market buy's quote size: any amount
    order = bk.m.new_limit(bk.oid(), A, 1, LOT, R)  # type: ignore[arg-type]
    assert order.side is SELL and order.key == -R  # side as a plain int


def test_an_order_is_processed_once(bk: Book) -> None:
    order = bk.limit(BUY, 1, R)
    other = bk.limit(BUY, 1, R)
    with pytest.raises(MatcherError):
        bk.m.match_epoch([order, other, order])
    assert order.status is Status.PENDING  # refused before anything changed
    bk.m.match_epoch([order])
    with pytest.raises(MatcherError):
        bk.m.match_epoch([other, order])
    assert other.status is Status.PENDING
