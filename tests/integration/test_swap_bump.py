"""Fee bumping on real regtest chains: the maker's redeem is passed over by the miners (its
chain mines blocks with every other transaction), the engine replaces it at a higher fee rate
(BIP125), and the swap completes with whichever version confirms, every atom accounted for.

The crash variant runs the maker in its own process (swap_proc.py), SIGKILLed between storing
the replacement and broadcasting it, then restarted."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import pytest

from app.store.db import Store
from app.swap.engine import SwapEngine
from app.swap.htlc_tx import init_vsize, redeem_vsize, refund_vsize
from app.swap.states import Complete, Match, Redeeming, Refunded, Refunding, Role, SwapState
from app.swap.store import SwapStore
from app.wallet.backends.base import ChainBackend
from app.wallet.coins import SignedTx
from simnet.node import RegtestNode, coin_to_atoms, start_node, stop_quietly
from tests.btc_kernel import KERNEL_LOG, KernelCheckedBackend, absorb_log
from tests.fakes.matches import HOUR_MS, RATE, make_matches
from tests.integration.swap_harness import (
    HoldingMiner,
    NodeFunding,
    Wire,
    backend,
    btc_backend,
    miner,
    open_engine,
)
from tests.integration.swap_proc import Mailbox
from tests.integration.swap_spawn import fund_side, in_process, spawn

pytestmark = pytest.mark.regtest
MAKER_AMOUNT, TAKER_AMOUNT, MARGIN = 2_000_000, 1_000_000, 100_000
TIMEOUT = 60.0


@pytest.fixture
def held_chain(tmp_path: Path) -> Iterator[RegtestNode]:
    """The BTC chain, where the maker redeems: a private node whose miner we control. Litecoin
    Core stands in for it and, unlike Bitcoin Core, refuses every replacement unless told to
    (`-mempoolreplacement`, default 0, even for BIP125-signalling transactions)."""
    datadir = tmp_path / "held-node"
    datadir.mkdir()
    (datadir / "litecoin.conf").write_text(
        "[regtest]\nmempoolreplacement=1\nvbparams=mweb:2000000000:2100000000\n"
    )
    node = start_node(datadir, "litecoin", "btc")
    try:
        node.ensure_mature_funds()
        yield node
    finally:
        stop_quietly(node)


def _mempool(node: RegtestNode) -> set[str]:
    return set(node.rpc("getrawmempool"))


def _load(path: Path, match_id: str) -> SwapState | None:
    store = SwapStore(Store(path))
    try:
        return store.load(match_id)
    finally:
        store.store.close()


async def _until_bumped(path: Path, match_id: str) -> Redeeming:
    async def poll() -> Redeeming:
        while True:
            state = await asyncio.to_thread(_load, path, match_id)
            if isinstance(state, Redeeming) and state.replaced:
                return state
            await asyncio.sleep(0.05)

    return await asyncio.wait_for(poll(), TIMEOUT)


async def _until_in_mempool(node: RegtestNode, txid: str) -> None:
    async def poll() -> None:
        while txid not in await asyncio.to_thread(_mempool, node):
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), TIMEOUT)


async def _release(hold: HoldingMiner, state: Redeeming, which: str) -> SignedTx:
    """Mine one block with the chosen redeem version: "new" (the current replacement, taken
    from the mempool) or "old" (the first version, given raw although the mempool replaced
    it). Returns the version mined."""
    if which == "new":
        hold.held.clear()
        await asyncio.to_thread(hold.mine_one)
        return state.redeem
    await asyncio.to_thread(hold.mine_one, [state.replaced[0].raw.hex()])
    return state.replaced[0]


async def _balance(b: ChainBackend, script: bytes) -> int:
    return sum(u.value for u in await b.utxos([script]))


def _check_maker_redeem(end: SwapState, maker: Match, mined: SignedTx) -> Complete:
    assert isinstance(end, Complete), end
    assert end.redeem_txid == mined.txid
    assert end.received == TAKER_AMOUNT - mined.fee  # the fee the confirmed version paid
    assert mined.fee >= RATE * redeem_vsize(97, maker.redeem_script)
    return end


def _check_verified(backends: dict[str, ChainBackend], versions: Sequence[SignedTx]) -> None:
    """Every redeem version went through Bitcoin Core's interpreter before the node."""
    kernel = backends["btc"]
    assert isinstance(kernel, KernelCheckedBackend)
    assert len(versions) >= 2 and {v.txid for v in versions} <= set(kernel.ledger.verified)
    print(f"\nlibbitcoinkernel verified {len(kernel.ledger.verified)} BTC-side transactions")


