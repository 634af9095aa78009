"""Conduct (spec §10–§11): cancellation ratio, long disconnections, bans, suspension.

- Cancellation ratio = cancels / (cancels + completed) over the account's last 25 orders
  (cancel orders themselves are not in the window). A cancel is an order that ended
  CANCELLED: removed by the owner's cancel order or by a long disconnection, partly filled or
  not. Completed = FILLED or UNFILLED with something filled, every match `match_complete`.
  An order that ended UNFILLED with nothing filled (a market buy left without quote, an
  immediate limit that did not cross) counts as neither. Above `cancelmax` → a violation.
- An account with no connection for more than one full epoch of a market (an entire epoch
  span passed while it was away) has its booked standing orders there cancelled (counted).
  After a restart every account counts as disconnected from start time + RESTART_GRACE_MS.
- A ban revokes the account's live orders on every market (not counted, no feed penalty);
  its matches keep settling: the server never stands between a client and its funds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from fractions import Fraction

from dexproto import messages as m
from dexserver.accounts import Accounts
from dexserver.book import Status
from dexserver.config import ServerConfig
from dexserver.epochs import Market
from dexserver.feed import Peer
from dexserver.store import ServerStore

log = logging.getLogger("cambio.dexserver.conduct")
WINDOW = 25
# After a restart clients come back with capped backoff; the 60 s a silent peer is allowed
# before the away clock starts keeps a server outage from cancelling their standing orders.
RESTART_GRACE_MS = 60_000


class Conduct:
    def __init__(
        self,
        config: ServerConfig,
        store: ServerStore,
        accounts: Accounts,
        markets: dict[str, Market],
        connected: Callable[[bytes], bool],
        all_peers: Callable[[], list[Peer]],
        clock: Callable[[], int],
    ) -> None:
        self.config = config
        self.store = store
        self.accounts = accounts
        self.markets = markets
        self.connected = connected
        self.all_peers = all_peers
        self.clock = clock
        self.away: dict[bytes, int] = {}  # account -> ms since it has had no connection
        start = clock() + RESTART_GRACE_MS
        for market in markets.values():
            market.on_cancels = self.check_ratio
            for row in market.rows.values():
                self.away.setdefault(row.account, start)
        accounts.on_ban = self.banned

    # -- cancellation ratio ---------------------------------------------------------------
    def cancel_ratio(self, account: bytes) -> Fraction | None:
        rows = self.store.recent_orders(account, WINDOW)
        cancels = sum(1 for r in rows if r.status == Status.CANCELLED)
        done = [r for r in rows if r.status in (Status.FILLED, Status.UNFILLED) and r.filled]
        statuses = self.store.match_statuses([r.oid for r in done])
        completed = sum(
            1
            for r in done
            if statuses.get(r.oid) and all(s == "match_complete" for s in statuses[r.oid])
        )
        if cancels + completed == 0:
            return None
        return Fraction(cancels, cancels + completed)

    def check_ratio(self, accounts: set[bytes]) -> None:
        limit = Fraction(self.config.cancelmax)
        for account in accounts:
            ratio = self.cancel_ratio(account)
            if ratio is not None and ratio > limit:
                log.info("cancellation ratio %s above %s: violation", ratio, limit)
                self.accounts.violation(account)

    # -- disconnections -------------------------------------------------------------------
    def on_connect(self, account: bytes) -> None:
        self.away.pop(account, None)

    def on_disconnect(self, account: bytes) -> None:
        if not self.connected(account):
            self.away[account] = self.clock()

    def sweep(self) -> None:
        """Cancel the booked standing orders of accounts away for over one full epoch."""
        now = self.clock()
        hit: set[bytes] = set()
        for account, since in list(self.away.items()):
            if self.connected(account):
                self.away.pop(account, None)
                continue
            left = False
            for market in self.markets.values():
                d = market.cfg.epochlen
                live = market.matcher.orders_of(account)
                booked = [o for o in live if o.status is Status.BOOKED]
                due = now >= (since // d + 2) * d
                if booked and due:
                    for order in booked:
                        market.remove_booked(order, Status.CANCELLED)
                    hit.add(account)
                # a standing limit still pending may be booked at this epoch's close
                left = (
                    left
                    or (bool(booked) and not due)
                    or any(o.status is Status.PENDING and o.standing for o in live)
                )
            if not left:
                self.away.pop(account, None)  # nothing more to cancel
        if hit:
            self.check_ratio(hit)

    async def run(self) -> None:
        period = min(mk.cfg.epochlen for mk in self.markets.values()) / 4000
        while True:
            await asyncio.sleep(min(period, 1.0))
            try:
                self.sweep()
            except Exception:  # the sweep must not die with one bad account
                log.exception("disconnect sweep failed")

    # -- bans -----------------------------------------------------------------------------
    def banned(self, account: bytes) -> None:
        for market in self.markets.values():
            for order in market.matcher.orders_of(account):
                market.remove_booked(order, Status.REVOKED)

    # -- suspension (§11) -----------------------------------------------------------------
    def suspend(self, name: str, epoch: int | None = None, persist: bool = True) -> int:
        """No orders from `epoch` on (default: the current one); `persist=False` purges the
        book once the epoch before it has been matched. Returns the epoch."""
        market = self.markets[name]
        start = market.epoch_now() if epoch is None else epoch
        market.suspend(start, persist)
        note = m.SuspensionNote(marketid=market.cfg.marketid, epoch=start, persist=persist)
        for peer in self.all_peers():
            peer.notify("suspension", note.to_json())
        return start

    def resume(self, name: str) -> None:
        self.markets[name].resume()
