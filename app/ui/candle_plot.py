"""The candle chart's plot area: OHLC candles over volume bars, crosshair and OHLCV legend."""

from __future__ import annotations

from datetime import datetime

from app.client.views import Bin, Candle, format_change, nice_ticks, time_ticks
from app.ui.chart_paint import (
    AXIS_H,
    AXIS_W,
    TOP,
    ChartBase,
    chart_font,
    coins,
    draw_tag,
    faded,
    step_decimals,
)
from app.ui.qt import QPainter, QPaintEvent, QPen, QPointF, QRectF, Qt, QWheelEvent, QWidget


class CandlePlot(ChartBase):
    """OHLC candles over volume bars, laid out by time so empty bins show as gaps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.candles: list[Candle] = []
        self.width_ms = Bin.H1.ms
        self.slot = 9  # pixels per bin; the wheel zooms
        self.setMinimumHeight(240)

    def set_series(self, candles: list[Candle], width_ms: int) -> None:
        self.candles, self.width_ms = candles, width_ms
        self.update()

    def wheelEvent(self, event: QWheelEvent) -> None:
        step = 1 if event.angleDelta().y() > 0 else -1
        self.slot = max(3, min(32, self.slot + step * max(1, self.slot // 6)))
        self.update()

    def layout_slots(self, plot: QRectF) -> tuple[int, int]:
        """(start time of the leftmost slot, number of slots) so the last candle sits two
        slots from the right edge."""
        count = max(1, int(plot.width() // self.slot))
        last = self.candles[-1].start if self.candles else 0
        return last - (count - 3) * self.width_ms, count

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        c = self.colors
        painter.fillRect(self.rect(), c.background)
        if not self.candles:
            self._empty(painter, self.tr("No trades yet"))
            return
        plot = self.plot_rect()
        first, count = self.layout_slots(plot)
        shown = [k for k in self.candles if k.start >= first]
        lo, hi = min(k.low for k in shown), max(k.high for k in shown)
        pad = max(1, (hi - lo) // 10, hi // 500)
        lo, hi = max(0, lo - pad), hi + pad
        vol_h = plot.height() * 0.18
        price_h = plot.height() - vol_h - 6
        max_vol = max(k.volume for k in shown) or 1

        def y_of(rate: int) -> float:
            return plot.top() + (hi - rate) * price_h / (hi - lo)

        def x_of(start: int) -> float:
            return plot.left() + (start - first) / self.width_ms * self.slot + self.slot / 2

        painter.setFont(chart_font(11))
        ticks = nice_ticks(lo, hi, max(2, int(price_h // 40)))
        pd = min(self.price_decimals, step_decimals(ticks[1] - ticks[0]) if len(ticks) > 1 else 8)
        for tick in ticks:
            y = y_of(tick)
            painter.setPen(c.grid)
            self._hline(painter, plot, y)
            painter.setPen(c.axis_text)
            painter.drawText(
                QRectF(plot.right() + 6, y - 8, AXIS_W - 10, 16),
                Qt.AlignmentFlag.AlignVCenter,
                coins(tick, pd),
            )
        end = first + count * self.width_ms
        for when in time_ticks(first, end, max(1, int(plot.width() // 110))):
            x = x_of(when) - self.slot / 2
            painter.setPen(c.grid)
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            painter.setPen(c.axis_text)
            painter.drawText(
                QRectF(x - 50, plot.bottom() + 4, 100, AXIS_H - 4),
                Qt.AlignmentFlag.AlignHCenter,
                self._time_label(when),
            )
        body = max(1.0, round(self.slot * 0.7))
        for k in shown:
            color = c.up if k.close >= k.open else c.down
            x = round(x_of(k.start)) + 0.5  # pixel centre: crisp one-pixel wicks
            painter.setPen(color)
            painter.drawLine(QPointF(x, y_of(k.high)), QPointF(x, y_of(k.low)))
            top, bottom = y_of(max(k.open, k.close)), y_of(min(k.open, k.close))
            painter.fillRect(QRectF(x - body / 2, top, body, max(1.0, bottom - top)), color)
            vh = k.volume * vol_h / max_vol
            painter.fillRect(QRectF(x - body / 2, plot.bottom() - vh, body, vh), faded(color, 90))
        last = self.candles[-1]
        last_color = c.up if last.close >= last.open else c.down
        y = y_of(last.close)
        pen = QPen(last_color, 1, Qt.PenStyle.DashLine)
        pen.setDashPattern([2.0, 3.0])
        painter.setPen(pen)
        self._hline(painter, plot, y)
        draw_tag(
            painter,
            QRectF(plot.right() + 2, y - 9, AXIS_W - 4, 18),
            last_color,
            c.tag_text,
            coins(last.close, self.price_decimals),
        )
        self._hover_candle(painter, plot, first, lo, hi, price_h)

    def _time_label(self, when: int) -> str:
        moment = datetime.fromtimestamp(when / 1000)
        if self.width_ms >= Bin.D1.ms:
            return moment.strftime("%b %d")
        return (
            moment.strftime("%H:%M") if moment.hour or moment.minute else moment.strftime("%b %d")
        )

    def candle_at(self, x: float) -> Candle | None:
        first, _ = self.layout_slots(self.plot_rect())
        start = first + int((x - self.plot_rect().left()) // self.slot) * self.width_ms
        return next((k for k in self.candles if k.start == start), None)

    def _hover_candle(
        self, painter: QPainter, plot: QRectF, first: int, lo: int, hi: int, price_h: float
    ) -> None:
        c = self.colors
        hover = self.hover if self.hover is not None and plot.contains(self.hover) else None
        candle = self.candle_at(hover.x()) if hover is not None else None
        shown = candle or self.candles[-1]
        if hover is not None:
            slot_i = int((hover.x() - plot.left()) // self.slot)
            x = plot.left() + slot_i * self.slot + self.slot / 2
            painter.setPen(self._crosshair_pen())
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            self._hline(painter, plot, hover.y())
            if hover.y() <= plot.top() + price_h:
                rate = hi - round((hover.y() - plot.top()) * (hi - lo) / price_h)
                draw_tag(
                    painter,
                    QRectF(plot.right() + 2, hover.y() - 9, AXIS_W - 4, 18),
                    c.crosshair,
                    c.tag_text,
                    coins(rate, self.price_decimals),
                )
            when = first + slot_i * self.width_ms
            stamp = datetime.fromtimestamp(when / 1000).strftime("%Y-%m-%d %H:%M")
            draw_tag(
                painter, QRectF(x - 58, plot.bottom() + 2, 116, 18), c.crosshair, c.tag_text, stamp
            )
        # The legend shows the hovered candle, else the latest (like any trading terminal).
        change = (shown.close - shown.open) * 10_000 // shown.open if shown.open else 0
        color = c.up if shown.close >= shown.open else c.down
        parts = [
            ("O", coins(shown.open, self.price_decimals)),
            ("H", coins(shown.high, self.price_decimals)),
            ("L", coins(shown.low, self.price_decimals)),
            ("C", coins(shown.close, self.price_decimals)),
            (self.tr("Vol"), coins(shown.volume, self.amount_decimals)),
            ("", format_change(change)),
        ]
        x = 10.0
        for label, value in parts:
            for text, pen, font in (
                (label, c.axis_text, chart_font(11, mono=False)),
                (value, color, chart_font(11)),
            ):
                if not text:
                    continue
                painter.setFont(font)
                painter.setPen(pen)
                width = painter.fontMetrics().horizontalAdvance(text) + 4
                painter.drawText(QRectF(x, 4, width, TOP - 8), Qt.AlignmentFlag.AlignVCenter, text)
                x += width
            x += 8
