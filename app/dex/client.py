"""The DEX client: the public API over `Link` (app/dex/connection.py) and the session.

After every (re)connect it runs the post-connect sequence of app/dex/sequences.py (`assets`,
`connect`, `orderbook` for every subscribed market, the re-send of unacknowledged reports,
`match_status`), a sans-I/O generator this module only drives (`_drive`); book resyncs and
report re-sends run the same way. A dropped connection is retried after a capped, fully jittered
exponential backoff (app/dex/backoff.py) until `close()`.

Every server time the client sees (order results, `register`, `connect` startepoch, book
snapshot epochs, `match`, `match_data`, newly booked orders) feeds `server_clock`
(app/dex/server_clock.py); `server_now()` is the server's clock as far as we can tell.

Events go to `on_event` when given, else to the `events` queue. `on_server_request`, when
given, is awaited with each verified server request (match, audit, redemption, revoke)
*before* we acknowledge it, so the app can persist it first; it should be quick, as frames
are processed in order.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import TypeVar

from app.dex import requests as rq
from app.dex import sequences
from app.dex.backoff import Uniform
from app.dex.connection import (
    ClientOptions,
    ConnectionOptions,
    Connector,
    EventCallback,
    Link,
    ServerRequestHook,
    open_websocket,
)
from app.dex.errors import DexClientError, NotConnected, RequestTimeout, ServerRejected
from app.dex.events import (
    AuditReceived,
    BookUpdated,
    Connected,
    Event,
    FairnessChecked,
    MatchReceived,
    RedemptionReceived,
)
from app.dex.orderbook import OrderBookMirror
from app.dex.outbox import Outbox, OutboxItem
from app.dex.requests import PlacedOrder
from app.dex.sequences import Exchange
from app.dex.server_clock import ServerClock
from app.dex.session import Call, Session
from app.errors import log_text
from app.trading.charts_data import Bin
from dexproto._wire import Json
from dexproto.errors import DexError
from dexproto.marketdata import Candle, Trade
from dexproto.messages import (
    ConfigResult,
    ConnectResult,
    FundingCoin,
    MatchAck,
    MatchState,
    RegisterResult,
    Side,
    SigResult,
    TimeInForce,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class PreparedOrder:
    """A signed order whose ID is known before it is sent, so the app can store it first."""

    order_id: bytes
    call: Call


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def _built(build: Callable[[], T]) -> T:
    """A request built by app/dex/requests.py, dexproto's errors mapped (a value that does not
    fit its byte layout): with `Link._request`, the edge of the package."""
    try:
        return build()
    except DexError as exc:
        raise DexClientError(
            "The request for the DEX server could not be built.", str(exc)
        ) from exc


class DexClient(Link):
    def __init__(
        self,
        connection: ConnectionOptions,
        *,
        account_secret: bytes | None = None,
        outbox: Outbox | None = None,
        options: ClientOptions | None = None,
        on_event: EventCallback | None = None,
        on_server_request: ServerRequestHook | None = None,
        rng: Uniform = random.random,
        clock_ms: Callable[[], int] = now_ms,
        pinned_key: Callable[[], bytes | None] | None = None,
        connector: Connector = open_websocket,
    ) -> None:
        session = Session(
            account_secret=account_secret,
            outbox=outbox,
            max_frame=connection.max_size,
            url=connection.url,
        )
        super().__init__(
            connection,
            session,
            options=options,
            on_event=on_event,
            on_server_request=on_server_request,
            rng=rng,
            connector=connector,
        )
        self._clock_ms = clock_ms
        self._resyncing: set[int] = set()
        self.account: ConnectResult | None = None
        self.server_clock = ServerClock()
        if pinned_key is not None:  # the server key pinned for this URL (trust on first use)
            session.pinned_key = pinned_key

    @property
    def config(self) -> ConfigResult | None:
        return self.session.config

    async def _after_connect(self) -> None:
        self.account = None  # until this connection's `connect` succeeds
        self.account = await self._drive(sequences.post_connect(self.session, self._clock_ms))

    async def _drive(self, exchange: Exchange[T], *, ready_only: bool = False) -> T:
        """Perform the steps of a sans-I/O exchange (app/dex/sequences.py) until it ends.
        A request's error is thrown into it; what it does not handle ends it, raised here.
        `ready_only`: every request waits for nothing and fails if the link is not ready."""
        call = self._ready_call if ready_only else self._request
        step = sequences.advance(exchange)
        while not isinstance(step, sequences.Finished):
            reply: object = None
            error: DexClientError | None = None
            if isinstance(step, sequences.Ask):
                try:
                    reply = await call(step.call, step.kind)
                except DexClientError as exc:
                    error = exc
            elif isinstance(step, sequences.Emit):
                self._emit(step.event)
            else:
                self.server_clock.in_epoch(
                    step.epoch, step.epochlen, step.sent_ms, step.received_ms
                )
            step = sequences.advance(exchange, reply, error)
        return step.value

    async def _load_book(self, marketid: int) -> None:
        await self._drive(sequences.load_book(self.session, marketid, self._clock_ms))

    async def _resync(self, marketid: int) -> None:
        try:
            await self._drive(sequences.resync_book(self.session, marketid, self._clock_ms))
        except DexClientError as exc:  # retried after the next reconnect
            log.info("order book resync of market %d failed: %s", marketid, log_text(exc))
        finally:
            self._resyncing.discard(marketid)

    async def _resend_for(self, matchid: bytes) -> None:
        with suppress(NotConnected, RequestTimeout):  # re-sent after the next reconnect
            await self._drive(sequences.resend_for(self.session, matchid), ready_only=True)

    def _connected_event(self) -> Connected | None:
        config = self.session.config
        return None if config is None else Connected(self.connection.url, config, self.account)

    def _on_resync(self, marketid: int) -> None:
        if marketid not in self._resyncing:
            self._resyncing.add(marketid)
            self._spawn(self._resync(marketid))

    def _emit(self, event: Event) -> None:
        self._note_server_time(event)  # before the app sees the event, so it reads the clock
        super()._emit(event)
        if isinstance(event, AuditReceived | RedemptionReceived):
            matchid = (
                event.audit if isinstance(event, AuditReceived) else event.redemption
            ).matchid
            if any(i.matchid == matchid for i in self.session.outbox.pending()):
                self._spawn(self._resend_for(matchid))

    def _note_server_time(self, event: Event) -> None:
        received = self._clock_ms()
        if isinstance(event, MatchReceived):
            for note in event.matches:
                self.server_clock.pushed(note.servertime, received)
        elif isinstance(event, FairnessChecked):  # match_data: the epoch just closed
            epochlen = self._epochlen(event.report.marketid)
            self.server_clock.closed(event.report.epoch, epochlen, received)
        elif isinstance(event, BookUpdated) and event.delta is not None:
            # Orders are booked only when their epoch closes, so a newer epoch on the mirror
            # means that epoch has just closed. One cheap comparison on the hot path.
            book = self.session.books.get(event.marketid)
            if book is not None and book.mirror.epoch > book.seen_epoch:
                book.seen_epoch = book.mirror.epoch
                self.server_clock.closed(book.mirror.epoch, book.market.epochlen, received)

    def _epochlen(self, marketid: int) -> int:
        config = self.session.config
        markets = config.markets if config is not None else ()
        return next((m.epochlen for m in markets if m.marketid == marketid), 0)

    def server_now(self) -> int:
        """The server's clock (ms) as estimated from everything it sent us."""
        return self.server_clock.now(self._clock_ms())

    # --- public API -------------------------------------------------------------------------
    def set_account(self, secret: bytes) -> None:
        """Set the account key (e.g. after `register`); used from the next (re)connect."""
        self.session.set_account(secret)

    def track_matches(self, matches: Sequence[tuple[bytes, bytes]]) -> None:
        """(match ID, order ID) pairs from the swap store, for `match_status` on reconnect."""
        self.session.track_matches(matches)

    async def register(self) -> RegisterResult:
        sent = self._clock_ms()
        call = _built(lambda: rq.register_call(self.session, sent))
        result = await self._ready_call(call, RegisterResult)
        self.server_clock.stamped(result.timestamp, sent, self._clock_ms())
        return result

    async def notify_fee(self, txid: bytes, vout: int) -> None:
        call = _built(lambda: rq.notifyfee_call(self.session, txid, vout, self._clock_ms()))
        await self._ready_call(call, SigResult)

    async def subscribe(self, base: str, quote: str) -> OrderBookMirror:
        """Mirror a market's book; it is re-subscribed after every reconnect. Raises if the
        server is not connected (the snapshot cannot be fetched), but stays subscribed."""
        book = self.session.add_book(self.session.market(base, quote))
        if self._ready.is_set():
            await self._load_book(book.market.marketid)
        return book.mirror

    async def unsubscribe(self, base: str, quote: str) -> None:
        marketid = self.session.market(base, quote).marketid
        if self.session.books.pop(marketid, None) is not None and self._ready.is_set():
            with suppress(ServerRejected):
                await self._request(rq.unsub_call(marketid), object)

    def book(self, base: str, quote: str) -> OrderBookMirror | None:
        book = self.session.books.get(self.session.market(base, quote).marketid)
        return None if book is None else book.mirror

    def prepare_limit(
        self,
        base: str,
        quote: str,
        *,
        side: Side,
        quantity: int,
        rate: int,
        tif: TimeInForce,
        coins: Sequence[FundingCoin],
        address: str,
    ) -> PreparedOrder:
        market = self.session.market(base, quote)
        call, oid = _built(
            lambda: rq.limit_call(
                self.session,
                market,
                side=side,
                quantity=quantity,
                rate=rate,
                tif=tif,
                coins=coins,
                address=address,
                timestamp=self._clock_ms(),
            )
        )
        return PreparedOrder(oid, call)

    def prepare_market(
        self,
        base: str,
        quote: str,
        *,
        side: Side,
        quantity: int,
        coins: Sequence[FundingCoin],
        address: str,
    ) -> PreparedOrder:
        market = self.session.market(base, quote)
        call, oid = _built(
            lambda: rq.market_call(
                self.session,
                market,
                side=side,
                quantity=quantity,
                coins=coins,
                address=address,
                timestamp=self._clock_ms(),
            )
        )
        return PreparedOrder(oid, call)

    def prepare_cancel(self, base: str, quote: str, target: bytes) -> PreparedOrder:
        market = self.session.market(base, quote)
        call, oid = _built(lambda: rq.cancel_call(self.session, market, target, self._clock_ms()))
        return PreparedOrder(oid, call)

    async def submit(self, order: PreparedOrder) -> PlacedOrder:
        """Send a prepared order; the result's server signature is verified."""
        sent = self._clock_ms()
        placed = await self._ready_call(order.call, PlacedOrder)
        self.server_clock.stamped(placed.servertime, sent, self._clock_ms())
        return placed

    async def place_limit(
        self,
        base: str,
        quote: str,
        *,
        side: Side,
        quantity: int,
        rate: int,
        tif: TimeInForce,
        coins: Sequence[FundingCoin],
        address: str,
    ) -> PlacedOrder:
        return await self.submit(
            self.prepare_limit(
                base,
                quote,
                side=side,
                quantity=quantity,
                rate=rate,
                tif=tif,
                coins=coins,
                address=address,
            )
        )

    async def place_market(
        self,
        base: str,
        quote: str,
        *,
        side: Side,
        quantity: int,
        coins: Sequence[FundingCoin],
        address: str,
    ) -> PlacedOrder:
        return await self.submit(
            self.prepare_market(
                base, quote, side=side, quantity=quantity, coins=coins, address=address
            )
        )

    async def cancel(self, base: str, quote: str, target: bytes) -> PlacedOrder:
        return await self.submit(self.prepare_cancel(base, quote, target))

    async def report_init(
        self, order_id: bytes, match_id: bytes, txid: bytes, vout: int, contract: bytes
    ) -> bool:
        """Report our funded contract. It is kept in the outbox (and re-sent after every
        reconnect) until the server acks it; True when acked now. A server refusal is
        raised (ServerRejected) and the report stays queued unless retrying cannot help."""
        item = _built(
            lambda: rq.init_item(
                self.session, order_id, match_id, txid, vout, contract, self._clock_ms()
            )
        )
        return await self._report(item)

    async def report_redeem(
        self, order_id: bytes, match_id: bytes, txid: bytes, vin: int, secret: bytes
    ) -> bool:
        item = _built(
            lambda: rq.redeem_item(
                self.session, order_id, match_id, txid, vin, secret, self._clock_ms()
            )
        )
        return await self._report(item)

    async def _report(self, item: OutboxItem) -> bool:
        self.session.outbox.add(item)  # written before the network action (rule 2)
        if not self._ready.is_set():
            return False
        try:
            await self._request(rq.report_call(self.session, item), MatchAck)
        except (NotConnected, RequestTimeout):
            return False
        except ServerRejected as exc:
            if rq.already_recorded(item.method, exc):  # an older server that has it already
                log.info(
                    "%s of match %s was already recorded by the server",
                    item.method,
                    item.matchid.hex()[:16],
                )
                return True
            if rq.reported_early(item.method, exc):  # queued; sent again on their relay
                log.info(
                    "%s of match %s is ahead of the counterparty's report",
                    item.method,
                    item.matchid.hex()[:16],
                )
                return False
            raise
        return True

    async def match_status(self, matchids: Sequence[bytes]) -> tuple[MatchState, ...]:
        call = _built(lambda: rq.match_status_call(self.session, matchids))
        states = await self._ready_call(call, tuple)
        return tuple(s for s in states if isinstance(s, MatchState))

    async def trades(self, base: str, quote: str) -> list[Trade]:
        """The market's last trades, oldest first (checked item by item)."""
        market = self.session.market(base, quote)  # an unknown market fails here, not remotely
        value = await self._ready_call(
            Call("trades", {"base": market.base, "quote": market.quote}), list
        )
        return [t for t in value if isinstance(t, Trade)]

    async def candles(self, base: str, quote: str, bin_name: str = "1h") -> list[Candle]:
        market = self.session.market(base, quote)
        params: dict[str, Json] = {
            "base": market.base,
            "quote": market.quote,
            "bin": Bin(bin_name).value,
        }
        value = await self._ready_call(Call("candles", params), list)
        return [c for c in value if isinstance(c, Candle)]
