"""The compact header chain: raw 80-byte headers in one buffer and nothing per header beside
them; what it answers (headers, hashes, times, chain work) read back from those bytes, through
extensions, reorgs and the header file."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import pytest

from app.wallet.header_chain import WORK_STRIDE, HeaderChain
from app.wallet.header_store import _CHUNK, HeaderStore
from app.wallet.spv import HEADER_SIZE, SpvError, parse_header, work_of
from dexproto.crypto import sha256d
from tests.headerchains import extend, mine, regtest_chain, unmined

T0 = 1_296_700_000


def split(blob: bytes) -> list[bytes]:
    return [blob[i : i + HEADER_SIZE] for i in range(0, len(blob), HEADER_SIZE)]


def brute_work(chain: HeaderChain, height: int) -> int:
    return sum(work_of(chain.at(h).bits) for h in range(chain.base_height, height + 1))


def test_headers_read_back_as_they_were_taken() -> None:
    chain, genesis = regtest_chain()
    raws = extend(genesis, 12, T0)
    assert chain.connect(1, raws)
    assert chain.raw_from(0) == genesis + b"".join(raws)
    for height, raw in enumerate([genesis, *raws]):
        header = parse_header(raw)
        assert chain.at(height) == header
        assert chain.hash_at(height) == header.hash == sha256d(raw)
        assert (chain.time_at(height), chain.bits_at(height)) == (header.time, header.bits)
        assert chain.has(height, header.hash_hex)
    assert chain.tip == parse_header(raws[-1])
    assert not chain.has(13, chain.tip.hash_hex)
    assert chain.median_time_past() == sorted(parse_header(r).time for r in raws[-11:])[5]
    with pytest.raises(SpvError, match="no header at height 13"):
        chain.at(13)
    with pytest.raises(SpvError, match="no header at height -1"):
        chain.time_at(-1)


def test_the_chain_holds_80_bytes_a_header_and_a_mark_per_stride() -> None:
    chain, genesis = regtest_chain()
    count = 3 * WORK_STRIDE + 5
    chain.extend_verified(unmined(genesis, count, T0))
    assert chain.tip_height == count
    assert chain.storage_bytes == (count + 1) * HEADER_SIZE
    assert len(chain._marks) == 4  # indices 0, 2016, 4032, 6048


def test_the_chain_allocates_about_80_bytes_a_header() -> None:
    chain, genesis = regtest_chain()
    blob = unmined(genesis, 20_000, T0)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        chain.extend_verified(blob)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # One Python object a header (a parsed Header, a bytes, an int) would be > 100 bytes.
    assert 20_000 * HEADER_SIZE <= held < 20_000 * 90


def test_chain_work_at_any_height_matches_the_sum_of_the_headers() -> None:
    chain, genesis = regtest_chain()
    # Bits vary (links are all the file load checks), so each height's work differs.
    chain.extend_verified(unmined(genesis, 2 * WORK_STRIDE + 40, T0, [0x207FFFFF, 0x1F7FFFFF]))
    running = 0
    for height in range(chain.tip_height + 1):
        running += work_of(chain.bits_at(height))
        if height % 97 == 0 or abs(height % WORK_STRIDE - 1) <= 1:
            assert chain.work_at(height) == running, height
    assert chain.work == running == chain.work_at(chain.tip_height)


def test_a_reorg_replaces_the_tail_and_its_work_marks() -> None:
    chain, genesis = regtest_chain()
    # Up to just past a stride mark, the last 30 at the limit bits (a mined fork follows).
    head = unmined(genesis, WORK_STRIDE - 30, T0, [0x207FFFFF, 0x1F7FFFFF])
    chain.extend_verified(head)
    tail = unmined(head[-HEADER_SIZE:], 34, T0 + WORK_STRIDE * 60)
    chain.extend_verified(tail)
    assert chain.tip_height == WORK_STRIDE + 4 and len(chain._marks) == 2
    fork_at = WORK_STRIDE - 10
    before = genesis + head + tail
    branch = extend(chain.at(fork_at - 1).raw, 20, T0 + 10 * WORK_STRIDE * 60, salt=3)
    assert chain.connect(fork_at, branch)
    assert chain.tip_height == fork_at + 19
    assert chain.storage_bytes == (fork_at + 20) * HEADER_SIZE
    assert len(chain._marks) == 2  # the old tail's mark at 2016 replaced by the branch's
    assert chain.raw_from(0) == before[: fork_at * HEADER_SIZE] + b"".join(branch)
    for height in (fork_at - 1, fork_at, WORK_STRIDE - 1, WORK_STRIDE, WORK_STRIDE + 1):
        assert chain.work_at(height) == brute_work(chain, height), height
    assert chain.work == brute_work(chain, chain.tip_height)
    # The old tail is gone; a header on the new tip links to it.
    replaced = split(before)[fork_at]
    assert not chain.has(fork_at, parse_header(replaced).hash_hex)
    assert chain.has(fork_at, parse_header(branch[0]).hash_hex)
    assert chain.connect(chain.tip_height + 1, [mine(chain.tip.hash, T0 + 20 * WORK_STRIDE * 60)])


def test_a_weaker_branch_leaves_the_bytes_alone() -> None:
    chain, genesis = regtest_chain()
    main = extend(genesis, 6, T0)
    chain.connect(1, main)
    before = chain.raw_from(0), chain.work
    assert not chain.connect(4, extend(main[2], 2, T0 + 10_000, salt=1))
    assert (chain.raw_from(0), chain.work) == before


def test_a_file_larger_than_a_read_loads_up_to_the_first_break(tmp_path: Path) -> None:
    chain, genesis = regtest_chain()
    count = _CHUNK // HEADER_SIZE + 500
    chain.extend_verified(unmined(genesis, count, T0))
    store = HeaderStore(tmp_path, chain.rules)
    store.save(chain, 1)
    loaded = HeaderStore(tmp_path, chain.rules).load()
    assert loaded is not None and loaded.raw_from(0) == chain.raw_from(0)
    assert loaded.work == chain.work and loaded.work_at(4000) == chain.work_at(4000)
    # A header past the first read that does not link ends what is kept.
    data = bytearray(store.path.read_bytes())
    broken = count - 100
    data[broken * HEADER_SIZE + 4] ^= 0xFF
    store.path.write_bytes(bytes(data))
    loaded = HeaderStore(tmp_path, chain.rules).load()
    assert loaded is not None and loaded.tip_height == broken - 1
    assert loaded.storage_bytes == broken * HEADER_SIZE


def test_stored_headers_are_taken_up_to_the_break_and_the_height_is_named() -> None:
    chain, genesis = regtest_chain()
    blob = bytearray(unmined(genesis, 10, T0))
    blob[6 * HEADER_SIZE + 4] ^= 0xFF
    with pytest.raises(SpvError, match="stored header 7 does not link to header 6"):
        chain.extend_verified(bytes(blob))
    assert chain.tip_height == 6
    with pytest.raises(SpvError, match="multiple of 80"):
        chain.extend_verified(b"\x00" * 81)
