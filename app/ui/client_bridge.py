"""Client events -> Qt signals, and UI actions -> core calls scheduled on the qasync loop.

The one place where app/ui touches the headless client (app/client/). Widgets connect to
the signals here and call the action methods; nothing in the engine knows about Qt. Actions never
block the UI: each becomes a task on the running asyncio loop and reports back by signal.

Registration: `confirm` answers the core's registration-fee question (by default the
confirmation dialog, app/ui/regfee_dialog.py; the simnet launcher sets its own policy); the
retries live in the core (`Client.register_until_done`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from app.client.events import (
    BookChanged,
    CoreError,
    CoreEvent,
    DexConnection,
    EpochChecked,
    MatchRefused,
    MatchRevokedByServer,
    OrderBooked,
    OrderFinished,
    OrderMatched,
    OrderPlaced,
    ServerRefused,
    ServerTime,
    SwapRefund,
    SwapsResumed,
    SwapStep,
)
from app.client.registration import Confirm
from app.dex.connection import NotConnected, RequestTimeout
from app.swap.errors import RefundRefused, RefundTooEarly
from app.trading.orderform import OrderRequest
from app.ui.qt import QObject, QWidget, Signal
from app.ui.regfee_dialog import RegistrationConfirm
from app.wallet.errors import WalletError
from dexproto.errors import DexError, RemoteError
from dexproto.messages import ConfigResult

if TYPE_CHECKING:
    from app.client.client import Client

log = logging.getLogger("cambio.ui")


class ClientBridge(QObject):
    dex_connection = Signal(bool, str)  # connected, detail
    registered = Signal()
    config_ready = Signal(object)  # ConfigResult
    order_event = Signal(object)  # OrderPlaced | OrderBooked | OrderMatched | OrderFinished ...
    matched = Signal(object)  # OrderMatched
    swap_step = Signal(object)  # SwapStep
    swap_refund = Signal(object)  # SwapRefund
    swaps_resumed = Signal(int)
    error = Signal(str, str)  # user message, detail
    order_failed = Signal(str)  # user message, shown inline by the order form
    order_placed = Signal(str)  # order id
    # market name ("ltc_btc"), BookDelta or None (None: reloaded from a snapshot)
    book_changed = Signal(str, object)
    server_time = Signal(object)  # ms (a Python int: may not fit a C++ int)
    refund_sent = Signal(str, str)  # match id, txid
    match_refused = Signal(object)  # MatchRefused: shown, never silent (app/ui/safety_notices)
    server_refused = Signal(object)  # ServerRefused: banner + notification, nothing was paid
    epoch_checked = Signal(object)  # EpochChecked
    server_key_changed = Signal(str, str, str)  # url, pinned and new key prefixes
    server_needed = Signal()  # the wallet names no DEX server: ask the user for one

    def __init__(self, core: Client, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.core = core
        self.config: ConfigResult | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._unsubscribe = core.events.subscribe(self._on_event)
        # Asked before any registration fee is paid; None would refuse every fee.
        self.confirm: Confirm | None = RegistrationConfirm(
            parent if isinstance(parent, QWidget) else None)

    # -- life cycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the core (pending swaps resume first), then register and connect."""
        await self.core.start()
        self.spawn(self._register())

    async def stop(self) -> None:
        self._unsubscribe()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.core.stop()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _register(self) -> None:
        if not self.core.dex.configured:  # a wallet made without a server (`wallet create`)
            self.server_needed.emit()
            return
        if await self.core.register_until_done(self.confirm, self._register_failed):
            self.registered.emit()
        self._check_config()

    def _register_failed(self, exc: BaseException) -> None:
        self.error.emit(self.tr("Cannot register with the DEX server yet"), str(exc))

    def _check_config(self) -> None:
        config = self.core.dex.config
        if config is not None and config is not self.config:
            self.config = config
            self.config_ready.emit(config)

    # -- events -------------------------------------------------------------------------------
    def _on_event(self, event: CoreEvent) -> None:
        if isinstance(event, BookChanged):  # the hot path: one per book notification
            self.book_changed.emit(event.market, event.delta)
        elif isinstance(event, ServerTime):
            self.server_time.emit(event.ms)
        elif isinstance(event, DexConnection):
            self.dex_connection.emit(event.connected, event.detail)
            if event.connected:
                self._check_config()
        elif isinstance(event, SwapStep):
            self.swap_step.emit(event)
        elif isinstance(event, SwapRefund):
            self.swap_refund.emit(event)
        elif isinstance(event, SwapsResumed):
            self.swaps_resumed.emit(event.count)
        elif isinstance(event, CoreError):
            self.error.emit(event.message, event.detail)
        elif isinstance(event, ServerRefused):
            self._on_server_refused(event)
        elif isinstance(event, OrderMatched):
            self.matched.emit(event)
            self.order_event.emit(event)
        elif isinstance(event, MatchRefused):
            self.match_refused.emit(event)
        elif isinstance(event, EpochChecked):
            self.epoch_checked.emit(event)
        elif isinstance(event, OrderPlaced | OrderBooked | OrderFinished
                        | MatchRevokedByServer):
            self.order_event.emit(event)

    def _on_server_refused(self, event: ServerRefused) -> None:
        from app.client.server_identity import key_prefix

        self.server_refused.emit(event)  # the banner and a notification (safety_notices)
        pinned = self.core.identity.pinned_key(event.url)
        offered = self.core.identity.offered_key(event.url)
        if pinned is not None and offered is not None:  # a key the user may accept
            self.server_key_changed.emit(event.url, key_prefix(pinned), key_prefix(offered))

    def book(self, market: str) -> Any:
        base, _, quote = market.partition("_")
        try:
            return self.core.dex.book(base, quote)
        except (DexError, KeyError, ValueError):
            return None

    # -- actions ------------------------------------------------------------------------------
    def place(self, request: OrderRequest) -> asyncio.Task[Any]:
        return self.spawn(self._place(request))

    async def _place(self, r: OrderRequest) -> None:
        try:
            oid = await self.core.place_order(r.market, r.side.value, r.kind.value, r.quantity,
                                              r.rate, r.tif.value)
        except RemoteError as exc:
            self.order_failed.emit(self.tr("The server refused the order: {0}").format(
                exc.user_message))
        except (NotConnected, RequestTimeout, TimeoutError):
            self.order_failed.emit(self.tr("Not connected to the DEX server; the order was "
                                           "not sent. Try again when connected."))
        except DexError as exc:
            self.order_failed.emit(str(exc) or exc.user_message)
        except (WalletError, ValueError) as exc:
            self.order_failed.emit(str(exc))
        else:
            self.order_placed.emit(oid)

    def cancel(self, order_id: str) -> asyncio.Task[Any]:
        return self.spawn(self._cancel(order_id))

    async def _cancel(self, order_id: str) -> None:
        try:
            await self.core.cancel_order(order_id)
        except (DexError, TimeoutError, ValueError) as exc:
            self.error.emit(self.tr("Could not cancel the order"), str(exc))
        else:
            self.order_event.emit(OrderFinished(order_id, "cancelling", 0))

    def accept_server_key(self, url: str) -> asyncio.Task[Any]:
        return self.spawn(self._accept_server_key(url))

    async def _accept_server_key(self, url: str) -> None:
        try:
            await self.core.accept_server_key(url)
        except (DexError, ValueError) as exc:
            self.error.emit(self.tr("Could not accept the server key"), str(exc))

    def refund_now(self, match_id: str) -> asyncio.Task[Any]:
        return self.spawn(self._refund(match_id))

    async def _refund(self, match_id: str) -> None:
        """The client's "refund now"; the engine sees the spend and finishes the swap."""
        try:
            txid = await self.core.refund_now(match_id)
        except RefundTooEarly as exc:
            self.error.emit(self.tr("The refund time has not come yet"), str(exc))
        except RefundRefused as exc:
            self.error.emit(self.tr("The refund was not sent"), str(exc))
        except (WalletError, OSError) as exc:
            self.error.emit(self.tr("The refund could not be broadcast"), str(exc))
        else:
            self.refund_sent.emit(match_id, txid)
