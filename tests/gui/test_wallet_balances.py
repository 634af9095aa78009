"""The wallet card shows the four balance figures, each next to its label, in one grid."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.ui.qt import QGridLayout, QLabel, Qt
from app.ui.wallet_view import AssetCard, AssetSnapshot, WalletView
from dexproto.assets import Network, get_asset

LTC = get_asset("ltc", Network.REGTEST)
FIGURES = {
    "Available": "24.12345678 LTC",
    "Locked in orders": "4.00000000 LTC",
    "Locked in swaps": "1.50000000 LTC",
    "Unconfirmed": "0.12345678 LTC",
}


def _snapshot(available: int = 2_412_345_678) -> AssetSnapshot:
    return AssetSnapshot(
        LTC,
        available=available,
        locked_orders=400_000_000,
        locked_swaps=150_000_000,
        unconfirmed=12_345_678,
        address="rltc1qexample",
    )


def _rows(card: AssetCard) -> dict[str, QLabel]:
    """label text -> the amount label in the same grid row."""
    grids = card.findChildren(QGridLayout)
    assert len(grids) == 1
    grid = grids[0]
    rows = {}
    for row in range(grid.rowCount()):
        items = [grid.itemAtPosition(row, col) for col in (0, 1)]
        name, value = (item.widget() if item is not None else None for item in items)
        assert isinstance(name, QLabel) and isinstance(value, QLabel)
        rows[name.text()] = value
    return rows


def test_card_shows_four_labelled_figures(qtbot: QtBot) -> None:
    view = WalletView(["ltc", "btc"])
    qtbot.addWidget(view)
    view.show_snapshot(_snapshot())
    card = view.cards["ltc"]
    rows = _rows(card)
    assert {name: value.text() for name, value in rows.items()} == FIGURES
    assert [rows[n] for n in FIGURES] == [
        card.available,
        card.locked_orders,
        card.locked_swaps,
        card.unconfirmed,
    ]
    for value in rows.values():  # right-aligned: the decimals line up
        assert value.alignment() & Qt.AlignmentFlag.AlignRight
        assert value.toolTip()
    view.show()
    qtbot.waitExposed(view)
    for value in rows.values():  # laid out whole, not clipped by a narrow column
        assert value.width() >= value.sizeHint().width()


def test_send_follows_the_available_figure_only(qtbot: QtBot) -> None:
    view = WalletView(["ltc"])
    qtbot.addWidget(view)
    view.show_snapshot(_snapshot(available=0))  # everything locked or unconfirmed
    card = view.cards["ltc"]
    assert card.available.text() == "0.00000000 LTC"
    assert not card.send.isEnabled()
    view.show_snapshot(_snapshot(available=1))
    assert card.send.isEnabled()
    assert view.snapshots["ltc"].locked_swaps == 150_000_000
