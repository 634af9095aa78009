"""Settings applied in the running window: a DEX server change refused inline while an order is
open, the epoch countdown on a fake clock following the server clock, and a revoked match in My
orders. A chain node switched in the window: tests/integration/gui/test_node_switch_regtest.py."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import qasync
from pytestqt.qtbot import QtBot

from app.client.client import Client
from app.client.events import ServerTime
from app.client.order_store import OrderRecord, RevokeCause
from app.config import AppConfig, load_config
from app.ui.main_window import MainWindow
from app.ui.orders_view import OrdersView
from app.ui.settings_dialog import SettingsDialog
from app.ui.window_actions import dex_refusal, switch_server
from tests.qt_fixtures import cell

LOT = 1_000_000


def booked_order(core: Client) -> OrderRecord:
    record = OrderRecord(
        "cd" * 32,
        core.dex_url,
        "ltc_btc",
        "ltc",
        "btc",
        "sell",
        "limit",
        LOT,
        10**7,
        "standing",
        "bcrt1qx",
        "ltc",
        (),
        status="booked",
    )
    core.order_store.add(record)
    return record


def test_dialog_refuses_a_new_server_while_an_order_is_open(
    window: MainWindow, core: Client, qtbot: QtBot, tmp_path: Path
) -> None:
    booked_order(core)
    config = AppConfig(dex_url=core.dex_url)
    dialog = SettingsDialog(config, tmp_path, dex_check=lambda url: dex_refusal(window, url))
    qtbot.addWidget(dialog)
    dialog.dex_url.setText("ws://127.0.0.1:10")
    assert not dialog.save()
    assert "1 open order(s) and 0 active swap(s)" in dialog.dex_error.text()
    assert not (tmp_path / "config.json").exists()  # nothing saved
    dialog.dex_url.setText(core.dex_url)  # the same server: the rest saves
    dialog.theme.setCurrentIndex(dialog.theme.findData("light"))
    assert dialog.save() and load_config(tmp_path).theme == "light"


def test_refused_switch_keeps_the_old_server_on_disk(
    window: MainWindow, core: Client, loop: qasync.QEventLoop
) -> None:
    booked_order(core)
    old = core.dex_url
    wanted = replace(window.app_config, dex_url="ws://127.0.0.1:10")
    loop.run_until_complete(switch_server(window, wanted))
    assert core.dex_url == old and window.app_config.dex_url == old
    assert load_config(window.wallet.datadir).dex_url == old
    assert "cannot change now" in window.status.currentMessage()


def test_epoch_countdown_follows_the_server_clock(
    window: MainWindow,
    core: Client,
) -> None:
    timer = window.trade.epoch
    local = [1_000_000]
    timer.clock = lambda: local[0]
    timer.set_epoch_length(10_000)
    assert timer.countdown().epoch == 100  # type: ignore[union-attr]  # our own clock
    core.events.emit(ServerTime(1_234_500))  # the server is 234.5 s ahead
    left = timer.countdown()
    assert left is not None and (left.epoch, left.remaining_ms) == (123, 5_500)
    local[0] += 5_000
    left = timer.countdown()
    assert left is not None and (left.epoch, left.remaining_ms) == (123, 500)
    assert "Epoch 123" in timer.text()


def test_orders_view_says_what_a_revocation_did(
    window: MainWindow,
    core: Client,
) -> None:
    store = core.order_store
    record = booked_order(core)
    store.add_match(record.order_id, "e1" * 32, LOT, 10**7)
    store.set_status(record.order_id, "executed")
    view: OrdersView = window.orders_view
    view.reload()
    assert cell(view.table, 0, 7).text() == "filled"
    store.revoke_match("e1" * 32, RevokeCause.COUNTERPARTY)
    view.reload()
    assert cell(view.table, 0, 6).text() == "0.00000000 LTC"  # nothing filled for good
    assert cell(view.table, 0, 7).text() == "revoked: counterparty failed"
    partial = replace(record, order_id="ef" * 32, quantity=2 * LOT)
    store.add(partial)
    store.add_match(partial.order_id, "e2" * 32, LOT, 10**7)
    store.revoke_match("e2" * 32, RevokeCause.OURS)
    view.reload()
    texts = [cell(view.table, i, 7).text() for i in range(view.table.rowCount())]
    assert "on the book · 0.01000000 LTC revoked (our side was late)" in texts
