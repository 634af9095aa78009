"""The rows behind one side of the order book view, without Qt.

A side is a list of price levels best first (bids by falling rate, asks by rising rate) with
the cumulative depth from the best level down. The Qt model adapts it: it asks where a level
change lands (`plan`), tells the view, then applies it (`commit`); cumulative depth is brought
up to date once per flush from the best changed position (`refresh_depth`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from app.dex.orderbook import LevelChange, PriceLevel
from dexproto.feed_messages import BookSide


@dataclass(slots=True)
class LevelRow:
    rate: int
    quantity: int  # base atoms at this rate
    count: int  # orders at this rate
    cumulative: int = 0  # base atoms from the best level down to this one


class OpKind(Enum):
    INSERT = "insert"
    REMOVE = "remove"
    CHANGE = "change"


@dataclass(frozen=True, slots=True)
class RowOp:
    kind: OpKind
    index: int  # best-first position (before the op, for INSERT: where the row goes)


class SideRows:
    def __init__(self, side: BookSide) -> None:
        self.side = side
        self.rows: list[LevelRow] = []
        self._keys: list[int] = []  # ascending sort keys: -rate for bids, rate for asks
        self.dirty_from: int | None = None  # best position whose depth is stale

    def __len__(self) -> int:
        return len(self.rows)

    def _key(self, rate: int) -> int:
        return -rate if self.side is BookSide.BUY else rate

    def load(self, levels: Iterable[PriceLevel]) -> None:
        """Replace every row; `levels` best first, as OrderBookMirror.depth returns them."""
        self.rows = [LevelRow(lv.rate, lv.quantity, lv.count) for lv in levels]
        self._keys = [self._key(r.rate) for r in self.rows]
        if any(a >= b for a, b in zip(self._keys, self._keys[1:], strict=False)):
            raise ValueError("levels are not strictly best first")
        self.dirty_from = 0
        self.refresh_depth()

    def plan(self, change: LevelChange) -> RowOp | None:
        """Where `change` lands; None when it changes nothing (removal of an absent level)."""
        key = self._key(change.rate)
        i = bisect_left(self._keys, key)
        present = i < len(self._keys) and self._keys[i] == key
        if change.count == 0:
            return RowOp(OpKind.REMOVE, i) if present else None
        return RowOp(OpKind.CHANGE if present else OpKind.INSERT, i)

    def commit(self, op: RowOp, change: LevelChange) -> None:
        i = op.index
        if op.kind is OpKind.INSERT:
            self.rows.insert(i, LevelRow(change.rate, change.quantity, change.count))
            self._keys.insert(i, self._key(change.rate))
        elif op.kind is OpKind.REMOVE:
            del self.rows[i]
            del self._keys[i]
        else:
            row = self.rows[i]
            row.quantity, row.count = change.quantity, change.count
        # Every level at or after i now has a different cumulative depth.
        self.dirty_from = i if self.dirty_from is None else min(self.dirty_from, i)

    def refresh_depth(self) -> int | None:
        """Recompute cumulative depth from the first stale position; returns that position
        (None if nothing was stale or it lies past the end)."""
        start = self.dirty_from
        self.dirty_from = None
        if start is None or start >= len(self.rows):
            return None
        total = self.rows[start - 1].cumulative if start else 0
        for row in self.rows[start:]:
            total += row.quantity
            row.cumulative = total
        return start

    def best(self) -> LevelRow | None:
        return self.rows[0] if self.rows else None

    def depth_at(self, levels: int) -> int:
        """Cumulative depth of the first `levels` levels (all of them if fewer)."""
        if not self.rows or levels <= 0:
            return 0
        return self.rows[min(levels, len(self.rows)) - 1].cumulative

    def as_levels(self) -> list[PriceLevel]:
        return [PriceLevel(r.rate, r.quantity, r.count) for r in self.rows]


@dataclass(frozen=True)
class Spread:
    bid: int
    ask: int

    @property
    def spread(self) -> int:
        return self.ask - self.bid

    @property
    def mid(self) -> int:
        return (self.bid + self.ask) // 2  # half an atom lost at most; rate steps are even

    @property
    def basis_points(self) -> int:
        """Spread relative to the mid price, in hundredths of a percent (rounded down)."""
        return self.spread * 10_000 // self.mid if self.mid else 0


def decimals_for(step: int, minimum: int = 0) -> int:
    """Decimals that show every multiple of `step` atoms exactly (1000 atoms -> 5)."""
    zeros = 0
    while step and step % 10 == 0 and zeros < 8:
        step //= 10
        zeros += 1
    return max(minimum, 8 - zeros)
