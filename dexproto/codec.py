"""Byte serializations of spec §5–§9: the exact bytes that get signed, and the order ID.

Each payload is a frozen dataclass whose `LAYOUT` lists, in wire order, one codec per field
(or a `_Const` byte that has no field). `encode()` builds the bytes and `decode()` parses them
back, rejecting truncated input and trailing bytes. All integers are big-endian; tickers are
5 bytes of ASCII left-padded with 0x00; a txid is the 32 bytes of its display hex; addresses,
contracts and secrets that end a layout take the rest of the bytes.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar, Protocol, Self

from dexproto.crypto import sha256, sha256d
from dexproto.errors import SerializationError

TICKER_PATTERN = r"[a-z0-9]{1,5}"  # the JSON fields use the same patterns (dexproto/_wire.py)
ADDRESS_PATTERN = r"[A-Za-z0-9]{1,100}"
_TICKER = re.compile(TICKER_PATTERN)
_ADDRESS = re.compile(ADDRESS_PATTERN)
MAX_COINS = 255  # the coin count is one byte


class OrderType(IntEnum):
    LIMIT = 0
    MARKET = 2
    CANCEL = 3


class SideByte(IntEnum):
    BUY = 0
    SELL = 1


class TifByte(IntEnum):
    STANDING = 0
    IMMEDIATE = 1


class RoleByte(IntEnum):
    MAKER = 0
    TAKER = 1


def account_id(pubkey: bytes) -> bytes:
    """Account ID = SHA256(SHA256(x-only account pubkey)), 32 bytes (§3)."""
    if len(pubkey) != 32:
        raise SerializationError("account pubkey must be 32 bytes (x-only)")
    return sha256d(pubkey)


def encode_ticker(symbol: str) -> bytes:
    """'btc' -> 00 00 62 74 63. Tickers are lower case in serializations."""
    if not _TICKER.fullmatch(symbol):
        raise SerializationError(f"bad ticker {symbol!r}")
    return symbol.encode("ascii").rjust(5, b"\x00")


def decode_ticker(raw: bytes) -> str:
    text = raw.lstrip(b"\x00").decode("ascii", errors="replace")
    if len(raw) != 5 or not _TICKER.fullmatch(text):
        raise SerializationError(f"bad ticker bytes {raw.hex()}")
    return text


def txid_bytes(txid_hex: str) -> bytes:
    """A txid as serialized: the 32 bytes of the usual (display) hex, no reversal (§3)."""
    if len(txid_hex) != 64 or not re.fullmatch(r"[0-9a-f]{64}", txid_hex):
        raise SerializationError(f"bad txid {txid_hex!r}")
    return bytes.fromhex(txid_hex)


@dataclass(frozen=True)
class Outpoint:
    """A funding coin as serialized in orders: txid (32, display order) ‖ vout (4)."""

    txid: bytes
    vout: int


# --- field codecs -------------------------------------------------------------------------
class _Codec(Protocol):
    def pack(self, value: Any) -> bytes: ...
    def unpack(self, data: bytes, pos: int) -> tuple[Any, int]: ...


def _take(data: bytes, pos: int, n: int) -> bytes:
    if pos + n > len(data):
        raise SerializationError(f"truncated: need {n} bytes at offset {pos}")
    return data[pos : pos + n]


@dataclass(frozen=True)
class _Uint:
    size: int

    def pack(self, value: Any) -> bytes:
        if type(value) is not int and not isinstance(value, IntEnum):
            raise SerializationError(f"expected int, got {type(value).__name__}")
        if not 0 <= value < 1 << (8 * self.size):
            raise SerializationError(f"{value} does not fit in {self.size} bytes")
        return int(value).to_bytes(self.size, "big")

    def unpack(self, data: bytes, pos: int) -> tuple[Any, int]:
        return int.from_bytes(_take(data, pos, self.size), "big"), pos + self.size


@dataclass(frozen=True)
class _Enum:
    enum: type[IntEnum]

    def pack(self, value: Any) -> bytes:
        return bytes([self.enum(value)])

    def unpack(self, data: bytes, pos: int) -> tuple[Any, int]:
        raw = _take(data, pos, 1)[0]
        try:
            return self.enum(raw), pos + 1
        except ValueError:
            raise SerializationError(f"bad {self.enum.__name__} byte {raw}") from None


@dataclass(frozen=True)
class _Fixed:
    size: int

    def pack(self, value: Any) -> bytes:
        if not isinstance(value, bytes) or len(value) != self.size:
            raise SerializationError(f"expected {self.size} bytes")
        return value

    def unpack(self, data: bytes, pos: int) -> tuple[Any, int]:
        return _take(data, pos, self.size), pos + self.size


class _Ticker:
    def pack(self, value: Any) -> bytes:
        return encode_ticker(value)

    def unpack(self, data: bytes, pos: int) -> tuple[Any, int]:
        return decode_ticker(_take(data, pos, 5)), pos + 5


class _Coins:
    def pack(self, value: Any) -> bytes:
        coins: tuple[Outpoint, ...] = value
        if not 1 <= len(coins) <= MAX_COINS:
            raise SerializationError(f"an order needs 1..{MAX_COINS} coins, got {len(coins)}")
        packed = (B32.pack(c.txid) + U32.pack(c.vout) for c in coins)
        return bytes([len(coins)]) + b"".join(packed)

    def unpack(self, data: bytes, pos: int) -> tuple[Any, int]:
        count = _take(data, pos, 1)[0]
        if count == 0:
            raise SerializationError("coin count is 0")
        raw = _take(data, pos + 1, 36 * count)
        starts = range(0, len(raw), 36)
        coins = (Outpoint(raw[i : i + 32], U32.unpack(raw, i + 32)[0]) for i in starts)
        return tuple(coins), pos + 1 + len(raw)


class _Address:
    """ASCII tail; the layouts always end with it, so it takes the remaining bytes."""

    def pack(self, value: Any) -> bytes:
        if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
            raise SerializationError(f"bad address {value!r}")
        return value.encode("ascii")

    def unpack(self, data: bytes, pos: int) -> tuple[Any, int]:
        try:
            text = data[pos:].decode("ascii")
        except UnicodeDecodeError:
            raise SerializationError("address is not ASCII") from None
        self.pack(text)  # validates the characters and the length
        return text, len(data)


@dataclass(frozen=True)
class _Tail:
    """Raw bytes to the end (contract, secret); `size` pins the length when it is known."""

    size: int | None = None

    def pack(self, value: Any) -> bytes:
        if not isinstance(value, bytes) or not value or self.size not in (None, len(value)):
            raise SerializationError(f"bad tail bytes (want {self.size or 'non-empty'})")
        return value

    def unpack(self, data: bytes, pos: int) -> tuple[Any, int]:
        return self.pack(data[pos:]), len(data)


@dataclass(frozen=True)
class _Const:
    value: int

    def pack(self, value: Any) -> bytes:
        return bytes([self.value])

    def unpack(self, data: bytes, pos: int) -> tuple[Any, int]:
        if _take(data, pos, 1)[0] != self.value:
            raise SerializationError(f"expected byte {self.value} at offset {pos}")
        return None, pos + 1


B32, U16, U32, U64 = _Fixed(32), _Uint(2), _Uint(4), _Uint(8)
TICKER, COINS, ADDRESS = _Ticker(), _Coins(), _Address()


class Payload:
    """Base of the serializable payloads; subclasses are frozen dataclasses + LAYOUT."""

    LAYOUT: ClassVar[tuple[_Codec, ...]]

    def encode(self) -> bytes:
        values = iter(getattr(self, f.name) for f in dataclasses.fields(self))  # type: ignore[arg-type]
        out = [c.pack(None if isinstance(c, _Const) else next(values)) for c in self.LAYOUT]
        return b"".join(out)

    @classmethod
    def decode(cls, data: bytes) -> Self:
        pos, values = 0, []
        for codec in cls.LAYOUT:
            value, pos = codec.unpack(data, pos)
            if not isinstance(codec, _Const):
                values.append(value)
        if pos != len(data):
            raise SerializationError(f"{len(data) - pos} trailing bytes")
        factory: Any = cls  # the dataclass __init__ takes the fields in LAYOUT order
        result: Self = factory(*values)
        return result


# --- §5 accounts --------------------------------------------------------------------------
@dataclass(frozen=True)
class RegisterPayload(Payload):
    LAYOUT = (B32, U64)
    pubkey: bytes
    timestamp: int


@dataclass(frozen=True)
class RegisterResultPayload(Payload):
    LAYOUT = (B32, B32, U64, U64, ADDRESS)
    server_pubkey: bytes
    client_pubkey: bytes
    timestamp: int
    fee: int
    address: str


@dataclass(frozen=True)
class NotifyFeePayload(Payload):
    LAYOUT = (B32, B32, U32, U64)
    account_id: bytes
    txid: bytes
    vout: int
    timestamp: int


@dataclass(frozen=True)
class ConnectPayload(Payload):
    LAYOUT = (B32, U16, U64)
    account_id: bytes
    apiver: int
    timestamp: int


@dataclass(frozen=True)
class CoinProofPayload(Payload):
    """What a funding coin's key signs: account ID ‖ txid ‖ vout (§7)."""

    LAYOUT = (B32, B32, U32)
    account_id: bytes
    txid: bytes
    vout: int


