"""Start the desktop app: Qt + asyncio (qasync), the wallet, and a clean shutdown order.

Start-up order, for a quick first window: Qt, the saved theme and language, then the unlock
dialog (or the first-run wizard) at once, in that theme; the client and main-window modules
(~300 ms of imports) load while that dialog waits for the user (`warm_up_after_first_paint`),
so once the password is in, only `Client`, `MainWindow` and its first paint remain. aiohttp and
segno are imported at their first use, after the main window is up.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from app.client.views import (
    SYMBOLS,
    AppConfig,
    ConfigError,
    default_datadir,
    load_config,
    save_config,
)

if TYPE_CHECKING:
    from app.client.registration import Confirm
    from app.client.views import OpenWallet
    from app.ui.qt import QApplication

log = logging.getLogger("cambio")
# What the start imports between the password and the main window, in that order.
WINDOW_MODULES = ("qasync", "app.client.client", "app.ui.main_window")
# Also warmed up while a dialog waits: aiohttp, first needed by the first node request.
WARM_UP_MODULES = (*WINDOW_MODULES, "aiohttp")
WARM_UP_DELAY_MS = 100


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cambio")
    parser.add_argument("--datadir", type=Path, default=None)
    parser.add_argument(
        "--simnet",
        action="store_true",
        help="start (or join) the local simnet in --datadir and open its "
        "funded wallet, with a demo market maker",
    )
    parser.add_argument(
        "--light",
        action="store_true",
        help="with --simnet: the wallet reaches the chains through Electrum "
        "(e-x) servers the simnet runs, not their RPC",
    )
    parser.add_argument("--language", default=None, help="en or zh_CN (default: config.json)")
    parser.add_argument(
        "--screenshot-dir",
        type=Path,
        default=None,
        help="save a screenshot of each tab once data is loaded, then quit",
    )
    return parser.parse_args(argv)


def import_modules(names: Sequence[str] = WARM_UP_MODULES) -> None:
    """Import `names` now (a no-op for those already loaded)."""
    for name in names:
        importlib.import_module(name)


def _keyring_busy() -> bool:
    from app.ui.unlock_view import keyring_lookup_running

    return keyring_lookup_running()


def warm_up_after_first_paint(
    app: QApplication,
    names: Sequence[str] = WARM_UP_MODULES,
    busy: Callable[[], bool] = _keyring_busy,
) -> None:
    """Import `names` (the main window's modules) right after the first window (the unlock
    dialog or the wizard) has painted: the user is reading or typing then, and keystrokes wait
    in the queue for the ~0.3 s this blocks. On the main thread on purpose: a second importing
    thread could deadlock on the module locks, and the Qt modules are only safe to load here.
    For the same reason it waits while `busy()` (the unlock dialog's keyring lookup, which
    imports keyring and its backend on a worker thread). The delay lets the dialog's first
    frame reach the screen before the main thread is busy."""
    from app.ui.qt import QEvent, QObject, QTimer

    def import_when_idle() -> None:
        if busy():
            QTimer.singleShot(WARM_UP_DELAY_MS, import_when_idle)
        else:
            import_modules(names)

    class AfterFirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt API name
            if event.type() == QEvent.Type.Paint:
                app.removeEventFilter(self)
                QTimer.singleShot(WARM_UP_DELAY_MS, import_when_idle)
            return False

    # Parented to the app: it lives as long as it has to, with no global to keep it.
    app.installEventFilter(AfterFirstPaint(app))


def _open_or_create(datadir: Path) -> OpenWallet | None:
    """Unlock the wallet in `datadir`, or run the first-run wizard and create it there."""
    from app.client.views import wallet_exists

    if wallet_exists(datadir):
        from app.ui.unlock_view import ask_unlock

        return ask_unlock(datadir)
    from app.client.views import (
        create_wallet,
        keystore_path,
        read_info,
        remember_password,
        unlock_wallet,
    )
    from app.ui.wizard_view import run_wizard

    result = run_wizard()
    if result is None:
        return None
    # The user's own choice on the wizard's first page, stored in config.json for good.
    create_wallet(
        datadir,
        result.password,
        network=result.network,
        mnemonic=result.mnemonic,
        passphrase=result.passphrase,
        nodes=result.nodes,
    )
    config = load_config(datadir)
    config.dex_url = result.dex_url
    if result.restored:  # the main window discovers its used addresses (with a progress bar)
        from app.client.views import mark_pending

        mark_pending(config, SYMBOLS)
    save_config(datadir, config)
    if result.remember:
        remember_password(read_info(keystore_path(datadir)).wallet_id, result.password)
    return unlock_wallet(datadir, result.password, result.passphrase)


def _sole_settler(datadir: Path) -> bool:
    """False, after telling the user, when another process settles this wallet's swaps (the
    core takes the lock itself when it starts; this only says it before a window opens)."""
    from app.client.settler_lock import SettlerBusy, SettlerLock
    from app.ui.qt import QCoreApplication, QMessageBox

    try:
        SettlerLock(datadir).probe()
    except SettlerBusy as exc:
        log.warning("%s", exc)
        QMessageBox.critical(
            None,
            "Cambio",
            QCoreApplication.translate(
                "launch",
                "Another Cambio is already running with this wallet and settling its "
                "swaps. Close it first.",
            )
            + f"\n\n{exc.holder}",
        )
        return False
    return True


def saved_config(datadir: Path) -> AppConfig:
    """config.json's settings, or the defaults (dark, English) when it cannot be read: the
    first window must open either way."""
    try:
        return load_config(datadir)
    except ConfigError as exc:
        log.warning("%s; starting with the default theme and language", exc)
        return AppConfig()


def prepare_first_window(app: QApplication, datadir: Path, language: str | None) -> AppConfig:
    """The saved theme and language (`language` overrides it), applied before any window: the
    wizard and the unlock dialog build their sheets from the current palette."""
    from app.ui.i18n import prepare_app
    from app.ui.style import apply_app_theme

    saved = saved_config(datadir)
    apply_app_theme(saved.theme)
    prepare_app(app, language or saved.language)
    return saved


class LocalNet(Protocol):
    """The bundled simnet of `--simnet` (simnet/gui_session.py), handed in by main.py:
    nothing in app imports simnet."""

    password: str

    @property
    def wallet_dir(self) -> Path: ...

    def regfee_policy(self, fallback: Confirm | None) -> Confirm: ...

    def start_maker(self) -> None: ...

    async def stop_maker(self) -> None: ...

    def stop(self) -> None: ...


StartLocalNet = Callable[[Path, bool], LocalNet]  # (datadir, light)


def run_gui(argv: list[str], start_simnet: StartLocalNet | None = None) -> int:
    args = _parse(argv)
    if args.simnet and start_simnet is None:
        print("this build of Cambio has no simnet", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    from app.ui.qt import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Cambio")
    # The window's close decides when to stop (after the swap-in-flight warning); the loop
    # must keep running for the shutdown coroutines below.
    app.setQuitOnLastWindowClosed(False)
    from app.ui.gc_guard import GuiThreadGc

    GuiThreadGc(app).start()  # parented to the app: it lives as long as the process
    prepare_first_window(app, args.datadir or default_datadir(), args.language)

    devnet = None
    if args.simnet:
        from app.client.views import unlock_wallet

        assert start_simnet is not None
        devnet = start_simnet(args.datadir or Path("simnet-data"), args.light)
        wallet = unlock_wallet(devnet.wallet_dir, devnet.password)
    else:
        warm_up_after_first_paint(app)
        # Dialogs run before the qasync loop starts: they nest their own Qt event loop.
        opened = _open_or_create(args.datadir or default_datadir())
        if opened is None:
            return 0
        wallet = opened

    if not _sole_settler(wallet.datadir):
        return 1

    # Already loaded while a dialog waited for the user, unless nothing was shown (keyring).
    import qasync

    from app.client.client import Client
    from app.ui.main_window import MainWindow

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    core = Client(wallet)
    window = MainWindow(core, ["ltc", "btc"])
    if devnet is not None:  # the simnet's own server only; any other still asks the user
        window.bridge.confirm = devnet.regfee_policy(window.bridge.confirm)
    window.show()

    async def main() -> None:
        closed = asyncio.Event()
        window.closed.connect(closed.set)
        app.aboutToQuit.connect(closed.set)
        await window.bridge.start()
        if devnet is not None:
            devnet.start_maker()
        window.schedule_refresh()
        if args.screenshot_dir:
            from app.ui.screenshots import take_screenshots

            shots = asyncio.ensure_future(take_screenshots(window, args.screenshot_dir))
            shots.add_done_callback(lambda _t: closed.set())
        await closed.wait()
        # Shutdown order: swap engine and DEX connection, then the store; Qt after the loop.
        if devnet is not None:
            await devnet.stop_maker()
        await window.bridge.stop()
        await wallet.close()

    try:
        with loop:
            loop.run_until_complete(main())
    finally:
        if devnet is not None:
            devnet.stop()  # the chains and the DEX server last: nothing uses them any more
    return 0
