"""Pieces shared by the wizard and unlock dialogs: form styling, inline errors, word completer.

FORM_STYLE extends the app's DARK theme with inputs and the wizard's word cells; it could move
into style.py once other screens use forms.
"""

from __future__ import annotations

import asyncio

from app.ui.qt import QCompleter, QCoreApplication, QDialog, QLabel, QLineEdit, Qt, QWidget
from app.wallet.mnemonic import wordlist
from app.wizard import Issue, Problem

_MONO = '"DejaVu Sans Mono", monospace'

FORM_STYLE = f"""
QLineEdit {{ background: #0f1216; border: 1px solid #2c333d; border-radius: 6px;
             padding: 7px 10px; selection-background-color: #2d6cdf; }}
QLineEdit:focus {{ border-color: #2d6cdf; }}
QLineEdit[error="true"] {{ border-color: #e5534b; background: #1d1416; }}
QLineEdit:disabled {{ color: #5c6570; background: #171a1f; border-color: #232830; }}
QLabel#error {{ color: #ff7b72; min-height: 20px; }}
QLabel#fieldlabel {{ color: #b9c0c8; font-weight: 600; }}
QLabel#choicetitle {{ font-size: 15px; font-weight: 600; }}
QLabel#word {{ font-family: {_MONO}; font-size: 15px; font-weight: 600; }}
QLabel#wordnum {{ font-family: {_MONO}; color: #5f6b78; min-width: 20px; }}
QFrame#wordcell {{ background: #1b1f26; border: 1px solid #262c35; border-radius: 8px; }}
QPushButton#choice {{ background: #1b1f26; border: 1px solid #262c35; border-radius: 10px; }}
QPushButton#choice:hover {{ background: #1f2530; border-color: #2d6cdf; }}
QPushButton:disabled {{ background: #26303d; color: #6b7480; }}
QCheckBox, QRadioButton {{ spacing: 10px; background: transparent; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: 16px; height: 16px;
    border: 1px solid #47505c; background: #0f1216; }}
QCheckBox::indicator {{ border-radius: 4px; }}
QRadioButton::indicator {{ border-radius: 9px; }}
QCheckBox::indicator:hover, QRadioButton::indicator:hover {{ border-color: #2d6cdf; }}
QCheckBox::indicator:checked {{ border: 4px solid #2d6cdf; width: 10px; height: 10px;
    background: #e6e8eb; border-radius: 4px; }}
QRadioButton::indicator:checked {{ border-color: #2d6cdf; background: qradialgradient(
    cx:0.5, cy:0.5, radius:0.5, fx:0.5, fy:0.5, stop:0 #ffffff, stop:0.38 #ffffff,
    stop:0.5 #2d6cdf, stop:1 #2d6cdf); }}
QProgressBar {{ background: #232932; border: none; border-radius: 2px; max-height: 4px; }}
QProgressBar::chunk {{ background: #2d6cdf; border-radius: 2px; }}
QProgressBar#strength {{ max-height: 6px; }}
QProgressBar#strength[strength="weak"]::chunk {{ background: #e5534b; }}
QProgressBar#strength[strength="fair"]::chunk {{ background: #d29922; }}
QProgressBar#strength[strength="good"]::chunk {{ background: #57ab5a; }}
QProgressBar#strength[strength="strong"]::chunk {{ background: #3fb950; }}
QListView {{ background: #1b1f26; border: 1px solid #2c333d; selection-background-color: #2d6cdf; }}
"""


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
        Issue.INCOMPLETE_WORD: _tr("Wizard",
                                   "Word {n} (\u201c{word}\u201d) is not a complete word."),
        Issue.BAD_CHECKSUM: _tr("Wizard", "These words do not form a valid recovery phrase: "
                                          "one is wrong or out of order."),
        Issue.PASSWORD_TOO_SHORT: _tr("Wizard", "Use at least {n} characters."),
        Issue.PASSWORD_MISMATCH: _tr("Wizard", "The two passwords do not match."),
        Issue.URL_EMPTY: _tr("Wizard", "Enter the server's address."),
        Issue.URL_NOT_WEBSOCKET: _tr("Wizard", "The address must start with wss://"),
        Issue.URL_INSECURE: _tr("Wizard", "Use wss:// (plain ws:// only works for this computer)."),
        Issue.URL_MALFORMED: _tr("Wizard", "This is not a valid server address."),
    }
    text = texts[problem.issue].format(n=problem.position, word=problem.word)
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
