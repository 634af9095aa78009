"""The swap driver end to end on in-memory chains (tests/fakes/chain.py), sub-second: a maker
and a taker engine settle real signed transactions, redeem or refund, bump a redeem the miners
pass over, fund two matches with one init; and nothing goes out before it is stored.

Each chain checks what a node checks where a swap depends on it (inputs, conflicts and
replacements, lock times, fees, the contract's branches and every signature), so a swap only
completes when every transaction the engines made is one a node would take."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import fields, replace
from pathlib import Path

import pytest

from app.store.db import Store
from app.swap.engine import SwapEngine
from app.swap.messages import InitReport, OutgoingMessage, RedeemReport, as_incoming
from app.swap.observer import needs
from app.swap.states import (
    AwaitingRefund,
    Complete,
    ContractPrepared,
    CounterpartyAudited,
    InitBroadcast,
    Match,
    Matched,
    Redeeming,
    Refunded,
    Refunding,
    Role,
    SwapState,
    ours_of,
    state_name,
    theirs_of,
)
from app.swap.steps import Side
from app.swap.store import SwapStore, decode_state
from app.wallet.coins import SignedTx
from tests.fakes.chain import MemChain, MemFunding, SimClock
from tests.fakes.matches import make_matches, role_keys

HOUR_S = 3600
ASSET = {Role.MAKER: "ltc", Role.TAKER: "btc"}  # the chain each role pays on


def _txids(state: SwapState) -> set[str]:
    """Every transaction of ours a stored state holds."""
    ours = ours_of(state)
    found = {ours.init.txid, ours.refund.txid} if ours is not None else set()
    if isinstance(state, Redeeming):
        found |= {v.txid for v in state.versions}
    if isinstance(state, Refunding):
        found |= {v.txid for v in state.versions}
    return found


class _Chain(MemChain):
    """A MemChain that asks the world, at each broadcast, whether the transaction is stored."""

    def __init__(self, clock: SimClock, name: str, world: World) -> None:
        super().__init__(clock, name=name)
        self.world = world

    async def broadcast(self, raw: bytes) -> str:
        txid = await super().broadcast(raw)
        if not any(txid in _txids(s) for s in self.world.current()):
            self.world.unstored.append(f"{self.name} broadcast {txid}")
        return txid


class World:
    """Two chains, one engine per role settling `pairs` of matches, the DEX as direct
    delivery between them; the clock moves only when the test says."""

    def __init__(self, tmp: Path, pairs: int = 1, *, taker_fee_rate: int | None = None) -> None:
        tmp.mkdir()
        self.clock = SimClock()
        self.chains = {a: _Chain(self.clock, a, self) for a in ("ltc", "btc")}
        self.pairs = [make_matches(2_000_000, 1_000_000, match_time_ms=self.clock.ms())]
        self.pairs += [
            make_matches(3_000_000 + i, 1_500_000, match_time_ms=self.clock.ms())
            for i in range(pairs - 1)
        ]
        if taker_fee_rate is not None:  # the taker's init pays more than the maker's redeem
            self.pairs = [(m, replace(t, our_fee_rate=taker_fee_rate)) for m, t in self.pairs]
        self.funding = {r: MemFunding(self.chains[ASSET[r]]) for r in Role}
        self.stores = {r: SwapStore(Store(tmp / f"{r.value}.db")) for r in Role}
        self.engines: dict[Role, SwapEngine] = {}
        self.reports: list[tuple[Role, OutgoingMessage]] = []
        self.unstored: list[str] = []  # anything sent before the state holding it was stored

    def matches(self, role: Role) -> list[Match]:
        return [p[0] if role is Role.MAKER else p[1] for p in self.pairs]

    def engine(self, role: Role, *, locked: bool = False) -> SwapEngine:
        """A (new) engine for `role` on its store; `locked`: without the wallet's keys."""

        async def send(msg: OutgoingMessage) -> None:
            stored = self.stores[role].load(msg.match_id)
            if stored is None or msg.txid not in _txids(stored):
                self.unstored.append(f"{role.value} sent {type(msg).__name__}")
            self.reports.append((role, msg))
            other = self.engines.get(Role.TAKER if role is Role.MAKER else Role.MAKER)
            if other is not None:
                other.deliver(as_incoming(msg))

        engine = SwapEngine(
            self.stores[role],
            self.chains,
            {ASSET[role]: self.funding[role]},
            send,
            poll_interval=0.01,
            rebroadcast_interval=0.0,
            clock_ms=self.clock.ms,
            keys=None if locked else role_keys(role),
        )
        self.engines[role] = engine
        return engine

    async def start(self, role: Role, *, batch: bool = False) -> None:
        engine = self.engine(role)
        if batch:
            await engine.add_batch(self.matches(role))
        else:
            for m in self.matches(role):
                await engine.add_match(m)

    async def restart(self, role: Role, *, locked: bool) -> None:
        await self.engines[role].stop()
        engine = self.engine(role, locked=locked)
        for m in self.matches(role):
            engine.start(m.match_id)
        for sender, msg in self.reports:  # the server's resync after a reconnect
            if sender is not role:
                engine.deliver(as_incoming(msg))

    def current(self) -> list[SwapState]:
        found = (self.stores[r].load(m.match_id) for r in Role for m in self.matches(r))
        return [s for s in found if s is not None]

    def state(self, role: Role, i: int = 0) -> SwapState | None:
        return self.stores[role].load(self.matches(role)[i].match_id)

    def is_(self, role: Role, kind: type) -> bool:
        return all(isinstance(self.state(role, i), kind) for i in range(len(self.pairs)))

    def stages(self, role: Role, i: int = 0) -> list[str]:
        """The stored states of one match, oldest first (a state saved again counted once)."""
        names = [e.state for e in self.stores[role].history(self.matches(role)[i].match_id)]
        return [n for j, n in enumerate(names) if j == 0 or names[j - 1] != n]

    def history(self, role: Role, i: int = 0) -> list[SwapState]:
        entries = self.stores[role].history(self.matches(role)[i].match_id)
        return [decode_state(e.record, e.fmt) for e in entries]

    def mine(self, blocks: int = 1) -> None:
        for asset, chain in self.chains.items():
            chain.mine(blocks)
            for engine in self.engines.values():
                engine.wake(asset)

    def pass_time(self, seconds: int) -> None:
        """Move the clock and let both chains catch up: 11 blocks, so the MTP moves too."""
        self.clock.advance(seconds)
        self.mine(11)

    async def until(self, done: Callable[[], bool], *, mine: bool = True) -> None:
        """Let the engines run (a block on each chain per round when `mine`) until `done`."""
        deadline = time.monotonic() + 10
        while not done():
            states = [state_name(s) for s in self.current()]
            assert time.monotonic() < deadline, f"timed out in {states}"
            if mine:
                self.mine()
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        for engine in self.engines.values():
            await engine.stop()

    def close(self) -> None:
        for store in self.stores.values():
            store.store.close()


