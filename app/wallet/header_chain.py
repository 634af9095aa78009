"""The most-work chain of verified headers from the checkpoint up, kept compact.

A mainnet chain is hundreds of thousands of headers beyond its checkpoint (Litecoin: over a
million), so the headers are kept as what they are on the wire: 80 raw bytes each, one after
another in one bytearray, the one at height h at offset 80 * (h - base). Everything else is
read from those bytes when asked for: a header's time and bits (4 bytes each), its hash (a
double SHA-256, about a microsecond), a parsed `Header`. What is kept beside them: the tip's
hash and chain work, and the cumulative work at every WORK_STRIDE-th header, from which the
work up to any height is summed over at most WORK_STRIDE - 1 headers. No map of hashes: every
question asked of the chain names a height (a merkle proof comes with its block's height, a
batch of headers with its first one's), so a hash is only ever compared with ours there.

A branch being checked (`connect`) is a view over our bytes below the fork plus its own
bytes, so a reorg or a plain extension copies only the new headers. Its scrypt proofs of work
are hashed ahead on a few threads (app/wallet/spv_pow.py); every rule is still checked in
height order on the calling thread.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from app.wallet.spv import (
    HEADER_SIZE,
    MTP_SPAN,
    ChainRules,
    Header,
    SpvError,
    check_header,
    parse_header,
    work_of,
)
from app.wallet.spv_pow import PowBatch, default_workers
from dexproto.crypto import sha256d

WORK_STRIDE = 2016
_U32 = struct.Struct("<I")
_TIME, _BITS = 68, 72  # offsets of those fields in a raw header


def _median(times: Sequence[int]) -> int:
    return sorted(times)[len(times) // 2]


class _RawHeaders:
    """Reading headers out of raw bytes by height; subclasses say where a height's bytes lie."""

    base_height: int

    def _locate(self, height: int) -> tuple[bytes | bytearray, int]:
        raise NotImplementedError

    @property
    def tip_height(self) -> int:
        raise NotImplementedError

    def raw_at(self, height: int) -> bytes:
        buf, offset = self._locate(height)
        raw = bytes(buf[offset : offset + HEADER_SIZE])
        if len(raw) != HEADER_SIZE:  # the chain shrank under us (a reorg on another thread)
            raise SpvError(f"no header at height {height}")
        return raw

    def at(self, height: int) -> Header:
        return parse_header(self.raw_at(height))

    def hash_at(self, height: int) -> bytes:
        return sha256d(self.raw_at(height))

    def time_at(self, height: int) -> int:
        return self._field(height, _TIME)

    def bits_at(self, height: int) -> int:
        return self._field(height, _BITS)

    def _field(self, height: int, at: int) -> int:
        buf, offset = self._locate(height)
        try:
            return int(_U32.unpack_from(buf, offset + at)[0])
        except struct.error:  # as in raw_at
            raise SpvError(f"no header at height {height}") from None

    def median_time_past(self, height: int) -> int:
        start = max(self.base_height, height - MTP_SPAN + 1)
        return _median([self.time_at(h) for h in range(start, height + 1)])


