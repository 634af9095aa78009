"""What the client does with what the DEX server sends: its requests and its events.

- Server requests (`on_server_request`) are awaited before our acknowledgement goes out, so
  they are persisted first (rule 2): `match` goes through the intake (app/client/intake.py)
  into the settlement, refused notes answered with an error; `audit` / `redemption` go to the
  settlement; `revoke_match` is recorded on the order, shown, and the swap abandoned unless
  something of ours is on chain.
- Events (`on_event`): book deltas, the connection, the server's terms checked on every
  `connect` (a server we refuse is told once per server and problem), the key pin, the
  fairness check of epochs that held our orders, protocol violations; a `connect` or
  `match_status` answer is reconciled into the engine (`reconcile`).
- Server time: each new estimate of the server's clock goes out as a `ServerTime` event.

`DexEvents` gets the collaborators it uses, never the client; the current DEX client and its
URL come as callables, since a server switch replaces them (`client_replaced` then starts the
per-connection state over).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Protocol

from app.client.events import (
    BookChanged,
    CoreError,
    DexConnection,
    Dispatcher,
    EpochChecked,
    MatchRefused,
    MatchRevokedByServer,
    OrderMatched,
    ServerRefused,
    ServerTime,
)
from app.client.intake import Intake
from app.client.matches import MatchInfo, audit_message, redemption_message, state_messages
from app.client.resume_gate import ResumeGate
from app.client.server_identity import ServerIdentity, key_changed_reason
from app.client.settlement import Settlement
from app.dex.errors import DexClientError, DexNotReady
from app.dex.events import (
    AuditReceived,
    BookUpdated,
    ClientError,
    Connected,
    Disconnected,
    Event,
    FairnessChecked,
    MatchReceived,
    MatchRevoked,
    MatchStatuses,
    ProtocolViolation,
    RedemptionReceived,
    ServerKeyRefused,
)
from app.dex.orderbook import OrderBookMirror
from app.dex.server_clock import ServerClock
from app.errors import log_text
from app.safety.server_terms import server_problem
from app.swap.states import Match
from app.swap.store import SwapStore
from dexproto.errors import ErrorCode
from dexproto.messages import ConfigResult, MatchNote, MatchState, MatchStatus

log = logging.getLogger(__name__)
NOT_REGISTERED_YET = (ErrorCode.UNKNOWN_ACCOUNT, ErrorCode.FEE_NOT_PAID)
Spawn = Callable[[Coroutine[Any, Any, None]], None]


class DexView(Protocol):
    """What the event handling uses of the current DEX client (app/dex/client.py)."""

    server_clock: ServerClock

    @property
    def config(self) -> ConfigResult | None: ...

    def server_now(self) -> int: ...

    async def subscribe(self, base: str, quote: str) -> OrderBookMirror: ...


class MatchTaker(Protocol):
    """The match intake (app/client/intake.py MatchIntake)."""

    async def take(
        self, infos: Sequence[MatchInfo], config: ConfigResult, dex_url: str
    ) -> Intake: ...


class RevokedMatches(Protocol):
    """The order service (app/client/orders.py): a revoked match leaves its order's fill."""

    def match_revoked(self, match_id: str) -> None: ...


