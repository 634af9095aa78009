"""Value types shared by the wallet, the chain backends and the swap engine."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Outpoint:
    """A transaction output reference; `txid` is the usual display hex (node byte order)."""

    txid: str
    vout: int

    def __str__(self) -> str:
        return f"{self.txid}:{self.vout}"


@dataclass(frozen=True)
class Utxo:
    """An unspent output paying one of our scripts. `height` 0 means unconfirmed."""

    outpoint: Outpoint
    value: int
    script: bytes
    height: int
    confirmations: int


@dataclass(frozen=True)
class TxOutput:
    script: bytes
    value: int


@dataclass(frozen=True)
class SignedTx:
    """A fully signed transaction ready to broadcast (and to store before that)."""

    raw: bytes
    txid: str
    vsize: int
    fee: int

    @property
    def hex(self) -> str:
        return self.raw.hex()