MakeWorld = Callable[..., World]


@pytest.fixture
def make_world(tmp_path: Path) -> Iterator[MakeWorld]:
    """Worlds in `tmp_path`, their stores closed after the test."""
    made: list[World] = []

    def make(pairs: int = 1, *, taker_fee_rate: int | None = None) -> World:
        made.append(World(tmp_path / str(len(made)), pairs, taker_fee_rate=taker_fee_rate))
        return made[-1]

    yield make
    for world in made:
        world.close()


MAKER_PATH = ["Matched", "ContractPrepared", "InitBroadcast", "CounterpartyAudited", "Redeeming"]
TAKER_PATH = ["Matched", "CounterpartyAudited", "ContractPrepared", "InitBroadcast", "Redeeming"]


async def test_maker_and_taker_settle_a_swap_and_nothing_goes_out_unstored(
    make_world: MakeWorld,
) -> None:
    world = make_world()
    try:
        await world.start(Role.TAKER)
        await world.start(Role.MAKER)
        await world.until(
            lambda: world.is_(Role.MAKER, Complete) and world.is_(Role.TAKER, Complete)
        )
    finally:
        await world.stop()
    assert world.stages(Role.MAKER) == [*MAKER_PATH, "Complete"]
    assert world.stages(Role.TAKER) == [*TAKER_PATH, "Complete"]
    for role, received_on in ((Role.MAKER, "btc"), (Role.TAKER, "ltc")):
        end, m = world.state(role), world.matches(role)[0]
        assert isinstance(end, Complete)
        chain = world.chains[received_on]
        fee = chain.fee_of(end.redeem_txid)
        assert end.received == m.their_amount - fee == chain.balance(m.redeem_script)
    assert [(r, type(msg)) for r, msg in world.reports] == [
        (Role.MAKER, InitReport),
        (Role.TAKER, InitReport),
        (Role.MAKER, RedeemReport),
        (Role.TAKER, RedeemReport),
    ]
    assert world.unstored == []  # each broadcast and report came after its state was stored


