"""SPV: our own header chain from a checkpoint, proof of work, difficulty rules, merkle proofs.

A light wallet cannot check transactions, but it can check that a block header carries the
work its chain demands and that a transaction is committed to by a header of the chain with
the most work. An Electrum server may then hide things from us (or be slow), but it cannot
make us believe a confirmation that did not happen. Pure code: no I/O.

PoW is picked by the chain actually run: Bitcoin double SHA-256, Litecoin scrypt(N=1024, r=1,
p=1). On this machine the BTC stand-in chain is a Litecoin regtest node, so its rules are
Litecoin's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

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


def work_of(bits: int) -> int:
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


def required_bits(
    rules: ChainRules, chain: HeaderLookup, height: int, header: Header
) -> int | None:
    """The bits `header` at `height` must carry; None when we cannot tell (the period
    started before our checkpoint)."""
    if not rules.retarget:
        return chain.at(height - 1).bits
    if height == rules.checkpoint.height + 1 and rules.checkpoint.next_bits is not None:
        return rules.checkpoint.next_bits
    last = chain.at(height - 1)
    if height % rules.interval != 0:
        if rules.min_difficulty:
            if header.time > last.time + 2 * rules.spacing:
                return rules.pow_limit_bits
            h, walk = height - 1, last
            while h % rules.interval != 0 and walk.bits == rules.pow_limit_bits:
                if h - 1 < chain.base_height:
                    return None
                h -= 1
                walk = chain.at(h)
            return walk.bits
        return last.bits
    back = rules.interval - 1
    if rules.litecoin_lookback and height != rules.interval:
        back = rules.interval
    first_height = height - 1 - back
    if first_height < chain.base_height:
        return None
    return _calculate_retarget(rules, last, chain.at(first_height))


class HeaderLookup:
    """Headers by height from `base_height` on (a chain or a candidate fork of it)."""

    def __init__(self, base_height: int, headers: list[Header]) -> None:
        self.base_height = base_height
        self.headers = headers

    def at(self, height: int) -> Header:
        index = height - self.base_height
        if index < 0 or index >= len(self.headers):
            raise SpvError(f"no header at height {height}")
        return self.headers[index]

    @property
    def tip_height(self) -> int:
        return self.base_height + len(self.headers) - 1

    def median_time_past(self, height: int) -> int:
        """Median time of the 11 blocks ending at `height` (fewer near our base)."""
        start = max(self.base_height, height - MTP_SPAN + 1)
        times = sorted(self.at(h).time for h in range(start, height + 1))
        return times[len(times) // 2]


def check_header(rules: ChainRules, chain: HeaderLookup, height: int, header: Header) -> None:
    """Raise SpvError unless `header` may follow `chain` at `height`."""
    prev = chain.at(height - 1)
    if header.prev != prev.hash:
        raise SpvError(f"header {height}.prev does not match header {height - 1}")
    want = required_bits(rules, chain, height, header)
    if want is not None and header.bits != want:
        raise SpvError(f"header {height}.bits {header.bits:#010x}, the rules want {want:#010x}")
    target = bits_to_target(header.bits)
    if target <= 0 or target > rules.pow_limit:
        raise SpvError(f"header {height}.bits {header.bits:#010x} is outside the pow limit")
    if pow_hash(rules, header.raw) > target:
        raise SpvError(f"header {height} lacks the proof of work its bits claim")
    if height - 1 >= chain.base_height + MTP_SPAN - 1 and header.time <= chain.median_time_past(
        height - 1
    ):
        raise SpvError(f"header {height}.time is not after the median time past")
    if rules.bip94 and height % rules.interval == 0 and header.time < prev.time - MAX_TIMEWARP:
        # The timewarp attack: a period's first block dated far before the previous
        # period's last one stretches the next measured timespan and lowers the difficulty.
        raise SpvError(
            f"header {height}.time is more than {MAX_TIMEWARP} s before header "
            f"{height - 1}'s (timewarp)"
        )


class HeaderChain:
    """The most-work chain of verified headers we know, from the checkpoint up."""

    def __init__(self, rules: ChainRules, checkpoint_header: bytes) -> None:
        header = parse_header(checkpoint_header)
        if header.hash_hex != rules.checkpoint.hash:
            raise SpvError(
                f"the checkpoint header hashes to {header.hash_hex}, not {rules.checkpoint.hash}"
            )
        self.rules = rules
        self._chain = HeaderLookup(rules.checkpoint.height, [header])
        self._work = [work_of(header.bits)]

    @property
    def base_height(self) -> int:
        return self._chain.base_height

    @property
    def tip_height(self) -> int:
        return self._chain.tip_height

    @property
    def tip(self) -> Header:
        return self._chain.at(self.tip_height)

    @property
    def work(self) -> int:
        return self._work[-1]

    def at(self, height: int) -> Header:
        return self._chain.at(height)

    def has(self, height: int, block_hash: str) -> bool:
        return (
            self.base_height <= height <= self.tip_height and self.at(height).hash_hex == block_hash
        )

    def median_time_past(self, height: int | None = None) -> int:
        return self._chain.median_time_past(self.tip_height if height is None else height)

    def extend_verified(self, raws: Sequence[bytes]) -> None:
        """Append headers verified before (our own header file): each must name the one
        before it; the chain rules and proof of work are not checked again."""
        for raw in raws:
            header = parse_header(raw)
            if header.prev != self.tip.hash:
                raise SpvError(
                    f"stored header {self.tip_height + 1} does not link to header {self.tip_height}"
                )
            self._chain.headers.append(header)
            self._work.append(self._work[-1] + work_of(header.bits))

    def connect(self, start_height: int, raws: Sequence[bytes]) -> bool:
        """Check `raws` (consecutive headers from `start_height`) and adopt them when the
        chain they make has more work than ours. True when our tip changed; SpvError when a
        header breaks a rule or does not connect to a header we have."""
        if not raws:
            return False
        if not self.base_height < start_height <= self.tip_height + 1:
            raise SpvError(
                f"headers from {start_height} do not connect to our chain "
                f"({self.base_height}..{self.tip_height})"
            )
        keep = start_height - self.base_height
        candidate = HeaderLookup(self.base_height, self._chain.headers[:keep])
        work = self._work[:keep]
        for offset, raw in enumerate(raws):
            header = parse_header(raw)
            height = start_height + offset
            if height <= self.tip_height and self.at(height).hash == header.hash:
                # A header we hold (checked when we took it); it must still link up.
                if header.prev != candidate.at(height - 1).hash:
                    raise SpvError(f"header {height}.prev does not match header {height - 1}")
            else:
                check_header(self.rules, candidate, height, header)
            candidate.headers.append(header)
            work.append(work[-1] + work_of(header.bits))
        if work[-1] <= self.work:
            return False  # a valid branch, but not more work than ours: keep ours
        self._chain, self._work = candidate, work
        return True


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
