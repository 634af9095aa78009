"""SPV difficulty rules from a checkpoint: the pinned checkpoints against real headers, BIP94
(testnet4: the 20-minute exception, the retarget base, the timewarp rule) and Litecoin's
retarget window on synthetic headers with short periods, both ways (right ones pass, wrong
ones are refused)."""

from __future__ import annotations

import dataclasses

import pytest

from app.wallet.header_chain import HeaderChain
from app.wallet.spv import (
    MAX_TIMEWARP,
    ChainRules,
    Checkpoint,
    Header,
    SpvError,
    _calculate_retarget,
    bits_to_target,
    check_header,
    parse_header,
    pow_hash,
)
from app.wallet.spv_params import (
    BTC_MAINNET,
    BTC_REGTEST,
    BTC_TESTNET4,
    LTC_MAINNET,
    LTC_REGTEST,
    LTC_TESTNET,
    candidate_rules,
)
from dexproto.assets import Network

ALL_RULES = (BTC_MAINNET, BTC_TESTNET4, BTC_REGTEST, LTC_MAINNET, LTC_TESTNET, LTC_REGTEST)

# Real mainnet headers around the Bitcoin checkpoint (558,431 is the checkpoint, 558,432 the
# first block of the next period), as in bitcoin-spv's public retarget vectors.
BTC_558431 = bytes.fromhex(
    "0000402022c9973a4f6c0623105f2a5d0dc349773848a4f02de60f000000000000000000e88eabc4c6398c80"
    "cea87f6d1d662c6640de4719f7949ae85afe75746dd04abbabef3b5ca5183217f6d45f41"
)
BTC_558432 = bytes.fromhex(
    "00c0ff2f6550b5dae76559589e3e3e135237072b6bc498949da6280000000000000000005988783435f506d2"
    "ccfbadb484e56d6f1d5dfdd480650acae1e3b43d3464ea73caf13b5c33d62f171d508fdb"
)
# Litecoin block 1,798,272, the first after the Litecoin checkpoint (horizontalsystems'
# bitcoin-kit-android lists its fields).
LTC_1798272 = bytes.fromhex(
    "00000020a6c48405d048a5320d3935dc0fbc67f7281a0248aa8a806980a38553d820bba5983169d2d72e09a3"
    "79164a08adb027c471f4cb0488db846e1c3c6a8e6f89c529df405b5e9d9e021aaeef0c03"
)


# -- the pinned checkpoints ---------------------------------------------------------------
@pytest.mark.parametrize("rules", ALL_RULES, ids=lambda r: r.name)
def test_each_checkpoint_is_genesis_or_the_last_block_of_a_period(rules: ChainRules) -> None:
    cp = rules.checkpoint
    if cp.height == 0:
        assert cp.hash == rules.genesis and cp.next_bits is None
        return
    assert rules.retarget and (cp.height + 1) % rules.interval == 0
    assert cp.next_bits is not None
    assert 0 < bits_to_target(cp.next_bits) <= rules.pow_limit
    if rules.pow == "sha256d":
        # The block id is its proof of work: below its own target, which is at most four
        # times the next period's (the retarget clamp).
        assert int(cp.hash, 16) < 4 * bits_to_target(cp.next_bits)


def test_mainnets_start_past_genesis_and_testnets_and_regtest_at_it() -> None:
    assert BTC_MAINNET.checkpoint.height == 558_431
    assert LTC_MAINNET.checkpoint.height == 1_798_271
    for rules in (BTC_TESTNET4, BTC_REGTEST, LTC_TESTNET, LTC_REGTEST):
        assert rules.checkpoint.height == 0
    assert candidate_rules("btc", Network.TESTNET) == (BTC_TESTNET4,)


def test_the_bitcoin_checkpoint_accepts_the_real_next_header() -> None:
    assert parse_header(BTC_558431).hash_hex == BTC_MAINNET.checkpoint.hash
    chain = HeaderChain(BTC_MAINNET, BTC_558431)
    assert chain.connect(558_432, [BTC_558432])
    assert chain.tip.hash_hex == "00000000000000000021ac236d0b29b4467f99c2c8783032451ba7b735045e3c"


