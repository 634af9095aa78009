"""Qt models of the order book: one table model per side over app.trading.book_rows.

The models only adapt SideRows to Qt. Both sides display by falling price (asks above the
spread, bids below), so row r shows best-first position r for bids and n-1-r for asks.
BookModel feeds them: level changes are queued (the latest state per level wins) and applied
by one timer at most every `interval_ms`, each as a row insert, removal or dataChanged, so a
busy book costs one small repaint per interval instead of one per notification.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from app.client.views import (
    BookDelta,
    BookSide,
    LevelChange,
    LevelRow,
    OpKind,
    OrderBookMirror,
    PriceLevel,
    SideRows,
    Spread,
    format_atoms,
)
from app.ui.forms import _tr
from app.ui.qt import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

Index = QModelIndex | QPersistentModelIndex
RATE_ROLE = Qt.ItemDataRole.UserRole + 1  # int: the level's rate
DEPTH_ROLE = Qt.ItemDataRole.UserRole + 2  # float 0..1: cumulative depth / scale
LEVEL_ROLE = Qt.ItemDataRole.UserRole + 3  # float 0..1: the level's own size / scale
SIDE_ROLE = Qt.ItemDataRole.UserRole + 4  # str: "b" or "s"
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class Column(IntEnum):
    PRICE = 0
    AMOUNT = 1
    TOTAL = 2


class BookSideModel(QAbstractTableModel):
    def __init__(self, side: BookSide, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.side = side
        self.rows = SideRows(side)
        self.price_decimals = 8
        self.amount_decimals = 8
        self.base, self.quote = "", ""
        self.scale = 0  # cumulative depth that fills a bar

    # --- Qt model interface ---------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def position(self, row: int) -> int:
        """Best-first position shown on display row `row` (and back: it is an involution)."""
        return row if self.side is BookSide.BUY else len(self.rows) - 1 - row

    def level(self, row: int) -> LevelRow:
        """The level on display row `row` (the delegate reads it directly: cheaper than
        three data() calls per cell)."""
        return self.rows.rows[self.position(row)]

    def text(self, level: LevelRow, column: int) -> str:
        if column == Column.PRICE:
            return format_atoms(level.rate, self.price_decimals)
        value = level.quantity if column == Column.AMOUNT else level.cumulative
        return format_atoms(value, self.amount_decimals)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        level = self.level(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(level, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT
        if role == RATE_ROLE:
            return level.rate
        if role == DEPTH_ROLE:
            return min(1.0, level.cumulative / self.scale) if self.scale else 0.0
        if role == LEVEL_ROLE:
            return min(1.0, level.quantity / self.scale) if self.scale else 0.0
        if role == SIDE_ROLE:
            return self.side.value
        if role == Qt.ItemDataRole.ToolTipRole:
            return QCoreApplication.translate("BookModel", "%n order(s)", "", level.count)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        names = {
            Column.PRICE: _tr("BookModel", "Price ({quote})"),
            Column.AMOUNT: _tr("BookModel", "Amount ({base})"),
            Column.TOTAL: _tr("BookModel", "Total ({base})"),
        }
        return names[Column(section)].format(base=self.base.upper(), quote=self.quote.upper())

    def flags(self, index: Index) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled if index.isValid() else Qt.ItemFlag.NoItemFlags

    # --- feeding (BookModel calls these) -------------------------------------------------
    def load(self, levels: Iterable[PriceLevel]) -> None:
        self.beginResetModel()
        self.rows.load(levels)
        self.endResetModel()

    def apply(self, changes: Iterable[LevelChange]) -> None:
        """Apply level changes of this side as row inserts, removals and data changes."""
        changed: set[int] = set()  # best-first positions whose amount changed
        for change in changes:
            op = self.rows.plan(change)
            if op is None:
                continue
            n, i = len(self.rows), op.index
            if op.kind is OpKind.INSERT:
                row = i if self.side is BookSide.BUY else n - i
                self.beginInsertRows(QModelIndex(), row, row)
                self.rows.commit(op, change)
                self.endInsertRows()
                changed = {p + 1 if p >= i else p for p in changed}
            elif op.kind is OpKind.REMOVE:
                row = self.position(i)
                self.beginRemoveRows(QModelIndex(), row, row)
                self.rows.commit(op, change)
                self.endRemoveRows()
                changed = {p - 1 if p > i else p for p in changed if p != i}
            else:
                self.rows.commit(op, change)
                changed.add(i)
        start = self.rows.refresh_depth()
        for i in changed:  # the amount column of levels that stayed but changed size
            row = self.position(i)
            self.dataChanged.emit(self.index(row, Column.AMOUNT), self.index(row, Column.AMOUNT))
        if start is not None:  # totals (and bars) of every level at or after the first change
            first, last = sorted((self.position(start), self.position(len(self.rows) - 1)))
            self._changed(first, last)

    def set_scale(self, scale: int) -> None:
        if scale != self.scale:
            self.scale = scale
            if self.rows:
                self._changed(0, len(self.rows) - 1)

    def set_format(self, base: str, quote: str, price_decimals: int, amount_decimals: int) -> None:
        self.base, self.quote = base, quote
        self.price_decimals, self.amount_decimals = price_decimals, amount_decimals
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)
        if self.rows:
            self._changed(0, len(self.rows) - 1)

    def _changed(self, first: int, last: int) -> None:
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(Column) - 1))


class BookModel(QObject):
    """Both sides of one market's book, fed from the mirror, repainted at most every
    `interval_ms`. `flushed` fires after each applied batch (spread and mid may have moved)."""

    flushed = Signal()

    def __init__(
        self, parent: QObject | None = None, interval_ms: int = 50, bar_levels: int = 20
    ) -> None:
        super().__init__(parent)
        self.bids = BookSideModel(BookSide.BUY, self)
        self.asks = BookSideModel(BookSide.SELL, self)
        self.bar_levels = bar_levels  # a bar is full at the depth of this many levels
        self.flush_count = 0
        self._pending: dict[tuple[BookSide, int], LevelChange] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush)

    def side(self, side: BookSide) -> BookSideModel:
        return self.bids if side is BookSide.BUY else self.asks

    def set_format(self, base: str, quote: str, price_decimals: int, amount_decimals: int) -> None:
        for model in (self.bids, self.asks):
            model.set_format(base, quote, price_decimals, amount_decimals)

    def load(self, bids: Iterable[PriceLevel], asks: Iterable[PriceLevel]) -> None:
        """Replace the whole book (a snapshot); queued changes are older and dropped."""
        self._pending.clear()
        self._timer.stop()
        self.bids.load(bids)
        self.asks.load(asks)
        self._finish()

    def load_mirror(self, mirror: OrderBookMirror) -> None:
        self.load(mirror.depth(BookSide.BUY), mirror.depth(BookSide.SELL))

    def queue(self, delta: BookDelta) -> None:
        """Queue a delta's level changes; they are shown at the next flush."""
        if not delta.levels:
            return
        for change in delta.levels:
            self._pending[(change.side, change.rate)] = change  # each carries the full state
        if not self._timer.isActive():
            self._timer.start()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> None:
        """Apply what is queued now (the timer calls this; tests and benchmarks may too)."""
        self._timer.stop()
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        for side in (BookSide.BUY, BookSide.SELL):
            self.side(side).apply(c for c in pending.values() if c.side is side)
        self._finish()

    def _finish(self) -> None:
        scale = max(
            self.bids.rows.depth_at(self.bar_levels), self.asks.rows.depth_at(self.bar_levels)
        )
        self.bids.set_scale(scale)
        self.asks.set_scale(scale)
        self.flush_count += 1
        self.flushed.emit()

    def best_bid(self) -> int | None:
        best = self.bids.rows.best()
        return best.rate if best else None

    def best_ask(self) -> int | None:
        best = self.asks.rows.best()
        return best.rate if best else None

    def spread(self) -> Spread | None:
        bid, ask = self.best_bid(), self.best_ask()
        return Spread(bid, ask) if bid is not None and ask is not None else None
