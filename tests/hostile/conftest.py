"""Fixtures of the hostile-server tests: the session's two regtest nodes (ltc and the BTC
stand-in, tests/conftest.py) with empty mempools, a hostile server per test, and a factory
of victims (a fresh wallet funded on both chains, the real Client connected to the server)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from app.client.client import Client
from app.config import NodeConfig, load_config, save_config
from app.safety.limits import SafetyLimits
from app.wallet.session import create_wallet, unlock_wallet
from dexproto.assets import Network
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode
from tests.hostile.server import HostileServer
from tests.hostile.trader import Trader

LTC_COINS = (30_000_000, 30_000_000, 30_000_000)  # 0.3 LTC each
BTC_COINS = (20_000_000, 20_000_000)  # 0.2 BTC each
MakeTrader = Callable[..., Awaitable[Trader]]


@pytest.fixture
def nodes(ltc_node: RegtestNode, btc_node: RegtestNode) -> dict[str, RegtestNode]:
    """Both chains with empty mempools (what an earlier test sent is mined)."""
    for node in (ltc_node, btc_node):
        if node.rpc("getrawmempool"):
            node.mine(1)
    return {"ltc": ltc_node, "btc": btc_node}


@pytest.fixture
async def server() -> AsyncIterator[HostileServer]:
    hostile = HostileServer()
    await hostile.start()
    try:
        yield hostile
    finally:
        await hostile.stop()


@pytest.fixture
async def make_trader(
    tmp_path: Path, nodes: dict[str, RegtestNode], server: HostileServer
) -> AsyncIterator[MakeTrader]:
    """`await make_trader()`: a funded wallet and a started Client on the hostile server
    (configure the server first: the client reads `assets` when it connects). With
    `ready=True` it waits for the connection (account connected); `limits` are the user's
    safety limits (else the regtest defaults)."""
    made: list[Trader] = []

    async def make(ready: bool = True, limits: SafetyLimits | None = None) -> Trader:
        datadir = tmp_path / f"wallet{len(made)}"
        config = {s: NodeConfig(n.rpc_url, RPC_USER, RPC_PASSWORD) for s, n in nodes.items()}
        create_wallet(datadir, "pw", network=Network.REGTEST, nodes=config, scrypt_n=2**10)
        if limits is not None:  # the user's own safety limits, in config.json as Settings does
            app_config = load_config(datadir)
            app_config.set_safety_limits(limits)
            save_config(datadir, app_config)
        wallet = unlock_wallet(datadir, "pw")
        if limits is not None:
            assert wallet.config.safety_limits() == limits
        for symbol, values in (("ltc", LTC_COINS), ("btc", BTC_COINS)):
            keys = wallet.asset(symbol).keys
            for i, value in enumerate(values):
                await asyncio.to_thread(
                    nodes[symbol].fund_script, keys.script(False, i), value, False
                )
            await asyncio.to_thread(nodes[symbol].mine, 1)
        core = Client(wallet, dex_url=server.url, poll_interval=0.2)
        trader = Trader(core, wallet, server, nodes)
        core.events.subscribe(trader.events.append)
        made.append(trader)
        trader.start = await trader.holdings()
        for symbol, values in (("ltc", LTC_COINS), ("btc", BTC_COINS)):
            assert trader.start[symbol].total == sum(values), f"{symbol} funding not seen"
        await core.start()
        if ready:
            await core.ready(10)
            assert core.dex.account is not None, "the hostile server did not connect us"
        return trader

    try:
        yield make
    finally:
        for trader in made:
            try:
                await trader.core.stop()
            finally:
                await trader.wallet.close()
