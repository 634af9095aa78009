"""SPV: our own header chain from a checkpoint, proof of work, difficulty rules, merkle proofs.

A light wallet cannot check transactions, but it can check that a block header carries the
work its chain demands and that a transaction is committed to by a header of the chain with
the most work. An Electrum server may then hide things from us (or be slow), but it cannot
make us believe a confirmation that did not happen. Pure code: no I/O. The chain itself,
its headers kept as raw bytes, is app/wallet/header_chain.py.

PoW is picked by the chain actually run: Bitcoin double SHA-256, Litecoin scrypt(N=1024, r=1,
p=1). On this machine the BTC stand-in chain is a Litecoin regtest node, so its rules are
Litecoin's.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from app.wallet.errors import WalletError
from dexproto.crypto import sha256d

HEADER_SIZE = 80
MTP_SPAN = 11
MAX_TIMEWARP = 600  # BIP94: a period's first block may be this much older than its parent


class SpvError(WalletError, ValueError):
    """A header or proof failed a check; the message names what failed."""


@dataclass(frozen=True)
class Header:
    raw: bytes
    version: int
    prev: bytes  # internal byte order
    merkle_root: bytes  # internal byte order
    time: int
    bits: int
    nonce: int
    hash: bytes  # sha256d, internal byte order (the block id, whatever the PoW)

    @property
    def hash_hex(self) -> str:
        return self.hash[::-1].hex()

    @property
    def prev_hex(self) -> str:
        return self.prev[::-1].hex()


def parse_header(raw: bytes) -> Header:
    if len(raw) != HEADER_SIZE:
        raise SpvError(f"header.length is {len(raw)}, not {HEADER_SIZE}")
    return Header(
        raw,
        int.from_bytes(raw[0:4], "little"),
        raw[4:36],
        raw[36:68],
        int.from_bytes(raw[68:72], "little"),
        int.from_bytes(raw[72:76], "little"),
        int.from_bytes(raw[76:80], "little"),
        sha256d(raw),
    )


def bits_to_target(bits: int) -> int:
    size, mantissa = bits >> 24, bits & 0x007FFFFF
    if bits & 0x00800000:
        raise SpvError(f"header.bits {bits:#010x} is negative")
    if size <= 3:
        return mantissa >> (8 * (3 - size))
    return mantissa << (8 * (size - 3))


def target_to_bits(target: int) -> int:
    """Core's GetCompact: the compact form, truncating the target to 3 bytes of mantissa."""
    size = (target.bit_length() + 7) // 8
    mantissa = target << (8 * (3 - size)) if size <= 3 else target >> (8 * (size - 3))
    if mantissa & 0x00800000:
        mantissa >>= 8
        size += 1
    return (size << 24) | mantissa


@functools.lru_cache(maxsize=256)
def work_of(bits: int) -> int:
    # Cached: a chain's bits change once per retarget period (testnet: a few values).
    return (1 << 256) // (bits_to_target(bits) + 1)


def pow_hash(rules: ChainRules, raw: bytes) -> int:
    if rules.pow == "scrypt":
        digest = hashlib.scrypt(raw, salt=raw, n=1024, r=1, p=1, dklen=32)
    else:
        digest = sha256d(raw)
    return int.from_bytes(digest, "little")


@dataclass(frozen=True)
class Checkpoint:
    """A block we trust by hash. On retargeting chains it is the last block of a retarget
    period (height 2016k-1) and `next_bits` the target of the next period (Electrum's
    checkpoint form), so every later header's bits can be checked without earlier headers:
    Bitcoin's retarget looks back to the period's first block (2016k, after us), Litecoin's
    to the block before it (2016k-1: the checkpoint itself), and the testnet walk back to
    the last block without the minimum difficulty stops at a period's first block."""

    height: int
    hash: str
    next_bits: int | None = None


@dataclass(frozen=True)
class ChainRules:
    name: str
    pow: str  # "sha256d" | "scrypt"
    genesis: str  # block 0's hash: tells which chain a server runs
    checkpoint: Checkpoint
    pow_limit: int
    spacing: int  # target seconds per block
    timespan: int  # target seconds per retarget period
    interval: int = 2016
    retarget: bool = True  # False on regtest (fPowNoRetargeting)
    min_difficulty: bool = False  # testnet's 20-minute (Litecoin: 5-minute) rule
    bip94: bool = False  # testnet4: retarget from the first block's bits; no timewarp
    litecoin_lookback: bool = False  # Litecoin fixed the off-by-one of the retarget window

    @property
    def pow_limit_bits(self) -> int:
        return target_to_bits(self.pow_limit)


