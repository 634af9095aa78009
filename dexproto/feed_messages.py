"""Order book feed messages (spec §6) and `suspension` (§11). Re-exported by messages.py."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from dexproto._wire import (
    H32,
    POS,
    TICKER,
    U32,
    U64,
    Bool,
    Choice,
    ListOf,
    Obj,
    Opt,
    WireModel,
    invalid,
)


class BookSide(StrEnum):
    BUY = "b"
    SELL = "s"


class BookOrderType(StrEnum):
    LIMIT = "l"
    MARKET = "m"


class BookTif(StrEnum):
    IMMEDIATE = "i"
    STANDING = "s"


@dataclass(frozen=True, kw_only=True)
class BookOrder(WireModel):
    """§6 Order object (also the active orders listed by `connect`)."""

    oid: Annotated[bytes, H32]
    otype: Annotated[BookOrderType, Choice(BookOrderType)]
    side: Annotated[BookSide, Choice(BookSide)]
    osize: Annotated[int, POS]
    rate: Annotated[int | None, Opt(POS)] = None
    tif: Annotated[BookTif | None, Opt(Choice(BookTif))] = None
    epoch: Annotated[int, U64]
    filled: Annotated[int, U64]

    def check(self, path: str) -> None:
        is_limit = self.otype is BookOrderType.LIMIT
        if is_limit != (self.rate is not None) or is_limit != (self.tif is not None):
            raise invalid(path, "rate and tif are required on limit orders, absent on market")
        # A market buy's osize is quote atoms while filled is base atoms: not comparable.
        if not self.is_market_buy and self.filled > self.osize:
            raise invalid(path, "filled exceeds osize")

    @property
    def is_market_buy(self) -> bool:
        return self.otype is BookOrderType.MARKET and self.side is BookSide.BUY

    @property
    def is_standing(self) -> bool:
        """Rests on the book; market orders and immediate limits live one epoch only."""
        return self.tif is BookTif.STANDING


@dataclass(frozen=True, kw_only=True)
class OrderbookParams(WireModel):
    METHOD = "orderbook"
    base: Annotated[str, TICKER]
    quote: Annotated[str, TICKER]

    def check(self, path: str) -> None:
        if self.base == self.quote:
            raise invalid(path, "base and quote are the same asset")


@dataclass(frozen=True, kw_only=True)
class BookSnapshot(WireModel):
    marketid: Annotated[int, U32]
    epoch: Annotated[int, U64]
    orders: Annotated[tuple[BookOrder, ...], ListOf(Obj(BookOrder))]


@dataclass(frozen=True, kw_only=True)
class OrderbookResult(WireModel):
    METHOD = "orderbook"
    book: Annotated[BookSnapshot, Obj(BookSnapshot)]
    seq: Annotated[int, U64]


@dataclass(frozen=True, kw_only=True)
class AddOrderNote(WireModel):
    """Base of add_limit: it announces a booked (limit) order. Version 1 has no
    `add_market` (§6: only booked orders are announced)."""

    OTYPE = BookOrderType.LIMIT
    marketid: Annotated[int, U32]
    order: Annotated[BookOrder, Obj(BookOrder)]
    seq: Annotated[int, U64]

    def check(self, path: str) -> None:
        if self.order.otype is not self.OTYPE:
            raise invalid(path, f"{self.METHOD} carries otype {self.order.otype.value!r}")


class AddLimitNote(AddOrderNote):
    METHOD = "add_limit"


@dataclass(frozen=True, kw_only=True)
class RemoveOrderNote(WireModel):
    METHOD = "remove_order"
    marketid: Annotated[int, U32]
    orderid: Annotated[bytes, H32]
    seq: Annotated[int, U64]


@dataclass(frozen=True, kw_only=True)
class UpdateRemainingNote(WireModel):
    METHOD = "update_remaining"
    marketid: Annotated[int, U32]
    orderid: Annotated[bytes, H32]
    remaining: Annotated[int, U64]
    seq: Annotated[int, U64]


BookNote = AddOrderNote | RemoveOrderNote | UpdateRemainingNote


@dataclass(frozen=True, kw_only=True)
class UnsubOrderbookParams(WireModel):
    METHOD = "unsub_orderbook"
    marketid: Annotated[int, U32]


@dataclass(frozen=True, kw_only=True)
class MatchDataNote(WireModel):
    """§8: the epoch's order IDs (sorted ascending) and the shuffle seed."""

    METHOD = "match_data"
    marketid: Annotated[int, U32]
    epoch: Annotated[int, U64]
    orderids: Annotated[tuple[bytes, ...], ListOf(H32)]
    seed: Annotated[bytes, H32]


@dataclass(frozen=True, kw_only=True)
class SuspensionNote(WireModel):
    METHOD = "suspension"
    marketid: Annotated[int, U32]
    epoch: Annotated[int, U64]
    persist: Annotated[bool, Bool()]