# --- §7 orders ----------------------------------------------------------------------------

_PREFIX = (B32, TICKER, TICKER)  # then the order type byte, client time, server time
PREFIX_SIZE = 32 + 5 + 5 + 1 + 8 + 8


@dataclass(frozen=True)
class LimitOrder(Payload):
    LAYOUT = (
        *_PREFIX,
        _Const(OrderType.LIMIT),
        U64,
        U64,
        COINS,
        _Enum(SideByte),
        U64,
        U64,
        _Enum(TifByte),
        ADDRESS,
    )
    account_id: bytes
    base: str
    quote: str
    client_time: int
    server_time: int
    coins: tuple[Outpoint, ...]
    side: SideByte
    rate: int
    quantity: int
    tif: TifByte
    address: str


@dataclass(frozen=True)
class MarketOrder(Payload):
    LAYOUT = (
        *_PREFIX,
        _Const(OrderType.MARKET),
        U64,
        U64,
        COINS,
        _Enum(SideByte),
        U64,
        _Const(TifByte.IMMEDIATE),
        ADDRESS,
    )
    account_id: bytes
    base: str
    quote: str
    client_time: int
    server_time: int
    coins: tuple[Outpoint, ...]
    side: SideByte
    quantity: int
    address: str


@dataclass(frozen=True)
class CancelOrder(Payload):
    LAYOUT = (*_PREFIX, _Const(OrderType.CANCEL), U64, U64, B32)
    account_id: bytes
    base: str
    quote: str
    client_time: int
    server_time: int
    target: bytes