# What each state asks of the chains (observer.needs), by role: the fields of `Needs` set.
NEEDS = {
    (Role.MAKER, "Matched"): {"funding", "our_node"},
    (Role.MAKER, "ContractPrepared"): {"ours"},
    (Role.MAKER, "InitBroadcast"): {"ours", "audit", "our_node"},
    (Role.MAKER, "CounterpartyAudited"): {"ours", "theirs", "our_node", "their_node"},
    (Role.MAKER, "Redeeming"): {"ours", "theirs", "redeem"},
    (Role.MAKER, "AwaitingRefund"): {"ours", "theirs", "our_node"},
    (Role.MAKER, "Refunding"): {"ours", "theirs", "refund"},
    (Role.TAKER, "Matched"): {"audit", "fund_gate"},
    (Role.TAKER, "CounterpartyAudited"): {
        "funding",
        "fund_gate",
        "theirs",
        "our_node",
        "their_node",
    },
    (Role.TAKER, "ContractPrepared"): {"ours", "theirs"},
    (Role.TAKER, "InitBroadcast"): {"ours", "theirs", "our_node"},
    (Role.TAKER, "Redeeming"): {"ours", "theirs", "redeem"},
    (Role.TAKER, "Refunding"): {"ours", "theirs", "refund"},
} | {(r, final): set() for r in Role for final in ("Complete", "Refunded", "Failed")}


def _asked(state: SwapState) -> set[str]:
    """The needs of `state` that are set, each checked against the state it came from."""
    need = needs(state)
    assert need.ours == ours_of(state) and need.theirs == theirs_of(state)
    for versions, side in ((need.redeem, Side.THEIRS), (need.refund, Side.OURS)):
        if versions is not None:
            assert isinstance(state, Redeeming | Refunding) and versions.side is side
            assert (*versions.earlier, versions.current) == state.versions
    return {f.name for f in fields(need) if getattr(need, f.name) not in (None, False)}


def _check_needs(world: World) -> None:
    for role in Role:
        for state in world.history(role):
            assert _asked(state) == NEEDS[(role, state_name(state))], (role, state)


async def test_each_state_needs_what_its_transition_reads(make_world: MakeWorld) -> None:
    """`needs` (pure) on every state a real swap stored; the refund path's in the next test."""
    world = make_world()
    try:
        await world.start(Role.TAKER)
        await world.start(Role.MAKER)
        await world.until(
            lambda: world.is_(Role.MAKER, Complete) and world.is_(Role.TAKER, Complete)
        )
    finally:
        await world.stop()
    _check_needs(world)


async def test_both_refund_when_the_maker_never_reveals(make_world: MakeWorld) -> None:
    """The maker's app restarts locked after its init (like `swaps` in the CLI): it audits the
    taker's contract but cannot open its secret. At the taker's lock time the taker refunds;
    the maker, too late to reveal, refunds at its own lock time with its presigned refund."""
    world = make_world()
    try:
        await world.start(Role.TAKER)
        await world.start(Role.MAKER)
        await world.until(lambda: world.is_(Role.MAKER, InitBroadcast), mine=False)
        await world.restart(Role.MAKER, locked=True)
        await world.until(
            lambda: (
                world.is_(Role.MAKER, CounterpartyAudited) and world.is_(Role.TAKER, InitBroadcast)
            )
        )
        world.pass_time(24 * HOUR_S + 600)  # past the taker's lock time
        await world.until(lambda: world.is_(Role.TAKER, Refunded))
        assert world.is_(Role.MAKER, AwaitingRefund)  # its lock time is a day later
        world.pass_time(24 * HOUR_S)
        await world.until(lambda: world.is_(Role.MAKER, Refunded))
    finally:
        await world.stop()
    assert world.stages(Role.TAKER) == [*TAKER_PATH[:4], "Refunding", "Refunded"]
    assert world.stages(Role.MAKER) == [*MAKER_PATH[:4], "AwaitingRefund", "Refunding", "Refunded"]
    for role in Role:
        end, m = world.state(role), world.matches(role)[0]
        assert isinstance(end, Refunded)
        chain = world.chains[ASSET[role]]
        assert chain.balance(m.refund_script) == m.our_amount - chain.fee_of(end.refund_txid)
    # Both inits reported (the maker's again on resume), never a secret.
    assert {type(msg) for _, msg in world.reports} == {InitReport}
    _check_needs(world)
    assert world.unstored == []


