"""Two swap engines settling matches on two real regtest chains (maker pays LTC on ltc_node,
taker pays BTC on btc_node), messages over an in-memory wire, blocks mined by the test."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from app.store.db import Store
from app.swap.engine import SwapEngine
from app.swap.htlc_tx import redeem_vsize, refund_vsize
from app.swap.messages import (
    CounterpartyInit,
    InitReport,
    RedeemReport,
    SwapStateChanged,
)
from app.swap.recovery import resume_all
from app.swap.states import (
    Complete,
    ContractPrepared,
    InitBroadcast,
    Match,
    Matched,
    Refunded,
    Role,
    SwapState,
)
from app.swap.store import SwapStore, decode_state
from dexproto.htlc import Contract, maker_lock_time, taker_lock_time
from simnet.node import RegtestNode
from tests.fakes.matches import RATE, make_matches, role_keys
from tests.integration.swap_rig import (
    MAKER_AMOUNT,
    TAKER_AMOUNT,
    Crash,
    Rig,
    balance,
    check_balances,
    problems,
    rig,
)
from tests.waits import until

pytestmark = pytest.mark.regtest


def check_btc_verified(r: Rig, end_m: SwapState) -> None:
    """The BTC side of a completed swap went through the kernel: the taker's init (the one
    it reported) and the maker's redeem."""
    inits = {m.txid for role, m in r.wire.sent if role is Role.TAKER and isinstance(m, InitReport)}
    assert isinstance(end_m, Complete) and len(inits) == 1
    assert {*inits, end_m.redeem_txid} <= set(r.kernel.ledger.verified), r.kernel.ledger


async def run_swap(
    r: Rig, maker: Match, taker: Match, timeout: float = 30.0
) -> tuple[SwapState, SwapState]:
    em, et = r.engine(Role.MAKER), r.engine(Role.TAKER)
    await et.add_match(taker)
    await em.add_match(maker)
    return await asyncio.wait_for(
        asyncio.gather(em.wait(maker.match_id), et.wait(taker.match_id)), timeout
    )


@pytest.mark.parametrize("lose_redemption", [False, True], ids=["happy", "redemption-lost"])
async def test_swap_completes_to_the_atom(
    tmp_path: Path,
    ltc_node: RegtestNode,
    btc_node: RegtestNode,
    lose_redemption: bool,
) -> None:
    async with rig(tmp_path, ltc_node, btc_node) as r:
        if lose_redemption:  # the taker must find the secret in the maker's redeem on chain
            r.wire.drop.add((Role.MAKER, RedeemReport))
        maker, taker = make_matches(MAKER_AMOUNT, TAKER_AMOUNT)
        started = time.monotonic()
        end_m, end_t = await run_swap(r, maker, taker)
        elapsed = time.monotonic() - started
        assert isinstance(end_m, Complete) and isinstance(end_t, Complete), (end_m, end_t)
        assert end_m.received == TAKER_AMOUNT - RATE * redeem_vsize(97, maker.redeem_script)
        assert end_t.received == MAKER_AMOUNT - RATE * redeem_vsize(97, taker.redeem_script)
        await check_balances(r, maker, taker)
        check_btc_verified(r, end_m)
        sent = [type(m).__name__ for _, m in r.wire.sent]
        assert sent.count("InitReport") == 2 and sent.count("RedeemReport") == 2
        history = SwapStore(Store(tmp_path / "maker.db")).history(maker.match_id)
        assert [h.state for h in history] == [
            "Matched",
            "ContractPrepared",
            "InitBroadcast",
            "CounterpartyAudited",
            "Redeeming",
            "Complete",
        ]
        print(f"full regtest swap: {elapsed:.2f} s")
        check_nothing_secret_stored(r, maker, taker)


