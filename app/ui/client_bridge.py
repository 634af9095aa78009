"""Client events -> Qt signals, and UI actions -> core calls scheduled on the qasync loop.

The one place where app/ui touches the headless client (app/client/). Widgets connect to
the signals here and call the action methods; nothing in the engine knows about Qt. Actions never
block the UI: each goes through `run_op(coroutine, on_ok, on_err, busy=...)`, which disables the
triggering widgets, runs the client call as a task on the running asyncio loop, re-enables them
and hands the result or the error back; the send dialog uses it too. `run_op` is the GUI's edge
for errors (app/errors.py): a CambioError shows its `user_message`, its `detail` goes to the
log and the error's detail pane, and nothing of dexproto reaches it (app/dex maps it).

Registration: `confirm` answers the core's registration-fee question (by default the
confirmation dialog, app/ui/regfee_dialog.py; the simnet launcher sets its own policy); the
retries live in the core (`Client.register_until_done`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

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
from app.client.views import ConfigResult, OrderRequest
from app.dex.errors import DexClientError, NotConnected, RequestTimeout, ServerRejected
from app.errors import CambioError, log_text, user_message
from app.swap.errors import RefundRefused, RefundTooEarly
from app.ui.qt import QObject, QWidget, Signal
from app.ui.regfee_dialog import RegistrationConfirm

if TYPE_CHECKING:
    from app.client.client import Client

log = logging.getLogger("cambio.ui")
T = TypeVar("T")


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
            parent if isinstance(parent, QWidget) else None
        )

    # -- life cycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        """Start the core (pending swaps resume first), then register and connect."""
        await self.core.start()
        self.register()

    async def stop(self) -> None:
        self._unsubscribe()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.core.stop()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """A background read of the bridge's users (market data); actions use `run_op`."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def register(self) -> asyncio.Task[None] | None:
        """Register with the wallet's server; the retries are the client's."""
        if not self.core.dex.configured:  # a wallet made without a server (`wallet create`)
            self.server_needed.emit()
            return None
        return self.run_op(
            self.core.register_until_done(self.confirm, self._register_failed), self._register_ended
        )

    def _register_ended(self, registered: bool) -> None:
        if registered:
            self.registered.emit()
        self._check_config()

    def _register_failed(self, exc: BaseException) -> None:
        self.error.emit(self.tr("Cannot register with the DEX server yet"), log_text(exc))

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
        elif isinstance(event, OrderPlaced | OrderBooked | OrderFinished | MatchRevokedByServer):
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
        except (DexClientError, KeyError, ValueError):
            return None

    # -- actions ------------------------------------------------------------------------------
    def run_op(
        self,
        coro: Awaitable[T],
        on_ok: Callable[[T], None] | None = None,
        on_err: Callable[[BaseException], None] | None = None,
        *,
        busy: Sequence[QWidget] = (),
        failure: str = "",
    ) -> asyncio.Task[None]:
        """`run_op` (below) kept by the bridge (cancelled at stop); a failure without its
        own `on_err` is shown as `failure` (default: the error's user message)."""

        def shown(exc: BaseException) -> None:
            self.error.emit(failure or user_message(exc), log_text(exc))

        task = run_op(coro, on_ok, on_err or shown, busy=busy)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def place(self, request: OrderRequest, busy: Sequence[QWidget] = ()) -> asyncio.Task[None]:
        r = request
        return self.run_op(
            self.core.place_order(
                r.market, r.side.value, r.kind.value, r.quantity, r.rate, r.tif.value
            ),
            self.order_placed.emit,
            self._order_failed,
            busy=busy,
        )

    def _order_failed(self, exc: BaseException) -> None:
        """Shown inline by the order form."""
        if isinstance(exc, ServerRejected):
            text = self.tr("The server refused the order: {0}").format(exc.meaning)
        elif isinstance(exc, NotConnected | RequestTimeout | TimeoutError):
            text = self.tr(
                "Not connected to the DEX server; the order was not sent. Try again when connected."
            )
        else:
            text = user_message(exc)
        self.order_failed.emit(text)

    def cancel(self, order_id: str, busy: Sequence[QWidget] = ()) -> asyncio.Task[None]:
        return self.run_op(
            self.core.cancel_order(order_id),
            lambda _none: self.order_event.emit(OrderFinished(order_id, "cancelling", 0)),
            busy=busy,
            failure=self.tr("Could not cancel the order"),
        )

    def accept_server_key(self, url: str) -> asyncio.Task[None]:
        return self.run_op(
            self.core.accept_server_key(url), failure=self.tr("Could not accept the server key")
        )

    def refund_now(self, match_id: str, busy: Sequence[QWidget] = ()) -> asyncio.Task[None]:
        """The client's "refund now"; the engine sees the spend and finishes the swap."""
        return self.run_op(
            self.core.refund_now(match_id),
            lambda txid: self.refund_sent.emit(match_id, txid),
            self._refund_failed,
            busy=busy,
        )

    def _refund_failed(self, exc: BaseException) -> None:
        if isinstance(exc, RefundTooEarly):
            title = self.tr("The refund time has not come yet")
        elif isinstance(exc, RefundRefused):
            title = self.tr("The refund was not sent")
        else:
            title = self.tr("The refund could not be broadcast")
        self.error.emit(title, log_text(exc))

    def apply_settings(self, apply: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Settings saved: `apply` is the window's sequence (nodes, then the server)."""
        return self.run_op(apply, failure=self.tr("Could not apply the settings"))


# What a user action may fail with and still leave the app running: the app's error tree plus
# the OS's and asyncio's (and a ValueError of a bad argument). Anything else is a bug and
# reaches the loop.
OP_ERRORS: tuple[type[BaseException], ...] = (CambioError, TimeoutError, OSError, ValueError)


def run_op(
    coro: Awaitable[T],
    on_ok: Callable[[T], None] | None = None,
    on_err: Callable[[BaseException], None] | None = None,
    *,
    busy: Sequence[QWidget] = (),
) -> asyncio.Task[None]:
    """Run one user action on the asyncio loop: `busy` widgets disabled until it ends (no
    double submit: a second click cannot pay or place twice), then `on_ok(result)` or
    `on_err(error)` for an OP_ERRORS failure (logged in any case)."""
    for widget in busy:
        widget.setEnabled(False)

    async def op() -> None:
        try:
            result = await coro
        except OP_ERRORS as exc:
            _enable(busy)
            log.info("action failed: %s", log_text(exc))
            if on_err is not None:
                on_err(exc)
            return
        except BaseException:
            _enable(busy)
            raise
        _enable(busy)
        if on_ok is not None:
            on_ok(result)

    return asyncio.ensure_future(op())


def _enable(widgets: Sequence[QWidget]) -> None:
    for widget in widgets:
        with contextlib.suppress(RuntimeError):  # deleted meanwhile (a table re-rendered)
            widget.setEnabled(True)
