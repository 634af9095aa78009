"""A reorganisation of the chain under a live backend and a real e-x: our verified headers
follow the node's new best branch, a confirmation that only the orphaned branch held is
gone, one the new branch holds at a height we had a header for is proven, and median time
past is the new branch's."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from app.wallet.backends.electrum import ElectrumBackend
from dexproto.assets import Network
from simnet.electrum import ElectrumServer
from simnet.node import RegtestNode, start_node, stop_quietly
from tests.fakes.coins import new_key

pytestmark = pytest.mark.regtest
T = TypeVar("T")


async def until(
    call: Callable[[], Awaitable[T]], ok: Callable[[T], bool], timeout: float = 15.0
) -> T:
    deadline = time.monotonic() + timeout
    while not ok(result := await call()):
        if time.monotonic() > deadline:
            raise AssertionError(f"still {result!r} after {timeout}s")
        await asyncio.sleep(0.05)
    return result


def mine_empty(node: RegtestNode, blocks: int, clock: list[int]) -> list[str]:
    """Blocks without the mempool's transactions, each 10 minutes (mock time) after the
    last, so the branch's median time past differs from the orphaned one's."""
    hashes = []
    for _ in range(blocks):
        clock[0] += 600
        node.set_mock_time(clock[0])
        hashes.append(str(node.rpc("generateblock", node._mine_address, [])["hash"]))
    return hashes


async def test_a_reorg_moves_tip_confirmations_and_median_time(
    fresh_node: RegtestNode,
    electrum_factory: Callable[..., ElectrumServer],
) -> None:
    node = fresh_node
    node.mine(105)  # a few mature coinbases: two payments from separate coins
    server = electrum_factory(node)
    clock = [int(node.rpc("getblockheader", node.rpc("getbestblockhash"))["time"])]
    async with ElectrumBackend([server.url], "ltc", Network.REGTEST, timeout=5) as b:
        assert isinstance(b, ElectrumBackend)
        fork_height = int(node.rpc("getblockcount"))
        _, script = new_key()
        orphaned_txid, _ = node.fund_script(script, 5_000_000, mine=False)
        [orphan_block] = node.mine(1)
        mine_empty(node, 1, clock)
        server.wait_synced()
        old_tip = await b.tip()
        assert old_tip.hash == node.rpc("getbestblockhash")
        old_mtp = old_tip.median_time
        info = await b.get_tx(orphaned_txid)
        assert info is not None and (info.height, info.confirmations) == (fork_height + 1, 2)

        # The competing branch: longer (more work), without the orphaned transaction, and
        # with a new one in its first block (a height we hold the orphaned header of).
        node.rpc("invalidateblock", orphan_block)
        outputs = node.rpc("getrawtransaction", orphaned_txid, True)["vout"]
        node.rpc(
            "lockunspent",
            False,
            [{"txid": orphaned_txid, "vout": o["n"]} for o in outputs],
            wallet="miner",
        )  # not its change
        _, script2 = new_key()
        new_txid, _ = node.fund_script(script2, 6_000_000, mine=False)
        clock[0] += 600
        node.set_mock_time(clock[0])
        first = str(node.rpc("generateblock", node._mine_address, [new_txid])["hash"])
        branch = [first, *mine_empty(node, 9, clock)]
        assert node.rpc("getbestblockhash") == branch[-1]
        assert node.rpc("getrawmempool") == [orphaned_txid]
        server.wait_synced()

        # Asked first, before anything refreshed our headers: still proven, on the new block.
        info = await until(
            lambda: b.get_tx(new_txid), lambda i: i is not None and i.height is not None
        )
        assert info is not None and (info.height, info.confirmations) == (fork_height + 1, 10)
        assert b.status()[0].state == "connected"

        tip = await b.tip()
        assert (tip.hash, tip.height) == (branch[-1], fork_height + 10)
        assert tip.median_time == node.median_time_past() != old_mtp
        assert await b.median_time_past() == node.median_time_past()

        info = await until(
            lambda: b.get_tx(orphaned_txid), lambda i: i is not None and i.height is None
        )
        assert info is not None and info.confirmations == 0  # back in the mempool only
        assert await b.confirmations(orphaned_txid) == 0
        assert b.status()[0].state == "connected"


async def test_a_server_on_an_equal_work_branch_is_kept_and_not_believed(
    fresh_node: RegtestNode,
    electrum_factory: Callable[..., ElectrumServer],
    tmp_path: Path,
) -> None:
    """Two nodes that never met: two branches of equal work (two blocks found at once, made
    long). A confirmation on the other branch is not ours, yet the server that reports it is
    honest: kept, and believed once its branch has more work and we switch to it."""
    ours, other = fresh_node, start_node(tmp_path / "other", "litecoin", "ltc")
    try:
        ours.mine(106)
        other.mine(105)
        _, script = new_key()
        txid, _ = other.fund_script(script, 4_000_000, mine=True)
        assert ours.rpc("getblockcount") == other.rpc("getblockcount") == 106
        first, second = electrum_factory(ours), electrum_factory(other)
        async with ElectrumBackend(
            [first.url, second.url], "ltc", Network.REGTEST, timeout=5, connect_timeout=2
        ) as b:
            assert isinstance(b, ElectrumBackend)
            assert (await b.tip()).hash == ours.rpc("getbestblockhash")
            first.kill()
            info = await b.get_tx(txid)  # from the second server, against our headers
            assert info is not None and (info.confirmations, info.height) == (0, None)
            assert [s.state for s in b.status()] == ["unreachable", "connected"]
            assert (await b.tip()).hash == ours.rpc("getbestblockhash")  # first seen stays

            [extra] = other.mine(1)
            second.wait_synced()
            tip = await until(b.tip, lambda t: t.hash == extra)
            assert tip.height == 107 and tip.median_time == other.median_time_past()
            info = await b.get_tx(txid)
            assert info is not None and (info.confirmations, info.height) == (2, 106)
            assert b.status()[1].state == "connected"
    finally:
        stop_quietly(other)
