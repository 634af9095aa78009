"""Reorgs on real regtest chains (review M3): the engines run with a finality depth of 3, and
the test reorganises a private chain under them with `invalidateblock` / `generateblock` /
`reconsiderblock`:

1. the taker's refund is mined, then a reorg mines the maker's redeem of the same output in
   its place: the taker redeems the maker's contract with the now-public secret;
2. the maker's redeem is mined, then reorged out and forgotten by the node: the maker
   broadcasts it again and completes;
3. the maker's init, audited by the taker and mined once, is reorged out and double-spent
   before the taker funded: the taker never funds, and gives up at its funding deadline;
2'. case 2 with the maker in its own process (swap_proc.py), SIGKILLed at its first
   broadcast after the reorg (`before:redeem-broadcast`, armed once the redeem was mined).

Cases 1, 2 and 2' fail with swaps final after one confirmation (the old code). Case 3 already
held before (confirmations are read again each tick); it is kept as a regression test.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from app.store.db import Store
from app.swap.engine import SwapEngine
from app.swap.htlc_tx import redeem_vsize
from app.swap.messages import CounterpartyInit, SwapEvent, SwapStateChanged
from app.swap.states import (
    Complete,
    CounterpartyAudited,
    Failed,
    InitBroadcast,
    Match,
    Redeeming,
    Refunding,
    Role,
    SwapState,
)
from app.swap.store import SwapStore
from app.wallet.backends.base import BlockInfo, ChainBackend
from dexproto.crypto import sha256
from dexproto.htlc import Contract, maker_lock_time, taker_lock_time
from simnet.node import RegtestNode, atoms_to_coin_str, coin_to_atoms
from tests.fakes.matches import RATE, fresh_script, make_matches, p2wpkh_for, role_keys
from tests.integration.swap_harness import POLL, NodeFunding, Wire, backend, funding_asset
from tests.integration.swap_proc import Mailbox, match_record, open_party
from tests.integration.swap_spawn import run_swap_proc

pytestmark = pytest.mark.regtest
MAKER_AMOUNT, TAKER_AMOUNT = 2_000_000, 1_000_000
DEEP = 3  # the finality depth the engines run with
TIMEOUT = 30.0


class Crash(BaseException):  # the engine catches every Exception (M5)
    """Raised from the event callback: the loop dies right after storing a state."""


class Counted:
    """A backend that counts the engine's `tip()` calls (proof that it looked again) and can
    hold broadcasts back until `gate` is set (the test changes the chain meanwhile)."""

    def __init__(self, inner: ChainBackend) -> None:
        self._inner = inner
        self.tips = 0
        self.gate: asyncio.Event | None = None

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def tip(self) -> BlockInfo:
        self.tips += 1
        return await self._inner.tip()

    async def broadcast(self, raw: bytes) -> str:
        if self.gate is not None:
            await self.gate.wait()
        return await self._inner.broadcast(raw)


class Miner:
    """One block per chain every `interval`, except on paused chains (mined by the test)."""

    def __init__(self, nodes: dict[str, RegtestNode]) -> None:
        self.nodes = nodes
        self.paused: set[str] = set()
        self._lock = asyncio.Lock()

    async def run(self, interval: float = 0.15) -> None:
        while True:
            for label, node in self.nodes.items():
                async with self._lock:
                    if label not in self.paused:
                        await asyncio.to_thread(node.mine, 1)
            await asyncio.sleep(interval)

    async def pause(self, label: str) -> None:
        """Stop mining `label`; returns once no block of the miner's is in the making."""
        self.paused.add(label)
        async with self._lock:
            pass


