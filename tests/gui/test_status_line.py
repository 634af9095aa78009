"""Each chain's line in the status bar says how it is reached: light (Electrum, our own checked
headers), a node, a node that is behind, or offline; the tooltip carries Settings' full line."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.client.views import ELECTRUM, NODE, ChainStatus
from app.ui.status import AMBER, GREEN, GREY, RED, StatusBar
from app.wallet.backends.cert_pins import CertChange
from app.wallet.chain_status import NONE, STALE_TIP_S


def bar(qtbot: QtBot) -> StatusBar:
    status = StatusBar(["ltc", "btc"])
    qtbot.addWidget(status)
    return status


def test_a_light_chain_says_light_and_names_its_server(qtbot: QtBot) -> None:
    status = bar(qtbot)
    status.show_chain(
        ChainStatus("ltc", ELECTRUM, reachable=True, height=812, server="e1:50002", servers=3)
    )
    ltc = status.chains["ltc"]
    assert (ltc.color, ltc.text.text()) == (GREEN, "LTC: block 812 · light")
    assert "e1:50002" in ltc.toolTip() and "headers checked" in ltc.toolTip()


def test_a_light_chain_that_caught_a_lying_server_is_amber(qtbot: QtBot) -> None:
    status = bar(qtbot)
    status.show_chain(
        ChainStatus("ltc", ELECTRUM, reachable=True, height=9, server="e2", servers=2, dropped=1)
    )
    ltc = status.chains["ltc"]
    assert ltc.color == AMBER and "1 dropped for a false answer" in ltc.toolTip()


def test_a_server_refused_for_a_new_certificate_points_to_settings(qtbot: QtBot) -> None:
    status = bar(qtbot)
    change = CertChange("e1:50002", "aa" * 32, "bb" * 32)
    status.show_chain(
        ChainStatus("ltc", ELECTRUM, reachable=True, height=9, server="e2", cert_changes=(change,))
    )
    ltc = status.chains["ltc"]
    assert ltc.color == AMBER and "certificate changed: see Settings" in ltc.toolTip()


def test_a_node_behind_the_network_is_amber_and_says_so(qtbot: QtBot) -> None:
    status = bar(qtbot)
    stale = ChainStatus("btc", NODE, reachable=True, height=70, tip_age=STALE_TIP_S + 3600)
    status.show_chain(stale, "simulated by a Litecoin regtest chain")
    btc = status.chains["btc"]
    assert (btc.color, btc.text.text()) == (AMBER, "BTC: block 70 · node behind")
    assert "3 h ago" in btc.toolTip() and "simulated" in btc.toolTip()
    status.show_chain(ChainStatus("btc", NODE, reachable=True, height=70, syncing=True))
    assert btc.color == AMBER
    status.show_chain(ChainStatus("btc", NODE, reachable=True, height=71, tip_age=60))
    assert (btc.color, btc.text.text()) == (GREEN, "BTC: block 71")


def test_unreachable_and_unconfigured_chains(qtbot: QtBot) -> None:
    status = bar(qtbot)
    status.show_chain(ChainStatus("ltc", ELECTRUM, detail="all 3 servers down"))
    ltc = status.chains["ltc"]
    assert (ltc.color, ltc.text.text()) == (RED, "LTC: offline, retrying")
    assert "all 3 servers down" in ltc.toolTip()
    status.show_chain(ChainStatus("btc", NONE))
    btc = status.chains["btc"]
    assert (btc.color, btc.text.text()) == (GREY, "BTC: no node configured")