class HeaderChain(_RawHeaders):
    """The most-work chain of verified headers we know, from the checkpoint up."""

    def __init__(self, rules: ChainRules, checkpoint_header: bytes) -> None:
        header = parse_header(checkpoint_header)
        if header.hash_hex != rules.checkpoint.hash:
            raise SpvError(
                f"the checkpoint header hashes to {header.hash_hex}, not {rules.checkpoint.hash}"
            )
        self.rules = rules
        self.base_height = rules.checkpoint.height
        self._raw = bytearray(header.raw)
        self._tip_hash = header.hash
        self._work = work_of(header.bits)
        self._marks = [self._work]  # cumulative work through index k * WORK_STRIDE
        self.pow_workers = default_workers()  # threads hashing a batch's scrypt PoW

    # -- reading ---------------------------------------------------------------------------
    def _locate(self, height: int) -> tuple[bytes | bytearray, int]:
        index = height - self.base_height
        if index < 0 or index * HEADER_SIZE >= len(self._raw):
            raise SpvError(f"no header at height {height}")
        return self._raw, index * HEADER_SIZE

    @property
    def tip_height(self) -> int:
        return self.base_height + len(self._raw) // HEADER_SIZE - 1

    @property
    def tip(self) -> Header:
        return self.at(self.tip_height)

    @property
    def work(self) -> int:
        """The chain work up to our tip."""
        return self._work

    @property
    def storage_bytes(self) -> int:
        """Bytes held for the headers themselves: 80 per header, nothing per header besides."""
        return len(self._raw)

    def work_at(self, height: int) -> int:
        """The chain work from the checkpoint up to `height` (ours)."""
        if height == self.tip_height:
            return self._work
        index = height - self.base_height
        self._locate(height)
        mark = index // WORK_STRIDE
        work = self._marks[mark]
        for h in range(self.base_height + mark * WORK_STRIDE + 1, height + 1):
            work += work_of(self.bits_at(h))
        return work

    def raw_from(self, height: int) -> bytes:
        """Our raw headers from `height` to the tip, one after another."""
        return bytes(self._raw[(height - self.base_height) * HEADER_SIZE :])

    def has(self, height: int, block_hash: str) -> bool:
        return (
            self.base_height <= height <= self.tip_height
            and self.hash_at(height)[::-1].hex() == block_hash
        )

    def median_time_past(self, height: int | None = None) -> int:
        return super().median_time_past(self.tip_height if height is None else height)

    # -- growing ---------------------------------------------------------------------------
    def extend_linked(self, raws: bytes) -> int:
        """Append the leading headers of `raws` (concatenated, verified before: our own
        header file) that each name the one before as their parent; the chain rules and
        proof of work are not checked again. The count taken."""
        prev, work, index = self._tip_hash, self._work, len(self._raw) // HEADER_SIZE
        marks: list[int] = []
        end = 0
        for end in range(0, len(raws) - HEADER_SIZE + 1, HEADER_SIZE):
            raw = raws[end : end + HEADER_SIZE]
            if raw[4:36] != prev:
                break
            prev = sha256d(raw)
            work += work_of(int.from_bytes(raw[_BITS : _BITS + 4], "little"))
            if index % WORK_STRIDE == 0:
                marks.append(work)
            index += 1
        else:
            end = len(raws) - len(raws) % HEADER_SIZE
        self._raw += raws[:end]
        self._marks += marks
        self._tip_hash, self._work = prev, work
        return end // HEADER_SIZE

    def extend_verified(self, raws: bytes) -> None:
        """Append headers verified before (concatenated); SpvError, naming the height, at
        the first that does not name the one before it (the ones before it are kept)."""
        if len(raws) % HEADER_SIZE:
            raise SpvError(f"stored headers are {len(raws)} bytes, not a multiple of 80")
        if self.extend_linked(raws) * HEADER_SIZE < len(raws):
            raise SpvError(
                f"stored header {self.tip_height + 1} does not link to header {self.tip_height}"
            )

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
        branch = _Branch(self, start_height - self.base_height)
        held = [
            start_height + offset <= self.tip_height and self.raw_at(start_height + offset) == raw
            for offset, raw in enumerate(raws)
        ]
        to_hash = [None if known else raw for known, raw in zip(held, raws, strict=True)]
        with PowBatch(self.rules, to_hash, self.pow_workers) as pow_values:
            for offset, raw in enumerate(raws):
                height = start_height + offset
                header = parse_header(raw)
                if held[offset]:
                    # A header we hold (checked when we took it); it must still link up.
                    if header.prev != branch.hash_at(height - 1):
                        raise SpvError(f"header {height}.prev does not match header {height - 1}")
                else:
                    check_header(self.rules, branch, height, header, pow_values.value(offset))
                branch.append(header)
        if branch.work <= self._work:
            return False  # a valid branch, but not more work than ours: keep ours
        self._adopt(branch)
        return True

    def _adopt(self, branch: _Branch) -> None:
        keep = branch.keep
        # One slice assignment: a reader on another thread sees the old tail or the new one.
        self._raw[keep * HEADER_SIZE :] = branch.new
        self._marks = self._marks[: (keep - 1) // WORK_STRIDE + 1] + branch.marks
        self._tip_hash, self._work = branch.tip_hash, branch.work


class _Branch(_RawHeaders):
    """A candidate chain: our first `keep` headers, then its own (not yet ours)."""

    def __init__(self, chain: HeaderChain, keep: int) -> None:
        self.base_height = chain.base_height
        self.keep = keep
        self.new = bytearray()
        self.marks: list[int] = []  # as HeaderChain._marks, for indices from `keep` on
        self._chain = chain
        top = self.base_height + keep - 1
        self.tip_hash = chain.hash_at(top)
        self.work = chain.work_at(top)
        # The times of the last MTP_SPAN headers: the median time past at our tip, which
        # every next header is checked against, without reading 11 headers each time.
        self._recent = [
            chain.time_at(h) for h in range(max(self.base_height, top - MTP_SPAN + 1), top + 1)
        ]

    @property
    def tip_height(self) -> int:
        return self.base_height + self.keep + len(self.new) // HEADER_SIZE - 1

    def _locate(self, height: int) -> tuple[bytes | bytearray, int]:
        index = height - self.base_height
        if 0 <= index < self.keep:
            return self._chain._raw, index * HEADER_SIZE
        offset = (index - self.keep) * HEADER_SIZE
        if index < 0 or offset >= len(self.new):
            raise SpvError(f"no header at height {height}")
        return self.new, offset

    def hash_at(self, height: int) -> bytes:
        return self.tip_hash if height == self.tip_height else super().hash_at(height)

    def median_time_past(self, height: int) -> int:
        if height == self.tip_height:
            return _median(self._recent)
        return super().median_time_past(height)

    def append(self, header: Header) -> None:
        index = self.keep + len(self.new) // HEADER_SIZE
        self.new += header.raw
        self.tip_hash = header.hash
        self.work += work_of(header.bits)
        if index % WORK_STRIDE == 0:
            self.marks.append(self.work)
        self._recent.append(header.time)
        if len(self._recent) > MTP_SPAN:
            del self._recent[0]
