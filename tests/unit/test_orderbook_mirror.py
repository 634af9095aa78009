"""The client order book mirror (app.dex.orderbook): snapshot, feed, buffering, gaps, depth."""

from __future__ import annotations

import dataclasses
import random
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.dex.orderbook import ApplyStatus, LevelChange, OrderBookMirror, PriceLevel
from dexproto.errors import (
    BookInconsistentError,
    ProtocolError,
    ResyncRequired,
    SequenceGapError,
)
from dexproto.messages import (
    AddLimitNote,
    BookNote,
    BookOrder,
    BookOrderType,
    BookSide,
    BookSnapshot,
    BookTif,
    OrderbookResult,
    RemoveOrderNote,
    UpdateRemainingNote,
)

BUY, SELL = BookSide.BUY, BookSide.SELL
MKT = 3


def oid(n: int) -> bytes:
    return n.to_bytes(32, "big")


def limit(
    n: int,
    side: BookSide,
    rate: int,
    osize: int,
    filled: int = 0,
    tif: BookTif = BookTif.STANDING,
    epoch: int = 1,
) -> BookOrder:
    return BookOrder(
        oid=oid(n),
        otype=BookOrderType.LIMIT,
        side=side,
        osize=osize,
        rate=rate,
        tif=tif,
        epoch=epoch,
        filled=filled,
    )


def market(n: int, side: BookSide, osize: int, epoch: int = 1) -> BookOrder:
    return BookOrder(
        oid=oid(n), otype=BookOrderType.MARKET, side=side, osize=osize, epoch=epoch, filled=0
    )


def snapshot(orders: list[BookOrder], seq: int, epoch: int = 1) -> OrderbookResult:
    return OrderbookResult(
        book=BookSnapshot(marketid=MKT, epoch=epoch, orders=tuple(orders)), seq=seq
    )


def add(order: BookOrder, seq: int) -> BookNote:
    return AddLimitNote(marketid=MKT, order=order, seq=seq)


def remove(n: int, seq: int) -> BookNote:
    return RemoveOrderNote(marketid=MKT, orderid=oid(n), seq=seq)


def update(n: int, remaining: int, seq: int) -> BookNote:
    return UpdateRemainingNote(marketid=MKT, orderid=oid(n), remaining=remaining, seq=seq)


BOOK = [
    limit(1, BUY, 100, 10),
    limit(2, BUY, 100, 5, filled=2),
    limit(3, BUY, 90, 7),
    limit(4, SELL, 110, 4),
    limit(5, SELL, 120, 6),
    limit(6, SELL, 110, 1),
    limit(7, BUY, 200, 3, tif=BookTif.IMMEDIATE),
    market(8, SELL, 50),
]


def synced(seq: int = 10) -> OrderBookMirror:
    mirror = OrderBookMirror(MKT)
    mirror.apply_snapshot(snapshot(BOOK, seq))
    return mirror


def test_snapshot_depth_best_and_epoch_orders() -> None:
    m = synced()
    assert m.synced and m.seq == 10 and len(m) == 6
    assert m.depth(BUY) == [PriceLevel(100, 13, 2), PriceLevel(90, 7, 1)]
    assert m.depth(SELL) == [PriceLevel(110, 5, 2), PriceLevel(120, 6, 1)]
    assert m.depth(SELL, limit=1) == [PriceLevel(110, 5, 2)]
    assert m.depth(BUY, limit=1) == [PriceLevel(100, 13, 2)]
    assert m.depth(BUY, limit=0) == []
    assert m.depth(BUY, limit=99) == m.depth(BUY)
    assert m.best_bid() == PriceLevel(100, 13, 2)  # the immediate limit at 200 is not booked
    assert m.best_ask() == PriceLevel(110, 5, 2)
    assert {e.oid for e in m.epoch_orders()} == {oid(7), oid(8)}
    entry = m.get(oid(2))
    assert entry is not None and entry.remaining == 3


