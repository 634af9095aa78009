"""The first-run wizard and the unlock dialog, driven by typing and clicking."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.ui import unlock_view
from app.ui.qt import QApplication, QDialog, QLabel, QLineEdit, Qt, QWidget
from app.ui.unlock_view import UnlockDialog, ask_unlock
from app.ui.wizard_view import WizardDialog
from app.wallet.backends.electrum import default_servers
from app.wallet.keystore import read_info
from app.wallet.session import OpenWallet, create_wallet, keystore_path, unlock_wallet
from app.wizard import SIMNET_DEX_URL, BackendKind, Step
from dexproto.assets import Network

ABOUT = ["abandon"] * 11 + ["about"]
LEFT = Qt.MouseButton.LeftButton


def click(qtbot: QtBot, button: QWidget) -> None:
    qtbot.mouseClick(button, LEFT)


def step(dialog: WizardDialog) -> Step:
    """The wizard's step, read afresh: mypy would carry an earlier `... .step is ...`
    narrowing across the clicks that move it."""
    return dialog.wizard.step


def make_dialog(qtbot: QtBot, *, simnet: bool = True) -> WizardDialog:
    """The wizard, past its network page (the local simnet) unless `simnet` is False."""
    dialog = WizardDialog()
    dialog.wizard._rng = random.Random(11)  # fixed positions; the words stay random
    qtbot.addWidget(dialog)
    dialog.show()
    if simnet:
        click(qtbot, dialog.simnet_button)
    return dialog


def type_into(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    field.clear()
    qtbot.keyClicks(field, text)


def test_create_flow(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = make_dialog(qtbot, simnet=False)
    assert step(dialog) is Step.NETWORK and dialog.step_label.text() == ""
    assert not dialog.back_button.isVisible() and not dialog.next_button.isVisible()
    click(qtbot, dialog.simnet_button)
    assert step(dialog) is Step.CHOOSE and dialog.back_button.isVisible()
    click(qtbot, dialog.create_button)
    words = [label.text() for label in dialog.word_labels]
    assert len(words) == 12 and all(words)
    assert dialog.step_label.text() == "Step 1 of 4"
    click(qtbot, dialog.next_button)
    assert step(dialog) is Step.CONFIRM_WORDS

    asked = [
        int(label.text().split("#")[1]) for label in dialog.confirm_labels if label.isVisible()
    ]
    assert len(asked) == 3 and asked == list(dialog.wizard.confirm_positions)
    fields = [f for f in dialog.confirm_fields if f.isVisible()]
    for position, field in zip(asked, fields, strict=True):
        type_into(qtbot, field, words[position - 1])
    wrong = "zoo" if words[asked[1] - 1] != "zoo" else "zone"
    type_into(qtbot, fields[1], wrong)
    click(qtbot, dialog.next_button)
    assert step(dialog) is Step.CONFIRM_WORDS  # stays, says which
    assert f"Word #{asked[1]}" in dialog.error.text()
    assert fields[1].property("error") and not fields[0].property("error")
    type_into(qtbot, fields[1], words[asked[1] - 1])
    click(qtbot, dialog.next_button)
    assert step(dialog) is Step.PASSWORD

    type_into(qtbot, dialog.password, "short")
    assert dialog.password_page.strength_hint.text() == "Weak"
    click(qtbot, dialog.next_button)
    assert "at least 8" in dialog.error.text()
    type_into(qtbot, dialog.password, "Tr0ub4dor&3x")
    type_into(qtbot, dialog.password_again, "Tr0ub4dor&3y")
    click(qtbot, dialog.next_button)
    assert "do not match" in dialog.error.text()
    type_into(qtbot, dialog.password_again, "Tr0ub4dor&3x")
    click(qtbot, dialog.password_page.remember)
    click(qtbot, dialog.next_button)
    assert step(dialog) is Step.SERVER
    assert dialog.next_button.text() == "Create wallet"

    click(qtbot, dialog.server_page.custom_radio)
    type_into(qtbot, dialog.server_url, "ws://dex.example.org")
    click(qtbot, dialog.next_button)
    assert "wss://" in dialog.error.text() and dialog.isVisible()
    click(qtbot, dialog.server_page.simnet_radio)
    click(qtbot, dialog.next_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    result = dialog.result_value
    assert result is not None and result.mnemonic == " ".join(words)
    assert result.password == "Tr0ub4dor&3x" and result.remember
    assert result.dex_url == SIMNET_DEX_URL and not result.restored
    assert result.network is Network.REGTEST

    # The caller writes the wallet; the same words open it.
    create_wallet(
        tmp_path, result.password, network=Network.REGTEST, mnemonic=result.mnemonic, scrypt_n=2**10
    )
    wallet = unlock_wallet(tmp_path, result.password)
    asyncio.run(wallet.close())


def test_network_page_comes_first_and_mainnet_is_said_plainly(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, simnet=False)
    assert dialog.stack.currentWidget() is dialog.pages[Step.NETWORK]
    texts = [label.text() for label in dialog.mainnet_button.findChildren(QLabel)]
    assert "real money" in texts[0] and "real coins" in texts[1]
    assert "testnet4" in " ".join(
        label.text() for label in dialog.testnet_button.findChildren(QLabel)
    )
    click(qtbot, dialog.mainnet_button)
    assert dialog.wizard.network is Network.MAINNET and step(dialog) is Step.CHOOSE


def _restore_to_server(qtbot: QtBot, dialog: WizardDialog) -> None:
    click(qtbot, dialog.restore_button)
    for field, word in zip(dialog.restore_fields, ABOUT, strict=True):
        type_into(qtbot, field, word)
    click(qtbot, dialog.next_button)
    for field in (dialog.password, dialog.password_again):
        type_into(qtbot, field, "Tr0ub4dor&3x")
    click(qtbot, dialog.next_button)
    if dialog.wizard.offers_backend:  # mainnet, testnet: the public Electrum servers
        assert step(dialog) is Step.BACKEND
        assert dialog.backend_page.kind() is BackendKind.PUBLIC_ELECTRUM
        click(qtbot, dialog.next_button)
    assert step(dialog) is Step.SERVER


def test_a_mainnet_wallet_from_the_wizard_is_stored_as_mainnet(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.config import load_config
    from app.ui import launch, wizard_view

    dialog = make_dialog(qtbot, simnet=False)
    click(qtbot, dialog.mainnet_button)
    _restore_to_server(qtbot, dialog)
    page = dialog.server_page
    # No simnet server for a mainnet wallet: only a typed one.
    assert not page.simnet_radio.isVisible() and not page.simnet_url.isVisible()
    assert page.custom_radio.isChecked() and dialog.server_url.isEnabled()
    click(qtbot, dialog.next_button)
    assert step(dialog) is Step.SERVER and dialog.error.text()  # empty: refused
    type_into(qtbot, dialog.server_url, "wss://dex.example.org")
    click(qtbot, dialog.next_button)
    result = dialog.result_value
    assert result is not None and result.network is Network.MAINNET

    monkeypatch.setattr(wizard_view, "run_wizard", lambda: result)
    opened = launch._open_or_create(tmp_path)
    assert opened is not None
    try:
        assert load_config(tmp_path).network is Network.MAINNET
        assert opened.config.network is Network.MAINNET
        assert opened.asset("ltc").receive_address().startswith("ltc1")
        assert load_config(tmp_path).dex_url == "wss://dex.example.org"
        nodes = load_config(tmp_path).nodes  # light by default, on the public servers
        assert set(nodes) == {"btc", "ltc"} and all(
            n.light and not n.rpc_url for n in nodes.values()
        )
        assert nodes["btc"].electrum.split(",") == list(default_servers("btc", Network.MAINNET))
    finally:
        asyncio.run(opened.close())


def test_going_back_to_the_simnet_offers_its_server_again(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, simnet=False)
    click(qtbot, dialog.testnet_button)
    _restore_to_server(qtbot, dialog)
    assert not dialog.server_page.simnet_radio.isVisible()
    for _ in range(5):  # backend, password, words, welcome, network
        click(qtbot, dialog.back_button)
    assert step(dialog) is Step.NETWORK
    click(qtbot, dialog.simnet_button)
    _restore_to_server(qtbot, dialog)
    assert dialog.server_page.simnet_radio.isVisible()
    assert dialog.server_page.simnet_radio.isChecked()
    click(qtbot, dialog.next_button)
    result = dialog.result_value
    assert result is not None and result.network is Network.REGTEST
    assert result.dex_url == SIMNET_DEX_URL


def test_step_labels_count_the_same_steps_through_each_flow(qtbot: QtBot) -> None:
    """The welcome page is no step; each flow then counts its own steps, 1 to its total."""
    dialog = make_dialog(qtbot)
    assert dialog.step_label.text() == ""
    click(qtbot, dialog.create_button)
    seen = [dialog.step_label.text()]
    click(qtbot, dialog.next_button)  # the words are on paper
    seen.append(dialog.step_label.text())
    words = dialog.wizard.words
    for position, field in zip(
        dialog.wizard.confirm_positions, dialog.confirm_fields, strict=False
    ):
        type_into(qtbot, field, words[position - 1])
    click(qtbot, dialog.next_button)
    seen.append(dialog.step_label.text())
    for field in (dialog.password, dialog.password_again):
        type_into(qtbot, field, "Tr0ub4dor&3x")
    click(qtbot, dialog.next_button)
    seen.append(dialog.step_label.text())
    assert seen == ["Step 1 of 4", "Step 2 of 4", "Step 3 of 4", "Step 4 of 4"]
    assert dialog.progress.value() == dialog.progress.maximum() == 4

    for _ in range(4):
        click(qtbot, dialog.back_button)
    assert step(dialog) is Step.CHOOSE and dialog.step_label.text() == ""
    click(qtbot, dialog.restore_button)
    seen = [dialog.step_label.text()]
    for field, word in zip(dialog.restore_fields, ABOUT, strict=True):
        type_into(qtbot, field, word)
    click(qtbot, dialog.next_button)
    seen.append(dialog.step_label.text())
    for field in (dialog.password, dialog.password_again):
        type_into(qtbot, field, "Tr0ub4dor&3x")
    click(qtbot, dialog.next_button)
    seen.append(dialog.step_label.text())
    assert seen == ["Step 1 of 3", "Step 2 of 3", "Step 3 of 3"]


def test_back_shows_the_same_words(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    click(qtbot, dialog.create_button)
    words = [label.text() for label in dialog.word_labels]
    click(qtbot, dialog.next_button)
    click(qtbot, dialog.back_button)
    click(qtbot, dialog.back_button)
    assert step(dialog) is Step.CHOOSE
    click(qtbot, dialog.back_button)
    assert step(dialog) is Step.NETWORK and not dialog.back_button.isVisible()
    click(qtbot, dialog.simnet_button)
    click(qtbot, dialog.create_button)
    assert [label.text() for label in dialog.word_labels] == words


def test_restore_wrong_word_shows_inline_error(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    click(qtbot, dialog.restore_button)
    assert dialog.step_label.text() == "Step 1 of 3"
    fields = dialog.restore_fields
    for field, word in zip(fields, ABOUT, strict=True):
        qtbot.keyClicks(field, word)
    bad = fields[4]
    type_into(qtbot, bad, "abandom")
    # Shown as typed, before leaving the field: the word and its position.
    assert bad.property("error")
    assert "Word 5" in dialog.error.text() and "abandom" in dialog.error.text()
    assert "abandon" in dialog.error.text()  # the suggestion
    click(qtbot, dialog.next_button)
    assert step(dialog) is Step.RESTORE_WORDS

    type_into(qtbot, bad, "aban")  # a prefix is fine while typing ...
    assert not bad.property("error") and dialog.error.text() == ""
    click(qtbot, dialog.next_button)  # ... but not as an answer
    assert "Word 5" in dialog.error.text() and "not a complete word" in dialog.error.text()

    type_into(qtbot, fields[11], "abandon")  # every word known, checksum wrong
    type_into(qtbot, bad, "abandon")
    click(qtbot, dialog.next_button)
    assert "do not form a valid recovery phrase" in dialog.error.text()
    assert step(dialog) is Step.RESTORE_WORDS

    type_into(qtbot, fields[11], "about")
    click(qtbot, dialog.next_button)
    assert step(dialog) is Step.PASSWORD and dialog.isVisible()


def test_restore_paste_spreads_words(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    click(qtbot, dialog.restore_button)
    clipboard = QApplication.clipboard()
    clipboard.setText("  ".join(ABOUT).upper())
    dialog.restore_fields[0].paste()
    assert [f.text() for f in dialog.restore_fields] == ABOUT
    click(qtbot, dialog.next_button)
    assert step(dialog) is Step.PASSWORD


@pytest.fixture
def keyring(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A fake OS keyring, so tests never touch the real one."""
    store: dict[str, str] = {}

    def remember(wallet_id: str, password: str) -> bool:
        store[wallet_id] = password
        return True

    monkeypatch.setattr(unlock_view, "remember_password", remember)
    monkeypatch.setattr(unlock_view, "recall_password", store.get)
    monkeypatch.setattr(unlock_view, "forget_password", lambda wid: store.pop(wid, None) or True)
    return store


