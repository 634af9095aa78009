"""Typed events the DEX client reports to the rest of the app (no Qt: app/ui adapts them).

Every event is a frozen dataclass. Server requests that the app must act on (`match`,
`audit`, `redemption`, `revoke_match`) arrive here only after their server signature checked
out; a bad one becomes a `ProtocolViolation` instead and is never passed on as data.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.dex.orderbook import BookDelta
from dexproto.fairness import FairnessReport
from dexproto.messages import (
    AuditParams,
    ConfigResult,
    ConnectResult,
    MatchNote,
    MatchState,
    RedemptionParams,
    RevokeMatchParams,
    SuspensionNote,
)


@dataclass(frozen=True)
class Connected:
    """The post-connect sequence finished: config fetched, account connected (when set),
    books re-subscribed, unacknowledged reports re-sent."""

    url: str
    config: ConfigResult
    account: ConnectResult | None  # None without an account or when `connect` failed


@dataclass(frozen=True)
class Disconnected:
    reason: str
    retry_in: float | None  # seconds until the next attempt; None once closed for good


@dataclass(frozen=True)
class BookUpdated:
    """`delta` is None when the whole book was (re)loaded from a snapshot."""

    marketid: int
    market: str
    delta: BookDelta | None


@dataclass(frozen=True)
class MatchReceived:
    matches: tuple[MatchNote, ...]


@dataclass(frozen=True)
class AuditReceived:
    audit: AuditParams


@dataclass(frozen=True)
class RedemptionReceived:
    redemption: RedemptionParams


@dataclass(frozen=True)
class MatchRevoked:
    revoke: RevokeMatchParams


@dataclass(frozen=True)
class MatchStatuses:
    """The server's view of our active matches, fetched after every (re)connect."""

    states: tuple[MatchState, ...]


@dataclass(frozen=True)
class FairnessChecked:
    report: FairnessReport
    our_orders: int  # how many of our orders were in that epoch


@dataclass(frozen=True)
class MarketSuspended:
    suspension: SuspensionNote


@dataclass(frozen=True)
class ProtocolViolation:
    """The server broke the protocol (bad signature, malformed message, ...). The message
    was rejected; `code` is the §2 code we answered with, when we answered."""

    method: str
    code: int
    detail: str


@dataclass(frozen=True)
class ServerKeyRefused:
    """`assets` named another server key than the pinned one: the connection is dropped
    before `connect` (and retried), so nothing signed by the new key is taken."""

    url: str
    pinned: bytes
    offered: bytes


@dataclass(frozen=True)
class ClientError:
    """Something failed that the user may want to know about (`message` is UI text)."""

    message: str
    detail: str
    code: int | None = None  # the server's error code, when the server refused a request


Event = (
    Connected
    | Disconnected
    | BookUpdated
    | MatchReceived
    | AuditReceived
    | RedemptionReceived
    | MatchRevoked
    | MatchStatuses
    | FairnessChecked
    | MarketSuspended
    | ProtocolViolation
    | ClientError
    | ServerKeyRefused
)
