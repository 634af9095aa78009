"""Settings: the wallet's network, read-only, and each node's login (cookie, user and
password, login file)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.config import AppConfig, NodeConfig, load_config
from app.ui.settings_dialog import SettingsDialog
from dexproto.assets import Network

DEX = "wss://dex.example.org"


def test_the_network_is_shown_and_cannot_be_changed(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SettingsDialog(AppConfig(network=Network.MAINNET, dex_url=DEX), tmp_path)
    qtbot.addWidget(dialog)
    assert dialog.network_note.text() == (
        "This wallet is on mainnet (real money); one data directory = one network."
    )
    assert dialog.save()
    assert load_config(tmp_path).network is Network.MAINNET


def test_each_node_keeps_its_kind_of_login(qtbot: QtBot, tmp_path: Path) -> None:
    config = AppConfig(
        network=Network.TESTNET,
        dex_url=DEX,
        nodes={
            "ltc": NodeConfig("http://127.0.0.1:19332", auth_file="/etc/cambio/ltc-login"),
            "btc": NodeConfig("http://127.0.0.1:48332", cookie_file="/srv/btc/testnet4/.cookie"),
        },
    )
    dialog = SettingsDialog(config, tmp_path)
    qtbot.addWidget(dialog)
    ltc, btc = dialog.nodes["ltc"], dialog.nodes["btc"]
    assert ltc.login.currentData() == "auth_file" and ltc.file.text() == "/etc/cambio/ltc-login"
    assert btc.login.currentData() == "cookie" and not btc.password.isVisibleTo(dialog)
    btc.file.setText("")  # empty: the node's default cookie for testnet
    assert btc.file.placeholderText().endswith(".bitcoin/testnet4/.cookie")
    assert dialog.save()
    saved = load_config(tmp_path)
    assert saved.nodes["ltc"] == config.nodes["ltc"]
    assert saved.nodes["btc"] == NodeConfig("http://127.0.0.1:48332")
