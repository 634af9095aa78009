"""Order book feed (spec §6): subscriptions, `seq` per market, snapshots, book notifications.

A peer is anything that can take a notification without blocking (rpcserver.Connection
queues it; a peer too slow to drain its queue is dropped there, never waited for).
"""

from __future__ import annotations

from typing import Protocol

from dexproto import messages as m
from dexproto._wire import Json, WireModel
from dexserver.book import EventKind, Order, Side

BOOK_SIDE = {Side.BUY: m.BookSide.BUY, Side.SELL: m.BookSide.SELL}


class Peer(Protocol):
    account: bytes | None

    def notify(self, method: str, params: Json) -> None: ...

    async def request(self, method: str, params: Json, timeout: float = 30.0) -> Json: ...


def book_order(order: Order) -> m.BookOrder:
    """The §6 Order object of a live limit or market order."""
    if order.kind == 0:  # limit
        return m.BookOrder(
            oid=order.oid,
            otype=m.BookOrderType.LIMIT,
            side=BOOK_SIDE[order.side],
            osize=order.quantity,
            rate=order.rate,
            tif=m.BookTif.STANDING if order.standing else m.BookTif.IMMEDIATE,
            epoch=order.epoch,
            filled=order.filled,
        )
    return m.BookOrder(
        oid=order.oid,
        otype=m.BookOrderType.MARKET,
        side=BOOK_SIDE[order.side],
        osize=order.quantity,
        epoch=order.epoch,
        filled=order.filled,
    )


class Feed:
    """Subscribers and `seq` of one market. `seq` counts book changes since the market began
    (persisted with each epoch), so a client sees no reset across a server restart."""

    def __init__(self, marketid: int, seq: int) -> None:
        self.marketid = marketid
        self.seq = seq
        self.subscribers: set[Peer] = set()

    def subscribe(self, peer: Peer) -> None:
        self.subscribers.add(peer)

    def unsubscribe(self, peer: Peer) -> bool:
        if peer in self.subscribers:
            self.subscribers.discard(peer)
            return True
        return False

    def publish(self, method: str, params: Json) -> None:
        for peer in list(self.subscribers):
            peer.notify(method, params)

    def book_event(self, kind: int, order: Order, remaining: int) -> int:
        """Publish one matcher event as its notification; returns the event's seq."""
        self.seq += 1
        note: WireModel
        if kind == EventKind.ADD:
            note = m.AddLimitNote(marketid=self.marketid, order=book_order(order), seq=self.seq)
            method = "add_limit"
        elif kind == EventKind.UPDATE:
            note = m.UpdateRemainingNote(
                marketid=self.marketid, orderid=order.oid, remaining=remaining, seq=self.seq
            )
            method = "update_remaining"
        else:
            note = m.RemoveOrderNote(marketid=self.marketid, orderid=order.oid, seq=self.seq)
            method = "remove_order"
        if self.subscribers:
            self.publish(method, note.to_json())
        return self.seq

    def removed(self, order: Order) -> int:
        """A booked order left outside matching (revocation, ban, purge)."""
        return self.book_event(EventKind.REMOVE, order, 0)

    def snapshot(self, bids: list[Order], asks: list[Order], epoch: int) -> m.OrderbookResult:
        orders = tuple(book_order(o) for o in bids + asks)
        book = m.BookSnapshot(marketid=self.marketid, epoch=epoch, orders=orders)
        return m.OrderbookResult(book=book, seq=self.seq)
