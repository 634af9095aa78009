"""One trade driven through the GUI on a real simnet (chains, miner, DEX server process).

A second trader (its own Client in this process) posts a standing sell; the GUI trader clicks the
ask in the book, steps the amount up, clicks Buy and confirms; the swap settles on both chains
and a "Completed" row appears in the Swaps history.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from pytestqt.qtbot import QtBot

from app.client.client import Client
from app.ui.main_window import MainWindow
from app.ui.qt import QApplication, Qt
from app.wallet.session import unlock_wallet
from dexproto.assets import format_atoms
from simnet.harness import LOT, TRADER_PASSWORD, Simnet
from simnet.regfee_policy import SimnetRegfeePolicy
from tests.qt_fixtures import cell
from tests.waits import until

pytestmark = pytest.mark.regtest
RATE = 10_000_000  # 0.1 BTC per LTC


@pytest.fixture(scope="module")
def simnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simnet]:
    net = Simnet.start(
        tmp_path_factory.mktemp("guisimnet"), traders=2, epochlen=2000, mine_interval=1.0
    )
    yield net
    net.stop()


def test_buy_by_clicking_settles_and_lands_in_history(
    qtbot: QtBot, qapp: QApplication, simnet: Simnet
) -> None:
    started = time.monotonic()
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    maker_wallet = unlock_wallet(simnet.traders["trader2"], TRADER_PASSWORD)
    gui_wallet = unlock_wallet(simnet.traders["trader1"], TRADER_PASSWORD)
    maker = Client(maker_wallet, poll_interval=0.3)
    window = MainWindow(Client(gui_wallet, poll_interval=0.3), ["ltc", "btc"])
    policy = SimnetRegfeePolicy(simnet.dex_url)  # as the --simnet launcher does
    window.bridge.confirm = policy
    qtbot.addWidget(window)
    window.show()
    trading, form = window.trade.trading, window.trade.trading.form

    async def scenario() -> None:
        await maker.start()
        await window.bridge.start()
        await maker.ensure_registered(confirm=policy)
        await maker.place_order("ltc_btc", "sell", "limit", 5 * LOT, RATE, "standing")
        window.schedule_refresh()
        await until(
            lambda: trading.book.best_ask() == RATE, "standing sell in the book", timeout=60
        )
        await until(
            lambda: (
                form.state is not None and form.state.connected and form.state.quote_funds.total > 0
            ),
            "registration and balances",
            timeout=60,
        )

        asks = trading.book_view.asks
        index = asks.model().index(asks.model().rowCount() - 1, 0)  # best ask: bottom row
        qtbot.mouseClick(
            asks.viewport(), Qt.MouseButton.LeftButton, pos=asks.visualRect(index).center()
        )
        assert form.state is not None and form.state.rate == RATE
        assert form.state.quantity == 5 * LOT  # the book's amount up to the clicked row
        qtbot.mouseClick(form.buy_tab, Qt.MouseButton.LeftButton)
        for _ in range(2):
            form.qty.stepBy(-1)  # the [−] stepper's action: down to three lots
        assert form.state.quantity == 3 * LOT, form.problem_texts()
        qtbot.mouseClick(form.submit, Qt.MouseButton.LeftButton)
        await until(
            lambda: form.confirm is not None and form.confirm.isVisible(),
            "confirmation dialog",
            timeout=5,
        )
        assert form.confirm is not None
        qtbot.mouseClick(form.confirm.confirm, Qt.MouseButton.LeftButton)

        await until(lambda: window.orders_view.orders, "order in My orders", timeout=30)
        await until(
            lambda: window.swaps_view.cards or window.swaps_view.finished(),
            "a swap of the match",
            timeout=60,
        )
        await until(window.swaps_view.finished, "completed swap", timeout=90)

    try:
        loop.run_until_complete(asyncio.wait_for(scenario(), 150))
        history = window.swaps_view.history
        assert history.rowCount() == 1
        assert cell(history, 0, 5).text() == "Completed"
        done = window.swaps_view.finished()[0]
        assert done.received_atoms is not None and done.redeem_fee is not None
        # The wallet got the 0.03 LTC contract less our redeem's fee, shown beside it.
        assert 0 < done.redeem_fee < 100_000
        assert done.received_atoms == 3 * LOT - done.redeem_fee
        assert cell(history, 0, 3).text() == f"{format_atoms(done.received_atoms)} LTC"
        assert cell(history, 0, 4).text() == f"{format_atoms(done.redeem_fee)} LTC"
        assert window.orders_view.orders[0].side == "buy"
    finally:
        window.quit_confirmed = True
        window.close()

        async def shutdown() -> None:
            await window.bridge.stop()
            await maker.stop()
            await gui_wallet.close()
            await maker_wallet.close()

        loop.run_until_complete(shutdown())
        loop.close()
        asyncio.set_event_loop(None)
    print(f"GUI trade: {time.monotonic() - started:.1f} s after the simnet was up")


def test_paths_are_loopback_only(simnet: Simnet) -> None:
    assert simnet.dex_url.startswith("ws://127.0.0.1:")
    assert all("127.0.0.1" in n.rpc_url for n in simnet.nodes.values())
    assert Path(simnet.dir).is_dir()
