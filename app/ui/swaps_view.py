"""Swaps screen: a card per swap in progress (step tracker, confirmations, refund countdown,
transaction IDs, "refund now", export, the safety constants that apply: both refund times, the
reveal and fund margins, the confirmations their contract needs), and the history table with
CSV export.

Rows are the client's read models (`SwapsSource`: Client.swap_rows / swap_row / export_swap,
from the swap store the engine writes before acting); SwapStep events only say which swap to
reload. Chain figures (confirmations, chain time) arrive by `show_chain` (Client.swap_chain,
run by the window's refresh), never on the paint path.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol

from app.client.read_models import SwapChain
from app.client.swap_rows import SwapRow, countdown, history_csv
from app.client.swap_safety import SwapSafety, span_text, utc_text
from app.client.views import atomic_write, format_atoms
from app.ui.qt import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.swap_tracker import StepTracker, wait_text
from app.ui.wallet_view import styled_label

log = logging.getLogger("cambio.ui")


class SwapsSource(Protocol):
    """What the view reads of the client (Client has it)."""

    def swap_rows(self) -> list[SwapRow]: ...

    def swap_row(self, match_id: str) -> SwapRow | None: ...

    def export_swap(self, match_id: str, path: Path) -> None: ...


def short(txid: str | None) -> str:
    return f"{txid[:10]}…{txid[-6:]}" if txid else "—"


class SwapCard(QFrame):
    def __init__(self, view: SwapsView, row: SwapRow) -> None:
        super().__init__()
        self.setObjectName("card")
        self.view = view
        self.row = row
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        head = QHBoxLayout()
        self.title = styled_label("", "cardtitle")
        self.state = styled_label("", "pill")
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.state)
        layout.addLayout(head)
        self.tracker = StepTracker()
        layout.addWidget(self.tracker)
        info = QHBoxLayout()
        info.setSpacing(24)
        self.ours, self.theirs, self.clock = (styled_label("", "muted") for _ in range(3))
        for label in (self.ours, self.theirs):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        info.addWidget(self.ours)
        info.addWidget(self.theirs)
        info.addStretch(1)
        info.addWidget(self.clock)
        self.refund = QPushButton(self.tr("Refund now"))
        self.refund.setVisible(False)
        self.refund.clicked.connect(lambda: view.refund_requested.emit(self.row.match_id))
        self.export = QPushButton(self.tr("Export…"))
        self.export.setObjectName("secondary")
        self.export.setToolTip(
            self.tr(
                "Save what is needed to finish this swap elsewhere "
                "(signed refund included: keep it private)"
            )
        )
        self.export.clicked.connect(lambda: view.ask_export(self.row.match_id))
        info.addWidget(self.refund)
        info.addWidget(self.export)
        layout.addLayout(info)
        layout.addLayout(self._build_safety())
        self.show_row(row)

    def _build_safety(self) -> QHBoxLayout:
        """Caption over value, like the trade header's figures; read-only."""
        row = QHBoxLayout()
        row.setSpacing(28)
        self.facts: dict[str, tuple[QLabel, QLabel]] = {}
        for key, name in (
            ("our_lock", self.tr("Our refund time")),
            ("their_lock", self.tr("Their refund time")),
            ("reveal", self.tr("Reveal margin")),
            ("fund", self.tr("Fund margin")),
            ("confs", self.tr("Their contract needs")),
        ):
            box = QVBoxLayout()
            box.setSpacing(0)
            caption, value = styled_label(name, "muted"), styled_label("—", "fact")
            box.addWidget(caption)
            box.addWidget(value)
            row.addLayout(box)
            self.facts[key] = (caption, value)
        row.addStretch(1)
        return row

    def show_safety(self, s: SwapSafety, role: str) -> None:
        maker = role == "maker"
        texts = {
            "our_lock": (
                utc_text(s.our_lock_time),
                self.tr("From then our contract can be refunded to us."),
            ),
            "their_lock": (
                utc_text(s.their_lock_time),
                self.tr("From then the other side can refund its contract."),
            ),
            "reveal": (
                span_text(s.reveal_margin_s),
                self.tr(
                    "We reveal our secret only while the taker's refund time is at least this far "
                    "ahead of its chain's time."
                )
                if maker
                else self.tr(
                    "The maker reveals its secret only while our refund time is at least this far "
                    "ahead of our chain's time."
                ),
            ),
            "fund": (
                span_text(s.fund_margin_s),
                self.tr("The taker funds only while its refund time is at least this far ahead.")
                if maker
                else self.tr("We fund only while our refund time is at least this far ahead."),
            ),
            "confs": (
                self.tr("{n} conf. on {chain}").format(
                    n=s.confirmations, chain=s.their_asset.upper()
                ),
                self.tr("Confirmations of the other side's contract before we act on it."),
            ),
        }
        for key, (value, tip) in texts.items():
            caption, label = self.facts[key]
            label.setText(value)
            caption.setToolTip(tip)
            label.setToolTip(tip)

    def show_row(self, row: SwapRow) -> None:
        self.row = row
        pay = f"{format_atoms(row.pay_atoms)} {row.pay_asset.upper()}"
        get = f"{format_atoms(row.receive_atoms)} {row.receive_asset.upper()}"
        self.title.setText(self.tr("Pay {pay} · receive {get}").format(pay=pay, get=get))
        role = self.tr("maker") if row.role == "maker" else self.tr("taker")
        self.state.setText(f"{role} · {row.match_id[:8]}")
        self.state.setToolTip(row.detail or row.state)
        self.tracker.set_steps(row.steps)
        if row.safety is not None:
            self.show_safety(row.safety, row.role)
        self.tick()

    def tick(self) -> None:
        r, v = self.row, self.view
        confs = v.confirmations
        self.ours.setText(
            self.tr("Our init: {tx} ({n} conf.)").format(
                tx=short(r.our_txid), n=confs.get(r.our_txid or "", 0)
            )
            if r.our_txid
            else self.tr("Our init: not yet")
        )
        self.theirs.setText(
            self.tr("Their init: {tx} ({n} conf.)").format(
                tx=short(r.their_txid), n=confs.get(r.their_txid or "", 0)
            )
            if r.their_txid
            else self.tr("Their init: not yet")
        )
        self.ours.setToolTip(r.our_txid or "")
        self.theirs.setToolTip(r.their_txid or "")
        self.tracker.set_waiting(v.waiting(r))
        can_refund = False
        if r.lock_time is None:
            self.clock.setText("")
        else:
            left = r.lock_time - int(v.clock())
            chain = v.chain_time.get(r.pay_asset)
            can_refund = chain is not None and chain >= r.lock_time
            self.clock.setText(
                self.tr("Refund possible now")
                if can_refund
                else self.tr("Refund time in {t}").format(t=countdown(left))
            )
        self.refund.setVisible(can_refund and not r.terminal)


