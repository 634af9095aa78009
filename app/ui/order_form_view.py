"""The order form: widgets over app.trading.orderform.OrderFormState, which holds every rule.

Each user action turns into a new state; `_render` then shows it (values, lots, fees, inline
errors). A field's errors appear once the user has touched it, all of them on submit. A valid
submit opens the confirmation dialog; confirming emits `order_requested(OrderRequest)`.

Compact for laptop screens: the fields scroll when the window is short, while the form-level
error and the submit button stay pinned below them, always reachable.
"""

from __future__ import annotations

from app.client.views import (
    Field,
    MarketRules,
    OrderFormState,
    OrderKind,
    Side,
    TimeInForce,
    decimals_for,
    format_atoms,
    parse_coins,
)
from app.ui.forms import error_label
from app.ui.order_widgets import AtomSpinBox, ConfirmDialog, describe
from app.ui.qt import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.style import Palette, current_palette, fill
from app.ui.wallet_view import styled_label

FORM_TEMPLATE = """
QFrame#orderform { background: $surface; border: 1px solid $border; border-radius: 10px; }
QScrollArea#formscroll, QWidget#formbody { background: transparent; border: none; }
QPushButton#seg { background: $raised; color: $tab_text; border-radius: 6px; padding: 6px; }
QPushButton#seg:checked { background: $raised_hover; color: $text_strong; }
QPushButton#buyseg:checked, QPushButton#buy { background: $buy; color: $on_accent; }
QPushButton#sellseg:checked, QPushButton#sell { background: $sell; color: $on_accent; }
QPushButton#buyseg, QPushButton#sellseg { background: $raised; color: $tab_text;
    padding: 7px; font-size: 14px; }
QPushButton#buy:hover { background: $buy_hover; }
QPushButton#sell:hover { background: $sell_hover; }
QPushButton#max { background: transparent; color: $link_button; padding: 0 4px; }
QAbstractSpinBox { background: $sunken; border: 1px solid $input_border; border-radius: 6px;
    padding: 5px 8px; font-family: $mono; font-size: 14px; color: $text; }
QAbstractSpinBox:focus { border-color: $accent; }
QAbstractSpinBox[error="true"] { border-color: $error_border; }
QAbstractSpinBox:disabled { color: $disabled_text; background: $disabled_bg; }
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button { width: 0; border: none; }
QPushButton#step { background: $raised; color: $label; border-radius: 6px; padding: 0;
    min-width: 30px; max-width: 30px; min-height: 30px; font-size: 16px; font-weight: 500; }
QPushButton#step:hover { background: $raised_hover; }
QPushButton#step:disabled { color: $disabled_text; background: $disabled_bg; }
QComboBox { background: $raised; border: none; border-radius: 6px; padding: 6px 10px;
    color: $text; }
QComboBox QAbstractItemView { background: $surface; color: $text;
    selection-background-color: $accent; selection-color: $on_accent; }
QLabel#unit { color: $muted; font-family: $mono; min-width: 34px; }
QLabel#hint, QLabel#muted { color: $muted; font-size: 12px; }
QLabel#value { font-family: $mono; }
QLabel#error { color: $error; font-size: 12px; }
QLabel#fieldlabel { color: $label; font-weight: 600; }
QLabel#confirmtitle { font-size: 17px; font-weight: 600; }
QFrame#rule { color: $border; }
"""

MIN_SCROLL_HEIGHT = 150  # the fields' least height: below it they scroll


def _segment(texts: list[str], name: str = "seg") -> tuple[QButtonGroup, list[QPushButton]]:
    group, buttons = QButtonGroup(), []
    for i, text in enumerate(texts):
        button = QPushButton(text)
        button.setCheckable(True)
        button.setObjectName(name if name != "side" else ("buyseg", "sellseg")[i])
        group.addButton(button, i)
        buttons.append(button)
    buttons[0].setChecked(True)
    return group, buttons


