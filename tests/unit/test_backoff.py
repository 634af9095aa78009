"""Reconnect backoff (app.dex.backoff): capped, exponential, fully jittered."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.dex.backoff import Backoff, backoff_delay, ceiling


def test_ceiling_doubles_then_caps() -> None:
    assert [ceiling(n, 0.5, 10.0) for n in range(7)] == [0.5, 1, 2, 4, 8, 10, 10]
    assert ceiling(10**6, 0.5, 10.0) == 10.0  # no overflow for a long outage


@given(
    attempt=st.integers(0, 10_000),
    base=st.floats(0.001, 10),
    extra=st.floats(0, 1000),
    u=st.floats(0, 1, exclude_max=True),
)
def test_delay_is_within_full_jitter_bounds(
    attempt: int, base: float, extra: float, u: float
) -> None:
    cap = base + extra
    delay = backoff_delay(attempt, base, cap, lambda: u)
    assert 0 <= delay <= ceiling(attempt, base, cap) <= cap
    assert delay == pytest.approx(u * min(cap, base * 2.0 ** min(attempt, 64)))


def test_jitter_spreads_over_the_whole_range() -> None:
    rng = random.Random(1)
    delays = [backoff_delay(4, 1.0, 60.0, rng.random) for _ in range(2000)]
    assert min(delays) < 1.0 and max(delays) > 15.0 and max(delays) <= 16.0
    assert 6.0 < sum(delays) / len(delays) < 10.0  # mean of U(0, 16) is 8


def test_backoff_counts_attempts_and_resets() -> None:
    b = Backoff(base=1.0, cap=8.0, rng=lambda: 0.999999)
    got = [b.next_delay() for _ in range(6)]
    assert got == pytest.approx([1, 2, 4, 8, 8, 8], rel=1e-5)
    b.reset()
    assert b.next_delay() == pytest.approx(1.0, rel=1e-5)


@pytest.mark.parametrize(("attempt", "base", "cap"), [(-1, 1, 2), (0, 0, 2), (0, 3, 2)])
def test_bad_parameters_are_refused(attempt: int, base: float, cap: float) -> None:
    with pytest.raises(ValueError):
        ceiling(attempt, base, cap)
    with pytest.raises(ValueError):
        Backoff(base=base, cap=cap) if attempt == 0 else backoff_delay(attempt, base, cap)
