"""Epochs and the publicly verifiable shuffle of spec §8. Pure functions.

- epoch index i = t // d, span [i·d, (i+1)·d), t and d in the same unit (ms in the protocol);
- seed = SHA256(oid_1 ‖ … ‖ oid_n) over the order IDs sorted ascending (bytewise);
- shuffle: Fisher–Yates from the sorted list, k = n-1 down to 1, each j drawn from the stream
  SHA256(seed ‖ uint64be(0)) ‖ SHA256(seed ‖ uint64be(1)) ‖ … read as 64-bit big-endian
  integers (4 per block), rejecting x ≥ 2^64 − (2^64 mod (k+1)) so that j = x mod (k+1) is
  exactly uniform.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from dexproto.crypto import sha256

T = TypeVar("T")
_TWO_64 = 1 << 64


def epoch_index(t: int, d: int) -> int:
    """Index of the epoch holding time t for epoch duration d (same unit)."""
    if type(t) is not int or type(d) is not int or t < 0 or d <= 0:
        raise ValueError("epoch_index needs integer t >= 0 and d > 0")
    return t // d


def epoch_span(i: int, d: int) -> tuple[int, int]:
    """Half-open span [start, end) of epoch i."""
    if i < 0 or d <= 0:
        raise ValueError("epoch_span needs i >= 0 and d > 0")
    return i * d, (i + 1) * d


def match_seed(order_ids: Iterable[bytes]) -> bytes:
    """Seed of a match cycle: SHA-256 over the order IDs sorted ascending, concatenated."""
    ids = sorted(order_ids)
    if any(len(oid) != 32 for oid in ids):
        raise ValueError("order IDs are 32 bytes")
    return sha256(b"".join(ids))


def draw_stream(seed: bytes) -> Iterator[int]:
    """The endless stream of 64-bit big-endian integers, 4 per SHA-256 block."""
    counter = 0
    while True:
        block = sha256(seed + counter.to_bytes(8, "big"))
        for offset in range(0, 32, 8):
            yield int.from_bytes(block[offset : offset + 8], "big")
        counter += 1


def rejection_limit(n: int) -> int:
    """Draws x >= this are rejected when picking uniformly in [0, n): the largest multiple
    of n not above 2^64. When n divides 2^64 nothing is rejected."""
    if n <= 0:
        raise ValueError("n must be positive")
    return _TWO_64 - (_TWO_64 % n)


def uniform_below(stream: Iterator[int], n: int) -> int:
    """An exactly uniform j in [0, n) from the stream, by rejection sampling."""
    limit = rejection_limit(n)
    x = next(stream)
    while x >= limit:
        x = next(stream)
    return x % n


def shuffle(items: Sequence[T], seed: bytes) -> list[T]:
    """Deterministic Fisher–Yates of `items` in the given order (callers pass the sorted list)."""
    out = list(items)
    stream = draw_stream(seed)
    for k in range(len(out) - 1, 0, -1):
        j = uniform_below(stream, k + 1)
        out[k], out[j] = out[j], out[k]
    return out


def shuffle_order_ids(order_ids: Iterable[bytes], seed: bytes | None = None) -> list[bytes]:
    """The epoch's processing order: sort, then shuffle with `seed` (default: match_seed)."""
    ids = sorted(order_ids)
    return shuffle(ids, match_seed(ids) if seed is None else seed)
