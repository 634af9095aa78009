"""Wake the swaps of a chain as soon as it has a new block.

One task per chain follows its backend's `blocks()` (a Core long poll, Electrum header
notifications); each new tip calls `on_block(asset, block)`, which is SwapEngine.wake: a swap
waiting for a confirmation or a lock time looks again at once instead of at its next poll.
The swaps' own poll stays as the fallback, so nothing here can stop a swap from settling: a
backend that fails (node down, no node configured yet) is retried after a pause that doubles
up to `retry_max` (a dead node must not be asked in a tight loop), and an error in `on_block`
is logged and the watch goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping

from app.wallet.backends.base import BlockInfo, ChainBackend

log = logging.getLogger(__name__)
BlockFn = Callable[[str, BlockInfo], None]


class BlockWatch:
    def __init__(
        self,
        backends: Mapping[str, ChainBackend],
        on_block: BlockFn,
        *,
        retry_min: float = 1.0,
        retry_max: float = 30.0,
    ) -> None:
        self._backends = backends
        self._on_block = on_block
        self.retry_min = retry_min
        self.retry_max = retry_max
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Follow every chain (again, if stopped). Needs a running event loop."""
        if any(not task.done() for task in self._tasks):
            return
        self._tasks = [
            asyncio.create_task(self._follow(asset, backend), name=f"blocks-{asset}")
            for asset, backend in self._backends.items()
        ]

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _follow(self, asset: str, backend: ChainBackend) -> None:
        last: str | None = None  # the newest tip seen: a restart misses no block after it
        pause = self.retry_min
        problem = ""
        while True:
            seen = False
            try:
                if last is None:  # the tip when the watch began: a block after it is news
                    last = (await backend.tip()).hash
                async with contextlib.aclosing(backend.blocks(last)) as events:
                    async for block in events:
                        if block.hash == last:  # no news (a backend repeating its tip)
                            continue
                        seen, last, pause = True, block.hash, self.retry_min
                        if problem:
                            log.info("%s blocks: followed again", asset.upper())
                            problem = ""
                        self._tell(asset, block)
            except Exception as exc:  # any failure: retry later, never die
                text = f"{type(exc).__name__}: {exc}"
                if text != problem:  # once per distinct problem, not every retry
                    log.info(
                        "%s blocks: %s; retrying, the swaps poll meanwhile", asset.upper(), text
                    )
                    problem = text
            if seen:  # ended after news (its node was switched): follow the next at once
                await asyncio.sleep(0)
            else:  # ended or failed without news: wait before asking again
                await asyncio.sleep(pause)
                pause = min(pause * 2, self.retry_max)

    def _tell(self, asset: str, block: BlockInfo) -> None:
        try:
            self._on_block(asset, block)
        except Exception:
            log.exception("%s blocks: the block listener failed", asset.upper())
