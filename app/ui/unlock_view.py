"""Unlock screen on later launches: the OS keyring first, else ask for the password.

A wrong password shows an inline error and keeps the dialog open. A wallet made with a BIP39
passphrase also needs the passphrase; the keystore only says so once decrypted, so the
passphrase field appears after the first correct password.
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.ui.forms import FORM_STYLE, error_label, set_error
from app.ui.labels import styled_label
from app.ui.qt import (
    QApplication,
    QCheckBox,
    QCursor,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
)
from app.ui.style import DARK
from app.wallet.errors import KeystoreError, WrongPasswordError
from app.wallet.keystore import (
    forget_password,
    load_keystore,
    read_info,
    recall_password,
    remember_password,
)
from app.wallet.session import OpenWallet, keystore_path, unlock_wallet

log = logging.getLogger(__name__)


class PassphraseNeeded(Exception):
    """The password is right, but the wallet was made with a passphrase we were not given."""


def open_wallet(datadir: Path, password: str, passphrase: str = "") -> OpenWallet:
    """unlock_wallet, refusing to open a passphrase wallet without its passphrase.

    Without the check an empty passphrase would silently open a different, empty wallet.
    It costs a second key derivation; a login can afford it.
    """
    record = load_keystore(keystore_path(datadir), password)
    if record.has_passphrase and not passphrase:
        raise PassphraseNeeded()
    return unlock_wallet(datadir, password, passphrase)


class UnlockDialog(QDialog):
    """Modal; `wallet` holds the OpenWallet once accepted (the caller closes it)."""

    def __init__(
        self, datadir: Path, parent: QWidget | None = None, *, wallet_id: str | None = None,
        recalled: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.datadir = Path(datadir)
        self.wallet_id = wallet_id
        self.wallet: OpenWallet | None = None
        self.setWindowTitle(self.tr("Unlock Cambio"))
        self.setStyleSheet(DARK + FORM_STYLE)
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
        self.quit_button = QPushButton(self.tr("Quit"))
        self.quit_button.setObjectName("secondary")
        self.quit_button.setAutoDefault(False)
        self.unlock_button = QPushButton(self.tr("Unlock"))
        self.unlock_button.setDefault(True)
        self.quit_button.clicked.connect(self.reject)
        self.unlock_button.clicked.connect(self.try_unlock)

        buttons = QHBoxLayout()
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

        if recalled is not None:  # keyring had it but a passphrase is still needed
            self.password.setText(recalled)
            self.remember.setChecked(True)
            self._ask_passphrase()
        self.password.setFocus()

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
        # The key derivation takes a moment on purpose (it slows down guessing).
        QApplication.setOverrideCursor(QCursor(Qt.CursorShape.WaitCursor))
        try:
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
        finally:
            QApplication.restoreOverrideCursor()
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

    A password remembered in the keyring opens the wallet without showing anything. exec()
    nests a Qt event loop: call it before the qasync loop runs or from a plain slot, not from
    a coroutine (there use `await forms.exec_async(UnlockDialog(...))`).
    """
    wallet_id = _wallet_id(datadir)
    recalled = recall_password(wallet_id) if wallet_id else None
    if recalled is not None:
        try:
            return open_wallet(datadir, recalled)
        except WrongPasswordError:
            recalled = None  # changed since it was remembered: ask, and update it on success
        except PassphraseNeeded:
            pass
        except KeystoreError:
            recalled = None
    dialog = UnlockDialog(datadir, parent, wallet_id=wallet_id, recalled=recalled)
    dialog.exec()
    return dialog.wallet