def test_updates_report_level_changes() -> None:
    m = synced()
    d = m.apply(add(limit(9, BUY, 105, 2), 11))
    assert d.status is ApplyStatus.APPLIED and d.levels == (LevelChange(BUY, 105, 2, 1),)
    assert m.best_bid() == PriceLevel(105, 2, 1)
    assert m.apply(update(1, 4, 12)).levels == (LevelChange(BUY, 100, 7, 2),)
    assert m.apply(remove(9, 13)).levels == (LevelChange(BUY, 105, 0, 0),)
    assert m.apply(update(2, 0, 14)).levels == (LevelChange(BUY, 100, 4, 1),)  # 0 removes
    assert m.get(oid(2)) is None
    d = m.apply(remove(8, 15))
    assert d.levels == () and d.epoch_changed
    assert [e.oid for e in m.epoch_orders()] == [oid(7)]
    assert m.apply(add(limit(20, BUY, 95, 1, tif=BookTif.IMMEDIATE, epoch=2), 16)).epoch_changed
    assert m.epoch == 2 and m.seq == 16


def test_notifications_before_the_snapshot_are_buffered_and_replayed() -> None:
    m = OrderBookMirror(MKT)
    assert not m.synced
    early = [add(limit(9, SELL, 130, 1), 9), remove(1, 10), update(3, 2, 11), remove(4, 12)]
    for note in early:
        assert m.apply(note).status is ApplyStatus.BUFFERED
    assert m.depth(BUY) == []
    in_snapshot = [o for o in BOOK if o.oid != oid(1)] + [limit(9, SELL, 130, 1)]
    m.apply_snapshot(snapshot(in_snapshot, seq=10))  # seq 9 and 10 are in the snapshot
    assert m.seq == 12
    assert m.depth(BUY) == [PriceLevel(100, 3, 1), PriceLevel(90, 2, 1)]
    assert m.depth(SELL) == [PriceLevel(110, 1, 1), PriceLevel(120, 6, 1), PriceLevel(130, 1, 1)]
    assert m.apply(remove(5, 10)).status is ApplyStatus.STALE
    assert m.apply(remove(5, 13)).status is ApplyStatus.APPLIED


def test_gap_in_the_buffer_is_detected_on_replay() -> None:
    m = OrderBookMirror(MKT)
    m.apply(remove(1, 12))  # 11 was lost
    with pytest.raises(SequenceGapError) as info:
        m.apply_snapshot(snapshot(BOOK, 10))
    assert (info.value.expected, info.value.got) == (11, 12)
    assert not m.synced


def test_live_gap_resets_and_a_new_snapshot_recovers() -> None:
    m = synced(10)
    with pytest.raises(ResyncRequired):
        m.apply(remove(1, 12))
    assert not m.synced and len(m) == 0 and m.depth(BUY) == []
    assert m.apply(remove(2, 13)).status is ApplyStatus.BUFFERED
    m.apply_snapshot(snapshot(BOOK, 11))  # the caller re-subscribed
    assert m.seq == 13
    assert m.get(oid(1)) is None and m.get(oid(2)) is None


def test_buffer_overflow_shows_up_as_a_gap() -> None:
    m = OrderBookMirror(MKT, max_buffer=2)
    for seq, n in ((11, 1), (12, 2), (13, 3)):  # 11 falls out of the buffer
        m.apply(remove(n, seq))
    with pytest.raises(SequenceGapError):
        m.apply_snapshot(snapshot(BOOK, 10))


@pytest.mark.parametrize(
    "note",
    [
        remove(99, 11),
        update(99, 1, 11),
        add(limit(1, BUY, 100, 10), 11),  # already booked
        add(limit(50, BUY, 100, 10, filled=10), 11),  # nothing remaining
        update(3, 8, 11),  # remaining may only shrink
    ],
)
def test_inconsistent_notifications_force_a_resync(note: BookNote) -> None:
    m = synced(10)
    with pytest.raises(BookInconsistentError):
        m.apply(note)
    assert not m.synced


def test_inconsistent_snapshot_and_wrong_market() -> None:
    m = OrderBookMirror(MKT)
    with pytest.raises(BookInconsistentError):
        m.apply_snapshot(snapshot([BOOK[0], BOOK[0]], 1))
    assert not m.synced
    with pytest.raises(ProtocolError):
        m.apply(RemoveOrderNote(marketid=MKT + 1, orderid=oid(1), seq=1))


