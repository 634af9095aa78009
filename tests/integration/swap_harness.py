"""Test harness for swap engines on two regtest chains: node backends and funding, an in-memory
wire, miners, a stored swap of ours. The matches and keys it uses: tests/fakes/matches.py."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.store.db import Store
from app.swap.batch import prepare_batch
from app.swap.engine import Funding, FundingSource, SwapEngine
from app.swap.messages import IncomingMessage, OutgoingMessage, SwapEvent, as_incoming
from app.swap.states import InitBroadcast, Match, Role
from app.swap.store import SwapStore
from app.wallet.backends.base import ChainBackend
from app.wallet.backends.corerpc import CoreRpcBackend
from app.wallet.coins import Outpoint, Utxo
from app.wallet.signing import KeyedUtxo
from dexproto.address import p2wpkh_script
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode
from tests.btc_kernel import KernelCheckedBackend
from tests.fakes.matches import fresh_script, pkh, role_keys

POLL = 0.05


def backend(node: RegtestNode) -> CoreRpcBackend:
    return CoreRpcBackend(node.rpc_url, RPC_USER, RPC_PASSWORD, poll_interval=POLL)


def btc_backend(node: RegtestNode) -> KernelCheckedBackend:
    """The BTC side's backend: Litecoin Core stands in for Bitcoin Core, so every transaction
    an engine broadcasts there is first verified by Bitcoin Core's own interpreter."""
    return KernelCheckedBackend(backend(node))


class NodeFunding:
    """Funds a fresh key from the node's miner wallet: amount + a margin, change elsewhere."""

    def __init__(self, node: RegtestNode, margin: int = 100_000) -> None:
        self.node = node
        self.margin = margin
        self.calls = 0
        self.total = 0
        self.change_script = fresh_script()

    async def fund(
        self, amount: int, fee_rate: int, contracts: int, orders: tuple[str, ...] = ()
    ) -> Funding:
        self.calls += 1
        key = os.urandom(32)
        script = p2wpkh_script(pkh(key))
        self.total = amount + self.margin
        txid, vout = await asyncio.to_thread(self.node.fund_script, script, self.total, False)
        coin = KeyedUtxo(Utxo(Outpoint(txid, vout), self.total, script, 0, 0), key)
        return Funding((coin,), self.change_script)


@dataclass
class Wire:
    """The DEX stand-in: asyncio queues between the two roles; can drop message types.

    Every message ever delivered is kept and re-delivered to a replacement engine, like the
    server's resync after a reconnect."""

    engines: dict[Role, SwapEngine | None] = field(default_factory=dict)
    drop: set[tuple[Role, type]] = field(default_factory=set)
    sent: list[tuple[Role, OutgoingMessage]] = field(default_factory=list)
    delivered: dict[Role, list[IncomingMessage]] = field(default_factory=dict)
    queues: dict[Role, asyncio.Queue[IncomingMessage]] = field(default_factory=dict)

    def sender(self, role: Role) -> Callable[[OutgoingMessage], asyncio.Future[None]]:
        other = Role.TAKER if role is Role.MAKER else Role.MAKER

        async def send(msg: OutgoingMessage) -> None:
            self.sent.append((role, msg))
            if (role, type(msg)) not in self.drop:
                await self.queues.setdefault(other, asyncio.Queue()).put(as_incoming(msg))

        return send  # type: ignore[return-value]

    async def pump(self, role: Role) -> None:
        queue = self.queues.setdefault(role, asyncio.Queue())
        while True:
            msg = await queue.get()
            self.delivered.setdefault(role, []).append(msg)
            engine = self.engines.get(role)
            if engine is not None:
                engine.deliver(msg)

    def replace(self, role: Role, engine: SwapEngine) -> None:
        self.engines[role] = engine
        for msg in self.delivered.get(role, []):
            engine.deliver(msg)