Order = LimitOrder | MarketOrder | CancelOrder
_ORDER_CLASSES: dict[int, type[LimitOrder] | type[MarketOrder] | type[CancelOrder]] = {
    OrderType.LIMIT: LimitOrder,
    OrderType.MARKET: MarketOrder,
    OrderType.CANCEL: CancelOrder,
}


def decode_order(data: bytes) -> Order:
    """Parse any order serialization, dispatching on its order-type byte."""
    cls = _ORDER_CLASSES.get(_take(data, 0, PREFIX_SIZE)[42])
    if cls is None:
        raise SerializationError(f"unknown order type {data[42]}")
    return cls.decode(data)


def order_id(order: Order) -> bytes:
    """SHA-256 of the serialization with server time 0, so the client knows it up front."""
    return sha256(dataclasses.replace(order, server_time=0).encode())


# --- §9 matches and settlement ------------------------------------------------------------
@dataclass(frozen=True)
class MatchPayload(Payload):
    LAYOUT = (B32, B32, U64, U64, U64, U64, _Enum(RoleByte), ADDRESS)
    order_id: bytes
    match_id: bytes
    quantity: int
    rate: int
    server_time: int
    fee_rate: int
    role: RoleByte
    address: str


@dataclass(frozen=True)
class InitPayload(Payload):
    """`init` (client) and `audit` (server relay) share this layout."""

    LAYOUT = (B32, B32, B32, U32, U64, _Tail())
    order_id: bytes
    match_id: bytes
    txid: bytes
    vout: int
    timestamp: int
    contract: bytes


@dataclass(frozen=True)
class RedeemPayload(Payload):
    """`redeem` (client) and `redemption` (server relay) share this layout."""

    LAYOUT = (B32, B32, B32, U32, U64, _Tail(32))
    order_id: bytes
    match_id: bytes
    txid: bytes
    vin: int
    timestamp: int
    secret: bytes


@dataclass(frozen=True)
class RevokePayload(Payload):
    LAYOUT = (B32, B32)
    order_id: bytes
    match_id: bytes
