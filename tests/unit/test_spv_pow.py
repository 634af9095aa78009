"""Scrypt proof of work hashed ahead on a thread pool: the same hashes, the same chain, and a
batch with one bad header refused at that header, named by its height, as without the pool."""

from __future__ import annotations

import threading

import pytest

from app.wallet import spv_pow
from app.wallet.header_chain import HeaderChain
from app.wallet.spv import SpvError, bits_to_target, pow_hash
from app.wallet.spv_params import BTC_REGTEST, LTC_REGTEST
from app.wallet.spv_pow import MIN_PARALLEL, PowBatch
from tests.headerchains import extend, mine, regtest_chain

COUNT = MIN_PARALLEL + 72  # three chunks and a part


@pytest.fixture(scope="module")
def mined() -> tuple[bytes, list[bytes]]:
    _, genesis = regtest_chain()
    return genesis, extend(genesis, COUNT, 1_296_700_000)


def fresh(workers: int) -> HeaderChain:
    chain, _ = regtest_chain()
    chain.pow_workers = workers
    return chain


def without_work(raw: bytes) -> bytes:
    """`raw` with a nonce whose scrypt hash misses the regtest target."""
    for nonce in range(1 << 16):
        forged = raw[:76] + nonce.to_bytes(4, "little")
        if pow_hash(LTC_REGTEST, forged) > bits_to_target(0x207FFFFF):
            return forged
    raise AssertionError("every nonce passes")


def test_the_pool_gives_each_headers_hash_and_skips_the_held(
    mined: tuple[bytes, list[bytes]],
) -> None:
    _, raws = mined
    asked: list[bytes | None] = [None if i % 5 == 0 else raw for i, raw in enumerate(raws)]
    with PowBatch(LTC_REGTEST, asked, workers=2) as batch:
        assert batch.parallel
        got = [batch.value(i) for i in range(len(raws))]
    assert got == [None if raw is None else pow_hash(LTC_REGTEST, raw) for raw in asked]
    # No pool where it does not pay: Bitcoin (the PoW is the block id), one core, a few headers.
    assert not PowBatch(BTC_REGTEST, raws, workers=2).parallel
    assert not PowBatch(LTC_REGTEST, raws, workers=1).parallel
    assert not PowBatch(LTC_REGTEST, raws[: MIN_PARALLEL - 1], workers=2).parallel
    assert 1 <= spv_pow.default_workers() <= spv_pow.MAX_WORKERS


def test_a_parallel_batch_builds_the_same_chain(
    mined: tuple[bytes, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, raws = mined
    threads: set[str] = set()
    real = spv_pow.pow_hash

    def spy(rules: object, raw: bytes) -> int:
        threads.add(threading.current_thread().name)
        return real(LTC_REGTEST, raw)

    monkeypatch.setattr(spv_pow, "pow_hash", spy)
    parallel, sequential = fresh(2), fresh(1)
    assert parallel.connect(1, raws) and sequential.connect(1, raws)
    assert threads and all(name.startswith("spv-pow") for name in threads)
    assert parallel.raw_from(0) == sequential.raw_from(0)
    assert parallel.work == sequential.work


@pytest.mark.parametrize("workers", [2, 1])
def test_one_bad_header_in_a_batch_is_refused_by_its_height(
    mined: tuple[bytes, list[bytes]], workers: int
) -> None:
    _, raws = mined
    bad = 150  # in the third chunk; the headers after it no longer link either
    forged = [*raws[:bad], without_work(raws[bad]), *raws[bad + 1 :]]
    chain = fresh(workers)
    with pytest.raises(SpvError, match=f"header {bad + 1} lacks the proof of work"):
        chain.connect(1, forged)
    assert chain.tip_height == 0
    # An earlier header that breaks another rule is the one named.
    stray = mine(b"\x00" * 32, 1_296_700_000 + 40 * 60)
    forged[40] = stray
    with pytest.raises(SpvError, match=r"header 41\.prev does not match header 40"):
        chain.connect(1, forged)
    # A batch starting with headers we hold: only the new ones are hashed and checked.
    assert chain.connect(1, raws[:20])
    with pytest.raises(SpvError, match=f"header {bad + 1} lacks the proof of work"):
        chain.connect(1, [*raws[:bad], without_work(raws[bad])])
    assert chain.tip_height == 20