def test_the_bitcoin_checkpoint_refuses_headers_that_do_not_fit() -> None:
    chain = HeaderChain(BTC_MAINNET, BTC_558431)
    # The old period's bits (the checkpoint's own) are no longer the rule.
    old_bits = BTC_558432[:72] + BTC_558431[72:76] + BTC_558432[76:]
    with pytest.raises(SpvError, match="rules want"):
        chain.connect(558_432, [old_bits])
    wrong_prev = BTC_558432[:4] + b"\x00" * 32 + BTC_558432[36:]
    with pytest.raises(SpvError, match="prev"):
        chain.connect(558_432, [wrong_prev])
    with pytest.raises(SpvError, match="do not connect"):
        chain.connect(558_431, [BTC_558431])  # nothing at or below the checkpoint
    with pytest.raises(SpvError, match="checkpoint"):
        HeaderChain(BTC_MAINNET, BTC_558432)
    assert chain.tip_height == 558_431


class _Pinned:
    """A view holding only the checkpoint, known by hash (we have no raw header for it)."""

    def __init__(self, rules: ChainRules) -> None:
        self.base_height = rules.checkpoint.height
        self._hash = bytes.fromhex(rules.checkpoint.hash)[::-1]
        self._bits = rules.pow_limit_bits

    def _only(self, height: int) -> None:
        if height != self.base_height:
            raise SpvError(f"no header at height {height}")

    def at(self, height: int) -> Header:
        self._only(height)
        return Header(b"", 0, b"\x00" * 32, b"\x00" * 32, 0, self._bits, 0, self._hash)

    def hash_at(self, height: int) -> bytes:
        return self.at(height).hash

    def bits_at(self, height: int) -> int:
        return self.at(height).bits

    def time_at(self, height: int) -> int:
        return self.at(height).time

    def median_time_past(self, height: int) -> int:
        return self.at(height).time


def _pinned(rules: ChainRules) -> _Pinned:
    return _Pinned(rules)


def test_the_litecoin_checkpoint_accepts_the_real_next_header() -> None:
    header = parse_header(LTC_1798272)
    assert header.hash_hex == "3ea393edec1c0672a8e5514f7fd7f82ea0db792139144ec8a8941978321751fe"
    check_header(LTC_MAINNET, _pinned(LTC_MAINNET), 1_798_272, header)
    # The same header under Bitcoin's proof of work, or with other bits, is refused.
    with pytest.raises(SpvError, match="proof of work"):
        check_header(
            dataclasses.replace(LTC_MAINNET, pow="sha256d"), _pinned(LTC_MAINNET), 1_798_272, header
        )
    easier = parse_header(LTC_1798272[:72] + (0x1A02A000).to_bytes(4, "little") + LTC_1798272[76:])
    with pytest.raises(SpvError, match="rules want"):
        check_header(LTC_MAINNET, _pinned(LTC_MAINNET), 1_798_272, easier)


# -- synthetic chains with 16-block periods ------------------------------------------------
INTERVAL = 16
LIMIT = (1 << 255) - 1
LIMIT_BITS = 0x207FFFFF
REAL_BITS = 0x2000FFFF  # 1 nonce in 128 passes: "real" work next to the limit's 1 in 2
T0 = 1_714_777_860
TESTNET4_LIKE = ChainRules(
    "t4",
    "sha256d",
    "00" * 32,
    Checkpoint(0, "00" * 32),
    LIMIT,
    600,
    INTERVAL * 600,
    interval=INTERVAL,
    min_difficulty=True,
    bip94=True,
)


def header_bytes(prev: bytes, time: int, bits: int, nonce: int) -> bytes:
    return (
        (0x20000000).to_bytes(4, "little")
        + prev
        + b"\x22" * 32
        + time.to_bytes(4, "little")
        + bits.to_bytes(4, "little")
        + nonce.to_bytes(4, "little")
    )


def mine(rules: ChainRules, prev: bytes, time: int, bits: int) -> bytes:
    for nonce in range(1 << 20):
        raw = header_bytes(prev, time, bits, nonce)
        if pow_hash(rules, raw) <= bits_to_target(bits):
            return raw
    raise AssertionError("no nonce found")


class Builder:
    """A chain from a synthetic checkpoint at INTERVAL - 1 (the last block of period 0)."""

    def __init__(self, rules: ChainRules, checkpoint_bits: int = REAL_BITS) -> None:
        cp = mine(rules, b"\x33" * 32, T0, checkpoint_bits)
        self.rules = dataclasses.replace(
            rules, checkpoint=Checkpoint(INTERVAL - 1, parse_header(cp).hash_hex, REAL_BITS)
        )
        self.chain = HeaderChain(self.rules, cp)

    @property
    def next_height(self) -> int:
        return self.chain.tip_height + 1

    def make(self, delay: int, bits: int) -> bytes:
        tip = self.chain.tip
        return mine(self.rules, tip.hash, tip.time + delay, bits)

    def add(self, delay: int = 600, bits: int = REAL_BITS) -> bytes:
        raw = self.make(delay, bits)
        assert self.chain.connect(self.next_height, [raw])
        return raw

    def refuses(self, raw: bytes, match: str) -> None:
        with pytest.raises(SpvError, match=match):
            self.chain.connect(self.next_height, [raw])


