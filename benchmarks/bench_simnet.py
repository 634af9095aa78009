"""A full trade on the simnet: the DEX server, two real clients, two regtest chains.

The harness of tests/e2e (simnet.harness.Simnet: two Litecoin Core regtest chains, the
`main.py server` process, two funded trader dirs) with the devnet's settings (`make run`:
2 s epochs, a block every 2 s on each chain). The two clients are `app.client.Client`s in this
process, as the app runs them (swap poll 1 s, Client's default, and a block on a chain waking
its swaps at once: app/swap/block_watch.py), registered before the timing.
Each round: the maker's limit sell is booked, then the taker's market buy goes in, and the
round ends when both sides' swaps reach Complete.

swap.simnet_wall_s        taker's order submitted -> both swaps Complete; best of the rounds
swap.simnet_epoch_wait_s  taker's order submitted -> both clients hold the match (the epoch
                          closing, the preimage round, the match notes); median
swap.simnet_block_wait_s  time some swap transaction was in a mempool and not yet in a block
                          (union of the intervals first seen in the mempool, by a 10 ms
                          poller -> its block mined, noted by the harness's miner); median
swap.simnet_other_s       wall - epoch wait - block wait: the server's relays, RPC, fsync,
                          CPU, any confirmation noticed late; median (so the parts do not add
                          up to the best wall exactly)
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from app.client.client import Client
from app.client.events import CoreEvent, OrderBooked, OrderMatched, SwapStep
from app.wallet.session import OpenWallet, unlock_wallet
from benchmarks.bench_swap import union_length
from benchmarks.framework import Result
from simnet.harness import LOT, TRADER_PASSWORD, Miner, Simnet
from simnet.node import RegtestNode
from simnet.regfee_policy import SimnetRegfeePolicy

ROUNDS = 3
EPOCH_MS = 2000  # the devnet's (simnet/devnet.py) and the e2e tests'
BLOCK_INTERVAL = 2.0  # likewise the devnet's
MEMPOOL_POLL = 0.01
RATE = 10_000_000  # 0.1 BTC per LTC, as tests/e2e
MARKET_BUY = LOT * RATE // 10**8 * 5 // 4  # 1.25 lots' worth of BTC: fills exactly one lot
ROUND_TIMEOUT = 90.0


@dataclass
class ChainClock:
    """When each transaction was first seen in a mempool, and when a block took it."""

    seen: dict[str, float] = field(default_factory=dict)
    mined: dict[str, float] = field(default_factory=dict)

    def waits(self, start: float, end: float) -> list[tuple[float, float]]:
        return [
            (t, self.mined.get(txid, end)) for txid, t in self.seen.items() if start <= t <= end
        ]


class ObservedNode:
    """What the harness's Miner needs of a node; notes when each mined tx got its block."""

    def __init__(self, node: RegtestNode, clock: ChainClock) -> None:
        self.node = node
        self.clock = clock

    def set_mock_time(self, when: int) -> None:
        self.node.set_mock_time(when)

    def mine(self, blocks: int = 1) -> list[str]:
        hashes = self.node.mine(blocks)
        mined = time.perf_counter()
        for block in hashes:
            for txid in self.node.rpc("getblock", block)["tx"]:
                self.clock.mined.setdefault(txid, mined)
        return hashes


async def watch_mempool(node: RegtestNode, clock: ChainClock) -> None:
    while True:
        txids = await asyncio.to_thread(node.rpc, "getrawmempool")
        seen = time.perf_counter()
        for txid in txids:
            clock.seen.setdefault(txid, seen)
        await asyncio.sleep(MEMPOOL_POLL)


class Recorder:
    """Every event of one Client with its time; lets a coroutine wait for one."""

    def __init__(self, core: Client) -> None:
        self.events: list[tuple[float, CoreEvent]] = []
        self._changed = asyncio.Event()
        core.events.subscribe(self._on_event)

    def _on_event(self, event: CoreEvent) -> None:
        self.events.append((time.perf_counter(), event))
        self._changed.set()

    async def wait_for(self, pred: Callable[[CoreEvent], bool], since: int = 0) -> float:
        """The time of the first event from number `since` on that matches `pred`."""
        while True:
            for when, event in self.events[since:]:
                if pred(event):
                    return when
            since = len(self.events)
            self._changed.clear()
            await self._changed.wait()


