"""Synthetic header chains for SPV tests: regtest-difficulty headers with real scrypt work."""

from __future__ import annotations

import dataclasses

from app.wallet.header_chain import HeaderChain
from app.wallet.spv import bits_to_target, pow_hash
from app.wallet.spv_params import LTC_REGTEST
from dexproto.crypto import sha256d


def header_bytes(
    prev: bytes, time: int, bits: int, nonce: int = 0, merkle: bytes = b"\x11" * 32
) -> bytes:
    return (
        (0x20000000).to_bytes(4, "little")
        + prev
        + merkle
        + time.to_bytes(4, "little")
        + bits.to_bytes(4, "little")
        + nonce.to_bytes(4, "little")
    )


def mine(prev: bytes, time: int, bits: int = 0x207FFFFF, salt: int = 0) -> bytes:
    """A regtest header with valid scrypt work (about half of all nonces qualify)."""
    for nonce in range(salt * 1000, salt * 1000 + 1000):
        raw = header_bytes(prev, time, bits, nonce)
        if pow_hash(LTC_REGTEST, raw) <= bits_to_target(bits):
            return raw
    raise AssertionError("no nonce found")


def regtest_chain() -> tuple[HeaderChain, bytes]:
    genesis = header_bytes(b"\x00" * 32, 1_296_688_602, 0x207FFFFF)
    rules = dataclasses.replace(
        LTC_REGTEST,
        checkpoint=dataclasses.replace(LTC_REGTEST.checkpoint, hash=sha256d(genesis)[::-1].hex()),
    )
    return HeaderChain(rules, genesis), genesis


def extend(prev: bytes, count: int, start_time: int, salt: int = 0) -> list[bytes]:
    raws = []
    for i in range(count):
        raw = mine(sha256d(prev), start_time + i * 60, salt=salt)
        raws.append(raw)
        prev = raw
    return raws


def unmined(prev: bytes, count: int, start_time: int, bits: list[int] | None = None) -> bytes:
    """`count` linked headers without proof of work, concatenated (as our header file holds
    them: taken back by `extend_verified`, which checks links only). `bits[i % len(bits)]`
    is header i's bits (default: the regtest limit)."""
    bits = bits or [0x207FFFFF]
    out = bytearray()
    for i in range(count):
        raw = header_bytes(sha256d(prev), start_time + i * 60, bits[i % len(bits)], i)
        out += raw
        prev = raw
    return bytes(out)
