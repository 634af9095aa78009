"""Pieces of the order form: an integer-atom spin box, problem texts, the confirmation dialog."""

from __future__ import annotations

import re

from app.client.views import OrderIssue as Issue
from app.client.views import OrderKind, OrderRequest, Side, TimeInForce, format_atoms
from app.client.views import OrderProblem as Problem
from app.ui.forms import _tr
from app.ui.qt import (
    QAbstractSpinBox,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QGridLayout,
    QLabel,
    Qt,
    QValidator,
    QVBoxLayout,
    QWidget,
    Signal,
)

_DECIMAL = re.compile(r"\d*\.?\d{0,8}")


class AtomSpinBox(QAbstractSpinBox):
    """A spin box over integer atoms shown as coins (QDoubleSpinBox would mean floats).

    It holds no rules: arrows and wheel emit `stepped`, typing emits `edited`; the form
    applies its own stepping and writes the result back with `set_atoms`."""

    stepped = Signal(int)
    edited = Signal()
    enabled_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # The form adds visible − + buttons; the stylesheet gives these zero width (NoButtons
        # would be simpler, but with a styled padding Qt then lays the text out 1 px wide).
        self.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.UpDownArrows)
        self.setAccelerated(True)
        self.lineEdit().textEdited.connect(lambda _t: self.edited.emit())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.EnabledChange:
            self.enabled_changed.emit(self.isEnabled())
        super().changeEvent(event)

    def text_value(self) -> str:
        return self.lineEdit().text().strip()

    def set_atoms(self, atoms: int | None, decimals: int) -> None:
        text = format_atoms(atoms, decimals) if atoms else ""
        if text != self.lineEdit().text():
            self.lineEdit().setText(text)

    def validate(self, input: str, pos: int) -> tuple[QValidator.State, str, int]:
        state = (
            QValidator.State.Acceptable
            if _DECIMAL.fullmatch(input.strip())
            else QValidator.State.Invalid
        )
        return state, input, pos

    def stepBy(self, steps: int) -> None:
        self.stepped.emit(steps)

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        if not self.isEnabled():
            return QAbstractSpinBox.StepEnabledFlag.StepNone
        return (
            QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
            | QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        )


def short_coins(atoms: int) -> str:
    """Coins without trailing zeros beyond two decimals: 0.00001, 1.20, 0.03012."""
    text = format_atoms(atoms)
    return text[: max(len(text.rstrip("0")), len(text) - 6)]


def describe(problem: Problem, base: str, quote: str, asset: str) -> str:
    """A Problem in the user's language; `asset` is the paying asset."""
    b, q, a = base.upper(), quote.upper(), asset.upper()
    low, high = (short_coins(v) for v in problem.nearest)
    texts = {
        Issue.NOT_CONNECTED: _tr(
            "OrderForm",
            "Not connected to the DEX server: orders can be placed once the connection is back.",
        ),
        Issue.NO_PRICE: _tr("OrderForm", "Enter a price."),
        Issue.OFF_RATE_STEP: _tr(
            "OrderForm", "The price must be a multiple of {step} {quote}: try {low} or {high}."
        ),
        Issue.NO_AMOUNT: _tr("OrderForm", "Enter an amount."),
        Issue.TOO_SMALL: _tr("OrderForm", "The smallest order is one lot: {lot} {base}."),
        Issue.OFF_LOT_SIZE: _tr(
            "OrderForm",
            "The amount must be a whole number of lots of {lot} {base}: try {low} or {high}.",
        ),
        Issue.NO_ASKS: _tr(
            "OrderForm", "Nobody is selling: a market buy needs a standing sell order."
        ),
        Issue.BELOW_BUY_BUFFER: _tr(
            "OrderForm",
            "A market buy must spend at least {need} {quote} (the "
            "buy buffer times one lot at the best ask).",
        ),
        Issue.INSUFFICIENT_FUNDS: _tr(
            "OrderForm",
            "Insufficient funds: with fees this order needs {need} "
            "{asset}; {have} {asset} can back orders.",
        ),
    }
    return texts[problem.issue].format(
        step=short_coins(problem.need),
        lot=short_coins(problem.need),
        low=low,
        high=high,
        need=format_atoms(problem.need),
        have=format_atoms(problem.have),
        base=b,
        quote=q,
        asset=a,
    )


class ConfirmDialog(QDialog):
    """Shows what will be placed, in full, before anything is sent."""

    def __init__(
        self, request: OrderRequest, price_decimals: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.request = request
        self.setWindowTitle(self.tr("Confirm order"))
        self.setModal(True)
        r, est = request, request.estimate
        b, q, a = r.base.upper(), r.quote.upper(), est.asset.upper()
        buy = r.side is Side.BUY
        verb = self.tr("Buy") if buy else self.tr("Sell")
        if r.kind is OrderKind.LIMIT:
            headline = self.tr("{verb} {qty} {base} at {price} {quote}").format(
                verb=verb,
                qty=short_coins(r.quantity),
                base=b,
                price=format_atoms(r.rate, price_decimals),
                quote=q,
            )
        elif buy:
            headline = self.tr("Buy {base} with {qty} {quote} at market").format(
                base=b, qty=short_coins(r.quantity), quote=q
            )
        else:
            headline = self.tr("Sell {qty} {base} at market").format(
                qty=short_coins(r.quantity), base=b
            )
        title = QLabel(headline)
        title.setObjectName("confirmtitle")
        title.setWordWrap(True)
        tif = (
            self.tr("Standing (stays on the book until filled or cancelled)")
            if r.tif is TimeInForce.STANDING
            else self.tr("Immediate (this match cycle only)")
        )
        rows = [
            (self.tr("Type"), self.tr("Limit") if r.kind is OrderKind.LIMIT else self.tr("Market")),
            (self.tr("Time in force"), tif),
            (self.tr("Spends"), f"{format_atoms(est.amount)} {a}"),
            (self.tr("Max. fees"), f"{format_atoms(est.fees)} {a}"),
            (self.tr("Funding locked"), f"{format_atoms(est.required)} {a}"),
        ]
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(6)
        for i, (name, value) in enumerate(rows):
            label, shown = QLabel(name), QLabel(value)
            label.setObjectName("muted")
            shown.setObjectName("figure" if value[:1].isdigit() else "")
            grid.addWidget(label, i, 0)
            grid.addWidget(shown, i, 1)
        note = QLabel(
            self.tr(
                "Fees are the worst case: one swap transaction per lot, plus "
                "{coins} funding input(s). The coins stay locked until the order "
                "is filled or cancelled; each match settles as an atomic swap "
                "that the app must be running to complete."
            ).format(coins=est.coins)
        )
        note.setObjectName("muted")
        note.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.confirm = buttons.addButton(verb + " " + b, QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setObjectName("buy" if buy else "sell")
        self.cancel = buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel.setObjectName("secondary")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 22, 24, 18)
        layout.setSpacing(14)
        layout.addWidget(title)
        layout.addLayout(grid)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
