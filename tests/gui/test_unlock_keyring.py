"""The unlock dialog and the OS keyring: the dialog shows at once, the keyring is asked on a
worker thread (it may take seconds), and a remembered password then opens the wallet. Driven
through the real `keyring` API with an in-memory backend set by keyring.set_keyring."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.core
import pytest
from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from pytestqt.qtbot import QtBot

from app.ui.launch import warm_up_after_first_paint
from app.ui.qt import QApplication, QDialog, QEvent, QObject, Qt, QWidget
from app.ui.unlock_view import (
    KEYRING_NOTE_DELAY_MS,
    UnlockDialog,
    ask_unlock,
    keyring_lookup_running,
)
from app.wallet.keystore import KEYRING_SERVICE, read_info
from app.wallet.session import OpenWallet, create_wallet, keystore_path
from dexproto.assets import Network

PASSWORD = "right password"
SLOW_S = 1.5  # the fake keyring's answer time: a slow Secret Service, or one that prompts


class MemoryKeyring(KeyringBackend):
    """A keyring in memory, as slow as asked (`delay`), or held until `gate` is set."""

    @properties.classproperty
    def priority(cls) -> float:
        # Never picked by keyring's own backend discovery: only ever set by the tests.
        raise RuntimeError("test backend")

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.passwords: dict[tuple[str, str], str] = {}
        self.delay = 0.0
        self.gate: threading.Event | None = None
        self.failure: Exception | None = None
        self.answered = threading.Event()
        self.asked_on: list[threading.Thread] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.asked_on.append(threading.current_thread())
        try:
            if self.gate is not None:
                self.gate.wait(10)
            time.sleep(self.delay)
            if self.failure is not None:
                raise self.failure
            return self.passwords.get((service, username))
        finally:
            self.answered.set()

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)  # put back after the test
    keyring.set_keyring(backend)
    yield backend
    if backend.gate is not None:
        backend.gate.set()
    deadline = time.monotonic() + 10
    while keyring_lookup_running() and time.monotonic() < deadline:
        time.sleep(0.01)  # no lookup thread may reach into the next test
    assert not keyring_lookup_running()


def make_wallet(datadir: Path, passphrase: str = "") -> str:
    create_wallet(datadir, PASSWORD, network=Network.REGTEST, passphrase=passphrase, scrypt_n=2**10)
    return read_info(keystore_path(datadir)).wallet_id


def close(wallet: OpenWallet | None) -> None:
    assert wallet is not None
    asyncio.run(wallet.close())


def shown_dialog(qtbot: QtBot, datadir: Path, wallet_id: str) -> UnlockDialog:
    dialog = UnlockDialog(datadir, wallet_id=wallet_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


class FirstPaint(QObject):
    """When an UnlockDialog first painted, in seconds after `start`."""

    def __init__(self, start: float) -> None:
        super().__init__()
        self.start = start
        self.after: float | None = None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt API name
        if (
            self.after is None
            and event.type() == QEvent.Type.Paint
            and isinstance(obj, UnlockDialog)
        ):
            self.after = time.monotonic() - self.start
        return False


def test_the_dialog_paints_before_a_slow_keyring_answers_then_opens_the_wallet(
    qapp: QApplication, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    wallet_id = make_wallet(tmp_path)
    memory_keyring.passwords[(KEYRING_SERVICE, wallet_id)] = PASSWORD
    memory_keyring.delay = SLOW_S
    start = time.monotonic()
    painted = FirstPaint(start)
    qapp.installEventFilter(painted)
    try:
        wallet = ask_unlock(tmp_path)  # nests its own event loop until the dialog closes
    finally:
        qapp.removeEventFilter(painted)
    total = time.monotonic() - start
    assert wallet is not None  # opened with the remembered password, nothing typed
    close(wallet)
    assert painted.after is not None and painted.after < SLOW_S / 2, painted.after
    assert total >= SLOW_S
    assert memory_keyring.asked_on and memory_keyring.asked_on[0] is not threading.main_thread()


def test_a_stale_remembered_password_asks_and_the_unlock_forgets_it(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    wallet_id = make_wallet(tmp_path)
    memory_keyring.passwords[(KEYRING_SERVICE, wallet_id)] = "an old password"
    dialog = shown_dialog(qtbot, tmp_path, wallet_id)
    dialog.look_up_remembered()
    qtbot.waitUntil(lambda: not dialog.keyring_pending, timeout=5000)
    assert dialog.isVisible() and dialog.wallet is None
    assert dialog.error.text() == "" and not dialog.remember.isChecked()
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert memory_keyring.passwords == {}  # not ticked: the stale one is gone
    close(dialog.wallet)


def test_the_user_may_unlock_before_a_hung_keyring_answers(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    wallet_id = make_wallet(tmp_path)
    memory_keyring.passwords[(KEYRING_SERVICE, wallet_id)] = "an old password"
    memory_keyring.gate = threading.Event()
    dialog = shown_dialog(qtbot, tmp_path, wallet_id)
    dialog.look_up_remembered()
    assert not dialog.keyring_note.isVisible()  # a quick answer would go unnoticed
    qtbot.waitUntil(dialog.keyring_note.isVisible, timeout=KEYRING_NOTE_DELAY_MS + 2000)
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.remember, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    wallet = dialog.wallet
    assert memory_keyring.passwords == {(KEYRING_SERVICE, wallet_id): PASSWORD}
    memory_keyring.gate.set()  # the keyring answers at last, the stale password it had
    qtbot.waitUntil(lambda: not keyring_lookup_running(), timeout=5000)
    qtbot.wait(50)  # the queued answer is delivered, and ignored
    assert dialog.wallet is wallet and not dialog.keyring_note.isVisible()
    close(wallet)


def test_a_remembered_password_of_a_passphrase_wallet_asks_only_the_passphrase(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    wallet_id = make_wallet(tmp_path, passphrase="extra")
    memory_keyring.passwords[(KEYRING_SERVICE, wallet_id)] = PASSWORD
    dialog = shown_dialog(qtbot, tmp_path, wallet_id)
    dialog.look_up_remembered()
    qtbot.waitUntil(dialog.passphrase.isVisible, timeout=5000)
    assert dialog.password.text() == PASSWORD and dialog.remember.isChecked()
    assert dialog.wallet is None and "passphrase" in dialog.error.text()
    qtbot.keyClicks(dialog.passphrase, "extra")
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    close(dialog.wallet)


def test_a_failing_keyring_backend_leaves_the_dialog_asking(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    wallet_id = make_wallet(tmp_path)
    memory_keyring.failure = OSError("the D-Bus socket went away")  # not a KeyringError
    dialog = shown_dialog(qtbot, tmp_path, wallet_id)
    dialog.look_up_remembered()
    qtbot.waitUntil(lambda: not dialog.keyring_pending, timeout=5000)
    assert memory_keyring.answered.is_set()
    assert dialog.isVisible() and dialog.wallet is None and dialog.error.text() == ""


def test_the_warm_up_waits_for_the_keyring_lookup(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two threads importing at once could deadlock on the module locks: the main window's
    imports wait while the lookup thread (importing keyring's backend) runs."""
    (tmp_path / "cambio_keyring_probe.py").write_text("LOADED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "cambio_keyring_probe", raising=False)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    busy = [True]
    warm_up_after_first_paint(app, ("cambio_keyring_probe",), busy=lambda: busy[0])
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(400)  # painted, past the warm-up delay, but the lookup still runs
    assert "cambio_keyring_probe" not in sys.modules
    busy[0] = False
    qtbot.waitUntil(lambda: "cambio_keyring_probe" in sys.modules, timeout=5000)
    sys.modules.pop("cambio_keyring_probe")


def test_no_lookup_without_a_wallet_id(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = UnlockDialog(tmp_path)  # an unreadable keystore: nothing to look up
    qtbot.addWidget(dialog)
    dialog.look_up_remembered()
    assert not dialog.keyring_pending and not keyring_lookup_running()
