"""The market list: every market with its last price, 24 h change and volume; a click picks it.

markets.set_markets([MarketRow("ltc_btc", "ltc", "btc")])
markets.update_ticker("ltc_btc", ticker_24h(trades, now_ms))
markets.market_selected.connect(window.switch_market)      # "ltc_btc"
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum

from app.client.views import Ticker, format_change
from app.ui.chart_paint import chart_colors, coins
from app.ui.forms import _tr
from app.ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QHeaderView,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTableView,
    QWidget,
    Signal,
)
from app.ui.style import Palette, current_palette, fill

Index = QModelIndex | QPersistentModelIndex
MARKET_ROLE = Qt.ItemDataRole.UserRole + 1  # str: the market name, "ltc_btc"
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
# Transparent where it can be, so the table follows the light or dark app stylesheet.
TABLE_TEMPLATE = """
QTableView#data { border: none; font-family: "DejaVu Sans Mono", monospace; font-size: 12px;
    selection-background-color: $selection; selection-color: $text; color: $text;
    outline: 0; }
QTableView#data QHeaderView::section { background: transparent; color: $muted; border: none;
    border-bottom: 1px solid rgba(128, 128, 128, 50); padding: 4px 8px; font-size: 11px;
    font-weight: 600; }
QTableView#data QScrollBar:vertical { background: transparent; width: 8px; margin: 0; }
QTableView#data QScrollBar::handle:vertical { background: rgba(128, 128, 128, 90);
    border-radius: 4px; min-height: 24px; }
QTableView#data QScrollBar::add-line:vertical, QTableView#data QScrollBar::sub-line:vertical {
    height: 0; }
QTableView#data QScrollBar::add-page:vertical, QTableView#data QScrollBar::sub-page:vertical {
    background: none; }
"""


def table_style(p: Palette) -> str:
    return fill(TABLE_TEMPLATE, p)


EMPTY = Ticker(None, None, None, None, None, 0)


@dataclass(frozen=True)
class MarketRow:
    name: str
    base: str
    quote: str
    ticker: Ticker = EMPTY
    price_decimals: int = 8
    amount_decimals: int = 8


class Col(IntEnum):
    MARKET = 0
    LAST = 1
    CHANGE = 2
    VOLUME = 3


def _headers() -> list[str]:
    return [
        _tr("MarketList", "Market"),
        _tr("MarketList", "Last price"),
        _tr("MarketList", "24h change"),
        _tr("MarketList", "24h volume"),
    ]


class MarketListModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[MarketRow] = []
        self.colors = chart_colors(current_palette())

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Col)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation is Qt.Orientation.Horizontal and 0 <= section < len(Col):
            if role == Qt.ItemDataRole.DisplayRole:
                return _headers()[section]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _LEFT if section == Col.MARKET else _RIGHT
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, col = self.rows[index.row()], index.column()
        t = row.ticker
        if role == Qt.ItemDataRole.DisplayRole:
            if col == Col.MARKET:
                return f"{row.base.upper()}/{row.quote.upper()}"
            if col == Col.LAST:
                return "—" if t.last is None else coins(t.last, row.price_decimals)
            if col == Col.CHANGE:
                return format_change(t.change_bp)
            return coins(t.volume, row.amount_decimals)
        if role == Qt.ItemDataRole.ForegroundRole and col in (Col.LAST, Col.CHANGE):
            if t.change_bp:
                return self.colors.up if t.change_bp > 0 else self.colors.down
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if col == Col.MARKET else _RIGHT
        if role == MARKET_ROLE:
            return row.name
        if role == Qt.ItemDataRole.ToolTipRole and t.high is not None and t.low is not None:
            return _tr("MarketList", "24h high {high} · low {low}").format(
                high=coins(t.high, row.price_decimals), low=coins(t.low, row.price_decimals)
            )
        return None

    def set_markets(self, rows: list[MarketRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_of(self, name: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.name == name), -1)

    def update_ticker(self, name: str, ticker: Ticker) -> None:
        i = self.row_of(name)
        if i < 0 or self.rows[i].ticker == ticker:
            return
        self.rows[i] = replace(self.rows[i], ticker=ticker)
        self.dataChanged.emit(self.index(i, Col.LAST), self.index(i, len(Col) - 1))

    def set_theme(self, theme: str | Palette) -> None:
        self.colors = chart_colors(theme)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(Col) - 1))


class MarketList(QTableView):
    """Markets one per row; selecting a row emits its name."""

    market_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("data")
        self.setStyleSheet(table_style(current_palette()))
        self.markets = MarketListModel(self)
        self.setModel(self.markets)
        self.setShowGrid(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(26)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.selectionModel().currentRowChanged.connect(self._row_changed)
        self._current = ""

    def apply_palette(self, palette: Palette) -> None:  # style.Themed
        self.setStyleSheet(table_style(palette))
        self.markets.set_theme(palette)

    def set_markets(self, rows: list[MarketRow]) -> None:
        current = self._current
        self.markets.set_markets(rows)
        if current:
            self.select(current)

    def update_ticker(self, name: str, ticker: Ticker) -> None:
        self.markets.update_ticker(name, ticker)

    def select(self, name: str) -> None:
        row = self.markets.row_of(name)
        if row >= 0:
            self.selectRow(row)

    def current_market(self) -> str:
        return self._current

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        name = current.data(MARKET_ROLE) if current.isValid() else None
        if isinstance(name, str) and name != self._current:
            self._current = name
            self.market_selected.emit(name)
