"""Fixtures shared by the Qt tests (tests/gui, tests/integration/gui, tests/electrum): a real
Client over a temporary store with no server and no chains, its main window with the refresh
timers stopped, and a qasync loop that is closed after each test. Loaded for every folder by
tests/conftest.py. And `cell`, a table's item that a test expects to be there."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from pytestqt.qtbot import QtBot

from app.client.client import Client
from app.ui.gc_guard import collect_due
from app.ui.main_window import MainWindow
from app.ui.qt import QApplication, QTableWidget, QTableWidgetItem, QTimer
from app.wallet.session import create_wallet, unlock_wallet
from dexproto.assets import Network


@pytest.fixture
def core(tmp_path: Path) -> Iterator[Client]:
    create_wallet(tmp_path / "w", "pw", network=Network.REGTEST, scrypt_n=2**10)
    wallet = unlock_wallet(tmp_path / "w", "pw")
    yield Client(wallet, dex_url="ws://127.0.0.1:9")
    wallet.store.close()


@pytest.fixture
def window(qtbot: QtBot, core: Client) -> MainWindow:
    win = MainWindow(core, ["ltc", "btc"])
    qtbot.addWidget(win)
    for timer in win.findChildren(QTimer):
        timer.stop()  # no chain refresh: there are no nodes here
    return win


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    ev = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(ev)
    yield ev
    ev.close()
    asyncio.set_event_loop(None)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """As in the app (app/ui/gc_guard.py): once Qt is up, garbage is collected on this
    thread only, here after each test's fixtures are gone; a Qt test's widgets are freed
    at once, never later by a collection that a worker thread of another test sets off."""
    if QApplication.instance() is None:
        return
    gc.disable()
    if {"qtbot", "qapp"} & set(getattr(item, "fixturenames", ())):
        gc.collect()
    else:
        collect_due()


def cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    """The item at (row, column): there, or the test fails saying which."""
    item = table.item(row, column)
    assert item is not None, f"no item at row {row}, column {column}"
    return item
