"""The order book models: Qt's model tester while the book churns, equality with the mirror
after each flush, incremental row signals, and coalescing of a burst into few flushes."""

from __future__ import annotations

import random
import time

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.dex.orderbook import ApplyStatus, BookDelta, LevelChange, OrderBookMirror
from app.ui.book_model import DEPTH_ROLE, RATE_ROLE, BookModel, BookSideModel, Column
from benchmarks.bench_book import MARKET, BookFeed
from dexproto.assets import format_atoms
from dexproto.feed_messages import BookSide

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),  # the model tester reports by warning
    pytest.mark.qt_log_ignore("Detected locale"),  # a C-locale test box, not the model
]


def shown(model: BookSideModel) -> list[tuple[int, str, str]]:
    """(rate, amount, total) as displayed, top row first."""
    out = []
    for row in range(model.rowCount()):
        rate = model.data(model.index(row, Column.PRICE), RATE_ROLE)
        assert isinstance(rate, int)
        out.append(
            (
                rate,
                str(model.data(model.index(row, Column.AMOUNT))),
                str(model.data(model.index(row, Column.TOTAL))),
            )
        )
    return out


def expected(mirror: OrderBookMirror, side: BookSide) -> list[tuple[int, str, str]]:
    levels, total, out = mirror.depth(side), 0, []
    for level in levels:  # best first, cumulative from the best
        total += level.quantity
        out.append((level.rate, format_atoms(level.quantity), format_atoms(total)))
    return out if side is BookSide.BUY else out[::-1]  # asks: best at the bottom


def assert_matches(model: BookModel, mirror: OrderBookMirror) -> None:
    assert shown(model.bids) == expected(mirror, BookSide.BUY)
    assert shown(model.asks) == expected(mirror, BookSide.SELL)


def test_model_tester_and_mirror_equality_under_random_churn(
    qtmodeltester: ModelTester, qtbot: QtBot
) -> None:
    rng = random.Random(5)
    model = BookModel(interval_ms=10)
    testers = []
    for side_model in (model.bids, model.asks):
        qtmodeltester.check(side_model)
        testers.append(qtmodeltester._qt_tester)  # keep each C++ tester alive and watching
    for round_ in range(6):
        feed = BookFeed(seed=round_, mid=3_000_000 + rng.randrange(-50, 50) * 1000)
        mirror = OrderBookMirror(MARKET)
        mirror.apply_snapshot(feed.snapshot(rng.choice((0, 5, 60, 400))))
        model.load_mirror(mirror)
        assert_matches(model, mirror)
        for _ in range(rng.randrange(3, 8)):
            for _ in range(rng.randrange(1, 120)):
                model.queue(mirror.apply(feed.note()))
            if rng.random() < 0.5:
                model.flush()
            else:
                qtbot.waitUntil(lambda: model.pending == 0, timeout=2000)
            assert_matches(model, mirror)
    assert all(t is not None for t in testers)


def test_updates_are_incremental(qtbot: QtBot) -> None:
    feed = BookFeed(seed=3)
    mirror = OrderBookMirror(MARKET)
    mirror.apply_snapshot(feed.snapshot(200))
    model = BookModel()
    model.load_mirror(mirror)
    events: list[str] = []
    bids = model.bids
    bids.modelReset.connect(lambda: events.append("reset"))
    bids.rowsInserted.connect(lambda _p, a, b: events.append(f"insert {a}-{b}"))
    bids.rowsRemoved.connect(lambda _p, a, b: events.append(f"remove {a}-{b}"))
    best = mirror.best_bid()
    assert best is not None
    new_best = LevelChange(BookSide.BUY, best.rate + 1000, 10**8, 1)
    model.queue(BookDelta(ApplyStatus.APPLIED, (new_best,)))
    model.flush()
    assert events == ["insert 0-0"]  # one row in at the top; nothing reset
    assert bids.data(bids.index(0, Column.PRICE), RATE_ROLE) == best.rate + 1000
    gone = LevelChange(BookSide.BUY, best.rate + 1000, 0, 0)
    model.queue(BookDelta(ApplyStatus.APPLIED, (gone,)))
    model.flush()
    assert events == ["insert 0-0", "remove 0-0"]
    depth = bids.data(bids.index(0, 0), DEPTH_ROLE)
    assert isinstance(depth, float) and 0 < depth <= 1


def test_a_burst_of_deltas_is_one_flush(qtbot: QtBot) -> None:
    feed = BookFeed(seed=4)
    mirror = OrderBookMirror(MARKET)
    mirror.apply_snapshot(feed.snapshot(10_000))
    model = BookModel(interval_ms=50)
    model.load_mirror(mirror)
    before = model.flush_count
    for _ in range(1_000):
        model.queue(mirror.apply(feed.note()))
    assert model.flush_count == before  # nothing applied synchronously
    qtbot.waitUntil(lambda: model.pending == 0, timeout=2000)
    assert model.flush_count == before + 1
    assert_matches(model, mirror)


def test_a_steady_feed_flushes_at_most_every_interval(qtbot: QtBot) -> None:
    feed = BookFeed(seed=6)
    mirror = OrderBookMirror(MARKET)
    mirror.apply_snapshot(feed.snapshot(2_000))
    model = BookModel(interval_ms=50)
    model.load_mirror(mirror)
    before = model.flush_count
    started = time.monotonic()
    for _ in range(100):  # 1,000 deltas in chunks of 10, about 5 ms apart
        for _ in range(10):
            model.queue(mirror.apply(feed.note()))
        qtbot.wait(5)
    qtbot.waitUntil(lambda: model.pending == 0, timeout=2000)
    elapsed_ms = (time.monotonic() - started) * 1000
    flushes = model.flush_count - before
    assert 1 <= flushes <= elapsed_ms / 50 + 1
    assert_matches(model, mirror)
