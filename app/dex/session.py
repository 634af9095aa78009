"""Sans-I/O core of the DEX client: frames in, frames and typed events out. No sockets, no
clock, no asyncio (rule 4); the shell (app/dex/connection.py `Link`) owns socket and timers.
This module owns everything the protocol decides:

- the table of our pending requests (ids, deadlines, the check each result must pass);
- every server signature: on `match`, `audit`, `redemption`, `revoke_match` (a bad one is
  answered with code 1 and reported as a ProtocolViolation, never handed to the app), and on
  the results of `register`, `notifyfee`, `connect`, orders and `init`/`redeem`;
- our answers to server requests (signed with the account key); the book mirrors, one per
  subscribed market, and when one needs a resync;
- the fairness check of `match_data` against the orders we placed in that epoch;
- the outbox of `init`/`redeem` reports, acked only by a valid server signature
  (the signed params of each client request are built in app/dex/requests.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.dex.errors import DexNotReady
from app.dex.events import (
    AuditReceived,
    BookUpdated,
    ClientError,
    Event,
    FairnessChecked,
    MarketSuspended,
    MatchReceived,
    MatchRevoked,
    ProtocolViolation,
    RedemptionReceived,
    ServerKeyRefused,
)
from app.dex.orderbook import ApplyStatus, OrderBookMirror
from app.dex.outbox import MemoryOutbox, Outbox
from dexproto import codec
from dexproto._wire import Json
from dexproto.crypto import xonly_from_secret
from dexproto.errors import DexError, ErrorCode, ProtocolError, RemoteError, ResyncRequired
from dexproto.fairness import check_match_data
from dexproto.feed_messages import BookNote
from dexproto.jsonrpc import (
    MAX_FRAME,
    Notification,
    Request,
    Response,
    error_frame,
    parse_frame,
    request_frame,
    response_frame,
)
from dexproto.messages import (
    AuditParams,
    ConfigResult,
    MarketInfo,
    MatchAck,
    MatchDataNote,
    MatchNote,
    MatchState,
    MatchStatus,
    OrderbookResult,
    RedemptionParams,
    RevokeMatchParams,
    SuspensionNote,
    parse_params,
    parse_result,
)
from dexproto.signing import sign, verify_server

log = logging.getLogger(__name__)

API_VERSION = 1
Check = Callable[[Any], object]
BOOK_NOTES = frozenset({"add_limit", "remove_order", "update_remaining"})  # no add_market
SERVER_REQUESTS = frozenset({"match", "audit", "redemption", "revoke_match"})
FINAL_STATUSES = frozenset({MatchStatus.MATCH_COMPLETE, MatchStatus.REVOKED})
EPOCHS_KEPT = 4  # our order IDs of older epochs are dropped once a newer match_data arrives
# Most notes one `match` request may carry: an account's matches of one epoch fit well under
# it; a longer list is refused before any signature is checked (their cost blocks the loop,
# and the acks of thousands would not fit in one frame).
MAX_MATCH_NOTES = 256


@dataclass(frozen=True)
class Call:
    """A client request ready to send: params, and what its result must pass."""

    method: str
    params: Json
    check: Check | None = None  # verifies the typed result; may return a richer value
    on_remote_error: Callable[[RemoteError], None] | None = None


@dataclass
class Pending:
    id: int
    method: str
    deadline: float
    check: Check | None
    on_remote_error: Callable[[RemoteError], None] | None


class PendingTable:
    """Our requests awaiting an answer. Ids grow for the life of the client, never reused, so
    an answer that arrives after its request timed out cannot be taken for another's."""

    def __init__(self) -> None:
        self._next_id = 1
        self._items: dict[int, Pending] = {}

    def add(self, call: Call, deadline: float) -> Pending:
        pending = Pending(self._next_id, call.method, deadline, call.check, call.on_remote_error)
        self._next_id += 1
        self._items[pending.id] = pending
        return pending

    def pop(self, request_id: int) -> Pending | None:
        return self._items.pop(request_id, None)

    def expire(self, now: float) -> list[Pending]:
        """Remove and return the requests whose deadline has passed."""
        late = [p for p in self._items.values() if p.deadline <= now]
        self._items = {i: p for i, p in self._items.items() if p.deadline > now}
        return late

    def next_deadline(self) -> float | None:
        return min((p.deadline for p in self._items.values()), default=None)

    def clear(self) -> list[Pending]:
        """All of them (the connection dropped: none will be answered)."""
        items, self._items = list(self._items.values()), {}
        return items

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class Resolved:
    """The answer to one of our requests: a checked result, or the error to raise."""

    id: int
    method: str
    result: object = None
    error: DexError | None = None


