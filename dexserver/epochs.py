"""One market's state and its epoch cycle (spec §8).

Orders accepted during epoch i wait in `pending[i]`. When i closes the server publishes
`match_data{epoch, orderids (sorted), seed}`, shuffles the IDs with the seed, runs the matcher,
publishes each book change with its `seq`, persists orders, matches and `seq` in one
transaction, and hands the new matches to settlement. On start the books come back from the
store; orders of an epoch that never closed are revoked without penalty (§11).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from dexproto import messages as m
from dexproto.crypto import sha256
from dexproto.epoch import match_seed, shuffle
from dexserver.book import Order, Side, Status
from dexserver.config import MarketConfig, ServerConfig
from dexserver.feed import Feed
from dexserver.matcher import Matcher
from dexserver.store import MatchRow, OrderRow, ServerStore

log = logging.getLogger("cambio.dexserver.epochs")
LIVE = (Status.PENDING, Status.BOOKED)
MatchSink = Callable[["Market", list[MatchRow]], None]


def match_id(maker: bytes, taker: bytes, epoch: int, index: int) -> bytes:
    return sha256(maker + taker + epoch.to_bytes(8, "big") + index.to_bytes(4, "big"))


class Market:
    def __init__(
        self, cfg: MarketConfig, server: ServerConfig, store: ServerStore, clock: Callable[[], int]
    ) -> None:
        self.cfg = cfg
        self.store = store
        self.clock = clock
        base = server.assets[cfg.base]
        self.matcher = Matcher(base.lotsize, server.assets[cfg.quote].ratestep)
        self.feed = Feed(cfg.marketid, store.seq(cfg.name))
        self.pending: dict[int, list[Order]] = {}
        self.live: dict[int, Order] = {}  # internal ID -> pending or booked order
        self.rows: dict[bytes, OrderRow] = {}  # oid -> stored row of a live order
        self.on_matches: MatchSink = lambda market, rows: None
        self.on_finished: Callable[[OrderRow], None] = lambda row: None
        self.on_cancels: Callable[[set[bytes]], None] = lambda accounts: None
        # (first suspended epoch, persist, purged) or None; survives restarts (§11)
        self.suspension = store.suspension(cfg.name)

    # -- suspension (§11) ---------------------------------------------------------------------
    @property
    def suspended(self) -> bool:
        return self.suspension is not None and self.epoch_now() >= self.suspension[0]

    def suspend(self, epoch: int, persist: bool) -> None:
        self.suspension = (epoch, persist, False)
        self.store.set_suspension(self.name, self.suspension)

    def resume(self) -> None:
        self.suspension = None
        self.store.set_suspension(self.name, None)

    def _purge_if_due(self, closed: int) -> None:
        """persist=false: once the last epoch before the suspension is matched, empty the
        book (server-side removal: not the owners' cancels)."""
        s = self.suspension
        if s is None or s[1] or s[2] or closed + 1 < s[0]:
            return
        for order in [o for o in self.live.values() if o.status is Status.BOOKED]:
            self.remove_booked(order)
        self.suspension = (s[0], s[1], True)
        self.store.set_suspension(self.name, self.suspension)

    @property
    def name(self) -> str:
        return self.cfg.name

    def epoch_now(self) -> int:
        return self.clock() // self.cfg.epochlen

    # -- restart ----------------------------------------------------------------------------
    def restore(self) -> list[OrderRow]:
        """Rebook standing orders; revoke orders of an unfinished epoch. Returns live rows."""
        for row in self.store.orders_with_status(self.name, [Status.PENDING]):
            self.store.set_order_status(row.oid, Status.REVOKED)
        for row in self.store.orders_with_status(self.name, [Status.BOOKED]):
            order = self.matcher.restore(
                row.oid, row.account, Side(row.side), row.quantity, row.rate, row.filled, row.epoch
            )
            self.live[order.id] = order
            self.rows[row.oid] = row
        return list(self.rows.values())

    # -- intake -----------------------------------------------------------------------------
    def add(self, order: Order, row: OrderRow) -> None:
        self.live[order.id] = order
        self.rows[row.oid] = row
        self.pending.setdefault(order.epoch, []).append(order)

    def remove_booked(self, order: Order, status: Status = Status.REVOKED) -> None:
        """Server-side removal (ban, purge: REVOKED; long disconnection: CANCELLED, which
        counts against the owner): off the book, feed notified, store updated."""
        booked = order.status is Status.BOOKED
        if self.matcher.remove(order.id) is None:
            return
        order.status = status
        self.live.pop(order.id, None)
        row = self.rows.pop(order.oid, None)
        with self.store.transaction() as db:
            self.store.update_orders(db, [(int(status), order.filled, None, order.oid)])
            if booked:
                self.store.set_seq(db, self.name, self.feed.removed(order))
        if row is not None:
            self.on_finished(row)

    # -- the cycle ----------------------------------------------------------------------------
    def close_epoch(self, epoch: int) -> EpochSummary:
        """Match every pending order of epochs <= `epoch`."""
        orders = [o for e in sorted(self.pending) if e <= epoch for o in self.pending.pop(e)]
        summary = EpochSummary(epoch)
        orders = [o for o in orders if o.status is Status.PENDING]
        if not orders:
            return summary
        ids = sorted(o.oid for o in orders)
        seed = match_seed(ids)
        self.feed.publish(
            "match_data",
            m.MatchDataNote(
                marketid=self.cfg.marketid, epoch=epoch, orderids=tuple(ids), seed=seed
            ).to_json(),
        )
        by_oid = {o.oid: o for o in orders}
        result = self.matcher.match_epoch([by_oid[oid] for oid in shuffle(ids, seed)])
        now = self.clock()
        book_seq: dict[int, int] = {}
        for kind, order_id, remaining in result.event_rows:
            seq = self.feed.book_event(kind, self.live[order_id], remaining)
            if kind == 0:
                book_seq[order_id] = seq
        matches = [
            MatchRow(
                match_id(self.live[mk].oid, self.live[tk].oid, epoch, i),
                self.name,
                epoch,
                self.live[mk].oid,
                self.live[tk].oid,
                macct,
                tacct,
                qty,
                rate,
                now,
                "newly_matched",
                {},
            )
            for i, (mk, tk, qty, rate, macct, tacct) in enumerate(result.match_rows)
        ]
        touched = {o.id: o for o in orders}
        touched.update((row[0], self.live[row[0]]) for row in result.match_rows)
        finished: list[OrderRow] = []
        updates = []
        for order in touched.values():
            updates.append((int(order.status), order.filled, book_seq.get(order.id), order.oid))
            if order.status not in LIVE:
                self.live.pop(order.id, None)
                row = self.rows.pop(order.oid, None)
                if row is not None:
                    finished.append(row)
        for order in result.cancelled:
            updates.append((int(order.status), order.filled, None, order.oid))
            self.live.pop(order.id, None)
            row = self.rows.pop(order.oid, None)
            if row is not None:
                finished.append(row)
        with self.store.transaction() as db:
            self.store.update_orders(db, updates)
            self.store.add_matches(db, matches)
            self.store.set_seq(db, self.name, self.feed.seq)
        for row in finished:
            self.on_finished(row)
        summary.orders, summary.matches = len(orders), matches
        if matches:
            self.on_matches(self, matches)
        if result.cancelled:
            self.on_cancels({o.account for o in result.cancelled})
        return summary

    async def run(self) -> None:
        """Close each epoch at its end, forever (cancelled on shutdown)."""
        while True:
            epoch = self.epoch_now()
            wait_ms = (epoch + 1) * self.cfg.epochlen - self.clock()
            await asyncio.sleep(max(wait_ms, 0) / 1000)
            try:
                self.close_epoch(epoch)
                self._purge_if_due(epoch)
            except Exception:  # one bad epoch must not stop the market
                log.exception("market %s: epoch %d failed", self.name, epoch)


class EpochSummary:
    def __init__(self, epoch: int) -> None:
        self.epoch = epoch
        self.orders = 0
        self.matches: list[MatchRow] = []


async def stop_task(task: asyncio.Task[None] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