def test_large_book() -> None:
    rng = random.Random(7)
    orders = [
        limit(i, BUY if i % 2 else SELL, rng.randrange(1, 5000) * 100, rng.randrange(1, 99))
        for i in range(50_000)
    ]
    m = OrderBookMirror(MKT)
    m.apply_snapshot(snapshot(orders, 0))
    live = {o.oid: o for o in orders}
    for seq in range(1, 20_001):
        if seq % 2:
            victim = live.pop(oid(rng.randrange(50_000)), None) or live.popitem()[1]
            m.apply(remove(int.from_bytes(victim.oid, "big"), seq))
        else:
            o = limit(100_000 + seq, BUY if seq % 4 else SELL, rng.randrange(1, 5000) * 100, 5)
            live[o.oid] = o
            m.apply(add(o, seq))
    assert len(m) == len(live) == 50_000
    bids = [o.rate for o in live.values() if o.side is BUY]
    best = m.best_bid()
    assert best is not None and best.rate == max(r for r in bids if r is not None)
    rates = [lvl.rate for lvl in m.depth(SELL)]
    assert rates == sorted(rates)


# --- model-based property test -----------------------------------------------------------
Model = dict[bytes, tuple[BookOrder, int]]  # oid -> (order, remaining)


def naive_depth(model: Model, side: BookSide) -> list[PriceLevel]:
    qty: dict[int, int] = defaultdict(int)
    count: dict[int, int] = defaultdict(int)
    for order, remaining in model.values():
        if order.side is side and order.is_standing and order.rate is not None:
            qty[order.rate] += remaining
            count[order.rate] += 1
    rates = sorted(qty, reverse=side is BUY)
    return [PriceLevel(r, qty[r], count[r]) for r in rates]


def assert_same(m: OrderBookMirror, model: Model) -> None:
    assert m.depth(BUY) == naive_depth(model, BUY)
    assert m.depth(SELL) == naive_depth(model, SELL)
    bids, asks = naive_depth(model, BUY), naive_depth(model, SELL)
    assert m.best_bid() == (bids[0] if bids else None)
    assert m.best_ask() == (asks[0] if asks else None)
    epoch = {o.oid: r for o, r in model.values() if not o.is_standing}
    assert {e.oid: e.remaining for e in m.epoch_orders()} == epoch


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mirror_matches_a_naive_model(data: st.DataObject) -> None:
    model: Model = {}
    states: list[Model] = [{}]  # states[s] = the book after seq s
    notes: list[BookNote] = []
    next_id = 1
    for seq in range(1, data.draw(st.integers(0, 40)) + 1):
        op = data.draw(st.sampled_from(["add", "add", "remove", "update"])) if model else "add"
        if op == "add":
            side = data.draw(st.sampled_from([BUY, SELL]))
            osize = data.draw(st.integers(1, 50))
            kind = data.draw(st.sampled_from(["standing", "immediate", "market"]))
            if kind == "market":
                order = market(next_id, side, osize)
            else:
                tif = BookTif.STANDING if kind == "standing" else BookTif.IMMEDIATE
                filled = data.draw(st.integers(0, osize - 1))
                order = limit(next_id, side, data.draw(st.integers(1, 8)), osize, filled, tif)
            next_id += 1
            remaining = osize if order.is_market_buy else osize - order.filled
            model[order.oid] = (order, remaining)
            notes.append(add(order, seq))
        else:
            key = data.draw(st.sampled_from(sorted(model)))
            n = int.from_bytes(key, "big")
            order, remaining = model[key]
            if order.is_market_buy:  # its remaining is not derivable from a snapshot
                op = "remove"
            new = data.draw(st.integers(0, remaining)) if op == "update" else 0
            if op == "remove" or (new == 0 and order.is_standing):
                del model[key]
            else:
                model[key] = (order, new)
            notes.append(remove(n, seq) if op == "remove" else update(n, new, seq))
        states.append(dict(model))

    snap_seq = data.draw(st.integers(0, len(notes)))
    early = data.draw(st.integers(0, len(notes)))  # notes delivered before the snapshot
    m = OrderBookMirror(MKT)
    for note in notes[:early]:
        assert m.apply(note).status is ApplyStatus.BUFFERED
    m.apply_snapshot(snapshot(_as_snapshot(states[snap_seq]), snap_seq))
    assert m.seq == max(snap_seq, early)
    assert_same(m, states[max(snap_seq, early)])
    for note in notes[early:]:
        m.apply(note)
        assert_same(m, states[max(snap_seq, note.seq)])


def _as_snapshot(state: Model) -> list[BookOrder]:
    """Orders as a snapshot lists them: `filled` reflects fills so far."""
    out = []
    for order, remaining in state.values():
        filled = order.filled if order.is_market_buy else order.osize - remaining
        out.append(dataclasses.replace(order, filled=filled))
    return out
