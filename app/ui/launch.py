"""Start the desktop app: Qt + asyncio (qasync), the wallet, and a clean shutdown order."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from app.assets import Network
from app.config import ConfigError, default_datadir, load_config, save_config
from app.wallet.session import OpenWallet

log = logging.getLogger("cambio")


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cambio")
    parser.add_argument("--datadir", type=Path, default=None)
    parser.add_argument("--simnet", action="store_true",
                        help="start (or join) the local simnet in --datadir and open its "
                             "funded wallet, with a demo market maker")
    parser.add_argument("--language", default=None, help="en or zh_CN (default: config.json)")
    parser.add_argument("--screenshot-dir", type=Path, default=None,
                        help="save a screenshot of each tab once data is loaded, then quit")
    return parser.parse_args(argv)


def _open_or_create(datadir: Path) -> OpenWallet | None:
    """Unlock the wallet in `datadir`, or run the first-run wizard and create it there."""
    from app.ui.unlock_view import ask_unlock
    from app.ui.wizard_view import run_wizard
    from app.wallet.keystore import read_info, remember_password
    from app.wallet.session import create_wallet, keystore_path, unlock_wallet, wallet_exists
    from app.wizard import SIMNET_DEX_URL

    if wallet_exists(datadir):
        return ask_unlock(datadir)
    result = run_wizard()
    if result is None:
        return None
    # The built-in simnet runs regtest chains; any other server is taken to be a mainnet one.
    network = Network.REGTEST if result.dex_url == SIMNET_DEX_URL else Network.MAINNET
    create_wallet(datadir, result.password, network=network, mnemonic=result.mnemonic,
                  passphrase=result.passphrase)
    config = load_config(datadir)
    config.dex_url = result.dex_url
    save_config(datadir, config)
    if result.remember:
        remember_password(read_info(keystore_path(datadir)).wallet_id, result.password)
    return unlock_wallet(datadir, result.password, result.passphrase)


def run_gui(argv: list[str]) -> int:
    args = _parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    import qasync

    from app.core import Core
    from app.ui.i18n import prepare_app
    from app.ui.main_window import MainWindow
    from app.ui.qt import QApplication
    from app.ui.style import DARK
    from app.wallet.session import unlock_wallet

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Cambio")
    app.setStyleSheet(DARK)
    # The window's close decides when to stop (after the swap-in-flight warning); the loop
    # must keep running for the shutdown coroutines below.
    app.setQuitOnLastWindowClosed(False)
    language = args.language
    if language is None:
        try:
            language = load_config(args.datadir or default_datadir()).language
        except ConfigError as exc:
            log.warning("%s; starting in English", exc)
            language = "en"
    prepare_app(app, language)

    devnet = None
    if args.simnet:
        from simnet.devnet import SIMNET_PASSWORD, start_devnet

        devnet = start_devnet(args.datadir or Path("simnet-data"))
        wallet = unlock_wallet(devnet.wallet_dir, SIMNET_PASSWORD)
    else:
        # Dialogs run before the qasync loop starts: they nest their own Qt event loop.
        opened = _open_or_create(args.datadir or default_datadir())
        if opened is None:
            return 0
        wallet = opened

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    core = Core(wallet)
    window = MainWindow(core, ["ltc", "btc"])
    window.show()

    async def main() -> None:
        closed = asyncio.Event()
        window.closed.connect(closed.set)
        app.aboutToQuit.connect(closed.set)
        maker = None
        await window.bridge.start()
        if devnet is not None and devnet.net is not None:
            from simnet.devnet import DemoMaker

            maker = DemoMaker(devnet.maker_dir, devnet.dex_url)
            maker.start()
        window.schedule_refresh()
        if args.screenshot_dir:
            from app.ui.screenshots import take_screenshots

            shots = asyncio.ensure_future(take_screenshots(window, args.screenshot_dir))
            shots.add_done_callback(lambda _t: closed.set())
        await closed.wait()
        # Shutdown order: swap engine and DEX connection, then the store; Qt after the loop.
        if maker is not None:
            await maker.stop()
        await window.bridge.stop()
        await wallet.close()

    try:
        with loop:
            loop.run_until_complete(main())
    finally:
        if devnet is not None:
            devnet.stop()  # the chains and the DEX server last: nothing uses them any more
    return 0
