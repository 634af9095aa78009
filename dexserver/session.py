"""One client connection's protocol state, without I/O: a frame in, one plain value out.

`ServerSession.receive(frame, now)` decides what the connection does with a frame: answer it at
once (a rate-limit or parse error), run a request's handler, resolve one of our own requests
to the client, ignore it, or close the connection on a client that keeps flooding. The clock
is passed in, so the limits are tested without waiting; `rpcserver.Connection` is the asyncio
shell that acts on the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from dexproto import jsonrpc
from dexproto.errors import ErrorCode, ProtocolError

FLOOD_CLOSE = 200  # consecutive rate-limited frames before the connection is closed


class TokenBucket:
    """`rate` frames a second on average, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.last = now

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass(frozen=True)
class Answer:
    """Send this frame back now (the frame was refused before any handler ran)."""

    frame: str


@dataclass(frozen=True)
class Call:
    """Run the handler of this request and send its result."""

    request: jsonrpc.Request


@dataclass(frozen=True)
class Resolve:
    """The client's answer to one of our requests."""

    response: jsonrpc.Response


@dataclass(frozen=True)
class Ignore:
    """A notification: clients send none, and one is not worth an answer."""


@dataclass(frozen=True)
class Close:
    code: int
    reason: str


Incoming = Answer | Call | Resolve | Ignore | Close


class ServerSession:
    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.bucket = TokenBucket(rate, burst, now)
        self.limited = 0  # rate-limited frames in a row
        self.account: bytes | None = None  # set once the client has authenticated

    def receive(self, frame: str | bytes, now: float) -> Incoming:
        if not self.bucket.take(now):
            self.limited += 1
            if self.limited > FLOOD_CLOSE:
                return Close(1008, "rate limit")
            return Answer(
                jsonrpc.error_frame(_peek_id(frame), ErrorCode.RATE_LIMITED, "rate limited")
            )
        self.limited = 0
        try:
            msg = jsonrpc.parse_frame(frame)
        except ProtocolError as exc:
            return Answer(jsonrpc.error_frame_for(exc))
        if isinstance(msg, jsonrpc.Response):
            return Resolve(msg)
        if isinstance(msg, jsonrpc.Notification):
            return Ignore()
        return Call(msg)


def _peek_id(frame: str | bytes) -> int | None:
    """The id of a frame we refuse unread, so the client can match the refusal."""
    try:
        msg = jsonrpc.parse_frame(frame)
    except ProtocolError as exc:
        return exc.request_id
    return msg.id if isinstance(msg, jsonrpc.Request) else None
