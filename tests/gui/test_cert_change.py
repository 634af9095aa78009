"""Settings, when an Electrum server was refused for a changed TLS certificate: the chain's tab
says so with a button; the prompt shows both fingerprints in full, and only "Trust the new
certificate" calls the core, with exactly the change that was refused."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.config import AppConfig, NodeConfig
from app.ui.cert_change_box import grouped
from app.ui.qt import QMessageBox
from app.ui.settings_dialog import SettingsDialog
from app.wallet.backends.cert_pins import CertChange
from app.wallet.chain_status import ELECTRUM, ChainStatus
from app.wallet.errors import WalletError
from dexproto.assets import Network

CHANGE = CertChange("10.0.0.2:50002", "aa" * 32, "bc" * 32)
REFUSED = ChainStatus(
    "ltc", ELECTRUM, reachable=True, height=7, server="e2", servers=2, cert_changes=(CHANGE,)
)


def dialog_with(
    qtbot: QtBot, tmp_path: Path, trusted: list[tuple[str, CertChange]]
) -> SettingsDialog:
    config = AppConfig(
        network=Network.MAINNET,
        dex_url="wss://dex.example.org",
        nodes={"ltc": NodeConfig("", electrum="ssl://10.0.0.2:50002,tcp://10.0.0.3:50001")},
    )

    def trust(symbol: str, change: CertChange) -> None:
        if change.offered != CHANGE.offered:
            raise WalletError("the pin moved meanwhile")
        trusted.append((symbol, change))

    dialog = SettingsDialog(config, tmp_path, trust_certificate=trust)
    qtbot.addWidget(dialog)
    return dialog


def button(box: QMessageBox, text: str) -> object:
    return next(b for b in box.buttons() if b.text() == text)


def test_a_refused_certificate_is_trusted_only_on_the_users_word(
    qtbot: QtBot, tmp_path: Path
) -> None:
    trusted: list[tuple[str, CertChange]] = []
    dialog = dialog_with(qtbot, tmp_path, trusted)
    ltc = dialog.chains["ltc"]
    assert ltc.trust_button.isHidden()
    ltc.show_status(REFUSED)
    assert not ltc.trust_button.isHidden()
    assert "10.0.0.2:50002 was refused" in ltc.status.text()

    ltc.trust_button.click()
    box = dialog.cert_box
    assert box is not None and box.isVisible()
    assert grouped(CHANGE.offered) in box.text() and grouped(CHANGE.pinned) in box.text()
    button(box, "Keep refusing").click()  # type: ignore[attr-defined]
    assert trusted == []

    ltc.trust_button.click()
    assert dialog.cert_box is not None
    button(dialog.cert_box, "Trust the new certificate").click()  # type: ignore[attr-defined]
    assert trusted == [("ltc", CHANGE)]
    assert ltc.trust_button.isHidden()
    ltc.show_status(ChainStatus("ltc", ELECTRUM, reachable=True, height=8, server="e1"))
    assert "refused" not in ltc.status.text()


def test_a_failed_trust_is_shown_and_the_button_stays(qtbot: QtBot, tmp_path: Path) -> None:
    trusted: list[tuple[str, CertChange]] = []
    dialog = dialog_with(qtbot, tmp_path, trusted)
    ltc = dialog.chains["ltc"]
    moved = CertChange(CHANGE.key, CHANGE.pinned, "dd" * 32)
    ltc.show_status(ChainStatus("ltc", ELECTRUM, reachable=True, height=7, cert_changes=(moved,)))
    ltc.trust_button.click()
    assert dialog.cert_box is not None
    button(dialog.cert_box, "Trust the new certificate").click()  # type: ignore[attr-defined]
    assert trusted == [] and ltc.status.text() == "the pin moved meanwhile"
    assert not ltc.trust_button.isHidden()


def test_fingerprints_are_grouped_for_reading() -> None:
    assert grouped("0123456789abcdef" * 4).splitlines() == [
        "0123 4567 89ab cdef 0123 4567 89ab cdef",
        "0123 4567 89ab cdef 0123 4567 89ab cdef",
    ]