class SwapsView(QWidget):
    refund_requested = Signal(str)  # match id
    changed = Signal()  # rows reloaded (the window updates its banner)

    def __init__(
        self,
        source: SwapsSource,
        parent: QWidget | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(parent)
        self.source = source
        self.clock = clock
        self.rows: dict[str, SwapRow] = {}
        self.cards: dict[str, SwapCard] = {}
        self.confirmations: dict[str, int] = {}
        self.chain_time: dict[str, int] = {}  # median time past per asset
        self.swap_confs: dict[str, int] = {}  # the server's swapconf per asset (its config)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 16)
        layout.setSpacing(10)
        layout.addWidget(styled_label(self.tr("In progress"), "section"))
        self.empty = styled_label(
            self.tr(
                "No swap in progress. When one of your orders is "
                "matched, its swap settles here by itself."
            ),
            "muted",
        )
        layout.addWidget(self.empty)
        holder = QWidget()
        self.card_box = QVBoxLayout(holder)
        self.card_box.setContentsMargins(0, 0, 0, 0)
        self.card_box.setSpacing(10)
        self.card_box.addStretch(1)
        self.scroller = QScrollArea()
        self.scroller.setWidget(holder)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(self.scroller, 3)
        head = QHBoxLayout()
        head.addWidget(styled_label(self.tr("History"), "section"))
        head.addStretch(1)
        self.export_csv = QPushButton(self.tr("Export CSV…"))
        self.export_csv.setObjectName("secondary")
        self.export_csv.clicked.connect(self.ask_export_csv)
        head.addWidget(self.export_csv)
        layout.addLayout(head)
        self.history = QTableWidget(0, 7)
        self.history.setHorizontalHeaderLabels(
            [
                self.tr("Finished"),
                self.tr("Role"),
                self.tr("Paid"),
                self.tr("Received"),
                self.tr("Redeem fee"),
                self.tr("Result"),
                self.tr("Transaction"),
            ]
        )
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.history.setShowGrid(False)
        self.history.verticalHeader().setDefaultSectionSize(36)
        layout.addWidget(self.history, 2)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(1000)

    # -- data ---------------------------------------------------------------------------------
    def reload(self) -> None:
        for row in self.source.swap_rows():
            self.rows[row.match_id] = row
        self._render()

    def update_swap(self, match_id: str) -> None:
        """A SwapStep arrived: the store already holds the new state."""
        self.reload() if match_id not in self.rows else self._reload_one(match_id)

    def _reload_one(self, match_id: str) -> None:
        row = self.source.swap_row(match_id)
        if row is None:
            return
        self.rows[match_id] = row
        self._render()

    def pending(self) -> list[SwapRow]:
        return [r for r in self.rows.values() if not r.terminal]

    def finished(self) -> list[SwapRow]:
        return sorted(
            (r for r in self.rows.values() if r.terminal), key=lambda r: r.updated_ms, reverse=True
        )

    def waiting(self, row: SwapRow) -> str:
        """What the swap's next step waits for, in words ("" when it waits on no chain)."""
        wait = row.wait
        if wait is None:
            return ""
        need = self.swap_confs.get(wait.asset, wait.need) if wait.server_rule else wait.need
        return wait_text(wait, self.confirmations.get(wait.txid, 0), need)

    def show_chain(self, figures: SwapChain) -> None:
        """New chain figures of the swaps in flight (a figure not read keeps its last value)."""
        self.confirmations.update(figures.confirmations)
        self.chain_time.update(figures.chain_time)
        self._tick()

    # -- rendering ----------------------------------------------------------------------------
    def _render(self) -> None:
        pending = {r.match_id: r for r in self.pending()}
        for mid in [m for m in self.cards if m not in pending]:
            self.cards.pop(mid).deleteLater()
        for mid, row in pending.items():
            if mid in self.cards:
                self.cards[mid].show_row(row)
            else:
                self.cards[mid] = SwapCard(self, row)
                self.card_box.insertWidget(self.card_box.count() - 1, self.cards[mid])
        self.empty.setVisible(not pending)
        self._render_history()
        self.changed.emit()

    def _render_history(self) -> None:
        rows = self.finished()
        results = {
            "completed": self.tr("Completed"),
            "refunded": self.tr("Refunded"),
            "failed": self.tr("Failed"),
        }
        self.history.setRowCount(len(rows))
        for i, r in enumerate(rows):
            when = (
                datetime.fromtimestamp(r.updated_ms / 1000).strftime("%Y-%m-%d %H:%M:%S")
                if r.updated_ms
                else "—"
            )
            asset = r.receive_asset.upper()  # what arrived: nothing unless it completed
            got, fee = (
                ("—", "—")
                if r.received_atoms is None or r.redeem_fee is None
                else (
                    f"{format_atoms(r.received_atoms)} {asset}",
                    f"{format_atoms(r.redeem_fee)} {asset}",
                )
            )
            cells = [
                when,
                self.tr("maker") if r.role == "maker" else self.tr("taker"),
                f"{format_atoms(r.pay_atoms)} {r.pay_asset.upper()}",
                got,
                fee,
                results.get(r.outcome, r.outcome),
                short(r.final_txid),
            ]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(
                    r.final_txid or r.detail
                    if j == len(cells) - 1
                    else self.tr("Contract {amount} {asset}, less the redeem fee").format(
                        amount=format_atoms(r.receive_atoms), asset=asset
                    )
                    if j == 3 and r.received_atoms is not None
                    else r.match_id
                )
                self.history.setItem(i, j, item)

    def _tick(self) -> None:
        for card in self.cards.values():
            card.tick()

    # -- export -------------------------------------------------------------------------------
    def export_swap(self, match_id: str, path: Path) -> None:
        self.source.export_swap(match_id, path)  # mode 0600: it holds the secret

    def export_history(self, path: Path) -> None:
        atomic_write(path, history_csv(self.finished()).encode())

    def ask_export(self, match_id: str) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export swap"), f"swap-{match_id[:12]}.json", "JSON (*.json)"
        )
        if name:
            self.export_swap(match_id, Path(name))

    def ask_export_csv(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export swap history"), "cambio-swaps.csv", "CSV (*.csv)"
        )
        if name:
            self.export_history(Path(name))
