"""Pure swap transitions: every state, refund timing, audits that must send nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.store.db import Store
from app.swap.messages import CounterpartyRedeem, RedeemReport
from app.swap.states import (
    STATE_FORMAT,
    AwaitingRefund,
    Complete,
    CounterpartyAudited,
    Failed,
    Matched,
    Redeeming,
    Refunded,
    Refunding,
    Role,
    SealedSecret,
    SwapState,
)
from app.swap.store import SwapRecordError, SwapStore, decode_state, encode_state
from app.swap.transitions import (
    Broadcast,
    ChainTx,
    Fund,
    Observation,
    Send,
    Side,
    Step,
    transition,
)
from app.wallet.backends.base import SpendInfo
from dexproto.crypto import sha256
from dexproto.htlc import maker_lock_time, taker_lock_time
from tests.fakes.matches import pkh
from tests.fakes.swaps import (
    MAKER_KEY,
    NOW,
    RING,
    SECRET,
    T0,
    TAKER_KEY,
    H,
    at_init,
    audit_obs,
    funded,
    maker_contract,
    maker_redeem_of,
    match,
    obs,
    prepared,
    redeeming,
    refused,
    signed,
    taker_audit_obs,
    taker_contract,
)


# -- maker ------------------------------------------------------------------------------------
def test_maker_asks_for_funds_then_prepares_everything_before_broadcast() -> None:
    m = match(Role.MAKER)
    assert transition(Matched(m), obs()) == Step(Matched(m), (Fund(m.our_amount, True),))
    state = prepared(Role.MAKER)
    assert isinstance(state.sealed_secret, SealedSecret)  # never stored in clear
    assert state.secret_hash == sha256(SECRET)
    assert RING.unseal(m.match_id, state.sealed_secret) == SECRET
    contract = state.ours.contract
    assert contract.lock_time == maker_lock_time(T0, 48 * H)
    assert contract.recipient_pkh == pkh(TAKER_KEY) and contract.refund_pkh == pkh(MAKER_KEY)
    assert state.ours.refund.raw[-4:] == contract.lock_time.to_bytes(4, "little")
    text = repr(state)  # secrets and keys stay out of logs
    assert SECRET.hex() not in text and repr(SECRET) not in text and repr(MAKER_KEY) not in text


def test_prepared_rebroadcasts_the_stored_init_until_seen() -> None:
    state = prepared(Role.MAKER)
    step = transition(state, obs())
    assert step == Step(state, (Broadcast(Side.OURS, state.ours.init, "init"),))


def test_init_broadcast_rebroadcasts_until_confirmed_and_resends_on_resume() -> None:
    state = at_init(Role.MAKER)
    step = transition(state, obs(our_init_confs=0, resumed=True))
    assert step.state == state
    assert [type(a) for a in step.actions] == [Broadcast, Send]
    assert transition(state, obs(our_init_confs=1)) == Step(state)


def test_maker_audits_taker_contract_then_redeems_after_confirmations() -> None:
    state = at_init(Role.MAKER)
    step = transition(state, audit_obs(taker_contract(), 1_000_000))
    audited = step.state
    assert isinstance(audited, CounterpartyAudited) and step.actions == ()
    waiting = transition(audited, obs(our_init_confs=3, their_init=ChainTx("cc" * 32, (), 1)))
    assert waiting == Step(audited)
    ready = dict(our_init_confs=3, their_init=ChainTx("cc" * 32, (), 2), their_mtp=T0 // 1000)
    assert transition(audited, obs(**ready)) == Step(audited)  # locked wallet: wait
    step = transition(audited, signed(Role.MAKER, **ready))
    assert isinstance(step.state, Redeeming)
    broadcast, send = step.actions
    assert isinstance(broadcast, Broadcast) and broadcast.side is Side.THEIRS
    assert isinstance(send, Send) and isinstance(send.message, RedeemReport)
    assert send.message.secret == SECRET


def test_maker_does_not_reveal_the_secret_once_the_taker_contract_expired() -> None:
    state = at_init(Role.MAKER)
    audited = transition(state, audit_obs(taker_contract(), 1_000_000)).state
    lock = taker_lock_time(T0, 24 * H)
    step = transition(audited, obs(their_init=ChainTx("cc" * 32, (), 5), their_mtp=lock))
    assert isinstance(step.state, AwaitingRefund) and step.actions == ()


@pytest.mark.parametrize(
    ("changes", "value", "field"),
    [
        ({}, 999_999, "amount"),
        ({"secret_hash": bytes(32)}, 1_000_000, "secret hash"),
        ({"recipient_pkh": bytes(20)}, 1_000_000, "recipient"),
        ({"lock_time": taker_lock_time(T0, 24 * H) - 120}, 1_000_000, "lock time"),
    ],
)
def test_maker_refuses_bad_taker_contract_and_waits_to_refund(
    changes: dict[str, object],
    value: int,
    field: str,
) -> None:
    """No redeem, the secret stays ours; the maker stays in InitBroadcast, waiting for a good
    announcement or its lock time (the refund path of InitBroadcast)."""
    state = at_init(Role.MAKER)
    step = transition(state, audit_obs(taker_contract(**changes), value))
    assert f"wrong {field}" in refused(state, step)


# -- taker ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "value", "field"),
    [
        ({}, 1_999_999, "amount"),
        ({"recipient_pkh": bytes(20)}, 2_000_000, "recipient"),
        ({"lock_time": maker_lock_time(T0, 48 * H) - 61}, 2_000_000, "lock time"),
    ],
)
def test_taker_refuses_bad_maker_contract_and_sends_nothing(
    changes: dict[str, object],
    value: int,
    field: str,
) -> None:
    state = Matched(match(Role.TAKER))
    step = transition(state, audit_obs(maker_contract(**changes), value))
    assert f"wrong {field}" in refused(state, step)


def test_taker_accepts_one_minute_early_maker_lock_time() -> None:
    lock = maker_lock_time(T0, 48 * H) - 60
    step = transition(Matched(match(Role.TAKER)), taker_audit_obs(lock_time=lock))
    assert isinstance(step.state, CounterpartyAudited)


def test_taker_waits_for_confirmations_then_funds_with_the_same_hash() -> None:
    audited = transition(Matched(match(Role.TAKER)), taker_audit_obs()).state
    assert isinstance(audited, CounterpartyAudited)
    assert transition(audited, obs(their_init=ChainTx("cc" * 32, (), 1))) == Step(audited)
    step = transition(audited, obs(their_init=ChainTx("cc" * 32, (), 2)))
    assert step.actions == (Fund(1_000_000, False),)
    state = prepared(Role.TAKER)
    assert state.sealed_secret is None and state.ours.contract.secret_hash == sha256(SECRET)
    assert state.ours.contract.lock_time == taker_lock_time(T0, 24 * H)


def test_taker_gives_up_when_the_maker_never_funds() -> None:
    m = match(Role.TAKER)
    assert transition(Matched(m), obs()) == Step(Matched(m))
    late = Observation(now_ms=T0 + 48 * H + 1)
    assert isinstance(transition(Matched(m), late).state, Failed)


def test_taker_learns_the_secret_from_the_chain() -> None:
    state = at_init(Role.TAKER)
    step = transition(state, signed(Role.TAKER, our_init_confs=3, our_spend=maker_redeem_of(state)))
    assert isinstance(step.state, Redeeming) and step.state.secret == SECRET


def test_taker_learns_the_secret_from_the_redemption_message_only_if_it_fits() -> None:
    state = at_init(Role.TAKER)
    bad = CounterpartyRedeem("aa" * 32, "bb" * 32, "ee" * 32, 0, bytes(32), NOW)
    assert transition(state, obs(our_init_confs=3, redemption=bad)) == Step(state)
    good = replace(bad, secret=SECRET)
    locked = transition(state, obs(our_init_confs=0, redemption=good))
    assert locked == Step(state, (Broadcast(Side.OURS, state.ours.init, "init"),))
    unlocked = transition(state, signed(Role.TAKER, our_init_confs=3, redemption=good))
    assert isinstance(unlocked.state, Redeeming)


def test_nothing_is_signed_while_the_wallet_is_locked() -> None:
    """No key in the observation: prepare and redeem wait; nothing half-done is stored."""
    m = match(Role.MAKER)
    assert transition(Matched(m), obs(funded=funded(m, SECRET))) == Step(Matched(m))
    state = at_init(Role.TAKER)
    learned = obs(our_init_confs=3, our_spend=maker_redeem_of(state))
    assert transition(state, learned) == Step(state)
    assert isinstance(
        transition(state, signed(Role.TAKER, our_init_confs=3, our_spend=learned.our_spend)).state,
        Redeeming,
    )


# -- redeem, refund, terminal -----------------------------------------------------------------


def test_redeeming_rebroadcasts_then_completes_with_exact_amount() -> None:
    state = redeeming()
    step = transition(state, obs(redeem_confs=0))
    assert step == Step(state, (Broadcast(Side.THEIRS, state.redeem, "redeem"),))
    done = transition(state, obs(redeem_confs=1)).state
    assert done == Complete(state.match, state.redeem.txid, 2_000_000 - state.redeem.fee)


def test_redeeming_when_the_counterparty_refunded_first() -> None:
    state = redeeming()
    other = SpendInfo("ff" * 32, 0, b"", 10)
    assert isinstance(transition(state, obs(their_spend=other, our_spend=other)).state, Failed)


@pytest.mark.parametrize("role", [Role.MAKER, Role.TAKER])
def test_refund_exactly_at_lock_time_with_the_presigned_tx(role: Role) -> None:
    state = at_init(role)
    lock = state.ours.contract.lock_time
    assert transition(state, obs(our_init_confs=9, our_mtp=lock - 1)) == Step(state)
    step = transition(state, obs(our_init_confs=9, our_mtp=lock))
    assert isinstance(step.state, Refunding)
    assert step.actions == (Broadcast(Side.OURS, state.ours.refund, "refund"),)
    again = transition(step.state, obs(refund_confs=0))
    assert again.state == step.state and again.actions == step.actions
    done = transition(step.state, obs(refund_confs=1)).state
    assert isinstance(done, Refunded) and done.refund_txid == state.ours.refund.txid


def test_own_refund_seen_on_chain_after_restart_is_followed_not_repeated() -> None:
    state = at_init(Role.MAKER)
    spend = SpendInfo(state.ours.refund.txid, 0, state.ours.refund.raw, None)
    step = transition(state, obs(our_init_confs=9, our_spend=spend))
    assert isinstance(step.state, Refunding) and step.actions == ()


def test_awaiting_refund_waits_for_lock_time() -> None:
    state = at_init(Role.MAKER)
    waiting = AwaitingRefund(state.match, state.ours, None, "audit failed")
    assert transition(waiting, obs(our_mtp=0)) == Step(waiting)
    lock = state.ours.contract.lock_time
    assert isinstance(transition(waiting, obs(our_mtp=lock + 5)).state, Refunding)


def test_terminal_states_do_nothing() -> None:
    m = match(Role.MAKER)
    for state in (Complete(m, "ab" * 32, 5), Refunded(m, "ab" * 32, "x"), Failed(m, "x")):
        assert transition(state, obs(our_mtp=2**31)) == Step(state)


# -- persistence ------------------------------------------------------------------------------
def _all_states() -> list[SwapState]:
    init = at_init(Role.MAKER)
    red = redeeming()
    audited = transition(Matched(match(Role.TAKER)), taker_audit_obs()).state
    return [
        Matched(match(Role.MAKER)),
        audited,
        prepared(Role.MAKER),
        init,
        red,
        AwaitingRefund(init.match, init.ours, None, "r"),
        Refunding(init.match, init.ours, red.theirs, "r"),
        Complete(init.match, "ab" * 32, 7),
        Refunded(init.match, "cd" * 32, "r"),
        Failed(init.match, "r"),
    ]


def test_every_state_round_trips_through_the_record_format() -> None:
    for state in _all_states():
        assert decode_state(encode_state(state), STATE_FORMAT) == state
    with pytest.raises(SwapRecordError):
        decode_state(encode_state(Failed(match(Role.MAKER), "x")), STATE_FORMAT + 1)


def test_swap_store_keeps_current_state_and_history(tmp_path: Path) -> None:
    clock = iter(range(100, 200))
    store = SwapStore(Store(tmp_path / "s.db"), clock_ms=lambda: next(clock))
    states = _all_states()
    first = Matched(match(Role.MAKER))
    assert store.create(first) and not store.create(first)
    assert store.pending() == [first]
    store.save(states[3])
    store.save(Failed(first.match, "x"))
    assert store.load(first.match.match_id) == Failed(first.match, "x")
    assert store.pending() == []
    history = store.history(first.match.match_id)
    assert [(h.state, h.created_ms) for h in history] == [
        ("Matched", 100),
        ("InitBroadcast", 102),
        ("Failed", 103),
    ]
