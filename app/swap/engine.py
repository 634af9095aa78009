"""The swap driver: one loop per match that observes, transitions, persists, then acts.

    load state -> observe chains + inbox -> transition (pure) -> if new: save (fsync) + event
               -> perform actions (broadcast, send report, fund) -> sleep / wake on message

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
import struct
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from bitcoin.core import CTransaction
from bitcoin.core.serialize import SerializationError

from app.safety.rules import finality_confs
from app.swap.batch import check_batch, prepare_batch
from app.swap.bump import DEFAULT_BUMP, BumpPolicy, refused_for_fee
from app.swap.errors import SwapError, SwapKeyError, TxDecodeError
from app.swap.keys import KeyRing, MatchKeys, unlock
from app.swap.messages import (
    CounterpartyInit,
    CounterpartyRedeem,
    IncomingMessage,
    OutgoingMessage,
    SwapEvent,
    SwapProblem,
    SwapStateChanged,
)
from app.swap.node_sync import NodeLag, node_lag
from app.swap.states import (
    AwaitingRefund,
    Complete,
    ContractPrepared,
    CounterpartyAudited,
    Failed,
    InitBroadcast,
    Match,
    Matched,
    OurContract,
    Redeeming,
    Refunded,
    Refunding,
    Role,
    Stage,
    SwapState,
    TheirContract,
    is_terminal,
    stage_of,
    state_name,
)
from app.swap.store import StaleSwapWrite, SwapStore
from app.swap.transitions import (
    Action,
    Broadcast,
    ChainTx,
    Fund,
    Funded,
    Observation,
    RefuseAudit,
    Send,
    Side,
    WaitForNode,
    transition,
)
from app.wallet.backends.base import BlockInfo, ChainBackend, SpendInfo, TxRejectedError
from app.wallet.coins import Outpoint, SignedTx, TxOutput
from app.wallet.errors import NodeResponseError, WalletError
from app.wallet.fees import FeePolicy
from app.wallet.signing import KeyedUtxo
from app.wallet.txparse import check_txid
from dexproto.assets import get_asset
from dexproto.crypto import sha256

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Funding:
    coins: tuple[KeyedUtxo, ...] = field(repr=False)  # they carry their private keys
    change_script: bytes


class FundingSource(Protocol):
    """Hands the engine coins (with their keys) covering `amount` plus the init fee, taken
    from what backs `orders` (the orders the funded matches belong to)."""

    async def fund(
        self, amount: int, fee_rate: int, contracts: int, orders: tuple[str, ...] = ()
    ) -> Funding: ...


class FundGate(Protocol):
    """May this taker swap, not yet funded, fund? True: yes; False: never (the server revoked
    the match, or did not confirm it in time after a restart); None: not known yet, wait.
    (app/client/resume_gate.py; the default allows every match.)"""

    def fund_allowed(self, match_id: str) -> bool | None: ...


class AlwaysAllowed:
    def fund_allowed(self, match_id: str) -> bool | None:
        return True


SendFn = Callable[[OutgoingMessage], Awaitable[None]]
EventFn = Callable[[SwapEvent], None]
# Called at each crash point ("stored:<State>", "before:<what>-broadcast",
# "after:<what>-broadcast"); the crash tests SIGKILL the process there.
CheckpointFn = Callable[[str], None]


def tx_outputs(raw: bytes) -> tuple[TxOutput, ...]:
    """Outputs of a raw segwit or legacy tx; refuses MWEB (python-bitcoinlib misreads it)."""
    if len(raw) < 10 or (raw[4] == 0 and raw[5] != 1):
        raise TxDecodeError("The transaction could not be read.", "not plain segwit")
    try:
        tx = CTransaction.deserialize(raw)
    except (SerializationError, ValueError, struct.error) as exc:
        raise TxDecodeError("The transaction could not be read.", repr(exc)) from exc
    return tuple(TxOutput(bytes(o.scriptPubKey), int(o.nValue)) for o in tx.vout)


def ours_of(state: SwapState) -> OurContract | None:
    if isinstance(
        state,
        (
            CounterpartyAudited,
            ContractPrepared,
            InitBroadcast,
            Redeeming,
            AwaitingRefund,
            Refunding,
        ),
    ):
        return state.ours
    return None


def theirs_of(state: SwapState) -> TheirContract | None:
    if isinstance(
        state,
        (
            CounterpartyAudited,
            ContractPrepared,
            InitBroadcast,
            Redeeming,
            AwaitingRefund,
            Refunding,
        ),
    ):
        return state.theirs
    return None


def describe(state: SwapState) -> str:
    """A one-line, secret-free description for events and the CLI."""
    if isinstance(state, (Failed, AwaitingRefund, Refunding, Refunded)):
        return state.reason
    if isinstance(state, Complete):
        return f"received {state.received} atoms in {state.redeem_txid}"
    ours = ours_of(state)
    return f"our init {ours.init.txid}" if ours is not None else ""


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
        # Confirmations before Complete/Refunded on every chain; None: each chain's own
        # (rules.finality_confs). Tests on regtest pass a depth > 1 to exercise reorgs.
        self.finality = finality
        self._gate = fund_gate or AlwaysAllowed()
        self.bump = bump
        # Chains whose node refused one of our replacements: no more bumps there this run.
        self._no_replacement: set[str] = set()
        self._keys = keys
        self._backends = backends
        self._funding = funding
        self._send = send
        self._on_event = on_event
        self.poll_interval = poll_interval
        self.rebroadcast_interval = rebroadcast_interval
        self._clock = clock_ms or (lambda: int(time.time() * 1000))
        self._checkpoint = checkpoint or (lambda point: None)
        self._tasks: dict[str, asyncio.Task[SwapState]] = {}
        self._wake: dict[str, asyncio.Event] = {}
        self._chains: dict[str, tuple[str, str]] = {}  # running match -> its two assets
        self._audits: dict[str, CounterpartyInit] = {}
        self._redemptions: dict[str, CounterpartyRedeem] = {}
        self._funded: dict[str, Funded] = {}
        # Confirmed spends, each with the tip hash it was last seen at: re-checked when the
        # tip changes (a reorg may have taken it out), never trusted for good.
        self._spends: dict[Outpoint, tuple[SpendInfo, str]] = {}
        self._last_broadcast: dict[str, float] = {}
        self._refused: dict[str, str] = {}  # txid -> the node's reason for its last refusal
        self._seen: dict[str, int] = {}  # counterparty init txid -> our clock when last seen
        self._key_problems: set[str] = set()  # matches whose missing key was reported
        # (match, what) -> the problem last shown for it: shown once, not every tick.
        self._shown: dict[tuple[str, str], str] = {}
        # Announcements that failed our audit, per match: a re-delivery is not audited again.
        self._refused_audits: dict[str, set[tuple[str, int, bytes]]] = {}

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
            self._problem(m0.match_id, "cannot fund the matches together: the wallet is locked")
            return
        try:
            tip = (await self._backend(m0, Side.OURS).tip()).height
            funding = await self._funding[m0.our_asset].fund(
                sum(m.our_amount for m in matches),
                m0.our_fee_rate,
                len(matches),
                orders=tuple(sorted({m.order_id for m in matches})),
            )
            states = prepare_batch(
                matches,
                [os.urandom(32) for _ in matches],
                funding.coins,
                funding.change_script,
                tip,
                self._keys,
            )
        except (WalletError, SwapError) as exc:
            self._problem(m0.match_id, f"cannot fund the matches together: {exc}")
            return
        try:  # all prepared, or none: coins are used once
            self.store.save_many(list(states), expected="Matched")
        except StaleSwapWrite as exc:
            self._problem(m0.match_id, f"cannot fund the matches together: {exc}")
            return
        for state in states:
            self._checkpoint("stored:ContractPrepared")
            self._emit(
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
        if isinstance(msg, CounterpartyInit):
            if _announced(msg) in self._refused_audits.get(msg.match_id, set()):
                log.info(
                    "swap %s: the refused contract %s:%d was announced again; ignored",
                    msg.match_id[:8],
                    msg.txid,
                    msg.vout,
                )
                return
            self._audits[msg.match_id] = msg
        else:
            self._redemptions[msg.match_id] = msg
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
        if isinstance(state, Matched) or (
            isinstance(state, CounterpartyAudited) and state.ours is None
        ):
            try:
                self.store.save(Failed(state.match, reason), expected=state_name(state))
            except StaleSwapWrite:  # moved on meanwhile (funded): it must be settled
                self.start(match_id)
                return False
            self._funded.pop(match_id, None)
            self._emit(SwapStateChanged(match_id, stage_of(state), Stage.FAILED, reason))
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
        resumed = True
        while not is_terminal(state):
            # Nothing a chain, a node or a peer shows may end this loop (review M5): an error
            # in observing, in the transition or in an action is shown once and retried.
            try:
                obs = await self._observe(state, resumed)
            except Exception as exc:  # node down, odd answer: look again later
                self._problem_once(match_id, "observe", f"cannot read the chain: {_text(exc)}")
                await self._sleep(match_id)
                continue
            self._shown.pop((match_id, "observe"), None)
            try:
                step = transition(state, obs)
            except Exception as exc:  # an input no rule foresaw: the state stays, retry
                self._failed(match_id, "transition", exc)
                await self._sleep(match_id)
                continue
            self._shown.pop((match_id, "transition"), None)
            progressed = step.state != state
            if progressed:
                try:  # durable before any action depends on it; never over another's write
                    self.store.save(step.state, expected=state_name(state))
                except StaleSwapWrite as exc:
                    self._problem(match_id, f"{exc} {exc.detail}")
                    state = self.store.load(match_id) or state
                    await self._sleep(match_id)
                    continue
                except Exception as exc:  # e.g. the database busy: nothing acted on, retry
                    self._failed(match_id, "save", exc)
                    await self._sleep(match_id)
                    continue
                self._shown.pop((match_id, "save"), None)
                self._checkpoint(f"stored:{state_name(step.state)}")
                self._funded.pop(match_id, None)
                log.info(
                    "swap %s: %s -> %s", match_id[:8], state_name(state), state_name(step.state)
                )
                self._emit(
                    SwapStateChanged(
                        match_id, stage_of(state), stage_of(step.state), describe(step.state)
                    )
                )
            state = step.state
            accepted: set[str] = set()  # txids our node took in this step
            try:
                for action in step.actions:
                    await self._act(state.match, action, accepted)
            except Exception as exc:  # the state is stored: the next tick repeats the actions
                self._failed(match_id, "act", exc)
                await self._sleep(match_id)
                continue
            self._shown.pop((match_id, "act"), None)
            self._nodes_in_step(state.match, step.actions)
            resumed = False
            if not progressed and not any(isinstance(a, Fund) for a in step.actions):
                await self._sleep(match_id)
        for key in [k for k in self._shown if k[0] == match_id]:
            del self._shown[key]
        self._refused_audits.pop(match_id, None)
        return state

    async def _sleep(self, match_id: str) -> None:
        wake = self._wake.setdefault(match_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), self.poll_interval)
        wake.clear()

    def _emit(self, event: SwapEvent) -> None:
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:  # the listener's problem: settling goes on
                log.exception("swap %s: the event listener failed", event.match_id[:8])

    def _problem(self, match_id: str, message: str) -> None:
        log.warning("swap %s: %s", match_id[:8], message)
        self._emit(SwapProblem(match_id, message))

    def _problem_once(
        self, match_id: str, what: str, message: str, token: str | None = None
    ) -> None:
        """Show `message` unless the last one shown for `what` had the same `token` (default:
        the message itself); cleared by popping `(match_id, what)` from `_shown`."""
        token = message if token is None else token
        if self._shown.get((match_id, what)) == token:
            log.debug("swap %s: %s", match_id[:8], message)
            return
        self._shown[(match_id, what)] = token
        self._problem(match_id, message)

    def _failed(self, match_id: str, where: str, exc: Exception) -> None:
        message = f"could not go on with the swap, retrying: {_text(exc)}"
        if self._shown.get((match_id, where)) != message:  # the traceback once, for support
            log.error("swap %s: %s failed", match_id[:8], where, exc_info=exc)
        self._problem_once(match_id, where, message)

    def _nodes_in_step(self, m: Match, actions: Sequence[Action]) -> None:
        """Forget a node-behind problem once no step waits for that node any more."""
        waiting = {a.lag.asset for a in actions if isinstance(a, WaitForNode)}
        for asset in (m.our_asset, m.their_asset):
            if asset in waiting:
                continue
            if self._shown.pop((m.match_id, f"node:{asset}"), None) is not None:
                log.info("swap %s: the %s node is in step again", m.match_id[:8], asset.upper())

    def _backend(self, m: Match, side: Side) -> ChainBackend:
        return self._backends[m.our_asset if side is Side.OURS else m.their_asset]

    # -- observing ---------------------------------------------------------------------------
    async def _spend(
        self, backend: ChainBackend, outpoint: Outpoint, start: int
    ) -> SpendInfo | None:
        tip = await backend.tip()
        cached = await self._cached_spend(backend, outpoint, tip)
        if cached is not None:
            return cached
        spend = await backend.find_spend(outpoint, start)
        if spend is not None and spend.height is not None:
            self._spends[outpoint] = (spend, tip.hash)
        return spend

    async def _cached_spend(
        self, backend: ChainBackend, outpoint: Outpoint, tip: BlockInfo
    ) -> SpendInfo | None:
        """The confirmed spend seen earlier, if it still is one: as is while the tip is the
        same block; after a tip change only if the node still has it in a block (its height
        read again: a reorg may have moved it). None: search again."""
        entry = self._spends.get(outpoint)
        if entry is None:
            return None
        spend, seen_at = entry
        if seen_at == tip.hash:
            return spend
        info = await backend.get_tx(spend.txid)
        if info is None or info.height is None:  # reorged out: back in the mempool, or gone
            del self._spends[outpoint]
            log.info(
                "spend %s of %s:%d is no longer in a block",
                spend.txid,
                outpoint.txid,
                outpoint.vout,
            )
            return None
        spend = replace(spend, height=info.height)
        self._spends[outpoint] = (spend, tip.hash)
        return spend

    async def _chain_tx(self, backend: ChainBackend, txid: str) -> ChainTx | None:
        """The counterparty's init as the chain shows it, its hex checked against the txid
        asked for (a mismatch: "cannot read the chain", asked again next tick). Remembers
        when it was last seen: a vanished init is given up after a deadline (M7)."""
        info = await backend.get_tx(txid)
        now = self._clock()
        if info is None:
            self._seen.setdefault(txid, now)  # never seen this run: the clock starts now
            return None
        if info.txid != txid:
            raise NodeResponseError(f"the node sent transaction {info.txid} when asked for {txid}")
        check_txid(info.raw, txid, "the node")
        self._seen[txid] = now
        return ChainTx(info.txid, tx_outputs(info.raw), info.confirmations)

    def _missing_ms(self, txid: str) -> int | None:
        """How long (ms) the counterparty init `txid` has been unknown to our node: since it
        was last seen, or since this run first asked; None while the node knows it."""
        seen = self._seen.get(txid)
        return None if seen is None else max(self._clock() - seen, 0)

    async def _observe(self, state: SwapState, resumed: bool) -> Observation:
        m = state.match
        mid = m.match_id
        ours_b, theirs_b = self._backend(m, Side.OURS), self._backend(m, Side.THEIRS)
        ours, theirs = ours_of(state), theirs_of(state)
        f: dict[str, object] = {
            "now_ms": self._clock(),
            "resumed": resumed,
            "funded": self._funded.get(mid),
        }
        needs_funds = (isinstance(state, Matched) and m.role is Role.MAKER) or (
            isinstance(state, CounterpartyAudited) and ours is None
        )
        if needs_funds:
            f["our_tip"] = (await ours_b.tip()).height
        if m.role is Role.TAKER and ours is None and not is_terminal(state):
            f["fund_allowed"] = self._gate.fund_allowed(mid)
        if ours is not None:
            f["our_mtp"] = await ours_b.median_time_past()
            confs = await ours_b.confirmations(ours.init.txid)
            f["our_init_confs"] = confs
            if confs is not None:
                f["our_spend"] = await self._spend(ours_b, ours.outpoint, ours.start_height)
            if isinstance(state, Refunding):
                f.update(await self._observe_refund(state, ours_b))
            f["our_tip"] = (await ours_b.tip()).height  # a refund records where it began
        awaiting_audit = theirs is None and (
            (isinstance(state, Matched) and m.role is Role.TAKER)
            or (isinstance(state, InitBroadcast) and m.role is Role.MAKER)
        )
        audit = self._audits.get(mid)
        if theirs is not None:
            f["their_mtp"] = await theirs_b.median_time_past()
            f["their_tip"] = (await theirs_b.tip()).height  # a redeem records where it began
            f["their_init"] = await self._chain_tx(theirs_b, theirs.txid)
            f["their_init_missing_ms"] = self._missing_ms(theirs.txid)
            f["their_spend"] = await self._spend(theirs_b, theirs.outpoint, theirs.start_height)
        elif awaiting_audit and audit is not None:
            f["audit"] = audit
            f["their_tip"] = (await theirs_b.tip()).height
            f["their_init"] = await self._chain_tx(theirs_b, audit.txid)
        if isinstance(state, Redeeming):
            f.update(await self._observe_redeem(state, theirs_b))
        f["our_finality"], f["their_finality"] = self._finality(m)
        f["redemption"] = self._redemptions.get(mid)
        f["keys"] = self._unlock(state)
        obs = Observation(**f)  # type: ignore[arg-type]
        # Is the node in step, wherever a step may fund, reveal or refund (review M6)?
        our_node = their_node = None
        if needs_funds or isinstance(state, (InitBroadcast, CounterpartyAudited, AwaitingRefund)):
            our_node = await self._lag(m.our_asset, m.network, ours_b)
        if isinstance(state, CounterpartyAudited):
            their_node = await self._lag(m.their_asset, m.network, theirs_b)
        return replace(obs, our_node=our_node, their_node=their_node)

    async def _lag(self, asset: str, network: str, chain: ChainBackend) -> NodeLag | None:
        return node_lag(asset, network, await chain.sync_state(), self._clock())

    async def _observe_redeem(self, state: Redeeming, theirs_b: ChainBackend) -> dict[str, object]:
        """Our redeem versions on their chain (see _observe_versions)."""
        return await self._observe_versions(
            state.match.their_asset,
            state.match.network,
            theirs_b,
            state.redeem,
            state.replaced,
            "redeem",
        )

    async def _observe_refund(self, state: Refunding, ours_b: ChainBackend) -> dict[str, object]:
        """Our refund versions on our chain (see _observe_versions)."""
        return await self._observe_versions(
            state.match.our_asset,
            state.match.network,
            ours_b,
            state.refund,
            state.versions[:-1],
            "refund",
        )

    async def _observe_versions(
        self,
        asset: str,
        network: str,
        chain: ChainBackend,
        current: SignedTx,
        earlier: Sequence[SignedTx],
        what: str,
    ) -> dict[str, object]:
        """The fee-bumpable `what` ("redeem"/"refund"): the current version's confirmations,
        an earlier version that confirmed instead, the bump policy for that chain and the
        next-block estimate (clamped: a broken estimate must not set the bump's rate alone)."""
        f: dict[str, object] = {
            "bump": self._bump_policy(asset),
            f"{what}_confs": await chain.confirmations(current.txid),
        }
        for old in reversed(earlier):
            if confs := await chain.confirmations(old.txid):
                f[f"confirmed_{what}"] = old.txid
                f[f"confirmed_{what}_confs"] = confs
                break
        estimate = await chain.estimate_fee_rate(1)
        if estimate is not None:
            f["fee_estimate"] = FeePolicy.for_asset(get_asset(asset, network)).clamp(estimate)
        if refused_for_fee(self._refused.get(current.txid)):  # re-signed above the minimum
            f["fee_refused"] = True
            f["min_fee_rate"] = await chain.min_fee_rate()
        return f

    def _finality(self, m: Match) -> tuple[int, int]:
        """Confirmations before final on our chain and on theirs."""
        if self.finality is not None:
            return self.finality, self.finality
        return (finality_confs(m.our_asset, m.network), finality_confs(m.their_asset, m.network))

    def _bump_policy(self, asset: str) -> BumpPolicy:
        if asset in self._no_replacement:
            return replace(self.bump, enabled=False)
        return self.bump

    def _unlock(self, state: SwapState) -> MatchKeys | None:
        """This match's key (and opened maker secret) for one transition, or None: then any
        step that must sign waits. Terminal states never sign again; Redeeming and Refunding
        sign only a fee bump, and quietly do without (the stored transaction keeps going out)."""
        if is_terminal(state):
            return None
        if (
            isinstance(state, (Redeeming, Refunding))
            and self._keys is None
            and state.match.clear_key is None
        ):
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
                    self._problem(mid, f"cannot sign for this swap: {exc}")
            return None

    # -- acting ------------------------------------------------------------------------------
    async def _act(self, m: Match, action: Action, accepted: set[str]) -> None:
        if isinstance(action, WaitForNode):
            kind = "ibd" if action.lag.initial_download else "behind"
            self._problem_once(m.match_id, f"node:{action.lag.asset}", action.lag.message(), kind)
        elif isinstance(action, RefuseAudit):
            self._refuse(m.match_id, action)
        elif isinstance(action, Broadcast):
            if await self._broadcast(m, action):
                accepted.add(action.tx.txid)
        elif isinstance(action, Send):
            if action.after_accepted is not None and action.after_accepted not in accepted:
                log.info(
                    "swap %s: %s held back: our node has not accepted %s",
                    m.match_id[:8],
                    type(action.message).__name__,
                    action.after_accepted,
                )
                return
            try:
                await self._send(action.message)
            except Exception as exc:  # the transport's problem; reports are re-sent on resume
                self._problem(m.match_id, f"could not send {type(action.message).__name__}: {exc}")
        else:
            await self._fund(m, action)

    def _refuse(self, match_id: str, action: RefuseAudit) -> None:
        """Drop the announcement that failed the audit (review L3: the swap waits for a
        correct one until its deadline) and say why, once."""
        if self._audits.get(match_id) == action.audit:
            del self._audits[match_id]
        self._refused_audits.setdefault(match_id, set()).add(_announced(action.audit))
        self._problem(
            match_id,
            f"the counterparty's contract {action.audit.txid}:"
            f"{action.audit.vout} was refused: {action.reason}",
        )
        self._checkpoint("refused:audit")

    async def _broadcast(self, m: Match, action: Broadcast) -> bool:
        """True when the node accepted the transaction now (or already had it); False when it
        refused, or when it was sent moments ago and is not sent again yet."""
        now = time.monotonic()
        last = self._last_broadcast.get(action.tx.txid)
        if last is not None and now - last < self.rebroadcast_interval:
            return False
        self._last_broadcast[action.tx.txid] = now
        try:
            self._checkpoint(f"before:{action.what}-broadcast")
            await self._backend(m, action.side).broadcast(action.tx.raw)
            self._refused.pop(action.tx.txid, None)
            self._checkpoint(f"after:{action.what}-broadcast")
            log.info("swap %s: broadcast %s %s", m.match_id[:8], action.what, action.tx.txid)
            return True
        except TxRejectedError as exc:
            self._last_broadcast.pop(action.tx.txid, None)
            self._refused[action.tx.txid] = exc.reason  # a fee refusal lets it be re-signed
            asset = m.our_asset if action.side is Side.OURS else m.their_asset
            if action.what.endswith("-bump") and _refuses_replacement(exc):
                # The earlier version is still in the mempool and may confirm; stop making
                # versions this node will refuse too.
                self._no_replacement.add(asset)
                log.warning(
                    "swap %s: the %s node refuses replacements (%s); fee bumps "
                    "stopped, the earlier version stays",
                    m.match_id[:8],
                    asset.upper(),
                    exc.reason,
                )
            elif asset in self._no_replacement and _refuses_replacement(exc):
                log.debug(
                    "swap %s: %s %s still refused: %s",
                    m.match_id[:8],
                    action.what,
                    action.tx.txid,
                    exc.reason,
                )  # its earlier version is in the mempool
            else:
                self._problem(m.match_id, f"{action.what} {action.tx.txid} not accepted: {exc}")
        except WalletError as exc:  # e.g. a refund before the chain's clock passed lock time
            self._last_broadcast.pop(action.tx.txid, None)
            self._problem(m.match_id, f"{action.what} {action.tx.txid} not accepted: {exc}")
        except Exception:  # not sent: the next tick tries again (_run shows the error)
            self._last_broadcast.pop(action.tx.txid, None)
            raise
        return False

    async def _fund(self, m: Match, action: Fund) -> None:
        if self._keys is None:  # our refund must be signed before the init goes out
            self._problem(m.match_id, "cannot fund the swap: the wallet is locked")
            await self._sleep(m.match_id)
            return
        try:
            funding = await self._funding[m.our_asset].fund(
                action.amount, m.our_fee_rate, 1, orders=(m.order_id,)
            )
        except (WalletError, SwapError) as exc:
            self._problem(m.match_id, f"cannot fund the swap: {exc}")
            await self._sleep(m.match_id)
            return
        funded = Funded(tuple(funding.coins), funding.change_script)
        if action.secret_needed:  # drawn here, kept only sealed: the store never sees it
            secret = os.urandom(32)
            funded = Funded(
                funded.coins,
                funded.change_script,
                sha256(secret),
                self._keys.seal(m.match_id, secret),
            )
        self._funded[m.match_id] = funded


def _announced(msg: CounterpartyInit) -> tuple[str, int, bytes]:
    return (msg.txid, msg.vout, msg.contract)


def _text(exc: Exception) -> str:
    """What to show of an error: our own errors' user message (their detail is for the log),
    else the exception's type and text."""
    if isinstance(exc, (SwapError, WalletError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _refuses_replacement(exc: TxRejectedError) -> bool:
    """A node that does not replace (or not this one): `txn-mempool-conflict`, or a BIP125
    refusal such as `insufficient fee` for a replacement."""
    reason = exc.reason.lower()
    return "mempool-conflict" in reason or "replacement" in reason or "insufficient fee" in reason