class OrderFormView(QFrame):
    order_requested = Signal(object)  # OrderRequest

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orderform")
        self.setStyleSheet(fill(FORM_TEMPLATE, current_palette()))
        self.state: OrderFormState | None = None
        self.touched: set[Field] = set()
        self.confirm: ConfirmDialog | None = None
        self.price_decimals, self.qty_decimals = 8, 8

        self.side_group, (self.buy_tab, self.sell_tab) = _segment(
            [self.tr("Buy"), self.tr("Sell")], "side"
        )
        self.kind_group, (self.limit_tab, self.market_tab) = _segment(
            [self.tr("Limit"), self.tr("Market")]
        )
        self.tif = QComboBox()
        self.tif.addItem(self.tr("Standing"), TimeInForce.STANDING)
        self.tif.addItem(self.tr("Immediate"), TimeInForce.IMMEDIATE)
        self.tif.setToolTip(
            self.tr(
                "Standing orders rest on the book until filled or "
                "cancelled; immediate ones live for one match cycle."
            )
        )
        self.price = AtomSpinBox()
        self.qty = AtomSpinBox()
        self.price_unit, self.qty_unit = styled_label("", "unit"), styled_label("", "unit")
        self.price_label = styled_label(self.tr("Price"), "fieldlabel")
        self.qty_label = styled_label(self.tr("Amount"), "fieldlabel")
        self.max_button = QPushButton(self.tr("Max"))
        self.max_button.setObjectName("max")
        self.lots = styled_label("", "hint")
        self.price_error, self.qty_error, self.form_error = (error_label() for _ in range(3))
        self.total, self.fees, self.funding, self.available = (
            styled_label("—", "value") for _ in range(4)
        )
        self.submit = QPushButton(self.tr("Buy"))
        self.submit.setObjectName("buy")
        self.submit.setMinimumHeight(38)
        self._build()

        self.side_group.idClicked.connect(lambda i: self._change(side=(Side.BUY, Side.SELL)[i]))
        self.kind_group.idClicked.connect(
            lambda i: self._change(kind=(OrderKind.LIMIT, OrderKind.MARKET)[i], quantity=0)
        )
        self.tif.currentIndexChanged.connect(
            lambda _i: self._change(tif=TimeInForce(self.tif.currentData()))
        )
        self.price.stepped.connect(lambda n: self._step(Field.PRICE, n))
        self.qty.stepped.connect(lambda n: self._step(Field.QUANTITY, n))
        self.price.edited.connect(lambda: self._typed(Field.PRICE))
        self.qty.edited.connect(lambda: self._typed(Field.QUANTITY))
        self.max_button.clicked.connect(self._max)
        self.submit.clicked.connect(self._submit)
        self.setEnabled(False)  # until a market is set

    def _build(self) -> None:
        body = QWidget()
        body.setObjectName("formbody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        sides = QHBoxLayout()
        sides.setSpacing(6)
        sides.addWidget(self.buy_tab)
        sides.addWidget(self.sell_tab)
        layout.addLayout(sides)
        kinds = QHBoxLayout()
        kinds.setSpacing(6)
        kinds.addWidget(self.limit_tab)
        kinds.addWidget(self.market_tab)
        kinds.addWidget(self.tif, 1)
        layout.addLayout(kinds)
        layout.addSpacing(2)
        layout.addWidget(self.price_label)
        layout.addLayout(self._field(self.price, self.price_unit))
        layout.addWidget(self.price_error)
        head = QHBoxLayout()
        head.addWidget(self.qty_label)
        head.addStretch(1)
        head.addWidget(self.max_button)
        layout.addLayout(head)
        layout.addLayout(self._field(self.qty, self.qty_unit))
        layout.addWidget(self.lots)
        layout.addWidget(self.qty_error)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setObjectName("rule")
        layout.addWidget(line)
        grid = QGridLayout()
        grid.setVerticalSpacing(4)
        names = [
            self.tr("Total"),
            self.tr("Max. fees"),
            self.tr("Funding needed"),
            self.tr("Available"),
        ]
        for i, (name, value) in enumerate(
            zip(names, (self.total, self.fees, self.funding, self.available), strict=True)
        ):
            grid.addWidget(styled_label(name, "muted"), i, 0)
            grid.addWidget(value, i, 1)
        self.fees.setToolTip(
            self.tr(
                "Worst case (protocol §7): one swap transaction per lot "
                "plus one input per funding coin, at the server's fee rate."
            )
        )
        layout.addLayout(grid)
        layout.addStretch(1)
        self.fields_scroll = QScrollArea()
        self.fields_scroll.setObjectName("formscroll")
        self.fields_scroll.setWidget(body)
        self.fields_scroll.setWidgetResizable(True)
        self.fields_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.fields_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fields_scroll.setMinimumHeight(MIN_SCROLL_HEIGHT)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(14, 12, 14, 12)
        outer.setSpacing(8)
        outer.addWidget(self.fields_scroll, 1)
        outer.addWidget(self.form_error)
        outer.addWidget(self.submit)

    def _field(self, box: AtomSpinBox, unit: QLabel) -> QHBoxLayout:
        """[−] [value] [+] unit: visible steppers (arrow keys and the wheel step too)."""
        row = QHBoxLayout()
        row.setSpacing(6)
        for text, steps, tip in (
            ("−", -1, self.tr("One step down")),
            ("+", 1, self.tr("One step up")),
        ):
            button = QPushButton(text)
            button.setObjectName("step")
            button.setToolTip(tip)
            button.setAutoRepeat(True)
            button.clicked.connect(lambda _c=False, n=steps: box.stepBy(n))
            box.enabled_changed.connect(button.setEnabled)
            row.addWidget(button)
            if steps < 0:
                row.addWidget(box, 1)
        row.addWidget(unit)
        return row

    # --- inputs from the window ---------------------------------------------------------
    def apply_palette(self, palette: Palette) -> None:  # style.Themed
        self.setStyleSheet(fill(FORM_TEMPLATE, palette))

    def set_market(self, rules: MarketRules) -> None:
        old = self.state
        self.state = OrderFormState(rules, connected=bool(old and old.connected))
        self.price_decimals = decimals_for(rules.rate_step)
        self.touched.clear()
        self.setEnabled(True)
        self._render(write=True)

    def set_funds(self, asset: str, coins: tuple[int, ...]) -> None:
        """Values of the spendable coins of `asset` (unlocked, with `fundconf` confirmations)."""
        if self.state:
            self._show(self.state.with_funds(asset, coins), write=False)

    def set_connected(self, connected: bool) -> None:
        if self.state:
            self._change(write=False, connected=connected)

    def set_best(self, bid: int | None, ask: int | None) -> None:
        if self.state:
            self._change(write=False, best_bid=bid, best_ask=ask)

    def set_price(self, rate: int) -> None:
        """A limit order at that price."""
        if self.state:
            self.touched.add(Field.PRICE)
            self.limit_tab.setChecked(True)
            self._change(rate=rate, kind=OrderKind.LIMIT)

    def set_level(self, rate: int, amount: int) -> None:
        """A click on a book level: a limit order at its price for the book's amount from the
        best level down to it, which such an order would take (the user may change it)."""
        if self.state:
            self.touched.update((Field.PRICE, Field.QUANTITY))
            self.limit_tab.setChecked(True)
            self._change(rate=rate, kind=OrderKind.LIMIT, quantity=amount)

    # --- state changes ------------------------------------------------------------------
    def _change(self, write: bool = True, **changes: object) -> None:
        if self.state:
            self._show(self.state.with_(**changes), write)

    def _show(self, state: OrderFormState, write: bool) -> None:
        self.state = state
        self._render(write=write)

    def _step(self, field: Field, steps: int) -> None:
        if self.state:
            self.touched.add(field)
            self.state = (
                self.state.step_rate(steps)
                if field is Field.PRICE
                else self.state.step_quantity(steps)
            )
            self._render(write=True)

    def _typed(self, field: Field) -> None:
        box = self.price if field is Field.PRICE else self.qty
        try:
            value = parse_coins(box.text_value()) if box.text_value() else 0
        except ValueError:
            value = 0
        self.touched.add(field)
        self._change(write=False, **{"rate" if field is Field.PRICE else "quantity": value})

    def _max(self) -> None:
        if self.state and (most := self.state.max_quantity()) is not None:
            self.touched.add(Field.QUANTITY)
            self._change(quantity=most)

    def _submit(self) -> None:
        if not self.state:
            return
        self.touched.update(Field)
        if self.state.problems():
            self._render(write=False)
            return
        self.confirm = ConfirmDialog(self.state.request(), self.price_decimals, self)
        self.confirm.accepted.connect(lambda: self._confirmed(self.confirm))
        self.confirm.open()  # window-modal without a nested event loop

    def _confirmed(self, dialog: ConfirmDialog | None) -> None:
        if dialog is not None:
            self.order_requested.emit(dialog.request)

    # --- output -------------------------------------------------------------------------
    def _render(self, write: bool) -> None:
        s = self.state
        if s is None:
            return
        rules, buy, limit = s.rules, s.side is Side.BUY, s.kind is OrderKind.LIMIT
        b, q = rules.base.upper(), rules.quote.upper()
        self.qty_decimals = 8 if s.market_buy else decimals_for(rules.lot_size, 2)
        self.price.setEnabled(limit)
        self.tif.setEnabled(limit)
        self.price.lineEdit().setPlaceholderText("" if limit else self.tr("Best available"))
        self.price_label.setText(self.tr("Price ({quote} per {base})").format(quote=q, base=b))
        self.qty_label.setText(
            self.tr("Spend ({quote})").format(quote=q)
            if s.market_buy
            else self.tr("Amount ({base})").format(base=b)
        )
        self.price_unit.setText(q)
        self.qty_unit.setText(q if s.market_buy else b)
        if write:
            self.price.set_atoms(s.rate if limit else 0, self.price_decimals)
            self.qty.set_atoms(s.quantity, self.qty_decimals)
        self.lots.setText(self._lots_text(s))
        self._render_figures(s)
        verb = self.tr("Buy {base}") if buy else self.tr("Sell {base}")
        self.submit.setText(verb.format(base=b))
        self.submit.setObjectName("buy" if buy else "sell")
        self.submit.style().unpolish(self.submit)
        self.submit.style().polish(self.submit)
        self._render_problems(s)

    def _lots_text(self, s: OrderFormState) -> str:
        if s.market_buy:
            return self.tr("Sized in {quote}; at least the buy buffer times one lot").format(
                quote=s.rules.quote.upper()
            )
        lots = s.lots()
        shown = str(lots.numerator) if lots.denominator == 1 else f"{float(lots):.4f}"
        return self.tr("= {lots} lots · 1 lot = {lot} {base}").format(
            lots=shown, lot=format_lot(s.rules.lot_size), base=s.rules.base.upper()
        )

    def _render_figures(self, s: OrderFormState) -> None:
        q = s.rules.quote.upper()
        total = s.quote_total()
        approx = "≈ " if s.kind is OrderKind.MARKET and not s.market_buy else ""
        self.total.setText(f"{approx}{format_atoms(total)} {q}" if total else "—")
        est = s.estimate()
        asset = s.rules.paying(s.side)[0].upper()
        self.fees.setText(f"{format_atoms(est.fees)} {asset}" if est else "—")
        self.funding.setText(f"{format_atoms(est.required)} {asset}" if est else "—")
        self.available.setText(f"{format_atoms(s.funds.total)} {asset}")

    def _render_problems(self, s: OrderFormState) -> None:
        texts: dict[Field, list[str]] = {f: [] for f in Field}
        paying = s.rules.paying(s.side)[0]
        for p in s.problems():
            if p.field in self.touched or p.field is Field.FORM:
                texts[p.field].append(describe(p, s.rules.base, s.rules.quote, paying))
        for field, label, box in (
            (Field.PRICE, self.price_error, self.price),
            (Field.QUANTITY, self.qty_error, self.qty),
            (Field.FORM, self.form_error, None),
        ):
            label.setText(" ".join(texts[field]))
            label.setVisible(bool(texts[field]))
            if box is not None and bool(box.property("error")) != bool(texts[field]):
                box.setProperty("error", bool(texts[field]))  # red border via the stylesheet
                box.style().unpolish(box)
                box.style().polish(box)

    def problem_texts(self) -> dict[Field, str]:
        """What the inline error labels say (for tests and accessibility)."""
        return {
            Field.PRICE: self.price_error.text(),
            Field.QUANTITY: self.qty_error.text(),
            Field.FORM: self.form_error.text(),
        }


def format_lot(lot: int) -> str:
    return format_atoms(lot, decimals_for(lot, 2))
