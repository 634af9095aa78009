"""Exceptions of the DEX protocol (dexproto) and of the client's DEX layer (app/dex).

The tree, and what a caller does with each:

    DexError                      base of everything raised by dexproto and app/dex
    ├── ProtocolError             the peer broke the protocol (or our input did); carries a
    │   │                         §2 error `code`, so a server-originated request can be
    │   │                         answered with an error frame of that code
    │   └── SignatureError        a signature did not verify (code 1, "bad signature")
    ├── RemoteError               the server answered our request with an error object
    ├── SerializationError        bytes cannot be built or parsed (§5–§9 layouts)
    └── ResyncRequired            the local order book mirror cannot be trusted any more:
        ├── SequenceGapError      a `seq` was skipped
        └── BookInconsistentError a notification contradicts the book
                                  (in both cases: re-subscribe and rebuild from a snapshot)

`str(err)` is the internal detail for logs; `user_message` is short text fit for the UI.

The base of the swap errors lives here too, with the one both sides raise (the tree is
drawn in app/swap/errors.py):

    SwapError                     str() is the user-facing message, .detail is internal
    └── ContractError             not the §9 contract template (dexproto/htlc.py), or a
                                  field out of range
"""

from __future__ import annotations

from enum import IntEnum


class ErrorCode(IntEnum):
    """JSON-RPC 2.0 codes and the protocol's own codes (spec §2)."""

    PARSE_ERROR = -32700
    INVALID_REQUEST = -32600
    METHOD_NOT_FOUND = -32601
    INVALID_PARAMS = -32602
    INTERNAL_ERROR = -32603
    BAD_SIGNATURE = 1
    UNKNOWN_ACCOUNT = 2
    FEE_NOT_PAID = 3
    ACCOUNT_BANNED = 4
    LOT_SIZE = 5
    RATE_STEP = 6
    INSUFFICIENT_FUNDING = 7
    FUNDING_COIN_INVALID = 8
    UNKNOWN_ORDER = 9
    UNKNOWN_MARKET = 10
    MARKET_SUSPENDED = 11
    UNKNOWN_MATCH = 12
    SETTLEMENT_SEQUENCE = 13
    CONTRACT_INVALID = 14
    DUPLICATE = 15
    RATE_LIMITED = 16
    UNSUPPORTED_API = 17
    TIMESTAMP_TOLERANCE = 18
    NOT_CANCELABLE = 19
    TOO_MANY_MATCHES = 20


ERROR_MEANINGS: dict[ErrorCode, str] = {
    ErrorCode.PARSE_ERROR: "malformed message",
    ErrorCode.INVALID_REQUEST: "invalid request",
    ErrorCode.METHOD_NOT_FOUND: "unknown method",
    ErrorCode.INVALID_PARAMS: "invalid parameters",
    ErrorCode.INTERNAL_ERROR: "internal server error",
    ErrorCode.BAD_SIGNATURE: "bad signature",
    ErrorCode.UNKNOWN_ACCOUNT: "unknown account",
    ErrorCode.FEE_NOT_PAID: "registration fee not paid or not confirmed",
    ErrorCode.ACCOUNT_BANNED: "account banned",
    ErrorCode.LOT_SIZE: "quantity is not a multiple of the lot size",
    ErrorCode.RATE_STEP: "rate is not a multiple of the rate step",
    ErrorCode.INSUFFICIENT_FUNDING: "insufficient funding",
    ErrorCode.FUNDING_COIN_INVALID: "funding coin invalid",
    ErrorCode.UNKNOWN_ORDER: "unknown order",
    ErrorCode.UNKNOWN_MARKET: "unknown market",
    ErrorCode.MARKET_SUSPENDED: "market suspended",
    ErrorCode.UNKNOWN_MATCH: "unknown match",
    ErrorCode.SETTLEMENT_SEQUENCE: "settlement step out of sequence",
    ErrorCode.CONTRACT_INVALID: "contract or transaction invalid",
    ErrorCode.DUPLICATE: "duplicate order or request",
    ErrorCode.RATE_LIMITED: "rate limited",
    ErrorCode.UNSUPPORTED_API: "unsupported API version",
    ErrorCode.TIMESTAMP_TOLERANCE: "clock out of tolerance",
    ErrorCode.NOT_CANCELABLE: "order not cancelable",
    ErrorCode.TOO_MANY_MATCHES: "too many active matches",
}


def describe_code(code: int) -> str:
    """Short user-facing meaning of a code; unknown codes (a newer server) stay readable."""
    try:
        return ERROR_MEANINGS[ErrorCode(code)]
    except ValueError:
        return f"server error {code}"


class DexError(Exception):
    """Base of every exception raised by app/dex."""

    @property
    def user_message(self) -> str:
        return "DEX protocol error"


class ProtocolError(DexError):
    """A protocol violation with its §2 code; `request_id` is set when the offending frame
    was a request whose id we could read, so the caller can answer it."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        request_id: int | None = None,
        data: object = None,
    ) -> None:
        super().__init__(f"[{int(code)}] {message}")
        self.code = code
        self.message = message
        self.request_id = request_id
        self.data = data

    @property
    def user_message(self) -> str:
        return ERROR_MEANINGS[self.code]


class SignatureError(ProtocolError):
    """A BIP-340 signature over a serialization did not verify."""

    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.BAD_SIGNATURE, message)

    @property
    def user_message(self) -> str:
        return "the server sent a message with an invalid signature"


class RemoteError(DexError):
    """The server answered a request with an error object. `code` is kept as a plain int
    because a newer server may use codes this client does not know."""

    def __init__(self, code: int, message: str, data: object = None) -> None:
        super().__init__(f"server error [{code}] {message}")
        self.code = code
        self.message = message
        self.data = data

    @property
    def user_message(self) -> str:
        return describe_code(self.code)


class SerializationError(DexError, ValueError):
    """A value does not fit its byte layout, or bytes do not parse as one."""


class ResyncRequired(DexError):
    """The order book mirror was reset; the caller must re-subscribe to the market."""

    @property
    def user_message(self) -> str:
        return "order book out of date, reloading"


class SequenceGapError(ResyncRequired):
    def __init__(self, expected: int, got: int) -> None:
        super().__init__(f"order book seq gap: expected {expected}, got {got}")
        self.expected = expected
        self.got = got


class BookInconsistentError(ResyncRequired):
    """E.g. an add for an order already booked, or a remove of an unknown order."""


class SwapError(Exception):
    """Base of the swap package. str() is safe to show; `detail` is for logs only."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class ContractError(SwapError):
    """The script is not the §9 contract template, or a field is out of range."""