@contextlib.asynccontextmanager
async def _mining(ltc: RegtestNode, hold: HoldingMiner) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(miner([ltc])), asyncio.create_task(hold.run())]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _pause(hold: HoldingMiner) -> None:
    hold.paused = True
    await asyncio.sleep(0.3)  # a mine_one under way finishes


async def _both_end(
    engines: dict[Role, SwapEngine], maker: Match, taker: Match
) -> tuple[SwapState, SwapState]:
    end_m, end_t = await asyncio.wait_for(
        asyncio.gather(
            engines[Role.MAKER].wait(maker.match_id), engines[Role.TAKER].wait(taker.match_id)
        ),
        TIMEOUT,
    )
    return end_m, end_t


@contextlib.asynccontextmanager
async def _two_engines(
    tmp_path: Path, ltc: RegtestNode, btc: RegtestNode
) -> AsyncIterator[tuple[dict[str, ChainBackend], dict[Role, NodeFunding], dict[Role, SwapEngine]]]:
    """Maker and taker engines in this process over the in-memory wire; stopped at exit."""
    kernel = btc_backend(btc)  # every BTC broadcast checked by Bitcoin's interpreter
    backends: dict[str, ChainBackend] = {"ltc": backend(ltc), "btc": kernel}  # type: ignore[dict-item]
    wire = Wire()
    funding = {Role.MAKER: NodeFunding(ltc), Role.TAKER: NodeFunding(btc)}
    pumps = [asyncio.create_task(wire.pump(role)) for role in Role]
    engines = {
        role: open_engine(tmp_path / f"{role.value}.db", backends, funding[role], wire, role)
        for role in Role
    }
    try:
        yield backends, funding, engines
        kernel.check_clean()
    finally:
        for engine in engines.values():
            await engine.stop()
        for task in pumps:
            task.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)
        for b in backends.values():
            await b.close()


@pytest.mark.parametrize("which", ["new", "old"])
async def test_stuck_redeem_is_replaced_and_either_version_completes(
    tmp_path: Path,
    ltc_node: RegtestNode,
    held_chain: RegtestNode,
    which: str,
) -> None:
    maker, taker = make_matches(MAKER_AMOUNT, TAKER_AMOUNT)
    hold = HoldingMiner(held_chain, {maker.redeem_script})
    async with _two_engines(tmp_path, ltc_node, held_chain) as (backends, funding, engines):
        async with _mining(ltc_node, hold):
            await engines[Role.TAKER].add_match(taker)
            await engines[Role.MAKER].add_match(maker)
            bumped = await _until_bumped(tmp_path / "maker.db", maker.match_id)
            await _pause(hold)
            state = await asyncio.to_thread(_load, tmp_path / "maker.db", maker.match_id)
            assert isinstance(state, Redeeming) and len(state.replaced) >= len(bumped.replaced)
            await _until_in_mempool(held_chain, state.redeem.txid)  # the replacement relayed
            pool = _mempool(held_chain)
            assert not {v.txid for v in state.replaced} & pool  # and it evicted the others
            fees = [v.fee for v in state.versions]
            assert fees == sorted(fees) and len(set(fees)) == len(fees)  # each one higher
            mined = await _release(hold, state, which)
            end_m, end_t = await _both_end(engines, maker, taker)
        done = _check_maker_redeem(end_m, maker, mined)
        assert isinstance(end_t, Complete), end_t
        _check_verified(backends, state.versions)
        # Every atom: the maker's redeem output is exactly what the record says it received;
        # the taker's redeem paid the normal rate; both changes paid exactly their init fee.
        assert await _balance(backends["btc"], maker.redeem_script) == done.received
        assert await _balance(backends["ltc"], taker.redeem_script) == (
            MAKER_AMOUNT - RATE * redeem_vsize(97, taker.redeem_script)
        )
        for m, role in ((maker, Role.MAKER), (taker, Role.TAKER)):
            fund = funding[role]
            assert await _balance(backends[m.our_asset], fund.change_script) == (
                fund.total - m.our_amount - RATE * init_vsize(1, 1, fund.change_script)
            )
        print(f"\nredeem versions: {len(state.versions)}, fees {fees}; {which} confirmed")


