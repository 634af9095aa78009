"""`cambio --self-test`: prove a build works without a wallet, a network or a display.

Runs offscreen, builds the screens that need no wallet, checks the bundled icon and the
translations, and the native pieces a PyInstaller bundle can lose (crypto, sqlite, QR codes).
Prints one line per check; exit status 0 when all pass, 1 otherwise.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

from app.ui.errors import SelfTestError

if TYPE_CHECKING:
    from app.client.client import Client
    from app.ui.qt import QApplication

Check = Callable[[], None]
# A string lupdate extracts and the zh_CN file translates: proves the .qm loads and is used.
PROBE = ("MainWindow", "Wallet", "钱包")


def _expect(ok: bool, what: str) -> None:
    if not ok:
        raise SelfTestError(what)


def _app() -> QApplication:
    # Offscreen by definition: the self-test runs on build machines without a display.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from app.ui.qt import QApplication

    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    return QApplication([sys.argv[0] if sys.argv else "cambio"])


def check_resources() -> None:
    from app.ui.i18n import icon_path, translations_dir

    for path in (icon_path("svg"), icon_path("png"), translations_dir() / "cambio_zh_CN.qm"):
        _expect(path.is_file(), f"missing resource {path}")


def check_icon() -> None:
    from app.ui.i18n import app_icon, icon_path
    from app.ui.qt import QIcon, QPixmap

    _expect(not app_icon().pixmap(64, 64).isNull(), "the app icon renders no pixmap")
    _expect(not QPixmap(str(icon_path("png"))).isNull(), "cambio.png does not load")
    # The SVG goes through Qt's svg icon engine plugin, which the bundle must keep.
    _expect(
        not QIcon(str(icon_path("svg"))).pixmap(48, 48).isNull(),
        "cambio.svg does not render (svg icon engine plugin missing?)",
    )


def check_translation() -> None:
    from app.ui.i18n import install_language
    from app.ui.qt import QCoreApplication

    context, source, expected = PROBE
    _expect(install_language("zh_CN"), "cambio_zh_CN.qm did not load")
    got = QCoreApplication.translate(context, source)
    _expect(got == expected, f"zh_CN translates {source!r} as {got!r}, expected {expected!r}")
    # Qt's own strings come from qtbase_zh_CN.qm (standard buttons, edit menus).
    got = QCoreApplication.translate("QPlatformTheme", "Cancel")
    _expect(got == "取消", f"Qt's zh_CN translation is missing (Cancel -> {got!r})")


def check_wallet_view() -> None:
    from app.client.views import Network, get_asset
    from app.ui.wallet_view import AssetSnapshot, WalletView

    view = WalletView(["ltc", "btc"])
    try:
        ltc = get_asset("ltc", Network.REGTEST)
        view.show_snapshot(
            AssetSnapshot(
                ltc,
                available=2_500_000_000,
                locked_orders=0,
                locked_swaps=0,
                unconfirmed=0,
                address="rltc1qselftest",
            )
        )
        card = view.cards["ltc"]
        _expect(card.available.text() == "25.00000000 LTC", "wallet card shows a wrong amount")
        _expect(not card.qr.pixmap().isNull(), "the receive QR code did not render")
        _expect(card.copy.text() == "复制地址", "the wallet card is not translated")
    finally:
        view.deleteLater()


def check_wizard() -> None:
    from app.client.views import generate_mnemonic, wordlist
    from app.ui.wizard_view import WizardDialog

    _expect(len(wordlist()) == 2048, "the BIP39 word list is missing")
    _expect(len(generate_mnemonic().split()) == 12, "mnemonic generation failed")
    dialog = WizardDialog()
    try:
        dialog.show()
        _expect(dialog.windowTitle() == "设置 Cambio", "the wizard is not translated")
    finally:
        dialog.close()
        dialog.deleteLater()


def check_main_window() -> None:
    from app.client.events import Dispatcher
    from app.ui.main_window import MainWindow
    from app.ui.qt import QApplication, QTimer

    # A stand-in core with no orders and no swaps: the constructor reads both; refreshes
    # (wallet, chains) and the DEX connection never run here.
    core = SimpleNamespace(
        wallet=SimpleNamespace(config=SimpleNamespace(extra={})),
        events=Dispatcher(),
        order_rows=list,
        swap_rows=list,
        swap_row=lambda _match_id: None,
        dex=SimpleNamespace(config=None, account=None),
    )
    window = MainWindow(cast("Client", core), ["ltc", "btc"])
    try:
        for timer in window.findChildren(QTimer):
            timer.stop()
        window.show()
        QApplication.processEvents()
        _expect(window.tabs.tabText(3) == PROBE[2], "the main window's tabs are not translated")
        _expect(not window.grab().isNull(), "the main window does not paint")
    finally:
        window.quit_confirmed = True
        window.close()
        window.deleteLater()


def check_native() -> None:
    import sqlite3

    from coincurve import PrivateKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = PrivateKey(bytes(31) + b"\x01")
    _expect(len(key.public_key.format()) == 33, "coincurve returned a bad public key")
    _expect(len(AESGCM(bytes(32)).encrypt(bytes(12), b"x", None)) == 17, "AES-GCM failed")
    with sqlite3.connect(":memory:") as db:
        _expect(db.execute("select 1").fetchone() == (1,), "sqlite does not work")


CHECKS: list[tuple[str, Check]] = [
    ("resources", check_resources),
    ("icon", check_icon),
    ("translation", check_translation),  # before the views: they are built in Chinese
    ("wallet view", check_wallet_view),
    ("wizard", check_wizard),
    ("main window", check_main_window),
    ("native modules", check_native),
]


def run_self_test() -> int:
    started = time.perf_counter()
    app = _app()
    failed: list[str] = []
    try:
        for name, check in CHECKS:
            try:
                check()
            except Exception as exc:  # report every failing check, not just the first
                failed.append(name)
                print(f"FAIL {name}: {exc}", flush=True)
                if not isinstance(exc, SelfTestError):
                    traceback.print_exc()
            else:
                print(f"ok   {name}", flush=True)
    finally:
        from app.ui.i18n import install_language

        install_language("en", app)  # leave a shared QApplication as we found it
        app.processEvents()
    elapsed = time.perf_counter() - started
    if failed:
        print(f"self-test FAILED ({len(failed)} of {len(CHECKS)}): {', '.join(failed)}")
        return 1
    print(f"self-test passed ({len(CHECKS)} checks, {elapsed:.2f}s)")
    return 0
