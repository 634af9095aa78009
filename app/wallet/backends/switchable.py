"""A chain backend whose node can be replaced while the app runs (Settings applies live).

The wallet, the swap engine and the views keep this one object; `switch()` points it at a new
node (or at none), so every caller uses the new node from its next call without being told.
The old node's connections close once the calls still running on it have returned.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from typing import TypeVar

from app.wallet.backends.base import BlockInfo, ChainBackend, SpendInfo, SyncState, TxInfo
from app.wallet.coins import Outpoint, Utxo
from app.wallet.errors import BackendError, WalletError

T = TypeVar("T")


class SwitchableBackend(ChainBackend):
    def __init__(self, inner: ChainBackend | None, missing: Callable[[], WalletError]) -> None:
        self._inner = inner
        self._missing = missing  # the error to raise while no node is configured
        self._busy: dict[int, int] = {}  # id(backend) -> calls running on it
        self._retired: list[ChainBackend] = []  # switched away from, still busy

    @property
    def inner(self) -> ChainBackend | None:
        return self._inner

    async def switch(self, inner: ChainBackend | None) -> None:
        old, self._inner = self._inner, inner
        if old is None or old is inner:
            return
        if self._busy.get(id(old)):
            self._retired.append(old)  # closed by its last running call
        else:
            await old.close()

    async def _call(self, call: Callable[[ChainBackend], Awaitable[T]]) -> T:
        inner = self._inner
        if inner is None:
            raise self._missing()
        key = id(inner)
        self._busy[key] = self._busy.get(key, 0) + 1
        try:
            return await call(inner)
        finally:
            self._busy[key] -= 1
            if not self._busy[key]:
                del self._busy[key]
                if inner in self._retired:
                    self._retired.remove(inner)
                    await inner.close()

    async def tip(self) -> BlockInfo:
        return await self._call(lambda b: b.tip())

    async def median_time_past(self) -> int:
        return await self._call(lambda b: b.median_time_past())

    async def sync_state(self) -> SyncState:
        return await self._call(lambda b: b.sync_state())

    async def utxos(self, scripts: Sequence[bytes]) -> list[Utxo]:
        return await self._call(lambda b: b.utxos(scripts))

    async def used_scripts(self, scripts: Sequence[bytes]) -> set[bytes]:
        return await self._call(lambda b: b.used_scripts(scripts))

    async def get_tx(self, txid: str) -> TxInfo | None:
        return await self._call(lambda b: b.get_tx(txid))

    async def confirmations(self, txid: str) -> int | None:
        return await self._call(lambda b: b.confirmations(txid))

    async def output_spent(self, outpoint: Outpoint) -> bool:
        return await self._call(lambda b: b.output_spent(outpoint))

    async def find_spend(self, outpoint: Outpoint, from_height: int) -> SpendInfo | None:
        return await self._call(lambda b: b.find_spend(outpoint, from_height))

    async def broadcast(self, raw: bytes) -> str:
        return await self._call(lambda b: b.broadcast(raw))

    async def estimate_fee_rate(self, target_blocks: int) -> int | None:
        return await self._call(lambda b: b.estimate_fee_rate(target_blocks))

    async def min_fee_rate(self) -> int | None:
        return await self._call(lambda b: b.min_fee_rate())

    async def blocks(self, since: str | None = None) -> AsyncGenerator[BlockInfo, None]:
        """Ends quietly when the node is switched (the old one's iteration ends when
        switch() closes it): call again to follow the new node."""
        inner = self._inner
        if inner is None:
            raise self._missing()
        try:
            async with contextlib.aclosing(inner.blocks(since)) as events:
                async for block in events:
                    if self._inner is not inner:
                        return
                    yield block
        except BackendError:
            if self._inner is not inner:  # the old node's last words are no news
                return
            raise

    async def close(self) -> None:
        retired, self._retired = self._retired, []
        for backend in (*retired, *([self._inner] if self._inner is not None else [])):
            await backend.close()
