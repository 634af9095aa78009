"""Chain backends that answer only what a test needs: a fee estimate (recording the targets
asked), a fixed list of coins; everything else raises NotImplementedError."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence

from app.wallet.backends.base import BlockInfo, ChainBackend, SpendInfo, TxInfo
from app.wallet.coins import Outpoint, Utxo


class Unused(ChainBackend):
    """Every call raises NotImplementedError: a test's backend overrides what it answers."""

    async def tip(self) -> BlockInfo:
        raise NotImplementedError

    async def median_time_past(self) -> int:
        raise NotImplementedError

    async def utxos(self, scripts: Sequence[bytes]) -> list[Utxo]:
        raise NotImplementedError

    async def used_scripts(self, scripts: Sequence[bytes]) -> set[bytes]:
        raise NotImplementedError

    async def get_tx(self, txid: str) -> TxInfo | None:
        raise NotImplementedError

    async def confirmations(self, txid: str) -> int | None:
        raise NotImplementedError

    async def output_spent(self, outpoint: Outpoint) -> bool:
        raise NotImplementedError

    async def find_spend(self, outpoint: Outpoint, from_height: int) -> SpendInfo | None:
        raise NotImplementedError

    async def broadcast(self, raw: bytes) -> str:
        raise NotImplementedError

    async def estimate_fee_rate(self, target_blocks: int) -> int | None:
        raise NotImplementedError

    def blocks(self, since: str | None = None) -> AsyncGenerator[BlockInfo, None]:
        raise NotImplementedError

    async def close(self) -> None:
        pass


class EstimateOnly(Unused):
    """A backend that only answers estimate_fee_rate, recording the targets asked."""

    def __init__(self, estimate: int | None) -> None:
        self.estimate = estimate
        self.asked: list[int] = []

    async def estimate_fee_rate(self, target_blocks: int) -> int | None:
        self.asked.append(target_blocks)
        return self.estimate


class CoinsBackend(EstimateOnly):
    """A chain that holds a fixed list of our coins."""

    def __init__(self, coins: list[Utxo]) -> None:
        super().__init__(None)
        self.coins = coins

    async def utxos(self, scripts: Sequence[bytes]) -> list[Utxo]:
        return [c for c in self.coins if c.script in scripts]
