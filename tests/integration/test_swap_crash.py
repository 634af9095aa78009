"""Real crash tests: the swap engine of one role runs in its own OS process
(tests/integration/swap_proc.py), SIGKILLs itself at a crash point, and is started again from
its data directory. The counterparty runs in this process (or is played by the test); the two
talk through a SQLite mailbox file that survives the kill.

Every scenario must end completed or refunded with every atom accounted for on each chain:
funding coin = change + what the spend of the contract paid (counterparty's redeem or our
refund) + init fee + spend fee, fees to the atom; and exactly one init transaction ever built.

All scenarios run concurrently in one module fixture (two regtest chains, blocks mined every
0.15 s); each parametrized test then checks its own outcome.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.store.db import Store
from app.swap.htlc_tx import init_vsize, redeem_vsize, refund_vsize
from app.swap.messages import CounterpartyInit
from app.swap.states import (
    STATE_FORMAT,
    Complete,
    ContractPrepared,
    Match,
    Refunded,
    Role,
)
from app.swap.store import SwapStore, decode_state
from dexproto.crypto import sha256
from dexproto.htlc import Contract, maker_lock_time, taker_lock_time
from simnet.errors import NodeError
from simnet.node import (
    RegtestNode,
    coin_to_atoms,
    find_daemon,
    start_node,
    stop_quietly,
)
from tests.fakes.matches import HOUR_MS, RATE, make_matches
from tests.integration.swap_harness import miner
from tests.integration.swap_proc import Mailbox
from tests.integration.swap_spawn import TIMEOUT, Side, fund_side, in_process, pay, spawn

pytestmark = pytest.mark.regtest
MAKER_AMOUNT, TAKER_AMOUNT, MARGIN = 2_000_000, 1_000_000, 100_000
PARALLEL = 6  # scenarios at once (each: one subprocess + one in-process engine)

_HAPPY_MAKER = [
    "stored:Matched",
    "stored:ContractPrepared",
    "before:init-broadcast",
    "after:init-broadcast",
    "stored:InitBroadcast",
    "stored:CounterpartyAudited",
    "stored:Redeeming",
    "before:redeem-broadcast",
    "after:redeem-broadcast",
    "stored:Complete",
]
_HAPPY_TAKER = [
    "stored:Matched",
    "stored:CounterpartyAudited",
    "stored:ContractPrepared",
    "before:init-broadcast",
    "after:init-broadcast",
    "stored:InitBroadcast",
    "stored:Redeeming",
    "before:redeem-broadcast",
    "after:redeem-broadcast",
    "stored:Complete",
]
_REFUND = [
    "stored:Refunding",
    "before:refund-broadcast",
    "after:refund-broadcast",
    "stored:Refunded",
]

# (scenario kind, role killed, crash point). Kinds: "swap" both engines, both complete;
# "no-taker" the taker never funds, the maker refunds; "no-redeem" the test plays a maker
# that never redeems, the taker refunds; "bad-taker" the test plays a taker with a wrong
# contract: the maker refuses it (killed right after, "refused:audit"), keeps waiting for a
# correct one (review L3) and refunds once its lock time passes.
CRASHES: list[tuple[str, Role, str]] = (
    [("swap", Role.MAKER, p) for p in _HAPPY_MAKER]
    + [("swap", Role.TAKER, p) for p in _HAPPY_TAKER]
    + [("no-taker", Role.MAKER, p) for p in _REFUND]
    + [("no-redeem", Role.TAKER, p) for p in _REFUND]
    + [("bad-taker", Role.MAKER, "refused:audit")]
)


def crash_id(c: tuple[str, Role, str]) -> str:
    return f"{c[0]}-{c[1].value}-{c[2].replace(':', '-')}"


@dataclass
class Outcome:
    kinds: list[str]  # "first exit -9", ...
    sides: dict[Role, Side]
    seconds: float
    error: BaseException | None = None


_PUSHING: dict[str, asyncio.Lock] = {}


async def _push_time_past(node: RegtestNode, lock: int) -> None:
    """Move this private chain's median-time-past past `lock`: six blocks stamped later.
    One push per chain at a time: another's reset of the mock time would leave this one
    creeping a second per block."""
    async with _PUSHING.setdefault(node.rpc_url, asyncio.Lock()):
        await asyncio.to_thread(node.set_mock_time, lock + 5)
        while await asyncio.to_thread(node.median_time_past) < lock:
            await asyncio.to_thread(node.mine, 6)
        await asyncio.to_thread(node.set_mock_time, 0)


async def _past_lock_once_funded(node: RegtestNode, side: Side, lock: int) -> None:
    """Once `side`'s init is out (its funding coin spent, mempool included), move the chain's
    clock past `lock` so that its refund path runs."""
    deadline = time.monotonic() + TIMEOUT
    while (
        await asyncio.to_thread(node.rpc, "gettxout", side.coin.txid, side.coin.vout, True)
        is not None
    ):
        if time.monotonic() > deadline:
            return  # never funded: the scenario's own checks report it
        await asyncio.sleep(0.1)
    await _push_time_past(node, lock)


async def _scenario(
    kind: str, role: Role, point: str, tmp: Path, ltc: RegtestNode, btc: RegtestNode
) -> Outcome:
    started = time.monotonic()
    now = int(time.time() * 1000)
    if kind == "swap":
        maker, taker = make_matches(MAKER_AMOUNT, TAKER_AMOUNT)
    elif kind == "no-taker":  # the maker's lock time is already an hour in the past
        maker, taker = make_matches(
            MAKER_AMOUNT,
            TAKER_AMOUNT,
            match_time_ms=now - 2 * HOUR_MS,
            maker_lock_ms=HOUR_MS,
            taker_lock_ms=HOUR_MS // 2,
        )
    elif kind == "no-redeem":  # the taker funds in time; then its chain passes its lock time
        maker, taker = make_matches(
            MAKER_AMOUNT,
            TAKER_AMOUNT,
            match_time_ms=now,
            maker_lock_ms=3 * HOUR_MS,
            taker_lock_ms=10 * 60_000,
        )
    else:  # bad-taker: the maker's lock time is 30 s ahead of its chain's clock
        lock = await asyncio.to_thread(ltc.median_time_past) + 30
        maker, taker = make_matches(
            MAKER_AMOUNT, TAKER_AMOUNT, match_time_ms=lock * 1000 - HOUR_MS, maker_lock_ms=HOUR_MS
        )
    mailbox = tmp / "mailbox.db"
    Mailbox(mailbox).close()
    nodes = {"ltc": ltc.rpc_url, "btc": btc.rpc_url}
    sides: dict[Role, Side] = {}
    if kind in ("swap", "no-taker", "bad-taker"):
        sides[Role.MAKER] = await fund_side(tmp, ltc, maker, MAKER_AMOUNT + MARGIN, mailbox, nodes)
    if kind in ("swap", "no-redeem"):
        sides[Role.TAKER] = await fund_side(tmp, btc, taker, TAKER_AMOUNT + MARGIN, mailbox, nodes)
    if kind == "no-redeem":  # a valid maker contract whose secret nobody will ever reveal
        c = Contract(
            sha256(os.urandom(32)),
            taker.our_pkh,
            maker.our_pkh,
            maker_lock_time(maker.match_time_ms, maker.maker_lock_ms),
        )
        await _post_contract(ltc, mailbox, Role.TAKER, maker, c, MAKER_AMOUNT)
    if kind == "bad-taker":  # wrong secret hash
        c = Contract(
            os.urandom(32),
            maker.our_pkh,
            taker.our_pkh,
            maker_lock_time(taker.match_time_ms, taker.taker_lock_ms),
        )
        await _post_contract(btc, mailbox, Role.MAKER, taker, c, TAKER_AMOUNT)
    counterparty = [r for r in sides if r is not role]
    partner = asyncio.create_task(in_process(sides[counterparty[0]])) if counterparty else None
    pusher = None
    if kind == "no-redeem":  # a taker may not fund after its lock time: push once it funded
        pusher = asyncio.create_task(
            _past_lock_once_funded(
                btc, sides[Role.TAKER], taker_lock_time(taker.match_time_ms, taker.taker_lock_ms)
            )
        )
    codes = [await spawn(sides[role], point)]
    if pusher is not None:
        await pusher
    if kind == "bad-taker":
        await _push_time_past(ltc, maker_lock_time(maker.match_time_ms, maker.maker_lock_ms))
    codes.append(await spawn(sides[role], None))
    if partner is not None:
        sides[counterparty[0]].end = await partner
    for side in sides.values():
        _read_store(side)
    return Outcome([str(c) for c in codes], sides, time.monotonic() - started)


async def _post_contract(
    node: RegtestNode, mailbox: Path, to: Role, sender: Match, contract: Contract, value: int
) -> None:
    txid, vout = await asyncio.to_thread(pay, node, contract.p2wsh_script(), value)
    box = Mailbox(mailbox)
    box.post(
        to,
        CounterpartyInit(
            sender.order_id,
            sender.match_id,
            txid,
            vout,
            contract.to_script(),
            int(time.time() * 1000),
        ),
    )
    box.close()


def _read_store(side: Side) -> None:
    store = SwapStore(Store(side.datadir / "cambio.db"))
    try:
        side.end = side.end or store.load(side.match.match_id)
        for h in store.history(side.match.match_id):
            s = decode_state(h.record, STATE_FORMAT)
            if isinstance(s, ContractPrepared):
                side.init_txids.add(s.ours.init.txid)
    finally:
        store.store.close()


async def _run_all(tmp: Path, ltc: RegtestNode, btc: RegtestNode) -> dict[str, Outcome]:
    gate = asyncio.Semaphore(PARALLEL)
    mining = asyncio.create_task(miner([ltc, btc], 0.2))

    async def one(c: tuple[str, Role, str]) -> tuple[str, Outcome]:
        async with gate:
            d = tmp / crash_id(c)
            d.mkdir()
            try:
                return crash_id(c), await _scenario(*c, d, ltc, btc)
            except Exception as exc:  # reported by that scenario's test
                return crash_id(c), Outcome([], {}, 0.0, exc)

    try:
        return dict(await asyncio.gather(*(one(c) for c in CRASHES)))
    finally:
        mining.cancel()
        await asyncio.gather(mining, return_exceptions=True)


def _private_node(datadir: Path, kind: str, label: str) -> RegtestNode:
    """A chain of our own: we move its clock, and its blocks do not eat the shared chains'
    budget (Litecoin regtest activates MWEB at height 432, after which blocks cannot be
    mined without a peg-in; the vbparams line keeps MWEB from activating)."""
    if kind == "litecoin":
        datadir.mkdir(parents=True)
        (datadir / "litecoin.conf").write_text("[regtest]\nvbparams=mweb:2000000000:2100000000\n")
    node = start_node(datadir, kind, label)
    node.ensure_mature_funds()
    return node


@pytest.fixture(scope="module")
def chains(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, RegtestNode]]:
    base = tmp_path_factory.mktemp("crash-nodes")
    btc_kind = "bitcoin" if find_daemon("bitcoin") else "litecoin"
    nodes: dict[str, RegtestNode] = {}
    try:
        nodes["ltc"] = _private_node(base / "ltc", "litecoin", "ltc")
        nodes["btc"] = _private_node(base / "btc", btc_kind, "btc")
        yield nodes
    finally:
        for node in nodes.values():
            stop_quietly(node)


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory, chains: dict[str, RegtestNode]
) -> dict[str, Outcome]:
    started = time.monotonic()
    result = asyncio.run(_run_all(tmp_path_factory.mktemp("crash"), chains["ltc"], chains["btc"]))
    print(f"\n{len(result)} crash scenarios in {time.monotonic() - started:.1f} s")
    return result


def _tx(node: RegtestNode, txid: str) -> dict[str, Any]:  # the node's JSON
    for _ in range(300):  # -txindex catches up with new blocks asynchronously
        try:
            return dict(node.rpc("getrawtransaction", txid, True))
        except NodeError:
            time.sleep(0.1)
    return dict(node.rpc("getrawtransaction", txid, True))


def _fee(node: RegtestNode, tx: dict[str, Any]) -> int:
    ins = 0
    for i in tx["vin"]:
        prev = _tx(node, i["txid"])
        ins += coin_to_atoms(prev["vout"][i["vout"]]["value"])
    return ins - sum(coin_to_atoms(o["value"]) for o in tx["vout"])


def _check_chain(
    node: RegtestNode, side: Side, spend_txid: str, payee: bytes, spend_vsize: int
) -> None:
    """Our funding coin went into exactly one init; the contract was spent once to `payee`;
    coin = change + payee output + both fees, each fee exactly RATE x its vsize."""
    assert len(side.init_txids) == 1, side.init_txids  # never rebuilt, never paid twice
    init_txid = next(iter(side.init_txids))
    init, spend = _tx(node, init_txid), _tx(node, spend_txid)
    assert [(i["txid"], i["vout"]) for i in init["vin"]] == [(side.coin.txid, side.coin.vout)]
    assert node.rpc("gettxout", side.coin.txid, side.coin.vout, True) is None
    assert [(i["txid"], i["vout"]) for i in spend["vin"]] == [(init_txid, 0)]
    assert int(str(spend["confirmations"])) >= 1
    outs = {
        bytes.fromhex(o["scriptPubKey"]["hex"]): coin_to_atoms(o["value"])
        for o in (*init["vout"], *spend["vout"])
    }
    change, paid = outs[side.change_script], outs[payee]
    init_fee, spend_fee = _fee(node, init), _fee(node, spend)
    assert init_fee == RATE * init_vsize(1, 1, side.change_script)
    assert spend_fee == RATE * spend_vsize
    assert change + paid + init_fee + spend_fee == side.funded
    assert len(outs) == 3  # contract, change, payee: nothing else was paid


@pytest.mark.parametrize("crash", CRASHES, ids=[crash_id(c) for c in CRASHES])
def test_sigkill_and_restart(
    outcomes: dict[str, Outcome], chains: dict[str, RegtestNode], crash: tuple[str, Role, str]
) -> None:
    out = outcomes[crash_id(crash)]
    if out.error is not None:
        raise out.error
    kind, role, _ = crash
    assert out.kinds == [str(-signal.SIGKILL), "0"], out.kinds  # killed at the point, resumed
    nodes = chains
    ends = {r: s.end for r, s in out.sides.items()}
    if kind == "swap":
        assert all(isinstance(e, Complete) for e in ends.values()), ends
        for r, side in out.sides.items():
            cp = out.sides[Role.TAKER if r is Role.MAKER else Role.MAKER]
            assert isinstance(cp.end, Complete)
            _check_chain(
                nodes[side.match.our_asset],
                side,
                cp.end.redeem_txid,
                cp.match.redeem_script,
                redeem_vsize(97, cp.match.redeem_script),
            )
        return
    side = out.sides[role]
    assert isinstance(side.end, Refunded), side.end
    _check_chain(
        nodes[side.match.our_asset],
        side,
        side.end.refund_txid,
        side.match.refund_script,
        refund_vsize(97, side.match.refund_script),
    )
