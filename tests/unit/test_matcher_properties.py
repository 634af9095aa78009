"""Properties of the epoch matcher (protocol §8) over random order flows.

Each example is a few epochs of random limits (standing and immediate), market orders and
cancels (of own and of others' orders, of orders booked earlier, later in the same epoch, or
never). The same flow runs through two matchers:
- ``batch``: one ``match_epoch`` call per epoch, as the server does;
- ``step``: one call per order, so that the book can be inspected before and after each one
  and the outcome compared with what §8 says given that book.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dexserver.matcher import EpochResult, EventKind, Matcher, Order, OrderKind, Side, Status

LOT = 10**6
STEP = 100
BASE_RATE = 1_000 * STEP  # one lot costs 1,000 quote atoms at this rate
ACCOUNTS = [bytes([n]) * 32 for n in range(1, 4)]
SCALE = 10**8


@dataclass(frozen=True)
class Op:
    kind: str  # "l", "m", "c"
    account: int
    side: Side = Side.BUY
    size: int = 0  # lots (limit, market sell) or quote atoms (market buy)
    tick: int = 0
    standing: bool = True
    target: int = 0  # cancel: picks the targeted op, see target_of()
    own: bool = True  # cancel sent by the target's owner
    anything: bool = False  # cancel: target any op index, even one never sent


sides = st.sampled_from([Side.BUY, Side.SELL])
accounts = st.integers(0, len(ACCOUNTS) - 1)
limits = st.builds(
    Op, st.just("l"), accounts, sides, st.integers(1, 4), st.integers(0, 6), st.booleans()
)
market_sells = st.builds(Op, st.just("m"), accounts, st.just(Side.SELL), st.integers(1, 6))
market_buys = st.builds(Op, st.just("m"), accounts, st.just(Side.BUY), st.integers(1, 8_000))
cancels = st.builds(
    Op,
    st.just("c"),
    accounts,
    target=st.integers(0, 40),
    own=st.integers(0, 5).map(bool),  # mostly the owner
    anything=st.integers(0, 4).map(lambda x: x == 0),  # mostly a standing limit
)
ops = st.one_of(limits, limits, limits, market_sells, market_buys, cancels, cancels)
flows = st.lists(st.lists(ops, max_size=14), min_size=1, max_size=6)

PROPERTY_SETTINGS = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def oid(n: int) -> bytes:
    return (n + 1).to_bytes(32, "big")


def owner(flat: list[Op], n: int) -> bytes:
    return ACCOUNTS[flat[n].account] if n < len(flat) else ACCOUNTS[0]


def target_of(flat: list[Op], op: Op) -> int:
    """Index of the op a cancel targets: usually a standing limit (earlier, later in the same
    epoch, or in a later epoch), sometimes any index at all."""
    standing = [n for n, o in enumerate(flat) if o.kind == "l" and o.standing]
    if op.anything or not standing:
        return op.target
    return standing[op.target % len(standing)]


def submit(m: Matcher, flat: list[Op], n: int) -> Order:
    op = flat[n]
    if op.kind == "l":
        rate = BASE_RATE + op.tick * STEP
        return m.new_limit(oid(n), ACCOUNTS[op.account], op.side, op.size * LOT, rate, op.standing)
    if op.kind == "m":
        size = op.size * LOT if op.side is Side.SELL else op.size
        return m.new_market(oid(n), ACCOUNTS[op.account], op.side, size)
    target = target_of(flat, op)
    account = owner(flat, target) if op.own else ACCOUNTS[op.account]
    return m.new_cancel(oid(n), account, oid(target))


def run_batch(flow: list[list[Op]]) -> tuple[Matcher, list[Order], list[EpochResult]]:
    flat = [op for epoch in flow for op in epoch]
    m = Matcher(LOT, STEP)
    orders: list[Order] = []
    results = []
    for epoch in flow:
        mine = [submit(m, flat, len(orders) + i) for i in range(len(epoch))]
        orders += mine
        results.append(m.match_epoch(mine))
        assert_not_crossed(m)
    return m, orders, results


def assert_not_crossed(m: Matcher) -> None:
    bid, ask = m.best_bid(), m.best_ask()
    assert bid is None or ask is None or bid < ask


def expected_fills(taker: Order, makers: list[Order]) -> list[tuple[int, int, int]]:
    """(maker id, quantity, rate) that §8 prescribes against the other side's book.

    ``makers`` is a snapshot side: best rate first, then booking order, i.e. price-time priority.
    """
    out = []
    left = taker.quantity
    for maker in makers:
        rate = maker.rate
        if taker.kind is OrderKind.LIMIT and (
            rate > taker.rate if taker.side is Side.BUY else rate < taker.rate
        ):
            break
        if taker.kind is OrderKind.MARKET and taker.side is Side.BUY:
            qty = min(maker.remaining, left * SCALE // rate // LOT * LOT)
            if not qty:
                break
            left -= qty * rate // SCALE
        else:
            qty = min(maker.remaining, left)
            left -= qty
        out.append((maker.id, qty, rate))
        if not left:
            break
    return out


@PROPERTY_SETTINGS
@given(flows)
def test_each_order_gets_what_section_8_prescribes(flow: list[list[Op]]) -> None:
    """Order by order: cancels, booking, price-time priority, maker rate, rests."""
    flat = [op for epoch in flow for op in epoch]
    m = Matcher(LOT, STEP)
    for n in range(len(flat)):
        order = submit(m, flat, n)
        bids, asks = m.snapshot()
        before = {o.id: o.remaining for o in bids + asks}
        # computed before matching: the snapshot holds the live (mutable) orders
        want = (
            []
            if order.kind is OrderKind.CANCEL
            else expected_fills(order, asks if order.side is Side.BUY else bids)
        )
        res = m.match_epoch([order])
        after_bids, after_asks = m.snapshot()
        after = {o.id: o.remaining for o in after_bids + after_asks}
        assert_not_crossed(m)
        if order.kind is OrderKind.CANCEL:
            target = next((o for o in bids + asks if o.oid == order.target), None)
            ok = target is not None and target.account == order.account
            assert (order.status is Status.CANCEL_OK) == ok
            if ok:
                assert target is not None and res.cancelled == [target]
                del before[target.id]
            assert after == before
            continue
        got = [(mt.maker_id, mt.quantity, mt.rate) for mt in res.matches]
        assert got == want
        for maker_id, qty, _ in want:
            before[maker_id] -= qty
            if not before[maker_id]:
                del before[maker_id]
        if order.status is Status.BOOKED:
            assert order.kind is OrderKind.LIMIT and order.standing and order.remaining > 0
            before[order.id] = order.remaining
        else:
            assert order.status is (Status.FILLED if order.remaining == 0 else Status.UNFILLED)
        assert after == before


@PROPERTY_SETTINGS
@given(flows)
def test_quantities_are_conserved_and_trades_respect_limits(flow: list[list[Op]]) -> None:
    m, orders, results = run_batch(flow)
    by_id = {o.id: o for o in orders}
    base: dict[int, int] = defaultdict(int)
    quote: dict[int, int] = defaultdict(int)
    for match in (mt for r in results for mt in r.matches):
        maker, taker = by_id[match.maker_id], by_id[match.taker_id]
        assert maker.side is not taker.side and maker.kind is OrderKind.LIMIT
        assert match.rate == maker.rate  # the maker's rate
        assert match.quantity > 0 and match.quantity % LOT == 0
        assert (match.maker_account, match.taker_account) == (maker.account, taker.account)
        buy, sell = (maker, taker) if maker.side is Side.BUY else (taker, maker)
        if buy.kind is OrderKind.LIMIT:
            assert match.rate <= buy.rate
        if sell.kind is OrderKind.LIMIT:
            assert match.rate >= sell.rate
        for o in (maker, taker):
            base[o.id] += match.quantity
            quote[o.id] += match.quote
    for o in orders:
        if o.kind is OrderKind.CANCEL:
            assert o.id not in base
            continue
        assert o.filled == base[o.id]
        if o.kind is OrderKind.MARKET and o.side is Side.BUY:
            assert quote[o.id] == o.quantity - o.remaining <= o.quantity
        else:
            assert o.filled + o.remaining == o.quantity and o.filled <= o.quantity
        booked = m.get(o.id) is not None
        assert booked == (o.status is Status.BOOKED)
        assert (o.remaining == 0) == (o.status is Status.FILLED)


@PROPERTY_SETTINGS
@given(flows)
def test_taker_matches_best_price_first_then_earliest_booked(flow: list[list[Op]]) -> None:
    _, orders, results = run_batch(flow)
    by_id = {o.id: o for o in orders}
    for result in results:
        per_taker = defaultdict(list)
        for match in result.matches:
            per_taker[match.taker_id].append(by_id[match.maker_id])
        for taker_id, makers in per_taker.items():
            sign = 1 if by_id[taker_id].side is Side.BUY else -1  # buys take the lowest first
            keys = [(sign * mk.rate, mk.seq) for mk in makers]
            assert keys == sorted(keys) and len(set(keys)) == len(keys)


@PROPERTY_SETTINGS
@given(flows)
def test_batch_equals_order_by_order_and_feed_replays_the_book(flow: list[list[Op]]) -> None:
    m, _, results = run_batch(flow)
    flat = [op for epoch in flow for op in epoch]
    step = Matcher(LOT, STEP)
    rows = []
    for n in range(len(flat)):
        res = step.match_epoch([submit(step, flat, n)])
        rows += res.match_rows
    assert rows == [row for r in results for row in r.match_rows]
    snap = m.snapshot()
    assert [[o.id for o in side] for side in snap] == [
        [o.id for o in side] for side in step.snapshot()
    ]
    # a feed subscriber applying the events in order ends with the same book
    mirror: dict[int, int] = {}
    for event in (e for r in results for e in r.events):
        if event.kind == EventKind.ADD:
            assert event.order_id not in mirror
            mirror[event.order_id] = event.remaining
        elif event.kind == EventKind.REMOVE:
            del mirror[event.order_id]
        else:
            assert 0 < event.remaining < mirror[event.order_id]
            mirror[event.order_id] = event.remaining
    assert mirror == {o.id: o.remaining for side in snap for o in side}
    assert len(m) == len(mirror) == sum(d.orders for side in m.depth() for d in side)
