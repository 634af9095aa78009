"""The main window's dialogs: Send (per asset, from the Wallet tab) and Settings. Kept apart so
main_window.py stays short.

Settings apply live, except the language (from the next start): the theme at once; a changed
node rebuilds that chain's backend in place (the wallet, the swap engine and the views all hold
the same switchable backend) and the status bar shows whether the new node answers; a new DEX
server is refused while orders are open or swaps active on the current one (the dialog says
why and keeps it), else the core disconnects, connects there, registers if needed (the fee
only after the confirmation dialog, app/ui/regfee_dialog.py) and reloads the markets, with
each step in the status bar.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from app.client.errors import DexSwitchRefused, NoNodeConfiguredError, RegistrationRefused
from app.client.server_switch import SwitchBlockers
from app.client.views import (
    AppConfig,
    FeeQuote,
    FeeSpeed,
    SignedTx,
    save_config,
)
from app.ui.forms import _tr
from app.ui.qt import QDialog, QWidget
from app.ui.send_dialog import SendActions, SendDialog
from app.ui.settings_dialog import SettingsDialog
from app.ui.style import apply_app_theme
from app.ui.window_style import window_css
from app.wallet.errors import BackendError

if TYPE_CHECKING:
    from app.client.client import Client
    from app.client.views import OpenWallet
    from app.ui.client_bridge import ClientBridge
    from app.ui.status import StatusBar
    from app.ui.wallet_view import WalletView

log = logging.getLogger("cambio.ui")


class ActionWindow(Protocol):
    """What these actions use of the main window (MainWindow has it all); they get the window,
    never import its module, so the window can import them."""

    core: Client
    wallet: OpenWallet
    bridge: ClientBridge
    status: StatusBar
    wallet_view: WalletView
    app_config: AppConfig
    theme: str
    send_dialog: SendDialog | None
    settings_dialog: SettingsDialog | None

    def window(self) -> QWidget: ...  # QWidget's: the top level, the dialogs' parent

    def setStyleSheet(self, styleSheet: str, /) -> None: ...

    def schedule_refresh(self) -> None: ...


def send_actions(client: Client, symbol: str) -> SendActions:
    """The dialog's calls (the send is the client's); run as tasks on the qasync loop by the
    dialog itself."""

    async def quote(speed: FeeSpeed) -> FeeQuote:
        return await client.fee_quote(symbol, speed)

    async def preview(address: str, amount: int, rate: int) -> SignedTx:
        return await client.preview_payment(symbol, address, amount, rate)

    async def send(address: str, amount: int, rate: int) -> SignedTx:
        return await client.send(symbol, address, amount, rate)

    return SendActions(fee_rate=quote, preview=preview, send=send)


def open_send(window: ActionWindow, symbol: str) -> SendDialog | None:
    snap = window.wallet_view.snapshots.get(symbol)
    if snap is None:
        return None  # no balance known yet: the button is disabled until then
    dialog = SendDialog(
        snap.asset, snap.available, send_actions(window.core, symbol), window.window()
    )
    dialog.sent.connect(
        lambda txid: window.status.showMessage(
            _tr("MainWindow", "Sent {0}: {1}").format(snap.asset.ticker, txid), 8000
        )
    )
    dialog.sent.connect(lambda _txid: window.schedule_refresh())
    dialog.finished.connect(dialog.deleteLater)
    window.send_dialog = dialog
    dialog.open()
    dialog.start()
    return dialog


def open_settings(window: ActionWindow) -> SettingsDialog:
    dialog = SettingsDialog(
        window.app_config,
        window.wallet.datadir,
        window.window(),
        dex_check=lambda url: dex_refusal(window, url),
        chain_status=window.core.chain_status,
        trust_certificate=window.core.trust_certificate,
    )
    dialog.saved.connect(lambda config: _saved(window, config))
    dialog.theme_changed.connect(lambda theme: apply_theme(window, theme))
    dialog.language_changed.connect(
        lambda _lang: window.status.showMessage(
            _tr("MainWindow", "The new language applies when Cambio starts again."), 10000
        )
    )
    dialog.finished.connect(lambda _r: _forget(window, dialog))
    window.settings_dialog = dialog
    dialog.open()
    return dialog


def ask_for_server(window: ActionWindow) -> SettingsDialog:
    """No DEX server configured: say so and open Settings at the server field. Saving a
    server there connects and registers (apply_settings → switch_server)."""
    window.status.set_no_server()
    window.status.showMessage(
        _tr("MainWindow", "No DEX server is configured: enter its address in Settings to trade.")
    )
    dialog = window.settings_dialog or open_settings(window)
    dialog.dex_url.setFocus()
    return dialog


def dex_refusal(window: ActionWindow, url: str) -> str | None:
    """Why the DEX server cannot change to `url` now; None when it can."""
    if url == window.core.dex_url:
        return None
    blockers = window.core.switch_blockers()
    return refusal_text(blockers) if blockers else None


def refusal_text(blockers: SwitchBlockers) -> str:
    return _tr(
        "MainWindow",
        "The DEX server cannot change now: {orders} open order(s) and "
        "{swaps} active swap(s) on the current server. Cancel the orders "
        "and let the swaps finish, then try again.",
    ).format(orders=blockers.orders, swaps=blockers.swaps)


def _saved(window: ActionWindow, config: AppConfig) -> None:
    window.app_config = config
    window.bridge.apply_settings(apply_settings(window, config))


async def apply_settings(window: ActionWindow, config: AppConfig) -> None:
    """Nodes first (the new server's fee is paid from a node), then the server."""
    changed = await window.core.apply_settings(config)
    if changed:
        await show_node_states(window, changed)
        window.schedule_refresh()
    if config.dex_url and config.dex_url != window.core.dex_url:
        await switch_server(window, config)
    elif not changed:
        window.status.showMessage(_tr("MainWindow", "Settings saved."), 5000)


async def show_node_states(window: ActionWindow, symbols: list[str]) -> None:
    """Ask each changed node for its tip at once and say how it went."""
    notes = []
    for symbol in symbols:
        ticker = symbol.upper()
        height: int | None = None
        try:
            height = await window.core.chain_tip(symbol)
        except NoNodeConfiguredError:
            problem = "unconfigured"
            notes.append(_tr("MainWindow", "{0}: no node configured").format(ticker))
        except (BackendError, OSError) as exc:
            problem = str(exc)
            notes.append(_tr("MainWindow", "{0} node unreachable: {1}").format(ticker, exc))
        else:
            problem = ""
            notes.append(_tr("MainWindow", "{0} node connected, block {1}").format(ticker, height))
        if symbol in window.status.chains:
            window.status.set_chain(symbol, height, problem)
    window.status.showMessage("; ".join(notes), 10000)


async def switch_server(window: ActionWindow, config: AppConfig) -> None:
    """The registration fee of the new server is paid only after the confirmation dialog
    (`window.bridge.confirm`); the retries are the client's (`Client.switch_server`)."""
    core, url = window.core, config.dex_url
    blockers = core.switch_blockers()
    if not blockers:
        window.status.set_switching(url)
        try:
            if not await core.switch_server(
                url, window.bridge.confirm, lambda e: _register_failed(window, e)
            ):
                return  # refused (shown), or another server chosen meanwhile
        except DexSwitchRefused as exc:  # an order placed since the dialog checked
            blockers = exc.blockers
            window.status.set_dex(core.dex.ready, core.dex_url)
        except RegistrationRefused as exc:  # the bridge shows the ServerRefused event too
            window.status.showMessage(
                _tr("MainWindow", "Not registered with {0}: {1}").format(url, exc.reason), 15000
            )
            return
    if blockers:
        await _keep_server(window, config)
        window.status.showMessage(refusal_text(blockers), 15000)
        return
    window.status.showMessage(
        _tr("MainWindow", "Connected to the DEX server {0}").format(window.status.host or url), 8000
    )


def _register_failed(window: ActionWindow, error: BaseException) -> None:
    window.status.showMessage(
        _tr("MainWindow", "Cannot register with the DEX server yet: {0}").format(error), 8000
    )


async def _keep_server(window: ActionWindow, config: AppConfig) -> None:
    """The switch was refused: the file and the running config name the old server again."""
    kept = replace(config, dex_url=window.core.dex_url)
    window.app_config = kept
    await window.core.apply_settings(kept)
    try:
        save_config(window.wallet.datadir, kept)
    except OSError as exc:
        log.warning("could not write the settings back: %s", exc)


def _forget(window: ActionWindow, dialog: QDialog) -> None:
    if window.settings_dialog is dialog:
        window.settings_dialog = None
    dialog.deleteLater()


def apply_theme(window: ActionWindow, theme: str) -> None:
    """Switch the whole app at once: the app sheet, the window's own, the painted charts."""
    window.theme = theme
    apply_app_theme(theme)  # the app sheet, then every style.Themed widget (book, charts, ...)
    window.setStyleSheet(window_css(theme))
    window.wallet_view.set_theme(theme)
    log.info("theme: %s", theme)
