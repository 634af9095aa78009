"""Review M6 on real regtest nodes: a Litecoin node whose tip is hours old on our clock (its
blocks were mined with its mock time set in the past) keeps the maker from funding; the maker
says which node is behind and by how much, once; when the node catches up the swap settles."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest

from app.swap.states import Complete, Matched, Role
from simnet.node import RegtestNode
from tests.fakes.matches import make_matches
from tests.integration.swap_rig import (
    MAKER_AMOUNT,
    TAKER_AMOUNT,
    check_balances,
    problems,
    rig,
)
from tests.waits import until

pytestmark = pytest.mark.regtest
BEHIND_S = 3 * 3600 + 10 * 60


def _height(node: RegtestNode) -> int:
    return int(node.rpc("getblockcount"))


async def test_the_maker_waits_for_its_lagging_node_then_settles(
    tmp_path: Path,
    fresh_node: RegtestNode,
    btc_node: RegtestNode,
) -> None:
    # Every block of this chain is stamped 3 h 10 min ago: the node itself thinks it is then
    # (so it left initial block download), our clock is now.
    await asyncio.to_thread(fresh_node.set_mock_time, int(time.time()) - BEHIND_S)
    await asyncio.to_thread(fresh_node.ensure_mature_funds)
    assert fresh_node.rpc("getblockchaininfo")["initialblockdownload"] is False
    async with rig(tmp_path, fresh_node, btc_node) as r:
        sync = await r.backends["ltc"].sync_state()
        assert not sync.initial_download and time.time() - sync.tip_time > 3 * 3600
        assert time.time() - (await r.backends["btc"].sync_state()).tip_time < 600
        maker, taker = make_matches(MAKER_AMOUNT, TAKER_AMOUNT)
        em, et = r.engine(Role.MAKER), r.engine(Role.TAKER)
        await et.add_match(taker)
        await em.add_match(maker)
        await until(lambda: problems(r, Role.MAKER, "node is behind"), "node is behind", timeout=30)
        start = _height(fresh_node)  # the miner goes on (still stamping the past)
        await until(lambda: _height(fresh_node) >= start + 15, "15 more blocks", timeout=30)
        assert r.funding[Role.MAKER].calls == 0  # no coins asked for, no init built
        assert isinstance(em.store.load(maker.match_id), Matched)
        [message] = problems(r, Role.MAKER, "node is behind")  # once, not every tick
        assert re.fullmatch(r"LTC node is behind: its tip is 3 h (9|10) min old", message)
        await asyncio.to_thread(fresh_node.set_mock_time, 0)  # the node catches up
        await asyncio.to_thread(fresh_node.mine, 1)
        ends = await asyncio.wait_for(
            asyncio.gather(em.wait(maker.match_id), et.wait(taker.match_id)), 60
        )
        assert all(isinstance(e, Complete) for e in ends), ends
        assert r.funding[Role.MAKER].calls == 1
        await check_balances(r, maker, taker)
        assert len(problems(r, Role.MAKER, "node is behind")) == 1
