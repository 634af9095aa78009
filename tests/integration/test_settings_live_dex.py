"""Settings applied live on real regtest nodes and two real DEX servers (in-process): a node
switched to a dead port and back (the same backend object everyone holds follows), a move to
another server with nothing open (registered there, books subscribed), and a move refused
while an order is open (still on the old server)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from app.client.client import Client
from app.client.registration import RegistrationQuote
from app.client.server_switch import DexSwitchRefused
from app.config import NodeConfig
from app.wallet.errors import BackendError
from app.wallet.session import create_wallet, unlock_wallet
from dexproto.assets import Network
from dexserver.app import DexServer
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode, free_port
from tests.fakes.dexserver_rig import LOT, REGFEE, server_config
from tests.waits import until

pytestmark = pytest.mark.regtest
RATE = 10_000_000  # 0.1 BTC/LTC


async def accept(quote: RegistrationQuote) -> bool:
    """These servers are the test's own (advertised fee, loopback): the user says yes."""
    return quote.amount == REGFEE and quote.url.startswith("ws://127.0.0.1:")


async def mine_until(node: RegtestNode, stop: asyncio.Event) -> None:
    """A block every 0.3 s: registration fees need their confirmation."""
    while not stop.is_set():
        await asyncio.to_thread(node.mine, 1)
        await asyncio.sleep(0.3)


async def server_at(tmp: Path, ltc: RegtestNode, btc: RegtestNode) -> DexServer:
    tmp.mkdir()
    server = DexServer(server_config(tmp, {"ltc": ltc, "btc": btc}, feerate=20))
    await server.start()
    return server


@pytest.fixture
async def servers(
    tmp_path: Path, ltc_node: RegtestNode, btc_node: RegtestNode
) -> AsyncIterator[tuple[DexServer, DexServer]]:
    first = await server_at(tmp_path / "dex-a", ltc_node, btc_node)
    second = await server_at(tmp_path / "dex-b", ltc_node, btc_node)
    try:
        yield first, second
    finally:
        await first.stop()
        await second.stop()


async def test_nodes_and_server_switch_while_running(
    tmp_path: Path,
    ltc_node: RegtestNode,
    btc_node: RegtestNode,
    servers: tuple[DexServer, DexServer],
) -> None:
    first, second = servers
    url_a, url_b = (f"ws://127.0.0.1:{s.port}" for s in servers)
    nodes = {
        s: NodeConfig(n.rpc_url, RPC_USER, RPC_PASSWORD)
        for s, n in (("ltc", ltc_node), ("btc", btc_node))
    }
    create_wallet(tmp_path / "w", "pw", network=Network.REGTEST, nodes=nodes, scrypt_n=2**10)
    wallet = unlock_wallet(tmp_path / "w", "pw")
    ltc = wallet.asset("ltc")
    for i in range(3):
        ltc_node.fund_script(ltc.keys.script(False, i), 30_000_000, mine=False)
    ltc_node.mine(1)
    core = Client(wallet, dex_url=url_a, poll_interval=0.2)
    stop_mining = asyncio.Event()
    miner = asyncio.ensure_future(mine_until(ltc_node, stop_mining))
    await core.start()
    try:
        await core.ensure_registered(timeout=60, confirm=accept)
        coins = await ltc.utxos()
        assert sum(u.value for u in coins) > 0
        backend = ltc.backend

        # -- a node switched to a dead port and back ------------------------------------
        dead = NodeConfig(f"http://127.0.0.1:{free_port()}", RPC_USER, RPC_PASSWORD)
        assert await wallet.apply_config(replace(wallet.config, nodes={**nodes, "ltc": dead})) == [
            "ltc"
        ]
        assert ltc.backend is backend  # the engine and the views hold this same object
        with pytest.raises(BackendError):
            await ltc.utxos()
        assert (await wallet.asset("btc").backend.tip()).height > 0  # the other chain is fine
        assert await wallet.apply_config(replace(wallet.config, nodes=nodes)) == ["ltc"]
        assert {u.outpoint for u in await ltc.utxos()} == {u.outpoint for u in coins}

        # -- another server, nothing open: moved, registered, books subscribed ------------
        await core.switch_dex(url_b, timeout=60, confirm=accept)
        assert core.dex_url == url_b and core.dex.connection.url == url_b
        assert core.dex.account is not None
        await until(
            lambda: (m := core.dex.book("ltc", "btc")) is not None and m.synced,
            "the book synced",
            timeout=20,
        )

        # -- an open order there: a move back is refused, we stay ------------------------
        client = core.dex
        oid = await core.place_order("ltc_btc", "sell", "limit", LOT, RATE)
        with pytest.raises(DexSwitchRefused) as refused:
            await core.switch_dex(url_a)
        assert refused.value.blockers.orders == 1 and refused.value.blockers.swaps == 0
        assert core.dex is client and core.dex_url == url_b and core.dex.ready
        assert core.order_store.get(oid) is not None
        assert first.port != second.port
    finally:
        stop_mining.set()
        await miner
        await core.stop()
        await wallet.close()