@dataclass
class Rig:
    tmp: Path
    nodes: dict[str, RegtestNode]
    backends: dict[str, Counted]
    wire: Wire
    funding: dict[Role, NodeFunding]
    miner: Miner
    states: list[tuple[Role, str]] = field(default_factory=list)

    def path(self, role: Role) -> list[str]:
        """The stages `role`'s swap went through, a stage saved again (a replacement of its
        transaction, fee bumps stopped) counted once."""
        stages = [s for r, s in self.states if r is role]
        return [s for i, s in enumerate(stages) if i == 0 or s != stages[i - 1]]

    def engine(
        self,
        role: Role,
        on_state: Callable[[str], None] | None = None,
        clock_ms: Callable[[], int] | None = None,
    ) -> SwapEngine:
        def on_event(event: SwapEvent) -> None:
            if isinstance(event, SwapStateChanged):
                self.states.append((role, event.new))
                if on_state is not None:
                    on_state(event.new)

        store = SwapStore(Store(self.tmp / f"{role.value}.db"))
        engine = SwapEngine(
            store,
            dict(self.backends),  # type: ignore[arg-type]
            {funding_asset(role): self.funding[role]},
            self.wire.sender(role),
            on_event,
            poll_interval=POLL,
            rebroadcast_interval=0.5,
            keys=role_keys(role),
            finality=DEEP,
            clock_ms=clock_ms,
        )
        self.wire.replace(role, engine)
        return engine

    async def looked_again(self, asset: str, engine: SwapEngine, m: Match, times: int = 10) -> None:
        """Wait until the engines read `asset`'s tip `times` more times (or `m`'s swap ended:
        then nothing looks any more, and the caller's check of its state says why)."""
        start = self.backends[asset].tips
        await until(
            lambda: (
                self.backends[asset].tips >= start + times or m.match_id not in engine.running()
            ),
            f"{asset} ticks",
        )


@contextlib.asynccontextmanager
async def rig(tmp: Path, ltc: RegtestNode, btc: RegtestNode) -> AsyncIterator[Rig]:
    backends = {"ltc": Counted(backend(ltc)), "btc": Counted(backend(btc))}
    wire = Wire()
    miner = Miner({"ltc": ltc, "btc": btc})
    funding = {Role.MAKER: NodeFunding(ltc), Role.TAKER: NodeFunding(btc)}
    tasks = [
        asyncio.create_task(wire.pump(Role.MAKER)),
        asyncio.create_task(wire.pump(Role.TAKER)),
        asyncio.create_task(miner.run()),
    ]
    try:
        yield Rig(tmp, {"ltc": ltc, "btc": btc}, backends, wire, funding, miner)
    finally:
        for engine in wire.engines.values():
            if engine is not None:
                await engine.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for b in backends.values():
            await b.close()  # type: ignore[operator]


