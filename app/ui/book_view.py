"""The order book view: asks above, spread and mid price, bids below, depth bars behind rows.

Both tables show a BookModel side and paint their visible rows themselves (bars, hover,
right-aligned monospace text; see BookTable). Clicking a level emits its rate, and the book's
cumulative amount from the best level to it, for the order form. Colours come from
style.Palette and follow Settings > Theme.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from app.client.views import BookSide, decimals_for, format_atoms
from app.ui.book_model import RATE_ROLE, BookModel, BookSideModel
from app.ui.chart_paint import faded
from app.ui.qt import (
    QAbstractItemView,
    QColor,
    QEvent,
    QFont,
    QFontMetrics,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QModelIndex,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QRect,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.style import Palette, current_palette, fill

ROW_HEIGHT = 20
PAD_RIGHT = 10  # text inset from a cell's right edge
BOOK_TEMPLATE = """
QTableView#book { background: $panel; border: none; font-family: $mono; font-size: 12px; }
QTableView#book QHeaderView::section { background: $panel; color: $faint; border: none;
    border-bottom: 1px solid $separator; padding: 4px 10px 6px 4px; font-size: 11px;
    font-weight: 600; }
QFrame#spread { background: $surface_alt; border-top: 1px solid $separator;
    border-bottom: 1px solid $separator; }
QLabel#mid { font-family: $mono; font-size: 17px; font-weight: 600; }
QLabel#spreadtext { font-family: $mono; font-size: 11px; color: $muted; }
QLabel#booktitle { font-size: 14px; font-weight: 600; }
"""


def mono_font(size: int = 12) -> QFont:
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPixelSize(size)
    return font


@dataclass(frozen=True)
class BookColors:
    """One side's QColors of a palette: text per column, the two bars, the hover row."""

    texts: tuple[QColor, QColor, QColor]  # price, amount, total
    depth: QColor  # cumulative depth bar
    level: QColor  # the level's own size, over the depth bar
    hover: QColor


@cache
def book_colors(p: Palette, side: BookSide) -> BookColors:
    side_color = QColor(p.up if side is BookSide.BUY else p.down)
    return BookColors(
        texts=(side_color, QColor(p.text_soft), QColor(p.faint)),
        depth=faded(side_color, p.depth_alpha),
        level=faded(side_color, p.level_alpha),
        hover=QColor(p.book_hover),
    )