class DexEvents:
    def __init__(
        self,
        events: Dispatcher,
        intake: MatchTaker,
        settlement: Settlement,
        orders: RevokedMatches,
        swaps: SwapStore,
        identity: ServerIdentity,
        fund_gate: ResumeGate,
        *,
        network: str,
        spawn: Spawn,
        dex: Callable[[], DexView],
        dex_url: Callable[[], str],
    ) -> None:
        self.events = events
        self.intake = intake
        self.settlement = settlement
        self.orders = orders
        self.swaps = swaps
        self.identity = identity
        self.fund_gate = fund_gate
        self.network = network  # the wallet's; an open wallet's network never changes
        self.spawn = spawn
        self.dex = dex
        self.dex_url = dex_url
        self._server_refusals: set[tuple[str, str]] = set()  # (url, problem) told the user
        self._subscribed = False
        self._time_samples = 0  # server clock samples already published

    def client_replaced(self) -> None:
        """A new DEX client: subscribe its books on connect, publish its first clock sample."""
        self._subscribed = False
        self._time_samples = 0

    async def on_server_request(self, event: Event) -> dict[bytes, str] | None:
        """Awaited before our acknowledgement goes out: persist first (rule 2). For a `match`
        request, the notes we refuse (answered with an error, never our signature)."""
        if isinstance(event, MatchReceived):
            refused = await self._take_matches(event.matches)
            return {bytes.fromhex(mid): why for mid, why in refused.items()}
        if isinstance(event, AuditReceived):
            self.settlement.deliver(audit_message(event.audit))
        elif isinstance(event, RedemptionReceived):
            self.settlement.deliver(redemption_message(event.redemption))
        elif isinstance(event, MatchRevoked):
            r = event.revoke
            self.orders.match_revoked(r.matchid.hex())
            self.events.emit(MatchRevokedByServer(r.matchid.hex(), r.orderid.hex()))
            # Stops it only if nothing of ours is on chain.
            await self.settlement.abandon(r.matchid.hex(), "match revoked by the server")
        return None

    async def _take_matches(
        self, notes: tuple[MatchNote, ...] | tuple[MatchState, ...]
    ) -> dict[str, str]:
        """Check, record and settle the server's matches (app/client/intake.py); returns the
        refused ones (match ID -> reason), each also shown to the user."""
        config = self.dex().config
        if config is None:
            raise DexNotReady("A match came before the DEX server's configuration.")
        intake = await self.intake.take([MatchInfo.of(n) for n in notes], config, self.dex_url())
        for mid, (oid, reason) in intake.refused.items():
            self.events.emit(MatchRefused(oid, mid, reason))
        fresh: list[Match] = []
        for taken in intake.taken:
            match, info = taken.match, taken.info
            if self.swaps.load(match.match_id) is None:
                fresh.append(match)
                self.events.emit(
                    OrderMatched(
                        match.order_id, match.match_id, info.side, info.quantity, info.rate
                    )
                )
        await self.settlement.add_matches(fresh)
        return {mid: reason for mid, (_, reason) in intake.refused.items()}

    def publish_server_time(self) -> None:
        """Emit the server clock estimate when the client learned something new about it."""
        dex = self.dex()
        samples = dex.server_clock.samples
        if samples != self._time_samples:
            self._time_samples = samples
            self.events.emit(ServerTime(dex.server_now()))

    def on_event(self, event: Event) -> None:
        """An event of the current DEX client, which noted the event's server time first."""
        self.publish_server_time()
        self.on_dex_event(event)

    def on_dex_event(self, event: Event) -> None:
        if isinstance(event, BookUpdated):  # the hot path first: many per second
            self.events.emit(BookChanged(event.market, event.delta))
        elif isinstance(event, Connected):
            self.events.emit(DexConnection(True, event.url))
            problem = server_problem(event.config, self.network)
            if problem is not None:
                self._refuse_server(problem)
            if event.account is not None:
                self.identity.pin_first(event.url, event.config.pubkey)  # an account: pin
                self.spawn(self.reconcile(event.account.matches))
            if not self._subscribed:
                self._subscribed = True
                self.spawn(self._subscribe_all(event.config))
        elif isinstance(event, MatchStatuses):
            self.spawn(self.reconcile(event.states))
        elif isinstance(event, FairnessChecked) and event.our_orders:
            self.events.emit(self._epoch_checked(event))
        elif isinstance(event, Disconnected):
            self.events.emit(DexConnection(False, event.reason))
        elif isinstance(event, ClientError):
            if event.code in NOT_REGISTERED_YET:
                # `connect` before registration or before the fee confirms: ensure_registered
                # deals with it and reports its own failure, so this is no error to show.
                log.info("connect refused: %s", event.detail)
                return
            self.events.emit(CoreError(event.message, event.detail))
        elif isinstance(event, ServerKeyRefused):
            if self.identity.note_refused(event.url, event.offered):  # once, not per retry
                reason = key_changed_reason(event.pinned, event.offered)
                self.events.emit(ServerRefused(event.url, reason))
        elif isinstance(event, ProtocolViolation):
            if event.method == "assets":  # a configuration we cannot even read (§4)
                self._refuse_server(f"its configuration is invalid: {event.detail}")
            self.events.emit(
                CoreError("the DEX server broke the protocol", f"{event.method}: {event.detail}")
            )

    def _refuse_server(self, problem: str) -> None:
        """Tell the user once per server and problem (the link retries every few seconds)."""
        url = self.dex_url()
        if (url, problem) not in self._server_refusals:
            self._server_refusals.add((url, problem))
            log.warning("not trading on %s: %s", url, problem)
            self.events.emit(ServerRefused(url, f"not trading on this server: {problem}"))

    def _epoch_checked(self, event: FairnessChecked) -> EpochChecked:
        """The fairness check of an epoch that held our orders, named for the user."""
        report = event.report
        config = self.dex().config
        market = (
            next(
                (m.name for m in config.markets if m.marketid == report.marketid),
                str(report.marketid),
            )
            if config is not None
            else str(report.marketid)
        )
        problems = tuple(dict.fromkeys(i.problem.value.replace("_", " ") for i in report.issues))
        if problems:
            log.warning(
                "epoch %d of %s failed the fairness check: %s",
                report.epoch,
                market,
                ", ".join(problems),
            )
        return EpochChecked(market, report.epoch, problems)

    async def _subscribe_all(self, config: ConfigResult) -> None:
        for market in config.markets:
            try:
                await self.dex().subscribe(market.base, market.quote)
            except DexClientError as exc:  # re-subscribed after the next reconnect anyway
                log.info("subscribe %s: %s", market.name, log_text(exc))

    async def reconcile(self, states: tuple[MatchState, ...]) -> None:
        """The server's view after (re)connecting: adopt matches we missed, pass on what the
        counterparty did while we were away. Our own chain observations stay authoritative."""
        missing = [
            s
            for s in states
            if self.swaps.load(s.matchid.hex()) is None and s.status is not MatchStatus.REVOKED
        ]
        adoptable = tuple(s for s in missing if before_our_funding(s))
        for s in missing:
            if not before_our_funding(s):  # we would fund a second time what we never knew
                self.events.emit(
                    MatchRefused(
                        s.orderid.hex(),
                        s.matchid.hex(),
                        f"the server reports this match at "
                        f"{s.status.value.replace('_', ' ')}, a step this wallet never took: "
                        "nothing is funded for it",
                    )
                )
        if adoptable and self.settlement.settles:
            await self._take_matches(adoptable)
        self.fund_gate.confirmed(
            s.matchid.hex() for s in states if s.status is not MatchStatus.REVOKED
        )
        for s in states:
            if s.status.value == "revoked":
                self.fund_gate.revoked(s.matchid.hex())
                self.orders.match_revoked(s.matchid.hex())
                if self.swaps.load(s.matchid.hex()) is not None:
                    await self.settlement.abandon(s.matchid.hex(), "match revoked by the server")
            for msg in state_messages(s):
                self.settlement.deliver(msg)


def before_our_funding(state: MatchState) -> bool:
    """A match the server reports that we could not have funded yet: newly matched, or the
    maker's contract out while we are the taker."""
    return state.status is MatchStatus.NEWLY_MATCHED or (
        state.status is MatchStatus.MAKER_SWAP_CAST and state.side.value == "taker"
    )
