"""The main window's dialogs: Send (per asset, from the Wallet tab) and Settings (theme live,
language and connections from the next start). Kept apart so main_window.py stays short."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from app.config import AppConfig
from app.ui.forms import _tr
from app.ui.qt import QApplication, QDialog
from app.ui.send_dialog import SendActions, SendDialog
from app.ui.settings_dialog import SettingsDialog
from app.ui.style import stylesheet
from app.ui.window_style import window_css
from app.wallet.fees import FeePolicy, FeeQuote, FeeSpeed, fee_rate

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow
    from app.wallet.service import AssetWallet

log = logging.getLogger("cambio.ui")


def send_actions(aw: AssetWallet) -> SendActions:
    """The dialog's wallet calls; run as tasks on the qasync loop by the dialog itself."""
    policy = FeePolicy.for_asset(aw.asset)

    async def quote(speed: FeeSpeed) -> FeeQuote:
        return await fee_rate(aw.backend, policy, speed)

    return SendActions(fee_rate=quote, preview=aw.create_payment, send=aw.send)


def open_send(window: MainWindow, symbol: str) -> SendDialog | None:
    snap = window.wallet_view.snapshots.get(symbol)
    if snap is None:
        return None  # no balance known yet: the button is disabled until then
    aw = window.wallet.asset(symbol)
    dialog = SendDialog(aw.asset, snap.available, send_actions(aw), window, theme=window.theme)
    dialog.sent.connect(lambda txid: window.status.showMessage(
        _tr("MainWindow", "Sent {0}: {1}").format(aw.asset.ticker, txid), 8000))
    dialog.sent.connect(lambda _txid: window.schedule_refresh())
    dialog.finished.connect(dialog.deleteLater)
    window.send_dialog = dialog
    dialog.open()
    dialog.start()
    return dialog


def open_settings(window: MainWindow) -> SettingsDialog:
    dialog = SettingsDialog(window.app_config, window.wallet.datadir, window)
    dialog.saved.connect(lambda config: _saved(window, config))
    dialog.theme_changed.connect(lambda theme: apply_theme(window, theme))
    dialog.language_changed.connect(lambda _lang: window.status.showMessage(
        _tr("MainWindow", "The new language applies when Cambio starts again."), 10000))
    dialog.finished.connect(lambda _r: _forget(window, dialog))
    window.settings_dialog = dialog
    dialog.open()
    return dialog


def _saved(window: MainWindow, config: AppConfig) -> None:
    # The running connections keep their settings; the file is read on the next start.
    window.app_config = config
    window.status.showMessage(_tr("MainWindow", "Settings saved. Server and node changes "
                                                "apply when Cambio starts again."), 8000)


def _forget(window: MainWindow, dialog: QDialog) -> None:
    if window.settings_dialog is dialog:
        window.settings_dialog = None
    dialog.deleteLater()


def apply_theme(window: MainWindow, theme: str) -> None:
    """Switch the whole app at once: the app sheet, the window's own, the painted charts."""
    window.theme = theme
    app = QApplication.instance()
    if isinstance(app, QApplication):
        app.setStyleSheet(stylesheet(theme))
    window.setStyleSheet(window_css(theme))
    window.trade.set_theme(theme)
    window.wallet_view.set_theme(theme)
    log.info("theme: %s", theme)
