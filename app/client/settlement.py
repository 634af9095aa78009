"""Who settles the matches of this client: the swap engine, or nobody in this process.

`Settlement` is what the client asks of either: start after the stores are open, take new
matches, pass on what the counterparty did, abandon a revoked match, stop.

- `EngineSettlement` owns the swap engine (its one construction is in `start`): it resumes
  every pending swap at once, funds new matches (one init for several maker matches of an epoch,
  §9 case B), sends the engine's reports to the current DEX client, turns the engine's events
  into client events, and runs the housekeeping loop that adopts swaps stored by other
  processes. Only one process per data directory may do this (`settles`: the client takes the
  one-settler lock first).
- `NoSettlement` (the short-lived `trade` CLI, a second instance): matches are stored as
  `Matched` and the running daemon (`client run`) adopts them from the store.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from app.client.events import CoreError, Dispatcher, SwapRefund, SwapsResumed, SwapStep
from app.client.funding import (
    WalletFunding,
    init_inputs,
    lock_init_change,
    release_stale_swap_locks,
)
from app.client.resume_gate import ResumeGate
from app.dex.client import DexClient
from app.swap.block_watch import BlockWatch
from app.swap.engine import SwapEngine
from app.swap.errors import SwapError
from app.swap.keys import WalletKeys
from app.swap.messages import (
    CounterpartyInit,
    CounterpartyRedeem,
    InitReport,
    OutgoingMessage,
    SwapEvent,
    SwapStateChanged,
)
from app.swap.recovery import resume_all
from app.swap.states import REFUND_STAGES, Match, Matched, Role, Stage, ours_of
from app.swap.store import SwapStore
from app.wallet.session import OpenWallet

log = logging.getLogger(__name__)


class Settlement(Protocol):
    @property
    def settles(self) -> bool:
        """True when this process funds, redeems and refunds (one such process per datadir)."""
        ...

    async def start(self, keys: WalletKeys) -> None: ...

    async def stop(self) -> None: ...

    async def add_matches(self, matches: list[Match]) -> None:
        """Matches that passed the intake, stored nowhere yet."""
        ...

    def deliver(self, msg: CounterpartyInit | CounterpartyRedeem) -> None: ...

    async def abandon(self, match_id: str, reason: str) -> None:
        """The server revoked the match: stop it, unless something of ours is on chain."""
        ...


class NoSettlement:
    """Store matches for the daemon; settle nothing here."""

    settles = False

    def __init__(self, swaps: SwapStore) -> None:
        self.swaps = swaps

    async def start(self, keys: WalletKeys) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def add_matches(self, matches: list[Match]) -> None:
        for m in matches:
            self.swaps.create(Matched(m))

    def deliver(self, msg: CounterpartyInit | CounterpartyRedeem) -> None:
        return None

    async def abandon(self, match_id: str, reason: str) -> None:
        return None


class EngineSettlement:
    """The swap engine of this client and everything around it (see the module docstring).
    `dex` is a callable: a server switch replaces the DEX client the reports go to; `chores`
    runs on every housekeeping round after the adoption (order states, tracked matches)."""

    settles = True

    def __init__(
        self,
        wallet: OpenWallet,
        swaps: SwapStore,
        events: Dispatcher,
        fund_gate: ResumeGate,
        *,
        dex: Callable[[], DexClient],
        chores: Callable[[], Awaitable[None]],
        poll_interval: float = 1.0,
    ) -> None:
        self.wallet = wallet
        self.swaps = swaps
        self.events = events
        self.fund_gate = fund_gate
        self.dex = dex
        self.chores = chores
        self.poll_interval = poll_interval
        self.engine: SwapEngine | None = None
        self._blocks: BlockWatch | None = None
        self._adding: set[str] = set()  # matches being handed to the engine right now
        self._housekeeping: asyncio.Task[None] | None = None

    async def start(self, keys: WalletKeys) -> None:
        started = time.monotonic()
        # Every asset, with a node or not yet: the wallet's backends switch node in place.
        backends = {s: self.wallet.asset(s).backend for s in self.wallet.symbols()}
        funding = {s: WalletFunding(self.wallet.asset(s)) for s in backends}
        self.fund_gate.hold(self.swaps.pending())
        self.engine = SwapEngine(
            self.swaps,
            backends,
            funding,
            self._send_report,
            self._on_swap_event,
            poll_interval=self.poll_interval,
            rebroadcast_interval=10.0,
            keys=keys,
            fund_gate=self.fund_gate,
        )
        self._blocks = BlockWatch(backends, self.engine.wake)  # a block wakes its swaps
        self._blocks.start()
        self._release_stale_swap_locks()
        resumed = resume_all(self.engine)
        elapsed = int((time.monotonic() - started) * 1000)
        log.info("resumed %d pending swaps in %d ms", len(resumed), elapsed)
        self.events.emit(SwapsResumed(len(resumed), elapsed))
        self._housekeeping = asyncio.ensure_future(self._housekeep())

    async def stop(self) -> None:
        if self._housekeeping is not None:
            self._housekeeping.cancel()
            await asyncio.gather(self._housekeeping, return_exceptions=True)
        if self._blocks is not None:
            await self._blocks.stop()
        if self.engine is not None:
            await self.engine.stop()

    def _release_stale_swap_locks(self) -> None:
        pending = self.swaps.pending()
        inits = [ours.init.raw for ours in map(ours_of, pending) if ours is not None]
        reserved = init_inputs(inits)
        for symbol in self.wallet.config.nodes:
            released = release_stale_swap_locks(self.wallet.asset(symbol), reserved)
            if released:
                log.info(
                    "released %d %s coins locked for a swap that never funded", released, symbol
                )

    async def _housekeep(self) -> None:
        """Adopt swaps stored by other processes (the `trade` CLI), then the client's chores."""
        while True:
            await asyncio.sleep(self.poll_interval)
            try:
                if self.engine is not None:
                    running = set(self.engine.running())
                    for state in self.swaps.pending():
                        mid = state.match.match_id
                        if mid not in running and mid not in self._adding:
                            self.engine.start(mid)
                await self.chores()
            except Exception as exc:  # keep settling whatever one check hit
                log.exception("housekeeping failed")
                self.events.emit(CoreError("internal error", repr(exc)))

    # -- the engine's side --------------------------------------------------------------------
    async def _send_report(self, msg: OutgoingMessage) -> None:
        dex = self.dex()
        oid, mid = bytes.fromhex(msg.order_id), bytes.fromhex(msg.match_id)
        if isinstance(msg, InitReport):
            await dex.report_init(oid, mid, bytes.fromhex(msg.txid), msg.vout, msg.contract)
        else:
            await dex.report_redeem(oid, mid, bytes.fromhex(msg.txid), msg.vin, msg.secret)

    def _on_swap_event(self, event: SwapEvent) -> None:
        if isinstance(event, SwapStateChanged) and event.new is Stage.CONTRACT_PREPARED:
            self._lock_change(event.match_id)
        if isinstance(event, SwapStateChanged):
            self.events.emit(SwapStep(event.match_id, event.old, event.new, event.detail))
            if event.new in REFUND_STAGES:
                self.events.emit(SwapRefund(event.match_id, event.detail))
        else:
            self.events.emit(CoreError("swap problem", f"{event.match_id[:16]}: {event.message}"))

    def _lock_change(self, match_id: str) -> None:
        """Our init is stored, not yet sent: its change backs the rest of the order."""
        state = self.swaps.load(match_id)
        ours = ours_of(state) if state is not None else None
        if state is not None and ours is not None:
            m = state.match
            lock_init_change(self.wallet.asset(m.our_asset), ours.init, m.order_id)

    # -- the client's side --------------------------------------------------------------------
    async def add_matches(self, matches: list[Match]) -> None:
        engine = self.engine
        if engine is None:  # not started: stored, the start resumes them
            await NoSettlement(self.swaps).add_matches(matches)
            return
        # Stored as Matched before they are funded together: housekeeping must not start
        # their loops meanwhile (each would fund its match alone, beside the batch).
        ids = {m.match_id for m in matches}
        self._adding |= ids
        try:
            makers = [m for m in matches if m.role is Role.MAKER]
            others = [m for m in matches if m.role is not Role.MAKER]
            if len(makers) > 1:
                try:  # §9 case B: one init funds every maker contract of the epoch
                    await engine.add_batch(makers)
                except SwapError as exc:
                    log.info("matches not batched: %s", exc)
                    others += makers
            else:
                others += makers
            for m in others:
                await engine.add_match(m)
        finally:
            self._adding -= ids

    def deliver(self, msg: CounterpartyInit | CounterpartyRedeem) -> None:
        if self.engine is not None:
            self.engine.deliver(msg)

    async def abandon(self, match_id: str, reason: str) -> None:
        if self.engine is not None:
            await self.engine.abandon(match_id, reason)
