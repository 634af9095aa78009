"""Epoch arithmetic and the deterministic shuffle of spec §8 (dexproto.epoch)."""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dexproto.epoch import (
    draw_stream,
    epoch_index,
    epoch_span,
    match_seed,
    rejection_limit,
    shuffle,
    shuffle_order_ids,
    uniform_below,
)
from dexproto.fairness import Problem, check_match_data
from dexproto.messages import MatchDataNote

TWO_64 = 2**64
oids = st.lists(st.binary(min_size=32, max_size=32), max_size=40, unique=True)


def reference_shuffle(items: list[bytes], seed: bytes) -> list[bytes]:
    """Independent rendering of the §8 text: a byte stream read 8 bytes at a time."""
    out = list(items)
    stream = b""
    counter = 0
    offset = 0

    def draw() -> int:
        nonlocal stream, counter, offset
        if offset == len(stream):
            stream += hashlib.sha256(seed + counter.to_bytes(8, "big")).digest()
            counter += 1
        value = int.from_bytes(stream[offset : offset + 8], "big")
        offset += 8
        return value

    for k in range(len(out) - 1, 0, -1):
        x = draw()
        while x >= TWO_64 - (TWO_64 % (k + 1)):
            x = draw()
        j = x % (k + 1)
        out[k], out[j] = out[j], out[k]
    return out


def test_draft_example_seconds() -> None:
    i = epoch_index(1562008475, 60)
    assert i == 26033474
    assert epoch_span(i, 60) == (1562008440, 1562008500)


def test_same_example_in_milliseconds() -> None:
    assert epoch_index(1562008475_000, 60_000) == 26033474
    assert epoch_span(26033474, 60_000) == (1562008440_000, 1562008500_000)


@given(st.integers(0, 2**63), st.integers(1, 10**9))
def test_time_is_inside_its_span(t: int, d: int) -> None:
    start, end = epoch_span(epoch_index(t, d), d)
    assert start <= t < end
    assert end - start == d
    assert epoch_index(start, d) == epoch_index(end - 1, d) == epoch_index(end, d) - 1


@pytest.mark.parametrize(("t", "d"), [(1, 0), (-1, 60), (1.5, 60), (True, 60), (10, -60)])
def test_epoch_index_rejects_bad_input(t: object, d: object) -> None:
    with pytest.raises(ValueError):
        epoch_index(t, d)  # type: ignore[arg-type]


def test_seed_is_sha256_over_sorted_ids() -> None:
    ids = [bytes([i]) * 32 for i in (3, 1, 2)]
    expected = hashlib.sha256(b"".join(sorted(ids))).digest()
    assert match_seed(ids) == expected
    assert match_seed(reversed(ids)) == expected
    assert match_seed([]) == hashlib.sha256(b"").digest()
    with pytest.raises(ValueError):
        match_seed([b"short"])


def test_draw_stream_is_four_big_endian_words_per_block() -> None:
    seed = b"\x07" * 32
    block0 = hashlib.sha256(seed + bytes(8)).digest()
    block1 = hashlib.sha256(seed + (1).to_bytes(8, "big")).digest()
    words = list(itertools.islice(draw_stream(seed), 6))
    assert words[:4] == [int.from_bytes(block0[i : i + 8], "big") for i in range(0, 32, 8)]
    assert words[4:] == [int.from_bytes(block1[i : i + 8], "big") for i in (0, 8)]


def test_rejection_limit_values() -> None:
    assert rejection_limit(1) == TWO_64  # powers of two divide 2^64: nothing rejected
    assert rejection_limit(2) == TWO_64
    assert rejection_limit(1024) == TWO_64
    assert rejection_limit(3) == TWO_64 - 1  # 2^64 ≡ 1 (mod 3)
    assert rejection_limit(10) == TWO_64 - 6  # 2^64 ≡ 6 (mod 10)
    with pytest.raises(ValueError):
        rejection_limit(0)


@given(st.integers(1, 2**64))
def test_rejection_limit_is_the_largest_multiple(n: int) -> None:
    limit = rejection_limit(n)
    assert limit % n == 0
    assert TWO_64 - n < limit <= TWO_64


def test_uniform_below_rejects_draws_at_or_above_the_limit() -> None:
    limit = rejection_limit(10)
    assert uniform_below(iter([limit, TWO_64 - 1, limit - 1]), 10) == (limit - 1) % 10
    assert uniform_below(iter([limit - 1]), 10) == 9  # the last accepted value
    assert uniform_below(iter([TWO_64 - 1]), 8) == 7  # nothing rejected for n = 8


