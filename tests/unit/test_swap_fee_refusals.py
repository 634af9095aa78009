"""Fees that move (M2): a refund or redeem our node refused for its fee is re-signed above the
node's minimum at once, and the bump clock starts only once a version is known to the node.
Pure transitions, then the real engine over a scripted chain that refuses the presigned refund.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from bitcoin.core import CTransaction, b2lx

from app.store.db import Store
from app.swap.bump import max_rate, refused_for_fee, refused_rate
from app.swap.engine import SwapEngine
from app.swap.htlc_tx import redeem_vsize, refund_vsize
from app.swap.states import Redeeming, Refunded, Refunding, Role
from app.swap.store import SwapStore, decode_state
from app.swap.transitions import Broadcast, Side, Step, transition
from app.wallet.backends.base import SpendInfo, TxRejectedError
from app.wallet.coins import SignedTx
from tests.fakes.scripted_chain import FakeChain
from tests.fakes.swaps import (
    T0,
    RoleRing,
    at_init,
    obs,
    redeeming,
    signed,
)

HOUR = 3600
VALUE, VSIZE = 2_000_000, 150


# -- the policy ---------------------------------------------------------------------------------
def test_only_fee_reasons_count_as_refused_for_fee() -> None:
    for reason in (
        "min relay fee not met, 2860 < 7150",
        "mempool min fee not met, 1 < 2",
        "mempool full",
    ):
        assert refused_for_fee(reason)
    for other in (
        None,
        "non-final",
        "txn-mempool-conflict",
        "insufficient fee, rejecting replacement",
        "bad-txns-inputs-missingorspent",
    ):
        assert not refused_for_fee(other)


def test_refused_rate_goes_above_the_node_minimum_within_the_cap() -> None:
    assert refused_rate(20, None, 50, 1, VALUE, VSIZE) == 55  # minimum + a tenth
    assert refused_rate(20, None, 5, 1, VALUE, VSIZE) == 21  # above the old rate anyway
    assert refused_rate(20, 80, 50, 1, VALUE, VSIZE) == 80  # the estimate, when higher
    assert refused_rate(20, None, None, 1, VALUE, VSIZE) == 30  # no minimum known: x 3/2
    cap = max_rate(VALUE, VSIZE)
    assert refused_rate(20, 10**9, 50, 1, VALUE, VSIZE) == cap  # a runaway estimate
    assert refused_rate(20, None, cap + 1, 1, VALUE, VSIZE) is None  # cap below the minimum
    assert refused_rate(cap, None, None, 1, VALUE, VSIZE) is None  # no room above the old


# -- our refund -----------------------------------------------------------------------------------
def _refunding() -> Refunding:
    """The maker entered Refunding at height 300, its MTP at the contract's lock time."""
    init = at_init(Role.MAKER)
    lock = init.ours.contract.lock_time
    step = transition(init, signed(Role.MAKER, our_init_confs=3, our_mtp=lock, our_tip=300))
    assert isinstance(step.state, Refunding) and step.state.signed_height == 300
    return step.state


def _rate(tx: SignedTx, state: Refunding) -> int:
    return tx.fee // refund_vsize(len(state.ours.script), state.match.refund_script)


def test_a_presigned_refund_refused_for_its_fee_is_resigned_at_once() -> None:
    state = _refunding()
    lock = state.ours.contract.lock_time
    step = transition(
        state, signed(Role.MAKER, our_tip=300, our_mtp=lock, fee_refused=True, min_fee_rate=50)
    )
    new = step.state
    assert isinstance(new, Refunding) and len(new.bumps) == 1  # stored before it goes out
    assert step.actions == (Broadcast(Side.OURS, new.refund, "refund-bump"),)
    assert new.versions[0] == state.ours.refund  # the presigned one stays the fallback
    # 50 + max(a tenth, Litecoin's incremental relay fee of 10 atoms/vB)
    assert _rate(state.ours.refund, state) == 20 and _rate(new.refund, state) == 60
    # Refused again (the minimum rose meanwhile): once more, above the new minimum.
    again = transition(
        new, signed(Role.MAKER, our_tip=300, our_mtp=lock, fee_refused=True, min_fee_rate=100)
    ).state
    assert isinstance(again, Refunding) and len(again.bumps) == 2
    assert _rate(again.refund, state) == 110
    # Accepted: nothing more until blocks pass it over.
    pending = SpendInfo(again.refund.txid, 0, again.refund.raw, None)
    quiet = transition(again, signed(Role.MAKER, our_tip=301, our_mtp=lock, our_spend=pending))
    assert quiet == Step(again, (Broadcast(Side.OURS, again.refund, "refund"),))


def test_no_resign_before_the_lock_time_while_locked_or_for_other_reasons() -> None:
    state = _refunding()
    lock = state.ours.contract.lock_time
    early = signed(Role.MAKER, our_tip=300, our_mtp=lock - 1, fee_refused=True, min_fee_rate=50)
    assert transition(state, early) == Step(state, (Broadcast(Side.OURS, state.refund, "refund"),))
    locked = obs(our_tip=300, our_mtp=lock, fee_refused=True, min_fee_rate=50)
    assert transition(state, locked) == Step(state, (Broadcast(Side.OURS, state.refund, "refund"),))
    other = signed(Role.MAKER, our_tip=300, our_mtp=lock)  # refused, but not for its fee
    assert transition(state, other).state == state
    capped = signed(
        Role.MAKER, our_tip=300, our_mtp=lock, fee_refused=True, min_fee_rate=10**7
    )  # the node wants more than half the value
    assert transition(state, capped).state == state


