"""Client mirror of one market's order book (spec §6). Pure: messages in, deltas out.

Protocol: notifications carry `seq` (+1 per book change). Before the `orderbook` snapshot
arrives they are buffered; the snapshot is applied and buffered notes with seq > snapshot seq
are replayed. A skipped seq, or a notification that contradicts the book, resets the mirror
(it starts buffering again) and raises ResyncRequired: the caller re-subscribes.

Layout: per side a dict rate -> level (total remaining, order count) plus an ascending list
of rates kept with bisect, so an update touches one level (O(log L) search; a new or emptied
level costs one list insert/delete) and depth queries walk the list without sorting. Epoch
orders (market and immediate limits, which live for one match cycle) are kept apart.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from dataclasses import dataclass, replace
from enum import StrEnum

from dexproto.errors import BookInconsistentError, ErrorCode, ProtocolError, SequenceGapError
from dexproto.feed_messages import (
    AddOrderNote,
    BookNote,
    BookOrder,
    BookOrderType,
    BookSide,
    BookTif,
    OrderbookResult,
    RemoveOrderNote,
)


class ApplyStatus(StrEnum):
    APPLIED = "applied"
    BUFFERED = "buffered"  # no snapshot yet
    STALE = "stale"  # seq already covered by the snapshot; ignored


@dataclass(frozen=True)
class PriceLevel:
    rate: int
    quantity: int
    count: int


@dataclass(frozen=True)
class LevelChange:
    """New state of one level after an update; quantity 0 and count 0 mean it is gone."""

    side: BookSide
    rate: int
    quantity: int
    count: int


@dataclass(frozen=True)
class BookDelta:
    status: ApplyStatus
    levels: tuple[LevelChange, ...] = ()
    epoch_changed: bool = False  # the separate list of epoch orders changed


@dataclass(frozen=True)
class BookEntry:
    """An order as the mirror holds it. `remaining` is base atoms, except for a market buy
    (quote atoms: its size is what it may spend)."""

    oid: bytes
    otype: BookOrderType
    side: BookSide
    rate: int | None
    tif: BookTif | None
    epoch: int
    osize: int
    remaining: int


class _Level:
    __slots__ = ("count", "quantity")

    def __init__(self) -> None:
        self.quantity = 0
        self.count = 0


class _Side:
    def __init__(self, side: BookSide) -> None:
        self.side = side
        self.rates: list[int] = []  # ascending, one per level
        self.levels: dict[int, _Level] = {}

    def change(self, rate: int, quantity: int, count: int, bulk: bool = False) -> LevelChange:
        """Add (or with negative numbers remove) quantity and orders at `rate`. In `bulk`
        mode new rates are not inserted in order: the caller sorts once at the end."""
        level = self.levels.get(rate)
        if level is None:
            level = self.levels[rate] = _Level()
            if bulk:
                self.rates.append(rate)
            else:
                self.rates.insert(bisect_left(self.rates, rate), rate)
        level.quantity += quantity
        level.count += count
        if level.count == 0:
            del self.levels[rate]
            del self.rates[bisect_left(self.rates, rate)]
            return LevelChange(self.side, rate, 0, 0)
        return LevelChange(self.side, rate, level.quantity, level.count)

    def depth(self, limit: int | None) -> list[PriceLevel]:
        """Best first: highest bid, lowest ask. Slices before reversing, so asking for the
        top few levels costs O(limit), not O(levels)."""
        rates, n = self.rates, len(self.rates)
        k = n if limit is None else max(0, min(limit, n))
        picked = rates[n - k :][::-1] if self.side is BookSide.BUY else rates[:k]
        levels = self.levels
        return [PriceLevel(r, levels[r].quantity, levels[r].count) for r in picked]


class OrderBookMirror:
    """The local copy of one market's book, fed by the orderbook snapshot and notifications."""

    def __init__(self, marketid: int, *, max_buffer: int = 100_000) -> None:
        self.marketid = marketid
        self._buffer: deque[BookNote] = deque(maxlen=max_buffer)  # overflow shows up as a gap
        self._reset_state()

    def _reset_state(self) -> None:
        self._synced = False
        self._seq = 0
        self._epoch = 0
        self._sides = {BookSide.BUY: _Side(BookSide.BUY), BookSide.SELL: _Side(BookSide.SELL)}
        self._booked: dict[bytes, BookEntry] = {}
        self._epoch_orders: dict[bytes, BookEntry] = {}

    def reset(self) -> None:
        """Forget the book and buffer notifications until the next snapshot."""
        self._reset_state()
        self._buffer.clear()

    # --- state --------------------------------------------------------------------------
    @property
    def synced(self) -> bool:
        return self._synced

    @property
    def seq(self) -> int | None:
        return self._seq if self._synced else None

    @property
    def epoch(self) -> int:
        return self._epoch

    def __len__(self) -> int:
        return len(self._booked)

    def get(self, oid: bytes) -> BookEntry | None:
        return self._booked.get(oid) or self._epoch_orders.get(oid)

    def best_bid(self) -> PriceLevel | None:
        levels = self._sides[BookSide.BUY].depth(1)
        return levels[0] if levels else None

    def best_ask(self) -> PriceLevel | None:
        levels = self._sides[BookSide.SELL].depth(1)
        return levels[0] if levels else None

    def depth(self, side: BookSide, limit: int | None = None) -> list[PriceLevel]:
        """Price levels of booked orders aggregated by rate, best first."""
        return self._sides[side].depth(limit)

    def epoch_orders(self) -> list[BookEntry]:
        """Market orders and immediate limits of the current match cycle, in arrival order."""
        return list(self._epoch_orders.values())

    # --- feeding ------------------------------------------------------------------------
    def apply_snapshot(self, result: OrderbookResult) -> None:
        """Load the `orderbook` result, then replay buffered notifications newer than it."""
        book = result.book
        self._check_market(book.marketid)
        self._reset_state()
        try:
            for order in book.orders:
                self._add(order, bulk=True)
        except BookInconsistentError:
            self.reset()
            raise
        for side in self._sides.values():
            side.rates.sort()  # one sort instead of an insert per new level
        self._epoch = max([book.epoch, *(o.epoch for o in book.orders)])
        self._seq, self._synced = result.seq, True
        pending = sorted((n for n in self._buffer if n.seq > result.seq), key=lambda n: n.seq)
        self._buffer.clear()
        for note in pending:
            self.apply(note)

    def apply(self, note: BookNote) -> BookDelta:
        """Apply one notification. Raises SequenceGapError / BookInconsistentError (both
        ResyncRequired) after resetting the mirror; the caller must then re-subscribe."""
        self._check_market(note.marketid)
        if not self._synced:
            self._buffer.append(note)
            return BookDelta(ApplyStatus.BUFFERED)
        if note.seq <= self._seq:
            return BookDelta(ApplyStatus.STALE)
        if note.seq != self._seq + 1:
            expected = self._seq + 1
            self.reset()
            self._buffer.append(note)  # may still be newer than the next snapshot
            raise SequenceGapError(expected, note.seq)
        try:
            delta = self._mutate(note)
        except BookInconsistentError:
            self.reset()
            raise
        self._seq = note.seq
        return delta

    def _check_market(self, marketid: int) -> None:
        if marketid != self.marketid:  # the caller routes by market; this is a caller bug
            raise ProtocolError(
                ErrorCode.INVALID_PARAMS,
                f"notification for market {marketid} fed to the mirror of {self.marketid}",
            )

    def _mutate(self, note: BookNote) -> BookDelta:
        if isinstance(note, AddOrderNote):
            change = self._add(note.order)
            self._epoch = max(self._epoch, note.order.epoch)
            return self._delta(change)
        if isinstance(note, RemoveOrderNote):
            return self._delta(self._remove(note.orderid))
        return self._delta(self._update(note.orderid, note.remaining))

    @staticmethod
    def _delta(change: LevelChange | None) -> BookDelta:
        if change is None:
            return BookDelta(ApplyStatus.APPLIED, (), epoch_changed=True)
        return BookDelta(ApplyStatus.APPLIED, (change,))

    def _add(self, order: BookOrder, bulk: bool = False) -> LevelChange | None:
        oid = order.oid
        if oid in self._booked or oid in self._epoch_orders:
            raise BookInconsistentError(f"order {oid.hex()} added twice")
        remaining = order.osize if order.is_market_buy else order.osize - order.filled
        entry = BookEntry(
            oid, order.otype, order.side, order.rate, order.tif, order.epoch, order.osize, remaining
        )
        if not order.is_standing:
            self._epoch_orders[oid] = entry
            return None
        if remaining <= 0 or order.rate is None:
            raise BookInconsistentError(f"standing order {oid.hex()} has nothing remaining")
        self._booked[oid] = entry
        return self._sides[order.side].change(order.rate, remaining, 1, bulk)

    def _remove(self, oid: bytes) -> LevelChange | None:
        entry = self._booked.pop(oid, None)
        if entry is None:
            if self._epoch_orders.pop(oid, None) is None:
                raise BookInconsistentError(f"remove of unknown order {oid.hex()}")
            return None
        assert entry.rate is not None  # only standing limits are booked
        return self._sides[entry.side].change(entry.rate, -entry.remaining, -1)

    def _update(self, oid: bytes, remaining: int) -> LevelChange | None:
        entry = self._booked.get(oid)
        if entry is None:
            epoch_entry = self._epoch_orders.get(oid)
            if epoch_entry is None:
                raise BookInconsistentError(f"update of unknown order {oid.hex()}")
            self._epoch_orders[oid] = replace(epoch_entry, remaining=remaining)
            return None
        if remaining > entry.remaining:  # fills only shrink an order; revokes don't refill
            raise BookInconsistentError(
                f"order {oid.hex()} remaining grows {entry.remaining} -> {remaining}"
            )
        if remaining == 0:
            return self._remove(oid)
        self._booked[oid] = replace(entry, remaining=remaining)
        assert entry.rate is not None
        return self._sides[entry.side].change(entry.rate, remaining - entry.remaining, 0)
