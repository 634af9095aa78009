"""SPV header sync: headers per second our header chain checks, from a checkpoint, and what
the chain costs to hold and to load.

spv.headers_per_s.sha256d   Bitcoin proof of work (double SHA-256)
spv.headers_per_s.scrypt    Litecoin proof of work (scrypt N=1024, r=1, p=1: hashlib.scrypt,
                            i.e. OpenSSL's), hashed on the chain's thread pool
                            (app/wallet/spv_pow.py: min(cores, 4) threads)
spv.headers_per_s.scrypt.1thread   the same on the calling thread alone
spv.bytes_per_header        memory the chain holds per header after that sync (tracemalloc:
                            what the chain allocated, over the headers it took; the sha256d set)
spv.load_headers_per_s      headers/s a restart reads back from the header file
                            (`HeaderStore.load`: link check and chain work, no PoW)

Synthetic headers at the regtest limit (mined here, about two tries a header), fed to
`HeaderChain.connect` in batches of 2016 as the Electrum backend does: the full path of
each header — parse, its PoW hash, the bits rule, the link and the median time past, the
chain work. Regtest rules skip the retarget arithmetic, which runs once per 2016 headers and
costs nothing next to the hashing. Best of 3 (least disturbed run).
"""

from __future__ import annotations

import dataclasses
import gc
import tempfile
import time
import tracemalloc
from pathlib import Path

from app.wallet.header_chain import HeaderChain
from app.wallet.header_store import HeaderStore
from app.wallet.spv import (
    ChainRules,
    Checkpoint,
    bits_to_target,
    parse_header,
    pow_hash,
)
from app.wallet.spv_params import BTC_REGTEST, LTC_REGTEST
from benchmarks.framework import Result

BATCH = 2016
COUNTS = {"sha256d": 6 * BATCH, "scrypt": 2 * BATCH}
START_HEIGHT = 2016 * 400 - 1
ROUNDS = 3


def _header(prev: bytes, t: int, bits: int, nonce: int) -> bytes:
    return (
        (0x20000000).to_bytes(4, "little")
        + prev
        + b"\x44" * 32
        + t.to_bytes(4, "little")
        + bits.to_bytes(4, "little")
        + nonce.to_bytes(4, "little")
    )


def _mine(rules: ChainRules, prev: bytes, t: int) -> bytes:
    bits = rules.pow_limit_bits
    target = bits_to_target(bits)
    nonce = 0
    while True:
        raw = _header(prev, t, bits, nonce)
        if pow_hash(rules, raw) <= target:
            return raw
        nonce += 1


def _build(rules: ChainRules, count: int) -> tuple[ChainRules, bytes, list[bytes]]:
    start = _mine(rules, b"\x55" * 32, 1_700_000_000)
    rules = dataclasses.replace(
        rules, checkpoint=Checkpoint(START_HEIGHT, parse_header(start).hash_hex)
    )
    raws, prev = [], start
    for i in range(count):
        raw = _mine(rules, parse_header(prev).hash, 1_700_000_000 + 600 * (i + 1))
        raws.append(raw)
        prev = raw
    return rules, start, raws


def _sync(
    rules: ChainRules, start: bytes, raws: list[bytes], workers: int | None = None
) -> HeaderChain:
    chain = HeaderChain(rules, start)
    if workers is not None:
        chain.pow_workers = workers
    for offset in range(0, len(raws), BATCH):
        chain.connect(START_HEIGHT + 1 + offset, raws[offset : offset + BATCH])
    assert chain.tip_height == START_HEIGHT + len(raws)
    return chain


def _rate(rules: ChainRules, start: bytes, raws: list[bytes], workers: int | None = None) -> float:
    best = 0.0
    for _ in range(ROUNDS):
        began = time.perf_counter()
        _sync(rules, start, raws, workers)
        best = max(best, len(raws) / (time.perf_counter() - began))
    return best


def _bytes_per_header(rules: ChainRules, start: bytes, raws: list[bytes]) -> float:
    """What the synced chain holds, less what was allocated before (the input headers)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        chain = _sync(rules, start, raws)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert chain.tip_height == START_HEIGHT + len(raws)
    return held / len(raws)


def _load_rate(rules: ChainRules, start: bytes, raws: list[bytes]) -> float:
    with tempfile.TemporaryDirectory() as folder:
        store = HeaderStore(Path(folder), rules)
        store.save(_sync(rules, start, raws), START_HEIGHT + 1)
        best = 0.0
        for _ in range(ROUNDS):
            began = time.perf_counter()
            chain = HeaderStore(Path(folder), rules).load()
            elapsed = time.perf_counter() - began
            assert chain is not None and chain.tip_height == START_HEIGHT + len(raws)
            best = max(best, (len(raws) + 1) / elapsed)
    return best


def run() -> list[Result]:
    results = []
    for base in (BTC_REGTEST, LTC_REGTEST):
        rules, start, raws = _build(base, COUNTS[base.pow])
        results.append(
            Result(f"spv.headers_per_s.{base.pow}", _rate(rules, start, raws), "headers/s")
        )
        if base.pow == "scrypt":
            alone = _rate(rules, start, raws, workers=1)
            results.append(Result("spv.headers_per_s.scrypt.1thread", alone, "headers/s"))
        else:
            held = _bytes_per_header(rules, start, raws)
            results.append(Result("spv.bytes_per_header", held, "bytes", higher_is_better=False))
            load = _load_rate(rules, start, raws)
            results.append(Result("spv.load_headers_per_s", load, "headers/s"))
    return results
