"""The security review's timing PoCs (shared/security/poc/poc3_locktimes.py parts b and d,
poc4_late_redeem.py) turned into tests: each attack is now refused."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app.store.db import Store
from app.swap.engine import SwapEngine
from app.swap.messages import CounterpartyInit, OutgoingMessage, RedeemReport
from app.swap.states import (
    AwaitingRefund,
    Complete,
    CounterpartyAudited,
    Failed,
    Matched,
    Redeeming,
    Role,
)
from app.swap.store import SwapStore
from app.swap.transitions import ChainTx, Fund, Observation, transition
from app.wallet.coins import TxOutput
from dexproto.crypto import sha256
from dexproto.htlc import Contract, maker_lock_time, taker_lock_time
from tests.fakes.matches import pkh
from tests.fakes.scripted_chain import THEIR_INIT, FakeChain
from tests.fakes.swaps import (
    MAKER_KEY,
    NOW,
    SECRET,
    T0,
    TAKER_KEY,
    H,
    RoleRing,
    at_init,
    audit_obs,
    funded,
    match,
    obs,
    refused,
    signed,
    taker_contract,
)
from tests.waits import until

L_T = taker_lock_time(T0, 24 * H)


# -- PoC 3 (b): a maker contract expiring before the taker's own --------------------------------
def test_poc3b_taker_refuses_a_maker_contract_expiring_59_s_before_its_own() -> None:
    m = replace(match(Role.TAKER), maker_lock_ms=24 * H + 1, taker_lock_ms=24 * H)
    evil = Contract(sha256(SECRET), pkh(TAKER_KEY), pkh(MAKER_KEY), L_T - 59)
    msg = CounterpartyInit("dd" * 32, "bb" * 32, THEIR_INIT, 0, evil.to_script(), NOW)
    tx = ChainTx(THEIR_INIT, (TxOutput(evil.p2wsh_script(), m.their_amount),), 0)
    step = transition(Matched(m), obs(audit=msg, their_init=tx, their_tip=5))
    # was CounterpartyAudited, then funded; now refused (and, review L3, the swap waits for
    # a correct announcement instead of failing)
    assert "wrong lock time" in refused(Matched(m), step)


# -- PoC 3 (d): a taker funding long after its own or the maker's lock time --------------------
def _audited_taker() -> CounterpartyAudited:
    m = match(Role.TAKER)
    contract = Contract(sha256(SECRET), pkh(TAKER_KEY), pkh(MAKER_KEY), maker_lock_time(T0, 48 * H))
    msg = CounterpartyInit("dd" * 32, "bb" * 32, THEIR_INIT, 0, contract.to_script(), NOW)
    tx = ChainTx(THEIR_INIT, (TxOutput(contract.p2wsh_script(), m.their_amount),), 0)
    state = transition(Matched(m), obs(audit=msg, their_init=tx, their_tip=5)).state
    assert isinstance(state, CounterpartyAudited)
    return state


def test_poc3d_taker_does_not_fund_after_its_own_lock_time() -> None:
    late_now = T0 + 48 * H - 10 * 60_000  # own lock (24 h) passed 23 h 50 min ago
    step = transition(
        _audited_taker(), Observation(now_ms=late_now, their_init=ChainTx(THEIR_INIT, (), 2))
    )
    assert not any(isinstance(a, Fund) for a in step.actions)  # was Fund(1000000)
    assert isinstance(step.state, Failed) and "too late to fund" in step.state.reason


def test_poc3d_taker_does_not_fund_after_the_maker_lock_time() -> None:
    step = transition(
        _audited_taker(),
        Observation(
            now_ms=T0 + 100 * H,
            their_init=ChainTx(THEIR_INIT, (), 2),
            their_mtp=(T0 + 99 * H) // 1000,
        ),
    )
    assert step.actions == () and isinstance(step.state, Failed)


def test_poc3d_even_in_time_for_our_own_lock_the_maker_lock_must_leave_the_gap() -> None:
    """The maker chain's clock ran ahead: its contract is refundable in 10 minutes."""
    step = transition(
        _audited_taker(),
        Observation(
            now_ms=NOW,
            their_init=ChainTx(THEIR_INIT, (), 2),
            their_mtp=maker_lock_time(T0, 48 * H) - 600,
        ),
    )
    assert step.actions == () and isinstance(step.state, Failed)


# -- PoC 4: a late maker redeem, and a secret sent although the node refused the redeem --------
async def _maker_engine(
    tmp: Path, their_mtp: int, reject: bool
) -> tuple[SwapEngine, SwapStore, FakeChain, list[OutgoingMessage], str]:
    state = transition(at_init(Role.MAKER), audit_obs(taker_contract(), 1_000_000)).state
    assert isinstance(state, CounterpartyAudited) and state.ours is not None
    store = SwapStore(Store(tmp / "db"))
    store.create(state)
    sent: list[OutgoingMessage] = []

    async def send(msg: OutgoingMessage) -> None:
        sent.append(msg)

    ours = FakeChain(T0 // 1000, b"", 0)
    ours.known.add(state.ours.init.txid)  # our init is confirmed
    theirs = FakeChain(their_mtp, taker_contract().p2wsh_script(), 1_000_000, reject=reject)
    engine = SwapEngine(
        store,
        {"ltc": ours, "btc": theirs},
        {},
        send,
        keys=RoleRing(),
        poll_interval=0.01,
        clock_ms=lambda: NOW,
    )
    engine.start(state.match.match_id)
    return engine, store, theirs, sent, state.match.match_id


async def test_poc4_maker_one_second_before_the_taker_lock_time_keeps_the_secret(
    tmp_path: Path,
) -> None:
    engine, store, theirs, sent, mid = await _maker_engine(tmp_path, L_T - 1, reject=True)
    try:
        await until(
            lambda: isinstance(store.load(mid), AwaitingRefund), "the maker at AwaitingRefund"
        )
    finally:
        await engine.stop()
    end = store.load(mid)
    assert isinstance(end, AwaitingRefund) and "secret is kept" in end.reason
    assert theirs.sent == []  # no redeem started (was 11 rejected redeem broadcasts)
    assert sent == []  # no report, no secret (was a RedeemReport with the secret)


async def test_poc4_rejected_redeem_sends_no_secret_until_our_node_accepts_it(
    tmp_path: Path,
) -> None:
    """Outside the margin the maker redeems, but its node refuses the redeem: the report with
    the secret waits. Once the node takes the redeem the report goes out, once."""
    engine, store, theirs, sent, mid = await _maker_engine(tmp_path, T0 // 1000, reject=True)
    try:
        await until(lambda: len(theirs.sent) >= 5, "five refused redeem broadcasts")
        assert isinstance(store.load(mid), Redeeming)
        assert not any(isinstance(m, RedeemReport) for m in sent)
        theirs.reject = False
        await until(lambda: isinstance(store.load(mid), Complete), "the swap complete")
    finally:
        await engine.stop()
    reports = [m for m in sent if isinstance(m, RedeemReport)]
    assert len(reports) == 1 and reports[0].secret == SECRET


def test_poc4_pure_the_late_redeem_is_not_started() -> None:
    state = transition(at_init(Role.MAKER), audit_obs(taker_contract(), 1_000_000)).state
    step = transition(
        state,
        signed(
            Role.MAKER,
            their_init=ChainTx(THEIR_INIT, (), 10),
            their_mtp=L_T - 1,
            our_init_confs=10,
            funded=funded(state.match, None),
        ),
    )
    assert isinstance(step.state, AwaitingRefund) and step.actions == ()
