"""The status line's data (app/wallet/chain_status.py) from real backends: a light chain on a
real e-x server, one whose servers are all down, and a real Litecoin Core node by RPC."""

from __future__ import annotations

import pytest

from app.config import NodeConfig
from app.wallet.backends.electrum import ElectrumBackend
from app.wallet.backends.nodes import node_backend
from app.wallet.backends.switchable import SwitchableBackend
from app.wallet.chain_status import ELECTRUM, NODE, NONE, chain_status
from app.wallet.errors import NoNodeConfiguredError
from dexproto.assets import Network, get_asset
from simnet.electrum import ElectrumServer
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode, free_port

pytestmark = pytest.mark.regtest


async def test_a_light_chain_reports_its_server_and_verified_height(
    ltc_electrum: ElectrumServer, ltc_node: RegtestNode
) -> None:
    height = ltc_electrum.wait_synced()
    dead = f"tcp://127.0.0.1:{free_port()}"  # listed first: failover to the live one
    backend = ElectrumBackend([dead, ltc_electrum.url], "ltc", Network.REGTEST)
    switch = SwitchableBackend(backend, lambda: NoNodeConfiguredError("ltc"))
    try:
        status = await chain_status("ltc", switch)
    finally:
        await switch.close()
    assert (status.kind, status.reachable, status.server) == (ELECTRUM, True, ltc_electrum.url)
    assert status.height is not None and status.height >= height
    assert (status.servers, status.dropped) == (2, 0)
    assert status.line.startswith("LTC: " + ltc_electrum.url)


async def test_a_light_chain_with_every_server_down_says_so() -> None:
    backend = ElectrumBackend(
        [f"tcp://127.0.0.1:{free_port()}"], "ltc", Network.REGTEST, connect_timeout=1.0
    )
    try:
        status = await chain_status("ltc", backend)
    finally:
        await backend.close()
    assert (status.kind, status.reachable, status.height) == (ELECTRUM, False, None)
    assert status.detail and "no Electrum server reachable" in status.line


async def test_a_node_reports_height_and_sync(ltc_node: RegtestNode) -> None:
    node = NodeConfig(ltc_node.rpc_url, RPC_USER, RPC_PASSWORD)
    backend = node_backend(node, get_asset("ltc", Network.REGTEST))
    try:
        status = await chain_status("ltc", backend)
    finally:
        await backend.close()
    assert (status.kind, status.reachable, status.syncing) == (NODE, True, False)
    assert status.height == int(ltc_node.rpc("getblockcount"))
    down = node_backend(
        NodeConfig(f"http://127.0.0.1:{free_port()}", "u", "p"), get_asset("ltc", Network.REGTEST)
    )
    try:
        status = await chain_status("ltc", down)
    finally:
        await down.close()
    assert (status.kind, status.reachable) == (NODE, False) and status.detail


async def test_no_backend() -> None:
    switch = SwitchableBackend(None, lambda: NoNodeConfiguredError("ltc"))
    assert (await chain_status("ltc", switch)).kind == NONE
