"""The Trade tab: market header, room for the market list and charts, book + order form.

`market_slot` (left column) and `chart_slot` (above the book) are empty layouts the chart
widgets (app/ui/charts*.py, market_list.py) are embedded into; empty, they take no space.
"""

from __future__ import annotations

from app.assets import format_atoms
from app.trading.book_rows import decimals_for
from app.trading.orderform import MarketRules
from app.ui.qt import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget
from app.ui.trading_view import TradingView
from app.ui.wallet_view import styled_label


class TradeTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rules: MarketRules | None = None
        self.trading = TradingView()
        inner = self.trading.layout()
        if inner is not None:
            inner.setContentsMargins(0, 0, 0, 0)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(12, 12, 12, 12)
        outer.setSpacing(12)
        self.market_slot = QVBoxLayout()
        outer.addLayout(self.market_slot)
        center = QVBoxLayout()
        center.setSpacing(12)
        outer.addLayout(center, 1)

        header = QFrame()
        header.setObjectName("card")
        row = QHBoxLayout(header)
        row.setContentsMargins(18, 10, 18, 10)
        row.setSpacing(28)
        self.market = styled_label(self.tr("Connecting…"), "markettitle")
        row.addWidget(self.market)
        self.figures: dict[str, tuple[QLabel, QLabel]] = {}
        for key, name in (("bid", self.tr("Best bid")), ("ask", self.tr("Best ask")),
                          ("spread", self.tr("Spread")), ("mid", self.tr("Mid price"))):
            box = QVBoxLayout()
            box.setSpacing(0)
            label, value = styled_label(name, "muted"), styled_label("—", "figure")
            box.addWidget(label)
            box.addWidget(value)
            row.addLayout(box)
            self.figures[key] = (label, value)
        row.addStretch(1)
        self.note = styled_label("", "muted")
        row.addWidget(self.note)
        center.addWidget(header)
        self.chart_slot = QVBoxLayout()
        center.addLayout(self.chart_slot)
        center.addWidget(self.trading, 1)
        self.trading.book.flushed.connect(self.show_prices)

    def set_market(self, rules: MarketRules, note: str = "") -> None:
        self.rules = rules
        self.market.setText(f"{rules.base.upper()} / {rules.quote.upper()}")
        self.note.setText(note)
        self.trading.set_market(rules)

    def show_prices(self) -> None:
        if self.rules is None:
            return
        decimals = decimals_for(self.rules.rate_step)
        bid, ask = self.trading.book.best_bid(), self.trading.book.best_ask()
        q = self.rules.quote.upper()

        def put(key: str, text: str) -> None:
            self.figures[key][1].setText(text)

        put("bid", f"{format_atoms(bid, decimals)} {q}" if bid else "—")
        put("ask", f"{format_atoms(ask, decimals)} {q}" if ask else "—")
        if bid and ask:
            spread = ask - bid
            put("spread", f"{format_atoms(spread, decimals)} ({spread * 100 / ask:.2f}%)")
            put("mid", f"{format_atoms((bid + ask) // 2, decimals)} {q}")
        else:
            put("spread", "—")
            put("mid", "—")
