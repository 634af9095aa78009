"""The client's multi-request exchanges (app/dex/sequences.py) driven by hand: no socket, no
event loop. Each request goes through the real session (its frame out, the scripted
server's signed answer in, the session's check) and what the session does with the answer
is thrown into or sent to the generator, as `DexClient._drive` does."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from app.dex import requests as rq
from app.dex.errors import BadServerAnswer, DexClientError, NotConnected, from_dexproto
from app.dex.events import (
    BookUpdated,
    ClientError,
    Event,
    MatchStatuses,
    ProtocolViolation,
    ServerKeyRefused,
)
from app.dex.outbox import MemoryOutbox
from app.dex.sequences import (
    RESYNC_ATTEMPTS,
    Ask,
    Emit,
    EpochBounds,
    Exchange,
    Finished,
    advance,
    ask,
    load_book,
    post_connect,
    resend_for,
    resync_book,
)
from app.dex.session import Session
from dexproto.errors import ErrorCode, RemoteError
from dexproto.messages import ConfigResult, ConnectResult
from tests.fakes.dex_server import ACCOUNT, MATCH_ID, ORDER_ID, FakeServer, book_order, config

T = TypeVar("T")
URL = "wss://dex.example:7232"
OTHER_MATCH = bytes([0xC3]) * 32
LOST = object()  # a handler's answer meaning: the connection dropped before any answer


class Shell:
    """Plays the I/O shell synchronously over a session and a scripted server."""

    def __init__(self, session: Session, server: FakeServer) -> None:
        self.session = session
        self.server = server
        self.methods: list[str] = []
        self.events: list[Event] = []
        self.bounds: list[EpochBounds] = []
        self.now = 1_000

    def clock_ms(self) -> int:
        self.now += 10
        return self.now

    def run(self, exchange: Exchange[T]) -> T:
        step = advance(exchange)
        while not isinstance(step, Finished):
            reply: object = None
            error: DexClientError | None = None
            if isinstance(step, Ask):
                reply, error = self._answer(step)
            elif isinstance(step, Emit):
                self.events.append(step.event)
            else:
                self.bounds.append(step)
            step = advance(exchange, reply, error)
        return step.value

    def _answer(self, step: Ask) -> tuple[object, DexClientError | None]:
        request_id, frame = self.session.request(step.call, deadline=10**9)
        msg = json.loads(frame)
        self.methods.append(msg["method"])
        out: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
        try:
            result = self.server.handlers[msg["method"]](msg["params"])
        except RemoteError as exc:
            out.update(result=None, error={"code": exc.code, "message": exc.message})
        else:
            if result is LOST:
                self.session.pending.pop(request_id)
                return None, NotConnected(f"connection lost during {msg['method']}")
            out.update(result=result, error=None)
        inbound = self.session.receive(json.dumps(out))
        self.events.extend(inbound.events)
        resolved = inbound.resolved
        assert resolved is not None and resolved.id == request_id
        if resolved.error is not None:
            return None, from_dexproto(msg["method"], resolved.error)
        assert isinstance(resolved.result, step.kind)
        return resolved.result, None

    def of(self, kind: type[T]) -> list[T]:
        return [e for e in self.events if isinstance(e, kind)]


def refuse(code: int, message: str) -> Callable[[Any], Any]:
    def handler(params: Any) -> Any:
        raise RemoteError(code, message)

    return handler


def two_markets() -> dict[str, Any]:
    cfg = config()
    cfg["markets"].append(
        {"name": "btc_ltc", "base": "btc", "quote": "ltc", "marketid": 1, "epochlen": 60000}
    )
    return cfg


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


def connected(server: FakeServer, *markets: int, account: bool = True) -> Shell:
    """A session after a first `assets`, subscribed to `markets`, its requests cleared: the
    state in which a reconnect runs the post-connect sequence."""
    session = Session(account_secret=ACCOUNT if account else None, outbox=MemoryOutbox(), url=URL)
    shell = Shell(session, server)
    shell.run(ask(rq.assets_call(session), ConfigResult))
    assert session.config is not None
    for market in session.config.markets:
        if market.marketid in markets:
            session.add_book(market)
    shell.methods.clear()
    return shell


def queue_init(session: Session, matchid: bytes = MATCH_ID) -> None:
    item = rq.init_item(session, ORDER_ID, matchid, bytes([4]) * 32, 0, b"\x63" * 97, 5)
    session.outbox.add(item)


def test_post_connect_runs_in_order_and_feeds_the_clock(server: FakeServer) -> None:
    shell = connected(server, 0)
    queue_init(shell.session)
    shell.session.track_matches([(MATCH_ID, ORDER_ID)])

    account = shell.run(post_connect(shell.session, shell.clock_ms))

    assert isinstance(account, ConnectResult) and account.startepoch == 1
    assert shell.methods == ["assets", "connect", "orderbook", "init", "match_status"]
    assert shell.session.outbox.pending() == []  # the signed ack removed the report
    assert [b.epoch for b in shell.bounds] == [1, 1]  # connect's startepoch, the snapshot's
    connect_bound = shell.bounds[0]
    assert connect_bound.epochlen == 60000 and connect_bound.sent_ms < connect_bound.received_ms
    assert [e.marketid for e in shell.of(BookUpdated)] == [0]
    assert shell.of(MatchStatuses) == [MatchStatuses(())]
    assert shell.of(ClientError) == []


def test_a_report_queued_while_match_status_was_in_flight_still_goes_out(
    server: FakeServer,
) -> None:
    shell = connected(server)
    queue_init(shell.session)
    shell.session.track_matches([(MATCH_ID, ORDER_ID)])

    def status_while_a_report_is_queued(params: Any) -> Any:
        queue_init(shell.session, OTHER_MATCH)
        return []

    server.handlers["match_status"] = status_while_a_report_is_queued
    shell.run(post_connect(shell.session, shell.clock_ms))

    assert shell.methods == ["assets", "connect", "init", "match_status", "init"]
    assert shell.session.outbox.pending() == []


def test_a_refused_connect_keeps_the_feed_and_holds_back_every_report(
    server: FakeServer,
) -> None:
    shell = connected(server, 0)
    queue_init(shell.session)
    shell.session.track_matches([(MATCH_ID, ORDER_ID)])
    server.handlers["connect"] = refuse(ErrorCode.FEE_NOT_PAID, "registration fee not paid")

    assert shell.run(post_connect(shell.session, shell.clock_ms)) is None

    assert shell.methods == ["assets", "connect", "orderbook"]
    (error,) = shell.of(ClientError)
    assert error.code == ErrorCode.FEE_NOT_PAID and "registration fee" in error.detail
    assert len(shell.session.outbox.pending()) == 1  # kept for the next connection
    assert [e.marketid for e in shell.of(BookUpdated)] == [0]


def test_without_an_account_only_the_feed_is_loaded(server: FakeServer) -> None:
    shell = connected(server, 0, account=False)
    assert shell.run(post_connect(shell.session, shell.clock_ms)) is None
    assert shell.methods == ["assets", "orderbook"]


def test_one_refused_market_does_not_block_the_others(server: FakeServer) -> None:
    server.handlers["assets"] = lambda p: two_markets()

    def orderbook(params: Any) -> Any:
        if params["base"] == "ltc":
            raise RemoteError(ErrorCode.MARKET_SUSPENDED, "market suspended")
        return {"book": {"marketid": 1, "epoch": 3, "orders": []}, "seq": 2}

    server.handlers["orderbook"] = orderbook
    shell = connected(server, 0, 1)

    shell.run(post_connect(shell.session, shell.clock_ms))

    assert shell.methods == ["assets", "connect", "orderbook", "orderbook"]
    (error,) = shell.of(ClientError)
    assert error.detail.startswith("orderbook 0:")
    assert [e.marketid for e in shell.of(BookUpdated)] == [1]
    assert shell.session.books[1].mirror.synced and not shell.session.books[0].mirror.synced


@pytest.mark.parametrize(
    ("message", "shown", "kept"),
    [
        ("maker init while maker_swap_cast", False, False),  # the server has it already
        ("taker init while newly_matched", False, True),  # before the maker's: sent again later
    ],
)
def test_settlement_sequence_refusals_of_a_resent_report_are_quiet(
    server: FakeServer, message: str, shown: bool, kept: bool
) -> None:
    shell = connected(server)
    queue_init(shell.session)
    server.handlers["init"] = refuse(ErrorCode.SETTLEMENT_SEQUENCE, message)

    shell.run(post_connect(shell.session, shell.clock_ms))

    assert bool(shell.of(ClientError)) is shown
    assert bool(shell.session.outbox.pending()) is kept
    assert shell.methods.count("init") == 1  # once per connection, not in a loop


def test_any_other_refusal_of_a_resent_report_is_shown_and_kept(server: FakeServer) -> None:
    shell = connected(server)
    queue_init(shell.session)
    server.handlers["init"] = refuse(ErrorCode.CONTRACT_INVALID, "contract does not match")

    shell.run(post_connect(shell.session, shell.clock_ms))

    (error,) = shell.of(ClientError)
    assert error.detail.startswith("init re-send:") and "contract does not match" in error.detail
    assert len(shell.session.outbox.pending()) == 1


def test_a_lost_connection_ends_the_sequence(server: FakeServer) -> None:
    shell = connected(server, 0)
    queue_init(shell.session)
    server.handlers["orderbook"] = lambda p: LOST

    with pytest.raises(NotConnected):
        shell.run(post_connect(shell.session, shell.clock_ms))

    assert shell.methods == ["assets", "connect", "orderbook"]  # no report sent after it
    assert len(shell.session.outbox.pending()) == 1


def test_a_changed_server_key_is_refused_before_connect(server: FakeServer) -> None:
    shell = connected(server)
    pinned = bytes([9]) * 32
    shell.session.pinned_key = lambda: pinned
    old_config = shell.session.config

    with pytest.raises(BadServerAnswer):
        shell.run(post_connect(shell.session, shell.clock_ms))

    assert shell.methods == ["assets"]  # nothing signed under the new key is asked for
    (refused,) = shell.of(ServerKeyRefused)
    assert refused.url == URL and refused.pinned == pinned
    assert refused.offered != pinned
    assert shell.of(ProtocolViolation) == []  # a key we distrust, not a broken protocol
    assert shell.session.config is old_config


def test_resync_gives_up_after_a_few_contradicting_snapshots(server: FakeServer) -> None:
    shell = connected(server, 0)
    server.snapshot_orders = [book_order(1), book_order(1)]  # the same order twice

    shell.run(resync_book(shell.session, 0, shell.clock_ms))

    assert shell.methods == ["unsub_orderbook", "orderbook"] * RESYNC_ATTEMPTS
    assert len(shell.of(ProtocolViolation)) == RESYNC_ATTEMPTS
    (error,) = shell.of(ClientError)
    assert error.message == "order book out of date"
    assert not shell.session.books[0].mirror.synced


def test_resync_stops_at_the_first_good_snapshot(server: FakeServer) -> None:
    shell = connected(server, 0)
    server.handlers["unsub_orderbook"] = refuse(ErrorCode.UNKNOWN_MARKET, "not subscribed")

    shell.run(resync_book(shell.session, 0, shell.clock_ms))

    assert shell.methods == ["unsub_orderbook", "orderbook"]
    assert shell.of(ClientError) == [] and shell.session.books[0].mirror.synced


def test_a_snapshot_of_an_unsubscribed_market_asks_nothing(server: FakeServer) -> None:
    shell = connected(server)
    shell.run(load_book(shell.session, 0, shell.clock_ms))
    assert shell.methods == [] and shell.events == []


def test_resend_for_a_match_sends_only_its_reports(server: FakeServer) -> None:
    shell = connected(server)
    queue_init(shell.session)
    queue_init(shell.session, OTHER_MATCH)

    shell.run(resend_for(shell.session, OTHER_MATCH))

    assert shell.methods == ["init"]
    assert [i.matchid for i in shell.session.outbox.pending()] == [MATCH_ID]
