"""Pieces shared by the dialogs (wizard, unlock, settings, send): the themed dialog base,
inline errors, the word completer.

Every dialog's sheet is built from the current palette (style.dialog_style) and rebuilt on a
theme switch, so a dialog is never left in the other theme's colours.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from app.client.views import WizardIssue as Issue
from app.client.views import WizardProblem as Problem
from app.client.views import wordlist
from app.ui.qt import (
    QCompleter,
    QCoreApplication,
    QDialog,
    QEvent,
    QLabel,
    QLineEdit,
    Qt,
    QWidget,
)
from app.ui.style import Palette, current_palette, dialog_style


class ThemedDialog(QDialog):
    """A dialog in the current theme; style.apply_app_theme restyles it while it is open (it
    is a style.Themed widget). A subclass adds its own rules in RULES (a style.fill template)."""

    RULES: ClassVar[str] = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.apply_palette(current_palette())

    def apply_palette(self, palette: Palette) -> None:
        self.theme_name = palette.name
        self.setStyleSheet(dialog_style(palette, self.RULES))

    def event(self, event: QEvent) -> bool:  # Qt API name
        if event.type() == QEvent.Type.Show:
            self._fit_wrapped_text()
        return super().event(event)

    def _fit_wrapped_text(self) -> None:
        """A window does not grow for its word-wrapped labels by itself (height-for-width):
        opened too short, the layout would squeeze its text fields and clip their text."""
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            needed = layout.totalHeightForWidth(self.width())
            if self.height() < needed:
                self.resize(self.width(), needed)


def error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("error")
    label.setWordWrap(True)
    return label


def set_error(field: QLineEdit, bad: bool) -> None:
    """Red border on a field (a stylesheet property, so the style must re-read it)."""
    if bool(field.property("error")) == bad:
        return
    field.setProperty("error", bad)
    field.style().unpolish(field)
    field.style().polish(field)


def word_completer(parent: QWidget) -> QCompleter:
    """Completion over the BIP39 list: the words start with what is typed."""
    completer = QCompleter(list(wordlist()), parent)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    completer.setMaxVisibleItems(6)
    return completer


def _tr(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def describe(problem: Problem) -> str:
    """A Problem from app.wizard in the user's language."""
    hint = ""
    if problem.suggestions:
        words = ", ".join(problem.suggestions)
        hint = " " + _tr("Wizard", "Did you mean: {words}?").format(words=words)
    texts = {
        Issue.WRONG_CONFIRM_WORD: _tr("Wizard", "Word #{n} does not match your recovery words."),
        Issue.MISSING_WORD: _tr("Wizard", "Word {n} is missing."),
        Issue.UNKNOWN_WORD: _tr("Wizard", "Word {n} (\u201c{word}\u201d) is not in the word list."),
        Issue.INCOMPLETE_WORD: _tr(
            "Wizard", "Word {n} (\u201c{word}\u201d) is not a complete word."
        ),
        Issue.BAD_CHECKSUM: _tr(
            "Wizard",
            "These words do not form a valid recovery phrase: one is wrong or out of order.",
        ),
        Issue.PASSWORD_TOO_SHORT: _tr("Wizard", "Use at least {n} characters."),
        Issue.PASSWORD_MISMATCH: _tr("Wizard", "The two passwords do not match."),
        Issue.URL_EMPTY: _tr("Wizard", "Enter the server's address."),
        Issue.URL_NOT_WEBSOCKET: _tr("Wizard", "The address must start with wss://"),
        Issue.URL_INSECURE: _tr("Wizard", "Use wss:// (plain ws:// only works for this computer)."),
        Issue.URL_MALFORMED: _tr("Wizard", "This is not a valid server address."),
        Issue.ELECTRUM_EMPTY: _tr("Wizard", "{chain}: enter at least one Electrum server."),
        Issue.ELECTRUM_MALFORMED: _tr(
            "Wizard",
            "{chain}: \u201c{word}\u201d is not an Electrum "
            "server; use ssl://host:port or tcp://host:port.",
        ),
        Issue.NODE_URL_MALFORMED: _tr(
            "Wizard", "{chain}: use a node address like http://127.0.0.1:9332"
        ),
    }
    text = texts[problem.issue].format(
        n=problem.position, word=problem.word, chain=problem.chain.upper()
    )
    if problem.issue in (Issue.UNKNOWN_WORD, Issue.INCOMPLETE_WORD):
        text += hint
    return text


async def exec_async(dialog: QDialog) -> int:
    """Show a dialog window-modally with open() and wait for it without nesting event loops.

    Use inside a coroutine on the qasync loop; exec() there would run other tasks re-entrantly.
    """
    future: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def done(code: int) -> None:
        if not future.done():
            future.set_result(code)

    dialog.finished.connect(done)
    dialog.open()
    return await future
