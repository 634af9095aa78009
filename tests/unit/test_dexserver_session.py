"""The server's per-connection session without sockets or waiting: what each frame becomes
(answer now, call a handler, resolve our request, ignore, close), and the rate limit on a
clock the test moves."""

from __future__ import annotations

import json

from dexproto import jsonrpc
from dexproto.errors import ErrorCode
from dexserver.session import (
    FLOOD_CLOSE,
    Answer,
    Call,
    Close,
    Ignore,
    Resolve,
    ServerSession,
)

PING = jsonrpc.request_frame("ping", None, 7)


def test_each_kind_of_frame_has_its_outcome() -> None:
    session = ServerSession(rate=100, burst=10, now=0.0)
    call = session.receive(PING, 0.0)
    assert isinstance(call, Call) and (call.request.method, call.request.id) == ("ping", 7)
    answer = session.receive(jsonrpc.response_frame(3, {"ok": True}), 0.0)
    assert isinstance(answer, Resolve) and answer.response.id == 3
    assert isinstance(session.receive(jsonrpc.notification_frame("x", {}), 0.0), Ignore)
    bad = session.receive("{not json", 0.0)
    assert isinstance(bad, Answer)
    assert json.loads(bad.frame)["error"]["code"] == ErrorCode.PARSE_ERROR


def test_a_burst_over_the_limit_is_answered_with_its_id_then_refills() -> None:
    session = ServerSession(rate=2, burst=3, now=0.0)
    assert all(isinstance(session.receive(PING, 0.0), Call) for _ in range(3))
    limited = session.receive(PING, 0.0)
    assert isinstance(limited, Answer)
    error = json.loads(limited.frame)
    assert (error["id"], error["error"]["code"]) == (7, ErrorCode.RATE_LIMITED)
    assert isinstance(session.receive(PING, 0.4), Answer)  # 0.8 of a token: not yet
    assert isinstance(session.receive(PING, 0.5), Call)  # one token back after half a second
    assert session.limited == 0


def test_a_client_that_keeps_flooding_is_closed() -> None:
    session = ServerSession(rate=1, burst=1, now=0.0)
    assert isinstance(session.receive(PING, 0.0), Call)
    outcomes = [session.receive(PING, 0.0) for _ in range(FLOOD_CLOSE + 1)]
    assert all(isinstance(o, Answer) for o in outcomes[:-1])
    assert outcomes[-1] == Close(1008, "rate limit")


def test_a_clock_that_steps_back_grants_no_tokens() -> None:
    session = ServerSession(rate=10, burst=1, now=100.0)
    assert isinstance(session.receive(PING, 100.0), Call)
    assert isinstance(session.receive(PING, 50.0), Answer)  # no refill from a negative interval
