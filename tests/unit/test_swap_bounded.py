"""Bounded work per tick (M7) and node trust (L10) in the swap layer: a counterparty init that
vanished after the audit is given up after `init_vanish_ms`; a transaction whose hex does not
hash to the txid asked for is "cannot read the chain", never an input to a transition."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from app.safety.rules import rules_for
from app.store.db import Store
from app.swap.engine import Funding, SwapEngine
from app.swap.messages import SwapEvent, SwapProblem
from app.swap.states import AwaitingRefund, CounterpartyAudited, Failed
from app.swap.store import SwapStore
from app.swap.transitions import Fund, Step, transition
from app.wallet.backends.base import TxInfo
from app.wallet.errors import NodeResponseError
from app.wallet.txparse import check_txid, stripped, txid_of
from tests.fakes.scripted_chain import FakeChain, contract_tx, contract_txid
from tests.fakes.swaps import (
    CONFIRMED,
    NOW,
    T0,
    maker_audited,
    redeeming,
    signed,
    taker_audited,
    unlocked,
)
from tests.waits import until

VANISH = rules_for("regtest").init_vanish_ms


# -- txids computed, not trusted ----------------------------------------------------------------
def test_txid_of_a_segwit_tx_ignores_the_witness() -> None:
    redeem = redeeming().redeem  # a signed segwit transaction with a witness
    assert txid_of(redeem.raw) == redeem.txid
    assert len(stripped(redeem.raw)) < len(redeem.raw)
    legacy = contract_tx(b"\x00\x14" + bytes(20), 5000)
    assert txid_of(legacy) == contract_txid(b"\x00\x14" + bytes(20), 5000)
    check_txid(redeem.raw, redeem.txid, "the node")
    with pytest.raises(NodeResponseError) as info:
        check_txid(legacy, redeem.txid, "the node")
    assert redeem.txid in str(info.value) and txid_of(legacy) in str(info.value)
    for bad in (redeem.raw[:-1], redeem.raw + b"\x00", b"\x02\x00\x00\x00\x00\x09\x01"):
        with pytest.raises(NodeResponseError):  # truncated, trailing bytes, MWEB flag
            check_txid(bad, redeem.txid, "the node")


# -- a vanished counterparty init ---------------------------------------------------------------
def test_a_taker_gives_up_a_vanished_maker_contract_after_the_deadline() -> None:
    state = taker_audited()
    waiting = transition(state, unlocked(NOW, their_init_missing_ms=VANISH - 1))
    assert waiting == Step(state)  # still within the deadline: not funded, not failed
    step = transition(state, unlocked(NOW, their_init_missing_ms=VANISH))
    assert isinstance(step.state, Failed) and step.actions == ()
    assert "no longer known to our node" in step.state.reason
    assert "nothing of ours was sent" in step.state.reason
    # Known again (the init came back) before the deadline: funding goes on as usual.
    back = transition(state, unlocked(NOW, their_init=CONFIRMED))
    assert any(isinstance(a, Fund) for a in back.actions)


def test_a_maker_keeps_its_secret_and_refunds_when_the_taker_contract_vanished() -> None:
    state = maker_audited()
    assert state.ours is not None
    step = transition(
        state, signed(state.match.role, their_init_missing_ms=VANISH, their_mtp=T0 // 1000)
    )
    assert isinstance(step.state, AwaitingRefund) and step.actions == ()
    assert "secret is kept" in step.state.reason


# -- the engine ----------------------------------------------------------------------------------
class _Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> int:
        return self.now


class _NoFunds:
    async def fund(
        self, amount: int, fee_rate: int, contracts: int, orders: tuple[str, ...] = ()
    ) -> Funding:
        raise AssertionError("a vanished init is never funded against")


async def test_engine_fails_a_taker_whose_maker_contract_vanished(tmp_path: Path) -> None:
    state = replace(taker_audited(), confirmed_ms=None)
    store = SwapStore(Store(tmp_path / "db"))
    store.create(state)
    maker_chain = FakeChain(T0 // 1000, b"", 0)  # knows nothing of the maker's contract
    clock = _Clock()
    engine = SwapEngine(
        store,
        {"ltc": maker_chain, "btc": FakeChain(T0 // 1000, b"", 0)},
        {"btc": _NoFunds()},
        _send,
        poll_interval=0.01,
        clock_ms=clock,
    )
    engine.start(state.match.match_id)
    try:
        await until(lambda: maker_chain.tips >= 5, "5 tip reads")
        assert isinstance(store.load(state.match.match_id), CounterpartyAudited)
        clock.now += VANISH  # the deadline passes with the init still unknown
        end = await asyncio.wait_for(engine.wait(state.match.match_id), 10)
    finally:
        await engine.stop()
    assert isinstance(end, Failed) and "no longer known" in end.reason


class _LyingChain(FakeChain):
    """Answers every get_tx with the right txid field but another transaction's hex."""

    async def get_tx(self, txid: str) -> TxInfo | None:
        return TxInfo(txid, contract_tx(b"\x00\x14" + bytes(20), 1), 10, 90, 0)


async def _send(msg: object) -> None:
    return None


async def test_engine_refuses_a_transaction_that_is_not_the_one_asked_for(tmp_path: Path) -> None:
    state = taker_audited()
    store = SwapStore(Store(tmp_path / "db"))
    store.create(state)
    events: list[SwapEvent] = []
    liar = _LyingChain(T0 // 1000, b"", 0)
    engine = SwapEngine(
        store,
        {"ltc": liar, "btc": FakeChain(T0 // 1000, b"", 0)},
        {"btc": _NoFunds()},
        _send,
        events.append,
        poll_interval=0.01,
        clock_ms=lambda: NOW,
    )
    engine.start(state.match.match_id)
    try:
        await until(lambda: liar.tips >= 3, "3 tip reads")
    finally:
        await engine.stop()
    problems = [e.message for e in events if isinstance(e, SwapProblem)]
    assert problems and all("cannot read the chain" in p for p in problems)
    assert state.theirs.txid in problems[0]
    assert store.load(state.match.match_id) == state  # nothing acted on
