"""A wallet made without a DEX server (`wallet create` names none) opens: the main window shows,
says no server is configured and opens Settings at the server field; saving a server there
moves the client to it. It used to end in `ValueError: not a ws:// or wss:// URL: ''`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from pytestqt.qtbot import QtBot

from app.client.client import Client
from app.config import load_config
from app.dex.errors import NoServerConfigured
from app.ui.main_window import MainWindow
from app.ui.qt import QTimer
from app.ui.status import GREY
from app.wallet.session import create_wallet, unlock_wallet
from dexproto.assets import Network
from simnet.node import free_port
from tests.waits import until


@pytest.fixture
def datadir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "w"
    create_wallet(path, "pw", network=Network.REGTEST, scrypt_n=2**10)  # no server, as the CLI
    yield path


def test_a_wallet_without_a_server_opens_the_window_and_asks_for_one(
    qtbot: QtBot, datadir: Path, loop: qasync.QEventLoop
) -> None:
    wallet = unlock_wallet(datadir, "pw")
    try:
        assert wallet.config.dex_url == ""
        core = Client(wallet)  # was: ValueError from ConnectionOptions
        assert not core.dex.configured
        window = MainWindow(core, ["ltc", "btc"])
        qtbot.addWidget(window)
        for timer in window.findChildren(QTimer):
            timer.stop()  # no chain refresh: there are no nodes here
        window.show()
        loop.run_until_complete(window.bridge.start())
        loop.run_until_complete(
            until(
                lambda: window.settings_dialog is not None and window.settings_dialog.isVisible(),
                "Settings open",
            )
        )
        dialog = window.settings_dialog
        assert dialog is not None
        assert window.status.dex.color == GREY
        assert window.status.dex.text.text() == "DEX: no server configured"
        assert "No DEX server is configured" in window.status.currentMessage()
        with pytest.raises(NoServerConfigured):  # a clear state, at once, no waiting
            loop.run_until_complete(core.ready(30))

        url = f"ws://127.0.0.1:{free_port()}"
        dialog.dex_url.setText(url)
        assert dialog.save()
        loop.run_until_complete(
            until(
                lambda: core.dex_url == url and core.dex.configured, "the client on the new server"
            )
        )
        assert load_config(datadir).dex_url == url
        loop.run_until_complete(window.bridge.stop())
        window.close()  # before the store closes: the window reads it when closing
    finally:
        wallet.store.close()
