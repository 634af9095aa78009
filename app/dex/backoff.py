"""Reconnect delays: capped exponential backoff with full jitter. Pure, no clock, no sleep.

Full jitter (delay drawn uniformly in [0, min(cap, base·2^attempt)]) spreads the reconnects of
many clients after a server restart, so they do not all arrive in the same instant.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

Uniform = Callable[[], float]  # returns a float in [0, 1), like random.random


def ceiling(attempt: int, base: float, cap: float) -> float:
    """Upper bound of the delay before reconnect attempt number `attempt` (0 = first retry)."""
    if attempt < 0 or base <= 0 or cap < base:
        raise ValueError("need attempt >= 0 and 0 < base <= cap")
    # Compare exponents rather than computing 2**attempt: attempt may grow without bound.
    if attempt >= 64 or base * (1 << attempt) >= cap:
        return cap
    return base * (1 << attempt)


def backoff_delay(attempt: int, base: float, cap: float, rng: Uniform = random.random) -> float:
    """A delay in [0, ceiling(attempt)]: full jitter over the capped exponential bound."""
    return ceiling(attempt, base, cap) * min(max(rng(), 0.0), 1.0)


@dataclass
class Backoff:
    """Attempt counter around `backoff_delay`; `reset()` after a connection that worked."""

    base: float = 0.5
    cap: float = 60.0
    rng: Uniform = field(default=random.random, repr=False)
    attempt: int = 0

    def __post_init__(self) -> None:
        ceiling(0, self.base, self.cap)  # validate the parameters up front

    def next_delay(self) -> float:
        delay = backoff_delay(self.attempt, self.base, self.cap, self.rng)
        self.attempt += 1
        return delay

    def reset(self) -> None:
        self.attempt = 0
