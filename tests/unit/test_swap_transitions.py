"""Pure swap transitions: every state, refund timing, audits that must send nothing."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from app.store.db import Store
from app.swap.htlc import decode_witnesses
from app.swap.htlc_tx import build_redeem_tx
from app.swap.keys import MatchKeys, WalletKeys
from app.swap.messages import CounterpartyInit, CounterpartyRedeem, InitReport, RedeemReport
from app.swap.states import (
    STATE_FORMAT,
    AwaitingRefund,
    Complete,
    ContractPrepared,
    CounterpartyAudited,
    Failed,
    InitBroadcast,
    KeyPath,
    Match,
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
    Funded,
    Observation,
    RefuseAudit,
    Send,
    Side,
    Step,
    transition,
)
from app.wallet.backends.base import SpendInfo
from app.wallet.coins import Outpoint, TxOutput, Utxo
from app.wallet.hd import HDWallet
from app.wallet.signing import KeyedUtxo
from dexproto.address import p2wpkh_script
from dexproto.assets import get_asset
from dexproto.crypto import hash160, pubkey_from_secret, sha256
from dexproto.htlc import Contract, maker_lock_time, taker_lock_time
from tests.unit.fake_chain import contract_txid

T0 = 1_700_000_000_000
H = 3_600_000
NOW = T0 + 1000
MAKER_KEY, TAKER_KEY = bytes([1]) * 32, bytes([2]) * 32
SECRET = bytes([7]) * 32
RING = WalletKeys(HDWallet(bytes(range(64))))  # seals the maker's secret in these tests
# What the unlocked wallet hands each role's transitions (the keys are not in the records).
KEYS = {Role.MAKER: MatchKeys(MAKER_KEY, SECRET), Role.TAKER: MatchKeys(TAKER_KEY)}


class RoleRing:
    """The unlocked wallet of both roles in the engine tests (a KeyRing): the role's key,
    the maker's secret sealed and opened by RING."""

    def our_key(self, m: Match) -> bytes:
        return MAKER_KEY if m.role is Role.MAKER else TAKER_KEY

    def seal(self, match_id: str, secret: bytes) -> SealedSecret:
        return RING.seal(match_id, secret)

    def unseal(self, match_id: str, sealed: SealedSecret) -> bytes:
        return RING.unseal(match_id, sealed)


def pkh(key: bytes) -> bytes:
    return hash160(pubkey_from_secret(key))


def match(role: Role) -> Match:
    maker = role is Role.MAKER
    return Match(
        order_id="aa" * 32,
        match_id="bb" * 32,
        role=role,
        quantity=1,
        rate=1,
        network="regtest",
        our_asset="ltc" if maker else "btc",
        their_asset="btc" if maker else "ltc",
        our_amount=2_000_000 if maker else 1_000_000,
        their_amount=1_000_000 if maker else 2_000_000,
        their_pkh=pkh(TAKER_KEY if maker else MAKER_KEY),
        our_pkh=pkh(MAKER_KEY if maker else TAKER_KEY),
        our_key_path=KeyPath("btc" if maker else "ltc", False, 0),
        redeem_script=p2wpkh_script(bytes(20)),
        refund_script=p2wpkh_script(bytes([3]) * 20),
        our_fee_rate=20,
        their_fee_rate=20,
        their_swap_conf=2,
        match_time_ms=T0,
        maker_lock_ms=48 * H,
        taker_lock_ms=24 * H,
    )


def funded(m: Match, secret: bytes | None) -> Funded:
    key = os.urandom(32)
    script = p2wpkh_script(pkh(key))
    coin = KeyedUtxo(Utxo(Outpoint("11" * 32, 0), m.our_amount + 100_000, script, 1, 1), key)
    if secret is None:
        return Funded((coin,), p2wpkh_script(bytes([9]) * 20))
    return Funded(
        (coin,), p2wpkh_script(bytes([9]) * 20), sha256(secret), RING.seal(m.match_id, secret)
    )


def obs(**kw: object) -> Observation:
    return Observation(now_ms=NOW, **kw)  # type: ignore[arg-type]


def signed(role: Role, **kw: object) -> Observation:
    """An observation with the wallet unlocked: the role's key (and maker secret) given."""
    return obs(keys=KEYS[role], **kw)