def check_nothing_secret_stored(r: Rig, maker: Match, taker: Match) -> None:
    """Neither role's private key is ever in its database files, and the maker's secret is not
    there before its own redeem (whose signed transaction reveals it anyway)."""
    secret = next(
        m.secret for role, m in r.wire.sent if role is Role.MAKER and isinstance(m, RedeemReport)
    )
    keys = [role_keys(m.role).our_key(m) for m in (maker, taker)]
    assert len(r.snapshots) >= 10
    snapshots = [*r.snapshots, *((role, "end", r.raw_db(role)) for role in Role)]
    for role, state, raw in snapshots:
        for key in keys:
            assert key not in raw and key.hex().encode() not in raw, (role, state)
        if role is Role.MAKER and state in (
            "ContractPrepared",
            "InitBroadcast",
            "CounterpartyAudited",
        ):
            assert secret not in raw and secret.hex().encode() not in raw, state
    redeeming = next(
        raw for role, state, raw in r.snapshots if role is Role.MAKER and state == "Redeeming"
    )
    assert secret.hex().encode() in redeeming  # the scan sees what is stored


async def test_maker_refunds_when_taker_never_funds(
    tmp_path: Path,
    fresh_node: RegtestNode,
    btc_node: RegtestNode,
) -> None:
    fresh_node.ensure_mature_funds()
    async with rig(tmp_path, fresh_node, btc_node) as r:
        maker, _ = make_matches(MAKER_AMOUNT, TAKER_AMOUNT, maker_lock_ms=600_000)
        em = r.engine(Role.MAKER)
        await em.add_match(maker)
        while not any(
            isinstance(e, SwapStateChanged) and e.new == "InitBroadcast" for _, e in r.events
        ):
            await asyncio.sleep(0.05)
        lock = maker_lock_time(maker.match_time_ms, maker.maker_lock_ms)
        # Move the private chain's clock past the lock time; the miner keeps adding blocks.
        await asyncio.to_thread(fresh_node.set_mock_time, lock + 60)
        end = await asyncio.wait_for(em.wait(maker.match_id), 30)
        assert isinstance(end, Refunded), end
        refunded = await balance(r.backends["ltc"], maker.refund_script)
        assert refunded == MAKER_AMOUNT - RATE * refund_vsize(97, maker.refund_script)
        assert not any(isinstance(m, RedeemReport) for _, m in r.wire.sent)


async def test_taker_refunds_when_maker_never_redeems(
    tmp_path: Path,
    ltc_node: RegtestNode,
    fresh_node: RegtestNode,
) -> None:
    """The taker's BTC chain is a private node whose clock we move; the maker's loop dies
    after auditing the taker's contract and never redeems."""
    fresh_node.ensure_mature_funds()
    async with rig(tmp_path, ltc_node, fresh_node) as r:
        maker, taker = make_matches(
            MAKER_AMOUNT, TAKER_AMOUNT, maker_lock_ms=1_200_000, taker_lock_ms=600_000
        )
        em, et = r.engine(Role.MAKER, crash_at="CounterpartyAudited"), r.engine(Role.TAKER)
        await et.add_match(taker)
        await em.add_match(maker)
        with pytest.raises(Crash):
            await asyncio.wait_for(em.wait(maker.match_id), 30)
        lock = taker_lock_time(taker.match_time_ms, taker.taker_lock_ms)
        await asyncio.to_thread(fresh_node.set_mock_time, lock + 60)
        end = await asyncio.wait_for(et.wait(taker.match_id), 30)
        assert isinstance(end, Refunded), end
        refunded = await balance(r.backends["btc"], taker.refund_script)
        assert refunded == TAKER_AMOUNT - RATE * refund_vsize(97, taker.refund_script)
        init = next(
            m.txid for role, m in r.wire.sent if role is Role.TAKER and isinstance(m, InitReport)
        )
        assert {init, end.refund_txid} <= set(r.kernel.ledger.verified)  # CLTV: Bitcoin's


