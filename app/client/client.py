"""The headless client: wallet + store + DEX connection + swap engine, one service per action.

    UI / CLI -> Client.place_order / cancel_order / ... -> wallet, dex, swap -> store (first)
             -> network;  events -> Client.events (one Dispatcher, typed app.client.events objects)

- Start: open the stores, resume every pending swap at once (settlement needs only the chains,
  so this happens before, and without, the DEX connection), then connect; `connect` and
  `match_status` answers are reconciled into the engine (counterparty contracts, secrets,
  matches we missed while away).
- Orders: coins chosen and locked, the order stored, then sent (its ID is known up front).
- `match`: recorded and handed to the engine before the server gets our acknowledgement.
- `audit`/`redemption`: delivered to the engine; `revoke_match` is recorded and shown, and never
  stops a redeem or refund of what is already on chain.
- Settlement (app/client/settlement.py): `settle=True` gives an `EngineSettlement` (the swap
  engine, taken with the one-settler lock in `start`); `settle=False` (the short-lived `trade`
  CLI) a `NoSettlement`: matches that arrive are stored and the daemon adopts them.
- Parts (orders, registration, settlement, intake) get the collaborators they use, never the
  client; the DEX client and its URL go to them as callables, since a switch replaces them.
- Settings apply live: the wallet's backends switch node in place (app/wallet/session.py), so
  the engine uses the new node from its next step; `switch_dex` moves to another server when
  no order is open and no swap is active (app/client/server_switch.py).
- Server time: the DEX client estimates the server's clock from every time it sees; each new
  estimate goes out as a `ServerTime` event (the epoch countdown follows it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.client import read_models
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
from app.client.intake import MatchIntake
from app.client.matches import (
    MatchInfo,
    audit_message,
    redemption_message,
    state_messages,
    swap_keys,
)
from app.client.order_store import OrderRecord, OrderStore
from app.client.orders import OrderService
from app.client.outbox import StoreOutbox
from app.client.read_models import SwapChain, WalletSnapshot
from app.client.registration import Confirm, Registration, register_until_done
from app.client.restore import resume_restore_scan
from app.client.resume_gate import ResumeGate
from app.client.server_identity import ServerIdentity, key_changed_reason
from app.client.server_switch import (
    DexSwitchRefused,
    SwitchBlockers,
    switch_blockers,
    switch_until_registered,
)
from app.client.settlement import EngineSettlement, NoSettlement, Settlement
from app.client.settler_lock import SettlerLock
from app.client.swap_rows import SwapRow
from app.config import AppConfig
from app.dex.client import DexClient
from app.dex.connection import ConnectionOptions
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
from app.fileio import atomic_write
from app.safety.server_terms import server_problem
from app.swap.errors import NothingToRefund
from app.swap.export import export_json
from app.swap.refund_now import refund_now
from app.swap.states import Match
from app.swap.store import SwapStore
from app.wallet.backends.cert_pins import CertChange
from app.wallet.coins import SignedTx
from app.wallet.fees import FeePolicy, FeeQuote, FeeSpeed, fee_rate
from app.wallet.restore_scan import ProgressFn
from app.wallet.session import OpenWallet
from dexproto.errors import DexError, ErrorCode, SwapError
from dexproto.marketdata import Candle, Trade
from dexproto.messages import ConfigResult, MatchNote, MatchState, MatchStatus

if TYPE_CHECKING:
    from app.wallet.chain_status import ChainStatus

log = logging.getLogger(__name__)
NOT_REGISTERED_YET = (ErrorCode.UNKNOWN_ACCOUNT, ErrorCode.FEE_NOT_PAID)


class Client:
    def __init__(
        self,
        wallet: OpenWallet,
        *,
        dex_url: str | None = None,
        settle: bool = True,
        poll_interval: float = 1.0,
        server_index: int | None = None,
    ) -> None:
        self.wallet = wallet
        self.dex_url = dex_url or wallet.config.dex_url
        self.poll_interval = poll_interval
        self.events = Dispatcher()
        self.order_store = OrderStore(wallet.store)
        self.outbox = StoreOutbox(wallet.store)
        self.swaps = SwapStore(wallet.store)
        self.identity = ServerIdentity(wallet.store)  # pinned server keys, account indexes
        if server_index is None:
            server_index = self.identity.account_index(self.dex_url)
        self._account_key = wallet.hd.dex_account_key(server_index)
        self.fund_gate = ResumeGate()  # unfunded taker swaps resumed at start wait for the DEX
        self.dex = self._new_client()
        self.orders = OrderService(
            wallet,
            self.order_store,
            self.swaps,
            self.events,
            dex=lambda: self.dex,
            dex_url=lambda: self.dex_url,
            ready=self.ready,
            publish_server_time=self.publish_server_time,
        )
        self.registration = Registration(
            wallet, lambda: self.dex, lambda: self.dex_url, self.events
        )
        self.intake = MatchIntake(wallet, self.order_store)
        self.settlement: Settlement = (
            EngineSettlement(
                wallet,
                self.swaps,
                self.events,
                self.fund_gate,
                dex=lambda: self.dex,
                chores=self._chores,
                poll_interval=poll_interval,
            )
            if settle
            else NoSettlement(self.swaps)
        )
        self.settler_lock = SettlerLock(wallet.datadir)
        self._server_refusals: set[tuple[str, str]] = set()  # (url, problem) told the user
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribed = False
        self._register_lock = asyncio.Lock()  # one registration (one fee payment) at a time
        self._time_samples = 0  # server clock samples already published

    # -- life cycle -----------------------------------------------------------------------
    def _new_client(self) -> DexClient:
        def on_event(event: Event) -> None:
            if client is self.dex:  # a replaced client's last words (its close) are no news
                self.publish_server_time()  # the client noted the event's server time first
                self._on_dex_event(event)

        url = self.dex_url
        client = DexClient(
            ConnectionOptions(url),
            account_secret=self._account_key,
            outbox=self.outbox,
            on_event=on_event,
            on_server_request=self._on_server_request,
            pinned_key=lambda: self.identity.pinned_key(url),
        )
        return client

    async def _replace_client(self) -> DexClient:
        """A fresh connection to `self.dex_url`; the old one is closed after the switch."""
        old, self.dex = self.dex, self._new_client()
        self._subscribed = False
        self._time_samples = 0
        await old.close()
        self._track_pending()
        self.dex.start()
        return self.dex

    async def start(self) -> None:
        if self.settlement.settles:  # before anything is adopted or funded (raises SettlerBusy)
            self.settler_lock.acquire()
        keys = swap_keys(self.wallet, self.swaps)  # takes old records' clear keys over first
        await self.settlement.start(keys)  # settling needs only the chains: before the DEX
        self._track_pending()
        self.dex.start()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.settlement.stop()
        await self.dex.close()
        self.settler_lock.release()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self._tasks.append(asyncio.ensure_future(coro))

    async def ready(self, timeout: float = 30.0) -> ConfigResult:
        """Wait for the DEX connection; the server's configuration."""
        await self.dex.wait_ready(timeout)
        if self.dex.config is None:
            raise DexError("no configuration from the server")
        return self.dex.config

    async def ensure_registered(
        self, timeout: float = 120.0, *, confirm: Confirm | None = None
    ) -> None:
        """Register and pay the fee unless `connect` already works; then reconnect. The fee
        is paid only as advertised and only when `confirm` says yes (app/client/registration.py);
        else RegistrationRefused."""
        await self.ready(timeout)  # outside the lock: a dead server must not hold a switch
        if self.dex.account is not None:
            return
        async with self._register_lock:
            current = self.dex
            if current.account is not None:  # registered by another caller meanwhile
                return
            await self.registration.register_account(timeout, confirm)
            if current.config is not None:  # the key that signed the registration
                self.identity.pin_first(self.dex_url, current.config.pubkey)
            client = await self._replace_client()
            await self.ready(timeout)
            if client.account is None:
                raise DexError("the server still refuses `connect` after the fee was paid")
            self.events.emit(DexConnection(True, "registered and connected"))

    async def switch_dex(
        self, url: str, timeout: float = 120.0, *, confirm: Confirm | None = None
    ) -> None:
        """Move to the DEX server at `url`: disconnect, connect there, register if needed
        (books are subscribed again on connect). Raises DexSwitchRefused, staying on the
        current server, while orders are open or swaps active; other errors (the new server
        unreachable) leave us on `url`, reconnecting in the background."""
        if url == self.dex_url:
            return
        async with self._register_lock:
            blockers = self.switch_blockers()
            if blockers:
                raise DexSwitchRefused(blockers)
            log.info("switching DEX server to %s", url)
            self.dex_url = url
            self._account_key = self.wallet.hd.dex_account_key(self.identity.account_index(url))
            await self._replace_client()
        await self.ensure_registered(timeout, confirm=confirm)

    async def register_until_done(
        self, confirm: Confirm | None, on_error: Callable[[BaseException], None] | None = None
    ) -> bool:
        """Register, retrying passing failures while `dex_url` stays; False when refused."""
        return await register_until_done(
            lambda c: self.ensure_registered(confirm=c),
            lambda: self.dex_url,
            self.events,
            confirm,
            on_error,
        )

    async def switch_server(
        self, url: str, confirm: Confirm | None, on_error: Callable[[BaseException], None]
    ) -> bool:
        """`switch_dex` to `url`, then the registration retries there while it fails for a
        passing reason (app/client/server_switch.py); raises DexSwitchRefused and
        RegistrationRefused."""
        return await switch_until_registered(
            lambda: self.switch_dex(url, confirm=confirm),
            lambda: self.register_until_done(confirm, on_error),
            on_error,
        )

    def switch_blockers(self) -> SwitchBlockers:
        """What keeps us on the current server now (none: `switch_dex` may go)."""
        return switch_blockers(self.order_store, self.swaps, self.outbox)

    def _track_pending(self) -> None:
        self.dex.track_matches(
            [
                (bytes.fromhex(s.match.match_id), bytes.fromhex(s.match.order_id))
                for s in self.swaps.pending()
            ]
        )

    async def _chores(self) -> None:
        """Each housekeeping round of the settlement: follow the tracked matches and orders."""
        self._track_pending()
        await self.orders.refresh()
        self.orders.release_finished()

    # -- DEX side ---------------------------------------------------------------------------
    async def _on_server_request(self, event: Event) -> dict[bytes, str] | None:
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
        config = self.dex.config
        if config is None:
            raise DexError("match before the server configuration")
        intake = await self.intake.take([MatchInfo.of(n) for n in notes], config, self.dex_url)
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
        samples = self.dex.server_clock.samples
        if samples != self._time_samples:
            self._time_samples = samples
            self.events.emit(ServerTime(self.dex.server_now()))

    def _on_dex_event(self, event: Event) -> None:
        if isinstance(event, BookUpdated):  # the hot path first: many per second
            self.events.emit(BookChanged(event.market, event.delta))
        elif isinstance(event, Connected):
            self.events.emit(DexConnection(True, event.url))
            problem = server_problem(event.config, self.wallet.config.network.value)
            if problem is not None:
                self._refuse_server(problem)
            if event.account is not None:
                self.identity.pin_first(event.url, event.config.pubkey)  # an account: pin
                self._spawn(self._reconcile(event.account.matches))
            if not self._subscribed:
                self._subscribed = True
                self._spawn(self._subscribe_all(event.config))
        elif isinstance(event, MatchStatuses):
            self._spawn(self._reconcile(event.states))
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
        if (self.dex_url, problem) not in self._server_refusals:
            self._server_refusals.add((self.dex_url, problem))
            log.warning("not trading on %s: %s", self.dex_url, problem)
            self.events.emit(ServerRefused(self.dex_url, f"not trading on this server: {problem}"))

    def _epoch_checked(self, event: FairnessChecked) -> EpochChecked:
        """The fairness check of an epoch that held our orders, named for the user."""
        report = event.report
        config = self.dex.config
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
                await self.dex.subscribe(market.base, market.quote)
            except DexError as exc:  # re-subscribed after the next reconnect anyway
                log.info("subscribe %s: %s", market.name, exc)

    async def _reconcile(self, states: tuple[MatchState, ...]) -> None:
        """The server's view after (re)connecting: adopt matches we missed, pass on what the
        counterparty did while we were away. Our own chain observations stay authoritative."""
        missing = [
            s
            for s in states
            if self.swaps.load(s.matchid.hex()) is None and s.status is not MatchStatus.REVOKED
        ]
        adoptable = tuple(s for s in missing if _before_our_funding(s))
        for s in missing:
            if not _before_our_funding(s):  # we would fund a second time what we never knew
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

    # -- user actions (UI/CLI) ---------------------------------------------------------------
    async def place_order(
        self,
        market: str,
        side: str,
        otype: str,
        quantity: int,
        rate: int = 0,
        tif: str = "standing",
    ) -> str:
        return await self.orders.place(market, side, otype, quantity, rate, tif)

    async def cancel_order(self, order_id: str) -> None:
        await self.orders.cancel(order_id)

    async def refund_now(self, match_id: str) -> str:
        """Broadcast the swap's presigned refund now; its txid. Refused (RefundRefused,
        app/swap/refund_now.py) when there is nothing to refund, the lock time has not passed
        or our contract is already spent. The engine sees the spend and finishes the swap."""
        state = self.swaps.load(match_id)
        if state is None:
            raise NothingToRefund(f"nothing to refund: no swap {match_id[:16]} in this wallet")
        return await refund_now(state, self.wallet.asset(state.match.our_asset).backend)

    async def send(self, symbol: str, address: str, amount: int, fee_rate: int) -> SignedTx:
        """Pay `amount` atoms of `symbol` to `address` at `fee_rate` atoms/vB: signed,
        recorded, then broadcast (AssetWallet.send)."""
        return await self.wallet.asset(symbol).send(address, amount, fee_rate)

    async def fee_quote(self, symbol: str, speed: FeeSpeed) -> FeeQuote:
        """The fee rate of `speed` on `symbol`'s chain (the node's estimate, or the policy's
        default when it has none)."""
        aw = self.wallet.asset(symbol)
        return await fee_rate(aw.backend, FeePolicy.for_asset(aw.asset), speed)

    async def preview_payment(
        self, symbol: str, address: str, amount: int, fee_rate: int
    ) -> SignedTx:
        """The payment `send` would broadcast, signed but not sent (its exact fee)."""
        return await self.wallet.asset(symbol).create_payment(address, amount, fee_rate)

    async def chain_tip(self, symbol: str) -> int:
        """The height of `symbol`'s chain tip as its backend sees it."""
        return (await self.wallet.asset(symbol).backend.tip()).height

    async def apply_settings(self, config: AppConfig) -> list[str]:
        """Use `config` from now on: each changed node replaces its chain's backend in place
        (the engine's next step uses it); the changed chains. The DEX server moves with
        `switch_dex`, which may refuse."""
        return await self.wallet.apply_config(config)

    def export_swap(self, match_id: str, path: Path) -> None:
        """Write the swap's export file (app/swap/export.py), mode 0600: it holds the signed
        refund and the sealed secret."""
        state = self.swaps.load(match_id)
        if state is None:
            raise SwapError(f"no swap {match_id[:16]} in this wallet")
        atomic_write(path, export_json(state))

    async def trades(self, market: str) -> list[Trade]:
        """The market's recent trades (oldest first) from the server."""
        base, _, quote = market.partition("_")
        return await self.dex.trades(base, quote)

    async def candles(self, market: str, bin_name: str) -> list[Candle]:
        base, _, quote = market.partition("_")
        return await self.dex.candles(base, quote, bin_name)

    async def accept_server_key(self, url: str | None = None) -> bytes:
        """The user trusts the changed key that `url` (default: ours) was refused for: pin
        it (NoKeyToAccept if none was refused) and reconnect now if it is our server."""
        url = url or self.dex_url
        key = self.identity.accept(url)
        if url == self.dex_url:
            async with self._register_lock:
                await self._replace_client()
        return key

    def swap_states(self) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for mid in self.swaps.all_ids():
            state = self.swaps.load(mid)
            if state is not None:
                out.append(
                    {
                        "match_id": mid,
                        "order_id": state.match.order_id,
                        "role": state.match.role.value,
                        "state": type(state).__name__,
                    }
                )
        return out

    # -- read models for the views (app/client/read_models.py) ----------------------------------
    def swap_rows(self) -> list[SwapRow]:
        return read_models.swap_rows(self.swaps)

    def swap_row(self, match_id: str) -> SwapRow | None:
        return read_models.one_swap_row(self.swaps, match_id)

    async def swap_chain(self, rows: list[SwapRow]) -> SwapChain:
        return await read_models.swap_chain(rows, lambda s: self.wallet.asset(s).backend)

    def order_rows(self) -> list[OrderRecord]:
        return self.order_store.all()

    async def wallet_snapshot(self, symbol: str) -> WalletSnapshot:
        """One chain scan of `symbol`: raises NoNodeConfiguredError, BackendError, OSError."""
        return await read_models.wallet_snapshot(self.wallet.asset(symbol), self.swaps)

    def known_addresses(self, symbol: str) -> int:
        """How many of `symbol`'s addresses the wallet watches (the first read's progress)."""
        return len(self.wallet.asset(symbol).known_scripts())

    async def restore_scan(self, symbols: list[str], progress: ProgressFn) -> bool:
        """A restored wallet's pending address discovery (app/client/restore.py)."""
        return await resume_restore_scan(self.wallet, symbols, progress)

    async def chain_status(self, symbol: str) -> ChainStatus:
        """How `symbol`'s chain is reached now (Settings shows it per chain)."""
        from app.wallet.chain_status import chain_status

        aw = self.wallet.asset(symbol)
        return await chain_status(symbol, aw.backend if aw.has_backend else None)

    def trust_certificate(self, symbol: str, change: CertChange) -> None:
        """Pin the certificate an Electrum server of `symbol` was refused for (the user
        compared its fingerprint with the operator's); the server is asked again."""
        from app.wallet.chain_status import trust_certificate

        aw = self.wallet.asset(symbol)
        trust_certificate(symbol, aw.backend if aw.has_backend else None, change)


def _before_our_funding(state: MatchState) -> bool:
    """A match the server reports that we could not have funded yet: newly matched, or the
    maker's contract out while we are the taker."""
    return state.status is MatchStatus.NEWLY_MATCHED or (
        state.status is MatchStatus.MAKER_SWAP_CAST and state.side.value == "taker"
    )


async def run_until_stopped(
    client: Client, stop: asyncio.Event, confirm: Confirm | None = None
) -> None:
    """Start `client`, register in the background (the fee only if `confirm` says yes), settle
    until `stop` is set."""
    await client.start()
    task = asyncio.ensure_future(client.register_until_done(confirm))
    try:
        await stop.wait()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await client.stop()
