"""The Trade tab: market header, market list, charts, recent trades, the epoch countdown, and
the book beside the order form.

    left column:  markets (last price, 24 h change), epoch countdown, recent trades
    centre:       header (bid/ask/spread/mid), then the charts above the book (a splitter:
                  drag to give either more room) beside the order form

Every panel shrinks so the tab fits a 1280×720 screen: the charts and the book share the
height the form leaves; the trades list takes what the left column has left.

The window feeds it: `set_market(rules)`, `show_book(mirror)` after a snapshot, market data
(`show_trades`, `show_candles`) from the server; the depth chart follows the book's flushes.
"""

from __future__ import annotations

import time

from app.client.views import (
    Candle,
    MarketRules,
    OrderBookMirror,
    Trade,
    decimals_for,
    format_atoms,
    ticker_24h,
)
from app.ui.charts import CandleChartWidget, DepthChartWidget
from app.ui.epoch_timer import EpochCheckMark, EpochTimer
from app.ui.market_list import MarketList, MarketRow
from app.ui.qt import QFrame, QHBoxLayout, QLabel, QSizePolicy, Qt, QVBoxLayout, QWidget
from app.ui.trades_view import TradesView
from app.ui.trading_view import TradingView
from app.ui.wallet_view import styled_label

LEFT_WIDTH = 270
CHART_MIN_HEIGHT = 130  # the splitter stops there: the candles stay readable
BOOK_MIN_HEIGHT = 180


def card(*widgets: QWidget, margins: int = 1) -> QFrame:
    """Widgets stacked in a rounded card (the look shared by every panel of the tab)."""
    frame = QFrame()
    frame.setObjectName("card")
    inner = QVBoxLayout(frame)
    inner.setContentsMargins(margins, margins, margins, margins)
    inner.setSpacing(0)
    for widget in widgets:
        inner.addWidget(widget)
    return frame


class TradeTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rules: MarketRules | None = None
        self.mirror: OrderBookMirror | None = None
        self.trading = TradingView()
        inner = self.trading.layout()
        if inner is not None:
            inner.setContentsMargins(0, 0, 0, 0)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(10, 10, 10, 10)
        outer.setSpacing(10)
        self.market_slot = QVBoxLayout()
        self.market_slot.setSpacing(10)
        outer.addLayout(self.market_slot)
        center = QVBoxLayout()
        center.setSpacing(10)
        outer.addLayout(center, 1)
        center.addWidget(self._build_header())
        charts = QWidget()
        self.chart_slot = QHBoxLayout(charts)
        self.chart_slot.setContentsMargins(0, 0, 0, 0)
        self.chart_slot.setSpacing(10)
        self.trading.splitter.insertWidget(0, charts)
        self.trading.splitter.setStretchFactor(0, 4)
        self.trading.splitter.setStretchFactor(1, 5)
        self.trading.book_card.setMinimumHeight(BOOK_MIN_HEIGHT)
        center.addWidget(self.trading, 1)
        self._build_side()
        self._build_charts()
        self.trading.book.flushed.connect(self.show_prices)
        self.trading.book.flushed.connect(self._update_depth)

    def _build_header(self) -> QFrame:
        header = QFrame()
        header.setObjectName("card")
        row = QHBoxLayout(header)
        row.setContentsMargins(16, 8, 16, 8)
        row.setSpacing(24)
        self.market = styled_label(self.tr("Connecting…"), "markettitle")
        row.addWidget(self.market)
        self.figures: dict[str, tuple[QLabel, QLabel]] = {}
        for key, name in (
            ("bid", self.tr("Best bid")),
            ("ask", self.tr("Best ask")),
            ("spread", self.tr("Spread")),
            ("mid", self.tr("Mid price")),
        ):
            box = QVBoxLayout()
            box.setSpacing(0)
            label, value = styled_label(name, "muted"), styled_label("—", "figure")
            box.addWidget(label)
            box.addWidget(value)
            row.addLayout(box)
            self.figures[key] = (label, value)
        self.note = styled_label("", "muted")
        self.note.setWordWrap(True)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.note.setMinimumWidth(120)  # wraps, and gives way to the figures
        self.note.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.note, 1)
        return header

    def _build_side(self) -> None:
        self.markets = MarketList()
        self.markets.setColumnHidden(self.markets.markets.columnCount() - 1, True)  # volume:
        # too wide for the side column; the 24 h change is what a trader scans for
        title = styled_label(self.tr("Markets"), "cardtitle")
        title.setContentsMargins(12, 8, 12, 6)
        self.markets_card = card(title, self.markets)
        self.markets_card.setFixedWidth(LEFT_WIDTH)
        self.markets_card.setMaximumHeight(150)  # a handful of markets; trades get the rest
        self.epoch = EpochTimer()
        self.epoch_check = EpochCheckMark()  # fairness of our epochs, under the countdown
        self.epoch_card = card(self.epoch, self.epoch_check, margins=10)
        self.epoch_card.setFixedWidth(LEFT_WIDTH)
        self.trades = TradesView()
        self.trades_card = card(self.trades)
        self.trades_card.setFixedWidth(LEFT_WIDTH)
        self.market_slot.addWidget(self.markets_card)
        self.market_slot.addWidget(self.epoch_card)
        self.market_slot.addWidget(self.trades_card, 1)

    def _build_charts(self) -> None:
        self.candles = CandleChartWidget()
        self.depth_chart = DepthChartWidget()
        # Smaller than the charts' own minimums, which suit a large window.
        self.candles.plot.setMinimumSize(240, CHART_MIN_HEIGHT - 40)  # under the bin buttons
        self.depth_chart.setMinimumSize(200, CHART_MIN_HEIGHT)
        # 2:1, so the candle legend (OHLC, volume, change) has room on a 1280-pixel screen
        for widget, stretch in ((self.candles, 2), (self.depth_chart, 1)):
            frame = card(widget, margins=4)
            self.chart_slot.addWidget(frame, stretch)

    def set_market(self, rules: MarketRules, note: str = "") -> None:
        self.rules = rules
        self.mirror = None
        self.market.setText(f"{rules.base.upper()} / {rules.quote.upper()}")
        self.note.setText(note)
        self.trading.set_market(rules)
        self.epoch_check.set_market(rules.name)
        prices, amounts = decimals_for(rules.rate_step), decimals_for(rules.lot_size)
        if self.markets.markets.row_of(rules.name) < 0:
            self.markets.set_markets(
                [
                    *self.markets.markets.rows,
                    MarketRow(
                        rules.name,
                        rules.base,
                        rules.quote,
                        price_decimals=prices,
                        amount_decimals=amounts,
                    ),
                ]
            )
        self.markets.select(rules.name)
        for view in (self.candles, self.depth_chart, self.trades):
            view.set_market(rules.base, rules.quote, prices, amounts)

    def show_book(self, mirror: OrderBookMirror) -> None:
        """A (re)loaded snapshot; deltas go to `trading.apply_delta` after this."""
        self.mirror = mirror
        self.trading.apply_snapshot(mirror)

    def show_trades(self, market: str, trades: list[Trade]) -> None:
        self.markets.update_ticker(market, ticker_24h(trades, time.time_ns() // 1_000_000))
        if self.rules is not None and market == self.rules.name:
            self.trades.set_trades(trades)
            self.candles.set_trades(trades)  # until the server's candles of this bin arrive

    def show_candles(self, market: str, bin_name: str, candles: list[Candle]) -> None:
        if self.rules is not None and market == self.rules.name:
            self.candles.set_candles(bin_name, candles)

    def set_theme(self, theme: str) -> None:
        for view in (self.candles, self.depth_chart, self.trades, self.epoch):
            view.set_theme(theme)
        self.markets.markets.set_theme(theme)

    def _update_depth(self) -> None:
        # After each coalesced flush, not per delta: the curve is rebuilt from the mirror.
        if self.mirror is not None:
            self.depth_chart.set_mirror(self.mirror)

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
