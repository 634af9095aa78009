"""Fee bumping of our redeem: the pure policy (when, what rate, the cap) and the transitions
that store each replacement before it is sent and accept whichever version confirms."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from bitcoin.core import CTransaction

from app.swap.bump import (
    BumpPolicy,
    RedeemClock,
    bump_due,
    in_safety_margin,
    max_rate,
    next_rate,
)
from app.swap.htlc_tx import redeem_vsize, refund_vsize
from app.swap.messages import RedeemReport
from app.swap.states import (
    KEYLESS_FORMAT,
    STATE_FORMAT,
    Complete,
    Failed,
    Redeeming,
    Refunded,
    Refunding,
    Role,
)
from app.swap.store import SwapRecordError, decode_state, encode_state
from app.swap.transitions import Broadcast, Send, Side, Step, transition
from app.wallet.backends.base import SpendInfo
from app.wallet.coins import SignedTx
from app.wallet.signing import SEQUENCE_RBF
from tests.fakes.swaps import at_init, obs, redeeming, signed

HOUR = 3600
POLICY = BumpPolicy()


# -- the policy ---------------------------------------------------------------------------------
def test_bump_after_two_blocks_without_confirmation() -> None:
    clock = RedeemClock(signed_height=100, first_mtp=0, lock_time=100 * HOUR)
    assert not bump_due(clock, 100, HOUR, POLICY)
    assert not bump_due(clock, 101, HOUR, POLICY)
    assert bump_due(clock, 102, HOUR, POLICY)
    assert bump_due(clock, 110, HOUR, POLICY)


def test_safety_margin_is_a_quarter_of_the_window_or_two_hours() -> None:
    long = RedeemClock(100, first_mtp=0, lock_time=40 * HOUR)  # margin 10 h
    assert not in_safety_margin(long, 30 * HOUR - 1, POLICY)
    assert in_safety_margin(long, 30 * HOUR, POLICY)
    short = RedeemClock(100, first_mtp=0, lock_time=4 * HOUR)  # 1 h quarter < 2 h minimum
    assert not in_safety_margin(short, 2 * HOUR - 1, POLICY)
    assert in_safety_margin(short, 2 * HOUR, POLICY)
    # In the margin every new block bumps; never twice in the same block.
    assert bump_due(long, 101, 31 * HOUR, POLICY)
    assert not bump_due(long, 100, 31 * HOUR, POLICY)
    assert not bump_due(long, 101, 29 * HOUR, POLICY)


def test_next_rate_is_the_highest_of_estimate_step_and_relay_increment() -> None:
    value, vsize = 1_000_000, 150
    assert next_rate(20, None, 10, value, vsize) == 30  # x 3/2
    assert next_rate(21, None, 10, value, vsize) == 32  # ceiling of 31.5
    assert next_rate(20, 55, 10, value, vsize) == 55  # the node's next-block estimate
    assert next_rate(10, None, 10, value, vsize) == 20  # BIP125: + incremental relay fee
    assert next_rate(1, None, 1, value, vsize) == 2


def test_the_fee_never_exceeds_half_the_redeemed_value() -> None:
    value, vsize = 1_000_000, 150
    cap = max_rate(value, vsize)
    assert cap * vsize <= value // 2 < (cap + 1) * vsize
    assert next_rate(20, 10**9, 10, value, vsize) == cap  # a runaway estimate is capped
    assert next_rate(cap - 5, None, 10, value, vsize) is None  # no valid step left
    assert next_rate(cap - 10, None, 10, value, vsize) == cap


@pytest.mark.parametrize(
    "bad",
    [
        dict(after_blocks=0),
        dict(step_num=2, step_den=2),
        dict(max_fee_share_den=0),
        dict(margin_divisor=0),
    ],
)
def test_policy_refuses_nonsense(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        BumpPolicy(**bad)


# -- the transitions ----------------------------------------------------------------------------
def _stuck() -> Redeeming:
    """The taker's redeem signed at height 100, with 40 h left on the maker's lock time."""
    state = redeeming()
    lock = state.theirs.contract.lock_time
    return replace(state, signed_height=100, first_mtp=lock - 40 * HOUR)


def _rate(state: Redeeming) -> int:
    return state.redeem.fee // redeem_vsize(len(state.theirs.script), state.match.redeem_script)


def test_stuck_redeem_is_resigned_at_a_higher_rate_and_stored_before_broadcast() -> None:
    state = _stuck()
    mtp = state.first_mtp or 0
    # stuck: in the mempool (0 confirmations), so its report went out already
    assert transition(
        state, signed(Role.TAKER, their_tip=101, their_mtp=mtp, redeem_confs=0)
    ) == Step(state, (Broadcast(Side.THEIRS, state.redeem, "redeem"),))  # one block: wait
    step = transition(state, signed(Role.TAKER, their_tip=102, their_mtp=mtp, redeem_confs=0))
    new = step.state
    assert isinstance(new, Redeeming)
    assert step.actions == (Broadcast(Side.THEIRS, new.redeem, "redeem-bump"),)
    assert new.replaced == (state.redeem,) and new.signed_height == 102
    assert new.first_mtp == state.first_mtp  # the window is measured from the first version
    assert _rate(state) == 20 and _rate(new) == 30 and new.redeem.fee > state.redeem.fee
    old_tx, tx = (
        CTransaction.deserialize(state.redeem.raw),
        CTransaction.deserialize(new.redeem.raw),
    )
    assert tx.vin[0].prevout == old_tx.vin[0].prevout  # the same contract output
    assert tx.vin[0].nSequence == SEQUENCE_RBF  # signals replaceability (BIP125)
    assert [bytes(o.scriptPubKey) for o in tx.vout] == [state.match.redeem_script]
    assert tx.vout[0].nValue == state.theirs.value - new.redeem.fee
    # Two more blocks without it: bumped again, every earlier version kept.
    again = transition(new, signed(Role.TAKER, their_tip=104, their_mtp=mtp, redeem_confs=0)).state
    assert isinstance(again, Redeeming)
    assert again.replaced == (state.redeem, new.redeem) and _rate(again) == 45


def test_no_bump_while_the_wallet_is_locked_the_stored_redeem_keeps_going() -> None:
    state = _stuck()
    step = transition(state, obs(their_tip=150, their_mtp=state.first_mtp, redeem_confs=0))
    assert step == Step(state, (Broadcast(Side.THEIRS, state.redeem, "redeem"),))


def test_near_the_lock_time_each_block_bumps() -> None:
    state = _stuck()
    lock = state.theirs.contract.lock_time
    step = transition(
        state, signed(Role.TAKER, their_tip=101, their_mtp=lock - 9 * HOUR, redeem_confs=0)
    )
    assert isinstance(step.state, Redeeming) and step.state.replaced == (state.redeem,)


def test_a_record_from_before_bumping_starts_its_clock_without_bumping() -> None:
    state = redeeming()
    assert state.signed_height is None
    step = transition(state, signed(Role.TAKER, their_tip=500, their_mtp=123, redeem_confs=0))
    assert step.state == replace(state, signed_height=500, first_mtp=123)
    assert step.actions == (Broadcast(Side.THEIRS, state.redeem, "redeem"),)


def test_after_a_restart_blocks_count_from_the_first_send_not_the_signature() -> None:
    """Killed after storing the redeem and before sending it: the blocks mined meanwhile
    never saw it, so the restart sends it and starts counting, without bumping."""
    state = _stuck()
    step = transition(
        state, signed(Role.TAKER, resumed=True, their_tip=150, their_mtp=state.first_mtp)
    )
    assert step.state == replace(state, signed_height=150)
    assert Broadcast(Side.THEIRS, state.redeem, "redeem") in step.actions
    # Already in the mempool when we come back: those blocks passed it over, so bump.
    ours = SpendInfo(state.redeem.txid, 0, state.redeem.raw, None)
    again = transition(
        state,
        signed(
            Role.TAKER, resumed=True, their_tip=150, their_mtp=state.first_mtp, their_spend=ours
        ),
    ).state
    assert isinstance(again, Redeeming) and again.replaced == (state.redeem,)


def _bumped() -> tuple[Redeeming, Redeeming]:
    state = _stuck()
    new = transition(
        state, signed(Role.TAKER, their_tip=102, their_mtp=state.first_mtp, redeem_confs=0)
    ).state
    assert isinstance(new, Redeeming)
    return state, new


def test_whichever_version_confirms_completes_with_the_fee_it_paid() -> None:
    state, new = _bumped()
    value = state.theirs.value
    assert transition(new, obs(redeem_confs=1)).state == Complete(
        new.match, new.redeem.txid, value - new.redeem.fee
    )
    assert transition(new, obs(redeem_confs=0, confirmed_redeem=state.redeem.txid)).state == (
        Complete(new.match, state.redeem.txid, value - state.redeem.fee)
    )
    mined_old = SpendInfo(state.redeem.txid, 0, state.redeem.raw, 200)
    assert transition(new, obs(their_spend=mined_old)).state == Complete(
        new.match, state.redeem.txid, value - state.redeem.fee
    )


def test_an_older_version_in_the_mempool_is_ours_not_a_counterparty_refund() -> None:
    state, new = _bumped()
    pending_old = SpendInfo(state.redeem.txid, 0, state.redeem.raw, None)
    step = transition(new, obs(their_spend=pending_old))
    assert step == Step(new, (Broadcast(Side.THEIRS, new.redeem, "redeem"),))
    theirs = SpendInfo("ff" * 32, 0, b"", 10)
    assert isinstance(transition(new, obs(their_spend=theirs, our_spend=theirs)).state, Failed)


def test_the_report_resent_on_resume_names_the_newest_version() -> None:
    _, new = _bumped()
    step = transition(new, obs(resumed=True))
    sends = [a.message for a in step.actions if isinstance(a, Send)]
    assert len(sends) == 1 and isinstance(sends[0], RedeemReport)
    assert sends[0].txid == new.redeem.txid


def test_at_the_fee_cap_no_more_replacements() -> None:
    state = _stuck()
    vsize = redeem_vsize(len(state.theirs.script), state.match.redeem_script)
    capped = transition(
        state,
        signed(
            Role.TAKER, their_tip=102, their_mtp=state.first_mtp, fee_estimate=10**9, redeem_confs=0
        ),
    ).state
    assert isinstance(capped, Redeeming)
    assert capped.redeem.fee == max_rate(state.theirs.value, vsize) * vsize
    assert capped.redeem.fee <= state.theirs.value // 2
    step = transition(
        capped, signed(Role.TAKER, their_tip=110, their_mtp=state.first_mtp, redeem_confs=0)
    )
    assert step.state == capped


# -- the record format --------------------------------------------------------------------------
def test_bumped_records_round_trip_and_format_2_records_still_load() -> None:
    state, new = _bumped()
    assert decode_state(encode_state(new), STATE_FORMAT) == new
    tree = json.loads(encode_state(state))
    for name in ("replaced", "signed_height", "first_mtp"):  # a format 2 Redeeming
        del tree["f"][name]
    old = decode_state(json.dumps(tree), KEYLESS_FORMAT)
    assert old == replace(state, signed_height=None, first_mtp=None)
    with pytest.raises(SwapRecordError):
        decode_state(encode_state(new), STATE_FORMAT + 1)


# -- our refund -----------------------------------------------------------------------------------
def _refunding() -> Refunding:
    init = at_init(Role.MAKER)
    lock = init.ours.contract.lock_time
    step = transition(init, signed(Role.MAKER, our_init_confs=3, our_mtp=lock, our_tip=300))
    assert isinstance(step.state, Refunding) and step.state.signed_height == 300
    return step.state


def _in_mempool(tx: SignedTx) -> SpendInfo:
    return SpendInfo(tx.txid, 0, tx.raw, None)


def test_the_presigned_refund_signals_replaceability_and_keeps_its_lock_time() -> None:
    state = _refunding()
    tx = CTransaction.deserialize(state.ours.refund.raw)
    assert tx.vin[0].nSequence == SEQUENCE_RBF  # < 0xFFFFFFFE: nLockTime still enforced
    assert tx.nLockTime == state.ours.contract.lock_time


def test_a_stuck_refund_is_resigned_higher_and_the_presigned_one_kept() -> None:
    state = _refunding()
    presigned = state.ours.refund
    waiting = transition(state, signed(Role.MAKER, our_tip=301, our_spend=_in_mempool(presigned)))
    assert waiting == Step(state, (Broadcast(Side.OURS, presigned, "refund"),))
    step = transition(state, signed(Role.MAKER, our_tip=302, our_spend=_in_mempool(presigned)))
    new = step.state
    assert isinstance(new, Refunding) and new.versions == (presigned, new.refund)
    assert step.actions == (Broadcast(Side.OURS, new.refund, "refund-bump"),)
    vsize = refund_vsize(len(state.ours.script), state.match.refund_script)
    assert presigned.fee == 20 * vsize and new.refund.fee == 30 * vsize
    old_tx, tx = CTransaction.deserialize(presigned.raw), CTransaction.deserialize(new.refund.raw)
    assert tx.vin[0].prevout == old_tx.vin[0].prevout and tx.nLockTime == old_tx.nLockTime
    assert [bytes(o.scriptPubKey) for o in tx.vout] == [state.match.refund_script]
    assert tx.vout[0].nValue == state.ours.value - new.refund.fee


def test_no_refund_bump_when_not_in_the_mempool_or_locked() -> None:
    state = _refunding()
    presigned = state.ours.refund
    # Never in the mempool: no bump, and the clock starts only when it is accepted.
    assert transition(state, signed(Role.MAKER, our_tip=400)).state == replace(
        state, signed_height=400
    )
    assert transition(state, obs(our_tip=400, our_spend=_in_mempool(presigned))).state == state


def test_whichever_refund_confirms_ends_the_swap() -> None:
    state = _refunding()
    presigned = state.ours.refund
    new = transition(state, signed(Role.MAKER, our_tip=302, our_spend=_in_mempool(presigned))).state
    assert isinstance(new, Refunding)
    assert transition(new, obs(refund_confs=1)).state == Refunded(
        new.match, new.refund.txid, new.reason
    )
    assert transition(new, obs(confirmed_refund=presigned.txid)).state == Refunded(
        new.match, presigned.txid, new.reason
    )
    mined = SpendInfo(presigned.txid, 0, presigned.raw, 310)
    assert transition(new, obs(our_spend=mined)).state == Refunded(
        new.match, presigned.txid, new.reason
    )
    # A spend that is none of ours is the counterparty's redeem (here without a secret).
    other = SpendInfo("ee" * 32, 0, presigned.raw, 310)  # raw: some spend without a secret
    assert isinstance(transition(new, obs(our_spend=other)).state, Failed)
    assert decode_state(encode_state(new), STATE_FORMAT) == new