def _redeems(world: World, role: Role) -> list[SignedTx]:
    """Our redeem versions, in the order they were stored."""
    versions: list[SignedTx] = []
    for state in world.history(role):
        if isinstance(state, Redeeming) and state.redeem not in versions:
            versions.append(state.redeem)
    return versions


async def test_a_redeem_the_miners_pass_over_is_bumped_until_mined(make_world: MakeWorld) -> None:
    """BTC miners take nothing under 30 atoms/vB: the maker's redeem at 20 waits, is re-signed
    at a higher rate after two blocks, replaces the first in the mempool and confirms."""
    world = make_world(taker_fee_rate=40)
    btc = world.chains["btc"]
    btc.mine_floor = 30
    try:
        await world.start(Role.TAKER)
        await world.start(Role.MAKER)
        await world.until(
            lambda: world.is_(Role.MAKER, Complete) and world.is_(Role.TAKER, Complete)
        )
    finally:
        await world.stop()
    first, *_, last = _redeems(world, Role.MAKER)
    end = world.state(Role.MAKER)
    assert isinstance(end, Complete) and end.redeem_txid == last.txid != first.txid
    assert await btc.get_tx(first.txid) is None  # replaced: gone from the mempool
    assert first.fee // first.vsize < 30 <= last.fee // last.vsize  # what the miners take
    assert end.received == world.matches(Role.MAKER)[0].their_amount - last.fee
    assert btc.refused == []
    assert world.unstored == []


async def test_a_node_refusing_replacements_keeps_the_first_redeem(make_world: MakeWorld) -> None:
    """The BTC node runs without replacement: the one bump is refused, no other is made, the
    first version stays in its mempool and confirms once the miners take it."""
    world = make_world(taker_fee_rate=40)
    btc = world.chains["btc"]
    btc.mine_floor, btc.replacement = 30, False
    try:
        await world.start(Role.TAKER)
        await world.start(Role.MAKER)
        await world.until(lambda: bool(btc.refused))
        bumped, height = btc.refused[0][0], btc.height
        await world.until(lambda: btc.height >= height + 6)  # time for more bumps: none
        btc.mine_floor = 0
        await world.until(lambda: world.is_(Role.MAKER, Complete))
    finally:
        await world.stop()
    first, *later = _redeems(world, Role.MAKER)
    assert [v.txid for v in later] == [bumped]  # one bump, refused, and no more after it
    assert {reason for _, reason in btc.refused} == {"txn-mempool-conflict"}
    end = world.state(Role.MAKER)
    assert isinstance(end, Complete) and end.redeem_txid == first.txid


async def test_two_maker_matches_funded_by_one_init_both_complete(make_world: MakeWorld) -> None:
    world = make_world(2)
    try:
        await world.start(Role.TAKER)
        await world.start(Role.MAKER, batch=True)
        await world.until(
            lambda: world.is_(Role.MAKER, Complete) and world.is_(Role.TAKER, Complete)
        )
    finally:
        await world.stop()
    assert world.funding[Role.MAKER].calls == 1
    prepared = [
        s for i in range(2) for s in world.history(Role.MAKER, i) if isinstance(s, ContractPrepared)
    ]
    assert len(prepared) == 2 and len({s.ours.init.txid for s in prepared}) == 1
    assert sorted(s.ours.vout for s in prepared) == [0, 1]
    for i in range(2):
        assert world.stages(Role.MAKER, i) == [*MAKER_PATH, "Complete"]
    assert world.unstored == []


async def test_no_batch_init_goes_to_a_node_that_is_behind(make_world: MakeWorld) -> None:
    """The maker's node has had no block for two hours on our clock (regtest allows one): the
    one-init batch is not funded, nothing is broadcast; once the node is in step again each
    match funds on its own and both swaps complete."""
    world = make_world(2)
    try:
        world.clock.advance(2 * HOUR_S)  # no block meanwhile: the tips are two hours old
        await world.start(Role.TAKER)
        await world.start(Role.MAKER, batch=True)
        for _ in range(20):
            await asyncio.sleep(0.005)
        assert world.funding[Role.MAKER].calls == 0
        assert world.is_(Role.MAKER, Matched)
        assert [r for r, _ in world.reports if r is Role.MAKER] == []
        await world.until(
            lambda: world.is_(Role.MAKER, Complete) and world.is_(Role.TAKER, Complete)
        )
    finally:
        await world.stop()
    assert world.funding[Role.MAKER].calls == 2  # one init each, after the node caught up
    assert world.unstored == []
