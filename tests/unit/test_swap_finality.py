"""Finality (review M3): Complete / Refunded only once our redeem or refund is the chain's
finality depth deep; until then a reorg is noticed and acted on. Pure transitions, the
engine's finality input and its re-checked spend cache."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.safety.rules import FINALITY_CONFS, finality_confs
from app.swap.engine import SwapEngine
from app.swap.htlc import decode_witnesses
from app.swap.htlc_tx import build_redeem_tx
from app.swap.states import (
    AwaitingRefund,
    Complete,
    CounterpartyAudited,
    Failed,
    InitBroadcast,
    Matched,
    Redeeming,
    Refunded,
    Refunding,
    Role,
)
from app.swap.transitions import Broadcast, ChainTx, Fund, Send, Side, Step, transition
from app.wallet.backends.base import BlockInfo, SpendInfo, TxInfo
from app.wallet.coins import Outpoint
from dexproto.address import p2wpkh_script
from dexproto.assets import get_asset
from tests.fakes.scripted_chain import FakeChain
from tests.fakes.swaps import (
    MAKER_KEY,
    SECRET,
    T0,
    at_init,
    audit_obs,
    match,
    obs,
    signed,
    taker_audit_obs,
    taker_contract,
)

DEEP = 3  # the finality depth these tests run with


def _witness(raw: bytes) -> tuple[bytes, ...]:
    """The spending input's witness as the node decodes it (SpendInfo.witness)."""
    return tuple(decode_witnesses(raw)[0])


def maker_redeem_of(state: InitBroadcast, height: int | None) -> SpendInfo:
    """The maker's redeem of the taker's contract (it reveals SECRET)."""
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
    return SpendInfo(tx.txid, 0, tx.raw, height, _witness(tx.raw))


def _taker_redeeming() -> Redeeming:
    """Taker: learned the secret from the maker's redeem of our contract (mined at 200)."""
    state = at_init(Role.TAKER)
    step = transition(
        state,
        signed(
            Role.TAKER,
            our_init_confs=3,
            their_tip=100,
            their_mtp=T0 // 1000,
            our_spend=maker_redeem_of(state, 200),
        ),
    )
    assert isinstance(step.state, Redeeming) and step.state.signed_height == 100
    return step.state


def _maker_redeeming() -> Redeeming:
    """Maker: its own contract is still unspent."""
    audited = transition(at_init(Role.MAKER), audit_obs(taker_contract(), 1_000_000)).state
    assert isinstance(audited, CounterpartyAudited)
    step = transition(
        audited,
        signed(
            Role.MAKER,
            our_init_confs=3,
            their_tip=100,
            their_mtp=T0 // 1000,
            their_init=ChainTx("cc" * 32, (), 2),
        ),
    )
    assert isinstance(step.state, Redeeming)
    return step.state


def _taker_refunding() -> Refunding:
    state = at_init(Role.TAKER)
    step = transition(
        state, obs(our_init_confs=9, our_tip=300, our_mtp=state.ours.contract.lock_time)
    )
    assert isinstance(step.state, Refunding) and step.state.signed_height == 300
    return step.state


# -- the depth constants ----------------------------------------------------------------------
def test_finality_depths_per_chain_and_network() -> None:
    assert finality_confs("btc", "mainnet") == 6 and finality_confs("ltc", "mainnet") == 12
    assert finality_confs("BTC", "testnet") == 6 and finality_confs("ltc", "testnet") == 12
    assert finality_confs("btc", "regtest") == 1 and finality_confs("ltc", "regtest") == 1
    assert all(depth >= 1 for depth in FINALITY_CONFS.values())


def test_the_engine_passes_each_chains_depth_or_its_override() -> None:
    m = replace(match(Role.MAKER), network="mainnet")  # pays LTC, receives BTC
    engine = SwapEngine(None, {}, {}, _no_send)  # type: ignore[arg-type]
    assert engine.observer.finality_of(m) == (12, 6)
    assert SwapEngine(None, {}, {}, _no_send, finality=3).observer.finality_of(m) == (3, 3)  # type: ignore[arg-type]


async def _no_send(msg: object) -> None:
    raise AssertionError("nothing is sent")


# -- our redeem -------------------------------------------------------------------------------
def test_complete_only_at_the_finality_depth() -> None:
    state = _taker_redeeming()
    for confs in (1, DEEP - 1):  # mined, not final: watched, nothing sent, no bump
        step = transition(
            state,
            signed(
                Role.TAKER,
                redeem_confs=confs,
                their_tip=150,
                their_mtp=T0 // 1000,
                their_finality=DEEP,
            ),
        )
        assert step == Step(state)
    done = transition(state, obs(redeem_confs=DEEP, their_finality=DEEP)).state
    assert done == Complete(state.match, state.redeem.txid, 2_000_000 - state.redeem.fee)
    # The same by the spend of their contract: its block height against their tip.
    spend = SpendInfo(state.redeem.txid, 0, state.redeem.raw, 120, _witness(state.redeem.raw))
    shallow = obs(their_spend=spend, their_tip=120 + DEEP - 2, their_finality=DEEP)
    assert transition(state, shallow) == Step(state)
    assert isinstance(transition(state, replace(shallow, their_tip=120 + DEEP - 1)).state, Complete)


