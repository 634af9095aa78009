"""My orders: live ones first with a Cancel button, then the finished ones.

Rows come from the client (`Client.order_rows`: the order store, written before each order is
sent); order events only say "reload". Cancel emits `cancel_requested(order_id)`; the window
hands it to the client.
"Filled" leaves revoked matches out; the status says when some were revoked, and why.
Matches the core refused (MatchRefused: never stored) are kept in memory (`refusals`, fed by
`show_refusal`): the order's status says "refused: <reason>", its tooltip lists them all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.client.events import MatchRefused
from app.client.order_store import LIVE, OrderRecord, RevokeCause
from app.client.views import decimals_for, format_atoms
from app.ui.qt import (
    QColor,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.safety_model import RefusalLog
from app.ui.style import current_palette
from app.ui.wallet_view import styled_label

COLUMNS = 9
STATUS_COLUMN = 7
RATE_STEP_DEFAULT = 1000


class OrdersView(QWidget):
    cancel_requested = Signal(str)

    def __init__(
        self, rows: Callable[[], list[OrderRecord]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.rows = rows
        self.rate_step = RATE_STEP_DEFAULT
        self.orders: list[OrderRecord] = []
        self.cancel_buttons: dict[str, QPushButton] = {}
        self.refusals = RefusalLog()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 16)
        layout.setSpacing(10)
        head = QHBoxLayout()
        head.addWidget(styled_label(self.tr("My orders"), "section"))
        head.addStretch(1)
        self.summary = styled_label("", "muted")
        head.addWidget(self.summary)
        layout.addLayout(head)
        self.table = QTableWidget(0, COLUMNS)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Placed"),
                self.tr("Market"),
                self.tr("Side"),
                self.tr("Type"),
                self.tr("Price"),
                self.tr("Amount"),
                self.tr("Filled"),
                self.tr("Status"),
                "",
            ]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setDefaultSectionSize(40)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(110)
        header.setResizeContentsPrecision(50)  # measure the first rows, not every order
        # The status takes what is left: it may say why a match was refused.
        header.setSectionResizeMode(STATUS_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COLUMNS - 1, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(COLUMNS - 1, 112)
        layout.addWidget(self.table, 1)
        self.empty = styled_label(self.tr("No orders yet. Place one from the Trade tab."), "muted")
        layout.addWidget(self.empty)

    def statuses(self) -> dict[str, str]:
        return {
            "new": self.tr("sending"),
            "epoch": self.tr("in epoch"),
            "booked": self.tr("on the book"),
            "cancelling": self.tr("cancelling"),
            "executed": self.tr("filled"),
            "cancelled": self.tr("cancelled"),
            "unfilled": self.tr("unfilled"),
            "failed": self.tr("failed"),
            "revoked": self.tr("revoked"),
        }

    def revoke_causes(self) -> dict[RevokeCause, str]:
        return {
            RevokeCause.COUNTERPARTY: self.tr("counterparty failed"),
            RevokeCause.OURS: self.tr("our side was late"),
            RevokeCause.UNKNOWN: self.tr("by the server"),
        }

    def status_text(self, o: OrderRecord) -> str:
        status = self.revoke_text(o)
        refused = self.refusals.latest(o.order_id)
        if refused is None:
            return status
        return self.tr("{status} · refused: {reason}").format(status=status, reason=refused.reason)

    def refusal_tip(self, order_id: str) -> str:
        """The order id, then every match refused for it (newest last)."""
        lines = [order_id] + [
            self.tr("Match {match} refused: {reason}").format(match=r.match_id[:8], reason=r.reason)
            for r in self.refusals.for_order(order_id)
        ]
        return "\n".join(lines)

    def show_refusal(self, event: MatchRefused) -> None:
        self.refusals.add(event)
        self.reload()

    def revoke_text(self, o: OrderRecord) -> str:
        status = self.statuses().get(o.status, o.status)
        if o.revoked <= 0:
            return status
        cause = self.revoke_causes().get(o.revoke_cause, "")
        if o.status == "revoked":
            return self.tr("revoked: {cause}").format(cause=cause)
        return self.tr("{status} · {amount} {ticker} revoked ({cause})").format(
            status=status, amount=format_atoms(o.revoked), ticker=o.base.upper(), cause=cause
        )

    def reload(self) -> None:
        orders = self.rows()
        live = [o for o in orders if o.status in LIVE]
        done = [o for o in orders if o.status not in LIVE]
        self.orders = sorted(live, key=lambda o: -o.created_ms) + sorted(
            done, key=lambda o: -o.created_ms
        )
        self._render(len(live))

    def _render(self, live: int) -> None:
        self.table.setRowCount(len(self.orders))
        self.cancel_buttons.clear()
        decimals = decimals_for(self.rate_step)
        for i, o in enumerate(self.orders):
            b, q = o.base.upper(), o.quote.upper()
            market_buy = o.otype == "market" and o.side == "buy"
            amount = f"{format_atoms(o.quantity)} {q if market_buy else b}"
            cells = [
                datetime.fromtimestamp(o.created_ms / 1000).strftime("%m-%d %H:%M:%S"),
                f"{b}/{q}",
                self.tr("Buy") if o.side == "buy" else self.tr("Sell"),
                self.tr("Limit") if o.otype == "limit" else self.tr("Market"),
                format_atoms(o.rate, decimals) if o.rate else self.tr("market"),
                amount,
                f"{format_atoms(o.filled)} {b}",
                self.status_text(o),
            ]
            refused = self.refusals.latest(o.order_id) is not None
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(self.refusal_tip(o.order_id) if refused else o.order_id)
                if j in (4, 5, 6):  # figures line up on the right
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if j == 2:
                    palette = current_palette()  # rows are rebuilt on every reload
                    item.setForeground(QColor(palette.up if o.side == "buy" else palette.down))
                if j == STATUS_COLUMN and refused:
                    item.setForeground(QColor(current_palette().warn))
                self.table.setItem(i, j, item)
            if o.status in ("epoch", "booked") and o.tif == "standing":
                button = QPushButton(self.tr("Cancel"))
                button.setObjectName("rowbutton")
                button.clicked.connect(lambda _c=False, oid=o.order_id: self._cancel(oid))
                self.table.setCellWidget(i, COLUMNS - 1, button)
                self.cancel_buttons[o.order_id] = button
            else:
                self.table.removeCellWidget(i, COLUMNS - 1)
        self.empty.setVisible(not self.orders)
        self.summary.setText(
            self.tr("{live} open · {total} total").format(live=live, total=len(self.orders))
        )

    def _cancel(self, order_id: str) -> None:
        button = self.cancel_buttons.get(order_id)
        if button is not None:
            button.setEnabled(False)  # until the store says cancelling/cancelled
            button.setText(self.tr("Cancelling…"))
        self.cancel_requested.emit(order_id)
