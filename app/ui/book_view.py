"""The order book view: asks above, spread and mid price, bids below, depth bars behind rows.

Both tables show a BookModel side; the delegate paints each cell itself (bars, hover, right-
aligned monospace text) because that is much cheaper than the style's item painting on a
book that repaints twenty times a second. Clicking a level emits its rate for the order form.
"""

from __future__ import annotations

from app.assets import format_atoms
from app.dex.feed_messages import BookSide
from app.trading.book_rows import decimals_for
from app.ui.book_model import RATE_ROLE, BookModel, BookSideModel, Column
from app.ui.qt import (
    QAbstractItemView,
    QColor,
    QEvent,
    QFont,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QModelIndex,
    QMouseEvent,
    QPainter,
    QPersistentModelIndex,
    QRect,
    QSize,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
)

ROW_HEIGHT = 20
MONO = '"DejaVu Sans Mono", monospace'
BID, ASK = QColor("#3fb950"), QColor("#f85149")
BOOK_STYLE = f"""
QTableView#book {{ background: #14171c; border: none; font-family: {MONO}; font-size: 12px; }}
QTableView#book QHeaderView::section {{ background: #14171c; color: #6e7781; border: none;
    border-bottom: 1px solid #20252d; padding: 4px 10px 6px 4px; font-size: 11px;
    font-weight: 600; }}
QFrame#spread {{ background: #181c22; border-top: 1px solid #20252d;
    border-bottom: 1px solid #20252d; }}
QLabel#mid {{ font-family: {MONO}; font-size: 17px; font-weight: 600; }}
QLabel#spreadtext {{ font-family: {MONO}; font-size: 11px; color: #8a939e; }}
QLabel#booktitle {{ font-size: 14px; font-weight: 600; }}
"""


def mono_font(size: int = 12) -> QFont:
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPixelSize(size)
    return font


class BookTable(QTableView):
    """One side of the book; remembers the hovered row so the delegate can light it."""

    def __init__(self, model: BookSideModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("book")
        self.hover_row = -1
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
        self.setItemDelegate(DepthDelegate(self, model))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        row = self.rowAt(event.position().toPoint().y())
        if row != self.hover_row:
            self.hover_row = row
            self.viewport().update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self.hover_row = -1
        self.viewport().update()
        super().leaveEvent(event)


class DepthDelegate(QStyledItemDelegate):
    """Paints a row's two bars (cumulative depth faint, the level's own size stronger),
    growing from the right edge across all cells, then the cell's text. It reads the level
    from the model directly and keeps its colours: this runs for every visible cell on every
    refresh, so each Python call counts."""

    def __init__(self, table: BookTable, model: BookSideModel) -> None:
        super().__init__(table)
        self.table, self.model = table, model
        self.font = mono_font()
        color = BID if model.side is BookSide.BUY else ASK
        self.depth_color = QColor(color.red(), color.green(), color.blue(), 34)
        self.level_color = QColor(color.red(), color.green(), color.blue(), 72)
        self.pens = {Column.PRICE: color, Column.AMOUNT: QColor("#d0d6dd"),
                     Column.TOTAL: QColor("#7d8590")}  # fmt: skip
        self.hover = QColor("#222833")
        self.align = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:  # fmt: skip
        rect: QRect = option.rect
        row, column = index.row(), index.column()
        level = self.model.level(row)
        if row == self.table.hover_row:
            painter.fillRect(rect, self.hover)
        scale = self.model.scale
        if scale:
            width, left, right = self.table.viewport().width(), rect.left(), rect.right()
            top, height = rect.top() + 1, rect.height() - 2
            for value, color in ((level.cumulative, self.depth_color),
                                 (level.quantity, self.level_color)):  # fmt: skip
                start = max(left, width - min(width, value * width // scale))
                if start <= right:
                    painter.fillRect(start, top, right - start + 1, height, color)
        painter.setPen(self.pens[Column(column)])
        painter.setFont(self.font)
        painter.drawText(rect.adjusted(4, 0, -10, 0), self.align, self.model.text(level, column))

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:  # fmt: skip
        return QSize(90, ROW_HEIGHT)


class BookView(QWidget):
    """Asks (best at the bottom), the spread bar, bids (best at the top)."""

    price_clicked = Signal(object)  # int rate; object because rates may exceed a C int

    def __init__(self, model: BookModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setStyleSheet(BOOK_STYLE)
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

    def set_market(self, base: str, quote: str, lot_size: int, rate_step: int) -> None:
        self._price_decimals = decimals_for(rate_step)
        self.model.set_format(base, quote, self._price_decimals, decimals_for(lot_size, 2))
        self.title.setText(self.tr("Order book  {base}/{quote}").format(
            base=base.upper(), quote=quote.upper()))
        self.mid_unit.setText(self.tr("{quote} mid").format(quote=quote.upper()))
        self.refresh_spread()

    def _keep_asks_pinned(self, _low: int, high: int) -> None:
        if self._asks_pinned:
            self.asks.verticalScrollBar().setValue(high)

    def _clicked(self, index: QModelIndex) -> None:
        rate = index.data(RATE_ROLE)
        if isinstance(rate, int):
            self.price_clicked.emit(rate)

    def refresh_spread(self) -> None:
        spread = self.model.spread()
        if spread is None:
            self.mid.setText("—")
            self.spread_text.setText(self.tr("No spread: one side is empty"))
            return
        mid_decimals = min(8, self._price_decimals + 1)
        self.mid.setText(format_atoms(spread.mid, mid_decimals))
        pct = f"{spread.basis_points // 100}.{spread.basis_points % 100:02d}%"
        self.spread_text.setText(self.tr("Spread {spread} ({pct})").format(
            spread=format_atoms(spread.spread, self._price_decimals), pct=pct))
