"""The registration fee, confirmed by the user before anything is signed for broadcast (C3).

The core checks the server's terms and builds a `RegistrationQuote`; this dialog only answers
the core's `confirm` callback: the amount with its ticker, the asset, the network fee, the fee
address and the server, then "Pay and register" or "Cancel". No workflow here: a "no" is a
False for the core, which pays nothing and says so.

    confirm = RegistrationConfirm(window)   # an async callable for Client.ensure_registered
"""

from __future__ import annotations

import asyncio

from app.client.registration import RegistrationQuote
from app.client.views import format_atoms
from app.ui.forms import ThemedDialog, _tr
from app.ui.qt import (
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
)

RULES = """
QLabel#regvalue { font-family: $mono; }
"""


class RegistrationDialog(ThemedDialog):
    RULES = RULES

    def __init__(self, quote: RegistrationQuote, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.quote = quote
        self.setWindowTitle(_tr("RegistrationDialog", "Pay the registration fee?"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel(
            _tr(
                "RegistrationDialog",
                "The DEX server asks a one-time registration fee before you can "
                "trade there. It is paid from your wallet only if you agree.",
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        ticker = quote.ticker
        rows = [
            (
                "amount",
                _tr("RegistrationDialog", "Amount"),
                f"{format_atoms(quote.amount)} {ticker}",
            ),
            ("asset", _tr("RegistrationDialog", "Asset"), f"{quote.asset_name} ({ticker})"),
            (
                "fee",
                _tr("RegistrationDialog", "Network fee"),
                _tr("RegistrationDialog", "{fee} {ticker} ({rate} sat/vB)").format(
                    fee=format_atoms(quote.network_fee), ticker=ticker, rate=quote.fee_rate
                ),
            ),
            ("address", _tr("RegistrationDialog", "Paid to"), quote.fee_address),
            ("server", _tr("RegistrationDialog", "DEX server"), quote.url),
        ]
        self.values: dict[str, QLabel] = {}
        for row, (key, label, value) in enumerate(rows):
            grid.addWidget(QLabel(label), row, 0)
            shown = QLabel(value)
            shown.setObjectName("regvalue")
            shown.setWordWrap(True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(shown, row, 1)
            self.values[key] = shown
        layout.addLayout(grid)
        note = QLabel(
            _tr(
                "RegistrationDialog",
                "Check the server address: a fee paid to a wrong server is lost. "
                "Cancel pays nothing.",
            )
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox()
        self.pay_button = QPushButton(_tr("RegistrationDialog", "Pay and register"))
        self.cancel_button = QPushButton(_tr("RegistrationDialog", "Cancel"))
        buttons.addButton(self.pay_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.pay_button.setAutoDefault(False)  # Enter must not pay: only a click does
        self.cancel_button.setDefault(True)
        self.cancel_button.setFocus()


class RegistrationConfirm:
    """The GUI's answer to the core's `confirm` callback: one dialog per quote."""

    def __init__(self, parent: QWidget | None) -> None:
        self.parent = parent
        self.dialog: RegistrationDialog | None = None  # the open one (tests click it)

    async def __call__(self, quote: RegistrationQuote) -> bool:
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        dialog = RegistrationDialog(quote, self.parent)

        def answered(yes: bool) -> None:
            if not answer.done():
                answer.set_result(yes)

        dialog.accepted.connect(lambda: answered(True))
        dialog.rejected.connect(lambda: answered(False))  # Cancel, Escape, the close button
        self.dialog = dialog
        dialog.open()
        try:
            return await answer
        finally:
            self.dialog = None
            dialog.deleteLater()
