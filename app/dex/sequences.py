"""The client's multi-request exchanges, sans I/O: the post-connect sequence, loading and
re-subscribing a book, re-sending queued reports.

Each is a generator over the session (rule 4): it yields steps as data and the shell
(`DexClient._drive` in app/dex/client.py) performs them. For an `Ask` the shell sends the
request and hands back the checked result with `send()`, or throws the request's error
(app/dex/errors.py) into the generator, which handles what it expects (a server refusal)
and lets the rest end the exchange (a lost connection drops it and the link retries). The
other steps (`Emit`, `EpochBounds`) are effects the shell applies before resuming. So the
whole sequence, refusals included, is tested by driving the generator with scripted
answers: no sockets, no event loop (tests/unit/test_dex_sequences.py).

The clock (`clock_ms`) is passed in: signed requests carry our time, and the send/receive
times of a request bound the server's clock (app/dex/server_clock.py).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from contextlib import suppress
from dataclasses import dataclass
from typing import Generic, TypeVar

from app.dex import requests as rq
from app.dex.errors import ServerRejected
from app.dex.events import ClientError, Event, MatchStatuses
from app.dex.session import Call, Session
from dexproto.messages import ConfigResult, ConnectResult, MatchAck, MatchState, OrderbookResult

T = TypeVar("T")
Clock = Callable[[], int]
RESYNC_ATTEMPTS = 3


@dataclass(frozen=True)
class Ask:
    """Send `call`; its result must be a `kind` (the shell checks, as `Link._request`)."""

    call: Call
    kind: type[object]


@dataclass(frozen=True)
class Emit:
    """Hand `event` to the app."""

    event: Event


@dataclass(frozen=True)
class EpochBounds:
    """The server said it is in `epoch` between `sent_ms` and `received_ms` (our clock)."""

    epoch: int
    epochlen: int
    sent_ms: int
    received_ms: int


Step = Ask | Emit | EpochBounds
Exchange = Generator[Step, object, T]


@dataclass(frozen=True)
class Finished(Generic[T]):
    """The exchange ended with `value`."""

    value: T


def advance(
    exchange: Exchange[T], reply: object = None, error: BaseException | None = None
) -> Step | Finished[T]:
    """Resume `exchange` with the outcome of its last step (`reply`, or `error` thrown into
    it; both None to start it): its next step, or how it ended. What it does not handle of
    `error` is raised here."""
    try:
        return exchange.send(reply) if error is None else exchange.throw(error)
    except StopIteration as done:
        return Finished(done.value)


def ask(call: Call, kind: type[T]) -> Exchange[T]:
    value = yield Ask(call, kind)
    if not isinstance(value, kind):  # the shell's bug, not the server's: it checks first
        raise TypeError(f"{call.method} answered with {type(value).__name__}, not {kind}")
    return value


def post_connect(s: Session, clock_ms: Clock) -> Exchange[ConnectResult | None]:
    """Run after every (re)connect: `assets` (API 1, the pinned key), `connect` when an
    account key is set, a fresh snapshot of every subscribed book, the re-send of every
    unacknowledged report, `match_status` for the matches still active, and the re-send of
    what was queued meanwhile. Returns the `connect` result (None without an account, or
    when the server refused it: the feed still works)."""
    yield from ask(rq.assets_call(s), ConfigResult)
    account: ConnectResult | None = None
    if s.has_account:
        try:
            sent = clock_ms()
            account = yield from ask(rq.connect_call(s, sent), ConnectResult)
            if s.config is not None:
                yield EpochBounds(account.startepoch, s.config.epochlen, sent, clock_ms())
        except ServerRejected as exc:  # e.g. fee not confirmed yet
            yield Emit(ClientError(exc.user_message, exc.detail, exc.code))
    for marketid in list(s.books):
        try:
            yield from load_book(s, marketid, clock_ms)
        except ServerRejected as exc:  # one refused market must not block the others
            yield Emit(ClientError(exc.user_message, f"orderbook {marketid}: {exc.detail}"))
    if account is None:
        return None
    sent_now: set[tuple[str, bytes]] = set()
    yield from resend_reports(s, sent_now)
    if s.active_matches:
        states = yield from ask(rq.match_status_call(s, list(s.active_matches)), tuple)
        yield Emit(MatchStatuses(tuple(m for m in states if isinstance(m, MatchState))))
    # A report queued while these requests were in flight found the link not ready and
    # was only stored: send it now. The shell sets the link ready right after this
    # generator ends, with nothing awaited in between, so every report goes out here or
    # directly from `DexClient._report`.
    yield from resend_reports(s, sent_now)
    return account


def load_book(s: Session, marketid: int, clock_ms: Clock) -> Exchange[None]:
    """A fresh snapshot of a subscribed book (notifications are buffered until it comes)."""
    book = s.books.get(marketid)
    if book is None:
        return
    book.mirror.reset()
    sent = clock_ms()
    result = yield from ask(rq.orderbook_call(book.market), OrderbookResult)
    yield EpochBounds(result.book.epoch, book.market.epochlen, sent, clock_ms())
    for event in s.load_snapshot(marketid, result):
        yield Emit(event)


def resync_book(s: Session, marketid: int, clock_ms: Clock) -> Exchange[None]:
    """Re-subscribe after a seq gap or an inconsistent notification (§6), a few times."""
    for _ in range(RESYNC_ATTEMPTS):
        with suppress(ServerRejected):  # not subscribed any more on the server: fine
            yield from ask(rq.unsub_call(marketid), object)
        yield from load_book(s, marketid, clock_ms)
        book = s.books.get(marketid)
        if book is None or book.mirror.synced:
            return
    yield Emit(ClientError("order book out of date", f"market {marketid}: resync failed"))


def resend_reports(s: Session, sent: set[tuple[str, bytes]]) -> Exchange[None]:
    """Send every outbox item not sent yet on this connection (`sent`), until none is left.
    A refused one stays queued for the next reconnect, unless retrying cannot help."""
    while items := [i for i in s.outbox.pending() if (i.method, i.matchid) not in sent]:
        for item in items:
            sent.add((item.method, item.matchid))
            yield from _resend(rq.report_call(s, item), item.method)


def resend_for(s: Session, matchid: bytes) -> Exchange[None]:
    """The server relayed the counterparty's step of `matchid`: a report of ours it
    refused as early can be accepted now."""
    for item in [i for i in s.outbox.pending() if i.matchid == matchid]:
        yield from _resend(rq.report_call(s, item), item.method)


def _resend(call: Call, method: str) -> Exchange[None]:
    try:
        yield from ask(call, MatchAck)
    except ServerRejected as exc:
        if not quiet_refusal(method, exc):
            yield Emit(ClientError(exc.user_message, f"{method} re-send: {exc.detail}"))


def quiet_refusal(method: str, exc: ServerRejected) -> bool:
    """A refused report that is no problem for the user: the server has it already, or it
    came before the counterparty's (it is sent again when the server relays theirs)."""
    return rq.already_recorded(method, exc) or rq.reported_early(method, exc)
