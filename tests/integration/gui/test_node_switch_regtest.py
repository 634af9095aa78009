"""A chain node switched in the running window: to a dead port (the status bar says so) and back
to a real regtest node (block height and balances again)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import qasync

from app.config import NodeConfig
from app.ui.main_window import MainWindow
from app.ui.status import GREEN, RED
from app.ui.window_actions import apply_settings
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode, free_port


@pytest.mark.regtest
def test_node_switch_shows_the_error_then_balances_again(
    window: MainWindow, loop: qasync.QEventLoop, ltc_node: RegtestNode
) -> None:
    status = window.status
    dead = NodeConfig(f"http://127.0.0.1:{free_port()}", RPC_USER, RPC_PASSWORD)
    config = window.app_config
    loop.run_until_complete(apply_settings(window, replace(config, nodes={"ltc": dead})))
    ltc = status.chains["ltc"]
    assert ltc.color == RED and "127.0.0.1" in ltc.toolTip()
    assert "LTC node unreachable" in status.currentMessage()

    live = NodeConfig(ltc_node.rpc_url, RPC_USER, RPC_PASSWORD)
    loop.run_until_complete(apply_settings(window, replace(config, nodes={"ltc": live})))
    height = int(ltc_node.rpc("getblockcount"))
    assert ltc.color == GREEN and str(height) in ltc.text.text()
    assert "LTC node connected" in status.currentMessage()
    loop.run_until_complete(window.refresh())
    assert "ltc" in window.wallet_view.snapshots  # balances shown again
    assert status.chains["btc"].text.text() == "BTC: no node configured"
    loop.run_until_complete(window.wallet.asset("ltc").backend.close())  # the store stays
