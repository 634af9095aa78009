"""Settings, per chain: light on an ordered, validated Electrum server list (add, remove,
reorder, reset to the defaults) or one's own node, and a live status line from the core."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.config import AppConfig, NodeConfig, load_config
from app.ui.chain_settings import LIGHT, OWN_NODE, status_text
from app.ui.settings_dialog import SettingsDialog
from app.wallet.backends.electrum import default_servers
from app.wallet.chain_status import ELECTRUM, NODE, NONE, ChainStatus
from dexproto.assets import Network

DEX = "wss://dex.example.org"
MY_LTC = "ssl://10.0.0.2:50002"


def light_config() -> AppConfig:
    return AppConfig(
        network=Network.MAINNET,
        dex_url=DEX,
        nodes={
            "btc": NodeConfig("", electrum=",".join(default_servers("btc", Network.MAINNET))),
            "ltc": NodeConfig("", electrum=f"{MY_LTC},tcp://10.0.0.2:50001"),
        },
    )


def test_a_light_wallet_shows_each_chains_server_list(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SettingsDialog(light_config(), tmp_path)
    qtbot.addWidget(dialog)
    btc, ltc = dialog.chains["btc"], dialog.chains["ltc"]
    assert btc.kind.currentData() == ltc.kind.currentData() == LIGHT
    assert btc.server_list.servers() == list(default_servers("btc", Network.MAINNET))
    assert ltc.server_list.servers() == [MY_LTC, "tcp://10.0.0.2:50001"]
    assert dialog.chain_tabs.count() == 2 and not btc.status.isVisibleTo(dialog)  # no core
    assert dialog.save()
    assert load_config(tmp_path).nodes == light_config().nodes


def test_servers_are_validated_added_reordered_removed_and_reset(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = SettingsDialog(light_config(), tmp_path)
    qtbot.addWidget(dialog)
    servers = dialog.chains["ltc"].server_list
    servers.entry.setText("electrum.example.org:50002")  # no scheme
    assert not servers.add()
    assert "ssl://host:port" in servers.error.text() and servers.entry.property("error")
    servers.entry.setText(MY_LTC)
    assert not servers.add() and "already" in servers.error.text()
    servers.entry.setText("ssl://electrum.example.org:50002")
    assert servers.add() and not servers.error.text() and servers.entry.text() == ""
    assert servers.servers()[-1] == "ssl://electrum.example.org:50002"
    servers.table.selectRow(2)
    servers.up_button.click()
    assert servers.servers() == [MY_LTC, "ssl://electrum.example.org:50002", "tcp://10.0.0.2:50001"]
    assert servers.down_button.isEnabled()  # row 1 of 3 can go down
    servers.table.selectRow(0)
    assert not servers.up_button.isEnabled()
    servers.remove_button.click()
    assert servers.servers() == ["ssl://electrum.example.org:50002", "tcp://10.0.0.2:50001"]
    assert dialog.save()
    assert load_config(tmp_path).nodes["ltc"].electrum == (
        "ssl://electrum.example.org:50002,tcp://10.0.0.2:50001"
    )
    servers.reset_button.click()
    assert servers.servers() == list(default_servers("ltc", Network.MAINNET))


def test_an_empty_list_blocks_the_save_and_a_node_replaces_it(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SettingsDialog(light_config(), tmp_path)
    qtbot.addWidget(dialog)
    btc = dialog.chains["btc"]
    for _ in btc.server_list.servers():
        btc.server_list.table.selectRow(0)
        btc.server_list.remove_button.click()
    assert btc.server_list.servers() == []
    assert not dialog.save_button.isEnabled() and btc.list_error.text()
    btc.kind.setCurrentIndex(btc.kind.findData(OWN_NODE))
    assert btc.pages.currentIndex() == 1
    btc.node_fields.url.setText("http://192.168.1.5:8332")
    assert dialog.save_button.isEnabled()
    assert dialog.save()
    saved = load_config(tmp_path).nodes
    assert saved["btc"] == NodeConfig("http://192.168.1.5:8332")  # its default cookie
    assert saved["ltc"].light


def test_a_simnet_chain_without_a_node_stays_a_node_to_fill_in(
    qtbot: QtBot, tmp_path: Path
) -> None:
    config = AppConfig(
        dex_url="ws://127.0.0.1:7232", nodes={"ltc": NodeConfig("http://127.0.0.1:19443")}
    )
    dialog = SettingsDialog(config, tmp_path)
    qtbot.addWidget(dialog)
    assert dialog.chains["btc"].kind.currentData() == OWN_NODE  # no public servers here
    assert dialog.save() and load_config(tmp_path).nodes == config.nodes


async def test_the_status_line_comes_from_the_core(qtbot: QtBot, tmp_path: Path) -> None:
    asked: list[str] = []

    async def status(symbol: str) -> ChainStatus:
        asked.append(symbol)
        if symbol == "btc":
            return ChainStatus(
                "btc",
                ELECTRUM,
                reachable=True,
                height=870_001,
                server="ssl://electrum.emzy.de:50002",
                servers=3,
                dropped=1,
                line="BTC: ssl://electrum.emzy.de:50002 at height 870001",
            )
        return ChainStatus("ltc", NODE, detail="Cannot reach the node at http://x:9332.")

    dialog = SettingsDialog(light_config(), tmp_path, chain_status=status)
    qtbot.addWidget(dialog)
    await dialog.refresh_status()
    assert sorted(asked) == ["btc", "ltc"]
    btc, ltc = dialog.chains["btc"].status, dialog.chains["ltc"].status
    assert btc.isVisibleTo(dialog)
    assert "electrum.emzy.de" in btc.text() and "870001" in btc.text()
    assert "1 dropped" in btc.text() and btc.toolTip().startswith("BTC:")
    assert ltc.text() == "Node unreachable: Cannot reach the node at http://x:9332."


def test_status_wording() -> None:
    assert "still syncing" in status_text(
        ChainStatus("btc", NODE, reachable=True, height=5, syncing=True, tip_age=0)
    )
    assert "3 h ago" in status_text(
        ChainStatus("btc", NODE, reachable=True, height=5, tip_age=3 * 3600 + 5)
    )
    assert "synced" in status_text(ChainStatus("btc", NODE, reachable=True, height=5, tip_age=60))
    assert "No Electrum server reachable" in status_text(ChainStatus("ltc", ELECTRUM))
    assert "cannot be traded" in status_text(ChainStatus("ltc", NONE))
