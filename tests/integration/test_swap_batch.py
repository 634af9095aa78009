"""Protocol §9 case B on regtest: one maker, two matches in one epoch, ONE init transaction
funding both contracts; two separate takers each complete; balances to the atom."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from app.store.db import Store
from app.swap.engine import SwapEngine
from app.swap.htlc_tx import init_vsize, redeem_vsize
from app.swap.messages import OutgoingMessage, as_incoming
from app.swap.states import Complete, ContractPrepared, Match, Role
from app.swap.store import SwapStore, decode_state
from app.wallet.backends.base import ChainBackend
from simnet.node import RegtestNode
from tests.fakes.matches import RATE, make_matches, role_keys
from tests.integration.swap_harness import POLL, NodeFunding, backend, btc_backend, miner

pytestmark = pytest.mark.regtest
AMOUNTS = [(2_000_000, 1_000_000), (3_000_000, 1_500_000)]  # (maker pays LTC, taker pays BTC)


async def _balance(b: ChainBackend, script: bytes) -> int:
    return sum(u.value for u in await b.utxos([script]))


async def test_one_init_funds_two_matches(
    tmp_path: Path,
    ltc_node: RegtestNode,
    btc_node: RegtestNode,
) -> None:
    kernel = btc_backend(btc_node)  # every BTC broadcast checked by Bitcoin's interpreter
    backends: dict[str, ChainBackend] = {"ltc": backend(ltc_node), "btc": kernel}  # type: ignore[dict-item]
    pairs = [make_matches(m, t) for m, t in AMOUNTS]
    makers: list[Match] = [p[0] for p in pairs]
    takers: list[Match] = [p[1] for p in pairs]
    maker_funding = NodeFunding(ltc_node)
    taker_funding = [NodeFunding(btc_node), NodeFunding(btc_node)]
    engines: dict[str, SwapEngine] = {}  # taker engine by match id

    async def maker_send(msg: OutgoingMessage) -> None:  # the DEX relays by match id
        engines[msg.match_id].deliver(as_incoming(msg))

    async def taker_send(msg: OutgoingMessage) -> None:
        maker.deliver(as_incoming(msg))

    def engine(
        name: str,
        funding: NodeFunding,
        asset: str,
        send: Callable[[OutgoingMessage], Awaitable[None]],
    ) -> SwapEngine:
        role = Role.MAKER if asset == "ltc" else Role.TAKER
        return SwapEngine(
            SwapStore(Store(tmp_path / f"{name}.db")),
            backends,
            {asset: funding},
            send,
            poll_interval=POLL,
            rebroadcast_interval=0.5,
            keys=role_keys(role),
        )

    maker = engine("maker", maker_funding, "ltc", maker_send)
    for i, t in enumerate(takers):
        engines[t.match_id] = engine(f"taker{i}", taker_funding[i], "btc", taker_send)
    mining = asyncio.create_task(miner([ltc_node, btc_node]))
    try:
        for t in takers:
            await engines[t.match_id].add_match(t)
        await maker.add_batch(makers)
        ends = await asyncio.wait_for(
            asyncio.gather(
                *(maker.wait(m.match_id) for m in makers),
                *(engines[t.match_id].wait(t.match_id) for t in takers),
            ),
            40,
        )
    finally:
        mining.cancel()
        for e in (maker, *engines.values()):
            await e.stop()
    try:
        assert all(isinstance(e, Complete) for e in ends), ends
        # One funding call, one init transaction, one output per match.
        assert maker_funding.calls == 1
        prepared = []
        for m in makers:
            for h in maker.store.history(m.match_id):
                s = decode_state(h.record, h.fmt)
                if isinstance(s, ContractPrepared):
                    prepared.append(s.ours)
        assert len({o.init.txid for o in prepared}) == 1
        assert sorted(o.vout for o in prepared) == [0, 1]
        # Every atom: maker change = funding - both contracts - the two-contract init fee.
        total = sum(m.our_amount for m in makers)
        assert maker_funding.total == total + maker_funding.margin
        assert await _balance(backends["ltc"], maker_funding.change_script) == (
            maker_funding.total - total - RATE * init_vsize(1, 2, maker_funding.change_script)
        )
        for m, t, tf in zip(makers, takers, taker_funding, strict=True):
            assert await _balance(backends["btc"], m.redeem_script) == (
                m.their_amount - RATE * redeem_vsize(97, m.redeem_script)
            )
            assert await _balance(backends["ltc"], t.redeem_script) == (
                t.their_amount - RATE * redeem_vsize(97, t.redeem_script)
            )
            assert await _balance(backends["btc"], tf.change_script) == (
                tf.total - t.our_amount - RATE * init_vsize(1, 1, tf.change_script)
            )
        # The BTC side: two taker inits and the maker's two redeems, each verified.
        kernel.check_clean()
        redeems = {e.redeem_txid for e in ends[: len(makers)] if isinstance(e, Complete)}
        assert len(redeems) == 2 and redeems <= set(kernel.ledger.verified)
        assert len(kernel.ledger.verified) == 4, kernel.ledger
    finally:
        for b in backends.values():
            await b.close()
        for e in (maker, *engines.values()):
            e.store.store.close()
