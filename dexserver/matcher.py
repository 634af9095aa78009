"""The reference server's epoch matcher (protocol §8): in memory, single-threaded, integers only.

As orders arrive during an epoch the server registers them (``new_limit``, ``new_market``,
``new_cancel``: each returns an :class:`Order` with a fresh internal integer ID). When the epoch
closes it shuffles them (``dexproto.epoch``) and passes the shuffled list to ``match_epoch``; the
:class:`EpochResult` lists matches, order outcomes and book-change events in order (feed ``seq``).
Signatures, funding and account standing are checked before orders get here; the matcher checks
only what keeps its state sound and raises :class:`MatcherError` (protocol error code) otherwise.
There is no self-trade prevention: §8 does not ask for it, so a taker may match a booked order
of its own account like anyone else's.
"""

from __future__ import annotations

from collections.abc import Sequence

from dexproto.rules import RATE_SCALE, quote_amount
from dexserver.book import (
    BOOKED,
    BUY,
    CANCEL,
    FILLED,
    LIMIT,
    MARKET,
    NO_LIMIT,
    PENDING,
    SELL,
    BookEvent,
    BookSide,
    DepthLevel,
    EpochResult,
    EventKind,
    Match,
    MatcherError,
    Order,
    OrderKind,
    Side,
    Status,
)

__all__ = [
    "BookEvent",
    "DepthLevel",
    "EpochResult",
    "EventKind",
    "Match",
    "Matcher",
    "MatcherError",
    "Order",
    "OrderKind",
    "Side",
    "Status",
]

_CANCELLED = Status.CANCELLED
_UNFILLED = Status.UNFILLED
_REVOKED = Status.REVOKED
_CANCEL_OK = Status.CANCEL_OK
_CANCEL_FAILED = Status.CANCEL_FAILED
# Plain ints, not enum members, inside event rows (see the note above MatchRow in book.py).
_ADD = int(EventKind.ADD)
_REMOVE = int(EventKind.REMOVE)
_UPDATE = int(EventKind.UPDATE)


