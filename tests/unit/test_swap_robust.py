"""A swap loop no input can end (review M5), one bogus `audit` does not end a swap (L3), and no
funding, revealing or refunding while the node of that step's chain is behind (M6).

The engine tests run the real SwapEngine on scripted chains (tests/fakes/scripted_chain.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import app.swap.engine as engine_module
from app.safety.rules import rules_for
from app.store.db import Store
from app.swap.engine import Funding, SwapEngine
from app.swap.errors import TxDecodeError
from app.swap.htlc import find_secret
from app.swap.messages import (
    CounterpartyInit,
    CounterpartyRedeem,
    OutgoingMessage,
    SwapEvent,
    SwapProblem,
)
from app.swap.node_sync import NodeLag, node_lag
from app.swap.states import (
    Complete,
    ContractPrepared,
    CounterpartyAudited,
    Failed,
    InitBroadcast,
    Match,
    Matched,
    Redeeming,
    Refunding,
    Role,
    SwapState,
)
from app.swap.store import SwapStore
from app.swap.transitions import (
    Broadcast,
    ChainTx,
    Fund,
    Observation,
    Side,
    Step,
    WaitForNode,
    transition,
)
from app.wallet.backends.base import SpendInfo, SyncState
from tests.fakes.scripted_chain import THEIR_INIT, FakeChain, contract_txid
from tests.fakes.swaps import (
    NOW,
    SECRET,
    T0,
    H,
    RoleRing,
    at_init,
    audit_obs,
    funded,
    maker_contract,
    maker_redeem_of,
    match,
    refused,
    signed,
    taker_audit_obs,
    taker_contract,
)
from tests.waits import until

BEHIND_S = 3 * 3600 + 10 * 60  # the lagging node's tip: 3 h 10 min before our clock
LTC_BEHIND = NodeLag("ltc", BEHIND_S, False)
BTC_BEHIND = NodeLag("btc", BEHIND_S, True)


class _Coins:
    """A funding source: the coin of test_swap_transitions.funded, counting the requests."""

    def __init__(self, m: Match) -> None:
        self.calls = 0
        self.funded = funded(m, None)

    async def fund(
        self, amount: int, fee_rate: int, contracts: int, orders: tuple[str, ...] = ()
    ) -> Funding:
        self.calls += 1
        return Funding(self.funded.coins, self.funded.change_script)


class _Flaky(FakeChain):
    """A FakeChain whose `broadcast` / `confirmations` raise an unexpected error the first
    `fail[name]` times (not a WalletError: a bug or an answer nobody foresaw)."""

    def __init__(self, mtp: int, output_script: bytes, value: int, *, fail: dict[str, int]) -> None:
        super().__init__(mtp, output_script, value)
        self.fail = dict(fail)

    def _maybe_fail(self, name: str) -> None:
        if self.fail.get(name, 0) > 0:
            self.fail[name] -= 1
            raise RuntimeError(f"{name} hiccup")

    async def broadcast(self, raw: bytes) -> str:
        self._maybe_fail("broadcast")
        return await super().broadcast(raw)

    async def confirmations(self, txid: str) -> int | None:
        self._maybe_fail("confirmations")
        return await super().confirmations(txid)


class _Run:
    """One real engine on two scripted chains, recording events, reports and ticks."""

    def __init__(
        self,
        tmp: Path,
        state: SwapState,
        ours: FakeChain,
        theirs: FakeChain,
        coins: _Coins | None = None,
    ) -> None:
        m = state.match
        self.mid = m.match_id
        self.store = SwapStore(Store(tmp / "db"))
        self.store.create(state)
        self.events: list[SwapEvent] = []
        self.sent: list[OutgoingMessage] = []
        self.ticks = 0
        self.ours, self.theirs = ours, theirs

        async def send(msg: OutgoingMessage) -> None:
            self.sent.append(msg)

        def clock() -> int:
            self.ticks += 1
            return NOW

        self.engine = SwapEngine(
            self.store,
            {m.our_asset: ours, m.their_asset: theirs},
            {m.our_asset: coins} if coins is not None else {},
            send,
            self.events.append,
            keys=RoleRing(),
            poll_interval=0.01,
            clock_ms=clock,
        )

    def start(self) -> None:
        self.engine.start(self.mid)

    def state(self) -> SwapState | None:
        return self.store.load(self.mid)

    def problems(self, text: str = "") -> list[str]:
        return [e.message for e in self.events if isinstance(e, SwapProblem) and text in e.message]

    def alive(self) -> bool:
        return self.mid in self.engine.running()


def _maker_audited() -> CounterpartyAudited:
    state = transition(at_init(Role.MAKER), audit_obs(taker_contract(), 1_000_000)).state
    assert isinstance(state, CounterpartyAudited) and state.ours is not None
    return state


def _maker_chains(state: CounterpartyAudited, **fail: int) -> tuple[_Flaky, _Flaky]:
    assert state.ours is not None
    ours = _Flaky(T0 // 1000, b"", 0, fail={"confirmations": fail.get("confirmations", 0)})
    ours.known.add(state.ours.init.txid)  # our init is confirmed
    theirs = _Flaky(
        T0 // 1000,
        taker_contract().p2wsh_script(),
        1_000_000,
        fail={"broadcast": fail.get("broadcast", 0)},
    )
    return ours, theirs


# -- M5: nothing ends the loop ----------------------------------------------------------------
async def test_a_transition_that_raises_is_shown_once_and_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first ten transitions raise (what an unreadable spend did, PoC 7): the loop lives,
    says so once, and completes the swap when the transition works again."""
    real = transition  # what the engine calls, until patched below
    calls = [0]

    def flaky(state: SwapState, obs: Observation) -> Step:
        calls[0] += 1
        if calls[0] <= 10:
            raise TxDecodeError("The transaction could not be read.", "flag 0x9")
        return real(state, obs)

    monkeypatch.setattr(engine_module, "transition", flaky)
    state = _maker_audited()
    ours, theirs = _maker_chains(state)
    run = _Run(tmp_path, state, ours, theirs)
    run.start()
    try:
        await until(lambda: isinstance(run.state(), Complete), "the swap complete")
    finally:
        await run.engine.stop()
    assert calls[0] > 10
    assert run.problems("could not go on") == [
        "could not go on with the swap, retrying: The transaction could not be read."
    ]


