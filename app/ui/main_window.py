"""The main window: wallet screen, status bar with each chain's connection state."""

from __future__ import annotations

import asyncio
import logging

from app.ui.qt import QLabel, QMainWindow, QStatusBar, QTabWidget, QTimer, QWidget
from app.ui.wallet_view import AssetSnapshot, WalletView
from app.wallet.errors import BackendError
from app.wallet.service import NoNodeConfiguredError
from app.wallet.session import OpenWallet

log = logging.getLogger("cambio.ui")
REFRESH_MS = 3000


class MainWindow(QMainWindow):
    def __init__(self, wallet: OpenWallet, symbols: list[str]) -> None:
        super().__init__()
        self.wallet = wallet
        self.symbols = symbols
        self.setWindowTitle("Cambio")
        self.resize(980, 680)
        tabs = QTabWidget(self)
        self.wallet_view = WalletView(symbols)
        tabs.addTab(self.wallet_view, self.tr("Wallet"))
        self.setCentralWidget(tabs)
        status = QStatusBar(self)
        self.chain_labels: dict[str, QLabel] = {}
        for symbol in symbols:
            label = QLabel(self.tr("{0}: connecting…").format(symbol.upper()))
            status.addPermanentWidget(label)
            self.chain_labels[symbol] = label
        self.setStatusBar(status)
        self.loaded = asyncio.Event()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.schedule_refresh)
        self._timer.start(REFRESH_MS)
        self._task: asyncio.Task[None] | None = None

    def central(self) -> QWidget:
        widget = self.centralWidget()
        assert widget is not None
        return widget

    def schedule_refresh(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self.refresh())

    async def refresh(self) -> None:
        stand_in = bool(self.wallet.config.extra.get("btc_stand_in"))
        for symbol in self.symbols:
            asset_wallet = self.wallet.asset(symbol)
            label = self.chain_labels[symbol]
            try:
                balance = await asset_wallet.balance()
                tip = await asset_wallet.backend.tip()
            except NoNodeConfiguredError:
                label.setText(self.tr("{0}: no node configured").format(symbol.upper()))
                continue
            except BackendError as exc:
                # A node that is down is shown, never a reason to block the window.
                label.setText(self.tr("{0}: offline, retrying").format(symbol.upper()))
                label.setToolTip(str(exc))
                continue
            label.setText(self.tr("{0}: block {1}").format(symbol.upper(), tip.height))
            self.wallet_view.show_snapshot(AssetSnapshot(
                asset=asset_wallet.asset, available=balance.available,
                unconfirmed=balance.unconfirmed, locked=balance.locked,
                address=asset_wallet.receive_address(),
                stand_in=stand_in and symbol == "btc",
            ))
        self.loaded.set()