def test_the_refund_bump_clock_starts_when_the_node_accepts_a_version() -> None:
    """Signed at 300, refused (non-final) until 310: blocks 300-310 never saw it, so the
    first bump comes `after_blocks` after 310, not at once."""
    state = _refunding()
    lock = state.ours.contract.lock_time
    moved = transition(state, signed(Role.MAKER, our_tip=310, our_mtp=lock)).state
    assert isinstance(moved, Refunding) and moved.signed_height == 310 and not moved.bumps
    pending = SpendInfo(moved.refund.txid, 0, moved.refund.raw, None)
    assert (
        transition(moved, signed(Role.MAKER, our_tip=311, our_mtp=lock, our_spend=pending)).state
        == moved
    )
    bumped = transition(
        moved, signed(Role.MAKER, our_tip=312, our_mtp=lock, our_spend=pending)
    ).state
    assert isinstance(bumped, Refunding) and len(bumped.bumps) == 1
    # Had the clock stayed at 300, the same observation would bump at once (11 blocks).
    assert (
        transition(state, signed(Role.MAKER, our_tip=311, our_mtp=lock, our_spend=pending)).state
        != state
    )


# -- our redeem ----------------------------------------------------------------------------------
def _stuck() -> Redeeming:
    state = redeeming()
    lock = state.theirs.contract.lock_time
    return replace(state, signed_height=100, first_mtp=lock - 40 * HOUR)


def test_a_redeem_refused_for_its_fee_is_resigned_at_once() -> None:
    state = _stuck()
    step = transition(
        state,
        signed(
            Role.TAKER, their_tip=100, their_mtp=state.first_mtp, fee_refused=True, min_fee_rate=50
        ),
    )
    new = step.state
    assert isinstance(new, Redeeming) and new.replaced == (state.redeem,)
    assert step.actions[0] == Broadcast(Side.THEIRS, new.redeem, "redeem-bump")
    vsize = redeem_vsize(len(state.theirs.script), state.match.redeem_script)
    assert new.redeem.fee // vsize == 60  # 50 + Litecoin's incremental relay fee


def test_a_redeem_the_node_does_not_know_is_not_bumped_its_clock_waits() -> None:
    """Refused for another reason (or dropped): blocks passing do not bump it; they move the
    clock, which starts when the node takes a version."""
    state = _stuck()
    step = transition(state, signed(Role.TAKER, their_tip=105, their_mtp=state.first_mtp))
    assert step.state == replace(state, signed_height=105)
    assert Broadcast(Side.THEIRS, state.redeem, "redeem") in step.actions


# -- the engine: refusals recorded, the flag and the minimum observed ---------------------------
class FeeFloorChain(FakeChain):
    """Refuses a refund paying less than `floor` atoms/vB, as Core does after a fee spike."""

    def __init__(self, mtp: int, floor: int, value_in: int, vsize: int) -> None:
        super().__init__(mtp, b"", 0)
        self.floor, self.value_in, self.vsize = floor, value_in, vsize
        self.refused: list[str] = []

    async def broadcast(self, raw: bytes) -> str:
        tx = CTransaction.deserialize(raw)
        fee = self.value_in - sum(o.nValue for o in tx.vout)
        if fee < self.floor * self.vsize:
            self.refused.append(str(b2lx(tx.GetTxid())))
            raise TxRejectedError(f"min relay fee not met, {fee} < {self.floor * self.vsize}", -26)
        return await super().broadcast(raw)

    async def min_fee_rate(self) -> int | None:
        return self.floor


async def _noop(msg: object) -> None:
    return None


async def test_engine_resigns_a_refund_its_node_refused_for_the_fee(tmp_path: Path) -> None:
    """Our lock time has passed; the node's minimum is 50 atoms/vB, the presigned refund pays
    20: refused, re-signed at 60 with the wallet unlocked, accepted, Refunded by it."""
    init = at_init(Role.MAKER)
    store = SwapStore(Store(tmp_path / "db"))
    store.create(init)
    vsize = refund_vsize(len(init.ours.script), init.match.refund_script)
    ours = FeeFloorChain(init.ours.contract.lock_time, 50, init.ours.value, vsize)
    ours.known.add(init.ours.init.txid)  # our init is confirmed
    # Our clock at the chain's: the node is in step (its tip is at its MTP).
    engine = SwapEngine(
        store,
        {"ltc": ours, "btc": FakeChain(T0 // 1000, b"", 0)},
        {},
        _noop,
        keys=RoleRing(),
        poll_interval=0.01,
        clock_ms=lambda: init.ours.contract.lock_time * 1000,
    )
    engine.start(init.match.match_id)
    try:
        end = await asyncio.wait_for(engine.wait(init.match.match_id), 10)
    finally:
        await engine.stop()
    assert ours.refused == [init.ours.refund.txid]  # the presigned one, once
    entry = store.history(init.match.match_id)[-2]
    last = decode_state(entry.record, entry.fmt)
    assert isinstance(last, Refunding) and len(last.bumps) == 1
    assert isinstance(end, Refunded) and end.refund_txid == last.bumps[0].txid
    assert last.bumps[0].fee == 60 * vsize  # the node's minimum + the incremental relay fee