@dataclass
class Inbound:
    """What one received frame asks of the shell. For a server request, `call` is the
    verified event to hand to the app before `answer` is sent (so a match is persisted
    before we acknowledge it); `resync` names a market whose book must be re-subscribed."""

    resolved: Resolved | None = None
    call: Event | None = None
    answer: str | None = None
    events: list[Event] = field(default_factory=list)
    resync: int | None = None
    request_id: int | None = None  # of the server request `answer` answers
    # A `match` request: no answer yet. The app decides on each note first, then the shell
    # asks `Session.answer_matches` (acks for a request taken whole, else an error).
    matches: tuple[MatchNote, ...] | None = None


@dataclass
class Book:
    market: MarketInfo
    mirror: OrderBookMirror
    seen_epoch: int = -1  # the newest epoch whose time fed the server clock


class ServerKeyChanged(ProtocolError):
    """The server's `assets` names another key than the one pinned for it (trust on first
    use): nothing it signs under the new key is taken until the user accepts that key.
    A dexproto ProtocolError, not in the app's tree: raised by the result check, where only
    a ProtocolError is reported; callers get it mapped (app/dex/errors.py)."""

    def __init__(self, pinned: bytes, offered: bytes) -> None:
        super().__init__(
            ErrorCode.INVALID_PARAMS,
            f"server key changed: pinned {pinned.hex()[:16]}…, offered {offered.hex()[:16]}…",
        )
        self.pinned = pinned
        self.offered = offered

    @property
    def user_message(self) -> str:
        return "the DEX server's key changed"


def _no_pin() -> bytes | None:
    return None


