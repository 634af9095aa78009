"""Settings in the running window: the LTC chain switched from nothing to a real e-x server
by the dialog's own fields (light), applied live, and the dialog's status line then asks the
core and shows the server and the verified height; switched back to a Core node after."""

from __future__ import annotations

from dataclasses import replace

import pytest
import qasync
from pytestqt.qtbot import QtBot

from app.config import NodeConfig
from app.ui.chain_settings import LIGHT, OWN_NODE
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog
from app.ui.window_actions import apply_settings
from app.wallet.backends.electrum import ElectrumBackend
from app.wallet.chain_status import ELECTRUM, NODE
from simnet.electrum import ElectrumServer
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode

pytestmark = pytest.mark.regtest


def test_a_chain_goes_light_from_the_dialog_and_its_status_follows(
    qtbot: QtBot,
    window: MainWindow,
    loop: qasync.QEventLoop,
    ltc_electrum: ElectrumServer,
    ltc_node: RegtestNode,
) -> None:
    dialog = SettingsDialog(
        window.app_config, window.wallet.datadir, window, chain_status=window.core.chain_status
    )
    qtbot.addWidget(dialog)
    dialog.dex_url.setText(window.core.dex_url)  # the fixture's wallet has none in its file
    assert dialog.save_button.isEnabled()
    ltc = dialog.chains["ltc"]
    assert ltc.kind.currentData() == OWN_NODE  # a simnet wallet without a node
    ltc.kind.setCurrentIndex(ltc.kind.findData(LIGHT))
    assert not dialog.save_button.isEnabled()  # no server listed yet (no regtest defaults)
    ltc.server_list.entry.setText(ltc_electrum.url)
    assert ltc.server_list.add() and dialog.save_button.isEnabled()
    config = dialog.result_config()
    assert config.nodes["ltc"] == NodeConfig("", electrum=ltc_electrum.url)

    loop.run_until_complete(apply_settings(window, config))
    backend = window.wallet.asset("ltc").backend
    assert isinstance(backend.inner, ElectrumBackend)  # type: ignore[attr-defined]
    loop.run_until_complete(dialog.refresh_status())
    height = ltc_electrum.wait_synced()
    assert ltc_electrum.url in ltc.status.text() and "headers checked" in ltc.status.text()
    status = loop.run_until_complete(window.core.chain_status("ltc"))
    assert status.kind == ELECTRUM and status.height is not None and status.height >= height

    node = NodeConfig(ltc_node.rpc_url, RPC_USER, RPC_PASSWORD)
    loop.run_until_complete(apply_settings(window, replace(config, nodes={"ltc": node})))
    loop.run_until_complete(dialog.refresh_status())
    assert ltc.status.text().startswith("Node reachable, block ")
    assert loop.run_until_complete(window.core.chain_status("ltc")).kind == NODE
    loop.run_until_complete(backend.close())