@pytest.mark.parametrize("which", ["new", "old"])
async def test_sigkill_between_storing_and_sending_a_replacement(
    tmp_path: Path,
    ltc_node: RegtestNode,
    held_chain: RegtestNode,
    which: str,
) -> None:
    """The maker's process dies right after the bumped redeem is stored, before it is sent;
    restarted, it sends the stored replacement (never signs a third version while no block
    comes), and completes with whichever of the two confirms."""
    maker, taker = make_matches(MAKER_AMOUNT, TAKER_AMOUNT)
    hold = HoldingMiner(held_chain, {maker.redeem_script})
    mailbox = tmp_path / "mailbox.db"
    Mailbox(mailbox).close()
    nodes = {"ltc": ltc_node.rpc_url, "btc": held_chain.rpc_url}
    sides = {
        Role.MAKER: await fund_side(
            tmp_path, ltc_node, maker, MAKER_AMOUNT + MARGIN, mailbox, nodes
        ),
        Role.TAKER: await fund_side(
            tmp_path, held_chain, taker, TAKER_AMOUNT + MARGIN, mailbox, nodes
        ),
    }
    db = sides[Role.MAKER].datadir / "cambio.db"
    async with _mining(ltc_node, hold):
        partner = asyncio.create_task(in_process(sides[Role.TAKER]))
        code = await spawn(sides[Role.MAKER], "before:redeem-bump-broadcast")
        await _pause(hold)
        assert code == -9
        stored = await asyncio.to_thread(_load, db, maker.match_id)
        assert isinstance(stored, Redeeming) and len(stored.replaced) == 1
        pool = await asyncio.to_thread(_mempool, held_chain)
        assert stored.replaced[0].txid in pool and stored.redeem.txid not in pool  # unsent
        if which == "old":  # the first version confirms while we are down
            mined = await _release(hold, stored, "old")
            assert mined.fee == RATE * redeem_vsize(97, maker.redeem_script)
        restart = asyncio.create_task(spawn(sides[Role.MAKER], None))
        if which == "new":
            await _until_in_mempool(held_chain, stored.redeem.txid)  # sent after restart
            mined = await _release(hold, stored, "new")
            assert mined.fee > stored.replaced[0].fee
        assert await asyncio.wait_for(restart, TIMEOUT) == 0
        end_t = await asyncio.wait_for(partner, TIMEOUT)
    end_m = await asyncio.to_thread(_load, db, maker.match_id)
    assert isinstance(end_m, Complete)
    _check_maker_redeem(end_m, maker, mined)
    assert isinstance(end_t, Complete), end_t
    final = await asyncio.to_thread(_load, db, maker.match_id)
    assert final == end_m
    out = held_chain.rpc("getrawtransaction", mined.txid, True)
    assert int(out["confirmations"]) >= 1
    paid = coin_to_atoms(out["vout"][0]["value"])
    assert paid == end_m.received == TAKER_AMOUNT - mined.fee
    # The BTC side in both processes went through Bitcoin Core's interpreter first.
    maker_checked = absorb_log(sides[Role.MAKER].datadir / KERNEL_LOG)
    assert {stored.replaced[0].txid, mined.txid} <= set(maker_checked)
    assert absorb_log(sides[Role.TAKER].datadir / KERNEL_LOG)  # the taker's init