def open_engine(
    path: Path,
    backends: Mapping[str, ChainBackend],
    funding: FundingSource,
    wire: Wire,
    role: Role,
    on_event: Callable[[SwapEvent], None] | None = None,
) -> SwapEngine:
    store = SwapStore(Store(path))
    engine = SwapEngine(
        store,
        backends,
        {funding_asset(role): funding},
        wire.sender(role),
        on_event,
        poll_interval=POLL,
        rebroadcast_interval=0.5,
        keys=role_keys(role),
    )
    wire.replace(role, engine)
    return engine


class CrashAfterBroadcast:
    """Delegates to a backend; its first broadcast reaches the node, then raises `error`:
    the process "dies" after the network action and before the next state is stored."""

    def __init__(self, inner: ChainBackend, error: BaseException) -> None:
        self._inner = inner
        self._error: BaseException | None = error

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def broadcast(self, raw: bytes) -> str:
        txid = await self._inner.broadcast(raw)
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return txid


def funding_asset(role: Role) -> str:
    return "ltc" if role is Role.MAKER else "btc"


async def miner(nodes: list[RegtestNode], interval: float = 0.15) -> None:
    """Mine one block on every chain each `interval`: confirmations keep coming."""
    while True:
        for node in nodes:
            await asyncio.to_thread(node.mine, 1)
        await asyncio.sleep(interval)


class HoldingMiner:
    """Mines blocks on one chain holding back every mempool transaction that pays one of
    `held` scripts (and its descendants): the miners passing a low-fee redeem over. Blocks go
    through `generateblock` with an explicit transaction list, parents first."""

    def __init__(self, node: RegtestNode, held: set[bytes]) -> None:
        self.node = node
        self.held = held
        self.paused = False
        self.blocks = 0

    def _holds(self, txid: str) -> bool:
        tx = self.node.rpc("getrawtransaction", txid, True)
        return any(bytes.fromhex(o["scriptPubKey"]["hex"]) in self.held for o in tx["vout"])

    def mine_one(self, extra: list[str] | None = None) -> None:
        """One block: the mempool minus what is held, plus `extra` raw transactions (hex)."""
        pool: dict[str, list[str]] = {
            txid: list(e["depends"]) for txid, e in self.node.rpc("getrawmempool", True).items()
        }
        held = {txid for txid in pool if self._holds(txid)}
        ordered: list[str] = []
        while True:
            ready = [
                t
                for t, deps in pool.items()
                if t not in ordered and t not in held and all(d in ordered for d in deps)
            ]
            if not ready:
                break
            ordered.extend(sorted(ready))
        address = self.node.rpc("getnewaddress", "", "bech32", wallet="miner")
        self.node.rpc("generateblock", address, [*ordered, *(extra or [])])
        self.blocks += 1

    async def run(self, interval: float = 0.15) -> None:
        while True:
            if not self.paused:
                await asyncio.to_thread(self.mine_one)
            await asyncio.sleep(interval)


def stored_maker_swap(
    node: RegtestNode, store: SwapStore, match: Match, secret: bytes
) -> InitBroadcast:
    """A swap of ours in `store` at InitBroadcast: fund, sign (init + refund), store, then
    broadcast and mine our init."""
    key = os.urandom(32)
    value = match.our_amount + 100_000
    txid, vout = node.fund_script(p2wpkh_script(pkh(key)), value)
    coin = KeyedUtxo(Utxo(Outpoint(txid, vout), value, p2wpkh_script(pkh(key)), 0, 0), key)
    tip = int(node.rpc("getblockcount"))
    (prepared,) = prepare_batch(
        [match], [secret], [coin], fresh_script(), tip, role_keys(match.role)
    )
    state = InitBroadcast(match, prepared.secret_hash, prepared.ours, None, prepared.sealed_secret)
    assert store.create(state)
    node.rpc("sendrawtransaction", prepared.ours.init.raw.hex())
    node.mine(1)
    return state
