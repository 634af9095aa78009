"""Read the parts of a raw transaction a light wallet needs: txid, inputs, outputs.

An Electrum server hands us raw bytes only; we compute the txid ourselves (so a server cannot
pass off one transaction as another) and read the spent outpoints and the outputs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.wallet.coins import Outpoint

_NULL_TXID = "00" * 32


class TxParseError(ValueError):
    """The bytes are not a transaction we can read."""


@dataclass(frozen=True)
class ParsedTx:
    txid: str
    inputs: tuple[Outpoint | None, ...]  # vin order; None for a coinbase input
    outputs: tuple[tuple[bytes, int], ...]  # (script, value) in vout order


class _Reader:
    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.pos = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.raw):
            raise TxParseError("the transaction ends early")
        part = self.raw[self.pos:self.pos + n]
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


def sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def parse_tx(raw: bytes) -> ParsedTx:
    """Parse a legacy or segwit transaction. MWEB extension data is not supported."""
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
        inputs.append(None if prev == _NULL_TXID and vout == 0xFFFFFFFF
                      else Outpoint(prev, vout))
    outputs: list[tuple[bytes, int]] = []
    for _ in range(r.varint()):
        value = r.uint(8)
        outputs.append((r.take(r.varint()), value))
    body_end = r.pos
    if segwit:
        for _ in inputs:
            for _ in range(r.varint()):
                r.take(r.varint())
    locktime = r.take(4)
    if r.pos != len(raw):
        raise TxParseError("trailing bytes after the transaction")
    if not inputs:
        raise TxParseError("a transaction without inputs")
    stripped = version + raw[body_start:body_end] + locktime
    return ParsedTx(sha256d(stripped)[::-1].hex(), tuple(inputs), tuple(outputs))