@pytest.mark.parametrize("which", ["new", "old"])
async def test_stuck_refund_is_resigned_and_either_version_refunds(
    tmp_path: Path,
    ltc_node: RegtestNode,
    held_chain: RegtestNode,
    which: str,
) -> None:
    """The taker never funds and the maker's lock time is already past: the maker refunds on
    a chain whose miners pass the refund over; the engine re-signs it higher (the wallet is
    unlocked), and the swap ends Refunded by whichever version is mined."""
    now = int(time.time() * 1000)
    maker, _ = make_matches(
        MAKER_AMOUNT,
        TAKER_AMOUNT,
        match_time_ms=now - 2 * HOUR_MS,
        maker_lock_ms=HOUR_MS,
        taker_lock_ms=HOUR_MS // 2,
    )
    hold = HoldingMiner(held_chain, {maker.refund_script})
    # The refund is on the maker's (LTC) chain here: the BTC side broadcasts nothing.
    backends: dict[str, ChainBackend] = {"ltc": backend(held_chain), "btc": backend(ltc_node)}
    funding = NodeFunding(held_chain)
    engine = open_engine(tmp_path / "maker.db", backends, funding, Wire(), Role.MAKER)
    db = tmp_path / "maker.db"
    try:
        async with _mining(ltc_node, hold):
            await engine.add_match(maker)

            async def bumped() -> Refunding:
                while True:
                    state = await asyncio.to_thread(_load, db, maker.match_id)
                    if isinstance(state, Refunding) and state.bumps:
                        return state
                    await asyncio.sleep(0.05)

            await asyncio.wait_for(bumped(), TIMEOUT)
            await _pause(hold)
            state = await asyncio.to_thread(_load, db, maker.match_id)
            assert isinstance(state, Refunding)
            await _until_in_mempool(held_chain, state.refund.txid)
            assert not {v.txid for v in state.versions[:-1]} & _mempool(held_chain)
            if which == "new":
                hold.held.clear()
                await asyncio.to_thread(hold.mine_one)
                mined = state.refund
            else:  # the presigned refund, replaced in the mempool, mined anyway
                await asyncio.to_thread(hold.mine_one, [state.ours.refund.raw.hex()])
                mined = state.ours.refund
            end = await asyncio.wait_for(engine.wait(maker.match_id), TIMEOUT)
        assert isinstance(end, Refunded) and end.refund_txid == mined.txid, end
        vsize = refund_vsize(97, maker.refund_script)
        assert (mined.fee == RATE * vsize) == (which == "old")
        assert await _balance(backends["ltc"], maker.refund_script) == MAKER_AMOUNT - mined.fee
        assert await _balance(backends["ltc"], funding.change_script) == (
            funding.total - MAKER_AMOUNT - RATE * init_vsize(1, 1, funding.change_script)
        )
        print(f"\nrefund versions: {[v.fee for v in state.versions]}; {which} confirmed")
    finally:
        await engine.stop()
        for b in backends.values():
            await b.close()


@pytest.fixture
def no_rbf_chain(tmp_path: Path) -> Iterator[RegtestNode]:
    """The BTC chain run by a Litecoin Core with its default `-mempoolreplacement=0`: every
    replacement is refused (`txn-mempool-conflict`), as on a Litecoin mainnet node today."""
    datadir = tmp_path / "no-rbf-node"
    datadir.mkdir()
    node = start_node(datadir, "litecoin", "btc")
    try:
        node.ensure_mature_funds()
        yield node
    finally:
        stop_quietly(node)


async def test_a_node_refusing_replacements_stops_the_bumps(
    tmp_path: Path,
    ltc_node: RegtestNode,
    no_rbf_chain: RegtestNode,
) -> None:
    """One replacement is signed, stored and refused; after that no more versions are made
    however many blocks pass, and the first version, still in the mempool, completes the swap."""
    maker, taker = make_matches(MAKER_AMOUNT, TAKER_AMOUNT)
    hold = HoldingMiner(no_rbf_chain, {maker.redeem_script})
    async with _two_engines(tmp_path, ltc_node, no_rbf_chain) as (backends, _, engines):
        async with _mining(ltc_node, hold):
            await engines[Role.TAKER].add_match(taker)
            await engines[Role.MAKER].add_match(maker)
            bumped = await _until_bumped(tmp_path / "maker.db", maker.match_id)
            first = bumped.replaced[0]
            assert first.txid in _mempool(no_rbf_chain)  # the refused one never replaced it
            start = hold.blocks
            while hold.blocks < start + 8:  # 4 x after_blocks more blocks pass it over
                await asyncio.sleep(0.1)
            await _pause(hold)
            state = await asyncio.to_thread(_load, tmp_path / "maker.db", maker.match_id)
            assert isinstance(state, Redeeming) and len(state.versions) == 2, state
            assert first.txid in _mempool(no_rbf_chain)
            assert state.redeem.txid not in _mempool(no_rbf_chain)
            await asyncio.to_thread(hold.mine_one, [first.raw.hex()])
            end_m, end_t = await _both_end(engines, maker, taker)
        done = _check_maker_redeem(end_m, maker, first)
        assert isinstance(end_t, Complete), end_t
        _check_verified(backends, state.versions)  # the refused replacement too
        assert await _balance(backends["btc"], maker.redeem_script) == done.received