def _calculate_retarget(rules: ChainRules, last: Header, first: Header) -> int:
    actual = min(max(last.time - first.time, rules.timespan // 4), rules.timespan * 4)
    # BIP94: the base is the period's first block, which the 20-minute exception cannot
    # touch; the last block's bits (testnet3's rule) may be the minimum difficulty, and one
    # such block at the period's end used to reset the whole next period to it.
    target = bits_to_target(first.bits if rules.bip94 else last.bits)
    # Litecoin shifts right by one bit when the target is near the limit to avoid overflow.
    shift = rules.litecoin_lookback and target.bit_length() > rules.pow_limit.bit_length() - 1
    if shift:
        target >>= 1
    target = target * actual // rules.timespan
    if shift:
        target <<= 1
    return target_to_bits(min(target, rules.pow_limit))


def required_bits(rules: ChainRules, chain: HeaderView, height: int, header: Header) -> int | None:
    """The bits `header` at `height` must carry; None when we cannot tell (the period
    started before our checkpoint)."""
    if not rules.retarget:
        return chain.bits_at(height - 1)
    if height == rules.checkpoint.height + 1 and rules.checkpoint.next_bits is not None:
        return rules.checkpoint.next_bits
    if height % rules.interval != 0:
        if rules.min_difficulty:
            if header.time > chain.time_at(height - 1) + 2 * rules.spacing:
                return rules.pow_limit_bits
            h = height - 1
            while h % rules.interval != 0 and chain.bits_at(h) == rules.pow_limit_bits:
                if h - 1 < chain.base_height:
                    return None
                h -= 1
            return chain.bits_at(h)
        return chain.bits_at(height - 1)
    back = rules.interval - 1
    if rules.litecoin_lookback and height != rules.interval:
        back = rules.interval
    first_height = height - 1 - back
    if first_height < chain.base_height:
        return None
    return _calculate_retarget(rules, chain.at(height - 1), chain.at(first_height))


class HeaderView(Protocol):
    """Headers by height from `base_height` up (our chain, or a candidate branch of it)."""

    @property
    def base_height(self) -> int: ...

    def at(self, height: int) -> Header: ...

    def hash_at(self, height: int) -> bytes: ...

    def bits_at(self, height: int) -> int: ...

    def time_at(self, height: int) -> int: ...

    def median_time_past(self, height: int) -> int:
        """Median time of the 11 blocks ending at `height` (fewer near our base)."""
        ...


def proof_of_work(rules: ChainRules, header: Header) -> int:
    """The hash `header`'s bits bound; on Bitcoin it is the block id we already have."""
    if rules.pow == "sha256d":
        return int.from_bytes(header.hash, "little")
    return pow_hash(rules, header.raw)


def check_header(
    rules: ChainRules,
    chain: HeaderView,
    height: int,
    header: Header,
    pow_value: int | None = None,
) -> None:
    """Raise SpvError unless `header` may follow `chain` at `height`. `pow_value` is its
    proof-of-work hash when computed beforehand (scrypt, on a thread pool)."""
    if header.prev != chain.hash_at(height - 1):
        raise SpvError(f"header {height}.prev does not match header {height - 1}")
    want = required_bits(rules, chain, height, header)
    if want is not None and header.bits != want:
        raise SpvError(f"header {height}.bits {header.bits:#010x}, the rules want {want:#010x}")
    target = bits_to_target(header.bits)
    if target <= 0 or target > rules.pow_limit:
        raise SpvError(f"header {height}.bits {header.bits:#010x} is outside the pow limit")
    if pow_value is None:
        pow_value = proof_of_work(rules, header)
    if pow_value > target:
        raise SpvError(f"header {height} lacks the proof of work its bits claim")
    if height - 1 >= chain.base_height + MTP_SPAN - 1 and header.time <= chain.median_time_past(
        height - 1
    ):
        raise SpvError(f"header {height}.time is not after the median time past")
    if (
        rules.bip94
        and height % rules.interval == 0
        and header.time < chain.time_at(height - 1) - MAX_TIMEWARP
    ):
        # The timewarp attack: a period's first block dated far before the previous
        # period's last one stretches the next measured timespan and lowers the difficulty.
        raise SpvError(
            f"header {height}.time is more than {MAX_TIMEWARP} s before header "
            f"{height - 1}'s (timewarp)"
        )


def merkle_root_from_proof(txid: str, pos: int, branch: Sequence[str]) -> bytes:
    """The merkle root (internal order) a branch (display-hex hashes) proves for `txid`."""
    if pos < 0 or pos >= 1 << len(branch):
        raise SpvError(f"merkle.pos {pos} does not fit a branch of {len(branch)}")
    node = bytes.fromhex(txid)[::-1]
    for depth, sibling_hex in enumerate(branch):
        sibling = bytes.fromhex(sibling_hex)[::-1]
        if len(sibling) != 32:
            raise SpvError("merkle.branch holds a hash of the wrong length")
        node = sha256d(sibling + node) if (pos >> depth) & 1 else sha256d(node + sibling)
    return node


def verify_merkle(
    header: Header, txid: str, raw_tx: bytes, pos: int, branch: Sequence[str]
) -> None:
    """Raise SpvError unless `header` commits to `txid` at `pos` through `branch`."""
    if len(raw_tx) == 64:
        # A 64-byte "transaction" can pose as an inner merkle node.
        raise SpvError("a 64-byte transaction cannot be proven")
    if merkle_root_from_proof(txid, pos, branch) != header.merkle_root:
        raise SpvError(f"merkle proof of {txid} does not match block {header.hash_hex}")
