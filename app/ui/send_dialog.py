"""Send coins: address and amount checked as typed, a fee speed with its rate, a review step
with the exact fee of the signed transaction, then the broadcast.

The wallet is reached only through injected coroutines, so tests drive the dialog with fakes:

    actions = SendActions(
        fee_rate=lambda speed: client.fee_quote(symbol, speed),
        preview=lambda *p: client.preview_payment(symbol, *p),  # (address, amount, rate)
        send=lambda *p: client.send(symbol, *p))  # signs, records, broadcasts
    dialog = SendDialog(asset, available, actions, parent); dialog.start()  # current theme
    dialog.sent.connect(lambda txid: refresh())
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from app.client.views import (
    TARGET_BLOCKS,
    AssetParams,
    FeeQuote,
    FeeSpeed,
    SendIssue,
    SendProblem,
    SignedTx,
    approx_fee,
    check_address,
    check_amount,
    format_atoms,
    max_amount,
    parse_coins,
)
from app.errors import user_message
from app.ui.client_bridge import run_op
from app.ui.forms import ThemedDialog, _tr, error_label, set_error
from app.ui.qt import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.wallet.errors import DustError, InsufficientFundsError, WalletError

# Added to the dialogs' rules (style.dialog_style: the speed buttons, #txid and #warn are there).
SEND_RULES = """
QPushButton#speed { text-align: center; }
QLabel#summary { font-family: $mono; }
QLabel#total { font-family: $mono; font-size: 16px; font-weight: 600; }
"""


@dataclass(frozen=True)
class SendActions:
    fee_rate: Callable[[FeeSpeed], Awaitable[FeeQuote]]
    preview: Callable[[str, int, int], Awaitable[SignedTx]]
    send: Callable[[str, int, int], Awaitable[SignedTx]]


def describe_send(problem: SendProblem, ticker: str) -> str:
    texts = {
        SendIssue.ADDRESS_EMPTY: _tr("SendDialog", "Enter the address to pay."),
        SendIssue.ADDRESS_INVALID: _tr("SendDialog", "This is not a valid {ticker} address."),
        SendIssue.ADDRESS_OTHER_NETWORK: _tr(
            "SendDialog", "This is a {network} address, not {ticker}."
        ),
        SendIssue.AMOUNT_EMPTY: _tr("SendDialog", "Enter an amount."),
        SendIssue.AMOUNT_INVALID: _tr(
            "SendDialog", "Enter an amount in {ticker}, with at most 8 decimals."
        ),
        SendIssue.AMOUNT_DUST: _tr("SendDialog", "Too small: the minimum is {limit} {ticker}."),
        SendIssue.INSUFFICIENT: _tr(
            "SendDialog", "Not enough funds: {limit} {ticker} available, fee included."
        ),
    }
    return texts[problem.issue].format(
        ticker=ticker, network=problem.detail, limit=format_atoms(problem.limit)
    )


def _typed_atoms(text: str) -> int | None:
    try:
        return parse_coins(text)
    except ValueError:
        return None


def _label(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    return label


class SendDialog(ThemedDialog):
    RULES = SEND_RULES
    sent = Signal(str)  # txid

    def __init__(
        self,
        asset: AssetParams,
        available: int,
        actions: SendActions,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)  # in the current theme, restyled on a switch
        self.asset, self.available, self.wallet_actions = asset, available, actions
        self.ticker = asset.ticker
        self.quotes: dict[FeeSpeed, FeeQuote] = {}
        self.speed = FeeSpeed.NORMAL
        self.payment: tuple[str, int, int] | None = None  # reviewed (address, amount, rate)
        self.pending: asyncio.Task[None] | None = None
        self.setWindowTitle(self.tr("Send {ticker}").format(ticker=self.ticker))
        self.setMinimumWidth(520)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._form_page())
        self.pages.addWidget(self._review_page())
        self.pages.addWidget(self._done_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(self.pages)
        self.validate()

    # --- pages -------------------------------------------------------------------------------
    def _form_page(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.setSpacing(6)
        v.addWidget(_label(self.tr("Send {ticker}").format(ticker=self.ticker), "title"))
        v.addWidget(
            _label(
                self.tr("Available: {amount} {ticker}").format(
                    amount=format_atoms(self.available), ticker=self.ticker
                ),
                "muted",
            )
        )
        v.addSpacing(10)
        v.addWidget(_label(self.tr("Pay to"), "fieldlabel"))
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("{hrp}1… address").format(hrp=self.asset.hrp))
        self.address_error = error_label()
        v.addWidget(self.address)
        v.addWidget(self.address_error)
        v.addWidget(_label(self.tr("Amount ({ticker})").format(ticker=self.ticker), "fieldlabel"))
        row = QHBoxLayout()
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("0.00000000")
        self.max_button = QPushButton(self.tr("Max"))
        self.max_button.setObjectName("secondary")
        row.addWidget(self.amount, 1)
        row.addWidget(self.max_button)
        v.addLayout(row)
        self.amount_error = error_label()
        v.addWidget(self.amount_error)
        v.addWidget(_label(self.tr("Network fee"), "fieldlabel"))
        speeds = QHBoxLayout()
        self.speed_group = QButtonGroup(self)
        self.speed_buttons: dict[FeeSpeed, QPushButton] = {}
        for speed in FeeSpeed:
            button = QPushButton()
            button.setObjectName("speed")
            button.setCheckable(True)
            button.setMinimumHeight(52)
            button.clicked.connect(lambda _=False, s=speed: self.set_speed(s))
            self.speed_group.addButton(button)
            self.speed_buttons[speed] = button
            speeds.addWidget(button)
        self.speed_buttons[self.speed].setChecked(True)
        v.addLayout(speeds)
        self.fee_note = _label(name="muted")
        self.fee_note.setWordWrap(True)
        v.addWidget(self.fee_note)
        v.addSpacing(6)
        self.summary = _label(name="summary")
        self.total = _label(name="total")
        v.addWidget(self.summary)
        v.addWidget(self.total)
        v.addStretch(1)
        buttons = QHBoxLayout()
        cancel = QPushButton(self.tr("Cancel"))
        cancel.setObjectName("secondary")
        cancel.clicked.connect(self.reject)
        self.review_button = QPushButton(self.tr("Review"))
        self.review_button.clicked.connect(lambda: self._spawn(self.review()))
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.review_button)
        v.addLayout(buttons)
        self.address.textChanged.connect(self.validate)
        self.amount.textChanged.connect(self.validate)
        self.max_button.clicked.connect(self.fill_max)
        self._show_speeds()
        return page

    def _review_page(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.addWidget(_label(self.tr("Confirm the payment"), "title"))
        v.addSpacing(8)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(8)
        self.review_values: dict[str, QLabel] = {}
        rows = [
            ("to", self.tr("Pay to")),
            ("amount", self.tr("Amount")),
            ("fee", self.tr("Network fee")),
            ("total", self.tr("Total")),
        ]
        for i, (key, text) in enumerate(rows):
            grid.addWidget(_label(text, "muted"), i, 0, Qt.AlignmentFlag.AlignTop)
            value = _label(name="total" if key == "total" else "summary")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(value, i, 1)
            self.review_values[key] = value
        grid.setColumnStretch(1, 1)
        v.addLayout(grid)
        v.addSpacing(8)
        v.addWidget(_label(self.tr("A payment cannot be undone once it is sent."), "warn"))
        self.send_error = error_label()
        v.addWidget(self.send_error)
        v.addStretch(1)
        buttons = QHBoxLayout()
        back = QPushButton(self.tr("Back"))
        back.setObjectName("secondary")
        back.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        self.send_button = QPushButton(self.tr("Send now"))
        self.send_button.clicked.connect(lambda: self._spawn(self.confirm()))
        buttons.addStretch(1)
        buttons.addWidget(back)
        buttons.addWidget(self.send_button)
        v.addLayout(buttons)
        return page

    def _done_page(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.addWidget(_label(self.tr("Payment sent"), "title"))
        v.addWidget(_label(self.tr("Transaction ID"), "muted"))
        self.txid = _label(name="txid")
        self.txid.setWordWrap(True)
        self.txid.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.txid)
        v.addStretch(1)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        v.addLayout(row)
        return page

    # --- behaviour -----------------------------------------------------------------------------
    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a step on the asyncio loop (qasync in the app); kept for tests to await."""
        self.pending = asyncio.ensure_future(coro)

    def start(self) -> None:
        self._spawn(self.load_rates())

    async def load_rates(self) -> None:
        for speed in FeeSpeed:
            try:
                self.quotes[speed] = await self.wallet_actions.fee_rate(speed)
            except WalletError as exc:
                self.fee_note.setText(self.tr("No fee estimate: {error}").format(error=str(exc)))
        self._show_speeds()
        self.validate()

    def rate(self) -> int | None:
        quote = self.quotes.get(self.speed)
        return None if quote is None else quote.rate

    def set_speed(self, speed: FeeSpeed) -> None:
        self.speed = speed
        self.speed_buttons[speed].setChecked(True)
        self.validate()

    def _show_speeds(self) -> None:
        names = {
            FeeSpeed.FAST: self.tr("Fast"),
            FeeSpeed.NORMAL: self.tr("Normal"),
            FeeSpeed.SLOW: self.tr("Slow"),
        }
        for speed, button in self.speed_buttons.items():
            quote = self.quotes.get(speed)
            rate = "…" if quote is None else self.tr("{rate} sat/vB").format(rate=quote.rate)
            blocks = self.tr("~{n} blocks").format(n=TARGET_BLOCKS[speed])
            button.setText(f"{names[speed]}  ·  {blocks}\n{rate}")
        if any(not q.estimated for q in self.quotes.values()):
            self.fee_note.setText(
                self.tr("The node has no fee estimate yet; a safe default rate is used.")
            )

    def fill_max(self) -> None:
        rate = self.rate()
        if rate is not None:
            self.amount.setText(format_atoms(max_amount(self.available, rate)))

    def validate(self) -> bool:
        """Check both fields, show inline errors for what was typed, update fee and total."""
        script, addr_problem = check_address(self.address.text(), self.asset)
        rate = self.rate()
        fee = approx_fee(rate) if rate is not None else 0
        _, amount_problem = check_amount(
            self.amount.text(), self.asset, self.available, fee, script
        )
        # Empty fields are not errors yet: they have not been typed.
        show_addr = addr_problem if self.address.text().strip() else None
        show_amount = amount_problem if self.amount.text().strip() else None
        self.address_error.setText(describe_send(show_addr, self.ticker) if show_addr else "")
        self.amount_error.setText(describe_send(show_amount, self.ticker) if show_amount else "")
        set_error(self.address, show_addr is not None)
        set_error(self.amount, show_amount is not None)
        if rate is None:
            self.summary.setText(self.tr("Network fee: loading the rate…"))
            self.total.setText("")
        else:
            self.summary.setText(
                self.tr("Network fee ≈ {fee} {ticker}").format(
                    fee=format_atoms(fee), ticker=self.ticker
                )
            )
            typed = _typed_atoms(self.amount.text())  # a total even when it is too much
            self.total.setText(
                ""
                if typed is None
                else self.tr("Total ≈ {total} {ticker}").format(
                    total=format_atoms(typed + fee), ticker=self.ticker
                )
            )
        ok = addr_problem is None and amount_problem is None and rate is not None
        self.review_button.setEnabled(ok)
        return ok

    async def review(self) -> None:
        """Build and sign (not broadcast) the payment to show its exact fee."""
        rate = self.rate()
        if not self.validate() or rate is None:
            return
        address = self.address.text().strip()
        amount = parse_coins(self.amount.text())  # validate() passed: it parses
        await run_op(
            self.wallet_actions.preview(address, amount, rate),
            lambda signed: self._show_review(address, amount, rate, signed),
            lambda exc: self.amount_error.setText(self._wallet_error(exc)),
            busy=[self.review_button],
        )

    def _show_review(self, address: str, amount: int, rate: int, signed: SignedTx) -> None:
        self.payment = (address, amount, rate)
        unit = self.ticker
        self.review_values["to"].setText(address)
        self.review_values["amount"].setText(f"{format_atoms(amount)} {unit}")
        self.review_values["fee"].setText(
            self.tr("{fee} {ticker}  ({rate} sat/vB, {vsize} vB)").format(
                fee=format_atoms(signed.fee), ticker=unit, rate=rate, vsize=signed.vsize
            )
        )
        self.review_values["total"].setText(f"{format_atoms(amount + signed.fee)} {unit}")
        self.send_error.setText("")
        self.pages.setCurrentIndex(1)

    async def confirm(self) -> None:
        if self.payment is None:
            return
        await run_op(
            self.wallet_actions.send(*self.payment),
            self._show_sent,
            lambda exc: self.send_error.setText(self._wallet_error(exc)),
            busy=[self.send_button],
        )

    def _show_sent(self, signed: SignedTx) -> None:
        self.txid.setText(signed.txid)
        self.pages.setCurrentIndex(2)
        self.sent.emit(signed.txid)

    def _wallet_error(self, exc: BaseException) -> str:
        if isinstance(exc, InsufficientFundsError):
            return describe_send(
                SendProblem(SendIssue.INSUFFICIENT, limit=exc.available), self.ticker
            )
        if isinstance(exc, DustError):
            return describe_send(SendProblem(SendIssue.AMOUNT_DUST, limit=exc.limit), self.ticker)
        return user_message(exc)  # WalletError messages are written for users
