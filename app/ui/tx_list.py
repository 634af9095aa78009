"""The wallet's transaction list: our payments and incoming coins, as the client's TxRows.

    view.set_rows(list((await client.wallet_snapshot("ltc")).txs))

The rows are built in app/client/read_models.py (`tx_rows`); this module only shows them.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum

from app.client.read_models import RECEIVE, TxRow
from app.client.views import format_atoms
from app.ui.chart_paint import chart_colors
from app.ui.forms import _tr
from app.ui.market_list import table_style
from app.ui.qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QGuiApplication,
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
from app.ui.style import current_palette, palette

Index = QModelIndex | QPersistentModelIndex
TXID_ROLE = Qt.ItemDataRole.UserRole + 1
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class TxCol(IntEnum):
    TIME = 0
    TYPE = 1
    AMOUNT = 2
    FEE = 3
    STATUS = 4
    TXID = 5


def kind_name(kind: str) -> str:
    names = {
        "send": _tr("TxList", "Sent"),
        "regfee": _tr("TxList", "Registration fee"),
        RECEIVE: _tr("TxList", "Received"),
    }
    return names.get(kind, kind)


def status_text(confirmations: int | None) -> str:
    if confirmations is None:
        return "—"
    if confirmations == 0:
        return _tr("TxList", "Pending")
    return (
        _tr("TxList", "{n} confirmations").format(n=confirmations)
        if confirmations != 1
        else _tr("TxList", "1 confirmation")
    )


class TxListModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[TxRow] = []
        self.colors = chart_colors(current_palette())

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(TxCol)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation is not Qt.Orientation.Horizontal or not 0 <= section < len(TxCol):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return [
                _tr("TxList", "Date"),
                _tr("TxList", "Type"),
                _tr("TxList", "Amount"),
                _tr("TxList", "Fee"),
                _tr("TxList", "Status"),
                _tr("TxList", "Transaction"),
            ][section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if section in (TxCol.AMOUNT, TxCol.FEE) else _LEFT
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == TxCol.TIME:
                text = datetime.fromtimestamp(row.time_ms / 1000).strftime("%Y-%m-%d %H:%M")
                return text if row.time_known else f"~{text}"
            if col == TxCol.TYPE:
                return kind_name(row.kind)
            if col == TxCol.AMOUNT:
                return ("+" if row.amount > 0 else "") + format_atoms(row.amount)
            if col == TxCol.FEE:
                return "" if row.fee is None else format_atoms(row.fee)
            if col == TxCol.STATUS:
                return status_text(row.confirmations)
            return f"{row.txid[:10]}…{row.txid[-6:]}"
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == TxCol.AMOUNT:
                return self.colors.up if row.amount > 0 else self.colors.down
            if col in (TxCol.FEE, TxCol.TXID, TxCol.TIME):
                return self.colors.axis_text
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if col in (TxCol.AMOUNT, TxCol.FEE) else _LEFT
        if role in (TXID_ROLE, Qt.ItemDataRole.ToolTipRole):
            return row.txid
        return None

    def set_rows(self, rows: list[TxRow]) -> None:
        if rows == self.rows:
            return  # the periodic refresh usually changes nothing: keep the selection
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()


class TxListView(QWidget):
    """Title, the table, and a hint when empty; double-click copies a transaction ID."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TxListModel(self)
        self.title = QLabel(self.tr("Transactions"))
        self.title.setStyleSheet("font-size: 14px; font-weight: 600;")
        self.empty = QLabel(self.tr("No transactions yet"))
        self.empty.setObjectName("muted")
        self.table = QTableView(self)
        self.table.setObjectName("data")
        self.table.setStyleSheet(table_style(current_palette()))
        self.table.setModel(self.model)
        self.table.setShowGrid(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TxCol.TXID, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self.copy_txid)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        self.set_rows([])

    def set_rows(self, rows: list[TxRow]) -> None:
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))

    def copy_txid(self, index: QModelIndex) -> None:
        txid = index.data(TXID_ROLE)
        if isinstance(txid, str):
            QGuiApplication.clipboard().setText(txid)

    def set_theme(self, theme: str) -> None:
        self.model.colors = chart_colors(theme)
        self.table.setStyleSheet(table_style(palette(theme)))
        self.table.viewport().update()
