"""In-process settlement messages, mirroring the fields of protocol §9.

The engine emits InitReport / RedeemReport (our `init` / `redeem`) through its `send` callback
and consumes CounterpartyInit / CounterpartyRedeem (the server's `audit` / `redemption`)
through `SwapEngine.deliver`. Signing and the wire format belong to app.dex; these carry only
what settlement needs. It also defines the typed events the engine reports to the UI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.swap.states import Stage


@dataclass(frozen=True)
class InitReport:
    """Our contract is funded (§9 `init`)."""

    order_id: str
    match_id: str
    txid: str
    vout: int
    contract: bytes
    timestamp: int  # ms


@dataclass(frozen=True)
class RedeemReport:
    """We redeemed the counterparty's contract (§9 `redeem`); the secret is public now."""

    order_id: str
    match_id: str
    txid: str
    vin: int
    secret: bytes = field(repr=False)
    timestamp: int = 0


@dataclass(frozen=True)
class CounterpartyInit:
    """The counterparty funded its contract (§9 `audit` request)."""

    order_id: str
    match_id: str
    txid: str
    vout: int
    contract: bytes
    timestamp: int


@dataclass(frozen=True)
class CounterpartyRedeem:
    """The counterparty redeemed our contract (§9 `redemption` request)."""

    order_id: str
    match_id: str
    txid: str
    vin: int
    secret: bytes = field(repr=False)
    timestamp: int = 0


OutgoingMessage = InitReport | RedeemReport
IncomingMessage = CounterpartyInit | CounterpartyRedeem


def as_incoming(msg: OutgoingMessage) -> IncomingMessage:
    """What the counterparty receives for our report (the server relays it unchanged)."""
    if isinstance(msg, InitReport):
        return CounterpartyInit(
            msg.order_id, msg.match_id, msg.txid, msg.vout, msg.contract, msg.timestamp
        )
    return CounterpartyRedeem(
        msg.order_id, msg.match_id, msg.txid, msg.vin, msg.secret, msg.timestamp
    )


# -- events for the UI --------------------------------------------------------------------------
@dataclass(frozen=True)
class SwapStateChanged:
    match_id: str
    old: Stage
    new: Stage
    detail: str  # a short description without secrets


@dataclass(frozen=True)
class SwapProblem:
    """A recoverable problem (node unreachable, broadcast refused); the engine keeps trying."""

    match_id: str
    message: str


SwapEvent = SwapStateChanged | SwapProblem
