"""Settings → Safety limits: the user's `SafetyLimits` (app/safety/limits.py) as fields.

    section = SafetySection(config)        # filled from config.safety_limits()
    limits = section.limits()              # SafetyLimits, or None with the problems shown
    section.restore_defaults()             # SafetyLimits.default(network) in the fields

Each field is checked on its own so a message sits under the field it concerns: a value that
is not a number gets our own text, one out of range the `LimitsError` text of limits.py
(which names the limit and its range). The core reads the limits from the wallet's config at
each match, so saving the config (the dialog's normal path) is all that applying them takes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from app.client.views import (
    SYMBOLS,
    AppConfig,
    LimitsError,
    Network,
    SafetyLimits,
    client_swap_confs,
    get_asset,
)
from app.ui.forms import error_label, set_error
from app.ui.labels import styled_label
from app.ui.qt import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.ui.safety_model import format_bp, parse_count, parse_percent_bp

FIELD_WIDTH = 100


def _with_rate(base: SafetyLimits, symbol: str, rate: int) -> SafetyLimits:
    return SafetyLimits({**base.max_fee_rate, symbol: rate}, base.max_fee_share_bp, base.min_confs)


def _with_confs(base: SafetyLimits, symbol: str, confs: int) -> SafetyLimits:
    return SafetyLimits(base.max_fee_rate, base.max_fee_share_bp, {**base.min_confs, symbol: confs})


def _with_share(base: SafetyLimits, share_bp: int) -> SafetyLimits:
    return SafetyLimits(base.max_fee_rate, share_bp, base.min_confs)


def stored_form(limits: SafetyLimits, network: Network) -> dict[str, object]:
    """config.json's "safety" for these limits: {} while they are the network's defaults, so a
    user who never changed them follows better defaults of a later version."""
    return {} if limits == SafetyLimits.default(network) else limits.to_json()


class SafetySection(QWidget):
    changed = Signal()  # a field was edited (the dialog re-validates)

    def __init__(self, config: AppConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.network = config.network
        self.defaults = SafetyLimits.default(self.network)
        self.rate: dict[str, QLineEdit] = {}
        self.confs: dict[str, QLineEdit] = {}
        self.errors: dict[QLineEdit, QLabel] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        hint = styled_label(
            self.tr(
                "Cambio refuses a match outside these limits before "
                "anything is signed, and tells you why. They can only "
                "narrow Cambio's own rules."
            ),
            "muted",
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addSpacing(6)
        layout.addLayout(self._limits_grid())
        self._add_note_and_buttons(layout)
        layout.addStretch(1)
        self._load(config)
        for field in self.errors:
            field.textChanged.connect(self.changed)

    def _limits_grid(self) -> QGridLayout:
        """Fee rate and confirmations per chain (a column each), then the fee share."""
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        for col, symbol in enumerate(SYMBOLS, start=1):  # over right-aligned figures
            grid.addWidget(
                styled_label(get_asset(symbol, self.network).name, "fieldlabel"),
                0,
                col,
                Qt.AlignmentFlag.AlignRight,
            )
        rows = (
            (self.tr("Max fee rate"), self.tr("atoms/vB"), self.rate),
            (self.tr("Min confirmations"), self.tr("0 = default"), self.confs),
        )
        for i, (name, unit, fields) in enumerate(rows):
            row = 1 + 2 * i
            grid.addWidget(self._label(name), row, 0)
            error = self._error(grid, row + 1)
            for col, symbol in enumerate(SYMBOLS, start=1):
                fields[symbol] = self._input()
                grid.addWidget(fields[symbol], row, col)
                self.errors[fields[symbol]] = error
            grid.addWidget(styled_label(unit, "muted"), row, len(SYMBOLS) + 1)
        row = 1 + 2 * len(rows)
        grid.addWidget(self._label(self.tr("Max fee share")), row, 0)
        self.share = self._input()
        grid.addWidget(self.share, row, 1)
        grid.addWidget(styled_label(self.tr("% of a swap's value"), "muted"), row, 2, 1, 2)
        self.errors[self.share] = self._error(grid, row + 1)
        grid.setColumnStretch(len(SYMBOLS) + 1, 1)
        return grid

    def _add_note_and_buttons(self, layout: QVBoxLayout) -> None:
        self.note = styled_label(
            self.tr(
                "Fees: the most a server may ask per virtual byte on each chain, and the most the "
                "fees of a swap (our funding, refund and redeem) may take of its value. "
                "Confirmations: how many the other side's contract needs before we act on it "
                "(Cambio's minimum: {mins}; the server may ask for more)."
            ).format(
                mins=", ".join(f"{s.upper()} {client_swap_confs(s, self.network)}" for s in SYMBOLS)
            ),
            "muted",
        )
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        buttons = QHBoxLayout()
        self.restore = QPushButton(self.tr("Restore defaults"))
        self.restore.setObjectName("secondary")
        self.restore.clicked.connect(self.restore_defaults)
        buttons.addWidget(self.restore)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.load_error = error_label()
        self.load_error.setVisible(False)
        layout.addWidget(self.load_error)

    def _load(self, config: AppConfig) -> None:
        try:
            self.show_limits(config.safety_limits())
        except LimitsError as exc:  # a hand-edited config.json: say so, offer the defaults
            self.show_limits(self.defaults)
            self.load_error.setText(
                self.tr(
                    "The saved safety limits are not valid ({error}); the defaults are shown."
                ).format(error=exc)
            )
            self.load_error.setVisible(True)

    # -- building -----------------------------------------------------------------------------
    @staticmethod
    def _label(text: str) -> QLabel:
        label = styled_label(text, "fieldlabel")
        label.setMinimumWidth(130)  # the same label column as the dialog's other forms
        return label

    def _input(self) -> QLineEdit:
        field = QLineEdit()
        field.setFixedWidth(FIELD_WIDTH)
        field.setAlignment(Qt.AlignmentFlag.AlignRight)
        return field

    @staticmethod
    def _error(grid: QGridLayout, row: int) -> QLabel:
        """The messages of one row's fields, under them across the row."""
        label = error_label()
        label.setVisible(False)
        grid.addWidget(label, row, 1, 1, len(SYMBOLS) + 1)
        return label

    # -- values -------------------------------------------------------------------------------
    def show_limits(self, limits: SafetyLimits) -> None:
        for symbol in SYMBOLS:
            self.rate[symbol].setText(str(limits.max_fee_rate[symbol]))
            self.rate[symbol].setToolTip(
                self.tr("Default: {n} atoms/vB").format(n=self.defaults.max_fee_rate[symbol])
            )
            self.confs[symbol].setText(str(limits.min_confs.get(symbol, 0)))
            self.confs[symbol].setToolTip(
                self.tr("Default: {n}").format(n=self.defaults.min_confs.get(symbol, 0))
            )
        self.share.setText(format_bp(limits.max_fee_share_bp))
        self.share.setToolTip(
            self.tr("Default: {n} %").format(n=format_bp(self.defaults.max_fee_share_bp))
        )

    def restore_defaults(self) -> None:
        self.show_limits(self.defaults)
        self.load_error.setVisible(False)

    def limits(self) -> SafetyLimits | None:
        """The limits in the fields, or None with each problem shown under its field."""
        d = self.defaults
        # Each field alone, against the defaults of the others: (field, value, its probe).
        checks: list[tuple[QLineEdit, int | None, Callable[[int], object]]] = []
        for symbol in SYMBOLS:
            checks.append(
                (
                    self.rate[symbol],
                    parse_count(self.rate[symbol].text()),
                    partial(_with_rate, d, symbol),
                )
            )
            checks.append(
                (
                    self.confs[symbol],
                    parse_count(self.confs[symbol].text()),
                    partial(_with_confs, d, symbol),
                )
            )
        checks.append((self.share, parse_percent_bp(self.share.text()), partial(_with_share, d)))
        messages: dict[QLabel, list[str]] = {label: [] for label in self.errors.values()}
        for field, value, probe in checks:
            message = None
            if value is None:
                message = (
                    self.tr("Enter a percentage like 3.00")
                    if field is self.share
                    else self.tr("Enter a whole number")
                )
            else:
                try:
                    probe(value)
                except LimitsError as exc:
                    message = str(exc)
            set_error(field, message is not None)
            if message is not None:
                messages[self.errors[field]].append(message)
        for label, texts in messages.items():
            label.setText("\n".join(dict.fromkeys(texts)))  # two "not a number": said once
            label.setVisible(bool(texts))
        if any(messages.values()):
            return None
        return SafetyLimits(
            {s: parse_count(self.rate[s].text()) or 0 for s in SYMBOLS},
            parse_percent_bp(self.share.text()) or 0,
            {s: parse_count(self.confs[s].text()) or 0 for s in SYMBOLS},
        )
