"""The wallet screen renders engine data; the engine never imports Qt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.ui.wallet_view import AssetSnapshot, WalletView
from dexproto.assets import Network, get_asset

ROOT = Path(__file__).resolve().parents[2]


def test_asset_card_shows_balances_address_and_qr(qtbot: QtBot) -> None:
    view = WalletView(["ltc", "btc"])
    qtbot.addWidget(view)
    ltc = get_asset("ltc", Network.REGTEST)
    view.show_snapshot(
        AssetSnapshot(
            ltc,
            available=2_500_000_000,
            locked_orders=30_000_000,
            locked_swaps=0,
            unconfirmed=1,
            address="rltc1qexample",
        )
    )
    card = view.cards["ltc"]
    assert card.available.text() == "25.00000000 LTC"
    assert card.unconfirmed.text() == "0.00000001 LTC"
    assert card.locked_orders.text() == "0.30000000 LTC"
    assert card.address.text() == "rltc1qexample"
    assert not card.qr.pixmap().isNull()
    card.copy.click()
    assert card.copy.text() == "Copied"


def test_engine_imports_no_qt() -> None:
    code = (
        "import sys, app.cli, app.wallet.session, app.swap.htlc, dexproto.codec, "
        "app.store.db; sys.exit(any(m.startswith('PySide6') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False)
    assert result.returncode == 0, "an engine module imported PySide6"
