"""Wallet screen: one column per asset: a card with balances, the receive address, its QR code,
copy and send buttons, and the asset's transaction list under it."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno

from app.assets import AssetParams, format_atoms
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
from app.ui.tx_list import TxListView, TxRow


@dataclass(frozen=True)
class AssetSnapshot:
    """What the card shows; built by the window from engine data (plain ints and strings)."""

    asset: AssetParams
    available: int
    unconfirmed: int
    locked: int
    address: str
    stand_in: bool = False  # BTC chain simulated by a second Litecoin node (simnet only)


def styled_label(text: str = "", name: str = "") -> QLabel:
    """A QLabel with an object name, which the stylesheet uses to pick its look."""
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    return label


def qr_pixmap(text: str, scale: int = 5) -> QPixmap:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=2,
                                     dark="#14171c", light="#ffffff")
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap


class AssetCard(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 18)
        layout.setSpacing(24)

        left = QVBoxLayout()
        self.name = styled_label(name="title")
        self.note = styled_label(name="muted")
        self.available = styled_label(name="amount")
        left.addWidget(self.name)
        left.addWidget(self.note)
        left.addSpacing(6)
        left.addWidget(styled_label(self.tr("Available"), "muted"))
        left.addWidget(self.available)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        self.unconfirmed = styled_label(name="figure")
        self.locked = styled_label(name="figure")
        grid.addWidget(styled_label(self.tr("Unconfirmed"), "muted"), 0, 0)
        grid.addWidget(styled_label(self.tr("Locked in orders and swaps"), "muted"), 0, 1)
        grid.addWidget(self.unconfirmed, 1, 0)
        grid.addWidget(self.locked, 1, 1)
        left.addLayout(grid)
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

    def show_snapshot(self, snap: AssetSnapshot) -> None:
        ticker = snap.asset.ticker
        self.name.setText(f"{snap.asset.name}  ·  {ticker}")
        note = f"{snap.asset.network.value}"
        if snap.stand_in:
            note += self.tr(" · simulated by a Litecoin regtest chain")
        self.note.setText(note)
        self.available.setText(f"{format_atoms(snap.available)} {ticker}")
        self.unconfirmed.setText(format_atoms(snap.unconfirmed))
        self.locked.setText(format_atoms(snap.locked))
        if self.raw_address != snap.address:
            self.raw_address = snap.address
            # Zero-width spaces let the long address wrap, so two cards fit side by side.
            self.address.setText("\u200b".join(snap.address[i:i + 22]
                                               for i in range(0, len(snap.address), 22)))
            self.qr.setPixmap(qr_pixmap(snap.address.upper()))

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.raw_address)
        self.copy.setText(self.tr("Copied"))


class WalletView(QWidget):
    send_requested = Signal(str)  # asset symbol

    def __init__(self, symbols: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(18, 18, 18, 18)
        layout.setSpacing(14)
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
