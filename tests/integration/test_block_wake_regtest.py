"""A new block reaches its watchers at once: CoreRpcBackend.blocks() over a real Litecoin Core
regtest node (a `waitforblockheight` long poll, polling when the node refuses it), the
BlockWatch that turns blocks into swap wakes, and two swap engines whose 30 s poll never has
to run because each block wakes them."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import statistics
import time
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from app.swap.block_watch import BlockWatch
from app.swap.messages import SwapEvent, SwapStateChanged
from app.swap.states import Complete, Role
from app.wallet.backends.base import BlockInfo, ChainBackend
from app.wallet.backends.corerpc import CoreRpcBackend
from app.wallet.backends.switchable import SwitchableBackend
from app.wallet.errors import NoNodeConfiguredError
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode, free_port
from tests.fakes.matches import make_matches
from tests.integration.swap_harness import NodeFunding, Wire, backend, open_engine
from tests.waits import until

pytestmark = pytest.mark.regtest
SLOW_POLL = 30.0  # far beyond every deadline below: only a wake can meet them
DEADLINE = 1.0  # what "at once" must beat on a loaded 2-core machine (the aim is ~100 ms)


def core(url: str, **kw: Any) -> CoreRpcBackend:
    return CoreRpcBackend(url, RPC_USER, RPC_PASSWORD, **kw)


async def block_latencies(b: ChainBackend, node: RegtestNode, count: int) -> list[float]:
    """Seconds from `generatetoaddress` being sent to blocks() yielding that block."""
    latencies = []
    tip = await b.tip()
    async with contextlib.aclosing(b.blocks(since=tip.hash)) as events:
        for _ in range(count):
            waiter = asyncio.ensure_future(anext(events))
            await asyncio.sleep(0.2)  # the watcher is now waiting on the node
            assert not waiter.done()
            started = time.monotonic()
            [mined] = await asyncio.to_thread(node.mine, 1)
            block = await asyncio.wait_for(waiter, 10)
            latencies.append(time.monotonic() - started)
            assert block.hash == mined
    return latencies


def report(what: str, latencies: list[float]) -> None:
    print(
        f"\n{what}: block -> blocks() in {statistics.median(latencies) * 1000:.0f} ms "
        f"median, {max(latencies) * 1000:.0f} ms max over {len(latencies)} blocks"
    )


async def test_core_long_poll_yields_a_block_at_once(ltc_node: RegtestNode) -> None:
    async with core(ltc_node.rpc_url, poll_interval=SLOW_POLL) as b:
        latencies = await block_latencies(b, ltc_node, 5)
    report("Core long poll", latencies)
    assert max(latencies) < DEADLINE, latencies


async def test_core_long_poll_leaves_other_calls_free(ltc_node: RegtestNode) -> None:
    """The long poll holds a connection of its own: calls made meanwhile answer at once."""
    async with core(ltc_node.rpc_url, poll_interval=SLOW_POLL, long_poll=20.0) as b:
        tip = await b.tip()
        async with contextlib.aclosing(b.blocks(since=tip.hash)) as events:
            waiter = asyncio.ensure_future(anext(events))
            await asyncio.sleep(0.2)
            started = time.monotonic()
            for _ in range(5):
                assert (await b.tip()).hash == tip.hash
            assert time.monotonic() - started < DEADLINE
            assert not waiter.done()
            await asyncio.to_thread(ltc_node.mine, 1)
            assert (await asyncio.wait_for(waiter, 10)).height == tip.height + 1


class RefusingProxy:
    """Fault injection: forwards every call to the real node except `waitforblockheight`,
    which it answers as a node without that call would (method not found)."""

    def __init__(self, node: RegtestNode) -> None:
        self.node = node
        self.refused = 0
        self.runner: web.AppRunner | None = None
        self.port = free_port()
        self._session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        call = json.loads(body)
        if isinstance(call, dict) and call.get("method") == "waitforblockheight":
            self.refused += 1
            return web.json_response(
                {
                    "result": None,
                    "id": call["id"],
                    "error": {"code": -32601, "message": "Method not found"},
                },
                status=404,
            )
        assert self._session is not None
        async with self._session.post(
            self.node.rpc_url,
            data=body,
            headers={
                "Authorization": request.headers["Authorization"],
                "Content-Type": "application/json",
            },
        ) as reply:
            return web.Response(
                body=await reply.read(), status=reply.status, content_type="application/json"
            )

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_post("/", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
        if self._session is not None:
            await self._session.close()


async def test_core_polls_when_the_node_refuses_the_long_poll(ltc_node: RegtestNode) -> None:
    proxy = RefusingProxy(ltc_node)
    await proxy.start()
    try:
        async with core(proxy.url, poll_interval=0.2) as b:
            latencies = await block_latencies(b, ltc_node, 3)
    finally:
        await proxy.stop()
    assert proxy.refused == 1  # asked once, then polled: no refused call per block
    assert max(latencies) < DEADLINE, latencies


class LeakCatcher:
    """Whatever the event loop reports as left behind (aiohttp's "Unclosed client session",
    a task destroyed while pending)."""

    def __init__(self) -> None:
        self.reports: list[str] = []

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        self.reports.append(str(context.get("message")))


async def test_core_close_ends_a_waiting_iteration_cleanly(ltc_node: RegtestNode) -> None:
    loop = asyncio.get_running_loop()
    leaks = LeakCatcher()
    old_handler = loop.get_exception_handler()
    loop.set_exception_handler(leaks)
    try:
        b = core(ltc_node.rpc_url, poll_interval=SLOW_POLL, long_poll=20.0)
        events = b.blocks()
        waiter = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0.3)  # inside the 20 s long poll
        started = time.monotonic()
        await b.close()
        with pytest.raises(StopAsyncIteration):  # ends, and not with a failure
            await asyncio.wait_for(waiter, 5)
        assert time.monotonic() - started < DEADLINE
        # A cancelled consumer: the long poll's connection is closed with it.
        b2 = core(ltc_node.rpc_url, poll_interval=SLOW_POLL, long_poll=20.0)
        task = asyncio.ensure_future(anext(b2.blocks()))
        await asyncio.sleep(0.3)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await b2.close()
        del events, waiter, task
        gc.collect()
        await asyncio.sleep(0.1)
        assert leaks.reports == []
    finally:
        loop.set_exception_handler(old_handler)


class CountingBackend(CoreRpcBackend):
    """A real backend; counts how often the node is asked for its tip (a watch's every try
    begins with it)."""

    asked = 0

    async def tip(self) -> BlockInfo:
        self.asked += 1
        return await super().tip()


async def test_block_watch_backs_off_from_a_dead_node() -> None:
    dead = CountingBackend(
        f"http://127.0.0.1:{free_port()}", RPC_USER, RPC_PASSWORD, connect_timeout=1.0
    )
    watch = BlockWatch({"ltc": dead}, lambda asset, block: None, retry_min=0.1, retry_max=0.8)
    watch.start()
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        # 0.1 + 0.2 + 0.4 + 0.8 + 0.8 ... : a handful of tries in 2 s, not a tight loop.
        assert 2 <= dead.asked <= 6, dead.asked
    finally:
        await watch.stop()
        await dead.close()


async def test_block_watch_survives_a_failing_listener(ltc_node: RegtestNode) -> None:
    told: list[int] = []

    def on_block(asset: str, block: BlockInfo) -> None:
        told.append(block.height)
        if len(told) == 1:
            raise RuntimeError("a listener bug")

    async with core(ltc_node.rpc_url, poll_interval=SLOW_POLL) as b:
        watch = BlockWatch({"ltc": b}, on_block)
        watch.start()
        try:
            start = (await b.tip()).height
            await asyncio.sleep(0.3)  # following the tip
            for n in (1, 2):
                await asyncio.to_thread(ltc_node.mine, 1)
                await until(lambda: len(told) >= n, f"block {n} told")  # noqa: B023  (awaited in this pass)
        finally:
            await watch.stop()
    assert told == [start + 1, start + 2]


async def mine_when_needed(nodes: list[RegtestNode], mined: list[float]) -> None:
    """A block on a chain as soon as its mempool holds a transaction (and every 0.5 s
    otherwise, so lock-free confirmation depths keep growing)."""
    last = time.monotonic()
    while True:
        for node in nodes:
            if await asyncio.to_thread(node.rpc, "getrawmempool") or (
                time.monotonic() - last > 0.5
            ):
                await asyncio.to_thread(node.mine, 1)
                mined.append(time.monotonic())
                last = time.monotonic()
        await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def running(tasks: list[Awaitable[None]]) -> AsyncIterator[None]:
    started = [asyncio.ensure_future(t) for t in tasks]
    try:
        yield
    finally:
        for task in started:
            task.cancel()
        await asyncio.gather(*started, return_exceptions=True)


async def test_a_block_moves_swaps_without_waiting_for_their_poll(
    tmp_path: Any,
    ltc_node: RegtestNode,
    btc_node: RegtestNode,
) -> None:
    """Both engines poll every 30 s; each confirmation they wait for (the counterparty's
    init before funding or redeeming, our redeem before Complete) comes with a block and no
    DEX message, so the swap finishes in seconds only if the blocks wake them."""
    backends: dict[str, ChainBackend] = {"ltc": backend(ltc_node), "btc": backend(btc_node)}
    wire = Wire()
    steps: list[tuple[float, str]] = []

    def on_event(event: SwapEvent) -> None:
        if isinstance(event, SwapStateChanged):
            steps.append((time.monotonic(), event.new))

    engines = {
        role: open_engine(
            tmp_path / f"{role.value}.db",
            backends,
            NodeFunding(ltc_node if role is Role.MAKER else btc_node),
            wire,
            role,
            on_event,
        )
        for role in (Role.MAKER, Role.TAKER)
    }
    watches = [BlockWatch(backends, e.wake) for e in engines.values()]
    for engine in engines.values():
        engine.poll_interval = SLOW_POLL
    mined: list[float] = []
    try:
        async with running(
            [
                wire.pump(Role.MAKER),
                wire.pump(Role.TAKER),
                mine_when_needed([ltc_node, btc_node], mined),
            ]
        ):
            for watch in watches:
                watch.start()
            maker, taker = make_matches(2_000_000, 1_000_000)
            started = time.monotonic()
            await engines[Role.TAKER].add_match(taker)
            await engines[Role.MAKER].add_match(maker)
            end_m, end_t = await asyncio.wait_for(
                asyncio.gather(
                    engines[Role.MAKER].wait(maker.match_id),
                    engines[Role.TAKER].wait(taker.match_id),
                ),
                SLOW_POLL - 5,
            )
            elapsed = time.monotonic() - started
    finally:
        for watch in watches:
            await watch.stop()
        for engine in engines.values():
            await engine.stop()
        for b in backends.values():
            await b.close()
    assert isinstance(end_m, Complete) and isinstance(end_t, Complete), (end_m, end_t)
    print(
        f"\nswap with 30 s polls, woken by blocks: {elapsed:.2f} s, {len(mined)} blocks; "
        f"steps {[s for _, s in steps]}"
    )
    assert elapsed < 15, elapsed


async def test_a_switched_node_ends_blocks_quietly_and_the_watch_follows_the_new_one(
    ltc_node: RegtestNode,
) -> None:
    """Settings applies a new node live: the old node's long poll ends without an error the
    moment switch() closes it, and the watch follows the new node."""
    switchable = SwitchableBackend(
        core(ltc_node.rpc_url, poll_interval=SLOW_POLL, long_poll=20.0),
        lambda: NoNodeConfiguredError("ltc"),
    )
    events = switchable.blocks()
    waiter = asyncio.ensure_future(anext(events))
    await asyncio.sleep(0.3)  # inside the old node's 20 s long poll
    started = time.monotonic()
    await switchable.switch(core(ltc_node.rpc_url, poll_interval=SLOW_POLL))
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(waiter, 5)
    assert time.monotonic() - started < DEADLINE
    heard: list[str] = []
    watch = BlockWatch(
        {"ltc": switchable}, lambda asset, block: heard.append(block.hash), retry_min=0.1
    )
    watch.start()
    try:
        await asyncio.sleep(0.3)
        await switchable.switch(core(ltc_node.rpc_url, poll_interval=SLOW_POLL))
        [mined] = await asyncio.to_thread(ltc_node.mine, 1)
        await until(lambda: mined in heard, "the block heard")
    finally:
        await watch.stop()
        await switchable.close()