def close(wallet: OpenWallet | None) -> None:
    assert wallet is not None
    asyncio.run(wallet.close())


def test_unlock_wrong_then_right_password(
    qtbot: QtBot, tmp_path: Path, keyring: dict[str, str]
) -> None:
    create_wallet(tmp_path, "right password", network=Network.REGTEST, scrypt_n=2**10)
    wallet_id = read_info(keystore_path(tmp_path)).wallet_id
    dialog = UnlockDialog(tmp_path, wallet_id=wallet_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.password, "wrong password")
    click(qtbot, dialog.unlock_button)
    assert "Wrong password" in dialog.error.text()
    assert dialog.isVisible() and dialog.wallet is None and dialog.password.property("error")
    type_into(qtbot, dialog.password, "right password")
    assert not dialog.password.property("error")
    click(qtbot, dialog.remember)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # Enter unlocks
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert keyring == {wallet_id: "right password"}
    close(dialog.wallet)

    # Next launch: the keyring opens it without asking.
    close(ask_unlock(tmp_path))


def test_unlock_asks_for_passphrase(qtbot: QtBot, tmp_path: Path, keyring: dict[str, str]) -> None:
    create_wallet(
        tmp_path, "right password", network=Network.REGTEST, passphrase="extra", scrypt_n=2**10
    )
    dialog = UnlockDialog(tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.passphrase.isVisible() and not dialog.remember.isVisible()
    qtbot.keyClicks(dialog.password, "right password")
    click(qtbot, dialog.unlock_button)
    assert (dialog.passphrase.isVisible(), dialog.wallet) == (True, None)
    assert "passphrase" in dialog.error.text()
    qtbot.keyClicks(dialog.passphrase, "extra")
    click(qtbot, dialog.unlock_button)
    assert dialog.result() == QDialog.DialogCode.Accepted
    expected = unlock_wallet(tmp_path, "right password", "extra")
    assert dialog.wallet is not None
    assert dialog.wallet.hd.fingerprint == expected.hd.fingerprint
    close(dialog.wallet)
    close(expected)


def test_space_moves_to_next_word(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    click(qtbot, dialog.restore_button)
    qtbot.keyClicks(dialog.restore_fields[0], "zoo ")
    assert dialog.restore_fields[0].text() == "zoo"


def test_exec_async_waits_without_nesting(qtbot: QtBot, tmp_path: Path) -> None:
    import qasync

    from app.ui.forms import exec_async
    from app.ui.qt import QTimer

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    dialog = UnlockDialog(tmp_path)
    qtbot.addWidget(dialog)

    async def main() -> int:
        QTimer.singleShot(0, dialog.reject)
        return await exec_async(dialog)

    loop = qasync.QEventLoop(app, already_running=False)
    try:
        assert loop.run_until_complete(main()) == QDialog.DialogCode.Rejected
    finally:
        loop.close()
        asyncio.set_event_loop(None)


def test_own_node_and_own_electrum_choices_on_the_backend_page(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot, simnet=False)
    click(qtbot, dialog.testnet_button)
    click(qtbot, dialog.restore_button)
    for field, word in zip(dialog.restore_fields, ABOUT, strict=True):
        type_into(qtbot, field, word)
    click(qtbot, dialog.next_button)
    for field in (dialog.password, dialog.password_again):
        type_into(qtbot, field, "Tr0ub4dor&3x")
    click(qtbot, dialog.next_button)
    page = dialog.backend_page
    assert step(dialog) is Step.BACKEND and dialog.step_label.text() == "Step 3 of 4"
    assert not page.electrum_box.isVisible() and not page.node_box.isVisible()
    click(qtbot, page.radios[BackendKind.OWN_ELECTRUM])
    assert page.electrum_box.isVisible() and not page.node_box.isVisible()
    type_into(qtbot, page.servers["btc"], "electrum.example.org:60002")  # no scheme
    type_into(qtbot, page.servers["ltc"], "tcp://127.0.0.1:51001")
    click(qtbot, dialog.next_button)
    assert step(dialog) is Step.BACKEND
    assert "BTC" in dialog.error.text() and "ssl://host:port" in dialog.error.text()
    assert page.servers["btc"].property("error") and not page.servers["ltc"].property("error")
    click(qtbot, page.radios[BackendKind.OWN_NODE])
    assert page.node_box.isVisible() and not page.electrum_box.isVisible()
    assert ".cookie" in page.login_files["ltc"].placeholderText()  # the testnet's own cookie
    assert "testnet" in page.login_files["ltc"].toolTip()
    type_into(qtbot, page.login_files["btc"], "/srv/btc.login")
    click(qtbot, dialog.next_button)
    assert step(dialog) is Step.SERVER
    type_into(qtbot, dialog.server_url, "wss://dex.example.org")
    click(qtbot, dialog.next_button)
    result = dialog.result_value
    assert result is not None and not any(n.light for n in result.nodes.values())
    assert result.nodes["btc"].auth_file == "/srv/btc.login"
    assert result.nodes["ltc"].rpc_url.startswith("http://127.0.0.1:")
