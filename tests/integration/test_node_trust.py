"""The node is trusted as little as is cheap (L10) and never makes us scan the chain every tick
(M7): transactions checked against the txid asked for, replies bounded in size, and
`find_spend` reading each block once per outpoint, again only after a reorg."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from app.wallet.backends.corerpc import CoreRpcBackend
from app.wallet.coins import Outpoint
from app.wallet.errors import NodeResponseError
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode
from tests.fakes.coins import funded, new_key, spend
from tests.fakes.core_rpc import FakeNode, answer, by_method, make_backend
from tests.fakes.scripted_chain import contract_tx, contract_txid

pytestmark = pytest.mark.regtest
MIB = 1024 * 1024


# -- L10: the transaction is the one asked for --------------------------------------------------
async def test_a_transaction_that_hashes_to_another_txid_is_refused(fake_node: FakeNode) -> None:
    asked = contract_txid(b"\x00\x14" + bytes(20), 1000)
    other = contract_tx(b"\x00\x14" + bytes(20), 999)  # one atom different: another txid
    async with make_backend(fake_node.url) as b:
        fake_node.reply = by_method(
            {"getrawtransaction": {"txid": asked, "hex": other.hex(), "confirmations": 0}}
        )
        with pytest.raises(NodeResponseError) as info:
            await b.get_tx(asked)
        assert asked in str(info.value) and contract_txid(b"\x00\x14" + bytes(20), 999) in str(
            info.value
        )
        fake_node.reply = by_method(
            {
                "getrawtransaction": {  # another txid named outright
                    "txid": "ab" * 32,
                    "hex": other.hex(),
                    "confirmations": 0,
                }
            }
        )
        with pytest.raises(NodeResponseError) as info:
            await b.get_tx(asked)
        assert "ab" * 32 in str(info.value)
        good = contract_tx(b"\x00\x14" + bytes(20), 1000)
        fake_node.reply = by_method(
            {"getrawtransaction": {"txid": asked, "hex": good.hex(), "confirmations": 0}}
        )
        info_ok = await b.get_tx(asked)
        assert info_ok is not None and info_ok.raw == good


# -- L10: replies are bounded ------------------------------------------------------------------
class StreamingNode(FakeNode):
    """A FakeNode whose replies write the HTTP response themselves (streaming bodies)."""

    def __init__(self) -> None:
        super().__init__()
        self.stream: Callable[[web.Request], Awaitable[web.StreamResponse]] | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.stream is not None:
            return await self.stream(request)
        return await super().handle(request)


async def test_an_oversized_reply_is_refused_without_reading_it_all() -> None:
    node = StreamingNode()
    await node.start()
    sent = {"bytes": 0}
    release = asyncio.Event()

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()  # chunked: no length announced
        await response.prepare(request)
        chunk = b" " * 65536
        while True:  # a node that never stops talking
            await response.write(chunk)
            sent["bytes"] += len(chunk)

    async def announced(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": str(100 * MIB)})
        await response.prepare(request)
        await response.write(b"{")  # then nothing: a client waiting for 100 MiB would hang
        await asyncio.wait_for(release.wait(), 30)
        return response

    try:
        async with make_backend(node.url, timeout=20.0, max_reply_bytes=MIB) as b:
            for reply in (announced, endless):
                node.stream = reply
                started = time.monotonic()
                with pytest.raises(NodeResponseError) as info:
                    await b.tip()
                assert f"larger than {MIB} bytes" in str(info.value)
                assert time.monotonic() - started < 5  # at once, not after the timeout
            assert sent["bytes"] < 8 * MIB  # the endless one was cut off near the limit
            node.stream = None
            node.reply = answer(result="cd" * 32)  # a normal reply still works after
            assert await b.call("getbestblockhash") == "cd" * 32
    finally:
        release.set()
        await node.stop()


# -- M7: each block read once per outpoint -------------------------------------------------------
class RecordingBackend(CoreRpcBackend):
    """Counts the node calls find_spend makes."""

    def __init__(self, url: str) -> None:
        super().__init__(url, RPC_USER, RPC_PASSWORD, poll_interval=0.05)
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    async def call(self, method: str, *params: Any) -> Any:
        self.calls.append((method, params))
        return await super().call(method, *params)

    def take(self, method: str) -> list[tuple[Any, ...]]:
        found = [p for m, p in self.calls if m == method]
        self.calls.clear()
        return found


async def test_find_spend_reads_each_block_once_and_again_only_after_a_reorg(
    fresh_node: RegtestNode,
) -> None:
    node = fresh_node
    node.ensure_mature_funds()
    tip = int(node.rpc("getblockcount"))
    vanished = Outpoint(os.urandom(32).hex(), 0)  # an init that is not (or no longer) there
    async with RecordingBackend(node.rpc_url) as b:
        assert isinstance(b, RecordingBackend)
        assert await b.find_spend(vanished, tip - 10) is None
        assert len(b.take("getblock")) == 11  # the first search reads tip-10 .. tip
        for _ in range(3):  # every later tick: no block read twice
            assert await b.find_spend(vanished, tip - 10) is None
            assert b.take("getblock") == []
        node.mine(2)
        assert await b.find_spend(vanished, tip - 10) is None
        assert [p[0] for p in b.take("getblock")] == [
            node.rpc("getblockhash", tip + 1),
            node.rpc("getblockhash", tip + 2),
        ]
        # A reorg replaces the last two blocks by three others: only those are read.
        node.rpc("invalidateblock", node.rpc("getblockhash", tip + 1))
        other = node.rpc("getnewaddress", "", "bech32", wallet="miner")
        node.rpc("generatetoaddress", 3, other)
        assert await b.find_spend(vanished, tip - 10) is None
        read = [p[0] for p in b.take("getblock")]
        assert read == [node.rpc("getblockhash", h) for h in (tip + 1, tip + 2, tip + 3)]


async def test_a_spend_in_the_mempool_costs_no_block_reads_then_is_found_mined(
    fresh_node: RegtestNode,
) -> None:
    node = fresh_node
    node.ensure_mature_funds()
    secret, script = new_key()
    coin = funded(node, secret, script, 1_000_000, mine=True)
    start = int(node.rpc("getblockcount")) - 5
    tx, _ = spend([coin])
    async with RecordingBackend(node.rpc_url) as b:
        assert isinstance(b, RecordingBackend)
        await b.broadcast(tx.raw)
        first = await b.find_spend(coin.utxo.outpoint, start)
        assert first is not None and first.txid == tx.txid and first.height is None
        assert len(b.take("getblock")) == 6
        again = await b.find_spend(coin.utxo.outpoint, start)
        assert again == first and b.take("getblock") == []
        node.mine(1)
        mined = await b.find_spend(coin.utxo.outpoint, start)
        assert mined is not None and mined.txid == tx.txid
        assert mined.height == int(node.rpc("getblockcount"))
        assert len(b.take("getblock")) == 1  # only the new block
