"""Order records and the two sides of an order book, for the epoch matcher.

No cryptography and no I/O here: orders reach this module already authenticated and
validated against funding. Internal order IDs are small integers; the protocol's 32-byte
order ID (``oid``) is carried along for the feed and for cancel targets.

Layout, chosen for speed in CPython:
- a side keeps its price levels in a dict ``key -> Level`` plus a sorted list of keys with the
  **best level at the end**, so taking the best level and dropping an exhausted one are O(1);
- the key is the signed rate: ``+rate`` for bids, ``-rate`` for asks. A taker with limit key
  ``k`` crosses the other side while ``other.keys[-1] >= -k``, the same test for both sides;
- a level is a FIFO deque (time priority). Removing an order from the middle of a level marks
  it dead instead of searching the deque; dead entries are skipped when they reach the front
  and the deque is compacted when they pile up.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from collections.abc import Iterator
from enum import IntEnum
from typing import NamedTuple

from dexproto.rules import quote_amount

NO_LIMIT = -(1 << 80)
"""Crossing threshold of a market order: below every key, so any level crosses."""


class Side(IntEnum):
    BUY = 0
    SELL = 1


class OrderKind(IntEnum):
    """Values are the order-type bytes of the protocol serialization (§7)."""

    LIMIT = 0
    MARKET = 2
    CANCEL = 3


class Status(IntEnum):
    PENDING = 0
    """Received in the current epoch, not yet processed."""
    BOOKED = 1
    """Resting on the book as a maker."""
    FILLED = 2
    """Completely matched (remaining is 0)."""
    CANCELLED = 3
    """Removed from the book by the owner's cancel order."""
    UNFILLED = 4
    """Immediate limit or market order whose unmatched rest was dropped (may have fills)."""
    REVOKED = 5
    """Removed by the server (revocation, ban, disconnect, suspension) or discarded pending."""
    CANCEL_OK = 6
    """A cancel order that removed its target."""
    CANCEL_FAILED = 7
    """A cancel order whose target was not booked or belonged to another account."""


# Plain aliases: module globals compare by identity faster than enum attribute lookups.
BUY = Side.BUY
SELL = Side.SELL
LIMIT = OrderKind.LIMIT
MARKET = OrderKind.MARKET
CANCEL = OrderKind.CANCEL
PENDING = Status.PENDING
BOOKED = Status.BOOKED
FILLED = Status.FILLED


class Order:
    """One order. Mutable: the matcher updates ``remaining``, ``filled`` and ``status``.

    ``quantity`` and ``remaining`` are base atoms, except for a market buy, where they are
    quote atoms (§7: a market buy's size is what it may spend). ``filled`` is always base
    atoms. ``key`` is the signed rate (``+rate`` buy, ``-rate`` sell), 0 for market/cancel.
    ``target`` is the order ID a cancel order targets (empty for other orders).
    """

    __slots__ = (
        "account",
        "epoch",
        "filled",
        "id",
        "key",
        "kind",
        "oid",
        "quantity",
        "rate",
        "remaining",
        "seq",
        "side",
        "standing",
        "status",
        "target",
    )

    def __init__(
        self,
        id: int,
        oid: bytes,
        account: bytes,
        kind: OrderKind,
        side: Side,
        quantity: int,
        rate: int,
        standing: bool,
        epoch: int,
        target: bytes = b"",
    ) -> None:
        self.id = id
        self.oid = oid
        self.account = account
        self.kind = kind
        self.side = side
        self.quantity = quantity
        self.rate = rate
        self.standing = standing
        self.epoch = epoch
        self.target = target
        self.remaining = quantity
        self.filled = 0
        self.status = PENDING
        self.seq = -1  # booking sequence number; time priority among equal rates
        self.key = (rate if side is BUY else -rate) if kind is LIMIT else 0

    def __repr__(self) -> str:
        return (
            f"Order(id={self.id}, {self.kind.name} {self.side.name} q={self.quantity} "
            f"r={self.rate} rem={self.remaining} {'S' if self.standing else 'I'} "
            f"{self.status.name})"
        )


class Level:
    """Orders resting at one rate, in booking order. ``live`` counts the non-dead ones."""

    __slots__ = ("live", "orders", "rate")

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.orders: deque[Order] = deque()
        self.live = 0

    def alive(self) -> Iterator[Order]:
        return (o for o in self.orders if o.status is BOOKED)


class DepthLevel(NamedTuple):
    rate: int
    quantity: int
    """Sum of the remaining base atoms of the orders at this rate."""
    orders: int