async def until(
    check: Callable[[], bool | Awaitable[bool]], what: str, timeout: float = TIMEOUT
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def reached(engine: SwapEngine, m: Match, kind: type) -> SwapState:
    """The stored state, once it is of type `kind`."""
    await until(lambda: isinstance(engine.store.load(m.match_id), kind), kind.__name__)
    state = engine.store.load(m.match_id)
    assert state is not None
    return state


def rpc(node: RegtestNode, method: str, *params: object) -> Awaitable[Any]:
    """The node's JSON answer (untyped, as the node sends it), off the event loop."""
    return asyncio.to_thread(node.rpc, method, *params)


async def confirmations(node: RegtestNode, txid: str) -> int:
    tx = await rpc(node, "getrawtransaction", txid, True)
    return int(tx.get("confirmations", 0))


async def in_mempool(node: RegtestNode, txid: str) -> bool:
    return txid in await rpc(node, "getrawmempool")


async def block_of(node: RegtestNode, txid: str) -> str | None:
    """The best-chain block holding `txid`, None while it is in the mempool."""
    with contextlib.suppress(Exception):
        tx = await rpc(node, "getrawtransaction", txid, True)
        if int(tx.get("confirmations", 0)) > 0:
            return str(tx["blockhash"])
    return None


async def in_best_chain(node: RegtestNode, block: str) -> bool:
    header = await rpc(node, "getblockheader", block)
    return int(header["confirmations"]) > 0


async def mine_with(node: RegtestNode, raws: list[bytes]) -> str:
    """One block holding exactly `raws` (and no mempool transaction)."""
    address = await asyncio.to_thread(node.rpc, "getnewaddress", "", "bech32", wallet="miner")
    reply = await rpc(node, "generateblock", address, [r.hex() for r in raws])
    return str(reply["hash"])


async def push_mtp_past(node: RegtestNode, lock: int) -> None:
    """Blocks stamped after `lock` until the chain's median-time-past reaches it (the mock
    time stays: the chain's clock keeps running from there)."""
    await rpc(node, "setmocktime", lock + 60)
    while await asyncio.to_thread(node.median_time_past) < lock:
        await asyncio.to_thread(node.mine, 1)


# -- 1: our refund reorged out, the maker's redeem mined instead ------------------------------
async def test_refund_replaced_by_the_makers_redeem_we_redeem_the_makers_contract(
    tmp_path: Path,
    ltc_node: RegtestNode,
    fresh_node: RegtestNode,
) -> None:
    fresh_node.ensure_mature_funds()
    btc = fresh_node  # the taker's chain, private: its clock and its blocks are ours
    async with rig(tmp_path, ltc_node, btc) as r:
        maker, taker = make_matches(
            MAKER_AMOUNT, TAKER_AMOUNT, maker_lock_ms=1_200_000, taker_lock_ms=600_000
        )

        def stop_before_redeeming(state: str) -> None:
            if state == "Redeeming":  # the maker's redeem is signed and stored, never sent
                raise Crash(state)

        em, et = r.engine(Role.MAKER, stop_before_redeeming), r.engine(Role.TAKER)
        await et.add_match(taker)
        await em.add_match(maker)
        with pytest.raises(Crash):
            await asyncio.wait_for(em.wait(maker.match_id), TIMEOUT)
        held = em.store.load(maker.match_id)
        assert isinstance(held, Redeeming)
        await r.miner.pause("btc")
        await push_mtp_past(btc, taker_lock_time(taker.match_time_ms, taker.taker_lock_ms))
        refunding = await reached(et, taker, Refunding)
        assert isinstance(refunding, Refunding)
        refund = refunding.refund.txid
        await until(lambda: in_mempool(btc, refund), "our refund in the mempool")
        b1 = (await asyncio.to_thread(btc.mine, 1))[0]
        assert await confirmations(btc, refund) == 1
        await r.looked_again("btc", et, taker)
        assert isinstance(et.store.load(taker.match_id), Refunding)  # 1 deep of 3: not final

        # The reorg: b1 out, a block with the maker's redeem in its place and one on top.
        await rpc(btc, "invalidateblock", b1)
        await mine_with(btc, [held.redeem.raw])
        await asyncio.to_thread(btc.mine, 1)
        await rpc(btc, "reconsiderblock", b1)  # the shorter branch stays out
        assert not await in_best_chain(btc, b1)
        assert await confirmations(btc, held.redeem.txid) == 2
        assert await confirmations(btc, refund) == 0
        r.miner.paused.discard("btc")

        end = await asyncio.wait_for(et.wait(taker.match_id), TIMEOUT)
        assert isinstance(end, Complete), end
        assert end.received == MAKER_AMOUNT - RATE * redeem_vsize(97, taker.redeem_script)
        assert await confirmations(ltc_node, end.redeem_txid) >= DEEP
        taker_path = r.path(Role.TAKER)
        assert taker_path[-3:] == ["Refunding", "Redeeming", "Complete"], taker_path


# -- 2: our redeem reorged out and forgotten ---------------------------------------------------
async def restart_without_mempool(node: RegtestNode) -> None:
    """Stop the node, drop its saved mempool, start it again: it forgets every unconfirmed
    transaction (as a node that was down while a reorg happened elsewhere would)."""
    await asyncio.to_thread(node.stop)
    for saved in node.datadir.glob("regtest/mempool.dat"):
        saved.unlink()
    await asyncio.to_thread(node.start)


async def test_redeem_reorged_out_is_broadcast_again_and_completes(
    tmp_path: Path,
    ltc_node: RegtestNode,
    fresh_node: RegtestNode,
) -> None:
    fresh_node.ensure_mature_funds()
    btc = fresh_node  # the taker's chain, where the maker redeems
    async with rig(tmp_path, ltc_node, btc) as r:
        maker, taker = make_matches(MAKER_AMOUNT, TAKER_AMOUNT)

        held: list[str] = []

        def hold_blocks(state: str) -> None:
            if state == "Redeeming" and not held:  # before it is sent: the test mines btc
                held.append(state)
                r.miner.paused.add("btc")

        em, et = r.engine(Role.MAKER, hold_blocks), r.engine(Role.TAKER)
        await et.add_match(taker)
        await em.add_match(maker)
        redeeming = await reached(em, maker, Redeeming)
        assert isinstance(redeeming, Redeeming)
        await r.miner.pause("btc")
        first = redeeming.redeem.txid
        await until(lambda: in_mempool(btc, first), "our redeem in the mempool")
        b1 = (await asyncio.to_thread(btc.mine, 1))[0]
        assert await block_of(btc, first) == b1
        await r.looked_again("btc", em, maker)
        assert isinstance(em.store.load(maker.match_id), Redeeming)  # 1 deep of 3: not final

        # The reorg takes b1 out; the node then forgets the redeem altogether. Broadcasts
        # wait meanwhile, so the node is seen to have forgotten it before the engine acts.
        gate = r.backends["btc"].gate = asyncio.Event()
        await rpc(btc, "invalidateblock", b1)
        await restart_without_mempool(btc)
        assert not await in_mempool(btc, first)
        await asyncio.to_thread(btc.mine, 2)  # the other branch, now the longer one
        await rpc(btc, "reconsiderblock", b1)
        assert not await in_best_chain(btc, b1)
        assert not await in_mempool(btc, first) and await block_of(btc, first) is None
        gate.set()
        r.miner.paused.discard("btc")

        end = await asyncio.wait_for(em.wait(maker.match_id), TIMEOUT)
        assert isinstance(end, Complete), end
        final = em.store.history(maker.match_id)[-2]  # the last Redeeming: every version
        versions = {v.txid: v for v in _redeeming_of(final.record).versions}
        assert end.redeem_txid in versions  # ours, broadcast again (or re-signed higher)
        assert await confirmations(btc, end.redeem_txid) >= DEEP
        assert end.received == TAKER_AMOUNT - versions[end.redeem_txid].fee
        tx = await rpc(btc, "getrawtransaction", end.redeem_txid, True)
        paid = {
            bytes.fromhex(o["scriptPubKey"]["hex"]): coin_to_atoms(o["value"]) for o in tx["vout"]
        }
        assert paid == {maker.redeem_script: end.received}
        end_t = await asyncio.wait_for(et.wait(taker.match_id), TIMEOUT)
        assert isinstance(end_t, Complete), end_t


def _redeeming_of(record: str) -> Redeeming:
    from app.swap.states import STATE_FORMAT
    from app.swap.store import decode_state

    state = decode_state(record, STATE_FORMAT)
    assert isinstance(state, Redeeming)
    return state


# -- 3: the maker's init reorged out before we funded ------------------------------------------
async def double_spend(node: RegtestNode, txid: str) -> bytes:
    """A transaction of the miner wallet spending the inputs of `txid` (back in the mempool
    after a reorg) to itself: once mined, `txid` can never confirm."""
    tx = await rpc(node, "getrawtransaction", txid, True)
    inputs = [{"txid": i["txid"], "vout": i["vout"]} for i in tx["vin"]]
    total = 0
    for i in inputs:
        prev = await rpc(node, "getrawtransaction", i["txid"], True)
        total += coin_to_atoms(prev["vout"][i["vout"]]["value"])
    address = await asyncio.to_thread(node.rpc, "getnewaddress", "", "bech32", wallet="miner")
    raw = await rpc(
        node, "createrawtransaction", inputs, {address: atoms_to_coin_str(total - 10_000)}
    )
    signed = await asyncio.to_thread(node.rpc, "signrawtransactionwithwallet", raw, wallet="miner")
    assert signed["complete"]
    return bytes.fromhex(signed["hex"])


async def test_maker_init_reorged_out_before_we_fund_is_never_funded(
    tmp_path: Path,
    fresh_node: RegtestNode,
    btc_node: RegtestNode,
) -> None:
    fresh_node.ensure_mature_funds()
    ltc = fresh_node  # the maker's chain (the test plays the maker)
    async with rig(tmp_path, ltc, btc_node) as r:
        await r.miner.pause("ltc")
        # Funding is refused 5 min before our 10 min lock time: about 45 s from now on the
        # taker's clock, which the test moves past that point once the reorg is seen.
        now = int(time.time() * 1000)
        maker, taker = make_matches(
            MAKER_AMOUNT,
            TAKER_AMOUNT,
            maker_lock_ms=1_200_000,
            taker_lock_ms=600_000,
            match_time_ms=now - 255_000,
        )
        taker = replace(taker, their_swap_conf=2)
        skew = [0]
        et = r.engine(Role.TAKER, clock_ms=lambda: int(time.time() * 1000) + skew[0])
        await et.add_match(taker)
        contract = Contract(
            sha256(os.urandom(32)),
            taker.our_pkh,
            maker.our_pkh,
            maker_lock_time(maker.match_time_ms, maker.maker_lock_ms),
        )
        init, vout = await asyncio.to_thread(
            ltc.fund_script, contract.p2wsh_script(), MAKER_AMOUNT, False
        )
        et.deliver(
            CounterpartyInit(maker.order_id, maker.match_id, init, vout, contract.to_script(), now)
        )
        await reached(et, taker, CounterpartyAudited)
        b1 = (await asyncio.to_thread(ltc.mine, 1))[0]
        assert await block_of(ltc, init) == b1
        await r.looked_again("ltc", et, taker)  # one confirmation of two: waiting

        await rpc(ltc, "invalidateblock", b1)
        await mine_with(ltc, [await double_spend(ltc, init)])
        await asyncio.to_thread(ltc.mine, 3)
        await rpc(ltc, "reconsiderblock", b1)
        assert not await in_best_chain(ltc, b1)
        assert await confirmations(ltc, init) == 0 and not await in_mempool(ltc, init)
        await r.looked_again("ltc", et, taker)
        state = et.store.load(taker.match_id)
        assert isinstance(state, CounterpartyAudited) and state.ours is None, state
        assert r.funding[Role.TAKER].calls == 0

        r.miner.paused.discard("ltc")
        skew[0] = 60_000  # past the funding deadline, instead of waiting it out
        end = await asyncio.wait_for(et.wait(taker.match_id), 90)
        assert isinstance(end, Failed) and "too late to fund" in end.reason, end
        assert r.funding[Role.TAKER].calls == 0 and not r.wire.sent  # nothing of ours out
        assert r.path(Role.TAKER) == ["CounterpartyAudited", "Failed"]


# -- 2 again, the maker's process SIGKILLed between seeing the reorg and broadcasting again ----
def _pay(node: RegtestNode, script: bytes, atoms: int) -> None:
    node.rpc("sendtoaddress", node.node_address(script), atoms_to_coin_str(atoms), wallet="miner")


async def _run_proc(job: dict[str, object], name: str) -> int:
    """tests/integration/swap_proc.py on `job` in its own OS process: its exit code."""
    path = Path(str(job["datadir"])) / name
    path.write_text(json.dumps(job))
    return await run_swap_proc(path, Path(str(job["datadir"])), TIMEOUT)


def _stored(datadir: Path, m: Match) -> SwapState | None:
    store = SwapStore(Store(datadir / "cambio.db"))
    try:
        return store.load(m.match_id)
    finally:
        store.store.close()


async def test_maker_killed_after_the_reorg_resumes_and_broadcasts_again(
    tmp_path: Path,
    ltc_node: RegtestNode,
    fresh_node: RegtestNode,
) -> None:
    """As case 2, with the maker in its own process, SIGKILLed at its first broadcast after
    the reorg took its mined redeem out; started again, it broadcasts and completes."""
    fresh_node.ensure_mature_funds()
    btc = fresh_node  # mined by the test only
    maker, taker = make_matches(MAKER_AMOUNT, TAKER_AMOUNT)
    mailbox = tmp_path / "mailbox.db"
    Mailbox(mailbox).close()
    jobs: dict[Role, dict[str, object]] = {}
    for m, node in ((maker, ltc_node), (taker, btc)):
        key = os.urandom(32)
        await asyncio.to_thread(_pay, node, p2wpkh_for(key), m.our_amount + 100_000)
        datadir = tmp_path / m.role.value
        datadir.mkdir()
        jobs[m.role] = {
            "datadir": str(datadir),
            "match": match_record(m),
            "nodes": {"ltc": ltc_node.rpc_url, "btc": btc.rpc_url},
            "funding_key": key.hex(),
            "change_script": fresh_script().hex(),
            "mailbox": str(mailbox),
            "crash_at": None,
            "poll": 0.05,
            "finality": DEEP,
        }
    maker_dir, armed = Path(str(jobs[Role.MAKER]["datadir"])), tmp_path / "armed"
    miner = Miner({"ltc": ltc_node, "btc": btc})
    miner.paused.add("btc")
    mining = asyncio.create_task(miner.run())
    party = open_party({**jobs[Role.TAKER], "poll": 0.1})
    taker_run = asyncio.create_task(party.run(0.1))
    first_run = asyncio.create_task(
        _run_proc(
            {**jobs[Role.MAKER], "crash_at": "before:redeem-broadcast", "crash_armed": str(armed)},
            "job-crash.json",
        )
    )
    try:
        ours = await reached(party.engine, taker, InitBroadcast)
        assert isinstance(ours, InitBroadcast)
        contract = (ours.ours.init.txid, ours.ours.vout)
        # Blocks until the maker's redeem spends our contract (mempool or the last block).
        while await rpc(btc, "gettxout", *contract, True) is not None:
            assert not first_run.done(), "the maker stopped before redeeming"
            await asyncio.to_thread(btc.mine, 1)
            await asyncio.sleep(0.15)
        redeeming = _stored(maker_dir, maker)
        assert isinstance(redeeming, Redeeming)
        first = redeeming.redeem.txid
        b1 = await block_of(btc, first) or (await asyncio.to_thread(btc.mine, 1))[0]
        assert await confirmations(btc, first) == 1
        # Time for the maker to see it mined (it then stops broadcasting), then arm the kill.
        await asyncio.sleep(1.0)
        assert isinstance(_stored(maker_dir, maker), Redeeming)  # 1 deep of 3: not final
        armed.touch()
        await rpc(btc, "invalidateblock", b1)
        assert await asyncio.wait_for(first_run, TIMEOUT) == -signal.SIGKILL

        await restart_without_mempool(btc)  # the node forgets the redeem altogether
        await asyncio.to_thread(btc.mine, 2)
        await rpc(btc, "reconsiderblock", b1)
        assert not await in_best_chain(btc, b1)
        assert not await in_mempool(btc, first) and await block_of(btc, first) is None
        miner.paused.discard("btc")
        assert await _run_proc(jobs[Role.MAKER], "job.json") == 0

        end = _stored(maker_dir, maker)
        assert isinstance(end, Complete), end
        assert await confirmations(btc, end.redeem_txid) >= DEEP
        tx = await rpc(btc, "getrawtransaction", end.redeem_txid, True)
        paid = {
            bytes.fromhex(o["scriptPubKey"]["hex"]): coin_to_atoms(o["value"]) for o in tx["vout"]
        }
        assert paid == {maker.redeem_script: end.received}
        assert json.loads((maker_dir / "result.json").read_text())["state"] == "Complete"
        end_t = await asyncio.wait_for(taker_run, TIMEOUT)
        assert isinstance(end_t, Complete), end_t
    finally:
        for task in (mining, taker_run, first_run):
            task.cancel()
        await asyncio.gather(mining, taker_run, first_run, return_exceptions=True)
        await party.close()
