"""Exceptions of the swap package (the root is app/errors.py: CambioError).

    SwapError                        base; str() is the user message, .detail is internal
    ├── ContractError                a contract script that is malformed or not our template,
    │                                or contract parameters out of range (dexproto's
    │                                ContractError, mapped in contract.py)
    ├── AuditError                   a counterparty contract that does not match the match
    │                                (.field: AuditField naming the first mismatch, .expected,
    │                                .actual as display strings)
    ├── RefusedError                 a transaction we refuse to build because an output would
    │                                be dust (.value, .limit atoms)
    ├── FundingError                 the coins do not cover the contracts plus the fee
    │                                (.needed, .available atoms)
    ├── SpendError                   the key or secret given cannot spend this contract
    ├── SwapKeyError                 the wallet cannot give this swap's key or secret (locked,
    │                                another wallet, a sealed secret that does not open)
    ├── SwapRecordError              a stored swap record cannot be read: unknown format
    │   │                            version or malformed (store.py)
    │   └── StaleSwapWrite           another writer moved the swap on (store.py)
    ├── RefundRefused                "refund now" refused (app/swap/refund_now.py)
    │   ├── NothingToRefund          no such swap, finished, or none of our coins locked yet
    │   ├── RefundTooEarly           the lock time has not passed (.lock_time, .chain_time)
    │   └── ContractSpent            our contract is spent, not by our refund (.spend_txid)
    └── TxDecodeError                a transaction that cannot be decoded safely (malformed,
                                     or a Litecoin MWEB transaction python-bitcoinlib misreads)

Third-party errors are mapped at the edge with ``raise ... from exc``; messages never contain
secrets (keys, swap secrets before they are public).
"""

from __future__ import annotations

from enum import StrEnum

from app.errors import CambioError
from dexproto.assets import format_amount


class SwapError(CambioError):
    """Base of the swap package."""


class ContractError(SwapError):
    """The script is not the §9 contract template, or a field is out of range."""


class AuditField(StrEnum):
    """Which part of a counterparty contract failed the audit."""

    OUTPUT = "output"  # no output at the announced vout / paying the contract
    P2WSH = "p2wsh"  # the output script is not P2WSH(sha256(contract))
    AMOUNT = "amount"
    SECRET_HASH = "secret hash"
    RECIPIENT = "recipient"
    LOCK_TIME = "lock time"
    SCRIPT = "script"  # rebuilt bytes differ although every field matched (defence in depth)


class AuditError(SwapError):
    def __init__(self, field: AuditField, expected: str = "", actual: str = "") -> None:
        self.field = field
        self.expected = expected
        self.actual = actual
        detail = f"expected {expected}, got {actual}" if expected or actual else ""
        super().__init__(f"The counterparty's contract failed the audit: wrong {field}.", detail)


class RefusedError(SwapError):
    def __init__(self, what: str, value: int, limit: int, ticker: str = "") -> None:
        self.value = value
        self.limit = limit
        super().__init__(
            f"Refusing to build the {what}: its output of {format_amount(value, ticker)} would be "
            f"below the dust limit of {format_amount(limit, ticker)}."
        )


class FundingError(SwapError):
    def __init__(self, needed: int, available: int, ticker: str = "") -> None:
        self.needed = needed
        self.available = available
        super().__init__(
            f"Not enough funds for the swap contracts: need {format_amount(needed, ticker)}, "
            f"have {format_amount(available, ticker)}."
        )


class SpendError(SwapError):
    """Caller passed a key or secret that does not fit the contract (a bug, not the peer)."""


class SwapKeyError(SwapError):
    """The wallet cannot give a swap's key or maker secret; the swap waits (never a secret in
    the message)."""


class TxDecodeError(SwapError):
    """A raw transaction could not be decoded."""


class RefundRefused(SwapError):
    """ "Refund now" was refused before anything was broadcast; str() says why."""


class NothingToRefund(RefundRefused):
    """No such swap, a finished one, or one with none of our coins locked yet."""


class RefundTooEarly(RefundRefused):
    """The chain's median time past is still before our contract's lock time (BIP113)."""

    def __init__(self, message: str, lock_time: int, chain_time: int) -> None:
        super().__init__(message)
        self.lock_time = lock_time
        self.chain_time = chain_time


class ContractSpent(RefundRefused):
    """Our contract output is spent by something other than our refund: the counterparty
    redeemed it, so its secret is public and the swap is ours to redeem, not refund."""

    def __init__(self, message: str, spend_txid: str | None) -> None:
        super().__init__(message)
        self.spend_txid = spend_txid