@dataclass(frozen=True)
class Round:
    wall: float
    epoch_wait: float
    block_wait: float


async def _one_round(
    maker: tuple[Client, Recorder], taker: tuple[Client, Recorder], clock: ChainClock
) -> Round:
    (m_core, m_rec), (t_core, t_rec) = maker, taker
    sell = await m_core.place_order("ltc_btc", "sell", "limit", LOT, RATE)
    await m_rec.wait_for(lambda e: isinstance(e, OrderBooked) and e.order_id == sell)
    m_since, t_since = len(m_rec.events), len(t_rec.events)
    started = time.perf_counter()
    buy = await t_core.place_order("ltc_btc", "buy", "market", MARKET_BUY)
    matched: dict[str, str] = {}

    def match_of(order_id: str, role: str) -> Callable[[CoreEvent], bool]:
        def pred(e: CoreEvent) -> bool:
            if isinstance(e, OrderMatched) and e.order_id == order_id:
                matched[role] = e.match_id
                return True
            return False

        return pred

    def complete(role: str) -> Callable[[CoreEvent], bool]:
        return lambda e: (
            isinstance(e, SwapStep) and e.match_id == matched[role] and e.new == "Complete"
        )

    m_matched, t_matched = await asyncio.gather(
        m_rec.wait_for(match_of(sell, "m"), m_since), t_rec.wait_for(match_of(buy, "t"), t_since)
    )
    assert matched["m"] == matched["t"], matched
    ends = await asyncio.gather(
        m_rec.wait_for(complete("m"), m_since), t_rec.wait_for(complete("t"), t_since)
    )
    wall = max(ends) - started
    block_wait = union_length(clock.waits(started, max(ends)))
    return Round(wall, max(m_matched, t_matched) - started, block_wait)


async def _trade(net: Simnet, clock: ChainClock) -> list[Round]:
    watchers = [asyncio.create_task(watch_mempool(n, clock)) for n in net.nodes.values()]
    wallets: list[OpenWallet] = []
    cores: list[Client] = []
    try:
        for name in ("trader1", "trader2"):
            wallets.append(
                await asyncio.to_thread(unlock_wallet, net.traders[name], TRADER_PASSWORD)
            )
        cores = [Client(w) for w in wallets]
        recorders = [Recorder(c) for c in cores]
        for core in cores:
            await core.start()
        policy = SimnetRegfeePolicy(net.dex_url)  # the simnet's own server's fee only
        await asyncio.gather(*(c.ensure_registered(60, confirm=policy) for c in cores))
        maker, taker = zip(cores, recorders, strict=True)
        rounds = []
        for _ in range(ROUNDS):
            rounds.append(await asyncio.wait_for(_one_round(maker, taker, clock), ROUND_TIMEOUT))
        return rounds
    finally:
        for core in cores:
            await core.stop()
        for wallet in wallets:
            await wallet.close()
        for task in watchers:
            task.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)


def _simnet_rounds(workdir: Path) -> list[Round]:
    clock = ChainClock()
    # The harness's own miner is started idle (an hour between blocks) and replaced by one at
    # the devnet's interval that notes when each transaction was mined.
    net = Simnet.start(workdir, traders=2, epochlen=EPOCH_MS, mine_interval=3600.0)
    try:
        assert net.miner is not None
        net.miner.stop()
        observed = [cast(Any, ObservedNode(n, clock)) for n in net.nodes.values()]
        net.miner = Miner(observed, BLOCK_INTERVAL, workdir / "time_offset")
        net.miner.start()
        return asyncio.run(_trade(net, clock))
    finally:
        net.stop()


def run() -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="cambio-bench-simnet-") as tmp:
        rounds = _simnet_rounds(Path(tmp))
    return [
        Result("swap.simnet_wall_s", min(r.wall for r in rounds), "s", higher_is_better=False),
        Result(
            "swap.simnet_epoch_wait_s",
            statistics.median(r.epoch_wait for r in rounds),
            "s",
            higher_is_better=False,
        ),
        Result(
            "swap.simnet_block_wait_s",
            statistics.median(r.block_wait for r in rounds),
            "s",
            higher_is_better=False,
        ),
        Result(
            "swap.simnet_other_s",
            statistics.median(r.wall - r.epoch_wait - r.block_wait for r in rounds),
            "s",
            higher_is_better=False,
        ),
    ]
