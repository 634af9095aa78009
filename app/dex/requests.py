"""Signed client requests (spec §4–§9) and the checks their results must pass. Pure.

Each builder returns a `Call` for `Session.request`: the params, signed with the account key
where the protocol says so, and a `check` that verifies the server's signature on the result
(SignatureError, code 1, otherwise) and updates the session (active matches, our epoch
orders, the outbox). Timestamps are passed in (UNIX ms) so that these stay clock-free.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from app.dex.errors import DexNotReady
from app.dex.outbox import OutboxItem
from app.dex.session import API_VERSION, Call, Session
from dexproto import codec
from dexproto.crypto import pubkey_from_secret
from dexproto.epoch import epoch_index
from dexproto.errors import ErrorCode, ProtocolError, SignatureError
from dexproto.messages import (
    CancelParams,
    ConnectParams,
    ConnectResult,
    FundingCoin,
    InitParams,
    LimitParams,
    MarketInfo,
    MarketParams,
    MatchAck,
    MatchState,
    MatchStatusParams,
    NotifyFeeParams,
    OrderbookParams,
    OrderResult,
    RedeemParams,
    RegisterParams,
    RegisterResult,
    Side,
    SigResult,
    TimeInForce,
    UnsubOrderbookParams,
)
from dexproto.signing import sign_coin, verify_server

log = logging.getLogger(__name__)
_NO_ID, _NO_SIG = bytes(32), bytes(64)  # placeholders until the real ones are computed
# A report the server answers with one of these will never be acked: stop re-sending it.
_FINAL_REPORT_ERRORS = frozenset({ErrorCode.DUPLICATE, ErrorCode.UNKNOWN_MATCH})
# Match statuses at or after the one each report moves the match to (§9 order).
_STATUS_ORDER = (
    "newly_matched",
    "maker_swap_cast",
    "taker_swap_cast",
    "maker_redeemed",
    "match_complete",
)
_RECORDED_FROM = {
    ("maker", "init"): 1,
    ("taker", "init"): 2,
    ("maker", "redeem"): 3,
    ("taker", "redeem"): 4,
}
_SEQUENCE_MESSAGE = re.compile(r"^(maker|taker) (init|redeem) while ([a-z_]+)$")


class Refusal(Protocol):
    """A server's error answer: dexproto's RemoteError inside the session, ServerRejected
    (app/dex/errors.py) once it left the link; the rules below read only these two."""

    @property
    def code(self) -> int: ...

    @property
    def message(self) -> str: ...


def _sequence_gap(method: str, exc: Refusal) -> int | None:
    """For error 13 "<role> <method> while <status>" about this report: how far the server's
    status is from the one this report gives the match (>= 0: there already; -2: the
    counterparty's previous report has not reached the server yet)."""
    if exc.code != ErrorCode.SETTLEMENT_SEQUENCE:
        return None
    found = _SEQUENCE_MESSAGE.match(exc.message)
    if found is None or found.group(2) != method or found.group(3) not in _STATUS_ORDER:
        return None
    return _STATUS_ORDER.index(found.group(3)) - _RECORDED_FROM[(found.group(1), method)]


def already_recorded(method: str, exc: Refusal) -> bool:
    """Whether a refusal of our (re-sent) report only says the server has it already: an
    older server answers a report it recorded with error 13 "<role> <method> while <status>"
    where the match has reached (or passed) the status that report gives it, or, for a
    redeem, "match is finished". Not a problem to show the user; the report is done."""
    if (
        method == "redeem"
        and exc.code == ErrorCode.SETTLEMENT_SEQUENCE
        and exc.message == "match is finished"
    ):
        return True
    gap = _sequence_gap(method, exc)
    return gap is not None and gap >= 0


def reported_early(method: str, exc: Refusal) -> bool:
    """Whether our report reached the server before the counterparty's previous one (we saw
    their step on chain first, e.g. the taker's redeem before the maker reported its own):
    not a problem; it stays queued and goes again when the server relays their step."""
    return _sequence_gap(method, exc) == -2


@dataclass(frozen=True)
class PlacedOrder:
    """An order (or cancel) the server accepted; `sig` is its signed receipt."""

    order_id: bytes
    marketid: int
    epoch: int
    servertime: int
    sig: bytes


def _account(s: Session) -> bytes:
    if s.account_id is None:
        raise DexNotReady("No DEX account key is set yet.")
    return s.account_id


def assets_call(s: Session) -> Call:
    return Call("assets", None, s.accept_config)


def connect_call(s: Session, timestamp: int) -> Call:
    aid = _account(s)
    payload = codec.ConnectPayload(aid, API_VERSION, timestamp)
    params = ConnectParams(
        accountid=aid, apiver=API_VERSION, timestamp=timestamp, sig=s.sign(payload)
    )

    def check(result: ConnectResult) -> ConnectResult:
        verify_server(s.server_pubkey, result.sig, payload, what="connect result")
        s.note_states(result.matches)
        return result

    return Call("connect", params.to_json(), check)


def register_call(s: Session, timestamp: int) -> Call:
    pubkey = s.account_pubkey
    if pubkey is None:
        raise DexNotReady("No DEX account key is set yet.")
    params = RegisterParams(
        pubkey=pubkey, timestamp=timestamp, sig=s.sign(codec.RegisterPayload(pubkey, timestamp))
    )

    def check(result: RegisterResult) -> RegisterResult:
        if result.pubkey != s.server_pubkey:
            raise SignatureError("register result names a server key other than the config's")
        verify_server(s.server_pubkey, result.sig, result.payload(pubkey), what="register")
        return result

    return Call("register", params.to_json(), check)


def notifyfee_call(s: Session, txid: bytes, vout: int, timestamp: int) -> Call:
    aid = _account(s)
    payload = codec.NotifyFeePayload(aid, txid, vout, timestamp)
    params = NotifyFeeParams(
        accountid=aid, txid=txid, vout=vout, timestamp=timestamp, sig=s.sign(payload)
    )

    def check(result: SigResult) -> SigResult:
        verify_server(s.server_pubkey, result.sig, payload, what="notifyfee result")
        return result

    return Call("notifyfee", params.to_json(), check)


def orderbook_call(market: MarketInfo) -> Call:
    return Call("orderbook", OrderbookParams(base=market.base, quote=market.quote).to_json())


def unsub_call(marketid: int) -> Call:
    return Call("unsub_orderbook", UnsubOrderbookParams(marketid=marketid).to_json())


def match_status_call(s: Session, matchids: Sequence[bytes]) -> Call:
    def check(states: tuple[MatchState, ...]) -> tuple[MatchState, ...]:
        s.note_states(states)
        return states

    return Call("match_status", MatchStatusParams(matchids=tuple(matchids)).to_json(), check)


# --- orders (§7) --------------------------------------------------------------------------
def funding_coin(coin_secret: bytes, account_id: bytes, txid: bytes, vout: int) -> FundingCoin:
    """A funding proof for one coin, signed by the coin's own key."""
    return FundingCoin(
        txid=txid,
        vout=vout,
        pubkey=pubkey_from_secret(coin_secret),
        sig=sign_coin(coin_secret, account_id, txid, vout),
    )


def _pair(market: MarketInfo) -> str:
    return f"{market.base.upper()}/{market.quote.upper()}"


OrderParams = LimitParams | MarketParams | CancelParams


def _order_call(s: Session, market: MarketInfo, unsigned: OrderParams) -> tuple[Call, bytes]:
    payload = unsigned.payload(0)
    oid = codec.order_id(payload)
    sig = s.sign(payload)
    if isinstance(unsigned, CancelParams):  # its `orderid` is the target, not its own ID
        params: OrderParams = dataclasses.replace(unsigned, sig=sig)
    else:
        params = dataclasses.replace(unsigned, orderid=oid, sig=sig)

    def check(result: OrderResult) -> PlacedOrder:
        signed = params.payload(result.servertime)
        verify_server(s.server_pubkey, result.sig, signed, what=f"{params.METHOD} result")
        epoch = epoch_index(result.servertime, market.epochlen)
        s.note_order(market.marketid, epoch, oid)  # for the fairness check of that epoch
        return PlacedOrder(oid, market.marketid, epoch, result.servertime, result.sig)

    return Call(params.METHOD, params.to_json(), check), oid


def limit_call(
    s: Session,
    market: MarketInfo,
    *,
    side: Side,
    quantity: int,
    rate: int,
    tif: TimeInForce,
    coins: Sequence[FundingCoin],
    address: str,
    timestamp: int,
) -> tuple[Call, bytes]:
    unsigned = LimitParams(
        accountid=_account(s),
        timestamp=timestamp,
        tradepair=_pair(market),
        side=side,
        ordersize=quantity,
        rate=rate,
        timeinforce=tif,
        utxos=tuple(coins),
        address=address,
        orderid=_NO_ID,
        sig=_NO_SIG,
    )
    return _order_call(s, market, unsigned)


def market_call(
    s: Session,
    market: MarketInfo,
    *,
    side: Side,
    quantity: int,
    coins: Sequence[FundingCoin],
    address: str,
    timestamp: int,
) -> tuple[Call, bytes]:
    unsigned = MarketParams(
        accountid=_account(s),
        timestamp=timestamp,
        tradepair=_pair(market),
        side=side,
        ordersize=quantity,
        utxos=tuple(coins),
        address=address,
        orderid=_NO_ID,
        sig=_NO_SIG,
    )
    return _order_call(s, market, unsigned)


def cancel_call(
    s: Session, market: MarketInfo, target: bytes, timestamp: int
) -> tuple[Call, bytes]:
    unsigned = CancelParams(
        accountid=_account(s),
        timestamp=timestamp,
        tradepair=_pair(market),
        orderid=target,
        sig=_NO_SIG,
    )
    return _order_call(s, market, unsigned)


# --- settlement reports (§9) --------------------------------------------------------------
def init_item(
    s: Session,
    order_id: bytes,
    match_id: bytes,
    txid: bytes,
    vout: int,
    contract: bytes,
    timestamp: int,
) -> OutboxItem:
    payload = codec.InitPayload(order_id, match_id, txid, vout, timestamp, contract)
    params = InitParams(
        orderid=order_id,
        matchid=match_id,
        txid=txid,
        vout=vout,
        contract=contract,
        timestamp=timestamp,
        sig=s.sign(payload),
    )
    return OutboxItem("init", match_id, params.to_json())


def redeem_item(
    s: Session,
    order_id: bytes,
    match_id: bytes,
    txid: bytes,
    vin: int,
    secret: bytes,
    timestamp: int,
) -> OutboxItem:
    payload = codec.RedeemPayload(order_id, match_id, txid, vin, timestamp, secret)
    params = RedeemParams(
        orderid=order_id,
        matchid=match_id,
        txid=txid,
        vin=vin,
        secret=secret,
        timestamp=timestamp,
        sig=s.sign(payload),
    )
    return OutboxItem("redeem", match_id, params.to_json())


def report_call(s: Session, item: OutboxItem) -> Call:
    """Send (or re-send) an outbox item; a validly signed ack removes it from the outbox."""
    kind = InitParams if item.method == "init" else RedeemParams
    payload = kind.from_json(item.params).payload()

    def check(ack: MatchAck) -> MatchAck:
        if ack.matchid != item.matchid:
            raise ProtocolError(ErrorCode.INVALID_PARAMS, f"{item.method} ack for another match")
        verify_server(s.server_pubkey, ack.sig, payload, what=f"{item.method} ack")
        s.outbox.ack(item.method, item.matchid)
        return ack

    def on_error(exc: Refusal) -> None:
        if exc.code in _FINAL_REPORT_ERRORS or already_recorded(item.method, exc):
            log.warning(
                "%s of match %s dropped from the outbox: %s",
                item.method,
                item.matchid.hex()[:16],
                exc,
            )
            s.outbox.ack(item.method, item.matchid)

    return Call(item.method, item.params, check, on_error)