def prepared(role: Role) -> ContractPrepared:
    """Maker: straight from Matched. Taker: after a good audit of the maker's contract."""
    if role is Role.MAKER:
        step = transition(Matched(match(role)), signed(role, funded=funded(match(role), SECRET)))
    else:
        audited = transition(Matched(match(role)), taker_audit_obs())
        assert isinstance(audited.state, CounterpartyAudited)
        step = transition(
            audited.state,
            signed(role, their_init=ChainTx("cc" * 32, (), 2), funded=funded(match(role), None)),
        )
    assert isinstance(step.state, ContractPrepared)
    return step.state


def maker_contract(**changes: object) -> Contract:
    lock = maker_lock_time(T0, 48 * H)
    good = Contract(sha256(SECRET), pkh(TAKER_KEY), pkh(MAKER_KEY), lock)
    return replace(good, **changes)  # type: ignore[arg-type]


def taker_contract(**changes: object) -> Contract:
    good = Contract(sha256(SECRET), pkh(MAKER_KEY), pkh(TAKER_KEY), taker_lock_time(T0, 24 * H))
    return replace(good, **changes)  # type: ignore[arg-type]


def audit_obs(contract: Contract, value: int, confs: int = 0) -> Observation:
    txid = contract_txid(contract.p2wsh_script(), value)  # what a FakeChain serves
    msg = CounterpartyInit("dd" * 32, "bb" * 32, txid, 0, contract.to_script(), NOW)
    tx = ChainTx(txid, (TxOutput(contract.p2wsh_script(), value),), confs)
    return obs(audit=msg, their_init=tx, their_tip=5)


def taker_audit_obs(**changes: object) -> Observation:
    return audit_obs(maker_contract(**changes), 2_000_000)


def refused(start: SwapState, step: Step) -> str:
    """The audit refused (review L3): the state stays, the last action drops the announcement
    with the reason; nothing is funded, signed or sent (a maker's unconfirmed init keeps
    going out)."""
    assert step.state == start
    *others, last = step.actions
    assert isinstance(last, RefuseAudit), step.actions
    assert all(isinstance(a, Broadcast) and a.what == "init" for a in others), others
    return last.reason


def at_init(role: Role) -> InitBroadcast:
    step = transition(prepared(role), obs(our_init_confs=0))
    assert isinstance(step.state, InitBroadcast)
    assert step.actions == (
        Send(
            InitReport(
                "aa" * 32, "bb" * 32, step.state.ours.init.txid, 0, step.state.ours.script, NOW
            )
        ),
    )
    return step.state


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


def _maker_redeem_of(state: InitBroadcast) -> SpendInfo:
    ours = state.ours
    tx = build_redeem_tx(
        ours.contract,
        ours.script,
        ours.outpoint,
        ours.value,
        SECRET,
        MAKER_KEY,
        p2wpkh_script(bytes(20)),
        20,
        get_asset("btc", "regtest"),
    )
    # the witness as the node decodes it (SpendInfo.witness): what the secret is read from
    return SpendInfo(tx.txid, 0, tx.raw, None, tuple(decode_witnesses(tx.raw)[0]))


def test_taker_learns_the_secret_from_the_chain() -> None:
    state = at_init(Role.TAKER)
    step = transition(
        state, signed(Role.TAKER, our_init_confs=3, our_spend=_maker_redeem_of(state))
    )
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
    learned = obs(our_init_confs=3, our_spend=_maker_redeem_of(state))
    assert transition(state, learned) == Step(state)
    assert isinstance(
        transition(state, signed(Role.TAKER, our_init_confs=3, our_spend=learned.our_spend)).state,
        Redeeming,
    )


# -- redeem, refund, terminal -----------------------------------------------------------------
def _redeeming() -> Redeeming:
    state = at_init(Role.TAKER)
    step = transition(
        state, signed(Role.TAKER, our_init_confs=3, our_spend=_maker_redeem_of(state))
    )
    assert isinstance(step.state, Redeeming)
    return step.state


def test_redeeming_rebroadcasts_then_completes_with_exact_amount() -> None:
    state = _redeeming()
    step = transition(state, obs(redeem_confs=0))
    assert step == Step(state, (Broadcast(Side.THEIRS, state.redeem, "redeem"),))
    done = transition(state, obs(redeem_confs=1)).state
    assert done == Complete(state.match, state.redeem.txid, 2_000_000 - state.redeem.fee)


def test_redeeming_when_the_counterparty_refunded_first() -> None:
    state = _redeeming()
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
    red = _redeeming()
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
