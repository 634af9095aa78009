"""CoreRpcBackend against a real Litecoin Core regtest node, and against broken nodes."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web

from app.wallet.backends.base import NodeAuthError, TxRejectedError
from app.wallet.backends.corerpc import CoreRpcBackend
from app.wallet.coins import Outpoint
from app.wallet.errors import NodeResponseError, NodeUnreachableError
from simnet.node import RegtestNode
from tests.fakes.coins import funded, new_key, spend
from tests.fakes.core_rpc import FakeNode, answer, by_method, make_backend

pytestmark = pytest.mark.regtest


@pytest.fixture
async def backend(ltc_node: RegtestNode) -> AsyncIterator[CoreRpcBackend]:
    async with make_backend(ltc_node.rpc_url) as b:
        assert isinstance(b, CoreRpcBackend)
        yield b


async def test_tip_and_median_time(backend: CoreRpcBackend, ltc_node: RegtestNode) -> None:
    tip = await backend.tip()
    assert tip.hash == ltc_node.rpc("getbestblockhash")
    assert tip.height == ltc_node.rpc("getblockcount")
    assert await backend.median_time_past() == ltc_node.median_time_past() == tip.median_time
    assert tip.time >= tip.median_time
    assert await backend.call("getblockcount") == tip.height


async def test_utxos_confirmed_and_mempool_then_spent_in_mempool(
    backend: CoreRpcBackend,
    ltc_node: RegtestNode,
) -> None:
    (k1, s1), (k2, s2), (k3, s3), (_, unused) = (new_key() for _ in range(4))
    a = funded(ltc_node, k1, s1, 123_456_789)
    b = funded(ltc_node, k1, s1, 5_000_000)
    c = funded(ltc_node, k2, s2, 77_777_777)
    ltc_node.mine(1)
    d = funded(ltc_node, k3, s3, 31_415_926)  # stays in the mempool
    height = ltc_node.rpc("getblockcount")
    coins = await backend.utxos([s1, s2, s3, unused])
    got = {(u.outpoint, u.value, u.script, u.height, u.confirmations) for u in coins}
    assert got == {
        (a.utxo.outpoint, 123_456_789, s1, height, 1),
        (b.utxo.outpoint, 5_000_000, s1, height, 1),
        (c.utxo.outpoint, 77_777_777, s2, height, 1),
        (d.utxo.outpoint, 31_415_926, s3, 0, 0),
    }
    assert coins == sorted(coins, key=lambda u: u.outpoint)
    assert await backend.used_scripts([s1, s2, s3, unused]) == {s1, s2, s3}
    assert await backend.utxos([]) == [] and await backend.used_scripts([]) == set()

    # Spend both s1 coins and the mempool coin in the mempool: they disappear at once,
    # and the new output shows up as a mempool coin of its script.
    signed, dest = spend([a, b, d])
    await backend.broadcast(signed.raw)
    left = await backend.utxos([s1, s2, s3, dest])
    assert [(u.outpoint, u.confirmations) for u in left if u.script != dest] == [
        (c.utxo.outpoint, 1)
    ]
    [new] = [u for u in left if u.script == dest]
    assert new.outpoint == Outpoint(signed.txid, 0) and new.height == 0
    assert new.value == 123_456_789 + 5_000_000 + 31_415_926 - 5_000
    # A Core node still sees s1 as used: its coins are in the UTXO set until mined.
    assert await backend.used_scripts([s1, s2, s3]) == {s1, s2, s3}


async def test_get_tx_and_confirmations(backend: CoreRpcBackend, ltc_node: RegtestNode) -> None:
    _, script = new_key()
    txid, _ = ltc_node.fund_script(script, 10_000_000, mine=False)
    info = await backend.get_tx(txid)
    assert info is not None
    assert (info.txid, info.confirmations, info.height, info.block_time) == (txid, 0, None, None)
    assert info.raw.hex() == ltc_node.rpc("getrawtransaction", txid)
    assert await backend.confirmations(txid) == 0
    ltc_node.mine(2)
    info = await backend.get_tx(txid)
    tip = await backend.tip()
    assert info is not None and info.confirmations == 2 and info.height == tip.height - 1
    assert info.block_time is not None and info.block_time <= tip.time
    assert await backend.confirmations(txid) == 2
    assert await backend.get_tx("ab" * 32) is None
    assert await backend.confirmations("ab" * 32) is None


async def test_broadcast_find_spend_and_output_spent(
    backend: CoreRpcBackend,
    ltc_node: RegtestNode,
) -> None:
    (k1, s1), (k2, s2) = new_key(), new_key()
    first = funded(ltc_node, k1, s1, 20_000_000)
    second = funded(ltc_node, k2, s2, 30_000_000, mine=True)
    from_height = ltc_node.rpc("getblockcount")
    target = second.utxo.outpoint
    assert not await backend.output_spent(target)
    assert await backend.find_spend(target, from_height) is None

    signed, _ = spend([first, second])
    assert await backend.broadcast(signed.raw) == signed.txid
    assert await backend.broadcast(signed.raw) == signed.txid  # already in the mempool
    assert signed.txid in ltc_node.rpc("getrawmempool")
    assert await backend.output_spent(target)
    found = await backend.find_spend(target, from_height)
    assert found is not None
    assert (found.txid, found.vin, found.raw, found.height) == (signed.txid, 1, signed.raw, None)

    ltc_node.mine(3)
    mined_at = ltc_node.rpc("getblockcount") - 2
    assert await backend.broadcast(signed.raw) == signed.txid  # already in a block
    found = await backend.find_spend(target, from_height)
    assert found is not None
    assert (found.txid, found.vin, found.height) == (signed.txid, 1, mined_at)
    first_spend = await backend.find_spend(first.utxo.outpoint, mined_at)
    assert first_spend is not None and first_spend.vin == 0
    # Searching only blocks after the spend finds nothing.
    assert await backend.find_spend(target, mined_at + 1) is None
    assert await backend.output_spent(target)
    assert not await backend.output_spent(Outpoint(signed.txid, 0))
    assert not await backend.output_spent(Outpoint("cd" * 32, 0))
    assert not await backend.output_spent(Outpoint(signed.txid, 7))


async def test_rejected_transactions_carry_the_nodes_reason(
    backend: CoreRpcBackend,
    ltc_node: RegtestNode,
) -> None:
    secret, script = new_key()
    coin = funded(ltc_node, secret, script, 10_000_000, mine=True)
    zero_fee, _ = spend([coin], fee=0)
    with pytest.raises(TxRejectedError) as info:
        await backend.broadcast(zero_fee.raw)
    assert "min relay fee not met" in info.value.reason
    assert info.value.code == -26 and "min relay fee not met" in str(info.value)
    with pytest.raises(TxRejectedError) as info:
        await backend.broadcast(b"\x02\x00\x00\x00garbage")
    assert "decode" in info.value.reason.lower()
    with pytest.raises(NodeResponseError) as err:
        await backend.call("nosuchmethod")
    assert err.value.code == -32601


async def test_blocks_yields_a_new_block(backend: CoreRpcBackend, ltc_node: RegtestNode) -> None:
    tip = await backend.tip()
    async with contextlib.aclosing(backend.blocks(since=tip.hash)) as events:
        waiter = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0.1)
        assert not waiter.done()
        [mined] = await asyncio.to_thread(ltc_node.mine, 1)
        block = await asyncio.wait_for(waiter, 10)
    assert (block.hash, block.height) == (mined, tip.height + 1)


async def test_estimate_fee_rate_on_regtest(backend: CoreRpcBackend) -> None:
    rate = await backend.estimate_fee_rate(6)
    assert rate is None or (isinstance(rate, int) and rate >= 1)


async def test_wrong_password_is_an_auth_error(ltc_node: RegtestNode) -> None:
    async with make_backend(ltc_node.rpc_url, password="wrong") as b:
        with pytest.raises(NodeAuthError) as info:
            await b.tip()
    assert "password" in str(info.value) and ltc_node.rpc_url in str(info.value)


async def test_stopped_node_fails_fast_with_unreachable(fresh_node: RegtestNode) -> None:
    url = fresh_node.rpc_url
    async with make_backend(url, timeout=5.0, connect_timeout=2.0) as b:
        await b.tip()
        await asyncio.to_thread(fresh_node.stop)
        _, script = new_key()
        calls: list[Callable[[], Awaitable[object]]] = [
            b.tip,
            b.median_time_past,
            lambda: b.utxos([script]),
            lambda: b.used_scripts([script]),
            lambda: b.get_tx("ab" * 32),
            lambda: b.confirmations("ab" * 32),
            lambda: b.output_spent(Outpoint("ab" * 32, 0)),
            lambda: b.find_spend(Outpoint("ab" * 32, 0), 0),
            lambda: b.broadcast(b"\x00"),
            lambda: b.estimate_fee_rate(2),
            lambda: anext(b.blocks()),
        ]
        for call in calls:
            started = time.monotonic()
            with pytest.raises(NodeUnreachableError) as info:
                await call()
            assert time.monotonic() - started < 3
            assert url in str(info.value)


async def test_garbage_answers_are_node_response_errors(fake_node: FakeNode) -> None:
    async def html(request: dict[str, Any]) -> web.StreamResponse:
        return web.Response(text="<html>proxy error</html>", status=502)

    async def not_rpc(request: dict[str, Any]) -> web.StreamResponse:
        return web.json_response(["hello"])

    async def slow(request: dict[str, Any]) -> web.StreamResponse:
        await asyncio.sleep(1)  # accepts the request, never answers in time
        return web.json_response({})

    async with make_backend(fake_node.url, timeout=0.3) as b:
        cases: list[tuple[Any, type[Exception], str]] = [
            (html, NodeResponseError, "not JSON"),
            (not_rpc, NodeResponseError, "malformed"),
            (answer(result=["not", "a", "hash"]), NodeResponseError, "unexpected value"),
            (answer(result="00" * 31), NodeResponseError, "unexpected value"),
            (
                answer(error={"code": -28, "message": "Loading block index..."}),
                NodeResponseError,
                "Loading block index",
            ),
            (answer(error="oops"), NodeResponseError, "malformed error"),
            (slow, NodeUnreachableError, fake_node.url),
        ]
        for reply, kind, text in cases:
            fake_node.reply = reply
            started = time.monotonic()
            with pytest.raises(kind) as info:
                await b.tip()
            assert text in str(info.value)
            assert time.monotonic() - started < 2
        fake_node.reply = answer(result={"feerate": "0.0001"})
        with pytest.raises(NodeResponseError):
            await b.estimate_fee_rate(2)
        header = {"height": "7", "hash": "ab" * 32, "time": 1, "mediantime": 1}
        fake_node.reply = by_method({"getbestblockhash": "ab" * 32, "getblockheader": header})
        with pytest.raises(NodeResponseError) as info:
            await b.tip()
        assert "header.height" in str(info.value)
        del header["time"]
        header["height"] = 7
        with pytest.raises(NodeResponseError) as info:
            await b.tip()
        assert "lacks header.time" in str(info.value)


async def test_scan_waits_while_another_scan_is_in_progress(fake_node: FakeNode) -> None:
    best = "cd" * 32
    busy = {"left": 2}
    script = b"\x00\x14" + b"\x44" * 20

    async def node(request: dict[str, Any]) -> web.StreamResponse:
        method = request["method"]
        if method == "scantxoutset" and busy["left"] > 0:
            busy["left"] -= 1
            return await answer(
                error={
                    "code": -8,
                    "message": 'Scan already in progress, use action "abort" or "status"',
                }
            )(request)
        return await by_method(
            {
                "scantxoutset": {
                    "success": True,
                    "height": 10,
                    "bestblock": best,
                    "unspents": [
                        {
                            "txid": "ef" * 32,
                            "vout": 1,
                            "scriptPubKey": script.hex(),
                            "amount": 0.5,
                            "height": 9,
                        }
                    ],
                },
                "getrawmempool": [],
                "getbestblockhash": best,
            }
        )(request)

    fake_node.reply = node
    async with make_backend(fake_node.url) as b:
        [coin] = await b.utxos([script])
    assert busy["left"] == 0
    assert (coin.outpoint, coin.value, coin.confirmations) == (
        Outpoint("ef" * 32, 1),
        50_000_000,
        2,
    )