def test_an_earlier_version_counts_at_its_own_depth() -> None:
    state = _taker_redeeming()
    first = state.redeem
    bumped = replace(
        state, redeem=replace(first, txid="ab" * 32, fee=first.fee * 2), replaced=(first,)
    )
    seen = dict(redeem_confs=None, confirmed_redeem=first.txid, their_finality=DEEP)
    assert transition(bumped, obs(**seen, confirmed_redeem_confs=DEEP - 1)) == Step(bumped)
    done = transition(bumped, obs(**seen, confirmed_redeem_confs=DEEP)).state
    assert done == Complete(state.match, first.txid, 2_000_000 - first.fee)


def test_a_confirmed_redeem_that_vanished_is_broadcast_again() -> None:
    state = _taker_redeeming()
    mined = SpendInfo(state.redeem.txid, 0, state.redeem.raw, 101, _witness(state.redeem.raw))
    assert transition(
        state, obs(redeem_confs=1, their_spend=mined, their_tip=101, their_finality=DEEP)
    ) == Step(state)
    # A reorg took the block out and the node dropped it: unknown again, no spend.
    step = transition(
        state, obs(redeem_confs=None, their_tip=100, their_mtp=T0 // 1000, their_finality=DEEP)
    )
    assert step.state == state
    assert step.actions[0] == Broadcast(Side.THEIRS, state.redeem, "redeem")
    held = step.actions[1]  # the report again waits for our node to take the redeem
    assert isinstance(held, Send) and held.after_accepted == state.redeem.txid
    # Back in the mempool only: the same.
    pending = replace(mined, height=None)
    step = transition(
        state,
        obs(
            redeem_confs=0,
            their_spend=pending,
            their_tip=100,
            their_mtp=T0 // 1000,
            their_finality=DEEP,
        ),
    )
    assert step == Step(state, (Broadcast(Side.THEIRS, state.redeem, "redeem"),))


def test_their_refund_replacing_our_redeem_before_depth_maker_awaits_refund() -> None:
    state = _maker_redeeming()
    assert transition(state, obs(redeem_confs=1, their_tip=100, their_finality=DEEP)) == (
        Step(state)
    )
    refund = SpendInfo("ee" * 32, 0, b"", 101)  # the taker's refund, mined by a reorg
    step = transition(
        state,
        obs(
            redeem_confs=0, their_spend=refund, their_tip=101, our_init_confs=5, their_finality=DEEP
        ),
    )
    assert isinstance(step.state, AwaitingRefund) and step.actions == ()
    assert "refunded before our redeem confirmed" in step.state.reason


def test_their_refund_replacing_our_redeem_taker_fails_only_at_depth() -> None:
    """Our own contract is already redeemed: our redeem is all we have, so it keeps going
    out until their refund is final."""
    state = _taker_redeeming()
    ours_spent = SpendInfo("dd" * 32, 0, b"", 90)
    refund = SpendInfo("ee" * 32, 0, b"", 101)
    seen = dict(redeem_confs=0, their_spend=refund, our_spend=ours_spent, their_finality=DEEP)
    step = transition(state, signed(Role.TAKER, **seen, their_tip=101 + DEEP - 2))
    assert step == Step(state, (Broadcast(Side.THEIRS, state.redeem, "redeem"),))
    step = transition(state, obs(**seen, their_tip=101 + DEEP - 1))
    assert isinstance(step.state, Failed) and "refunded" in step.state.reason


# -- our refund -------------------------------------------------------------------------------
def test_refunded_only_at_the_finality_depth() -> None:
    state = _taker_refunding()
    presigned = state.ours.refund
    for confs in (1, DEEP - 1):  # no bump either, though blocks passed and keys are there
        step = transition(
            state, signed(Role.TAKER, refund_confs=confs, our_tip=400, our_finality=DEEP)
        )
        assert step == Step(state)
    done = transition(state, obs(refund_confs=DEEP, our_finality=DEEP)).state
    assert done == Refunded(state.match, presigned.txid, state.reason)
    spend = SpendInfo(presigned.txid, 0, presigned.raw, 310, _witness(presigned.raw))
    assert transition(
        state, obs(our_spend=spend, our_tip=310 + DEEP - 2, our_finality=DEEP)
    ) == Step(state)
    assert isinstance(
        transition(state, obs(our_spend=spend, our_tip=310 + DEEP - 1, our_finality=DEEP)).state,
        Refunded,
    )


def test_a_confirmed_refund_that_vanished_is_broadcast_again() -> None:
    state = _taker_refunding()
    assert transition(state, obs(refund_confs=1, our_tip=301, our_finality=DEEP)) == (Step(state))
    step = transition(state, obs(refund_confs=None, our_tip=300, our_finality=DEEP))
    assert step == Step(state, (Broadcast(Side.OURS, state.ours.refund, "refund"),))


def test_their_redeem_replacing_our_refund_we_redeem_with_the_secret() -> None:
    """Our refund was mined (not final); a reorg mines the maker's redeem of our contract
    instead: the secret is public, so we redeem the maker's contract with it."""
    at = at_init(Role.TAKER)
    state = _taker_refunding()
    assert transition(state, obs(refund_confs=1, our_tip=301, our_finality=DEEP)) == (Step(state))
    theirs = maker_redeem_of(at, 301)
    step = transition(
        state,
        signed(
            Role.TAKER,
            refund_confs=0,
            our_spend=theirs,
            our_tip=302,
            their_tip=50,
            our_finality=DEEP,
        ),
    )
    assert isinstance(step.state, Redeeming) and step.state.secret == SECRET
    assert isinstance(step.actions[0], Broadcast) and step.actions[0].side is Side.THEIRS
    assert step.actions[0].tx == step.state.redeem


def test_their_secretless_spend_of_our_contract_fails_only_at_depth() -> None:
    state = replace(_taker_refunding(), theirs=None)  # nothing of theirs to redeem
    other = SpendInfo(
        "ee" * 32, 0, state.ours.refund.raw, 310, _witness(state.ours.refund.raw)
    )  # some spend, no secret
    step = transition(state, obs(our_spend=other, our_tip=310 + DEEP - 2, our_finality=DEEP))
    assert step == Step(state, (Broadcast(Side.OURS, state.ours.refund, "refund"),))
    deep = transition(state, obs(our_spend=other, our_tip=310 + DEEP - 1, our_finality=DEEP))
    assert isinstance(deep.state, Failed)


# -- the taker before funding (case 3) --------------------------------------------------------
@pytest.mark.parametrize("after", [None, 0], ids=["gone", "back-in-mempool"])
def test_taker_does_not_fund_a_maker_init_that_was_reorged_out(after: int | None) -> None:
    audited = transition(Matched(match(Role.TAKER)), taker_audit_obs()).state
    assert isinstance(audited, CounterpartyAudited) and audited.ours is None
    assert transition(audited, obs(their_init=ChainTx("cc" * 32, (), 1))) == Step(audited)
    gone = None if after is None else ChainTx("cc" * 32, (), after)
    for _ in range(3):  # it never comes back: we keep waiting, never fund
        step = transition(audited, signed(Role.TAKER, their_init=gone))
        assert step == Step(audited)
        assert not any(isinstance(a, Fund) for a in step.actions)


# -- the engine's spend cache -----------------------------------------------------------------
class ReorgChain(FakeChain):
    """One output, spent by `spend` in a block until a reorg: the tip changes and the spend
    is no longer in a block (it went back to the mempool)."""

    def __init__(self, spend: SpendInfo) -> None:
        super().__init__(0, b"", 0)
        self.spend: SpendInfo | None = spend
        self.tip_hash = "01" * 32
        self.searches = 0

    async def tip(self) -> BlockInfo:
        return BlockInfo(120, self.tip_hash, 0, 0)

    async def find_spend(self, outpoint: Outpoint, from_height: int) -> SpendInfo | None:
        self.searches += 1
        return self.spend

    async def get_tx(self, txid: str) -> TxInfo | None:
        if self.spend is None or txid != self.spend.txid:
            return None
        return TxInfo(txid, self.spend.raw, 1, self.spend.height, 0)


async def test_a_cached_spend_is_checked_again_when_the_tip_changes() -> None:
    mined = SpendInfo("ab" * 32, 0, b"", 110)
    chain = ReorgChain(mined)
    engine = SwapEngine(None, {}, {}, _no_send)  # type: ignore[arg-type]
    out = Outpoint("cd" * 32, 0)
    assert await engine.observer.spend(chain, out, 100) == mined
    assert await engine.observer.spend(chain, out, 100) == mined and chain.searches == 1  # cached
    chain.tip_hash = "02" * 32  # a new block on top: still in a block, at its height
    assert await engine.observer.spend(chain, out, 100) == mined and chain.searches == 1
    chain.tip_hash, chain.spend = "03" * 32, replace(mined, height=None)  # reorged out
    assert await engine.observer.spend(chain, out, 100) == replace(mined, height=None)
    assert chain.searches == 2
    chain.spend = replace(mined, height=121)  # mined again, in another block
    chain.tip_hash = "04" * 32
    assert (await engine.observer.spend(chain, out, 100)) == replace(mined, height=121)
    chain.tip_hash = "05" * 32  # moved again by a reorg: the height read again, not kept
    chain.spend = replace(mined, height=122)
    assert (await engine.observer.spend(chain, out, 100)) == replace(mined, height=122)
    assert chain.searches == 3
