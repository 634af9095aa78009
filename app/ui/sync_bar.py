"""The progress bar of the main window's long waits: a restore's address discovery and the
first read of each wallet from its node, each saying what is being scanned."""

from __future__ import annotations

from app.client.views import ScanProgress
from app.ui.labels import styled_label
from app.ui.qt import QFrame, QHBoxLayout, QProgressBar, QWidget
from app.ui.style import Palette, current_palette, fill

SYNC_TEMPLATE = """
QFrame#syncbar { background: $surface; border: 1px solid $border; border-radius: 8px; }
QFrame#syncbar QLabel { color: $text_soft; background: transparent; }
QProgressBar#sync { background: $raised; border: none; border-radius: 3px; max-height: 6px;
                    min-width: 160px; }
QProgressBar#sync::chunk { background: $accent; border-radius: 3px; }
"""


class SyncBar(QFrame):
    """Hidden until a long wait starts; `show_step` sets the text and the bar, `done` hides."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncbar")
        self.apply_palette(current_palette())
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 6, 14, 6)
        row.setSpacing(14)
        self.text = styled_label()
        self.bar = QProgressBar()
        self.bar.setObjectName("sync")
        self.bar.setTextVisible(False)
        row.addWidget(self.text, 1)
        row.addWidget(self.bar)
        self.setVisible(False)

    def apply_palette(self, palette: Palette) -> None:  # style.Themed
        self.setStyleSheet(fill(SYNC_TEMPLATE, palette))

    def show_step(self, text: str, value: int, maximum: int) -> None:
        self.text.setText(text)
        self.bar.setRange(0, max(1, maximum))
        self.bar.setValue(min(value, maximum))
        self.setVisible(True)

    def show_scan(self, p: ScanProgress) -> None:
        """One discovery batch: asset, receive or change addresses, which indexes."""
        s = p.step
        text = (
            self.tr(
                "Restoring the wallet: scanning {asset} change addresses {first}–{last} "
                "({n} checked)"
            )
            if s.change
            else self.tr(
                "Restoring the wallet: scanning {asset} receive addresses {first}–{last} "
                "({n} checked)"
            )
        )
        # Two branches per asset: the bar moves on when each one starts.
        self.show_step(
            text.format(asset=s.asset.upper(), first=s.first, last=s.last, n=s.scanned),
            2 * p.index + int(s.change),
            2 * p.count,
        )

    def show_read(self, symbol: str, addresses: int, index: int, count: int) -> None:
        """The first sync: one wallet's coins read from its node."""
        self.show_step(
            self.tr("Reading the {asset} wallet from its node: {n} addresses…").format(
                asset=symbol.upper(), n=addresses
            ),
            index,
            count,
        )

    def done(self) -> None:
        self.setVisible(False)
