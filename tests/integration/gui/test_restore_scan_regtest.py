"""A restored wallet's first refresh: address discovery on a real regtest node with a progress
bar saying which addresses are scanned, then the first read of each wallet, then the bar goes;
an asset whose node is missing stays pending for the next refresh."""

from __future__ import annotations

from pathlib import Path

import pytest
import qasync
from pytestqt.qtbot import QtBot

from app.client.client import Client
from app.config import NodeConfig, load_config, save_config
from app.ui.main_window import MainWindow
from app.ui.qt import QTimer
from app.wallet import restore_scan
from app.wallet.mnemonic import generate_mnemonic
from app.wallet.session import create_wallet, unlock_wallet
from dexproto.assets import SYMBOLS, Network
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode


@pytest.mark.regtest
def test_restore_scan_shows_what_it_scans_then_the_first_sync(
    qtbot: QtBot, tmp_path: Path, ltc_node: RegtestNode, loop: qasync.QEventLoop
) -> None:
    phrase = generate_mnemonic()
    nodes = {"ltc": NodeConfig(ltc_node.rpc_url, RPC_USER, RPC_PASSWORD)}
    create_wallet(
        tmp_path / "old",
        "pw",
        network=Network.REGTEST,
        mnemonic=phrase,
        nodes=nodes,
        scrypt_n=2**10,
    )
    old = unlock_wallet(tmp_path / "old", "pw")
    ltc_node.fund_script(old.asset("ltc").keys.script(False, 15), 7_000_000)  # receive #15
    old.store.close()

    # What the wizard's restore path writes: the same words, the assets still to scan.
    datadir = tmp_path / "restored"
    create_wallet(
        datadir, "pw", network=Network.REGTEST, mnemonic=phrase, nodes=nodes, scrypt_n=2**10
    )
    config = load_config(datadir)
    restore_scan.mark_pending(config, SYMBOLS)
    save_config(datadir, config)

    wallet = unlock_wallet(datadir, "pw")
    window = MainWindow(Client(wallet, dex_url="ws://127.0.0.1:9"), ["ltc", "btc"])
    qtbot.addWidget(window)
    for timer in window.findChildren(QTimer):
        timer.stop()
    bar = window.sync_bar
    shown: list[tuple[str, int, int, bool]] = []
    step = bar.show_step

    def record(text: str, value: int, maximum: int) -> None:
        step(text, value, maximum)
        shown.append((text, value, maximum, bar.isVisibleTo(window)))

    bar.show_step = record  # type: ignore[method-assign]
    try:
        loop.run_until_complete(window.refresh())
        texts = [s[0] for s in shown]
        assert texts[:3] == [
            "Restoring the wallet: scanning LTC receive addresses 0–19 (0 checked)",
            "Restoring the wallet: scanning LTC receive addresses 20–35 (20 checked)",
            "Restoring the wallet: scanning LTC change addresses 0–19 (36 checked)",
        ]
        assert [s[1:3] for s in shown[:3]] == [(0, 4), (0, 4), (1, 4)]  # LTC first of two
        assert all(s[3] for s in shown)  # the bar was up for every step
        # Then the first read of each wallet: the 20 past the last used one are watched too.
        assert texts[-2:] == [
            "Reading the LTC wallet from its node: 56 addresses…",
            "Reading the BTC wallet from its node: 20 addresses…",
        ]
        assert not bar.isVisibleTo(window)  # done
        assert window.wallet_view.snapshots["ltc"].available == 7_000_000
        # LTC is scanned for good; BTC has no node here and waits for one.
        assert restore_scan.pending(load_config(datadir)) == ["btc"]
        assert restore_scan.pending(wallet.config) == ["btc"]

        shown.clear()
        loop.run_until_complete(window.refresh())  # later refreshes: no first-sync steps
        assert all("LTC" not in s[0] and "Reading" not in s[0] for s in shown)
        assert not bar.isVisibleTo(window)
    finally:
        window.quit_confirmed = True
        window.close()
        loop.run_until_complete(wallet.close())
