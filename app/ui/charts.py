"""Depth chart and candle chart, painted with QPainter (QtCharts is not in PySide6-Essentials).

Both hold plain data from app.trading.charts_data and map it to pixels only in paintEvent;
the mouse sets a hover point and the crosshair and tooltip are painted with the chart.

    depth.set_market("ltc", "btc", price_decimals=6); depth.set_levels(bids, asks)
    candles.set_market(...); candles.set_trades(trades) or candles.set_candles("1h", data)
    candles.bin_changed.connect(lambda b: fetch_candles(b))   # optional: server candles
"""

from __future__ import annotations

from collections.abc import Sequence

from app.client.views import (
    Bin,
    BookSide,
    Candle,
    DepthPoint,
    DepthView,
    OrderBookMirror,
    PriceLevel,
    Trade,
    aggregate,
    depth_at,
    depth_view,
    nice_ticks,
)
from app.ui.candle_plot import CandlePlot
from app.ui.chart_paint import (
    AXIS_H,
    AXIS_W,
    TOP,
    ChartBase,
    chart_font,
    coins,
    draw_box,
    draw_tag,
    faded,
    step_decimals,
)
from app.ui.qt import (
    QButtonGroup,
    QColor,
    QFontMetrics,
    QHBoxLayout,
    QLabel,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPointF,
    QPushButton,
    QRectF,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.style import Palette, current_palette, fill, palette

BIN_TEMPLATE = """
QPushButton#bin { background: transparent; color: $muted; padding: 3px 10px; border-radius: 4px;
                  font-weight: 600; }
QPushButton#bin:checked { background: $raised; color: $text_strong; }
QPushButton#bin:hover { color: $text; }
QLabel#charttitle { font-size: 14px; font-weight: 600; }
"""
LEGEND_GAP = 10  # between labels of the top strip


def legend_rects(
    width: float, texts: Sequence[float], unit: float, mid: float, mid_x: float, plot: QRectF
) -> tuple[list[QRectF], QRectF, QRectF]:
    """Where the depth chart's top labels go, given their text widths: the legend entries
    (swatch + text) from the left, the amount unit at the right, and the mid price centred
    on the mid line but kept between them; when the strip has no room for it, the mid price
    drops just inside the plot (depth is lowest at the mid, so that spot is nearly empty)."""
    x, legend = 12.0, []
    for text in texts:
        legend.append(QRectF(x, 4, 14 + text, TOP - 6))  # 9 px swatch, 5 px gap, the text
        x += 14 + text + LEGEND_GAP + 4
    unit_rect = QRectF(width - 4 - unit, 4, unit, TOP - 6)
    lo, hi = legend[-1].right() + LEGEND_GAP if legend else 4.0, unit_rect.left() - LEGEND_GAP
    mid_rect = QRectF(mid_x - mid / 2, 4, mid, TOP - 6)
    if hi - lo >= mid:
        mid_rect.moveLeft(max(lo, min(hi - mid, mid_rect.left())))
    else:
        mid_rect.moveTop(plot.top() + 2)
        mid_rect.moveLeft(max(plot.left() + 2, min(plot.right() - 2 - mid, mid_rect.left())))
    return legend, unit_rect, mid_rect


class DepthChartWidget(ChartBase):
    """Cumulative bids (left, green) and asks (right, red) around the mid price."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: DepthView | None = None
        self.label_rects: list[QRectF] = []  # of the last paint (legend, unit, mid price)

    def set_levels(self, bids: Sequence[PriceLevel], asks: Sequence[PriceLevel]) -> None:
        """Levels best first, as OrderBookMirror.depth returns them."""
        self.view = depth_view(bids, asks)
        self.update()

    def set_mirror(self, mirror: OrderBookMirror, limit: int = 400) -> None:
        self.set_levels(mirror.depth(BookSide.BUY, limit), mirror.depth(BookSide.SELL, limit))

    def _x(self, plot: QRectF, view: DepthView, rate: int) -> float:
        return plot.left() + (rate - view.lo) * plot.width() / (view.hi - view.lo)

    def _y(self, plot: QRectF, top: int, base: int) -> float:
        return plot.bottom() - base * plot.height() / top

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.colors.background)
        view = self.view
        if view is None:
            self._empty(painter, self.tr("No orders in the book"))
            return
        plot = self.plot_rect()
        top = max(1, view.max_base * 112 // 100)  # headroom above the highest wall
        c = self.colors
        painter.setFont(chart_font(11))
        ticks = nice_ticks(0, top, 4)
        decimals = min(
            self.amount_decimals, step_decimals(ticks[1] - ticks[0]) if len(ticks) > 1 else 8
        )
        for tick in ticks:
            y = self._y(plot, top, tick)
            painter.setPen(c.grid)
            self._hline(painter, plot, y)
            painter.setPen(c.axis_text)
            painter.drawText(
                QRectF(plot.right() + 6, y - 8, AXIS_W - 10, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                coins(tick, decimals),
            )
        prices = nice_ticks(view.lo, view.hi, max(2, int(plot.width() // 110)))
        pd = min(
            self.price_decimals, step_decimals(prices[1] - prices[0]) if len(prices) > 1 else 8
        )
        for rate in prices:
            x = self._x(plot, view, rate)
            painter.drawText(
                QRectF(x - 50, plot.bottom() + 4, 100, AXIS_H - 4),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                coins(rate, pd),
            )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.save()
        painter.setClipRect(plot)
        self._side(painter, plot, view, top, view.bids, view.lo, c.up)
        self._side(painter, plot, view, top, view.asks, view.hi, c.down)
        painter.restore()
        mid_x = self._x(plot, view, view.mid)
        painter.setPen(self._crosshair_pen())
        painter.drawLine(QPointF(mid_x, plot.top()), QPointF(mid_x, plot.bottom()))
        self._labels(painter, plot, view, mid_x)
        self._hover(painter, plot, view, top)

    def _side(
        self,
        painter: QPainter,
        plot: QRectF,
        view: DepthView,
        top: int,
        curve: list[DepthPoint],
        edge: int,
        color: QColor,
    ) -> None:
        if not curve:
            return
        # A step line: between two levels the cumulative amount stays at the nearer one's.
        path = QPainterPath()
        path.moveTo(self._x(plot, view, curve[0].rate), plot.bottom())
        prev_y = plot.bottom()
        for point in curve:
            x = self._x(plot, view, point.rate)
            path.lineTo(x, prev_y)
            prev_y = self._y(plot, top, point.base)
            path.lineTo(x, prev_y)
        path.lineTo(self._x(plot, view, edge), prev_y)
        line = QPainterPath(path)
        path.lineTo(self._x(plot, view, edge), plot.bottom())
        path.closeSubpath()
        gradient = QLinearGradient(0, plot.top(), 0, plot.bottom())
        gradient.setColorAt(0, faded(color, 90))
        gradient.setColorAt(1, faded(color, 18))
        painter.fillPath(path, gradient)
        painter.setPen(QPen(color, 1.6))
        painter.drawPath(line)

    def _labels(self, painter: QPainter, plot: QRectF, view: DepthView, mid_x: float) -> None:
        """The legend, the amount unit and the mid price, laid out so none overlaps."""
        c = self.colors
        legend_font, mid_font = chart_font(11, mono=False), chart_font(12, bold=True)
        names = [(self.tr("Bids"), c.up), (self.tr("Asks"), c.down)]
        mid_text = f"{coins(view.mid, self.price_decimals)} {self.quote}"
        small, big = QFontMetrics(legend_font), QFontMetrics(mid_font)
        legend, unit_rect, mid_rect = legend_rects(
            self.width(),
            [small.horizontalAdvance(n) for n, _ in names],
            small.horizontalAdvance(self.base),
            big.horizontalAdvance(mid_text) + 8,
            mid_x,
            plot,
        )
        self.label_rects = [*legend, unit_rect, mid_rect]
        painter.setFont(legend_font)
        painter.setPen(c.axis_text)
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        for (name, color), rect in zip(names, legend, strict=True):
            painter.fillRect(QRectF(rect.left(), rect.center().y() - 4.5, 9, 9), color)
            painter.drawText(rect.adjusted(14, 0, 0, 0), left, name)
        painter.drawText(
            unit_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self.base
        )
        if mid_rect.top() >= plot.top():  # inside the plot: on a backing so grid lines pass
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(faded(c.background, 220))
            painter.drawRoundedRect(mid_rect, 3, 3)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setFont(mid_font)
        painter.setPen(c.text)
        painter.drawText(mid_rect, Qt.AlignmentFlag.AlignCenter, mid_text)

    def _hover(self, painter: QPainter, plot: QRectF, view: DepthView, top: int) -> None:
        if self.hover is None or not plot.contains(self.hover):
            return
        rate = view.lo + round((self.hover.x() - plot.left()) * (view.hi - view.lo) / plot.width())
        bids = rate <= view.mid
        point = depth_at(view.bids if bids else view.asks, rate, bids)
        color = self.colors.up if bids else self.colors.down
        x = self.hover.x()
        painter.setPen(self._crosshair_pen())
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        draw_tag(
            painter,
            QRectF(x - 48, plot.bottom() + 2, 96, 18),
            self.colors.crosshair,
            self.colors.tag_text,
            coins(rate, self.price_decimals),
        )
        rows: list[tuple[str, str, QColor | None]] = [
            (self.tr("Price"), f"{coins(rate, self.price_decimals)} {self.quote}", None)
        ]
        if point is not None:
            y = self._y(plot, top, point.base)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawEllipse(QPointF(x, y), 4, 4)
            rows += [
                (self.tr("Total"), f"{coins(point.base, self.amount_decimals)} {self.base}", color),
                (self.tr("Value"), f"{coins(point.quote, self.price_decimals)} {self.quote}", None),
            ]
        draw_box(painter, self.colors, self.hover, plot, rows)


class CandleChartWidget(QWidget):
    """Title, bin buttons (1m / 1h / 1d) and the candle plot. Candles come from the server
    per bin (set_candles) or are built from recent trades (set_trades) until they arrive."""

    bin_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(fill(BIN_TEMPLATE, current_palette()))
        self.plot = CandlePlot(self)
        self.bin = Bin.H1
        self.trades: list[Trade] = []
        self.server: dict[Bin, list[Candle]] = {}
        self.title = QLabel(self.tr("Price"))
        self.title.setObjectName("charttitle")
        self.buttons: dict[Bin, QPushButton] = {}
        group = QButtonGroup(self)
        head = QHBoxLayout()
        head.setContentsMargins(12, 8, 12, 4)
        head.addWidget(self.title)
        head.addStretch(1)
        for b in Bin:
            button = QPushButton(b.value)
            button.setObjectName("bin")
            button.setCheckable(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setToolTip(self.tr("Candle width"))
            button.clicked.connect(lambda _=False, b=b: self.set_bin(b))
            group.addButton(button)
            head.addWidget(button)
            self.buttons[b] = button
        self.buttons[self.bin].setChecked(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(head)
        layout.addWidget(self.plot, 1)

    def set_market(
        self, base: str, quote: str, price_decimals: int = 8, amount_decimals: int = 8
    ) -> None:
        self.trades, self.server = [], {}
        self.title.setText(
            self.tr("Price  {base}/{quote}").format(base=base.upper(), quote=quote.upper())
        )
        self.plot.set_market(base, quote, price_decimals, amount_decimals)
        self._refresh()

    def set_theme(self, theme: str) -> None:
        self.apply_palette(palette(theme))
        self.plot.apply_palette(palette(theme))

    def apply_palette(self, palette: Palette) -> None:  # style.Themed (the plot is one too)
        self.setStyleSheet(fill(BIN_TEMPLATE, palette))

    def set_trades(self, trades: list[Trade]) -> None:
        self.trades = trades
        self._refresh()

    def set_candles(self, bin_name: str, candles: list[Candle]) -> None:
        self.server[Bin(bin_name)] = candles
        if Bin(bin_name) is self.bin:
            self._refresh()

    def set_bin(self, bin_name: str) -> None:
        b = Bin(bin_name)
        self.buttons[b].setChecked(True)
        if b is not self.bin:
            self.bin = b
            self._refresh()
            self.bin_changed.emit(b.value)

    def series(self) -> list[Candle]:
        """The candles of the current bin: the server's when we have them."""
        if self.bin in self.server:
            return self.server[self.bin]
        return aggregate(self.trades, self.bin.ms)

    def _refresh(self) -> None:
        self.plot.set_series(self.series(), self.bin.ms)
