"""Waiting in tests for what runs concurrently (an engine, a client, a server, a node): poll a
condition until it holds, or fail at a deadline saying what was awaited. Never a fixed sleep
before an assert: that is slow when the machine is idle and flaky when it is loaded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def until(
    check: Callable[[], object], what: str, *, timeout: float = 10.0, interval: float = 0.02
) -> None:
    """Return once `check()` is true, polled each `interval` seconds; fail after `timeout`
    seconds naming `what` (as in "the swap complete")."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(interval)