class Session:
    """Protocol state of one client across its connections (it outlives each socket)."""

    def __init__(
        self,
        *,
        account_secret: bytes | None = None,
        outbox: Outbox | None = None,
        max_frame: int = MAX_FRAME,
        url: str = "",
    ) -> None:
        self.url = url  # named in events about this server
        self.pending = PendingTable()
        self.outbox: Outbox = outbox if outbox is not None else MemoryOutbox()
        self.max_frame = max_frame
        self.config: ConfigResult | None = None
        self.books: dict[int, Book] = {}
        self.active_matches: dict[bytes, bytes] = {}  # match ID -> our order ID
        self.epoch_orders: dict[tuple[int, int], set[bytes]] = {}  # (market, epoch) -> IDs
        self._secret: bytes | None = None
        self.account_pubkey: bytes | None = None
        self.account_id: bytes | None = None
        self.pinned_key: Callable[[], bytes | None] = _no_pin  # asked at every `assets`
        if account_secret is not None:
            self.set_account(account_secret)

    # --- identity and configuration -----------------------------------------------------
    def set_account(self, secret: bytes) -> None:
        if len(secret) != 32:
            raise ValueError("an account key is 32 bytes")
        self._secret = secret
        self.account_pubkey = xonly_from_secret(secret)
        self.account_id = codec.account_id(self.account_pubkey)

    @property
    def has_account(self) -> bool:
        return self._secret is not None

    def sign(self, serialization: bytes | codec.Payload) -> bytes:
        if self._secret is None:
            raise DexNotReady("No DEX account key is set yet.")
        return sign(self._secret, serialization)

    @property
    def server_pubkey(self) -> bytes:
        if self.config is None:  # a ProtocolError is answered; a DexError would escape receive
            raise ProtocolError(ErrorCode.INVALID_REQUEST, "server configuration not loaded yet")
        return self.config.pubkey

    def accept_config(self, config: ConfigResult) -> ConfigResult:
        """Check of the `assets` result: only API version 1 is spoken here, and the key must
        be the pinned one, if any (else ServerKeyChanged, and the previous configuration and
        its key stay: nothing signed by the new key verifies)."""
        if config.apiver != API_VERSION:
            raise ProtocolError(
                ErrorCode.UNSUPPORTED_API, f"server speaks API {config.apiver}, we speak 1"
            )
        pinned = self.pinned_key()
        if pinned is not None and config.pubkey != pinned:
            raise ServerKeyChanged(pinned, config.pubkey)
        self.config = config
        return config

    def market(self, base: str, quote: str) -> MarketInfo:
        if self.config is None:
            raise DexNotReady("The DEX server's configuration is not loaded yet.")
        name = f"{base.lower()}_{quote.lower()}"
        for market in self.config.markets:
            if market.name == name:
                return market
        raise DexNotReady(f"The DEX server has no market {name}.")

    def track_matches(self, matches: Iterable[tuple[bytes, bytes]]) -> None:
        """Add (match ID, our order ID) pairs known from elsewhere (the swap store)."""
        self.active_matches.update(matches)

    def note_states(self, states: Iterable[MatchState]) -> None:
        for state in states:
            if state.status in FINAL_STATUSES:
                self.active_matches.pop(state.matchid, None)
            else:
                self.active_matches[state.matchid] = state.orderid

    def note_order(self, marketid: int, epoch: int, order_id: bytes) -> None:
        self.epoch_orders.setdefault((marketid, epoch), set()).add(order_id)

    # --- order books ----------------------------------------------------------------------
    def add_book(self, market: MarketInfo) -> Book:
        book = self.books.get(market.marketid)
        if book is None:
            book = self.books[market.marketid] = Book(market, OrderBookMirror(market.marketid))
        return book

    def load_snapshot(self, marketid: int, result: OrderbookResult) -> list[Event]:
        book = self.books.get(marketid)
        if book is None:  # unsubscribed while the request was in flight
            return []
        try:
            book.mirror.apply_snapshot(result)
        except ResyncRequired as exc:  # a snapshot that contradicts itself
            return [ProtocolViolation("orderbook", ErrorCode.INVALID_PARAMS, str(exc))]
        book.seen_epoch = book.mirror.epoch  # the current epoch: not closed yet
        return [BookUpdated(marketid, book.market.name, None)]

    # --- requests -----------------------------------------------------------------------
    def request(self, call: Call, deadline: float) -> tuple[int, str]:
        """Register `call` as pending and return its id and frame (SerializationError if
        the frame would exceed 1 MiB; nothing stays pending then)."""
        pending = self.pending.add(call, deadline)
        try:
            return pending.id, request_frame(call.method, call.params, pending.id)
        except DexError:
            self.pending.pop(pending.id)
            raise

    # --- receiving ----------------------------------------------------------------------
    def receive(self, frame: str | bytes) -> Inbound:
        try:
            message = parse_frame(frame, max_size=self.max_frame)
        except ProtocolError as exc:
            log.warning("malformed frame from server: %s", exc)
            answer = None
            if exc.request_id is not None:
                answer = error_frame(exc.request_id, exc.code, exc.message)
            return Inbound(answer=answer, events=[_violation("?", exc)])
        if isinstance(message, Response):
            return self._on_response(message)
        if isinstance(message, Request):
            return self._on_request(message)
        return self._on_notification(message)

    def _on_response(self, response: Response) -> Inbound:
        if response.id is None:  # the server could not read one of our frames
            assert response.error is not None  # parse_frame guarantees it
            err = response.error
            detail = f"server rejected an unreadable frame: [{err.code}] {err.message[:200]}"
            return Inbound(events=[ClientError("the server rejected a message", detail)])
        pending = self.pending.pop(response.id)
        if pending is None:  # answered after we gave up on it
            log.info("answer to unknown or expired request %d ignored", response.id)
            return Inbound()
        try:
            value = parse_result(pending.method, response.unwrap())
            if pending.check is not None:
                value = pending.check(value)
        except RemoteError as exc:
            if pending.on_remote_error is not None:
                pending.on_remote_error(exc)
            return Inbound(resolved=Resolved(pending.id, pending.method, error=exc))
        except ServerKeyChanged as exc:  # no broken protocol: a key we do not trust
            log.warning("server %s offers another key than the pinned one", self.url)
            return Inbound(
                resolved=Resolved(pending.id, pending.method, error=exc),
                events=[ServerKeyRefused(self.url, exc.pinned, exc.offered)],
            )
        except ProtocolError as exc:  # malformed result, bad signature, wrong API version
            log.warning("bad %s result from server: %s", pending.method, exc)
            return Inbound(
                resolved=Resolved(pending.id, pending.method, error=exc),
                events=[_violation(pending.method, exc)],
            )
        return Inbound(resolved=Resolved(pending.id, pending.method, value))

    def _on_request(self, request: Request) -> Inbound:
        method = request.method
        try:
            if method not in SERVER_REQUESTS:
                raise ProtocolError(ErrorCode.METHOD_NOT_FOUND, f"unknown method {method[:40]!r}")
            params = parse_params(method, request.params)
            if self._secret is None:
                raise ProtocolError(ErrorCode.INVALID_REQUEST, f"{method} without an account")
            if isinstance(params, tuple) and len(params) > MAX_MATCH_NOTES:
                raise ProtocolError(
                    ErrorCode.TOO_MANY_MATCHES,
                    f"{len(params)} matches in one request (at most {MAX_MATCH_NOTES})",
                )
            event, result = self._handle(method, params)
        except ProtocolError as exc:
            log.warning("rejected server %s request: %s", method[:40], exc)
            return Inbound(
                answer=error_frame(request.id, exc.code, exc.message),
                events=[_violation(method, exc)],
            )
        if isinstance(event, MatchReceived):
            return Inbound(call=event, request_id=request.id, matches=event.matches)
        return Inbound(call=event, answer=self._answer(request.id, result), request_id=request.id)

    def answer_matches(
        self, request_id: int, matches: tuple[MatchNote, ...], refused: Mapping[bytes, str]
    ) -> str:
        """Our answer to a `match` request once the app has looked at each note: signed acks
        when every note was taken; an error naming the refused ones otherwise, so the server
        never holds our signature over terms we refused (§1). The notes taken are settled
        all the same (they are stored)."""
        if refused:
            for matchid in refused:
                self.active_matches.pop(matchid, None)
            data: Json = [
                {"matchid": mid.hex(), "reason": why[:200]} for mid, why in refused.items()
            ]
            return error_frame(
                request_id,
                ErrorCode.INVALID_PARAMS,
                f"{len(refused)} of {len(matches)} matches refused",
                data,
            )
        acks: list[Json] = [
            MatchAck(matchid=m.matchid, sig=self.sign(m.payload())).to_json() for m in matches
        ]
        return self._answer(request_id, acks)

    def _answer(self, request_id: int, result: Json) -> str:
        """A result frame, or an error when it would not fit in one frame: the answer must
        never take the connection down (SerializationError used to escape from here)."""
        try:
            return response_frame(request_id, result)
        except DexError as exc:
            log.warning("answer to server request %d not sendable: %s", request_id, exc)
            return error_frame(request_id, ErrorCode.INTERNAL_ERROR, "answer too large")

    def _handle(self, method: str, params: object) -> tuple[Event, Json]:
        """Verify a server request and build our signed answer. Raises SignatureError
        (code 1) before anything is acted upon if the server's signature is bad."""
        pubkey = self.server_pubkey
        if method == "match":
            matches: tuple[MatchNote, ...] = params  # type: ignore[assignment]
            for m in matches:  # all or nothing: one bad signature rejects the request
                verify_server(pubkey, m.sig, m.payload(), what=f"match {m.matchid.hex()}")
            for m in matches:
                self.active_matches[m.matchid] = m.orderid
            return MatchReceived(matches), None  # answered by answer_matches
        if isinstance(params, AuditParams | RedemptionParams | RevokeMatchParams):
            payload = params.payload()
            verify_server(pubkey, params.sig, payload, what=f"{method} {params.matchid.hex()}")
            ack = MatchAck(matchid=params.matchid, sig=self.sign(payload)).to_json()
            if isinstance(params, AuditParams):
                return AuditReceived(params), ack
            if isinstance(params, RedemptionParams):
                return RedemptionReceived(params), ack
            self.active_matches.pop(params.matchid, None)
            return MatchRevoked(params), ack
        raise ProtocolError(ErrorCode.INTERNAL_ERROR, f"no handler for {method}")

    def _on_notification(self, note: Notification) -> Inbound:
        method = note.method
        if method not in BOOK_NOTES and method not in ("match_data", "suspension"):
            detail = f"unexpected notification {method[:40]!r}"
            return Inbound(
                events=[ProtocolViolation(method[:40], ErrorCode.INVALID_REQUEST, detail)]
            )
        try:
            params = parse_params(method, note.params)
        except ProtocolError as exc:
            log.warning("malformed %s notification: %s", method, exc)
            return Inbound(events=[_violation(method, exc)])
        if isinstance(params, MatchDataNote | SuspensionNote):
            return Inbound(
                events=[
                    self._fairness(params)
                    if isinstance(params, MatchDataNote)
                    else MarketSuspended(params)
                ]
            )
        return self._book_note(params)  # type: ignore[arg-type]

    def _book_note(self, note: BookNote) -> Inbound:
        book = self.books.get(note.marketid)
        if book is None:  # not subscribed (e.g. sent before our unsubscribe arrived)
            return Inbound()
        try:
            delta = book.mirror.apply(note)
        except ResyncRequired as exc:
            log.info("order book %s: %s; re-subscribing", book.market.name, exc)
            return Inbound(resync=note.marketid)
        if delta.status is not ApplyStatus.APPLIED:
            return Inbound()
        return Inbound(events=[BookUpdated(note.marketid, book.market.name, delta)])

    def _fairness(self, data: MatchDataNote) -> FairnessChecked:
        ours = self.epoch_orders.pop((data.marketid, data.epoch), set())
        for key in [k for k in self.epoch_orders if k[0] == data.marketid]:
            if key[1] + EPOCHS_KEPT < data.epoch:
                del self.epoch_orders[key]
        report = check_match_data(data, sorted(ours), marketid=data.marketid, epoch=data.epoch)
        if not report.ok:
            problems = [i.problem.value for i in report.issues]
            log.warning(
                "match_data of market %d epoch %d failed the fairness check: %s",
                data.marketid,
                data.epoch,
                problems,
            )
        return FairnessChecked(report, len(ours))


def _violation(method: str, exc: ProtocolError) -> ProtocolViolation:
    return ProtocolViolation(method[:40], int(exc.code), str(exc))