class Matcher:
    """The book of one market and its epoch matching."""

    def __init__(self, lot_size: int, rate_step: int) -> None:
        if lot_size <= 0 or rate_step <= 0:
            raise ValueError("lot size and rate step must be positive")
        self.lot_size = lot_size
        self.rate_step = rate_step
        self.bids = BookSide(Side.BUY)
        self.asks = BookSide(Side.SELL)
        self._sides = (self.bids, self.asks)  # indexed by Side
        self._next_id = 1
        self._seq = 0
        # Live orders (pending in the epoch, or booked). Finished orders are forgotten; keeping
        # every order ID ever seen (duplicate check, §7) is the store's job.
        self._by_id: dict[int, Order] = {}
        self._by_oid: dict[bytes, Order] = {}
        self._by_account: dict[bytes, dict[int, Order]] = {}

    # ---- registration -------------------------------------------------------------------

    def new_limit(
        self,
        oid: bytes,
        account: bytes,
        side: Side,
        quantity: int,
        rate: int,
        standing: bool = True,
        epoch: int = 0,
    ) -> Order:
        if quantity <= 0 or quantity % self.lot_size:
            raise MatcherError(5, f"quantity {quantity} is not a positive multiple of lot size")
        if rate <= 0 or rate % self.rate_step:
            raise MatcherError(6, f"rate {rate} is not a positive multiple of {self.rate_step}")
        if side.__class__ is not Side:  # enum lookups are slow; skip when given a member
            side = Side(side)
        return self._register(
            Order(self._next_id, oid, account, LIMIT, side, quantity, rate, standing, epoch)
        )

    def new_market(
        self, oid: bytes, account: bytes, side: Side, quantity: int, epoch: int = 0
    ) -> Order:
        """``quantity`` is quote atoms to spend for a buy (§7), base atoms for a sell."""
        side = Side(side)
        if quantity <= 0 or (side is SELL and quantity % self.lot_size):
            raise MatcherError(5, f"bad market order size {quantity}")
        return self._register(
            Order(self._next_id, oid, account, MARKET, side, quantity, 0, False, epoch)
        )

    def new_cancel(self, oid: bytes, account: bytes, target: bytes, epoch: int = 0) -> Order:
        if len(target) != 32:
            raise MatcherError(9, "cancel target must be a 32-byte order ID")
        return self._register(
            Order(self._next_id, oid, account, CANCEL, BUY, 0, 0, False, epoch, target)
        )

    def restore(
        self,
        oid: bytes,
        account: bytes,
        side: Side,
        quantity: int,
        rate: int,
        filled: int = 0,
        epoch: int = 0,
    ) -> Order:
        """Book a standing order straight away, without matching (server restart).

        Call it in the orders' original booking order to keep their time priority.
        """
        if filled < 0 or filled >= quantity or filled % self.lot_size:
            raise MatcherError(5, "filled must be a lot multiple below the quantity")
        order = self.new_limit(oid, account, side, quantity, rate, True, epoch)
        other = self._sides[1 - order.side].keys
        if other and other[-1] >= -order.key:
            self._forget(order)
            raise MatcherError(-32603, "restored order would cross the book")
        order.filled = filled
        order.remaining = quantity - filled
        self._book(order)
        return order

    def _register(self, order: Order) -> Order:
        oid = order.oid
        if len(oid) != 32:
            raise MatcherError(-32602, "order ID must be 32 bytes")
        if oid in self._by_oid:
            raise MatcherError(15, "duplicate order ID")
        self._next_id += 1
        self._by_id[order.id] = self._by_oid[oid] = order
        if order.kind is not CANCEL:  # cancels are not anyone's "active orders"
            mine = self._by_account.get(order.account)
            if mine is None:
                self._by_account[order.account] = {order.id: order}
            else:
                mine[order.id] = order
        return order

    def _forget(self, order: Order) -> None:
        del self._by_id[order.id]
        del self._by_oid[order.oid]
        if order.kind is not CANCEL:
            mine = self._by_account[order.account]
            del mine[order.id]
            if not mine:
                del self._by_account[order.account]

    def _book(self, order: Order) -> None:
        self._sides[order.side].push(order)
        order.status = BOOKED
        order.seq = self._seq
        self._seq += 1

    # ---- the epoch ----------------------------------------------------------------------

    def match_epoch(self, orders: Sequence[Order]) -> EpochResult:
        """Process the epoch's orders in the given (already shuffled) order (§8).

        Orders revoked while pending (:meth:`remove`) are skipped. Raises :class:`MatcherError`,
        before changing anything, if an order is not pending or appears twice.
        """
        for order in orders:
            if order.status is not PENDING and order.status is not _REVOKED:
                raise MatcherError(15, f"order {order.id} was already processed")
        if len({order.id for order in orders}) != len(orders):
            raise MatcherError(15, "an order appears twice in the epoch")
        result = EpochResult()
        events = result.event_rows
        sides = self._sides
        by_oid = self._by_oid
        forget = self._forget
        take = self._take
        for order in orders:
            if order.status is _REVOKED:
                continue
            kind = order.kind
            if kind is CANCEL:
                target = by_oid.get(order.target)
                if (
                    target is not None
                    and target.status is BOOKED
                    and target.account == order.account
                ):
                    target.status = _CANCELLED
                    sides[target.side].unlink(target)
                    forget(target)
                    events.append((_REMOVE, target.id, target.remaining))
                    order.status = _CANCEL_OK
                    result.cancels_ok.append(order)
                    result.cancelled.append(target)
                else:
                    order.status = _CANCEL_FAILED
                    result.cancels_failed.append(order)
                forget(order)
                continue
            side = order.side
            opp = sides[1 - side]
            if kind is MARKET:
                if side is BUY:
                    self._take_quote(order, opp, result)
                else:
                    take(order, NO_LIMIT, opp, result)
            else:
                keys = opp.keys
                # -key is the crossing threshold on the other side's keys (see book.py).
                if keys and keys[-1] >= -order.key:
                    take(order, -order.key, opp, result)
            if not order.remaining:
                order.status = FILLED
                result.filled.append(order)
                forget(order)
            elif order.standing:
                self._book(order)
                result.booked.append(order)
                events.append((_ADD, order.id, order.remaining))
            else:
                order.status = _UNFILLED
                result.unfilled.append(order)
                forget(order)
        return result

    def _take(self, taker: Order, threshold: int, opp: BookSide, result: EpochResult) -> None:
        """Fill ``taker`` (base-atom sized) against ``opp`` while its best key >= threshold."""
        keys = opp.keys
        levels = opp.levels
        matches = result.match_rows
        events = result.event_rows
        filled = result.filled
        forget = self._forget
        tid = taker.id
        tacct = taker.account
        rem = start = taker.remaining
        while rem and keys and keys[-1] >= threshold:
            key = keys[-1]
            level = levels[key]
            rate = level.rate
            q = level.orders
            while True:
                maker = q[0]
                if maker.status is not BOOKED:
                    q.popleft()  # dead entry left by a cancel or revocation
                    continue
                mrem = maker.remaining
                if mrem <= rem:
                    q.popleft()
                    maker.remaining = 0
                    maker.filled += mrem
                    maker.status = FILLED
                    forget(maker)
                    filled.append(maker)
                    events.append((_REMOVE, maker.id, 0))
                    matches.append((maker.id, tid, mrem, rate, maker.account, tacct))
                    rem -= mrem
                    level.live -= 1
                    if not level.live:
                        keys.pop()
                        del levels[key]
                        break
                    if not rem:
                        break
                else:
                    mrem -= rem
                    maker.remaining = mrem
                    maker.filled += rem
                    events.append((_UPDATE, maker.id, mrem))
                    matches.append((maker.id, tid, rem, rate, maker.account, tacct))
                    rem = 0
                    break
        taker.remaining = rem
        taker.filled += start - rem

    def _take_quote(self, taker: Order, opp: BookSide, result: EpochResult) -> None:
        """Fill a market buy: spend up to ``taker.remaining`` quote atoms on whole lots."""
        keys = opp.keys
        levels = opp.levels
        lot = self.lot_size
        rem = taker.remaining
        base = 0
        while keys:
            key = keys[-1]
            level = levels[key]
            rate = level.rate
            q = level.orders
            afford = rem * RATE_SCALE // rate // lot * lot
            if not afford:
                break  # not one lot at the best rate; every other rate is worse
            while afford:
                maker = q[0]
                if maker.status is not BOOKED:
                    q.popleft()
                    continue
                mrem = maker.remaining
                qty = mrem if mrem <= afford else afford
                rem -= quote_amount(qty, rate)
                base += qty
                maker.filled += qty
                maker.remaining = mrem = mrem - qty
                result.match_rows.append(
                    (maker.id, taker.id, qty, rate, maker.account, taker.account)
                )
                if mrem:
                    result.event_rows.append((_UPDATE, maker.id, mrem))
                else:
                    q.popleft()
                    maker.status = FILLED
                    self._forget(maker)
                    result.filled.append(maker)
                    result.event_rows.append((_REMOVE, maker.id, 0))
                    level.live -= 1
                    if not level.live:
                        keys.pop()
                        del levels[key]
                        break
                afford = rem * RATE_SCALE // rate // lot * lot
            else:
                break  # the rest cannot buy a lot at this level's rate
        taker.remaining = rem
        taker.filled += base

    # ---- queries and purges -------------------------------------------------------------

    def __len__(self) -> int:
        """Number of booked orders."""
        return len(self.bids) + len(self.asks)

    def best_bid(self) -> int | None:
        return self.bids.best_rate()

    def best_ask(self) -> int | None:
        return self.asks.best_rate()

    def get(self, order_id: int) -> Order | None:
        """A live (pending or booked) order by internal ID."""
        return self._by_id.get(order_id)

    def get_by_oid(self, oid: bytes) -> Order | None:
        return self._by_oid.get(oid)

    def snapshot(self) -> tuple[list[Order], list[Order]]:
        """Booked ``(bids, asks)``, each best rate first, then booking order."""
        return list(self.bids.orders_best_first()), list(self.asks.orders_best_first())

    def depth(self, max_levels: int | None = None) -> tuple[list[DepthLevel], list[DepthLevel]]:
        """Aggregated ``(bids, asks)`` price levels, best first."""
        return self.bids.depth(max_levels), self.asks.depth(max_levels)

    def orders_of(self, account: bytes) -> list[Order]:
        """The account's live limit/market orders (pending or booked), oldest first."""
        mine = self._by_account.get(account)
        return list(mine.values()) if mine else []

    def remove(self, order_id: int) -> Order | None:
        """Take a live order out (revocation, ban, disconnect, suspension purge).

        Returns the order (status REVOKED) or None if it is not live. For a booked order the
        server emits ``remove_order``; a pending one is skipped by :meth:`match_epoch`.
        """
        order = self._by_id.get(order_id)
        if order is None:
            return None
        if order.status is BOOKED:
            self._sides[order.side].unlink(order)
        order.status = _REVOKED
        self._forget(order)
        return order

    def remove_account(self, account: bytes) -> list[Order]:
        """Revoke every live order of an account (ban); returns them, oldest first."""
        return [o for o in self.orders_of(account) if self.remove(o.id) is not None]