async def test_an_unexpected_error_observing_or_acting_does_not_end_the_swap(
    tmp_path: Path,
) -> None:
    """A backend raising something that is not a WalletError while observing (3 times) and
    while broadcasting our redeem (3 times): each shown once, the swap completes."""
    state = _maker_audited()
    ours, theirs = _maker_chains(state, confirmations=3, broadcast=3)
    run = _Run(tmp_path, state, ours, theirs)
    run.start()
    try:
        await until(lambda: isinstance(run.state(), Complete), "the swap complete")
    finally:
        await run.engine.stop()
    assert run.problems("cannot read the chain") == [
        "cannot read the chain: RuntimeError: confirmations hiccup"
    ]
    assert run.problems("could not go on") == [
        "could not go on with the swap, retrying: RuntimeError: broadcast hiccup"
    ]
    assert theirs.fail["broadcast"] == 0 and len(theirs.sent) == 1  # 3 failed, 1 taken
    assert [type(m).__name__ for m in run.sent] == ["RedeemReport"]


def _mweb_flagged(spend: SpendInfo) -> SpendInfo:
    """How litecoind serializes a peg-in transaction in its mempool: flag 0x09."""
    raw = bytearray(spend.raw)
    assert raw[4] == 0 and raw[5] == 1
    raw[5] = 0x09
    return replace(spend, raw=bytes(raw))