def _bad_maker_contract(maker: Match, what: str) -> tuple[Contract, int]:
    lock = maker_lock_time(maker.match_time_ms, maker.maker_lock_ms)
    good = Contract(os.urandom(32), maker.their_pkh, maker.our_pkh, lock)
    if what == "amount":
        return good, maker.our_amount - 1
    if what == "recipient":
        return replace(good, recipient_pkh=os.urandom(20)), maker.our_amount
    return replace(good, lock_time=lock - 120), maker.our_amount  # "lock time"


@pytest.mark.parametrize("what", ["amount", "recipient", "lock time"])
async def test_taker_refuses_bad_maker_contract(
    tmp_path: Path,
    ltc_node: RegtestNode,
    btc_node: RegtestNode,
    what: str,
) -> None:
    async with rig(tmp_path, ltc_node, btc_node) as r:
        maker, taker = make_matches(MAKER_AMOUNT, TAKER_AMOUNT)
        et = r.engine(Role.TAKER)
        await et.add_match(taker)
        contract, value = _bad_maker_contract(maker, what)
        txid, vout = await asyncio.to_thread(ltc_node.fund_script, contract.p2wsh_script(), value)
        et.deliver(
            CounterpartyInit(
                maker.order_id,
                maker.match_id,
                txid,
                vout,
                contract.to_script(),
                int(time.time() * 1000),
            )
        )
        await until(
            lambda: problems(r, Role.TAKER, f"wrong {what}"), f"wrong {what} refused", timeout=30
        )
        # refused, nothing of ours sent; the swap waits for a correct announcement (L3)
        assert r.funding[Role.TAKER].calls == 0 and not r.wire.sent
        assert isinstance(et.store.load(taker.match_id), Matched)
        good = replace(
            contract,
            recipient_pkh=maker.their_pkh,
            lock_time=maker_lock_time(maker.match_time_ms, maker.maker_lock_ms),
        )
        txid, vout = await asyncio.to_thread(
            ltc_node.fund_script, good.p2wsh_script(), maker.our_amount
        )
        et.deliver(
            CounterpartyInit(
                maker.order_id,
                maker.match_id,
                txid,
                vout,
                good.to_script(),
                int(time.time() * 1000),
            )
        )
        await until(lambda: r.funding[Role.TAKER].calls == 1, "audited, then funded", timeout=30)
        history = [h.state for h in et.store.history(taker.match_id)]
        assert history[:2] == ["Matched", "CounterpartyAudited"], history
        assert len(problems(r, Role.TAKER, "was refused")) == 1


async def test_maker_refuses_taker_contract_with_wrong_hash(
    tmp_path: Path,
    ltc_node: RegtestNode,
    btc_node: RegtestNode,
) -> None:
    async with rig(tmp_path, ltc_node, btc_node) as r:
        maker, taker = make_matches(MAKER_AMOUNT, TAKER_AMOUNT)
        r.wire.drop.add((Role.MAKER, InitReport))  # no real taker: we play it below
        em = r.engine(Role.MAKER)
        await em.add_match(maker)
        while not r.wire.sent:
            await asyncio.sleep(0.05)
        lock = maker_lock_time(taker.match_time_ms, taker.taker_lock_ms)
        bad = Contract(os.urandom(32), maker.our_pkh, taker.our_pkh, lock)
        txid, vout = await asyncio.to_thread(btc_node.fund_script, bad.p2wsh_script(), TAKER_AMOUNT)
        em.deliver(
            CounterpartyInit(
                taker.order_id, maker.match_id, txid, vout, bad.to_script(), int(time.time() * 1000)
            )
        )
        await until(
            lambda: problems(r, Role.MAKER, "wrong secret hash"),
            "the wrong hash refused",
            timeout=30,
        )
        state = em.store.load(maker.match_id)  # waits for a correct one or its lock time (L3)
        assert isinstance(state, InitBroadcast)
        assert not any(isinstance(m, RedeemReport) for _, m in r.wire.sent)  # secret kept
        good = replace(bad, secret_hash=state.secret_hash)
        txid, vout = await asyncio.to_thread(
            btc_node.fund_script, good.p2wsh_script(), TAKER_AMOUNT
        )
        em.deliver(
            CounterpartyInit(
                taker.order_id,
                maker.match_id,
                txid,
                vout,
                good.to_script(),
                int(time.time() * 1000),
            )
        )
        await until(
            lambda: any(isinstance(m, RedeemReport) for _, m in r.wire.sent),
            "a RedeemReport",
            timeout=30,
        )
        history = [h.state for h in em.store.history(maker.match_id)]
        assert "AwaitingRefund" not in history and "CounterpartyAudited" in history, history
        assert len(problems(r, Role.MAKER, "was refused")) == 1


