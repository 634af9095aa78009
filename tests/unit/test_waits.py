"""The tests' one wait (tests/waits.py): it returns as soon as what runs concurrently made the
condition true, and at its deadline fails saying what it waited for."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.waits import until


async def test_returns_once_another_task_made_it_true() -> None:
    done: list[int] = []
    asyncio.get_running_loop().call_later(0.05, done.append, 1)
    started = time.monotonic()
    await until(lambda: done, "the other task", timeout=5)
    assert done == [1] and time.monotonic() - started < 4  # not at the deadline


async def test_fails_at_the_deadline_naming_what_it_awaited() -> None:
    checks = [0]

    def never() -> bool:
        checks[0] += 1
        return False

    with pytest.raises(AssertionError, match="waiting for the swap complete"):
        await until(never, "the swap complete", timeout=0.1, interval=0.01)
    assert checks[0] > 2  # polled, not slept through
