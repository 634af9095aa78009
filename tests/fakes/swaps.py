"""Swap-state builders for the pure transition and engine tests: one regtest match per role
(maker pays 0.02 LTC, taker 0.01 BTC, matched at T0), the keys and secret of both roles, the
observations handed to `transition`, and each state reached the way the engine reaches it."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from app.swap.htlc import decode_witnesses
from app.swap.htlc_tx import build_redeem_tx
from app.swap.keys import MatchKeys, WalletKeys
from app.swap.messages import CounterpartyInit, InitReport
from app.swap.states import (
    ContractPrepared,
    CounterpartyAudited,
    InitBroadcast,
    KeyPath,
    Match,
    Matched,
    Redeeming,
    Role,
    SealedSecret,
    SwapState,
)
from app.swap.transitions import (
    Broadcast,
    ChainTx,
    Funded,
    Observation,
    RefuseAudit,
    Send,
    Step,
    transition,
)
from app.wallet.backends.base import SpendInfo
from app.wallet.coins import Outpoint, TxOutput, Utxo
from app.wallet.hd import HDWallet
from app.wallet.signing import KeyedUtxo
from dexproto.address import p2wpkh_script
from dexproto.assets import get_asset
from dexproto.crypto import sha256
from dexproto.htlc import Contract, maker_lock_time, taker_lock_time
from tests.fakes.matches import pkh
from tests.fakes.scripted_chain import THEIR_INIT, contract_txid

T0 = 1_700_000_000_000
H = 3_600_000
NOW = T0 + 1000
MAKER_KEY, TAKER_KEY = bytes([1]) * 32, bytes([2]) * 32
SECRET = bytes([7]) * 32
RING = WalletKeys(HDWallet(bytes(range(64))))  # seals the maker's secret in these tests
# What the unlocked wallet hands each role's transitions (the keys are not in the records).
KEYS = {Role.MAKER: MatchKeys(MAKER_KEY, SECRET), Role.TAKER: MatchKeys(TAKER_KEY)}
TAKER_LOCK = taker_lock_time(T0, 24 * H)
MAKER_LOCK = maker_lock_time(T0, 48 * H)
CONFIRMED = ChainTx(THEIR_INIT, (), 2)  # the maker's contract with its 2 confirmations


class RoleRing:
    """The unlocked wallet of both roles in the engine tests (a KeyRing): the role's key,
    the maker's secret sealed and opened by RING."""

    def our_key(self, m: Match) -> bytes:
        return MAKER_KEY if m.role is Role.MAKER else TAKER_KEY

    def seal(self, match_id: str, secret: bytes) -> SealedSecret:
        return RING.seal(match_id, secret)

    def unseal(self, match_id: str, sealed: SealedSecret) -> bytes:
        return RING.unseal(match_id, sealed)


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


def obs(**kw: Any) -> Observation:
    """An observation at NOW; `kw` are Observation's own fields."""
    return Observation(now_ms=NOW, **kw)


def signed(role: Role, **kw: Any) -> Observation:
    """An observation with the wallet unlocked: the role's key (and maker secret) given."""
    return obs(keys=KEYS[role], **kw)


def unlocked(now_ms: int, **kw: Any) -> Observation:
    """The taker's observation at `now_ms` with its wallet unlocked."""
    return Observation(now_ms=now_ms, keys=MatchKeys(TAKER_KEY), **kw)


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


def maker_contract(**changes: Any) -> Contract:
    """The maker's contract as the taker expects it; `changes` are Contract's fields."""
    good = Contract(sha256(SECRET), pkh(TAKER_KEY), pkh(MAKER_KEY), MAKER_LOCK)
    return replace(good, **changes)


def taker_contract(**changes: Any) -> Contract:
    good = Contract(sha256(SECRET), pkh(MAKER_KEY), pkh(TAKER_KEY), TAKER_LOCK)
    return replace(good, **changes)


def audit_obs(contract: Contract, value: int, confs: int = 0) -> Observation:
    txid = contract_txid(contract.p2wsh_script(), value)  # what a FakeChain serves
    msg = CounterpartyInit("dd" * 32, "bb" * 32, txid, 0, contract.to_script(), NOW)
    tx = ChainTx(txid, (TxOutput(contract.p2wsh_script(), value),), confs)
    return obs(audit=msg, their_init=tx, their_tip=5)


def taker_audit_obs(**changes: Any) -> Observation:
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


def maker_audited() -> CounterpartyAudited:
    state = transition(at_init(Role.MAKER), audit_obs(taker_contract(), 1_000_000)).state
    assert isinstance(state, CounterpartyAudited)
    return state


def taker_audited(m: Match | None = None, lock: int = MAKER_LOCK) -> CounterpartyAudited:
    m = m or match(Role.TAKER)
    state = transition(Matched(m), taker_audit_obs(lock_time=lock)).state
    assert isinstance(state, CounterpartyAudited), state
    return state


def maker_redeem_of(state: InitBroadcast) -> SpendInfo:
    """The maker's redeem of the taker's contract in `state`, as the taker's node shows it."""
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


def redeeming() -> Redeeming:
    """The taker redeeming, the secret learned from the maker's redeem on chain."""
    state = at_init(Role.TAKER)
    step = transition(state, signed(Role.TAKER, our_init_confs=3, our_spend=maker_redeem_of(state)))
    assert isinstance(step.state, Redeeming)
    return step.state