def test_known_answer() -> None:
    """Pins the exact permutation, so any change to the algorithm is seen."""
    ids = [bytes([i]) * 32 for i in range(5)]
    assert match_seed(ids).hex() == (
        "8320262bf702ee2bc5b633ae0046a477666aaa76ee96231aef3aae45224785cf"
    )
    assert [oid[0] for oid in shuffle_order_ids(ids)] == [2, 1, 0, 4, 3]


@given(oids)
def test_matches_the_reference_rendering(ids: list[bytes]) -> None:
    ordered = sorted(ids)
    seed = match_seed(ids)
    assert shuffle(ordered, seed) == reference_shuffle(ordered, seed)


@given(oids, st.binary(min_size=32, max_size=32))
def test_shuffle_is_a_deterministic_permutation(ids: list[bytes], seed: bytes) -> None:
    first = shuffle_order_ids(ids, seed)
    assert sorted(first) == sorted(ids)
    assert shuffle_order_ids(list(reversed(ids)), seed) == first  # input order irrelevant
    assert shuffle_order_ids(ids, seed) == first


def test_trivial_lists() -> None:
    assert shuffle([], b"s") == []
    assert shuffle([b"a"], b"s") == [b"a"]


def test_shuffle_does_not_touch_its_input() -> None:
    ids = [bytes([i]) * 32 for i in range(10)]
    copy = list(ids)
    shuffle(ids, b"\x01" * 32)
    assert ids == copy


def test_different_seeds_give_different_orders() -> None:
    ids = [bytes([i]) * 32 for i in range(20)]
    orders = {tuple(shuffle(ids, bytes([s]) * 32)) for s in range(20)}
    assert len(orders) == 20


def test_all_permutations_are_about_equally_likely() -> None:
    items = [b"a", b"b", b"c"]
    counts = Counter(tuple(shuffle(items, s.to_bytes(4, "big"))) for s in range(6000))
    assert len(counts) == 6
    assert all(850 < c < 1150 for c in counts.values())  # 1000 expected, sd ≈ 29


# --- fairness check of match_data (dexproto.fairness) -----------------------------------------
def note(ids: list[bytes], seed: bytes | None = None, epoch_no: int = 7) -> MatchDataNote:
    return MatchDataNote(
        marketid=1,
        epoch=epoch_no,
        orderids=tuple(ids),
        seed=match_seed(ids) if seed is None else seed,
    )


IDS = sorted(bytes([i]) * 32 for i in range(1, 9))


def test_fair_match_data_passes_and_locates_our_orders() -> None:
    report = check_match_data(note(IDS), [IDS[2], IDS[5]], marketid=1, epoch=7)
    assert report.ok and report.issues == ()
    assert report.shuffled == tuple(shuffle_order_ids(IDS))
    assert set(report.positions) == {IDS[2], IDS[5]}
    for oid, pos in report.positions.items():
        assert report.shuffled[pos] == oid


def test_missing_order_and_bad_seed_are_reported() -> None:
    ours = bytes([0xEE]) * 32
    report = check_match_data(note(IDS, seed=b"\x00" * 32), [IDS[0], ours])
    problems = [i.problem for i in report.issues]
    assert problems == [Problem.BAD_SEED, Problem.MISSING_ORDER]
    assert report.issues[1].order_id == ours
    assert not report.ok
    assert report.positions.keys() == {IDS[0]}


def test_unsorted_duplicate_and_wrong_epoch_or_market() -> None:
    unsorted = check_match_data(note(list(reversed(IDS))), [])
    assert [i.problem for i in unsorted.issues] == [Problem.NOT_SORTED]
    dup = check_match_data(note([*IDS, IDS[0]]), [])
    assert Problem.DUPLICATE_IDS in [i.problem for i in dup.issues]
    other = check_match_data(note(IDS, epoch_no=8), [], marketid=2, epoch=7)
    assert [i.problem for i in other.issues] == [Problem.WRONG_MARKET, Problem.WRONG_EPOCH]


@given(oids, st.data())
def test_fairness_of_any_honest_cycle(ids: list[bytes], data: st.DataObject) -> None:
    ordered = sorted(ids)
    ours = data.draw(st.lists(st.sampled_from(ordered), unique=True)) if ordered else []
    report = check_match_data(note(ordered), ours)
    assert report.ok
    assert sorted(report.shuffled) == ordered
