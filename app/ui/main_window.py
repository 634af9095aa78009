"""The main window: Trade, Orders, Swaps and Wallet tabs, the resume banner, the status bar,
tray notifications, and the warning before quitting with swaps in flight.

The window fits a 1280×720 screen (every panel shrinks, see trade_tab.py), starts fitted to
the screen and then at the size it was closed with (window_geometry.py). Long waits show in
the sync bar: a restored wallet's address discovery, and the first read of each wallet.

Data path: widgets -> ClientBridge actions -> app.client; client events -> ClientBridge signals ->
the views here. Chain figures (balances, tips, confirmations) come from a periodic refresh
task on the qasync loop, so a slow or dead node never blocks the window.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from app.client.errors import NoNodeConfiguredError
from app.client.events import OrderMatched, SwapRefund, SwapStep
from app.client.swap_rows import countdown
from app.client.views import BookDelta, ConfigResult, MarketRules, Stage
from app.ui.client_bridge import ClientBridge
from app.ui.i18n import app_icon
from app.ui.market_feed import MarketFeed
from app.ui.orders_view import OrdersView
from app.ui.qt import (
    QCloseEvent,
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.safety_notices import SafetyNotices, ServerBanner, wire_safety
from app.ui.server_key_dialog import server_key_box
from app.ui.status import StatusBar
from app.ui.swaps_view import SwapsView
from app.ui.sync_bar import SyncBar
from app.ui.trade_tab import TradeTab
from app.ui.tray import Kind, Notifier
from app.ui.wallet_view import AssetSnapshot, WalletView, styled_label
from app.ui.window_actions import apply_theme, ask_for_server, open_send, open_settings
from app.ui.window_geometry import restore_window, save_window
from app.ui.window_style import window_css
from app.wallet.errors import BackendError

if TYPE_CHECKING:
    from app.client.client import Client
    from app.ui.send_dialog import SendDialog
    from app.ui.settings_dialog import SettingsDialog

log = logging.getLogger("cambio.ui")
REFRESH_MS = 3000
ERROR_REPEAT_S = 30.0


class MainWindow(QMainWindow):
    closed = Signal()  # the user closed the window (after the in-flight warning)

    def __init__(self, core: Client, symbols: list[str]) -> None:
        super().__init__()
        self.core = core
        self.wallet = core.wallet
        self.symbols = symbols
        self.bridge = ClientBridge(core, self)
        self.setWindowTitle("Cambio")
        self.setWindowIcon(app_icon())
        self.app_config = core.wallet.config
        self.theme = "dark"  # the launcher's app sheet; a saved light theme applies below
        self.setStyleSheet(window_css(self.theme))
        self.datadir = getattr(core.wallet, "datadir", None)  # None: the self-test's stand-in
        self.tabs = QTabWidget()
        self.trade = TradeTab()
        self.feed = MarketFeed(self.bridge, self.trade)
        self.send_dialog: SendDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.orders_view = OrdersView(core.order_rows)
        self.swaps_view = SwapsView(core)
        self.wallet_view = WalletView(symbols)
        # Two asset cards side by side: wider than a small window in some languages, so the
        # tab scrolls rather than widening the window past the screen.
        wallet_page = QScrollArea()
        wallet_page.setWidget(self.wallet_view)
        wallet_page.setWidgetResizable(True)
        wallet_page.setFrameShape(QFrame.Shape.NoFrame)
        for widget, name in (
            (self.trade, self.tr("Trade")),
            (self.orders_view, self.tr("Orders")),
            (self.swaps_view, self.tr("Swaps")),
            (wallet_page, self.tr("Wallet")),
        ):
            self.tabs.addTab(widget, name)
        settings = QPushButton(self.tr("Settings"))
        settings.setObjectName("secondary")
        settings.setToolTip(self.tr("DEX server, chain backends, language and theme"))
        settings.clicked.connect(lambda: open_settings(self))
        self.settings_button = settings
        self.tabs.setCornerWidget(settings)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.setSpacing(8)
        layout.addWidget(self._build_banner())
        self.server_banner = ServerBanner()  # a server we refuse to trade on, and why
        layout.addWidget(self.server_banner)
        self.sync_bar = SyncBar()
        layout.addWidget(self.sync_bar)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.status = StatusBar(symbols)
        self.setStatusBar(self.status)
        self.notifier = Notifier(self, app_icon(), self.status)
        self.resumed: set[str] = set()
        self.quit_confirmed = False
        self.quit_box: QMessageBox | None = None
        self.key_box: QMessageBox | None = None  # the open server key prompt, if any
        self._errors: dict[str, float] = {}
        self.loaded = asyncio.Event()
        self._balances_shown = False
        self._synced = False  # the first refresh shows its progress in the sync bar
        self._task: asyncio.Task[None] | None = None
        self._wire()
        saved = getattr(self.app_config, "theme", "dark")  # the self-test's stand-in has none
        if saved != self.theme:
            apply_theme(self, saved)
        self.orders_view.reload()
        self.swaps_view.reload()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.schedule_refresh)
        self._timer.start(REFRESH_MS)
        restore_window(self, self.datadir, self.splitters())

    def splitters(self) -> dict[str, QSplitter]:
        """The splitters whose positions are remembered with the window size."""
        return {"trade": self.trade.trading.splitter}

    def _build_banner(self) -> QFrame:
        self.banner = QFrame()
        self.banner.setObjectName("banner")
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(14, 6, 8, 6)
        self.banner_text = styled_label()
        row.addWidget(self.banner_text, 1)
        show = QPushButton(self.tr("View swaps"))
        show.setObjectName("secondary")
        show.clicked.connect(lambda: self.tabs.setCurrentWidget(self.swaps_view))
        row.addWidget(show)
        self.banner.setVisible(False)
        return self.banner

    def _wire(self) -> None:
        b = self.bridge
        b.dex_connection.connect(self._on_connection)
        b.registered.connect(lambda: self.trade.trading.set_connected(True))
        b.config_ready.connect(self._on_config)
        b.book_changed.connect(self._on_book)
        b.server_time.connect(self.trade.epoch.sync)
        b.order_event.connect(lambda _e: self.orders_view.reload())
        b.matched.connect(self._on_matched)
        b.swap_step.connect(self._on_step)
        b.swap_refund.connect(self._on_refund)
        b.swaps_resumed.connect(self.show_resumed)
        b.error.connect(self._on_error)
        b.server_key_changed.connect(self._on_server_key)
        b.server_needed.connect(lambda: ask_for_server(self))
        b.order_failed.connect(self._on_order_failed)
        b.order_placed.connect(self._on_order_placed)
        b.refund_sent.connect(
            lambda mid, tx: self.status.showMessage(
                self.tr("Refund of swap {0} broadcast: {1}").format(mid[:8], tx), 8000
            )
        )
        self.trade.trading.order_requested.connect(
            lambda r: b.place(r, busy=[self.trade.trading.form.submit])
        )
        self.orders_view.cancel_requested.connect(
            lambda oid: b.cancel(
                oid, busy=[w for w in [self.orders_view.cancel_buttons.get(oid)] if w is not None]
            )
        )
        self.swaps_view.refund_requested.connect(
            lambda mid: b.refund_now(
                mid, busy=[c.refund for c in [self.swaps_view.cards.get(mid)] if c is not None]
            )
        )
        self.swaps_view.changed.connect(self._update_banner)
        self.wallet_view.send_requested.connect(lambda symbol: open_send(self, symbol))
        # Match and server refusals, epoch checks (app/ui/safety_notices).
        self.safety_notices = wire_safety(
            self.bridge,
            SafetyNotices(
                self.orders_view, self.notifier, self.server_banner, self.trade.epoch_check
            ),
            lambda: open_settings(self),
        )

    # -- core events --------------------------------------------------------------------------
    def _on_connection(self, connected: bool, detail: str) -> None:
        self.status.set_dex(connected, detail)
        self.trade.trading.set_connected(connected and self.core.dex.account is not None)
        if connected and self.core.dex.account is None:
            self.status.set_registering()

    def _on_config(self, config: ConfigResult) -> None:
        self.swaps_view.swap_confs = {a.symbol: a.swapconf for a in config.assets}
        if not config.markets:
            return
        market = config.markets[0]
        rules = MarketRules.from_config(config, market.base, market.quote)
        stand_in = bool(self.wallet.config.extra.get("btc_stand_in"))
        self.trade.set_market(
            rules,
            self.tr("Epoch {0} s · BTC simulated by a Litecoin regtest chain").format(
                market.epochlen / 1000
            )
            if stand_in
            else self.tr("Epoch {0} s").format(market.epochlen / 1000),
        )
        self.orders_view.rate_step = rules.rate_step
        self.trade.epoch.set_epoch_length(market.epochlen)
        self._on_book(rules.name, None)
        self.feed.start()
        self.schedule_refresh()

    def _on_book(self, market: str, delta: BookDelta | None) -> None:
        """Deltas go to the model's coalesced queue; a snapshot (None) reloads it whole."""
        rules = self.trade.rules
        if rules is None or rules.name != market:
            return
        if delta is not None and self.trade.mirror is not None:
            self.trade.trading.apply_delta(delta)
            return
        mirror = self.bridge.book(market)
        if mirror is not None:
            self.trade.show_book(mirror)

    def _on_matched(self, event: OrderMatched) -> None:
        self.notifier.notify(
            self.tr("Order matched"),
            self.tr(
                "A match of your order settles as swap {0}; keep Cambio running until it completes."
            ).format(event.match_id[:8]),
        )

    def _on_step(self, event: SwapStep) -> None:
        self.swaps_view.update_swap(event.match_id)
        self.orders_view.reload()
        if event.new is Stage.COMPLETE:
            self.notifier.notify(
                self.tr("Swap complete"),
                self.tr("Swap {0} is complete; the coins are in your wallet.").format(
                    event.match_id[:8]
                ),
            )
        elif event.new is Stage.REFUNDED:
            self.notifier.notify(
                self.tr("Swap refunded"),
                self.tr("Swap {0}: your coins came back to your wallet.").format(
                    event.match_id[:8]
                ),
                Kind.WARNING,
            )

    def _on_refund(self, event: SwapRefund) -> None:
        if self.core.swap_row(event.match_id) is not None:
            self.notifier.notify(
                self.tr("Refunding a swap"),
                self.tr(
                    "The other side of swap {0} did not complete; your coins are being refunded."
                ).format(event.match_id[:8]),
                Kind.WARNING,
            )

    def _on_server_key(self, url: str, old: str, new: str) -> None:
        if self.key_box is not None:
            self.key_box.close()
        self.key_box = server_key_box(self, url, old, new, self.bridge.accept_server_key)

    def _on_error(self, message: str, detail: str) -> None:
        log.info("core: %s (%s)", message, detail)
        now = time.monotonic()
        if now - self._errors.get(message, -ERROR_REPEAT_S) < ERROR_REPEAT_S:
            return  # the same problem again (a retry loop): once is enough
        self._errors[message] = now
        self.notifier.notify(self.tr("Cambio"), message, Kind.ERROR)

    def _on_order_failed(self, message: str) -> None:
        label = self.trade.trading.form.form_error
        label.setText(message)
        label.setVisible(True)

    def _on_order_placed(self, order_id: str) -> None:
        self.status.showMessage(self.tr("Order {0} placed").format(order_id[:8]), 5000)
        self.orders_view.reload()
        self.schedule_refresh()

    # -- resume banner ------------------------------------------------------------------------
    def show_resumed(self, count: int) -> None:
        if count <= 0:
            return
        self.swaps_view.reload()
        self.resumed = {r.match_id for r in self.swaps_view.pending()}
        self.banner.setVisible(True)
        self._update_banner()

    def _update_banner(self) -> None:
        if not self.resumed:
            return
        rows = self.swaps_view.rows
        settled = sum(1 for m in self.resumed if m in rows and rows[m].terminal)
        total = len(self.resumed)
        if settled < total:
            self.banner_text.setText(
                self.tr(
                    "Resuming {n} swaps: {done} settled, {left} in progress. Keep Cambio open "
                    "until they finish."
                ).format(n=total, done=settled, left=total - settled)
            )
        else:
            self.banner_text.setText(self.tr("All {n} resumed swaps are settled.").format(n=total))
            self.resumed = set()
            # The banner is the timer's context: a window closed first cancels the call.
            QTimer.singleShot(8000, self.banner, lambda: self.banner.setVisible(False))

    # -- chain refresh --------------------------------------------------------------------------
    def schedule_refresh(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no asyncio loop drives Qt (self-test, widget tests): nothing to poll
        if self._task is None or self._task.done():
            self._task = loop.create_task(self.refresh())

    async def restore_scan(self) -> None:
        """A restored wallet's address discovery, before its first balance (resumed at the
        next refresh for an asset whose node failed)."""
        if self.datadir is None:
            return  # the self-test's stand-in
        if await self.core.restore_scan(self.symbols, self.sync_bar.show_scan):
            self.sync_bar.done()

    async def refresh(self) -> None:
        await self.restore_scan()
        stand_in = bool(self.wallet.config.extra.get("btc_stand_in"))
        first = not self._synced
        for index, symbol in enumerate(self.symbols):
            if first:
                self.sync_bar.show_read(
                    symbol, self.core.known_addresses(symbol), index, len(self.symbols)
                )
            try:
                snap = await self.core.wallet_snapshot(symbol)  # one chain scan
            except NoNodeConfiguredError:
                self.status.set_chain(symbol, None, "unconfigured")
                continue
            except (BackendError, OSError) as exc:
                self.status.set_chain(symbol, None, str(exc))  # shown, never blocking
                continue
            note = (
                self.tr("simulated by a Litecoin regtest chain")
                if stand_in and symbol == "btc"
                else ""
            )
            self.status.show_chain(await self.core.chain_status(symbol), note)
            self.wallet_view.show_txs(symbol, list(snap.txs))
            self.trade.trading.set_balance(symbol, list(snap.spendable))
            self.wallet_view.show_snapshot(
                AssetSnapshot(
                    asset=snap.asset,
                    available=snap.available,
                    locked_orders=snap.locked_orders,
                    locked_swaps=snap.locked_swaps,
                    unconfirmed=snap.unconfirmed,
                    address=snap.address,
                    stand_in=stand_in and symbol == "btc",
                )
            )
            self._balances_shown = True
        if first:
            self._synced = True
            self.sync_bar.done()
        self.orders_view.reload()
        self.swaps_view.show_chain(await self.core.swap_chain(self.swaps_view.pending()))
        if self._balances_shown:
            self.loaded.set()

    # -- quitting -------------------------------------------------------------------------------
    def in_flight(self) -> tuple[int, int | None]:
        """Swaps not finished yet, and the earliest refund time among them (unix seconds)."""
        self.swaps_view.reload()
        pending = self.swaps_view.pending()
        locks = [r.lock_time for r in pending if r.lock_time is not None]
        return len(pending), min(locks) if locks else None

    def quit_message(self, count: int, lock_time: int | None) -> str:
        text = self.tr(
            "{n} swap(s) are still in progress. They continue by themselves when "
            "Cambio runs again, but it must be running again before the refund "
            "time, or the coins in them may be lost."
        ).format(n=count)
        if lock_time is not None:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(lock_time))
            text += " " + self.tr("The earliest refund time is {when} (in {left}).").format(
                when=when, left=countdown(lock_time - int(time.time()))
            )
        return text

    def closeEvent(self, event: QCloseEvent) -> None:
        count, lock_time = (0, None) if self.quit_confirmed else self.in_flight()
        if count == 0:
            save_window(self, self.datadir, self.splitters())
            self.notifier.close()
            event.accept()
            self.closed.emit()
            return
        event.ignore()  # asked without a nested event loop; "Quit anyway" closes again
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Swaps in progress"),
            self.quit_message(count, lock_time),
            parent=self,
        )
        box.addButton(self.tr("Quit anyway"), QMessageBox.ButtonRole.DestructiveRole)
        stay = box.addButton(self.tr("Keep running"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.buttonClicked.connect(
            lambda b: self._quit_answer(box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
        )
        self.quit_box = box
        box.open()

    def _quit_answer(self, really: bool) -> None:
        if really:
            self.quit_confirmed = True
            self.close()
