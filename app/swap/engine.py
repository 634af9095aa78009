"""The swap driver: one loop per match that observes, transitions, persists, then acts.

    load state -> observe chains + inbox -> transition (pure) -> if new: save (fsync) + event
               -> perform actions (broadcast, send report, fund) -> sleep / wake on message

Three parts: the observer (observer.py) reads what the state needs from the chains, the
transitions (transitions.py, pure) decide, the actor (actor.py) does what they asked. This
driver owns the order: the new state is saved before any action of its step is performed.

Because the state is saved before any action and every transition first looks at the chain,
a crash anywhere only ever repeats idempotent actions: the stored init transaction is
re-broadcast (never rebuilt, so never paid twice), reports are re-sent, refunds go out from
the presigned transaction with no wallet and no server.

Keys are not stored: each tick the driver asks the `KeyRing` (the unlocked wallet) for the
match's key and opens the maker's sealed secret for the transition; with no key ring (wallet
locked, as in the CLI) steps that sign wait and presigned refunds still go out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import assert_never

from app.swap.actor import Actor, CheckpointFn, Funding, FundingSource, SendFn
from app.swap.batch import check_batch, prepare_batch
from app.swap.bump import DEFAULT_BUMP, BumpPolicy
from app.swap.errors import SwapError, SwapKeyError
from app.swap.inbox import Inbox
from app.swap.keys import KeyRing, MatchKeys, unlock
from app.swap.messages import IncomingMessage, SwapStateChanged
from app.swap.observer import AlwaysAllowed, ChainObserver, FundGate
from app.swap.problems import EventFn, Problems, error_text
from app.swap.states import (
    Bumpable,
    Failed,
    Match,
    Matched,
    Stage,
    SwapState,
    describe,
    is_terminal,
    stage_of,
    state_name,
    unfunded,
)
from app.swap.store import StaleSwapWrite, SwapStore
from app.swap.transitions import (
    Action,
    Broadcast,
    Fund,
    Funded,
    RefuseAudit,
    Send,
    Step,
    WaitForNode,
    transition,
)
from app.wallet.backends.base import BlockInfo, ChainBackend
from app.wallet.errors import WalletError

# What a caller of SwapEngine passes in, importable with it.
__all__ = ["AlwaysAllowed", "FundGate", "Funding", "FundingSource", "SwapEngine"]

log = logging.getLogger(__name__)


class SwapEngine:
    """Runs every swap of one client. `backends` and `funding` are keyed by asset symbol."""

    def __init__(
        self,
        store: SwapStore,
        backends: Mapping[str, ChainBackend],
        funding: Mapping[str, FundingSource],
        send: SendFn,
        on_event: EventFn | None = None,
        *,
        poll_interval: float = 2.0,
        rebroadcast_interval: float = 60.0,
        clock_ms: Callable[[], int] | None = None,
        checkpoint: CheckpointFn | None = None,
        keys: KeyRing | None = None,
        bump: BumpPolicy = DEFAULT_BUMP,
        fund_gate: FundGate | None = None,
        finality: int | None = None,
    ) -> None:
        self.store = store
        self.poll_interval = poll_interval
        self._keys = keys
        self._backends = backends
        self._clock = clock_ms or (lambda: int(time.time() * 1000))
        self._checkpoint = checkpoint or (lambda point: None)
        self._problems = Problems(on_event)
        self.actor = Actor(
            backends,
            funding,
            send,
            self._problems,
            keys=keys,
            checkpoint=self._checkpoint,
            rebroadcast_interval=rebroadcast_interval,
        )
        self.observer = ChainObserver(
            backends,
            self.actor,
            fund_gate or AlwaysAllowed(),
            self._clock,
            bump=bump,
            finality=finality,
        )
        self._inbox = Inbox()
        self._tasks: dict[str, asyncio.Task[SwapState]] = {}
        self._wake: dict[str, asyncio.Event] = {}
        self._chains: dict[str, tuple[str, str]] = {}  # running match -> its two assets
        self._funded: dict[str, Funded] = {}  # coins the actor got, until a state uses them
        self._key_problems: set[str] = set()  # matches whose missing key was reported

    # -- public API -------------------------------------------------------------------------
    async def add_match(self, match: Match) -> None:
        """Persist a new match and start settling it (a known match just resumes)."""
        if self.store.create(Matched(match)):
            self._checkpoint("stored:Matched")
        self.start(match.match_id)

    async def add_batch(self, matches: Sequence[Match]) -> None:
        """Protocol §9 case B: our maker matches of one epoch, funded by ONE init transaction.

        Each match is stored first (as `add_match` does); then one funding, one signed init
        with an output per match and each match's refund are stored for all of them in one
        database transaction before anything is broadcast. If funding fails, or a match was
        already known, the matches simply run one by one (case A)."""
        check_batch(matches)
        fresh = [m for m in matches if self.store.create(Matched(m))]
        for _ in fresh:
            self._checkpoint("stored:Matched")
        if len(fresh) > 1:
            await self._fund_batch(fresh)
        for m in matches:
            self.start(m.match_id)

    async def _fund_batch(self, matches: list[Match]) -> None:
        m0 = matches[0]
        if self._keys is None:
            self._problems.problem(
                m0.match_id, "cannot fund the matches together: the wallet is locked"
            )
            return
        try:
            # As for one match (lock_steps.matched): no init goes to a node that is behind.
            # The matches then wait one by one, and fund singly once it caught up.
            lag = await self.observer.node_lag(m0.our_asset, m0.network)
            if lag is not None:
                self._problems.problem(
                    m0.match_id, f"cannot fund the matches together: {lag.message()}"
                )
                return
            tip = (await self._backends[m0.our_asset].tip()).height
            funding = await self.actor.fund_batch(matches)
            states = prepare_batch(
                matches,
                [os.urandom(32) for _ in matches],
                funding.coins,
                funding.change_script,
                tip,
                self._keys,
                self._clock(),
            )
        except (WalletError, SwapError) as exc:
            self._problems.problem(m0.match_id, f"cannot fund the matches together: {exc}")
            return
        # Each state came from `transition`, as in every loop; all are stored, or none
        # (coins are used once), before any of their actions: the loops started next do them.
        try:
            self.store.save_many(list(states), expected="Matched")
        except StaleSwapWrite as exc:
            self._problems.problem(m0.match_id, f"cannot fund the matches together: {exc}")
            return
        for state in states:
            self._checkpoint("stored:ContractPrepared")
            self._problems.emit(
                SwapStateChanged(
                    state.match.match_id, Stage.MATCHED, Stage.CONTRACT_PREPARED, describe(state)
                )
            )

    def start(self, match_id: str) -> None:
        task = self._tasks.get(match_id)
        if task is None or task.done():
            self._wake.setdefault(match_id, asyncio.Event())
            self._tasks[match_id] = asyncio.create_task(
                self._run(match_id), name=f"swap-{match_id[:8]}"
            )

    def deliver(self, msg: IncomingMessage) -> None:
        """A counterparty message from the DEX; kept until the swap's state consumes it."""
        if self._inbox.put(msg):
            self._wake.setdefault(msg.match_id, asyncio.Event()).set()

    def wake(self, asset: str, block: BlockInfo | None = None) -> None:
        """A new block on `asset`'s chain (app/swap/block_watch.py): every swap on it looks
        again now, since a confirmation or a lock time may have come, not at its next poll."""
        for match_id, chains in self._chains.items():
            if asset in chains:
                self._wake.setdefault(match_id, asyncio.Event()).set()

    async def wait(self, match_id: str) -> SwapState:
        """The terminal state of a running swap (re-raises what stopped its loop)."""
        return await self._tasks[match_id]

    def running(self) -> list[str]:
        return [mid for mid, task in self._tasks.items() if not task.done()]

    async def abandon(self, match_id: str, reason: str) -> bool:
        """The server revoked the match. If nothing of ours can be on chain yet (Matched, or
        the taker audited but not funded) the swap ends as Failed: True. Otherwise the loop
        goes on, since what is on chain must still be redeemed or refunded: False."""
        task = self._tasks.get(match_id)
        if task is not None and not task.done():
            task.cancel()  # so it cannot fund or broadcast while we decide
            await asyncio.gather(task, return_exceptions=True)
        state = self.store.load(match_id)
        if state is None:
            return False
        if unfunded(state):
            try:
                self.store.save(Failed(state.match, reason), expected=state_name(state))
            except StaleSwapWrite:  # moved on meanwhile (funded): it must be settled
                self.start(match_id)
                return False
            self._funded.pop(match_id, None)
            self._problems.emit(SwapStateChanged(match_id, stage_of(state), Stage.FAILED, reason))
            return True
        if not is_terminal(state):
            self.start(match_id)
        return False

    async def stop(self) -> None:
        """Cancel every loop. Safe at any moment: the store already holds what matters."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- the loop ----------------------------------------------------------------------------
    async def _run(self, match_id: str) -> SwapState:
        state = self.store.load(match_id)
        if state is None:
            raise SwapError("Unknown swap.", match_id)
        self._chains[match_id] = (state.match.our_asset, state.match.their_asset)
        try:
            return await self._settle(match_id, state)
        finally:
            self._chains.pop(match_id, None)

    async def _settle(self, match_id: str, state: SwapState) -> SwapState:
        problems = self._problems
        resumed = True
        while not is_terminal(state):
            # Nothing a chain, a node or a peer shows may end this loop (review M5): an error
            # in observing, in the transition or in an action is shown once and retried.
            try:
                obs = await self.observer.observe(
                    state,
                    resumed=resumed,
                    funded=self._funded.get(match_id),
                    audit=self._inbox.audit(match_id),
                    redemption=self._inbox.redemption(match_id),
                    keys=self._unlock(state),
                )
            except Exception as exc:  # node down, odd answer: look again later
                problems.once(match_id, "observe", f"cannot read the chain: {error_text(exc)}")
                await self._sleep(match_id)
                continue
            problems.clear(match_id, "observe")
            try:
                step = transition(state, obs)
            except Exception as exc:  # an input no rule foresaw: the state stays, retry
                problems.failed(match_id, "transition", exc)
                await self._sleep(match_id)
                continue
            problems.clear(match_id, "transition")
            progressed = step.state != state
            if progressed:
                try:  # durable before any action depends on it; never over another's write
                    self.store.save(step.state, expected=state_name(state))
                except StaleSwapWrite as exc:
                    problems.problem(match_id, f"{exc} {exc.detail}")
                    state = self.store.load(match_id) or state
                    await self._sleep(match_id)
                    continue
                except Exception as exc:  # e.g. the database busy: nothing acted on, retry
                    problems.failed(match_id, "save", exc)
                    await self._sleep(match_id)
                    continue
                problems.clear(match_id, "save")
                self._stored(state, step.state)
            state = step.state
            try:
                funded = await self._act(state.match, step)
            except Exception as exc:  # the state is stored: the next tick repeats the actions
                problems.failed(match_id, "act", exc)
                await self._sleep(match_id)
                continue
            problems.clear(match_id, "act")
            self._nodes_in_step(state.match, step.actions)
            resumed = False
            # Coins just came for this state: transition again now. None came: wait.
            if funded is False or (not progressed and funded is None):
                await self._sleep(match_id)
        problems.forget(match_id)
        self._inbox.settled(match_id)
        return state

    def _stored(self, old: SwapState, new: SwapState) -> None:
        """`new` is durable: say so (crash point, log, event) and drop coins it used."""
        match_id = new.match.match_id
        self._checkpoint(f"stored:{state_name(new)}")
        self._funded.pop(match_id, None)
        log.info("swap %s: %s -> %s", match_id[:8], state_name(old), state_name(new))
        self._problems.emit(SwapStateChanged(match_id, stage_of(old), stage_of(new), describe(new)))

    async def _sleep(self, match_id: str) -> None:
        wake = self._wake.setdefault(match_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), self.poll_interval)
        wake.clear()

    # -- acting ------------------------------------------------------------------------------
    async def _act(self, m: Match, step: Step) -> bool | None:
        """Perform the step's actions in order. Whether a Fund among them got coins (None:
        the step asked for none)."""
        accepted: set[str] = set()  # txids our node took in this step
        funded: bool | None = None
        for action in step.actions:
            match action:
                case Broadcast():
                    if await self.actor.broadcast(m, action):
                        accepted.add(action.tx.txid)
                case Send():
                    await self.actor.send(m, action, accepted)
                case Fund():
                    coins = await self.actor.fund(m, action)
                    if coins is not None:
                        self._funded[m.match_id] = coins
                    funded = coins is not None
                case WaitForNode():
                    kind = "ibd" if action.lag.initial_download else "behind"
                    where = f"node:{action.lag.asset}"
                    self._problems.once(m.match_id, where, action.lag.message(), kind)
                case RefuseAudit():
                    self._refuse(m.match_id, action)
                case _:
                    assert_never(action)
        return funded

    def _refuse(self, match_id: str, action: RefuseAudit) -> None:
        """Drop the announcement that failed the audit (review L3: the swap waits for a
        correct one until its deadline) and say why, once."""
        self._inbox.refuse(match_id, action.audit)
        self._problems.problem(
            match_id,
            f"the counterparty's contract {action.audit.txid}:"
            f"{action.audit.vout} was refused: {action.reason}",
        )
        self._checkpoint("refused:audit")

    def _nodes_in_step(self, m: Match, actions: Sequence[Action]) -> None:
        """Forget a node-behind problem once no step waits for that node any more."""
        waiting = {a.lag.asset for a in actions if isinstance(a, WaitForNode)}
        for asset in (m.our_asset, m.their_asset):
            if asset in waiting:
                continue
            if self._problems.clear(m.match_id, f"node:{asset}"):
                log.info("swap %s: the %s node is in step again", m.match_id[:8], asset.upper())

    def _unlock(self, state: SwapState) -> MatchKeys | None:
        """This match's key (and opened maker secret) for one transition, or None: then any
        step that must sign waits. Terminal states never sign again; Redeeming and Refunding
        sign only a fee bump, and quietly do without (the stored transaction keeps going out)."""
        if is_terminal(state):
            return None
        if isinstance(state, Bumpable) and self._keys is None and state.match.clear_key is None:
            return None
        try:
            return unlock(state, self._keys)
        except SwapKeyError as exc:
            mid = state.match.match_id
            if mid not in self._key_problems:  # once per swap: it is asked every tick
                self._key_problems.add(mid)
                if self._keys is None:
                    log.info("swap %s: %s; a redeem waits for the app", mid[:8], exc)
                else:
                    self._problems.problem(mid, f"cannot sign for this swap: {exc}")
            return None