# (role, state stored just before the crash) or (role, "after <what> broadcast")
CRASH_POINTS = [
    (Role.MAKER, "ContractPrepared"),
    (Role.MAKER, "after init broadcast"),
    (Role.MAKER, "InitBroadcast"),
    (Role.MAKER, "CounterpartyAudited"),
    (Role.MAKER, "Redeeming"),
    (Role.MAKER, "after redeem broadcast"),
    (Role.TAKER, "CounterpartyAudited"),
    (Role.TAKER, "ContractPrepared"),
    (Role.TAKER, "after init broadcast"),
    (Role.TAKER, "InitBroadcast"),
    (Role.TAKER, "Redeeming"),
    (Role.TAKER, "after redeem broadcast"),
]


def _crashing(r: Rig, role: Role, crashing: Role, at: str, m: Match) -> SwapEngine:
    if role is not crashing:
        return r.engine(role)
    if at.startswith("after "):
        chain = m.our_asset if at == "after init broadcast" else m.their_asset
        return r.engine(role, crash_after_broadcast_on=chain)
    return r.engine(role, crash_at=at)


@pytest.mark.parametrize(
    ("role", "at"), CRASH_POINTS, ids=[f"{r.value}-{s.replace(' ', '-')}" for r, s in CRASH_POINTS]
)
async def test_restart_resumes_without_paying_twice(
    tmp_path: Path,
    ltc_node: RegtestNode,
    btc_node: RegtestNode,
    role: Role,
    at: str,
) -> None:
    """The loop dies at a crash point (after storing a state and before acting on it, or
    after a broadcast and before storing what follows); a new engine on the same database
    resumes and completes, re-broadcasting the stored init, never building a new one."""
    async with rig(tmp_path, ltc_node, btc_node) as r:
        maker, taker = make_matches(MAKER_AMOUNT, TAKER_AMOUNT)
        ours = maker if role is Role.MAKER else taker
        engines = {
            Role.MAKER: _crashing(r, Role.MAKER, role, at, maker),
            Role.TAKER: _crashing(r, Role.TAKER, role, at, taker),
        }
        await engines[Role.TAKER].add_match(taker)
        await engines[Role.MAKER].add_match(maker)
        with pytest.raises(Crash):
            await asyncio.wait_for(engines[role].wait(ours.match_id), 30)
        await engines[role].stop()
        engines[role].store.store.close()
        reborn = r.engine(role)
        assert resume_all(reborn) == [ours.match_id]
        end_m, end_t = await asyncio.wait_for(
            asyncio.gather(
                (reborn if role is Role.MAKER else engines[Role.MAKER]).wait(maker.match_id),
                (reborn if role is Role.TAKER else engines[Role.TAKER]).wait(taker.match_id),
            ),
            30,
        )
        assert isinstance(end_m, Complete) and isinstance(end_t, Complete), (end_m, end_t)
        assert r.funding[role].calls == 1
        states = [decode_state(h.record, h.fmt) for h in reborn.store.history(ours.match_id)]
        inits = {
            s.ours.init.txid for s in states if isinstance(s, (ContractPrepared, InitBroadcast))
        }
        assert len(inits) == 1
        await check_balances(r, maker, taker)
        check_btc_verified(r, end_m)