def test_poc7_the_taker_redeems_from_the_redemption_message_despite_an_mweb_spend() -> None:
    """PoC 7: the maker's redeem of our contract as the node shows a peg-in (flag 0x09), and a
    valid `redemption` message. Was: `transition` raised TxDecodeError."""
    state = at_init(Role.TAKER)
    spend = _mweb_flagged(maker_redeem_of(state))
    msg = CounterpartyRedeem("aa" * 32, "bb" * 32, spend.txid, 0, SECRET, 0)
    # the message is looked at first: even a spend without any usable witness cannot hide it
    for seen in (spend, replace(spend, witness=())):
        step = transition(
            state, signed(Role.TAKER, our_init_confs=3, our_spend=seen, redemption=msg)
        )
        assert isinstance(step.state, Redeeming) and step.state.secret == SECRET
        assert step.actions[0] == Broadcast(Side.THEIRS, step.state.redeem, "redeem")
    # no message: the witness the node decoded gives the secret; the raw bytes are not read
    step = transition(state, signed(Role.TAKER, our_init_confs=3, our_spend=spend))
    assert isinstance(step.state, Redeeming) and step.state.secret == SECRET
    assert find_secret([spend.witness], state.ours.contract) == SECRET
    with pytest.raises(TxDecodeError):  # where raw bytes are still parsed, MWEB is refused
        find_secret(spend.raw, state.ours.contract)


def test_refunding_taker_learns_the_secret_from_the_witness_of_an_mweb_spend() -> None:
    state = at_init(Role.TAKER)
    spend = _mweb_flagged(maker_redeem_of(state))
    lock = state.ours.contract.lock_time
    refunding = transition(state, signed(Role.TAKER, our_init_confs=9, our_mtp=lock)).state
    assert isinstance(refunding, Refunding)
    step = transition(refunding, signed(Role.TAKER, our_spend=spend))
    assert isinstance(step.state, Redeeming) and step.state.secret == SECRET


