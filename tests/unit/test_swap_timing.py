"""The client-side timing rules of a swap (app/swap/timing.py, app/safety/rules.py): the
taker's audit gap, the maker's reveal margin, the taker's funding deadlines, the redeem report
held until our node accepted the redeem, and the resume gate for unfunded takers."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from app.client.resume_gate import ResumeGate
from app.safety.rules import rules_for
from app.store.db import Store
from app.swap.engine import Funding, SwapEngine
from app.swap.errors import AuditError, AuditField
from app.swap.messages import RedeemReport
from app.swap.states import (
    FEE_BUMP_FORMAT,
    STATE_FORMAT,
    AwaitingRefund,
    ContractPrepared,
    CounterpartyAudited,
    Failed,
    Match,
    Matched,
    Redeeming,
    Role,
)
from app.swap.store import SwapStore, decode_state, encode_state
from app.swap.transitions import (
    Broadcast,
    ChainTx,
    Fund,
    Observation,
    Send,
    Step,
    audit,
    transition,
)
from app.wallet.backends.base import SpendInfo
from dexproto.htlc import maker_lock_time, taker_min_maker_lock_time
from dexproto.match_messages import MatchSide, MatchState, MatchStatus
from tests.fakes.dex_events import DexEventsRig
from tests.fakes.scripted_chain import THEIR_INIT, FakeChain
from tests.fakes.swaps import (
    CONFIRMED,
    MAKER_LOCK,
    NOW,
    T0,
    TAKER_LOCK,
    H,
    RoleRing,
    at_init,
    funded,
    maker_audited,
    maker_contract,
    maker_redeem_of,
    match,
    obs,
    redeeming,
    refused,
    signed,
    taker_audit_obs,
    taker_audited,
    unlocked,
)
from tests.waits import until

RULES = rules_for("regtest")
GAP_S = RULES.gap_ms(24 * H) // 1000  # 12 h


# -- 1. the taker's audit: the maker's lock time leaves the gap after our own ------------------
def test_taker_refuses_a_maker_lock_time_inside_the_gap_whatever_the_config() -> None:
    """The server's durations (30 h / 24 h) allow a maker lock 30 h after the match; our rules
    want our own lock (24 h) + the gap (12 h)."""
    m = replace(match(Role.TAKER), maker_lock_ms=30 * H)
    short = maker_lock_time(T0, 30 * H)
    step = transition(Matched(m), taker_audit_obs(lock_time=short))
    assert "wrong lock time" in refused(Matched(m), step)
    with pytest.raises(AuditError) as err:
        audit(m, taker_audit_obs(lock_time=short), None)
    assert err.value.field is AuditField.LOCK_TIME
    assert err.value.expected == f">= {TAKER_LOCK + GAP_S}"
    # exactly our lock + the gap is enough, one second less is not
    assert taker_min_maker_lock_time(T0, 30 * H, 24 * H, GAP_S * 1000) == TAKER_LOCK + GAP_S
    assert isinstance(taker_audited(m, TAKER_LOCK + GAP_S), CounterpartyAudited)
    late = transition(Matched(m), taker_audit_obs(lock_time=TAKER_LOCK + GAP_S - 1))
    assert "wrong lock time" in refused(Matched(m), late)


# -- 2. the maker reveals only outside the margin ----------------------------------------------
def test_maker_redeems_while_the_taker_lock_time_is_at_least_the_margin_ahead() -> None:
    margin = RULES.reveal_margin_s(24 * H)
    assert margin == 6 * 3600
    state = maker_audited()
    step = transition(
        state, signed(Role.MAKER, their_init=CONFIRMED, their_mtp=TAKER_LOCK - margin)
    )
    assert isinstance(step.state, Redeeming)


def test_maker_inside_the_margin_keeps_its_secret_and_waits_to_refund() -> None:
    margin = RULES.reveal_margin_s(24 * H)
    state = maker_audited()
    step = transition(
        state, signed(Role.MAKER, their_init=CONFIRMED, their_mtp=TAKER_LOCK - margin + 1)
    )
    assert isinstance(step.state, AwaitingRefund) and step.actions == ()
    assert "less than the 6 h" in step.state.reason and "secret is kept" in step.state.reason
    assert step.state.ours == state.ours  # refunded at our lock time from the presigned tx


def test_maker_with_an_unknown_taker_chain_clock_does_not_reveal() -> None:
    state = maker_audited()
    assert transition(state, signed(Role.MAKER, their_init=CONFIRMED)) == Step(state)


def test_taker_that_learned_the_secret_always_redeems_even_late() -> None:
    """The margin is the maker's: a taker holding the secret must redeem, however late."""
    state = at_init(Role.TAKER)
    spend = maker_redeem_of(state)
    step = transition(
        state,
        unlocked(MAKER_LOCK * 1000, our_init_confs=3, our_spend=spend, their_mtp=MAKER_LOCK - 1),
    )
    assert isinstance(step.state, Redeeming)


