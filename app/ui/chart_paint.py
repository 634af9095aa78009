"""Shared pieces of the QPainter charts: colours per theme (from style.Palette), fonts, number
labels, tooltip box.

QtCharts lives in PySide6-Addons, which we do not ship; painting ourselves is also faster and
gives crisp one-pixel lines that match the order book.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from app.client.views import format_atoms
from app.ui.qt import (
    QColor,
    QEvent,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPen,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QWidget,
)
from app.ui.style import Palette, current_palette, palette

AXIS_W, AXIS_H, TOP = 84, 22, 26  # right price/amount axis, bottom axis, legend strip


@dataclass(frozen=True)
class ChartColors:
    """The chart's QColors of one style.Palette, made once per theme switch."""

    background: QColor
    grid: QColor
    axis_text: QColor
    text: QColor
    up: QColor  # bids, rising candles
    down: QColor  # asks, falling candles
    crosshair: QColor
    box: QColor  # tooltip background
    box_border: QColor
    tag_text: QColor  # text on an axis tag filled with a line colour
    accent: QColor

    @classmethod
    def of(cls, p: Palette) -> ChartColors:
        return cls(
            background=QColor(p.panel),
            grid=QColor(p.grid),
            axis_text=QColor(p.faint),
            text=QColor(p.text),
            up=QColor(p.up),
            down=QColor(p.down),
            crosshair=QColor(p.crosshair),
            box=faded(QColor(p.surface), 240),
            box_border=QColor(p.border),
            tag_text=QColor(p.on_accent),
            accent=QColor(p.accent),
        )


def chart_colors(theme: str | Palette) -> ChartColors:
    """The chart colours of a theme name or a palette (cached: QColors are made once)."""
    return _chart_colors(theme if isinstance(theme, Palette) else palette(theme))


@cache
def _chart_colors(p: Palette) -> ChartColors:
    return ChartColors.of(p)


def faded(color: QColor, alpha: int) -> QColor:
    return QColor(color.red(), color.green(), color.blue(), alpha)


def chart_font(size: int = 11, mono: bool = True, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans Mono" if mono else "DejaVu Sans")
    if mono:
        font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPixelSize(size)
    font.setBold(bold)
    return font


def step_decimals(step: int) -> int:
    """Decimals a coin label needs to show a tick step of `step` atoms exactly."""
    decimals = 8
    while decimals > 0 and step % 10 == 0:
        step //= 10
        decimals -= 1
    return decimals


def coins(atoms: int, decimals: int) -> str:
    """format_atoms without a dangling point at 0 decimals."""
    return format_atoms(atoms, decimals).rstrip(".")


def draw_box(
    painter: QPainter,
    colors: ChartColors,
    anchor: QPointF,
    bounds: QRectF,
    rows: list[tuple[str, str, QColor | None]],
) -> None:
    """A tooltip card of label/value rows beside `anchor`, flipped to stay inside `bounds`."""
    label_font, value_font = chart_font(11, mono=False), chart_font(11)
    lm, vm = QFontMetrics(label_font), QFontMetrics(value_font)
    pad, line = 8, max(lm.height(), vm.height()) + 2
    label_w = max(lm.horizontalAdvance(r[0]) for r in rows)
    value_w = max(vm.horizontalAdvance(r[1]) for r in rows)
    w, h = label_w + value_w + 3 * pad, len(rows) * line + 2 * pad - 2
    x, y = anchor.x() + 14, anchor.y() + 14
    if x + w > bounds.right():
        x = anchor.x() - 14 - w
    if y + h > bounds.bottom():
        y = anchor.y() - 14 - h
    x, y = max(bounds.left(), x), max(bounds.top(), y)
    rect = QRectF(x, y, w, h)
    painter.setPen(colors.box_border)
    painter.setBrush(colors.box)
    painter.drawRoundedRect(rect, 6, 6)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for i, (label, value, color) in enumerate(rows):
        top = y + pad + i * line
        painter.setFont(label_font)
        painter.setPen(colors.axis_text)
        painter.drawText(QRectF(x + pad, top, label_w, line), Qt.AlignmentFlag.AlignVCenter, label)
        painter.setFont(value_font)
        painter.setPen(color or colors.text)
        painter.drawText(
            QRectF(x + 2 * pad + label_w, top, value_w, line),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
            value,
        )


def draw_tag(painter: QPainter, rect: QRectF, fill: QColor, text_color: QColor, text: str) -> None:
    """A filled label on an axis (last price, hovered price or time)."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(rect, 3, 3)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(text_color)
    painter.setFont(chart_font(11))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


class ChartBase(QWidget):
    """Common state: theme colours, market units, the hover point."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(320, 200)
        self.colors: ChartColors = chart_colors(current_palette())
        self.base, self.quote = "", ""
        self.price_decimals, self.amount_decimals = 8, 8
        self.hover: QPointF | None = None

    def set_theme(self, theme: str) -> None:
        self.apply_palette(palette(theme))

    def apply_palette(self, palette: Palette) -> None:  # style.Themed
        self.colors = chart_colors(palette)
        self.update()

    def set_market(
        self, base: str, quote: str, price_decimals: int = 8, amount_decimals: int = 8
    ) -> None:
        self.base, self.quote = base.upper(), quote.upper()
        self.price_decimals, self.amount_decimals = price_decimals, amount_decimals
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(640, 320)

    def plot_rect(self) -> QRectF:
        return QRectF(8, TOP, self.width() - 8 - AXIS_W, self.height() - TOP - AXIS_H)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self.hover = event.position()
        self.update()

    def leaveEvent(self, event: QEvent) -> None:
        self.hover = None
        self.update()

    def _empty(self, painter: QPainter, text: str) -> None:
        painter.setPen(self.colors.axis_text)
        painter.setFont(chart_font(13, mono=False))
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, text)

    def _hline(self, painter: QPainter, plot: QRectF, y: float) -> None:
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))

    def _crosshair_pen(self) -> QPen:
        pen = QPen(self.colors.crosshair, 1, Qt.PenStyle.DashLine)
        pen.setDashPattern([4.0, 4.0])
        return pen
