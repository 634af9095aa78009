"""Unlock screen on later launches: shown at once, while the OS keyring is asked on a worker
thread for a remembered password; one that opens the wallet closes the dialog by itself.

The keyring can be slow: its import and backend probe take 30-100 ms, and the Secret Service
is a D-Bus round trip that may take seconds or show a prompt. So the user may type meanwhile,
and a slow answer gets a quiet note. A wrong password shows an inline error and keeps the
dialog open. A wallet made with a BIP39 passphrase also needs the passphrase; the keystore only
says so once decrypted, so the passphrase field appears after the first correct password.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.client.views import (
    OpenWallet,
    forget_password,
    keystore_path,
    read_info,
    recall_password,
    remember_password,
    unlock_wallet,
)
from app.ui.forms import ThemedDialog, error_label, set_error
from app.ui.labels import styled_label
from app.ui.qt import (
    QApplication,
    QCheckBox,
    QCursor,
    QHBoxLayout,
    QLineEdit,
    QObject,
    QPushButton,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.wallet.errors import KeystoreError, PassphraseNeeded, WrongPasswordError

log = logging.getLogger(__name__)
KEYRING_THREAD = "keyring-lookup"
# A keyring that answers within this goes unnoticed; a slower one gets the quiet note.
KEYRING_NOTE_DELAY_MS = 400


def open_wallet(datadir: Path, password: str, passphrase: str = "") -> OpenWallet:
    """unlock_wallet (which refuses a passphrase wallet without its passphrase)."""
    return unlock_wallet(datadir, password, passphrase)


def keyring_lookup_running() -> bool:
    """Whether a keyring lookup thread is still at work (the start-up warm-up waits for it:
    two threads importing at once could deadlock on the module locks)."""
    return any(t.name == KEYRING_THREAD and t.is_alive() for t in threading.enumerate())


class KeyringLookup(QObject):
    """recall_password on a worker thread. keyring's Secret Service backend opens its own D-Bus
    connection per call (jeepney, blocking), which is fine off the main thread; `answered`
    reaches the GUI thread as a queued signal. Parent it to the app, not to the dialog: the
    thread may outlive a dialog that was closed meanwhile."""

    answered = Signal(object)  # the remembered password (str) or None

    def start(self, wallet_id: str) -> None:
        # A daemon thread: a keyring that never answers must not keep the app from quitting.
        threading.Thread(
            target=self._run, args=(wallet_id,), name=KEYRING_THREAD, daemon=True
        ).start()

    def _run(self, wallet_id: str) -> None:
        password: str | None = None
        try:
            password = recall_password(wallet_id)
        except Exception as exc:  # any backend failure (D-Bus, a dismissed prompt) means
            # what no keyring means: ask for the password
            log.info("keyring lookup failed: %s", type(exc).__name__)
        self.answered.emit(password)


@contextmanager
def _busy() -> Iterator[None]:
    """A wait cursor over a key derivation (slow on purpose: it slows down guessing)."""
    QApplication.setOverrideCursor(QCursor(Qt.CursorShape.WaitCursor))
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


class UnlockDialog(ThemedDialog):
    """Modal; `wallet` holds the OpenWallet once accepted (the caller closes it)."""

    def __init__(
        self,
        datadir: Path,
        parent: QWidget | None = None,
        *,
        wallet_id: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.datadir = Path(datadir)
        self.wallet_id = wallet_id
        self.wallet: OpenWallet | None = None
        self.keyring_pending = False  # a lookup is out and the dialog still waits for it
        self.setWindowTitle(self.tr("Unlock Cambio"))
        self.setMinimumWidth(460)

        title = styled_label(self.tr("Welcome back"), "title")
        intro = styled_label(self.tr("Enter your password to unlock your wallet."), "muted")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("Password"))
        self.password.textEdited.connect(lambda _t: set_error(self.password, False))
        self.passphrase_label = styled_label(self.tr("Passphrase"), "fieldlabel")
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(self.tr("BIP39 passphrase"))
        self.passphrase_label.setVisible(False)
        self.passphrase.setVisible(False)
        self.remember = QCheckBox(self.tr("Remember the password in the system keyring"))
        self.remember.setVisible(wallet_id is not None)
        self.error = error_label()
        # In the buttons' row, so showing it moves nothing.
        self.keyring_note = styled_label(self.tr("Checking the system keyring…"), "muted")
        self.keyring_note.setVisible(False)
        self.quit_button = QPushButton(self.tr("Quit"))
        self.quit_button.setObjectName("secondary")
        self.quit_button.setAutoDefault(False)
        self.unlock_button = QPushButton(self.tr("Unlock"))
        self.unlock_button.setDefault(True)
        self.quit_button.clicked.connect(self.reject)
        self.unlock_button.clicked.connect(self.try_unlock)

        buttons = QHBoxLayout()
        buttons.addWidget(self.keyring_note)
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.unlock_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 24)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(8)
        layout.addWidget(styled_label(self.tr("Password"), "fieldlabel"))
        layout.addWidget(self.password)
        layout.addWidget(self.passphrase_label)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.remember)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.password.setFocus()

    def look_up_remembered(self) -> None:
        """Ask the keyring for a remembered password without blocking the dialog; the answer
        comes back in `_keyring_answered` while the user may already be typing."""
        if self.wallet_id is None:
            return
        self.keyring_pending = True
        lookup = KeyringLookup(QApplication.instance())
        lookup.answered.connect(self._keyring_answered)
        lookup.answered.connect(lookup.deleteLater)
        lookup.start(self.wallet_id)
        QTimer.singleShot(KEYRING_NOTE_DELAY_MS, self, self._show_keyring_note)

    def _show_keyring_note(self) -> None:
        self.keyring_note.setVisible(self.keyring_pending)

    def _keyring_answered(self, recalled: object) -> None:
        if not self.keyring_pending:
            return  # the user unlocked or quit first
        self.keyring_pending = False
        self.keyring_note.setVisible(False)
        if not isinstance(recalled, str):
            return
        try:
            with _busy():
                wallet = open_wallet(self.datadir, recalled)
        except PassphraseNeeded:  # the password is right: only the passphrase is missing
            self.password.setText(recalled)
            self.remember.setChecked(True)
            self._ask_passphrase()
            return
        except KeystoreError:  # changed since it was remembered: ask, update it on success
            return
        self.wallet = wallet
        self.accept()

    def done(self, code: int) -> None:  # Qt API: every accept, reject and close ends here
        self.keyring_pending = False
        super().done(code)

    def _ask_passphrase(self) -> None:
        self.passphrase_label.setVisible(True)
        self.passphrase.setVisible(True)
        self.passphrase.setFocus()
        self.error.setText(self.tr("This wallet is protected by a passphrase: enter it too."))

    def try_unlock(self) -> None:
        password = self.password.text()
        if not password:
            self.error.setText(self.tr("Enter your password."))
            return
        try:
            with _busy():
                wallet = open_wallet(self.datadir, password, self.passphrase.text())
        except WrongPasswordError:
            self.error.setText(self.tr("Wrong password. Please try again."))
            set_error(self.password, True)
            self.password.selectAll()
            self.password.setFocus()
            return
        except PassphraseNeeded:
            self._ask_passphrase()
            return
        except KeystoreError as exc:  # damaged or missing file: its message is user-facing
            log.warning("cannot open wallet: %s", exc.detail or type(exc).__name__)
            self.error.setText(str(exc))
            return
        self._update_keyring(password)
        self.wallet = wallet
        self.accept()

    def _update_keyring(self, password: str) -> None:
        if self.wallet_id is None:
            return
        if self.remember.isChecked():
            remember_password(self.wallet_id, password)  # False without a keyring: still open
        else:
            forget_password(self.wallet_id)


def _wallet_id(datadir: Path) -> str | None:
    try:
        return read_info(keystore_path(datadir)).wallet_id
    except KeystoreError:
        return None  # the dialog reports the problem when the user tries to unlock


def ask_unlock(datadir: Path, parent: QWidget | None = None) -> OpenWallet | None:
    """The open wallet, or None when the user quits; shown modally with QDialog.exec().

    The dialog shows at once; a password remembered in the keyring then opens the wallet and
    closes it (a brief flash at most). exec() nests a Qt event loop: call it before the qasync
    loop runs or from a plain slot, not from a coroutine (there use
    `await forms.exec_async(UnlockDialog(...))`).
    """
    dialog = UnlockDialog(datadir, parent, wallet_id=_wallet_id(datadir))
    dialog.look_up_remembered()
    dialog.exec()
    return dialog.wallet
