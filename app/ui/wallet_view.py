"""Wallet screen: one column per asset: a card with balances, the receive address, its QR code,
copy and send buttons, and the asset's transaction list under it.

The card's four figures are those of app/client/balances.py: available, locked in orders, locked in
swaps, unconfirmed (docs/wallet.md defines them)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from app.client.read_models import TxRow
from app.client.views import AssetParams, format_atoms
from app.ui.labels import styled_label as styled_label  # re-exported for other views
from app.ui.qt import (
    QFrame,
    QGridLayout,
    QGuiApplication,
    QHBoxLayout,
    QLabel,
    QPixmap,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.tx_list import TxListView


@dataclass(frozen=True)
class AssetSnapshot:
    """What the card shows; built by the window from engine data (plain ints and strings)."""

    asset: AssetParams
    available: int
    locked_orders: int
    locked_swaps: int
    unconfirmed: int
    address: str
    stand_in: bool = False  # BTC chain simulated by a second Litecoin node (simnet only)


def qr_pixmap(text: str, scale: int = 5) -> QPixmap:
    import segno  # ~25 ms to import: not on the start path, only once an address is shown

    buffer = io.BytesIO()
    segno.make(text, error="m").save(
        buffer, kind="png", scale=scale, border=2, dark="#14171c", light="#ffffff"
    )
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap


class AssetCard(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 16)
        layout.setSpacing(14)  # two cards side by side fit a 1280-pixel window

        left = QVBoxLayout()
        self.name = styled_label(name="title")
        self.note = styled_label(name="muted")
        self.note.setWordWrap(True)
        left.addWidget(self.name)
        left.addWidget(self.note)
        left.addSpacing(6)
        self.available = styled_label(name="amount")
        self.locked_orders, self.locked_swaps, self.unconfirmed = (
            styled_label(name="figure") for _ in range(3)
        )
        left.addLayout(self._figures())
        left.addStretch(1)
        layout.addLayout(left, 3)

        right = QVBoxLayout()
        right.addWidget(styled_label(self.tr("Receive address"), "muted"))
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        right.addWidget(self.qr)
        self.address = styled_label(name="address")
        self.raw_address = ""
        self.address.setWordWrap(True)
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right.addWidget(self.address)
        self.copy = QPushButton(self.tr("Copy address"))
        self.copy.setObjectName("secondary")
        self.copy.clicked.connect(self._copy)
        self.send = QPushButton(self.tr("Send"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy)
        buttons.addWidget(self.send)
        right.addLayout(buttons)
        layout.addLayout(right, 2)

    def _figures(self) -> QGridLayout:
        """Label and amount per row, amounts right-aligned so their decimals line up."""
        rows = (
            (
                self.tr("Available"),
                self.available,
                self.tr("Confirmed coins not reserved: what a new order or a payment can use."),
            ),
            (
                self.tr("Locked in orders"),
                self.locked_orders,
                self.tr("Coins reserved for your open orders."),
            ),
            (
                self.tr("Locked in swaps"),
                self.locked_swaps,
                self.tr(
                    "Coins set aside to fund swaps, and coins sent into swap contracts that "
                    "have not been redeemed or refunded yet."
                ),
            ),
            (
                self.tr("Unconfirmed"),
                self.unconfirmed,
                self.tr("Coins waiting for their first confirmation."),
            ),
        )
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        for row, (text, value, tip) in enumerate(rows):
            label = styled_label(text, "muted")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            for widget in (label, value):
                widget.setToolTip(tip)
            grid.addWidget(label, row, 0)
            grid.addWidget(value, row, 1)
        grid.setColumnStretch(1, 1)
        return grid

    def show_snapshot(self, snap: AssetSnapshot) -> None:
        ticker = snap.asset.ticker
        self.name.setText(f"{snap.asset.name}  ·  {ticker}")
        note = f"{snap.asset.network.value}"
        if snap.stand_in:
            note += self.tr(" · simulated by a Litecoin regtest chain")
        self.note.setText(note)
        for label, atoms in (
            (self.available, snap.available),
            (self.locked_orders, snap.locked_orders),
            (self.locked_swaps, snap.locked_swaps),
            (self.unconfirmed, snap.unconfirmed),
        ):
            label.setText(f"{format_atoms(atoms)} {ticker}")
        if self.raw_address != snap.address:
            self.raw_address = snap.address
            # Zero-width spaces let the long address wrap, so two cards fit side by side.
            self.address.setText(
                "\u200b".join(snap.address[i : i + 22] for i in range(0, len(snap.address), 22))
            )
            self.qr.setPixmap(qr_pixmap(snap.address.upper()))

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.raw_address)
        self.copy.setText(self.tr("Copied"))


class WalletView(QWidget):
    send_requested = Signal(str)  # asset symbol

    def __init__(self, symbols: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(12)
        self.cards: dict[str, AssetCard] = {}
        self.txs: dict[str, TxListView] = {}
        self.snapshots: dict[str, AssetSnapshot] = {}
        for symbol in symbols:
            column = QVBoxLayout()
            column.setSpacing(14)
            card = self.cards[symbol] = AssetCard(self)
            card.send.setEnabled(False)  # until a balance is known
            card.send.clicked.connect(lambda _=False, s=symbol: self.send_requested.emit(s))
            self.txs[symbol] = TxListView(self)
            column.addWidget(card)
            column.addWidget(self.txs[symbol], 1)
            layout.addLayout(column, 1)

    def show_snapshot(self, snap: AssetSnapshot) -> None:
        self.snapshots[snap.asset.symbol] = snap
        card = self.cards[snap.asset.symbol]
        card.show_snapshot(snap)
        card.send.setEnabled(snap.available > 0)

    def show_txs(self, symbol: str, rows: list[TxRow]) -> None:
        self.txs[symbol].set_rows(rows)

    def set_theme(self, theme: str) -> None:
        for view in self.txs.values():
            view.set_theme(theme)