class BookSide:
    """One side of a book: price levels keyed by signed rate, best level last in ``keys``."""

    __slots__ = ("keys", "levels", "side")

    def __init__(self, side: Side) -> None:
        self.side = side
        self.keys: list[int] = []
        self.levels: dict[int, Level] = {}

    def __len__(self) -> int:
        return sum(level.live for level in self.levels.values())

    def best_rate(self) -> int | None:
        return self.levels[self.keys[-1]].rate if self.keys else None

    def push(self, order: Order) -> None:
        """Append a (booked) order at the back of its level, creating the level if needed."""
        key = order.key
        level = self.levels.get(key)
        if level is None:
            level = self.levels[key] = Level(order.rate)
            insort(self.keys, key)
        level.orders.append(order)
        level.live += 1

    def unlink(self, order: Order) -> None:
        """Account for ``order`` having just left BOOKED status while still in its deque."""
        key = order.key
        level = self.levels[key]
        level.live -= 1
        if not level.live:
            del self.levels[key]
            del self.keys[bisect_left(self.keys, key)]
        elif len(level.orders) > 2 * level.live + 16:
            # Dead entries only leave when they reach the front; bound the memory they hold.
            level.orders = deque(level.alive())

    def levels_best_first(self) -> Iterator[Level]:
        levels = self.levels
        return (levels[key] for key in reversed(self.keys))

    def orders_best_first(self) -> Iterator[Order]:
        for level in self.levels_best_first():
            yield from level.alive()

    def depth(self, max_levels: int | None = None) -> list[DepthLevel]:
        out: list[DepthLevel] = []
        for level in self.levels_best_first():
            if max_levels is not None and len(out) >= max_levels:
                break
            qty = 0
            for o in level.alive():
                qty += o.remaining
            out.append(DepthLevel(level.rate, qty, level.live))
        return out


class MatcherError(Exception):
    """An order the matcher cannot take; ``code`` is the protocol error code (§2)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class EventKind(IntEnum):
    ADD = 0
    """An order was booked (feed: ``add_limit``)."""
    REMOVE = 1
    """An order left the book: filled, cancelled or revoked (feed: ``remove_order``)."""
    UPDATE = 2
    """A booked order was partly filled (feed: ``update_remaining``)."""


# The matcher records matches and events as plain tuples of ints and bytes (the "rows"). The
# cyclic GC untracks such exact tuples in its first young pass, so they never reach, and slow
# down, the old generation; NamedTuple instances (a tuple subclass) and tuples holding Order or
# enum objects stay tracked. With them a 100,000-order epoch spent a third of its time in the
# GC. The NamedTuples below are the readable view, built when asked for.

MatchRow = tuple[int, int, int, int, bytes, bytes]
EventRow = tuple[int, int, int]


class BookEvent(NamedTuple):
    kind: int
    """An :class:`EventKind` value."""
    order_id: int
    remaining: int
    """The order's remaining quantity right after this change (0 when removed by a fill)."""


class Match(NamedTuple):
    maker_id: int
    taker_id: int
    quantity: int
    """Base atoms, a multiple of the lot size."""
    rate: int
    """The maker's rate (§8)."""
    maker_account: bytes
    taker_account: bytes

    @property
    def quote(self) -> int:
        """Quote atoms that change hands."""
        return quote_amount(self.quantity, self.rate)


class EpochResult:
    """What one epoch did. Orders are live objects: their final state is on them.

    - ``matches`` (``match_rows``: the same as plain tuples): in execution order.
    - ``booked``: orders that entered the book this epoch (a later taker may have filled them).
    - ``filled``: orders, makers and takers, whose remaining quantity reached 0.
    - ``unfilled``: immediate limits and market orders whose unmatched rest was dropped.
    - ``cancels_ok``: cancel orders that succeeded; ``cancelled[i]`` is the order that
      ``cancels_ok[i]`` removed. ``cancels_failed``: cancel orders that failed.
    - ``events`` (``event_rows``: plain tuples): book changes in order, one feed notification
      (and ``seq``) each.
    """

    __slots__ = (
        "booked",
        "cancelled",
        "cancels_failed",
        "cancels_ok",
        "event_rows",
        "filled",
        "match_rows",
        "unfilled",
    )

    def __init__(self) -> None:
        self.match_rows: list[MatchRow] = []
        self.event_rows: list[EventRow] = []
        self.booked: list[Order] = []
        self.filled: list[Order] = []
        self.unfilled: list[Order] = []
        self.cancels_ok: list[Order] = []
        self.cancelled: list[Order] = []
        self.cancels_failed: list[Order] = []

    @property
    def matches(self) -> list[Match]:
        """Built on each access: keep the list rather than asking twice."""
        return list(map(Match._make, self.match_rows))

    @property
    def events(self) -> list[BookEvent]:
        """Built on each access: keep the list rather than asking twice."""
        return list(map(BookEvent._make, self.event_rows))
