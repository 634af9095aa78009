"""The headless client: wallet + store + DEX connection + swap engine, one service per action.

    UI / CLI -> Client.place_order / cancel_order / ... -> wallet, dex, swap -> store (first)
             -> network;  events -> Client.events (one Dispatcher, typed app.client.events objects)

- Start: open the stores, resume every pending swap at once (settlement needs only the chains,
  so this happens before, and without, the DEX connection), then connect; `connect` and
  `match_status` answers are reconciled into the engine (counterparty contracts, secrets,
  matches we missed while away: app/client/dex_events.py, what the server sends).
- Orders: coins chosen and locked, the order stored, then sent (its ID is known up front).
- `match`: recorded and handed to the engine before the server gets our acknowledgement.
- `audit`/`redemption`: delivered to the engine; `revoke_match` is recorded and shown, and never
  stops a redeem or refund of what is already on chain.
- Settlement (app/client/settlement.py): `settle=True` gives an `EngineSettlement` (the swap
  engine, taken with the one-settler lock in `start`); `settle=False` (the short-lived `trade`
  CLI) a `NoSettlement`: matches that arrive are stored and the daemon adopts them.
- Parts (orders, registration, settlement, intake, dex_events) get the collaborators they
  use, never the client; the DEX client and its URL go to them as callables, since a switch
  replaces them.
- Settings apply live: the wallet's backends switch node in place (app/wallet/session.py), so
  the engine uses the new node from its next step; `switch_dex` moves to another server when
  no order is open and no swap is active (app/client/server_switch.py).
- Server time: the DEX client estimates the server's clock from every time it sees; each new
  estimate goes out as a `ServerTime` event (the epoch countdown follows it).
- A replaced DEX client's events are dropped here (`_new_client`); the current one's go to
  `DexEvents`, which starts its per-connection state over on each replacement.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.client import read_models
from app.client.dex_events import DexEvents
from app.client.errors import RegistrationFailed
from app.client.events import DexConnection, Dispatcher
from app.client.intake import MatchIntake
from app.client.matches import swap_keys
from app.client.order_store import OrderRecord, OrderStore
from app.client.orders import OrderService
from app.client.outbox import StoreOutbox
from app.client.read_models import SwapChain, WalletSnapshot
from app.client.registration import Confirm, Registration, register_until_done
from app.client.restore import resume_restore_scan
from app.client.resume_gate import ResumeGate
from app.client.server_identity import ServerIdentity
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
from app.dex.errors import DexNotReady
from app.dex.events import Event
from app.fileio import atomic_write
from app.swap.errors import NothingToRefund, SwapError
from app.swap.export import export_json
from app.swap.refund_now import refund_now
from app.swap.store import SwapStore
from app.wallet.backends.cert_pins import CertChange
from app.wallet.coins import SignedTx
from app.wallet.fees import FeePolicy, FeeQuote, FeeSpeed, fee_rate
from app.wallet.restore_scan import ProgressFn
from app.wallet.session import OpenWallet
from dexproto.marketdata import Candle, Trade
from dexproto.messages import ConfigResult

if TYPE_CHECKING:
    from app.wallet.chain_status import ChainStatus

log = logging.getLogger(__name__)


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
        self._tasks: list[asyncio.Task[None]] = []
        self._register_lock = asyncio.Lock()  # one registration (one fee payment) at a time
        self.dex_events = DexEvents(
            self.events,
            self.intake,
            self.settlement,
            self.orders,
            self.swaps,
            self.identity,
            self.fund_gate,
            network=wallet.config.network.value,
            spawn=self._spawn,
            dex=lambda: self.dex,
            dex_url=lambda: self.dex_url,
        )
        self.dex = self._new_client()  # last: its events go to the parts above

    # -- life cycle -----------------------------------------------------------------------
    def _new_client(self) -> DexClient:
        def on_event(event: Event) -> None:
            if client is self.dex:  # a replaced client's last words (its close) are no news
                self.dex_events.on_event(event)

        url = self.dex_url
        client = DexClient(
            ConnectionOptions(url),
            account_secret=self._account_key,
            outbox=self.outbox,
            on_event=on_event,
            on_server_request=self.dex_events.on_server_request,
            pinned_key=lambda: self.identity.pinned_key(url),
        )
        return client

    async def _replace_client(self) -> DexClient:
        """A fresh connection to `self.dex_url`; the old one is closed after the switch."""
        old, self.dex = self.dex, self._new_client()
        self.dex_events.client_replaced()
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
            raise DexNotReady("The DEX server sent no configuration.")
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
                raise RegistrationFailed(
                    "the server still refuses `connect` after the fee was paid"
                )
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

    def publish_server_time(self) -> None:
        """Emit the server clock estimate when the client learned something new about it."""
        self.dex_events.publish_server_time()

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
