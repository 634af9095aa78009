"""The async chain backend interface the wallet and the swap engine use.

A backend answers questions about one chain (tip, coins paying our scripts, transactions,
spends) and broadcasts transactions. Every amount is integer atoms. Implementations keep no
state whose loss or staleness could mislead the caller: after any BackendError the caller
simply asks again.

Errors: the BackendError subtree of app/wallet/errors.py (NodeAuthError, WrongNetworkError
and TxRejectedError are defined here).
"""

from __future__ import annotations

import abc
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from app.wallet.coins import Outpoint, Utxo
from app.wallet.errors import BackendError, NodeResponseError


class NodeAuthError(NodeResponseError):
    """The node refused the RPC user name or password (or cookie)."""

    def __init__(
        self, endpoint: str, status: int, hint: str = "check the node's rpcuser/rpcpassword"
    ) -> None:
        self.endpoint = endpoint
        self.status = status  # 401: wrong credentials; 403: refused (e.g. -rpcwhitelist)
        self.code = None
        # Skip NodeResponseError's "The node returned an error" framing: this one is ours.
        BackendError.__init__(
            self,
            f"The node at {endpoint} refused the RPC user name or password "
            f"(HTTP {status}); {hint}.",
            f"HTTP {status}",
        )


class WrongNetworkError(BackendError):
    """The node's genesis block is not the one of the wallet's network: a mainnet wallet
    must never trade against a testnet node, or the other way round."""

    def __init__(self, endpoint: str, chain: str, network: str, genesis: str) -> None:
        self.endpoint = endpoint
        self.network = network  # the wallet's: "mainnet", "testnet", "regtest"
        self.genesis = genesis
        BackendError.__init__(
            self,
            f"The node at {endpoint} is not a {chain} {network} node (its genesis "
            f"block is {genesis[:16]}…). This wallet is on {network}: Cambio refuses a node "
            "of another network. Point it at a node of the same network.",
            genesis,
        )


class TxRejectedError(NodeResponseError):
    """The node refused to accept a transaction; `reason` is its reject text."""

    def __init__(self, reason: str, code: int | None) -> None:
        self.reason = reason
        self.code = code
        BackendError.__init__(self, f"The node rejected the transaction: {reason}", reason)


@dataclass(frozen=True)
class BlockInfo:
    height: int
    hash: str
    time: int
    median_time: int


@dataclass(frozen=True)
class TxInfo:
    """A transaction the node knows. `confirmations` 0 means it sits in the mempool."""

    txid: str
    raw: bytes
    confirmations: int
    height: int | None
    block_time: int | None


@dataclass(frozen=True)
class SpendInfo:
    """The transaction spending an outpoint: `vin` is the spending input's index.

    `witness` is that input's witness stack as the node decoded it (Core: `txinwitness`):
    the secret is read from it, never re-parsed from `raw`, which a Litecoin node serializes
    with the MWEB flag for some transactions (a peg-in in its mempool)."""

    txid: str
    vin: int
    raw: bytes
    height: int | None  # None while the spend is in the mempool
    witness: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class SyncState:
    """Is the node in step with its chain: in initial block download, its best block's time."""

    initial_download: bool
    tip_time: int  # UNIX seconds, the best block's header time


class ChainBackend(abc.ABC):
    """One chain, reached through a node or a server. Safe to call from one event loop."""

    @abc.abstractmethod
    async def tip(self) -> BlockInfo:
        """The best block."""

    @abc.abstractmethod
    async def median_time_past(self) -> int:
        """Median time of the last 11 blocks: what CLTV locktimes are compared against."""

    async def sync_state(self) -> SyncState:
        """How far along the node is. This default (a backend that cannot tell) reports no
        initial download and the tip's time."""
        return SyncState(False, (await self.tip()).time)

    @abc.abstractmethod
    async def utxos(self, scripts: Sequence[bytes]) -> list[Utxo]:
        """Confirmed and mempool outputs paying any of `scripts`, minus those spent in the
        mempool; sorted by outpoint. Mempool outputs have height 0 and 0 confirmations."""

    @abc.abstractmethod
    async def used_scripts(self, scripts: Sequence[bytes]) -> set[bytes]:
        """The subset of `scripts` the backend has seen receive funds.

        What "seen" covers depends on the backend: a Core node without a wallet only sees
        the current UTXO set plus the mempool, so a script whose coins were all spent in
        blocks looks unused there (address discovery on restore may stop early). An Electrum
        server sees the full history.
        """

    @abc.abstractmethod
    async def get_tx(self, txid: str) -> TxInfo | None:
        """The transaction, or None when the backend does not know it."""

    @abc.abstractmethod
    async def confirmations(self, txid: str) -> int | None:
        """Confirmations of `txid` (0 in the mempool), None when unknown."""

    @abc.abstractmethod
    async def output_spent(self, outpoint: Outpoint) -> bool:
        """True when the output exists and is spent (in a block or the mempool). An output
        the backend does not know at all is reported as not spent."""

    @abc.abstractmethod
    async def find_spend(self, outpoint: Outpoint, from_height: int) -> SpendInfo | None:
        """The transaction spending `outpoint`, searching blocks from `from_height` to the
        tip and then the mempool; None when no spend is found (yet)."""

    @abc.abstractmethod
    async def broadcast(self, raw: bytes) -> str:
        """Submit a signed transaction and return its txid. A transaction that is already in
        the mempool or in a block counts as success, so rebroadcasting is always safe.
        Raises TxRejectedError with the node's reason when it is refused."""

    @abc.abstractmethod
    async def estimate_fee_rate(self, target_blocks: int) -> int | None:
        """Estimated fee rate in atoms per vbyte (rounded up) to confirm within
        `target_blocks`; None when the backend has no estimate (e.g. regtest)."""

    async def min_fee_rate(self) -> int | None:
        """The lowest fee rate (atoms/vB, rounded up) the node relays and keeps in its mempool
        now; None when the backend cannot tell (the caller uses the asset's relay floor)."""
        return None

    @abc.abstractmethod
    def blocks(self, since: str | None = None) -> AsyncGenerator[BlockInfo, None]:
        """New-tip events: yields the best block each time it changes from `since` (a block
        hash; default: the tip when iteration starts). Several blocks found between two polls
        yield one event for the newest. A backend failure ends the iteration with the error;
        call again with the last hash seen to resume without missing a change."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release connections. Idempotent."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
