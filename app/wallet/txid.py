"""The txid of a raw transaction, computed here rather than taken from the node (L10).

A txid is sha256d of the transaction without its witness (BIP144), byte-reversed as hex.
A node that answers `getrawtransaction <txid>` with some other transaction, or names a
txid its hex does not hash to, is caught by `check_txid`. Pure, no I/O.

Only legacy and BIP144 segwit serializations (flag 0x01) are read; anything else (Litecoin
MWEB, flag 0x08/0x09) is refused: the swap never has to trust such a transaction.
"""

from __future__ import annotations

from app.wallet.errors import NodeResponseError
from dexproto.crypto import sha256d


class _Reader:
    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.pos = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.raw):
            raise ValueError("truncated transaction")
        chunk = self.raw[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def varint(self) -> int:
        first = self.take(1)[0]
        if first < 0xFD:
            return first
        size = {0xFD: 2, 0xFE: 4, 0xFF: 8}[first]
        return int.from_bytes(self.take(size), "little")


def stripped(raw: bytes) -> bytes:
    """The serialization without witness data; ValueError when it cannot be read."""
    r = _Reader(raw)
    version = r.take(4)
    segwit = len(raw) > 5 and raw[4] == 0
    if segwit:
        if raw[5] != 1:
            raise ValueError(f"unsupported serialization flag {raw[5]:#04x}")
        r.take(2)
    start = r.pos
    n_in = r.varint()
    for _ in range(n_in):
        r.take(36)  # outpoint
        r.take(r.varint())  # scriptSig
        r.take(4)  # nSequence
    for _ in range(r.varint()):
        r.take(8)  # value
        r.take(r.varint())  # scriptPubKey
    body = raw[start:r.pos]
    if segwit:
        for _ in range(n_in):
            for _ in range(r.varint()):
                r.take(r.varint())
    locktime = r.take(4)
    if r.pos != len(raw):
        raise ValueError("trailing bytes after the transaction")
    return version + body + locktime


def txid_of(raw: bytes) -> str:
    """The txid (display hex) of a raw legacy or segwit transaction; ValueError otherwise."""
    return sha256d(stripped(raw))[::-1].hex()


def check_txid(raw: bytes, txid: str, source: str) -> None:
    """Raise NodeResponseError unless `raw` hashes to `txid` (`source` names who sent it)."""
    try:
        actual = txid_of(raw)
    except ValueError as exc:
        raise NodeResponseError(
            f"{source} sent a transaction for {txid} that cannot be checked",
            detail=str(exc)) from exc
    if actual != txid:
        raise NodeResponseError(
            f"{source} sent transaction {actual} when asked for {txid}",
            detail=f"asked {txid}, the hex hashes to {actual}")
