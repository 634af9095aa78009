"""A scripted chain for engine tests: fixed tip and MTP, one contract output per transaction,
broadcasts recorded and either refused or remembered (then known with 10 confirmations); the
node's sync state (`sync`, default: in step, tip at the MTP) and the spend of any outpoint
(`spend`) can be set.

The transaction it serves holds the one output given; its txid is its real txid
(`contract_txid`), since the engine checks the hex against the txid it asked for."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence

from bitcoin.core import CMutableTransaction, COutPoint, CScript, CTransaction, CTxIn, CTxOut, b2lx

from app.wallet.backends.base import (
    BlockInfo,
    ChainBackend,
    SpendInfo,
    SyncState,
    TxInfo,
    TxRejectedError,
)
from app.wallet.coins import Outpoint, Utxo

THEIR_INIT = "cc" * 32  # a counterparty contract txid in pure transition tests


def contract_tx(script: bytes, value: int) -> bytes:
    """The raw counterparty init a FakeChain serves: one input, one output (script, value)."""
    raw: bytes = CMutableTransaction(
        [CTxIn(COutPoint(b"\x01" * 32, 0))], [CTxOut(value, CScript(script))]
    ).serialize()
    return raw


def contract_txid(script: bytes, value: int) -> str:
    return str(b2lx(CTransaction.deserialize(contract_tx(script, value)).GetTxid()))


class FakeChain(ChainBackend):
    def __init__(self, mtp: int, output_script: bytes, value: int, *, reject: bool = False) -> None:
        self.mtp = mtp
        self.reject = reject
        self.output = (output_script, value)
        self.sent: list[bytes] = []
        self.known = {contract_txid(output_script, value)}
        self.tips = 0  # tip() calls: how many ticks the engine made
        self.sync = SyncState(False, mtp)
        self.spend: SpendInfo | None = None

    async def tip(self) -> BlockInfo:
        self.tips += 1
        return BlockInfo(100, "00" * 32, self.mtp, self.mtp)

    async def median_time_past(self) -> int:
        return self.mtp

    async def sync_state(self) -> SyncState:
        return self.sync

    async def utxos(self, scripts: Sequence[bytes]) -> list[Utxo]:
        return []

    async def used_scripts(self, scripts: Sequence[bytes]) -> set[bytes]:
        return set()

    async def get_tx(self, txid: str) -> TxInfo | None:
        if txid != contract_txid(*self.output) or txid not in self.known:
            return None
        return TxInfo(txid, contract_tx(*self.output), 10, 90, 0)

    async def confirmations(self, txid: str) -> int | None:
        return 10 if txid in self.known else None

    async def output_spent(self, outpoint: Outpoint) -> bool:
        return False

    async def find_spend(self, outpoint: Outpoint, from_height: int) -> SpendInfo | None:
        return self.spend

    async def broadcast(self, raw: bytes) -> str:
        self.sent.append(raw)
        if self.reject:
            raise TxRejectedError("txn-mempool-conflict", -26)
        txid = str(b2lx(CTransaction.deserialize(raw).GetTxid()))
        self.known.add(txid)
        return txid

    async def estimate_fee_rate(self, target_blocks: int) -> int | None:
        return None

    def blocks(self, since: str | None = None) -> AsyncGenerator[BlockInfo, None]:
        raise NotImplementedError

    async def close(self) -> None:
        pass