async def test_the_taker_engine_redeems_from_the_message_while_the_chain_shows_mweb(
    tmp_path: Path,
) -> None:
    """The real engine: our contract's spend as an MWEB-flagged transaction without a witness
    we could use; the `redemption` message completes the swap."""
    state = at_init(Role.TAKER)
    assert state.theirs is not None
    ours = FakeChain(T0 // 1000, b"", 0)
    ours.known.add(state.ours.init.txid)
    ours.spend = replace(_mweb_flagged(maker_redeem_of(state)), witness=())
    theirs = FakeChain(T0 // 1000, maker_contract().p2wsh_script(), 2_000_000)
    run = _Run(tmp_path, state, ours, theirs)
    run.start()
    run.engine.deliver(CounterpartyRedeem("aa" * 32, "bb" * 32, ours.spend.txid, 0, SECRET, 0))
    try:
        await until(lambda: isinstance(run.state(), Complete), "the swap complete")
    finally:
        await run.engine.stop()
    assert run.problems() == []


# -- L3: one bogus audit does not end the swap -------------------------------------------------
async def test_a_bogus_audit_is_refused_once_then_a_good_one_is_taken(tmp_path: Path) -> None:
    """The taker gets an announcement with the wrong vout (a real txid): refused, said once,
    the swap stays Matched; the same announcement again is ignored; the correct one is
    audited and the swap goes on (funds its contract)."""
    m = match(Role.TAKER)
    contract = maker_contract().to_script()
    maker_chain = FakeChain(T0 // 1000, maker_contract().p2wsh_script(), 2_000_000)
    run = _Run(tmp_path, Matched(m), FakeChain(T0 // 1000, b"", 0), maker_chain, _Coins(m))
    real = contract_txid(maker_contract().p2wsh_script(), 2_000_000)  # what the chain serves
    bad = CounterpartyInit("dd" * 32, m.match_id, real, 1, contract, NOW)
    run.start()
    try:
        run.engine.deliver(bad)
        await until(lambda: run.problems("refused"), "the bad audit refused")
        ticks = run.ticks
        run.engine.deliver(bad)  # re-sent (a resync): not audited again
        await until(lambda: run.ticks > ticks + 20, "20 more engine ticks")
        assert isinstance(run.state(), Matched) and run.alive()
        assert run.problems("refused") == [
            f"the counterparty's contract {real}:1 was refused: The counterparty's "
            "contract failed the audit: wrong output. expected output 1, got 1 outputs"
        ]
        run.engine.deliver(replace(bad, vout=0))
        await until(lambda: isinstance(run.state(), InitBroadcast), "audited, funded, init sent")
    finally:
        await run.engine.stop()
    history = [h.state for h in run.store.history(m.match_id)]
    assert history[:2] == ["Matched", "CounterpartyAudited"], history
    assert len(run.problems("refused")) == 1


def test_maker_waits_after_a_bogus_audit_and_takes_a_good_one() -> None:
    state = at_init(Role.MAKER)
    bad = transition(state, audit_obs(taker_contract(secret_hash=bytes(32)), 1_000_000))
    assert "wrong secret hash" in refused(state, bad)
    good = transition(state, audit_obs(taker_contract(), 1_000_000))
    assert isinstance(good.state, CounterpartyAudited)
    lock = state.ours.contract.lock_time  # no good announcement: the refund at the lock time
    assert isinstance(
        transition(state, signed(Role.MAKER, our_init_confs=5, our_mtp=lock)).state, Refunding
    )


def test_the_taker_still_gives_up_at_the_deadline_after_a_bogus_audit() -> None:
    m = match(Role.TAKER)
    late = replace(taker_audit_obs(recipient_pkh=bytes(20)), now_ms=T0 + 48 * H + 1)
    step = transition(Matched(m), late)
    assert isinstance(step.state, Failed) and "never funded" in step.state.reason


# -- M6: the node must be in step ---------------------------------------------------------------
def test_node_lag_bounds_and_message() -> None:
    assert rules_for("mainnet").max_tip_age_s(600) == 2 * 3600  # BTC: 12 blocks
    assert rules_for("mainnet").max_tip_age_s(150) == 30 * 60  # LTC
    assert rules_for("regtest").max_tip_age_s(150) == 3600
    now_ms = 2_000_000_000_000
    assert node_lag("ltc", "regtest", SyncState(False, now_ms // 1000 - 3600), now_ms) is None
    assert node_lag("ltc", "regtest", SyncState(False, now_ms // 1000 + 60), now_ms) is None
    lag = node_lag("ltc", "regtest", SyncState(False, now_ms // 1000 - 3601), now_ms)
    assert lag == NodeLag("ltc", 3601, False)
    assert lag.message() == "LTC node is behind: its tip is 1 h 0 min old"
    ibd = node_lag("ltc", "mainnet", SyncState(True, now_ms // 1000 - BEHIND_S), now_ms)
    assert ibd is not None and ibd.message() == (
        "LTC node is behind: its tip is 3 h 10 min old (initial block download)"
    )
    fresh_ibd = node_lag("btc", "mainnet", SyncState(True, now_ms // 1000 - 5), now_ms)
    assert fresh_ibd == NodeLag("btc", 5, True)  # in IBD: behind, however fresh its tip
    assert node_lag("btc", "mainnet", SyncState(False, now_ms // 1000 - 7201), now_ms)
    assert node_lag("ltc", "mainnet", SyncState(False, now_ms // 1000 - 1801), now_ms)
    assert not node_lag("ltc", "mainnet", SyncState(False, now_ms // 1000 - 1800), now_ms)


def test_maker_does_not_fund_while_its_node_is_behind() -> None:
    m = match(Role.MAKER)
    assert transition(Matched(m), signed(Role.MAKER, our_node=LTC_BEHIND)) == Step(
        Matched(m), (WaitForNode(LTC_BEHIND),)
    )
    ready = signed(Role.MAKER, funded=funded(m, SECRET), our_node=LTC_BEHIND)
    assert transition(Matched(m), ready) == Step(Matched(m), (WaitForNode(LTC_BEHIND),))
    assert transition(Matched(m), signed(Role.MAKER)).actions == (Fund(m.our_amount, True),)
    step = transition(Matched(m), replace(ready, our_node=None))
    assert isinstance(step.state, ContractPrepared)


def test_taker_does_not_fund_while_either_node_is_behind() -> None:
    audited = transition(Matched(match(Role.TAKER)), taker_audit_obs()).state
    assert isinstance(audited, CounterpartyAudited)
    confirmed = signed(Role.TAKER, their_init=ChainTx(THEIR_INIT, (), 2))
    for ours_lag, theirs_lag in [(BTC_BEHIND, None), (None, LTC_BEHIND), (BTC_BEHIND, LTC_BEHIND)]:
        step = transition(audited, replace(confirmed, our_node=ours_lag, their_node=theirs_lag))
        assert not any(isinstance(a, Fund) for a in step.actions)
        assert step.actions == tuple(WaitForNode(lag) for lag in (ours_lag, theirs_lag) if lag)
        assert isinstance(step.state, CounterpartyAudited)
    assert transition(audited, confirmed).actions == (Fund(1_000_000, False),)


def test_maker_does_not_reveal_while_the_taker_chain_node_is_behind() -> None:
    state = _maker_audited()
    ready = signed(
        Role.MAKER,
        our_init_confs=3,
        their_init=ChainTx(THEIR_INIT, (), 2),
        their_mtp=T0 // 1000,
        their_node=BTC_BEHIND,
    )
    assert transition(state, ready) == Step(state, (WaitForNode(BTC_BEHIND),))
    assert isinstance(transition(state, replace(ready, their_node=None)).state, Redeeming)
    # our own node behind does not stop the reveal (the secret goes to their chain)
    assert isinstance(
        transition(state, replace(ready, their_node=None, our_node=LTC_BEHIND)).state, Redeeming
    )


@pytest.mark.parametrize("role", [Role.MAKER, Role.TAKER])
def test_no_refund_while_our_node_is_behind(role: Role) -> None:
    state = at_init(role)
    lock = state.ours.contract.lock_time
    lag = LTC_BEHIND if role is Role.MAKER else BTC_BEHIND
    at_lock = signed(role, our_init_confs=9, our_mtp=lock, our_node=lag)
    assert transition(state, at_lock) == Step(state, (WaitForNode(lag),))
    step = transition(state, replace(at_lock, our_node=None))
    assert isinstance(step.state, Refunding)
    assert step.actions == (Broadcast(Side.OURS, state.ours.refund, "refund"),)


async def test_the_engine_waits_for_a_lagging_node_and_says_so_once(tmp_path: Path) -> None:
    """The maker's LTC node's tip is 3 h 10 min old on our clock: no coins asked for, one
    problem naming the node and the lag, over many ticks; in step again, the swap funds."""
    m = match(Role.MAKER)
    ours = FakeChain(T0 // 1000, b"", 0)
    ours.sync = SyncState(False, NOW // 1000 - BEHIND_S)
    coins = _Coins(m)
    run = _Run(tmp_path, Matched(m), ours, FakeChain(T0 // 1000, b"", 0), coins)
    run.start()
    try:
        await until(lambda: run.ticks > 30, "30 engine ticks")
        assert coins.calls == 0 and isinstance(run.state(), Matched)
        assert run.problems() == ["LTC node is behind: its tip is 3 h 10 min old"]
        ours.sync = SyncState(False, NOW // 1000 - 60)
        await until(lambda: isinstance(run.state(), InitBroadcast), "our init broadcast")
    finally:
        await run.engine.stop()
    assert coins.calls == 1 and len(ours.sent) == 1  # one init, broadcast once it was stored
    assert run.problems() == ["LTC node is behind: its tip is 3 h 10 min old"]
