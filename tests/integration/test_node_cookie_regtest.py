"""A real Litecoin Core regtest node that uses its default cookie login (no rpcuser): the
wallet reads its balance through the cookie, keeps working after the node restarted with a
new cookie, and refuses the node when the wallet is on another network."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import NodeConfig
from app.wallet.backends.base import WrongNetworkError
from app.wallet.backends.nodes import node_backend
from app.wallet.session import create_wallet, unlock_wallet
from dexproto.assets import Network, get_asset
from simnet.node import RegtestNode, start_node, stop_quietly

PASSWORD = "correct horse"
FAST_KDF = 2**10


@pytest.fixture
def cookie_node(tmp_path: Path) -> Iterator[RegtestNode]:
    node = start_node(tmp_path / "node", "litecoin", "ltc", cookie_auth=True)
    yield node
    stop_quietly(node)


async def test_balance_is_read_with_the_nodes_cookie(
    tmp_path: Path, cookie_node: RegtestNode
) -> None:
    assert cookie_node.cookie_file.read_text().startswith("__cookie__:")
    nodes = {"ltc": NodeConfig(cookie_node.rpc_url, cookie_file=str(cookie_node.cookie_file))}
    create_wallet(tmp_path / "w", PASSWORD, network=Network.REGTEST, nodes=nodes, scrypt_n=FAST_KDF)
    wallet = unlock_wallet(tmp_path / "w", PASSWORD)
    try:
        ltc = wallet.asset("ltc")
        cookie_node.fund_script(ltc.keys.script(False, 0), 12_345_678)
        assert (await ltc.balance()).confirmed == 12_345_678

        # The node restarts and writes a new cookie: the wallet reads it and goes on.
        old = cookie_node.cookie_file.read_text()
        # In a thread: the loop must run to drop our idle keep-alive connection, which the
        # node's shutdown waits for (else it sits out its 30 s RPC timeout).
        await asyncio.to_thread(cookie_node.stop)
        cookie_node.start()
        assert cookie_node.cookie_file.read_text() != old
        cookie_node.fund_script(ltc.keys.script(False, 1), 1_000_000)
        assert (await ltc.balance()).confirmed == 13_345_678
    finally:
        await wallet.close()


async def test_a_regtest_node_is_refused_as_a_mainnet_node(cookie_node: RegtestNode) -> None:
    node = NodeConfig(cookie_node.rpc_url, cookie_file=str(cookie_node.cookie_file))
    backend = node_backend(node, get_asset("ltc", Network.MAINNET))
    try:
        with pytest.raises(WrongNetworkError) as caught:
            await backend.tip()
        assert "is not a Litecoin mainnet node" in str(caught.value)
        assert "This wallet is on mainnet" in str(caught.value)
        with pytest.raises(WrongNetworkError):  # nothing else goes through either
            await backend.utxos([b"\x00\x14" + bytes(20)])
    finally:
        await backend.close()
    regtest = node_backend(node, get_asset("ltc", Network.REGTEST))
    try:
        assert (await regtest.tip()).height == int(cookie_node.rpc("getblockcount"))
    finally:
        await regtest.close()