# -- 3. the redeem report waits for our node ---------------------------------------------------
def test_redeem_report_is_conditional_on_our_node_accepting_the_redeem() -> None:
    step = transition(
        maker_audited(), signed(Role.MAKER, their_init=CONFIRMED, their_mtp=T0 // 1000)
    )
    assert isinstance(step.state, Redeeming)
    broadcast, send = step.actions
    assert isinstance(broadcast, Broadcast) and isinstance(send, Send)
    assert isinstance(send.message, RedeemReport)
    assert send.after_accepted == broadcast.tx.txid == step.state.redeem.txid


def test_redeeming_reports_once_known_and_on_resume_only_when_known() -> None:
    state = redeeming()
    # not known to the chain: every attempt carries the report, held until the node takes it
    step = transition(state, obs())
    broadcast, send = step.actions
    assert isinstance(broadcast, Broadcast) and isinstance(send, Send)
    assert send.after_accepted == state.redeem.txid
    # in the mempool: no report (sent when the node accepted it)
    assert transition(state, obs(redeem_confs=0)) == Step(
        state, (Broadcast(broadcast.side, state.redeem, "redeem"),)
    )
    # resumed and known: re-sent at once; resumed and unknown: held like the first time
    known = transition(state, obs(resumed=True, redeem_confs=0)).actions[-1]
    assert isinstance(known, Send) and known.after_accepted is None
    spent = SpendInfo(state.redeem.txid, 0, state.redeem.raw, None)
    by_spend = transition(state, obs(resumed=True, their_spend=spent)).actions[-1]
    assert isinstance(by_spend, Send) and by_spend.after_accepted is None
    unknown = transition(state, obs(resumed=True)).actions[-1]
    assert isinstance(unknown, Send) and unknown.after_accepted == state.redeem.txid


# -- 4. the taker funds only in time -----------------------------------------------------------
def test_taker_funds_with_enough_time_left_and_records_when_it_saw_the_confirmations() -> None:
    state = taker_audited()
    assert state.confirmed_ms is None
    waiting = transition(state, obs(their_init=ChainTx(THEIR_INIT, (), 1)))
    assert waiting == Step(state)
    step = transition(state, obs(their_init=CONFIRMED))
    assert step == Step(replace(state, confirmed_ms=NOW), (Fund(1_000_000, False),))


def test_taker_too_close_to_its_own_lock_time_fails_without_funding() -> None:
    margin = RULES.fund_margin_s(24 * H)
    assert margin == 12 * 3600
    state = taker_audited()
    edge = (TAKER_LOCK - margin) * 1000
    assert transition(state, Observation(now_ms=edge, their_init=CONFIRMED)).actions == (
        Fund(1_000_000, False),
    )
    step = transition(
        state, unlocked(edge + 1000, their_init=CONFIRMED, funded=funded(state.match, None))
    )
    assert isinstance(step.state, Failed) and step.actions == ()
    assert "too late to fund: our contract could be refunded in 11 h 59 min" in step.state.reason
    # while still waiting for confirmations it gives up just the same
    early = transition(
        state, Observation(now_ms=edge + 1000, their_init=ChainTx(THEIR_INIT, (), 0))
    )
    assert isinstance(early.state, Failed)


def test_taker_fails_when_the_maker_chain_clock_leaves_less_than_the_gap() -> None:
    state = taker_audited()
    ok = transition(state, obs(their_init=CONFIRMED, their_mtp=MAKER_LOCK - GAP_S))
    assert ok.actions == (Fund(1_000_000, False),)
    step = transition(
        state,
        signed(
            Role.TAKER,
            their_init=CONFIRMED,
            their_mtp=MAKER_LOCK - GAP_S + 1,
            funded=funded(state.match, None),
        ),
    )
    assert isinstance(step.state, Failed) and step.actions == ()
    assert "the maker can refund its contract in 11 h 59 min" in step.state.reason


def test_taker_fails_btimeout_after_the_confirmations_it_saw() -> None:
    state = replace(taker_audited(), confirmed_ms=NOW)
    last = NOW + RULES.btimeout_ms
    assert transition(state, Observation(now_ms=last, their_init=CONFIRMED)).actions == (
        Fund(1_000_000, False),
    )
    step = transition(
        state, unlocked(last + 1, their_init=CONFIRMED, funded=funded(state.match, None))
    )
    assert isinstance(step.state, Failed) and step.actions == ()
    assert "confirmed 10 min ago, more than the 10 min" in step.state.reason


def test_confirmed_ms_is_stored_and_older_records_read_without_it() -> None:
    state = replace(taker_audited(), confirmed_ms=NOW)
    assert decode_state(encode_state(state), STATE_FORMAT) == state
    tree = json.loads(encode_state(state))
    del tree["f"]["confirmed_ms"]  # a format 3 record, written before the field existed
    old = decode_state(json.dumps(tree), FEE_BUMP_FORMAT)
    assert old == replace(state, confirmed_ms=None)


# -- 5. the resume gate ------------------------------------------------------------------------
@pytest.mark.parametrize("allowed", [None, False, True], ids=["unknown", "refused", "allowed"])
def test_resumed_taker_funds_only_once_the_server_confirmed_the_match(allowed: bool | None) -> None:
    state = taker_audited()
    step = transition(state, obs(their_init=CONFIRMED, fund_allowed=allowed))
    if allowed is None:  # waits: nothing asked of the wallet
        assert step == Step(replace(state, confirmed_ms=NOW))
    elif allowed is False:
        assert step == Step(Failed(state.match, "could not confirm the match with the server"))
    else:
        assert step.actions == (Fund(1_000_000, False),)


def test_a_refused_gate_ends_a_matched_taker_too_and_waits_while_unknown() -> None:
    m = match(Role.TAKER)
    assert isinstance(transition(Matched(m), obs(fund_allowed=False)).state, Failed)
    assert transition(Matched(m), obs(fund_allowed=None)) == Step(Matched(m))
    # the audit itself still happens while unknown (it sends nothing)
    audited = transition(Matched(m), replace(taker_audit_obs(), fund_allowed=None)).state
    assert isinstance(audited, CounterpartyAudited)


def test_resume_gate_holds_unfunded_takers_until_confirmed_revoked_or_timed_out() -> None:
    now = [1000]
    gate = ResumeGate(clock_ms=lambda: now[0])
    t1, t2, t3 = (replace(match(Role.TAKER), match_id=c * 64) for c in "123")
    maker = Matched(replace(match(Role.MAKER), match_id="4" * 64))
    prepared_taker = ContractPrepared(t3, b"\x00" * 32, at_init(Role.TAKER).ours, None)
    held = gate.hold([Matched(t1), taker_audited(t2), prepared_taker, maker])
    assert held == [t1.match_id, t2.match_id]
    assert gate.fund_allowed(t1.match_id) is None and gate.fund_allowed(t2.match_id) is None
    assert gate.fund_allowed(t3.match_id) is True  # funded already: not the gate's business
    assert gate.fund_allowed("9" * 64) is True  # a match of this run
    gate.confirmed([t1.match_id])
    gate.revoked(t2.match_id)
    gate.confirmed([t2.match_id])  # revoked stays revoked
    assert gate.fund_allowed(t1.match_id) is True and gate.fund_allowed(t2.match_id) is False
    late = ResumeGate(clock_ms=lambda: now[0])
    late.hold([Matched(t1)])
    now[0] += RULES.resume_wait_ms
    assert late.fund_allowed(t1.match_id) is None
    now[0] += 1
    assert late.fund_allowed(t1.match_id) is False  # no answer in time: never funded


class _Funding:
    def __init__(self, m: Match) -> None:
        self.m = m
        self.calls = 0

    async def fund(
        self, amount: int, fee_rate: int, contracts: int, orders: tuple[str, ...] = ()
    ) -> Funding:
        self.calls += 1
        f = funded(self.m, None)
        return Funding(f.coins, f.change_script)


async def test_engine_asks_the_gate_before_funding_a_resumed_taker(tmp_path: Path) -> None:
    """The real engine: an audited taker loaded from the store does not ask for coins while
    the gate does not know the match, and funds once the server confirmed it."""
    state = taker_audited()
    store = SwapStore(Store(tmp_path / "db"))
    store.create(state)
    gate = ResumeGate()
    gate.hold(store.pending())
    maker_chain = FakeChain(T0 // 1000, maker_contract().p2wsh_script(), 2_000_000)
    our_chain = FakeChain(T0 // 1000, b"", 0)
    funding = _Funding(state.match)
    sent: list[object] = []

    async def send(msg: object) -> None:
        sent.append(msg)

    engine = SwapEngine(
        store,
        {"ltc": maker_chain, "btc": our_chain},
        {"btc": funding},
        send,
        keys=RoleRing(),
        poll_interval=0.01,
        clock_ms=lambda: NOW,
        fund_gate=gate,
    )
    engine.start(state.match.match_id)
    try:
        await until(lambda: our_chain.tips >= 20, "20 ticks with the gate unknown")
        assert funding.calls == 0 and not our_chain.sent and not sent
        assert store.load(state.match.match_id) == replace(state, confirmed_ms=NOW)
        gate.confirmed([state.match.match_id])
        await until(lambda: our_chain.sent, "funded, prepared, our init broadcast")
        assert funding.calls == 1
    finally:
        await engine.stop()


def _server_says(match_id: str, status: MatchStatus) -> MatchState:
    return MatchState(
        orderid=bytes(32),
        matchid=bytes.fromhex(match_id),
        quantity=1,
        rate=1,
        address="x",
        side=MatchSide.TAKER,
        feerate=1,
        servertime=T0,
        status=status,
    )


async def test_core_tells_the_gate_what_connect_and_match_status_said(tmp_path: Path) -> None:
    live, gone, unlisted = (replace(match(Role.TAKER), match_id=c * 64) for c in "123")
    rig = DexEventsRig(tmp_path, settles=False)
    for m in (live, gone, unlisted):
        rig.swaps.create(Matched(m))
    gate = rig.fund_gate
    assert gate.hold(rig.swaps.pending()) == [live.match_id, gone.match_id, unlisted.match_id]
    await rig.part.reconcile(
        (
            _server_says(live.match_id, MatchStatus.MAKER_SWAP_CAST),
            _server_says(gone.match_id, MatchStatus.REVOKED),
        ),
    )
    assert gate.fund_allowed(live.match_id) is True
    assert gate.fund_allowed(gone.match_id) is False and rig.orders.revoked == [gone.match_id]
    assert rig.settlement.abandoned == [(gone.match_id, "match revoked by the server")]
    assert gate.fund_allowed(unlisted.match_id) is None  # still waiting
