"""Recent trades: newest on top, each price coloured by its tick (up green, down red).

trades.set_market("ltc", "btc", price_decimals=6, amount_decimals=4)
trades.set_trades(parse_trades(result))     # the `trades` RPC result, oldest first
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import IntEnum

from app.client.views import Trade
from app.ui.chart_paint import chart_colors, coins
from app.ui.forms import _tr
from app.ui.market_list import table_style
from app.ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QHeaderView,
    QLabel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from app.ui.style import Palette, current_palette, palette

Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
MAX_ROWS = 200


class TradeCol(IntEnum):
    PRICE = 0
    AMOUNT = 1
    TIME = 2


class RecentTradesModel(QAbstractTableModel):
    """Rows newest first. Each row keeps its tick (+1, -1, 0 against the trade before it)."""

    def __init__(self, parent: QObject | None = None, max_rows: int = MAX_ROWS) -> None:
        super().__init__(parent)
        self.max_rows = max_rows
        self.rows: list[tuple[Trade, int]] = []
        self.price_decimals, self.amount_decimals = 8, 8
        self.colors = chart_colors(current_palette())

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(TradeCol)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation is not Qt.Orientation.Horizontal or not 0 <= section < len(TradeCol):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return [
                _tr("RecentTrades", "Price"),
                _tr("RecentTrades", "Amount"),
                _tr("RecentTrades", "Time"),
            ][section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        trade, tick = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == TradeCol.PRICE:
                return coins(trade.rate, self.price_decimals)
            if col == TradeCol.AMOUNT:
                return coins(trade.quantity, self.amount_decimals)
            return datetime.fromtimestamp(trade.time / 1000).strftime("%H:%M:%S")
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == TradeCol.PRICE and tick:
                return self.colors.up if tick > 0 else self.colors.down
            if col == TradeCol.TIME:
                return self.colors.axis_text
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return datetime.fromtimestamp(trade.time / 1000).strftime("%Y-%m-%d %H:%M:%S")
        return None

    @staticmethod
    def _ticked(
        trades: Sequence[Trade], before: tuple[Trade, int] | None
    ) -> list[tuple[Trade, int]]:
        out: list[tuple[Trade, int]] = []
        prev = before
        for t in trades:  # oldest first
            tick = 0 if prev is None else (t.rate > prev[0].rate) - (t.rate < prev[0].rate)
            if tick == 0 and prev is not None:
                tick = prev[1]  # an unchanged price keeps the last direction's colour
            prev = (t, tick)
            out.append(prev)
        return out

    def set_trades(self, trades: Sequence[Trade]) -> None:
        """Replace everything; `trades` oldest first (the server's order)."""
        self.beginResetModel()
        self.rows = self._ticked(trades[-self.max_rows :], None)[::-1]
        self.endResetModel()

    def add_trades(self, trades: Sequence[Trade]) -> None:
        """New trades (oldest first) go on top as row inserts; the oldest rows fall off."""
        known = {t.matchid for t, _ in self.rows}
        fresh = [t for t in trades if t.matchid not in known]
        if not fresh:
            return
        new = self._ticked(fresh, self.rows[0] if self.rows else None)[::-1]
        self.beginInsertRows(QModelIndex(), 0, len(new) - 1)
        self.rows[:0] = new
        self.endInsertRows()
        if len(self.rows) > self.max_rows:
            self.beginRemoveRows(QModelIndex(), self.max_rows, len(self.rows) - 1)
            del self.rows[self.max_rows :]
            self.endRemoveRows()


class TradesView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RecentTradesModel(self)
        self.title = QLabel(self.tr("Recent trades"))
        self.title.setObjectName("charttitle")
        self.title.setStyleSheet("font-size: 14px; font-weight: 600;")
        self.table = QTableView(self)
        self.table.setObjectName("data")
        self.table.setStyleSheet(table_style(current_palette()))
        self.table.setModel(self.model)
        self.table.setShowGrid(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        title_row = QVBoxLayout()
        title_row.setContentsMargins(12, 8, 12, 6)
        title_row.addWidget(self.title)
        layout.addLayout(title_row)
        layout.addWidget(self.table, 1)

    def set_market(
        self, base: str, quote: str, price_decimals: int = 8, amount_decimals: int = 8
    ) -> None:
        self.model.price_decimals, self.model.amount_decimals = price_decimals, amount_decimals
        self.model.set_trades([])
        self.title.setText(
            self.tr("Recent trades  {base}/{quote}").format(base=base.upper(), quote=quote.upper())
        )

    def set_trades(self, trades: Sequence[Trade]) -> None:
        self.model.set_trades(trades)

    def add_trades(self, trades: Sequence[Trade]) -> None:
        self.model.add_trades(trades)

    def set_theme(self, theme: str) -> None:
        self.apply_palette(palette(theme))

    def apply_palette(self, palette: Palette) -> None:  # style.Themed
        self.model.colors = chart_colors(palette)
        self.table.setStyleSheet(table_style(palette))
        self.table.viewport().update()
