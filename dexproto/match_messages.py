"""Match and settlement messages (spec §9). Re-exported by messages.py."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from dexproto import codec
from dexproto._wire import (
    ADDRESS,
    CONTRACT,
    H32,
    POS,
    SIG,
    U32,
    U64,
    Choice,
    ListOf,
    Opt,
    WireModel,
    invalid,
)


class MatchSide(StrEnum):
    MAKER = "maker"
    TAKER = "taker"


class MatchStatus(StrEnum):
    """Settlement state reported by `connect` and `match_status` [our decision, docs/]."""

    NEWLY_MATCHED = "newly_matched"
    MAKER_SWAP_CAST = "maker_swap_cast"
    TAKER_SWAP_CAST = "taker_swap_cast"
    MAKER_REDEEMED = "maker_redeemed"
    MATCH_COMPLETE = "match_complete"
    REVOKED = "revoked"


_ROLE_BYTE = {MatchSide.MAKER: codec.RoleByte.MAKER, MatchSide.TAKER: codec.RoleByte.TAKER}


@dataclass(frozen=True, kw_only=True)
class MatchNote(WireModel):
    """One entry of the server's `match` request (params are a list of these)."""

    METHOD = "match"
    orderid: Annotated[bytes, H32]
    matchid: Annotated[bytes, H32]
    quantity: Annotated[int, POS]
    rate: Annotated[int, POS]
    address: Annotated[str, ADDRESS]
    side: Annotated[MatchSide, Choice(MatchSide)]
    feerate: Annotated[int, U64]
    servertime: Annotated[int, U64]
    sig: Annotated[bytes, SIG]

    def payload(self) -> codec.MatchPayload:
        return codec.MatchPayload(
            self.orderid,
            self.matchid,
            self.quantity,
            self.rate,
            self.servertime,
            self.feerate,
            _ROLE_BYTE[self.side],
            self.address,
        )


@dataclass(frozen=True, kw_only=True)
class MatchAck(WireModel):
    """Answer to match/audit/redemption/revoke_match, and the result of init/redeem:
    the sender's signature over the same serialization."""

    matchid: Annotated[bytes, H32]
    sig: Annotated[bytes, SIG]


@dataclass(frozen=True, kw_only=True)
class MatchState(WireModel):
    """A match as `connect` / `match_status` report it; counterparty data when known."""

    orderid: Annotated[bytes, H32]
    matchid: Annotated[bytes, H32]
    quantity: Annotated[int, POS]
    rate: Annotated[int, POS]
    address: Annotated[str, ADDRESS]
    side: Annotated[MatchSide, Choice(MatchSide)]
    feerate: Annotated[int, U64]
    servertime: Annotated[int, U64]
    status: Annotated[MatchStatus, Choice(MatchStatus)]
    contract: Annotated[bytes | None, Opt(CONTRACT)] = None
    txid: Annotated[bytes | None, Opt(H32)] = None
    vout: Annotated[int | None, Opt(U32)] = None
    secret: Annotated[bytes | None, Opt(H32)] = None

    def check(self, path: str) -> None:
        if (self.txid is None) != (self.vout is None):
            raise invalid(path, "txid and vout come together")


@dataclass(frozen=True, kw_only=True)
class InitParams(WireModel):
    METHOD = "init"
    orderid: Annotated[bytes, H32]
    matchid: Annotated[bytes, H32]
    txid: Annotated[bytes, H32]
    vout: Annotated[int, U32]
    contract: Annotated[bytes, CONTRACT]
    timestamp: Annotated[int, U64]
    sig: Annotated[bytes, SIG]

    def payload(self) -> codec.InitPayload:
        return codec.InitPayload(
            self.orderid, self.matchid, self.txid, self.vout, self.timestamp, self.contract
        )


class AuditParams(InitParams):
    """Server relay of the counterparty's init; `orderid` is the recipient's own order and
    `sig` the server's signature [decision, docs/protocol.md]."""

    METHOD = "audit"


@dataclass(frozen=True, kw_only=True)
class RedeemParams(WireModel):
    METHOD = "redeem"
    orderid: Annotated[bytes, H32]
    matchid: Annotated[bytes, H32]
    txid: Annotated[bytes, H32]
    vin: Annotated[int, U32]
    secret: Annotated[bytes, H32]
    timestamp: Annotated[int, U64]
    sig: Annotated[bytes, SIG]

    def payload(self) -> codec.RedeemPayload:
        return codec.RedeemPayload(
            self.orderid, self.matchid, self.txid, self.vin, self.timestamp, self.secret
        )


class RedemptionParams(RedeemParams):
    METHOD = "redemption"


@dataclass(frozen=True, kw_only=True)
class RevokeMatchParams(WireModel):
    METHOD = "revoke_match"
    orderid: Annotated[bytes, H32]
    matchid: Annotated[bytes, H32]
    sig: Annotated[bytes, SIG]

    def payload(self) -> codec.RevokePayload:
        return codec.RevokePayload(self.orderid, self.matchid)


@dataclass(frozen=True, kw_only=True)
class MatchStatusParams(WireModel):
    METHOD = "match_status"
    matchids: Annotated[tuple[bytes, ...], ListOf(H32, min_items=1)]
