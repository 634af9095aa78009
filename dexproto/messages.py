"""Typed params and results of every protocol message (spec §4–§11).

Each class is a frozen dataclass with a strict `from_json(obj)` (ProtocolError -32602 naming
the offending field) and `to_json()`. Field names are the wire names. Classes whose content is
signed have `payload()`, the dexproto.codec object whose bytes the signature covers.
`parse_params(method, params)` / `parse_result(method, result)` dispatch by method name.
The `trades`/`candles` results (§6, chart data) are parsed by dexproto/marketdata.py,
where their shapes live; a malformed item is a protocol violation all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from dexproto import codec
from dexproto._wire import (
    ADDRESS,
    H32,
    POS,
    PUB33,
    SIG,
    TICKER,
    U16,
    U32,
    U64,
    Choice,
    Json,
    ListOf,
    Obj,
    Opt,
    Text,
    WireModel,
    describe,
    invalid,
)
from dexproto.assets import Network
from dexproto.errors import ErrorCode, ProtocolError
from dexproto.feed_messages import (
    AddLimitNote,
    AddOrderNote,
    BookNote,
    BookOrder,
    BookOrderType,
    BookSide,
    BookSnapshot,
    BookTif,
    MatchDataNote,
    OrderbookParams,
    OrderbookResult,
    RemoveOrderNote,
    SuspensionNote,
    UnsubOrderbookParams,
    UpdateRemainingNote,
)
from dexproto.marketdata import MarketDataError, parse_candles, parse_trades
from dexproto.match_messages import (
    AuditParams,
    InitParams,
    MatchAck,
    MatchNote,
    MatchSide,
    MatchState,
    MatchStatus,
    MatchStatusParams,
    RedeemParams,
    RedemptionParams,
    RevokeMatchParams,
)

__all__ = [  # the feed and settlement classes are re-exported from here
    "AddLimitNote",
    "AddOrderNote",
    "AssetInfo",
    "AuditParams",
    "BookNote",
    "BookOrder",
    "BookOrderType",
    "BookSide",
    "BookSnapshot",
    "BookTif",
    "CancelParams",
    "ConfigResult",
    "ConnectParams",
    "ConnectResult",
    "FundingCoin",
    "InitParams",
    "LimitParams",
    "LockTimes",
    "MarketInfo",
    "MarketParams",
    "MatchAck",
    "MatchDataNote",
    "MatchNote",
    "MatchSide",
    "MatchState",
    "MatchStatus",
    "MatchStatusParams",
    "NotifyFeeParams",
    "OrderResult",
    "OrderbookParams",
    "OrderbookResult",
    "RedeemParams",
    "RedemptionParams",
    "RegFee",
    "RegisterParams",
    "RegisterResult",
    "RemoveOrderNote",
    "RevokeMatchParams",
    "Side",
    "SigResult",
    "SuspensionNote",
    "TimeInForce",
    "UnsubOrderbookParams",
    "UpdateRemainingNote",
    "parse_params",
    "parse_result",
    "split_pair",
]

TRADEPAIR = Text(r"[A-Z0-9]{1,5}/[A-Z0-9]{1,5}", 'a trade pair like "LTC/BTC"')
SCRIPTS = ListOf(Text(r"[A-Z0-9]{1,16}", "a script type"), min_items=1)
MARKET_NAME = Text(r"[a-z0-9]{1,5}_[a-z0-9]{1,5}", 'a market name like "ltc_btc"')
DECIMAL = Text(r"[0-9]{1,9}(\.[0-9]{1,8})?", 'a decimal string like "1.25"')


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class TimeInForce(StrEnum):
    STANDING = "standing"
    IMMEDIATE = "immediate"


_SIDE_BYTE = {Side.BUY: codec.SideByte.BUY, Side.SELL: codec.SideByte.SELL}
_TIF_BYTE = {
    TimeInForce.STANDING: codec.TifByte.STANDING,
    TimeInForce.IMMEDIATE: codec.TifByte.IMMEDIATE,
}


def split_pair(tradepair: str) -> tuple[str, str]:
    """'LTC/BTC' -> ('ltc', 'btc'), the tickers as serialized."""
    base, _, quote = tradepair.partition("/")
    return base.lower(), quote.lower()


# --- §4 configuration ---------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class RegFee(WireModel):
    asset: Annotated[str, TICKER]
    amount: Annotated[int, POS]
    confs: Annotated[int, U32]


@dataclass(frozen=True, kw_only=True)
class LockTimes(WireModel):
    maker: Annotated[int, POS]
    taker: Annotated[int, POS]

    def check(self, path: str) -> None:
        if self.taker >= self.maker:  # the taker's contract must expire first (§9)
            raise invalid(path, "taker lock time must be shorter than the maker's")


@dataclass(frozen=True, kw_only=True)
class AssetInfo(WireModel):
    symbol: Annotated[str, TICKER]
    network: Annotated[Network, Choice(Network)]
    lotsize: Annotated[int, POS]
    ratestep: Annotated[int, POS]
    feerate: Annotated[int, POS]
    swapsize: Annotated[int, POS]
    swapconf: Annotated[int, U32]
    fundconf: Annotated[int, U32]
    scripts: Annotated[tuple[str, ...], SCRIPTS]


@dataclass(frozen=True, kw_only=True)
class MarketInfo(WireModel):
    name: Annotated[str, MARKET_NAME]
    base: Annotated[str, TICKER]
    quote: Annotated[str, TICKER]
    marketid: Annotated[int, U32]
    epochlen: Annotated[int, POS]

    def check(self, path: str) -> None:
        if self.name != f"{self.base}_{self.quote}" or self.base == self.quote:
            raise invalid(path, f"market name {self.name!r} does not match base/quote")


@dataclass(frozen=True, kw_only=True)
class ConfigResult(WireModel):
    METHOD = "assets"
    pubkey: Annotated[bytes, H32]
    apiver: Annotated[int, U16]
    epochlen: Annotated[int, POS]
    buybuffer: Annotated[str, DECIMAL]
    cancelmax: Annotated[str, DECIMAL]
    btimeout: Annotated[int, POS]
    regfee: Annotated[RegFee, Obj(RegFee)]
    locktimes: Annotated[LockTimes, Obj(LockTimes)]
    assets: Annotated[tuple[AssetInfo, ...], ListOf(Obj(AssetInfo))]
    markets: Annotated[tuple[MarketInfo, ...], ListOf(Obj(MarketInfo))]


# --- §5 accounts --------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class RegisterParams(WireModel):
    METHOD = "register"
    pubkey: Annotated[bytes, H32]
    timestamp: Annotated[int, U64]
    sig: Annotated[bytes, SIG]

    def payload(self) -> codec.RegisterPayload:
        return codec.RegisterPayload(self.pubkey, self.timestamp)


@dataclass(frozen=True, kw_only=True)
class RegisterResult(WireModel):
    METHOD = "register"
    pubkey: Annotated[bytes, H32]
    address: Annotated[str, ADDRESS]
    fee: Annotated[int, POS]
    asset: Annotated[str, TICKER]
    timestamp: Annotated[int, U64]
    sig: Annotated[bytes, SIG]

    def payload(self, client_pubkey: bytes) -> codec.RegisterResultPayload:
        return codec.RegisterResultPayload(
            self.pubkey, client_pubkey, self.timestamp, self.fee, self.address
        )


@dataclass(frozen=True, kw_only=True)
class NotifyFeeParams(WireModel):
    METHOD = "notifyfee"
    accountid: Annotated[bytes, H32]
    txid: Annotated[bytes, H32]
    vout: Annotated[int, U32]
    timestamp: Annotated[int, U64]
    sig: Annotated[bytes, SIG]

    def payload(self) -> codec.NotifyFeePayload:
        return codec.NotifyFeePayload(self.accountid, self.txid, self.vout, self.timestamp)


@dataclass(frozen=True, kw_only=True)
class SigResult(WireModel):
    """`notifyfee` result: the server's signature over the client's serialization."""

    sig: Annotated[bytes, SIG]


@dataclass(frozen=True, kw_only=True)
class ConnectParams(WireModel):
    METHOD = "connect"
    accountid: Annotated[bytes, H32]
    apiver: Annotated[int, U16]
    timestamp: Annotated[int, U64]
    sig: Annotated[bytes, SIG]

    def payload(self) -> codec.ConnectPayload:
        return codec.ConnectPayload(self.accountid, self.apiver, self.timestamp)


@dataclass(frozen=True, kw_only=True)
class ConnectResult(WireModel):
    METHOD = "connect"
    startepoch: Annotated[int, U64]
    orders: Annotated[tuple[BookOrder, ...], ListOf(Obj(BookOrder))]
    matches: Annotated[tuple[MatchState, ...], ListOf(Obj(MatchState))]
    sig: Annotated[bytes, SIG]  # over the client's connect serialization [decision, docs/]


# --- §7 orders ----------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class FundingCoin(WireModel):
    txid: Annotated[bytes, H32]
    vout: Annotated[int, U32]
    pubkey: Annotated[bytes, PUB33]
    sig: Annotated[bytes, SIG]

    def check(self, path: str) -> None:
        if self.pubkey[0] not in (2, 3):
            raise invalid(path, "pubkey must be a compressed key (02/03 prefix)")

    def payload(self, account_id: bytes) -> codec.CoinProofPayload:
        return codec.CoinProofPayload(account_id, self.txid, self.vout)

    def outpoint(self) -> codec.Outpoint:
        return codec.Outpoint(self.txid, self.vout)


COINS = ListOf(Obj(FundingCoin), min_items=1, max_items=codec.MAX_COINS)


@dataclass(frozen=True, kw_only=True)
class _OrderParams(WireModel):
    accountid: Annotated[bytes, H32]
    timestamp: Annotated[int, U64]
    tradepair: Annotated[str, TRADEPAIR]

    def check(self, path: str) -> None:
        base, quote = split_pair(self.tradepair)
        if base == quote:
            raise invalid(path, "base and quote are the same asset")


@dataclass(frozen=True, kw_only=True)
class LimitParams(_OrderParams):
    METHOD = "limit"
    side: Annotated[Side, Choice(Side)]
    ordersize: Annotated[int, POS]
    rate: Annotated[int, POS]
    timeinforce: Annotated[TimeInForce, Choice(TimeInForce)]
    utxos: Annotated[tuple[FundingCoin, ...], COINS]
    address: Annotated[str, ADDRESS]
    orderid: Annotated[bytes, H32]
    sig: Annotated[bytes, SIG]

    def payload(self, server_time: int = 0) -> codec.LimitOrder:
        base, quote = split_pair(self.tradepair)
        return codec.LimitOrder(
            self.accountid,
            base,
            quote,
            self.timestamp,
            server_time,
            tuple(c.outpoint() for c in self.utxos),
            _SIDE_BYTE[self.side],
            self.rate,
            self.ordersize,
            _TIF_BYTE[self.timeinforce],
            self.address,
        )


@dataclass(frozen=True, kw_only=True)
class MarketParams(_OrderParams):
    METHOD = "market"
    side: Annotated[Side, Choice(Side)]
    ordersize: Annotated[int, POS]  # quote atoms for a market buy (§7)
    utxos: Annotated[tuple[FundingCoin, ...], COINS]
    address: Annotated[str, ADDRESS]
    orderid: Annotated[bytes, H32]
    sig: Annotated[bytes, SIG]
    # §7: may be given, and then only as "immediate"; the serialization's byte is always 1.
    timeinforce: Annotated[TimeInForce | None, Opt(Choice(TimeInForce))] = None

    def check(self, path: str) -> None:
        super().check(path)
        if self.timeinforce is TimeInForce.STANDING:
            raise invalid(f"{path}.timeinforce", "a market order is always immediate")

    def payload(self, server_time: int = 0) -> codec.MarketOrder:
        base, quote = split_pair(self.tradepair)
        return codec.MarketOrder(
            self.accountid,
            base,
            quote,
            self.timestamp,
            server_time,
            tuple(c.outpoint() for c in self.utxos),
            _SIDE_BYTE[self.side],
            self.ordersize,
            self.address,
        )


@dataclass(frozen=True, kw_only=True)
class CancelParams(_OrderParams):
    """`orderid` is the target order (the draft's table); the cancel's own ID is derived."""

    METHOD = "cancel"
    orderid: Annotated[bytes, H32]
    sig: Annotated[bytes, SIG]

    def payload(self, server_time: int = 0) -> codec.CancelOrder:
        base, quote = split_pair(self.tradepair)
        return codec.CancelOrder(
            self.accountid, base, quote, self.timestamp, server_time, self.orderid
        )


@dataclass(frozen=True, kw_only=True)
class OrderResult(WireModel):
    sig: Annotated[bytes, SIG]  # server's, over the serialization with `servertime` filled in
    servertime: Annotated[int, U64]


# --- dispatch -----------------------------------------------------------------------------
MATCH_LIST, ACK_LIST = ListOf(Obj(MatchNote), min_items=1), ListOf(Obj(MatchAck), min_items=1)


def _no_params(value: object) -> None:
    if value not in (None, {}, []):
        raise invalid("params", f"expected no params, got {describe(value)}")


def _model(cls: type[WireModel], path: str) -> Callable[[Json], object]:
    return lambda value: cls.from_json(value, path)


def _list(kind: ListOf, path: str) -> Callable[[Json], object]:
    return lambda value: kind.parse(value, path)


def _market_data(parse: Callable[[object], list[Any]]) -> Callable[[Json], object]:
    def check(value: Json) -> object:
        try:
            return parse(value)
        except MarketDataError as exc:
            raise ProtocolError(ErrorCode.INVALID_PARAMS, str(exc)) from exc

    return check


def _unsub_result(value: object) -> None:
    if value is not None and not isinstance(value, bool):
        raise invalid("result", f"expected null or a boolean, got {describe(value)}")


PARAMS: dict[str, Callable[[Json], object]] = {
    "assets": _no_params,
    "match": _list(MATCH_LIST, "match"),
    **{
        c.METHOD: c.from_json
        for c in (
            RegisterParams,
            NotifyFeeParams,
            ConnectParams,
            OrderbookParams,
            AddLimitNote,
            RemoveOrderNote,
            UpdateRemainingNote,
            UnsubOrderbookParams,
            MatchDataNote,
            SuspensionNote,
            LimitParams,
            MarketParams,
            CancelParams,
            InitParams,
            AuditParams,
            RedeemParams,
            RedemptionParams,
            RevokeMatchParams,
            MatchStatusParams,
        )
    },
}
RESULTS: dict[str, Callable[[Json], object]] = {
    "assets": ConfigResult.from_json,
    "register": RegisterResult.from_json,
    "notifyfee": _model(SigResult, "notifyfee"),
    "connect": ConnectResult.from_json,
    "orderbook": OrderbookResult.from_json,
    "unsub_orderbook": _unsub_result,
    "match_status": _list(ListOf(Obj(MatchState)), "match_status"),
    "match": _list(ACK_LIST, "match"),
    "trades": _market_data(parse_trades),
    "candles": _market_data(parse_candles),
    **{m: _model(OrderResult, m) for m in ("limit", "market", "cancel")},
    **{m: _model(MatchAck, m) for m in ("init", "redeem", "audit", "redemption", "revoke_match")},
}


def parse_params(method: str, params: Json) -> object:
    """Typed params of `method`; ProtocolError -32601 for a method we do not know."""
    if method not in PARAMS:
        raise ProtocolError(ErrorCode.METHOD_NOT_FOUND, f"unknown method {method[:40]!r}")
    return PARAMS[method](params)


def parse_result(method: str, result: Json) -> object:
    """Typed result of the request `method` we sent."""
    if method not in RESULTS:
        raise ProtocolError(ErrorCode.METHOD_NOT_FOUND, f"no result type for {method[:40]!r}")
    return RESULTS[method](result)
