"""First-run wizard dialog: renders app.wizard.Wizard's current step and feeds it the input.

All rules (which words to ask, what a valid password or server is) live in app/wizard.py;
this module only lays out pages and words the Problems it gets back.
"""

from __future__ import annotations

from collections.abc import Callable

from app.client.views import WORD_COUNT, Mode, Network, Step, Wizard, WizardResult, check_word
from app.client.views import WizardProblem as Problem
from app.ui.forms import (
    ThemedDialog,
    describe,
    error_label,
    set_error,
    word_completer,
)
from app.ui.labels import styled_label
from app.ui.qt import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    Qt,
    QVBoxLayout,
    QWidget,
)
from app.ui.wizard_backend_page import BackendPage
from app.ui.wizard_pages import PasswordPage, ServerPage

_COLUMNS = 3


def _word_position(index: int) -> tuple[int, int]:
    """Grid cell for word `index` (0-based): numbered down the columns, as on paper."""
    rows = WORD_COUNT // _COLUMNS
    return index % rows, index // rows


class WizardDialog(ThemedDialog):
    """Modal dialog; `result_value` holds the WizardResult once accepted."""

    def __init__(self, parent: QWidget | None = None, wizard: Wizard | None = None) -> None:
        super().__init__(parent)
        self.wizard = wizard or Wizard()
        self.result_value: WizardResult | None = None
        self.setWindowTitle(self.tr("Set up Cambio"))
        self.setMinimumSize(680, 560)

        self.title = styled_label(name="title")
        self.subtitle = styled_label(name="muted")
        self.subtitle.setWordWrap(True)
        self.step_label = styled_label(name="muted")
        self.progress = QProgressBar()
        self.progress.setObjectName("steps")
        self.progress.setTextVisible(False)
        self.stack = QStackedWidget()
        self.error = error_label()
        self.back_button = QPushButton(self.tr("Back"))
        self.back_button.setObjectName("secondary")
        self.back_button.setAutoDefault(False)
        self.next_button = QPushButton(self.tr("Continue"))
        self.next_button.setDefault(True)
        self.back_button.clicked.connect(self._back)
        self.next_button.clicked.connect(self._next)

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.step_label, 0, Qt.AlignmentFlag.AlignBottom)
        foot = QHBoxLayout()
        foot.addWidget(self.back_button)
        foot.addStretch(1)
        foot.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 24)
        layout.setSpacing(12)
        layout.addLayout(head)
        layout.addWidget(self.progress)
        layout.addWidget(self.subtitle)
        layout.addSpacing(6)
        layout.addWidget(self.stack, 1)
        layout.addLayout(foot)

        self.password_page = PasswordPage()
        self.server_page = ServerPage()
        self.backend_page = BackendPage()
        self.password = self.password_page.password  # the fields _next reads
        self.password_again = self.password_page.password_again
        self.server_url = self.server_page.server_url
        self.pages: dict[Step, QWidget] = {
            Step.NETWORK: self._network_page(),
            Step.CHOOSE: self._choose_page(),
            Step.SHOW_WORDS: self._show_page(),
            Step.CONFIRM_WORDS: self._confirm_page(),
            Step.RESTORE_WORDS: self._restore_page(),
            Step.PASSWORD: self.password_page,
            Step.BACKEND: self.backend_page,
            Step.SERVER: self.server_page,
        }
        for page in self.pages.values():
            self.stack.addWidget(page)
        self._render()

    # --- pages ------------------------------------------------------------------------

    def _choice(self, title: str, text: str, mode: Mode | Callable[[], None]) -> QPushButton:
        button = QPushButton()
        button.setObjectName("choice")
        button.setAutoDefault(False)
        button.setMinimumHeight(88)
        box = QVBoxLayout(button)
        box.setContentsMargins(22, 14, 22, 14)
        for label in (styled_label(title, "choicetitle"), styled_label(text, "muted")):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            label.setWordWrap(True)
            box.addWidget(label)
        if isinstance(mode, Mode):
            button.clicked.connect(lambda: self._choose(mode))
        else:
            button.clicked.connect(mode)
        return button

    def _network_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(14)
        self.mainnet_button = self._choice(
            self.tr("Mainnet: real money"),
            self.tr(
                "Bitcoin and Litecoin mainnet. Every trade moves real coins worth real "
                "money; a mistake can lose them."
            ),
            lambda: self._choose_network(Network.MAINNET),
        )
        self.testnet_button = self._choice(
            self.tr("Testnet"),
            self.tr(
                "Bitcoin testnet4 and Litecoin testnet: public test networks whose coins "
                "are worth nothing. For practice."
            ),
            lambda: self._choose_network(Network.TESTNET),
        )
        self.simnet_button = self._choice(
            self.tr("Local simnet"),
            self.tr("Private test chains on this computer, for trying Cambio out."),
            lambda: self._choose_network(Network.REGTEST),
        )
        for button in (self.mainnet_button, self.testnet_button, self.simnet_button):
            box.addWidget(button)
        note = styled_label(
            self.tr(
                "The choice is kept in this data directory: one data directory holds one network. "
                "For another network, start Cambio with another data directory."
            ),
            "muted",
        )
        note.setWordWrap(True)
        box.addWidget(note)
        box.addStretch(1)
        return page

    def _choose_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(14)
        self.create_button = self._choice(
            self.tr("Create a new wallet"),
            self.tr("Cambio makes 12 new recovery words. You write them down on paper."),
            Mode.CREATE,
        )
        self.restore_button = self._choice(
            self.tr("Restore a wallet"),
            self.tr("Type the 12 recovery words of a wallet you already have."),
            Mode.RESTORE,
        )
        box.addWidget(self.create_button)
        box.addWidget(self.restore_button)
        box.addStretch(1)
        return page

    def _show_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(14)
        banner = styled_label(
            self.tr(
                "Anyone who sees these words can take your coins. Never type them into a website "
                "or share a photo of them."
            ),
            "banner",
        )
        banner.setWordWrap(True)
        box.addWidget(banner)
        grid = QGridLayout()
        grid.setSpacing(10)
        self.word_labels: list[QLabel] = []
        for index in range(WORD_COUNT):
            cell = QFrame()
            cell.setObjectName("wordcell")
            row = QHBoxLayout(cell)
            row.setContentsMargins(14, 10, 14, 10)
            number = styled_label(f"{index + 1:>2}", "wordnum")
            word = styled_label("", "word")
            row.addWidget(number)
            row.addWidget(word, 1)
            self.word_labels.append(word)
            grid.addWidget(cell, *_word_position(index))
        box.addLayout(grid)
        box.addStretch(1)
        return page

    def _confirm_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(12)
        self.confirm_labels: list[QLabel] = []
        self.confirm_fields: list[QLineEdit] = []
        for row in range(4):  # the wizard asks at most 4
            label = styled_label("", "fieldlabel")
            field = QLineEdit()
            field.setCompleter(word_completer(field))
            field.textEdited.connect(lambda _t, f=field: set_error(f, False))
            grid.addWidget(label, row, 0)
            grid.addWidget(field, row, 1)
            self.confirm_labels.append(label)
            self.confirm_fields.append(field)
        grid.setColumnStretch(1, 1)
        box.addLayout(grid)
        box.addStretch(1)
        return page

    def _restore_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        self.restore_fields: list[QLineEdit] = []
        self._word_problems: dict[int, Problem] = {}
        for index in range(WORD_COUNT):
            field = QLineEdit()
            field.setPlaceholderText(self.tr("word {n}").format(n=index + 1))
            field.setCompleter(word_completer(field))
            field.textEdited.connect(lambda _t, i=index: self._word_typed(i, final=False))
            field.editingFinished.connect(lambda i=index: self._word_typed(i, final=True))
            cell = QHBoxLayout()
            cell.addWidget(styled_label(f"{index + 1:>2}", "wordnum"))
            cell.addWidget(field, 1)
            row, column = _word_position(index)
            grid.addLayout(cell, row, column)
            self.restore_fields.append(field)
        box.addLayout(grid)
        box.addSpacing(10)
        self.has_passphrase = QCheckBox(
            self.tr("My words are protected by a passphrase (advanced)")
        )
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(self.tr("BIP39 passphrase"))
        self.passphrase.setVisible(False)
        self.has_passphrase.toggled.connect(self.passphrase.setVisible)
        box.addWidget(self.has_passphrase)
        box.addWidget(self.passphrase)
        box.addStretch(1)
        return page

    # --- behaviour --------------------------------------------------------------------

    def _texts(self, step: Step) -> tuple[str, str]:
        create = self.wizard.mode is not Mode.RESTORE
        return {
            Step.NETWORK: (
                self.tr("Choose a network"),
                self.tr(
                    "Trade coins peer to peer with atomic swaps. Your keys "
                    "never leave this computer. First choose where this wallet "
                    "trades."
                ),
            ),
            Step.CHOOSE: (
                self.tr("Welcome to Cambio"),
                self.tr(
                    "Trade coins peer to peer with atomic swaps. Your keys never "
                    "leave this computer. Let's set up your wallet."
                ),
            ),
            Step.SHOW_WORDS: (
                self.tr("Your recovery words"),
                self.tr(
                    "Write these 12 words on paper, in this order, and keep "
                    "them safe. They are the only way to restore your wallet."
                ),
            ),
            Step.CONFIRM_WORDS: (
                self.tr("Check your words"),
                self.tr("Type these words from your paper to show you have them."),
            ),
            Step.RESTORE_WORDS: (
                self.tr("Enter your recovery words"),
                self.tr(
                    "Type each word; suggestions come from the word list. "
                    "You can also paste all 12 into the first field."
                ),
            ),
            Step.PASSWORD: (
                self.tr("Choose a password"),
                self.tr(
                    "It encrypts the wallet on this computer and unlocks Cambio "
                    "at start. Your recovery words still restore it anywhere."
                ),
            ),
            Step.BACKEND: (
                self.tr("Connect to the chains"),
                self.tr(
                    "How Cambio reads the Bitcoin and Litecoin chains and sends your transactions."
                ),
            ),
            Step.SERVER: (
                self.tr("Choose a DEX server"),
                self.tr("The server matches orders; it never holds your coins.")
                if create
                else self.tr(
                    "The server matches orders; it never holds "
                    "your coins. Pick the one you used before."
                ),
            ),
        }[step]

    def _render(self) -> None:
        step = self.wizard.step
        self.stack.setCurrentWidget(self.pages[step])
        title, subtitle = self._texts(step)
        self.title.setText(title)
        self.subtitle.setText(subtitle)
        current, total = self.wizard.progress()
        self.step_label.setText(
            self.tr("Step {n} of {total}").format(n=current, total=total) if total else ""
        )  # the welcome page is no step
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(current)
        self.error.clear()
        self._move_error(self.pages[step])
        self.back_button.setVisible(self.wizard.can_go_back)
        self.next_button.setVisible(step not in (Step.NETWORK, Step.CHOOSE))
        labels = {
            Step.SHOW_WORDS: self.tr("I wrote them down"),
            Step.SERVER: self.tr("Restore wallet")
            if self.wizard.mode is Mode.RESTORE
            else self.tr("Create wallet"),
        }
        self.next_button.setText(labels.get(step, self.tr("Continue")))
        if step is Step.SHOW_WORDS:
            for label, word in zip(self.word_labels, self.wizard.words, strict=True):
                label.setText(word)
        elif step is Step.CONFIRM_WORDS:
            self._fill_confirm()
        focus = {Step.RESTORE_WORDS: self.restore_fields[0], Step.PASSWORD: self.password}
        if step in focus:
            focus[step].setFocus()

    def _move_error(self, page: QWidget) -> None:
        """The error line goes right under the current page's fields, above its stretch."""
        holder = self.error.parentWidget()
        old = holder.layout() if holder is not None else None
        if old is not None:
            old.removeWidget(self.error)
        new = page.layout()
        if isinstance(new, QVBoxLayout):
            new.insertWidget(new.count() - 1, self.error)

    def _fill_confirm(self) -> None:
        positions = self.wizard.confirm_positions
        for row, (label, field) in enumerate(
            zip(self.confirm_labels, self.confirm_fields, strict=True)
        ):
            shown = row < len(positions)
            label.setVisible(shown)
            field.setVisible(shown)
            field.clear()
            set_error(field, False)
            if shown:
                label.setText(self.tr("Word #{n}").format(n=positions[row]))
        self.confirm_fields[0].setFocus()

    def _show(self, problems: list[Problem], fields: dict[int, QLineEdit]) -> None:
        """Each problem in words under the fields, and a red border on every bad field."""
        for position, field in fields.items():
            set_error(field, any(p.position == position for p in problems))
        self.error.setText("\n".join(describe(p) for p in problems))

    def _choose_network(self, network: Network) -> None:
        self.wizard.choose_network(network)
        self.server_page.offer_simnet(self.wizard.offers_simnet)
        self.backend_page.set_network(network)
        self._render()

    def _choose(self, mode: Mode) -> None:
        self.wizard.choose(mode)
        self._render()

    def _back(self) -> None:
        self.wizard.back()
        self._render()

    def _next(self) -> None:
        w = self.wizard
        step = w.step
        if step is Step.SHOW_WORDS:
            w.words_written()
        elif step is Step.CONFIRM_WORDS:
            fields = dict(zip(w.confirm_positions, self.confirm_fields, strict=False))
            problems = w.confirm({pos: f.text() for pos, f in fields.items()})
            if problems:
                return self._show(problems, fields)
        elif step is Step.RESTORE_WORDS:
            passphrase = self.passphrase.text() if self.has_passphrase.isChecked() else ""
            problem = w.restore([f.text() for f in self.restore_fields], passphrase)
            if problem is not None:
                self._word_problems = {problem.position: problem} if problem.position else {}
                return self._show([problem], dict(enumerate(self.restore_fields, start=1)))
        elif step is Step.PASSWORD:
            problem = w.set_password(
                self.password.text(),
                self.password_again.text(),
                self.password_page.remember.isChecked(),
            )
            if problem is not None:
                bad = self.password if problem.position else self.password_again
                self.error.setText(describe(problem))
                return set_error(bad, True)
        elif step is Step.BACKEND:
            problem = w.choose_backend(**self.backend_page.choice())
            if problem is not None:
                self.error.setText(describe(problem))
                return self.backend_page.mark(problem)
        elif step is Step.SERVER:
            problem = w.choose_server(self.server_page.custom_url())
            if problem is not None:
                self.error.setText(describe(problem))
                return set_error(self.server_url, True)
            self.result_value = w.result()
            return self.accept()
        self._render()

    def _word_typed(self, index: int, *, final: bool) -> None:
        """Inline check of one restore field; a pasted phrase is spread over the fields."""
        field = self.restore_fields[index]
        parts = field.text().split()
        if len(parts) > 1 and not final:
            for offset, word in enumerate(parts[: WORD_COUNT - index]):
                self.restore_fields[index + offset].setText(word.lower())
            for i in range(index, min(WORD_COUNT, index + len(parts))):
                self._word_typed(i, final=True)
            return
        if not final and len(parts) == 1 and field.text()[-1:].isspace():
            field.setText(parts[0])  # a space after a word moves on, as on paper
            final = True
            if index + 1 < WORD_COUNT:
                self.restore_fields[index + 1].setFocus()
        problem = check_word(index + 1, field.text(), final=final and bool(parts))
        self._word_problems.pop(index + 1, None)
        if problem is not None:
            self._word_problems[index + 1] = problem
        set_error(field, problem is not None)
        first = min(self._word_problems, default=None)
        self.error.setText(describe(self._word_problems[first]) if first else "")


def run_wizard(parent: QWidget | None = None) -> WizardResult | None:
    """Show the wizard modally with QDialog.exec(); None when the user cancels.

    exec() runs a nested Qt event loop: call it before the qasync loop starts or from a plain
    Qt slot, not from inside a coroutine (use `await exec_async(WizardDialog())` there).
    """
    dialog = WizardDialog(parent)
    dialog.exec()
    return dialog.result_value
