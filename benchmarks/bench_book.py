"""Order book figures: the client mirror, and the Qt book view under a busy feed.

book.mirror_snapshot_10k_ms   load an `orderbook` snapshot of 10,000 orders into the mirror
book.mirror_updates_per_s     add/remove/update_remaining notifications applied per second
book.qt_load_10k_ms           BookModel reset from that mirror (both sides)
book.qt_refresh_ms            one coalesced refresh at 1,000 updates/s (50 ms of deltas applied
                              to the models, then both tables repainted), mean, view 460x720
book.qt_refresh_p95_ms        the same, 95th percentile
book.qt_busy_pct              share of one core the book view takes at 1,000 updates/s
"""

from __future__ import annotations

import os
import random
import statistics
import time
from dataclasses import dataclass

from app.dex.orderbook import BookDelta, OrderBookMirror
from benchmarks.framework import Result
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

MARKET = 0
MID = 3_012_000  # 0.03012 BTC per LTC
RATE_STEP = 1_000
LOT = 10_000_000  # 0.1 LTC
ORDERS = 10_000
UPDATES_PER_S = 1_000
INTERVAL_MS = 50


def _oid(n: int) -> bytes:
    return n.to_bytes(32, "big")


@dataclass
class BookFeed:
    """A realistic random book and a stream of notifications against it: prices cluster near
    the mid (a few steps apart, thinning out), sizes are mostly small with a long tail."""

    seed: int = 1
    mid: int = MID
    rate_step: int = RATE_STEP
    lot: int = LOT

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.live: dict[int, tuple[BookSide, int, int]] = {}  # n -> side, rate, remaining
        self.next_id = 1
        self.seq = 0

    def _order(self) -> BookOrder:
        rng, n = self.rng, self.next_id
        self.next_id += 1
        side = rng.choice((BookSide.BUY, BookSide.SELL))
        offset = 1 + int(rng.expovariate(1 / 120))  # steps away from the mid
        rate = self.mid + (offset if side is BookSide.SELL else -offset) * self.rate_step
        lots = max(1, int(rng.lognormvariate(1.6, 1.1)))
        self.live[n] = (side, rate, lots * self.lot)
        return BookOrder(
            oid=_oid(n),
            otype=BookOrderType.LIMIT,
            side=side,
            osize=lots * self.lot,
            rate=rate,
            tif=BookTif.STANDING,
            epoch=1,
            filled=0,
        )

    def snapshot(self, orders: int = ORDERS) -> OrderbookResult:
        book = tuple(self._order() for _ in range(orders))
        return OrderbookResult(
            book=BookSnapshot(marketid=MARKET, epoch=1, orders=book), seq=self.seq
        )

    def note(self) -> BookNote:
        """The next notification: about 40% adds, 35% removals, 25% partial fills."""
        self.seq += 1
        pick = self.rng.random()
        if pick < 0.4 or len(self.live) < 10:
            return AddLimitNote(marketid=MARKET, order=self._order(), seq=self.seq)
        n = self.rng.choice(list(self.live)) if len(self.live) < 64 else self._any_live()
        side, rate, remaining = self.live[n]
        if pick < 0.75 or remaining <= self.lot:
            del self.live[n]
            return RemoveOrderNote(marketid=MARKET, orderid=_oid(n), seq=self.seq)
        remaining -= self.lot * self.rng.randint(1, remaining // self.lot - 1 or 1)
        self.live[n] = (side, rate, remaining)
        return UpdateRemainingNote(
            marketid=MARKET, orderid=_oid(n), remaining=remaining, seq=self.seq
        )

    def _any_live(self) -> int:
        while True:  # ids are dense enough that a few draws find a live one
            n = self.rng.randrange(1, self.next_id)
            if n in self.live:
                return n


def _mirror_figures() -> tuple[float, float]:
    feed = BookFeed()
    snap = feed.snapshot()
    times = []
    for _ in range(5):
        mirror = OrderBookMirror(MARKET)
        started = time.perf_counter()
        mirror.apply_snapshot(snap)
        times.append(time.perf_counter() - started)
    notes = [feed.note() for _ in range(50_000)]
    started = time.perf_counter()
    for note in notes:
        mirror.apply(note)
    rate = len(notes) / (time.perf_counter() - started)
    return min(times) * 1000, rate


def _qt_figures() -> list[Result]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.ui.book_model import BookModel
    from app.ui.book_view import BookView
    from app.ui.qt import QApplication

    app = QApplication.instance() or QApplication([])
    feed = BookFeed(seed=2)
    mirror = OrderBookMirror(MARKET)
    mirror.apply_snapshot(feed.snapshot())
    model = BookModel(interval_ms=INTERVAL_MS)
    view = BookView(model)
    view.resize(460, 720)
    view.set_market("ltc", "btc", LOT, RATE_STEP)
    view.show()
    app.processEvents()
    started = time.perf_counter()
    model.load_mirror(mirror)
    load_ms = (time.perf_counter() - started) * 1000
    per_flush = UPDATES_PER_S * INTERVAL_MS // 1000
    refresh: list[float] = []
    for _ in range(200):
        deltas: list[BookDelta] = [mirror.apply(feed.note()) for _ in range(per_flush)]
        started = time.perf_counter()
        for delta in deltas:
            model.queue(delta)
        model.flush()
        view.asks.viewport().repaint()
        view.bids.viewport().repaint()
        app.processEvents()
        refresh.append((time.perf_counter() - started) * 1000)
    view.close()
    mean = statistics.fmean(refresh)
    p95 = sorted(refresh)[int(len(refresh) * 0.95)]
    busy = mean * (1000 / INTERVAL_MS) / 10  # ms per second -> percent of one core
    return [
        Result("book.qt_load_10k_ms", load_ms, "ms", higher_is_better=False),
        Result("book.qt_refresh_ms", mean, "ms", higher_is_better=False),
        Result("book.qt_refresh_p95_ms", p95, "ms", higher_is_better=False),
        Result("book.qt_busy_pct", busy, "%", higher_is_better=False),
    ]


def run() -> list[Result]:
    snapshot_ms, updates = _mirror_figures()
    return [
        Result("book.mirror_snapshot_10k_ms", snapshot_ms, "ms", higher_is_better=False),
        Result("book.mirror_updates_per_s", updates, "notes/s"),
        *_qt_figures(),
    ]
