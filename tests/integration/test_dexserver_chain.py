"""The server's view of a chain (dexserver/chain.py over its own node client,
dexserver/node_rpc.py) against a real Litecoin Core regtest node, and against nodes that
fail: every failure is a ChainError (the handlers answer -32603), a missing tx is None, and
amounts are exact atoms."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from aiohttp import web

from dexproto.address import p2wpkh_script
from dexproto.assets import coins_to_atoms
from dexserver.chain import ChainError, ChainView
from dexserver.node_rpc import NodeRpc
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode, free_port
from tests.fakes.core_rpc import FakeNode, answer

pytestmark = pytest.mark.regtest
SCRIPT = p2wpkh_script(bytes(range(20)))
ATOMS = 12_345_678  # 0.12345678: a float would not carry it through every conversion


@pytest.fixture
async def chain(ltc_node: RegtestNode) -> AsyncIterator[ChainView]:
    view = ChainView(NodeRpc(ltc_node.rpc_url, RPC_USER, RPC_PASSWORD))
    yield view
    await view.close()


async def test_an_output_its_spent_state_and_its_transaction(
    chain: ChainView, ltc_node: RegtestNode
) -> None:
    txid, vout = await asyncio.to_thread(ltc_node.fund_script, SCRIPT, ATOMS, False)
    pending = await chain.unspent(txid, vout)
    assert pending is not None
    assert (pending.script, pending.value, pending.confirmations) == (SCRIPT, ATOMS, 0)
    await asyncio.to_thread(ltc_node.mine, 2)
    mined = await chain.unspent(txid, vout)
    assert mined is not None and mined.confirmations == 2
    tx = await chain.tx(txid)
    assert tx is not None and tx.confirmations == 2
    assert tx.outputs[vout].value == ATOMS and tx.outputs[vout].script == SCRIPT
    assert all(i is not None for i in tx.inputs)  # the miner's coins, not a coinbase


async def test_an_unknown_output_or_transaction_is_none(chain: ChainView) -> None:
    assert await chain.unspent("00" * 32, 0) is None
    assert await chain.tx("00" * 32) is None


async def test_a_node_that_is_down_or_refuses_us_is_a_chain_error(
    ltc_node: RegtestNode,
) -> None:
    for view in (
        ChainView(NodeRpc(f"http://127.0.0.1:{free_port()}", RPC_USER, RPC_PASSWORD)),
        ChainView(NodeRpc(ltc_node.rpc_url, RPC_USER, "wrong password")),
    ):
        with pytest.raises(ChainError):
            await view.unspent("00" * 32, 0)
        await view.close()


@pytest.mark.parametrize(
    "reply",
    [
        answer(error={"code": -8, "message": "parameter out of range"}),  # not -5: an error
        answer(result={"scriptPubKey": {"hex": SCRIPT.hex()}, "value": 1e-9, "confirmations": 1}),
        answer(result={"value": "1.5"}),  # no script, an amount as text
    ],
    ids=["rpc-error", "a-tenth-of-an-atom", "malformed"],
)
async def test_a_wrong_answer_is_a_chain_error(fake_node: FakeNode, reply: object) -> None:
    fake_node.reply = reply  # type: ignore[assignment]
    view = ChainView(NodeRpc(fake_node.url, RPC_USER, RPC_PASSWORD))
    try:
        with pytest.raises(ChainError):
            await view.unspent("ab" * 32, 0)
    finally:
        await view.close()


async def test_a_reply_that_is_not_json_is_a_chain_error(fake_node: FakeNode) -> None:
    async def proxy_page(request: dict[str, object]) -> web.StreamResponse:
        return web.Response(status=503, text="<html>Work queue depth exceeded</html>")

    fake_node.reply = proxy_page
    view = ChainView(NodeRpc(fake_node.url, RPC_USER, RPC_PASSWORD))
    try:
        with pytest.raises(ChainError, match="not a JSON reply"):
            await view.tx("ab" * 32)
    finally:
        await view.close()


def test_amounts_convert_exactly_or_not_at_all() -> None:
    assert coins_to_atoms(Decimal("0.12345678")) == ATOMS
    assert coins_to_atoms(21) == 21 * 10**8
    for bad in (0.1, Decimal("0.123456789"), Decimal("-1"), True, "1"):
        with pytest.raises(ValueError):
            coins_to_atoms(bad)