def test_the_20_minute_exception_and_the_walk_back() -> None:
    b = Builder(TESTNET4_LIKE)
    b.add()  # 16: the period's first block, the checkpoint's next bits
    b.add()  # 17
    # Not 20 minutes late: the minimum difficulty is refused.
    b.refuses(b.make(1200, LIMIT_BITS), "rules want")
    # More than 20 minutes late: only the minimum difficulty is allowed.
    b.refuses(b.make(1201, REAL_BITS), "rules want")
    b.add(1201, LIMIT_BITS)  # 18
    b.add(1300, LIMIT_BITS)  # 19
    # Back on time: the bits of the last block without the exception (17), not the limit.
    b.refuses(b.make(600, LIMIT_BITS), "rules want")
    b.add(600, REAL_BITS)  # 20


def test_a_min_difficulty_checkpoint_does_not_break_the_walk_back() -> None:
    # The checkpoint itself was mined under the exception: the period after it starts from
    # the pinned next bits, and the walk stops at that period's first block.
    b = Builder(TESTNET4_LIKE, checkpoint_bits=LIMIT_BITS)
    b.refuses(b.make(5000, LIMIT_BITS), "rules want")  # a retarget block has no exception
    b.add(5000, REAL_BITS)  # 16
    b.refuses(b.make(600, LIMIT_BITS), "rules want")
    b.add(600, REAL_BITS)  # 17


def fill_period(b: Builder, last_late: bool) -> None:
    """Blocks up to the end of period 1 (height 31), the last one under the exception."""
    while b.next_height < 2 * INTERVAL - 1:
        b.add()
    if last_late:
        b.add(1500, LIMIT_BITS)
    else:
        b.add()


def test_bip94_retargets_from_the_first_block_of_the_period() -> None:
    b = Builder(TESTNET4_LIKE)
    fill_period(b, last_late=True)
    first, last = b.chain.at(INTERVAL), b.chain.at(2 * INTERVAL - 1)
    assert last.bits == LIMIT_BITS
    want = _calculate_retarget(TESTNET4_LIKE, last, first)
    testnet3 = _calculate_retarget(dataclasses.replace(TESTNET4_LIKE, bip94=False), last, first)
    assert want != testnet3 and bits_to_target(want) < bits_to_target(testnet3)
    # testnet3's rule (the last block's bits) would reset the next period to about the limit.
    b.refuses(b.make(600, testnet3), "rules want")
    b.add(600, want)  # 32


@pytest.mark.parametrize("bip94", [True, False])
def test_the_timewarp_rule_binds_a_periods_first_block(bip94: bool) -> None:
    b = Builder(dataclasses.replace(TESTNET4_LIKE, bip94=bip94))
    fill_period(b, last_late=False)
    first, last = b.chain.at(INTERVAL), b.chain.at(2 * INTERVAL - 1)
    bits = _calculate_retarget(b.rules, last, first)
    early = b.make(-MAX_TIMEWARP - 1, bits)
    if bip94:
        b.refuses(early, "timewarp")
        b.add(-MAX_TIMEWARP, bits)  # exactly 600 s earlier is allowed
    else:
        b.add(-MAX_TIMEWARP - 1, bits)  # testnet3 and mainnet rules have no such check
    # Inside a period an earlier time is only bound by the median time past.
    b.add(-MAX_TIMEWARP - 1, bits)


def test_a_litecoin_retarget_looks_back_to_the_checkpoint() -> None:
    rules = ChainRules(
        "ltc-like",
        "scrypt",
        "00" * 32,
        Checkpoint(0, "00" * 32),
        LIMIT,
        150,
        INTERVAL * 150,
        interval=INTERVAL,
        litecoin_lookback=True,
    )
    b = Builder(rules)
    while b.next_height < 2 * INTERVAL:
        b.add(100)  # fast blocks: the difficulty rises
    # Litecoin measures the period from block 15, the checkpoint: a header for 32 is checked.
    want = _calculate_retarget(b.rules, b.chain.tip, b.chain.at(INTERVAL - 1))
    assert bits_to_target(want) < bits_to_target(REAL_BITS)
    b.refuses(b.make(100, REAL_BITS), "rules want")
    b.add(100, want)
