"""ElectrumBackend against real e-x servers over a real Litecoin Core regtest node: the same
behaviour the Core backend shows, plus the full history (restore past spent-out addresses)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import pytest

from app.wallet.backends.base import TxRejectedError
from app.wallet.backends.electrum import ElectrumBackend
from app.wallet.coins import Outpoint
from app.wallet.errors import NodeUnreachableError
from dexproto.assets import Network
from simnet.electrum import ElectrumServer
from simnet.node import RegtestNode
from tests.fakes.coins import funded, new_key, spend
from tests.fakes.electrum_proxy import proxy

pytestmark = pytest.mark.regtest
T = TypeVar("T")


async def eventually(
    call: Callable[[], Awaitable[T]], ok: Callable[[T], bool], timeout: float = 10.0
) -> T:
    """Poll until `ok(result)`: e-x follows the node a few tens of milliseconds behind."""
    deadline = time.monotonic() + timeout
    while True:
        result = await call()
        if ok(result) or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.05)


@pytest.fixture
async def backend(ltc_electrum: ElectrumServer) -> AsyncIterator[ElectrumBackend]:
    async with ElectrumBackend([ltc_electrum.url], "ltc", Network.REGTEST, poll_interval=0.2) as b:
        assert isinstance(b, ElectrumBackend)
        yield b


async def test_tip_and_median_time_from_our_headers(
    backend: ElectrumBackend,
    ltc_node: RegtestNode,
    ltc_electrum: ElectrumServer,
) -> None:
    ltc_electrum.wait_synced()
    tip = await backend.tip()
    assert tip.hash == ltc_node.rpc("getbestblockhash")
    assert tip.height == ltc_node.rpc("getblockcount")
    assert await backend.median_time_past() == ltc_node.median_time_past() == tip.median_time
    assert "at height" in backend.status_line()


async def test_utxos_used_scripts_and_spent_out_history(
    backend: ElectrumBackend,
    ltc_node: RegtestNode,
    ltc_electrum: ElectrumServer,
) -> None:
    (k1, s1), (k2, s2), (_, unused) = new_key(), new_key(), new_key()
    a = funded(ltc_node, k1, s1, 123_456_789)
    c = funded(ltc_node, k2, s2, 77_777_777)
    ltc_node.mine(1)
    height = ltc_electrum.wait_synced()
    coins = await eventually(lambda: backend.utxos([s1, s2, unused]), lambda r: len(r) == 2)
    assert {(u.outpoint, u.value, u.script, u.height, u.confirmations) for u in coins} == {
        (a.utxo.outpoint, 123_456_789, s1, height, 1),
        (c.utxo.outpoint, 77_777_777, s2, height, 1),
    }
    signed, dest = spend([a])
    assert await backend.broadcast(signed.raw) == signed.txid
    left = await eventually(
        lambda: backend.utxos([s1, s2, dest]), lambda r: {u.script for u in r} == {s2, dest}
    )
    [new] = [u for u in left if u.script == dest]
    assert (new.outpoint, new.height, new.confirmations) == (Outpoint(signed.txid, 0), 0, 0)
    ltc_node.mine(1)
    ltc_electrum.wait_synced()
    # s1 holds nothing now, in blocks: Core's scantxoutset would call it unused.
    assert await eventually(lambda: backend.utxos([s1]), lambda r: not r) == []
    assert await backend.used_scripts([s1, s2, unused]) == {s1, s2}
    assert await backend.utxos([]) == [] and await backend.used_scripts([]) == set()


async def test_get_tx_and_confirmations_are_proven(
    backend: ElectrumBackend,
    ltc_node: RegtestNode,
    ltc_electrum: ElectrumServer,
) -> None:
    _, script = new_key()
    txid, _ = ltc_node.fund_script(script, 10_000_000, mine=False)
    info = await eventually(lambda: backend.get_tx(txid), lambda i: i is not None)
    assert info is not None
    assert (info.txid, info.confirmations, info.height, info.block_time) == (txid, 0, None, None)
    assert info.raw.hex() == ltc_node.rpc("getrawtransaction", txid)
    ltc_node.mine(2)
    ltc_electrum.wait_synced()
    info = await eventually(lambda: backend.get_tx(txid), lambda i: bool(i and i.confirmations))
    tip = await backend.tip()
    assert info is not None and info.confirmations == 2 and info.height == tip.height - 1
    assert info.block_time is not None
    assert (
        info.block_time == ltc_node.rpc("getblockheader", tip.hash)["time"]
        or info.block_time <= tip.time
    )
    assert await backend.confirmations(txid) == 2
    assert await backend.get_tx("ab" * 32) is None
    assert await backend.confirmations("ab" * 32) is None


async def test_broadcast_find_spend_and_output_spent(
    backend: ElectrumBackend,
    ltc_node: RegtestNode,
    ltc_electrum: ElectrumServer,
) -> None:
    (k1, s1), (k2, s2) = new_key(), new_key()
    first = funded(ltc_node, k1, s1, 20_000_000)
    second = funded(ltc_node, k2, s2, 30_000_000, mine=True)
    from_height = ltc_electrum.wait_synced()
    target = second.utxo.outpoint
    assert not await backend.output_spent(target)
    assert await backend.find_spend(target, from_height) is None

    signed, _ = spend([first, second])
    assert await backend.broadcast(signed.raw) == signed.txid
    assert await backend.broadcast(signed.raw) == signed.txid  # already in the mempool
    found = await eventually(
        lambda: backend.find_spend(target, from_height), lambda f: f is not None
    )
    assert found is not None
    assert (found.txid, found.vin, found.raw, found.height) == (signed.txid, 1, signed.raw, None)
    assert await backend.output_spent(target)

    ltc_node.mine(3)
    mined_at = ltc_electrum.wait_synced() - 2
    found = await eventually(
        lambda: backend.find_spend(target, from_height),
        lambda f: f is not None and f.height is not None,
    )
    assert found is not None
    assert (found.txid, found.vin, found.height) == (signed.txid, 1, mined_at)
    first_spend = await backend.find_spend(first.utxo.outpoint, mined_at)
    assert first_spend is not None and first_spend.vin == 0
    assert await backend.find_spend(target, mined_at + 1) is None
    assert await backend.output_spent(target)
    assert not await backend.output_spent(Outpoint(signed.txid, 0))
    assert not await backend.output_spent(Outpoint("cd" * 32, 0))
    assert not await backend.output_spent(Outpoint(signed.txid, 7))


async def test_rejected_transactions_carry_the_nodes_reason(
    backend: ElectrumBackend,
    ltc_node: RegtestNode,
) -> None:
    secret, script = new_key()
    coin = funded(ltc_node, secret, script, 10_000_000, mine=True)
    zero_fee, _ = spend([coin], fee=0)
    with pytest.raises(TxRejectedError) as info:
        await backend.broadcast(zero_fee.raw)
    assert "min relay fee not met" in info.value.reason
    with pytest.raises(TxRejectedError) as info:
        await backend.broadcast(b"\x02\x00\x00\x00garbage")
    assert "decode" in info.value.reason.lower()


async def test_blocks_yields_a_new_block(
    backend: ElectrumBackend,
    ltc_node: RegtestNode,
    ltc_electrum: ElectrumServer,
) -> None:
    ltc_electrum.wait_synced()
    tip = await backend.tip()
    async with contextlib.aclosing(backend.blocks(since=tip.hash)) as events:
        waiter = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0.1)
        assert not waiter.done()
        [mined] = await asyncio.to_thread(ltc_node.mine, 1)
        block = await asyncio.wait_for(waiter, 10)
    assert (block.hash, block.height) == (mined, tip.height + 1)


async def test_fee_estimates_on_regtest(backend: ElectrumBackend) -> None:
    rate = await backend.estimate_fee_rate(6)
    assert rate is None or rate >= 1
    assert await backend.min_fee_rate() == 1  # Litecoin's 0.00001 LTC/kB relay floor


async def test_failover_when_one_server_is_killed(
    electrum_factory: Callable[[RegtestNode], ElectrumServer],
    ltc_node: RegtestNode,
) -> None:
    first, second = electrum_factory(ltc_node), electrum_factory(ltc_node)
    async with ElectrumBackend(
        [first.url, second.url], "ltc", Network.REGTEST, timeout=3.0, connect_timeout=2.0
    ) as b:
        assert isinstance(b, ElectrumBackend)
        before = await b.tip()
        assert [s.state for s in b.status()] == ["connected", "idle"]
        first.kill()
        ltc_node.mine(1)
        second.wait_synced()
        after = await eventually(b.tip, lambda t: t.height > before.height)
        assert after.height == before.height + 1
        assert [s.state for s in b.status()] == ["unreachable", "connected"]
        assert second.url in b.status_line()
        second.kill()
        with pytest.raises(Exception) as info:
            await b.tip()
        assert "Cannot reach" in str(info.value)


async def test_a_close_during_the_handshake_leaves_no_connection_open(
    ltc_electrum: ElectrumServer,
) -> None:
    """A backend closed while a call is still connecting (Settings switched the chain to a
    node meanwhile) keeps no socket from that connection; the backend can be used again."""
    closing: list[asyncio.Task[None]] = []

    def close_now(request: dict[str, Any], result: Any) -> Any:
        closing.append(asyncio.ensure_future(light.close()))  # runs before we read this answer
        return result

    async with proxy(ltc_electrum, {"blockchain.headers.subscribe": close_now}) as slow:
        light = ElectrumBackend([slow.url], "ltc", Network.REGTEST, timeout=5, connect_timeout=3)
        with pytest.raises(NodeUnreachableError) as refused:
            await light.tip()
        assert refused.value.detail == "the backend was closed"
        await asyncio.gather(*closing)
        assert light._conn is None and light.status()[0].state != "connected"
        async with ElectrumBackend(
            [ltc_electrum.url], "ltc", Network.REGTEST, timeout=5, connect_timeout=3
        ) as again:
            assert (await again.tip()).height == ltc_electrum.height()