class BookTable(QTableView):
    """One side of the book, painted by its own paintEvent instead of per-cell delegate calls:
    the book repaints up to twenty times a second, and one Python call per visible row range
    (bars as one rectangle per row across all columns, then the texts column by column with
    one pen each) costs a fraction of one Python delegate call per cell. The QTableView still
    provides the header, scrolling, indexAt/visualRect and the clicked signal."""

    def __init__(self, model: BookSideModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("book")
        self.side_model = model
        self.hover_row = -1
        self.font_ = mono_font()
        self.metrics = QFontMetrics(self.font_)
        self.text_width = self._width_function()
        self.colors = book_colors(current_palette(), model.side)
        self.setModel(model)
        self.setShowGrid(False)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row measuring
        rows.setDefaultSectionSize(ROW_HEIGHT)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setHighlightSections(False)

    def _width_function(self) -> Callable[[str], int]:
        """len × one advance when the font has one width for every character the book shows
        (the monospace font is installed), else the font's own measure."""
        widths = {self.metrics.horizontalAdvance(c) for c in "0123456789.,-"}
        if len(widths) == 1:
            cell = widths.pop()
            return lambda text: len(text) * cell
        return self.metrics.horizontalAdvance

    def apply_palette(self, palette: Palette) -> None:  # style.Themed
        self.colors = book_colors(palette, self.side_model.side)
        self.viewport().update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        row = self.rowAt(event.position().toPoint().y())
        if row != self.hover_row:
            self._update_rows(self.hover_row, row)
            self.hover_row = row
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._update_rows(self.hover_row)
        self.hover_row = -1
        super().leaveEvent(event)

    def _update_rows(self, *rows: int) -> None:
        width = self.viewport().width()
        for row in rows:
            if row >= 0:
                self.viewport().update(0, self.rowViewportPosition(row), width, ROW_HEIGHT)

    def visible_rows(self, top: int, bottom: int) -> range:
        """Display rows that intersect the viewport's y range [top, bottom]."""
        count = len(self.side_model.rows)
        first = self.rowAt(top)
        if first < 0:  # above the first row (never) or below the last one
            first = 0 if count and top < self.rowViewportPosition(0) else count
        last = self.rowAt(bottom)
        return range(first, count if last < 0 else last + 1)

    def paintEvent(self, event: QPaintEvent) -> None:
        model, colors = self.side_model, self.colors
        clip = event.rect()
        rows = self.visible_rows(clip.top(), clip.bottom())
        if not rows:
            return
        levels, last = model.rows.rows, len(model.rows) - 1
        buy = model.side is BookSide.BUY
        y0 = self.rowViewportPosition(rows.start)
        width, scale = self.viewport().width(), model.scale
        painter = QPainter(self.viewport())
        painter.setClipRect(clip)
        shown = [
            (y0 + i * ROW_HEIGHT, levels[row if buy else last - row]) for i, row in enumerate(rows)
        ]
        if self.hover_row in rows:
            painter.fillRect(
                0, y0 + (self.hover_row - rows.start) * ROW_HEIGHT, width, ROW_HEIGHT, colors.hover
            )
        if scale:  # bars grow from the right edge, across the whole row
            height = ROW_HEIGHT - 2
            for y, level in shown:
                depth = min(width, level.cumulative * width // scale)
                painter.fillRect(width - depth, y + 1, depth, height, colors.depth)
                own = min(width, level.quantity * width // scale)
                painter.fillRect(width - own, y + 1, own, height, colors.level)
        painter.setFont(self.font_)
        text, advance = model.text, self.text_width
        baseline = (ROW_HEIGHT + self.metrics.ascent() - self.metrics.descent()) // 2
        for column, pen in enumerate(colors.texts):  # one pen per column, not per cell
            left = self.columnViewportPosition(column)
            cell = QRect(left, clip.top(), self.columnWidth(column), clip.height())
            if not cell.intersects(clip):
                continue
            painter.setClipRect(cell.intersected(clip))  # a long text stays in its column
            right = cell.right() + 1 - PAD_RIGHT
            painter.setPen(pen)
            for y, level in shown:  # right-aligned by advance: cheaper than a rect layout
                value = text(level, column)
                painter.drawText(right - advance(value), y + baseline, value)
        painter.end()


class BookView(QWidget):
    """Asks (best at the bottom), the spread bar, bids (best at the top)."""

    price_clicked = Signal(object)  # int rate; object because rates may exceed a C int
    level_clicked = Signal(object, object)  # int rate, int cumulative base atoms to that row

    def __init__(self, model: BookModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setStyleSheet(fill(BOOK_TEMPLATE, current_palette()))
        self.asks = BookTable(model.asks, self)
        self.bids = BookTable(model.bids, self)
        self.bids.horizontalHeader().hide()
        self.title = QLabel(self.tr("Order book"))
        self.title.setObjectName("booktitle")
        self.mid = QLabel("—")
        self.mid.setObjectName("mid")
        self.mid_unit = QLabel("")
        self.mid_unit.setObjectName("spreadtext")
        self.mid.setToolTip(self.tr("Mid price: halfway between the best bid and the best ask"))
        self.spread_text = QLabel("")
        self.spread_text.setObjectName("spreadtext")
        self._price_decimals = 8
        self._asks_pinned = True  # keep the best ask in sight above the spread

        spread = QFrame()
        spread.setObjectName("spread")
        row = QHBoxLayout(spread)
        row.setContentsMargins(12, 6, 12, 6)
        row.addWidget(self.mid)
        row.addWidget(self.mid_unit)
        row.addStretch(1)
        row.addWidget(self.spread_text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        head = QHBoxLayout()
        head.setContentsMargins(12, 8, 12, 8)
        head.addWidget(self.title)
        head.addStretch(1)
        layout.addLayout(head)
        layout.addWidget(self.asks, 1)
        layout.addWidget(spread)
        layout.addWidget(self.bids, 1)

        bar = self.asks.verticalScrollBar()
        bar.rangeChanged.connect(self._keep_asks_pinned)
        bar.valueChanged.connect(lambda v: setattr(self, "_asks_pinned", v >= bar.maximum()))
        self.asks.clicked.connect(self._clicked)
        self.bids.clicked.connect(self._clicked)
        model.flushed.connect(self.refresh_spread)

    def apply_palette(self, palette: Palette) -> None:  # style.Themed
        self.setStyleSheet(fill(BOOK_TEMPLATE, palette))

    def set_market(self, base: str, quote: str, lot_size: int, rate_step: int) -> None:
        self._price_decimals = decimals_for(rate_step)
        self.model.set_format(base, quote, self._price_decimals, decimals_for(lot_size, 2))
        self.title.setText(
            self.tr("Order book  {base}/{quote}").format(base=base.upper(), quote=quote.upper())
        )
        self.mid_unit.setText(self.tr("{quote} mid").format(quote=quote.upper()))
        self.refresh_spread()

    def _keep_asks_pinned(self, _low: int, high: int) -> None:
        if self._asks_pinned:
            self.asks.verticalScrollBar().setValue(high)

    def _clicked(self, index: QModelIndex) -> None:
        rate = index.data(RATE_ROLE)
        if not isinstance(rate, int):
            return
        self.price_clicked.emit(rate)
        model = index.model()
        if isinstance(model, BookSideModel):
            self.level_clicked.emit(rate, model.level(index.row()).cumulative)

    def refresh_spread(self) -> None:
        spread = self.model.spread()
        if spread is None:
            self.mid.setText("—")
            self.spread_text.setText(self.tr("No spread: one side is empty"))
            return
        mid_decimals = min(8, self._price_decimals + 1)
        self.mid.setText(format_atoms(spread.mid, mid_decimals))
        pct = f"{spread.basis_points // 100}.{spread.basis_points % 100:02d}%"
        self.spread_text.setText(
            self.tr("Spread {spread} ({pct})").format(
                spread=format_atoms(spread.spread, self._price_decimals), pct=pct
            )
        )
