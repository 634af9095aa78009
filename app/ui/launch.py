"""Start the desktop app: Qt + asyncio (qasync), the wallet, and a clean shutdown order."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from app.config import default_datadir

log = logging.getLogger("cambio")


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cambio")
    parser.add_argument("--datadir", type=Path, default=None)
    parser.add_argument("--simnet", action="store_true",
                        help="start the built-in local simnet and open its funded wallet")
    parser.add_argument("--screenshot", type=Path, help="save a screenshot once loaded, then quit")
    return parser.parse_args(argv)


def run_gui(argv: list[str]) -> int:
    args = _parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    import qasync

    from app.ui.main_window import MainWindow
    from app.ui.qt import QApplication
    from app.ui.style import DARK
    from app.wallet.session import unlock_wallet

    devnet = None
    if args.simnet:
        from simnet.devnet import SIMNET_PASSWORD, start_devnet

        devnet = start_devnet(args.datadir or Path("simnet-data"))
        wallet_dir, password = devnet.wallet_dir, SIMNET_PASSWORD
    else:
        wallet_dir = args.datadir or default_datadir()
        print("Opening a wallet outside the simnet needs the setup wizard, which comes with "
              "the desktop app; use `main.py wallet create` and `--simnet` for now.",
              file=sys.stderr)
        return 2

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Cambio")
    app.setStyleSheet(DARK)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    wallet = unlock_wallet(wallet_dir, password)
    window = MainWindow(wallet, ["ltc", "btc"])
    window.show()

    async def main() -> None:
        closed = asyncio.Event()
        app.aboutToQuit.connect(closed.set)
        window.schedule_refresh()
        if args.screenshot:
            await window.loaded.wait()
            await asyncio.sleep(0.3)
            window.grab().save(str(args.screenshot))
            app.quit()
        await closed.wait()

    try:
        with loop:
            loop.run_until_complete(main())
    finally:
        # Shutdown order: engine and network first, then the store, then the chains.
        asyncio.run(wallet.close())
        if devnet is not None:
            devnet.stop()
    return 0
