"""The one transaction decoder: txid, inputs, outputs and witnesses of a raw transaction,
computed here rather than taken from a node or an Electrum server (L10). The swap (its
outputs, the secret in a witness) and the client (the coins an init spends) read
transactions through it too, so one MWEB guard covers the whole code base.

A txid is sha256d of the transaction without its witness (BIP144), byte-reversed as hex; a
node that answers `getrawtransaction <txid>` with another transaction, or an Electrum server
that passes one off as another, is caught by `check_txid` / the txid we compute. Pure, no I/O.

Only legacy and BIP144 segwit serializations (flag 0x01) are read; anything else (Litecoin
MWEB, flag 0x08/0x09) is refused: the swap never has to trust such a transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.wallet.coins import Outpoint
from app.wallet.errors import NodeResponseError, WalletError
from dexproto.crypto import sha256d

_NULL_TXID = "00" * 32


class TxParseError(WalletError, ValueError):
    """The bytes are not a transaction we can read."""


@dataclass(frozen=True)
class ParsedTx:
    txid: str
    inputs: tuple[Outpoint | None, ...]  # vin order; None for a coinbase input
    outputs: tuple[tuple[bytes, int], ...]  # (script, value) in vout order
    witnesses: tuple[tuple[bytes, ...], ...]  # a stack per input, vin order (empty: legacy)


class _Reader:
    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.pos = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.raw):
            raise TxParseError("the transaction ends early")
        part = self.raw[self.pos : self.pos + n]
        self.pos += n
        return part

    def varint(self) -> int:
        first = self.take(1)[0]
        if first < 0xFD:
            return first
        size = {0xFD: 2, 0xFE: 4, 0xFF: 8}[first]
        return int.from_bytes(self.take(size), "little")

    def uint(self, n: int) -> int:
        return int.from_bytes(self.take(n), "little")


def parse_tx(raw: bytes) -> ParsedTx:
    """Parse a legacy or segwit transaction; TxParseError for anything else (MWEB too)."""
    return _decode(raw)[0]


def stripped(raw: bytes) -> bytes:
    """The serialization without witness data (what the txid hashes); TxParseError when it
    cannot be read."""
    return _decode(raw)[1]


def txid_of(raw: bytes) -> str:
    """The txid (display hex) of a raw legacy or segwit transaction; TxParseError otherwise."""
    return parse_tx(raw).txid


def check_txid(raw: bytes, txid: str, source: str) -> None:
    """Raise NodeResponseError unless `raw` hashes to `txid` (`source` names who sent it)."""
    try:
        actual = txid_of(raw)
    except TxParseError as exc:
        raise NodeResponseError(
            f"{source} sent a transaction for {txid} that cannot be checked", detail=str(exc)
        ) from exc
    if actual != txid:
        raise NodeResponseError(
            f"{source} sent transaction {actual} when asked for {txid}",
            detail=f"asked {txid}, the hex hashes to {actual}",
        )


def _decode(raw: bytes) -> tuple[ParsedTx, bytes]:
    r = _Reader(raw)
    version = r.take(4)
    segwit = False
    if raw[4:5] == b"\x00":
        marker_flag = r.take(2)
        if marker_flag != b"\x00\x01":
            raise TxParseError(f"unsupported transaction flag {marker_flag.hex()}")
        segwit = True
    body_start = r.pos
    inputs: list[Outpoint | None] = []
    for _ in range(r.varint()):
        prev = r.take(32)[::-1].hex()
        vout = r.uint(4)
        r.take(r.varint())  # scriptSig
        r.take(4)  # sequence
        inputs.append(None if prev == _NULL_TXID and vout == 0xFFFFFFFF else Outpoint(prev, vout))
    outputs: list[tuple[bytes, int]] = []
    for _ in range(r.varint()):
        value = r.uint(8)
        outputs.append((r.take(r.varint()), value))
    body_end = r.pos
    witnesses = tuple(
        tuple(r.take(r.varint()) for _ in range(r.varint())) if segwit else () for _ in inputs
    )
    locktime = r.take(4)
    if r.pos != len(raw):
        raise TxParseError("trailing bytes after the transaction")
    if not inputs:
        raise TxParseError("a transaction without inputs")
    bare = version + raw[body_start:body_end] + locktime
    return ParsedTx(sha256d(bare)[::-1].hex(), tuple(inputs), tuple(outputs), witnesses), bare
