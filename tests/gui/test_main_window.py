"""The main window on a real Client over a temporary store (no server, no chains): tabs, swap rows
and their step tracker driven by core events, the resume banner, the quit warning, cancel."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import qasync
from pytestqt.qtbot import QtBot

from app.client.client import Client
from app.client.events import OrderMatched, SwapsResumed, SwapStep
from app.client.order_store import OrderRecord
from app.client.swap_rows import Mark, Step
from app.swap.states import Complete, Matched, Role, Stage
from app.ui.main_window import MainWindow
from app.ui.qt import QMessageBox
from dexproto.assets import format_atoms
from tests.fakes.swaps import at_init
from tests.qt_fixtures import cell


def test_window_has_the_four_tabs_and_a_status_bar(window: MainWindow) -> None:
    assert [window.tabs.tabText(i) for i in range(4)] == ["Trade", "Orders", "Swaps", "Wallet"]
    assert window.status.dex.text.text() == "DEX: connecting…"
    assert set(window.status.chains) == {"ltc", "btc"}
    assert not window.banner.isVisible()
    assert window.swaps_view.empty.isVisibleTo(window.swaps_view)


def test_connection_drop_and_reconnect_are_shown(window: MainWindow) -> None:
    window.core.events.emit(OrderMatched("o" * 64, "ab" * 32, "taker", 1, 1))
    assert window.notifier.sent[-1][0] == "Order matched"
    window.status.set_dex(True, "ws://127.0.0.1:9")
    window.status.set_dex(False, "connection reset")
    assert window.status.dex.text.text() == "DEX: reconnecting…"
    assert "connection reset" in window.status.dex.toolTip()
    window.status.set_dex(True, "ws://127.0.0.1:9")
    assert window.status.dex.text.text() == "DEX: reconnected"


def test_swap_rows_and_step_tracker_follow_events(
    window: MainWindow, core: Client, tmp_path: Path
) -> None:
    state = at_init(Role.MAKER)
    mid = state.match.match_id
    core.swaps.create(Matched(state.match))
    core.events.emit(SwapStep(mid, None, Stage.MATCHED, ""))
    card = window.swaps_view.cards[mid]
    assert card.tracker.steps == (
        (Step.MATCHED, Mark.DONE),
        (Step.OUR_INIT, Mark.ACTIVE),
        (Step.THEIR_INIT, Mark.TODO),
        (Step.REDEEMED, Mark.TODO),
    )
    core.swaps.save(state)  # the engine writes first, then emits
    core.events.emit(SwapStep(mid, Stage.MATCHED, Stage.INIT_BROADCAST, ""))
    assert card.tracker.steps[1] == (Step.OUR_INIT, Mark.DONE)
    assert card.tracker.steps[2] == (Step.THEIR_INIT, Mark.ACTIVE)
    assert state.ours.init.txid[:10] in card.ours.text()
    assert "Refund time in" in card.clock.text()
    assert not card.refund.isVisibleTo(card)  # the chain has not reached the lock time
    window.swaps_view.chain_time["ltc"] = window.swaps_view.chain_time["btc"] = 2**40
    window.swaps_view._tick()
    assert card.refund.isVisibleTo(card) and card.clock.text() == "Refund possible now"
    window.swaps_view.export_swap(mid, tmp_path / "swap.json")
    assert json.loads((tmp_path / "swap.json").read_text())["match_id"] == mid

    core.swaps.save(Complete(state.match, "cd" * 32, state.match.their_amount - 2_250))
    core.events.emit(SwapStep(mid, Stage.REDEEMING, Stage.COMPLETE, ""))
    assert mid not in window.swaps_view.cards
    history = window.swaps_view.history
    assert history.rowCount() == 1
    assert cell(history, 0, 5).text() == "Completed"
    coin = state.match.their_asset.upper()
    # What arrived: the contract less our redeem's fee, and that fee beside it.
    assert cell(history, 0, 3).text() == f"{format_atoms(state.match.their_amount - 2_250)} {coin}"
    assert cell(history, 0, 4).text() == f"0.00002250 {coin}"
    header = history.horizontalHeaderItem(4)
    assert header is not None and header.text() == "Redeem fee"
    assert window.notifier.sent[-1][0] == "Swap complete"
    window.swaps_view.export_history(tmp_path / "h.csv")
    rows = list(csv.DictReader((tmp_path / "h.csv").read_text().splitlines()))
    assert rows[0]["match_id"] == mid and rows[0]["result"] == "completed"
    assert rows[0]["final_txid"] == "cd" * 32
    assert rows[0]["received"] == format_atoms(state.match.their_amount - 2_250)
    assert rows[0]["redeem_fee"] == "0.00002250"


def test_resume_banner_counts_down_as_swaps_settle(window: MainWindow, core: Client) -> None:
    state = at_init(Role.TAKER)
    core.swaps.create(state)
    core.events.emit(SwapsResumed(1, 2))
    assert window.banner.isVisibleTo(window)
    assert window.banner_text.text().startswith("Resuming 1 swaps: 0 settled, 1 in progress")
    card = window.swaps_view.cards[state.match.match_id]
    # A taker audits their contract before funding its own: both inits done, redeem next.
    assert card.tracker.steps == (
        (Step.MATCHED, Mark.DONE),
        (Step.THEIR_INIT, Mark.DONE),
        (Step.OUR_INIT, Mark.DONE),
        (Step.REDEEMED, Mark.ACTIVE),
    )
    core.swaps.save(Complete(state.match, "ef" * 32, 5))
    core.events.emit(SwapStep(state.match.match_id, Stage.REDEEMING, Stage.COMPLETE, ""))
    assert window.banner_text.text() == "All 1 resumed swaps are settled."


def test_quit_warns_while_swaps_are_in_flight(
    qtbot: QtBot, window: MainWindow, core: Client
) -> None:
    window.show()
    core.swaps.create(at_init(Role.MAKER))
    assert not window.close()  # refused: the question is asked first
    box = window.quit_box
    assert box is not None and box.isVisible()
    assert "refund time" in box.text() and "1 swap(s)" in box.text()
    keep = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.RejectRole)
    keep.click()
    assert window.isVisible()
    window.close()
    box = window.quit_box
    assert box is not None
    quit_button = next(
        b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
    )
    with qtbot.waitSignal(window.closed, timeout=2000):
        quit_button.click()
    assert not window.isVisible()


def test_quit_without_swaps_closes_at_once(qtbot: QtBot, window: MainWindow) -> None:
    window.show()
    with qtbot.waitSignal(window.closed, timeout=2000):
        assert window.close()
    assert window.quit_box is None


def test_cancel_in_my_orders_calls_the_core(
    window: MainWindow, core: Client, loop: qasync.QEventLoop
) -> None:
    order = OrderRecord(
        "ab" * 32,
        core.dex_url,
        "ltc_btc",
        "ltc",
        "btc",
        "sell",
        "limit",
        3_000_000,
        10_000_000,
        "standing",
        "addr",
        "ltc",
        ("aa" * 32 + ":0",),
        epoch=1,
        status="booked",
        created_ms=1,
    )
    core.order_store.add(order)
    core.order_store.set_status(order.order_id, "booked")
    window.orders_view.reload()
    assert cell(window.orders_view.table, 0, 7).text() == "on the book"
    cancelled: list[str] = []

    async def fake_cancel(order_id: str) -> None:
        cancelled.append(order_id)

    core.cancel_order = fake_cancel  # type: ignore[method-assign]

    async def click() -> None:
        window.orders_view.cancel_buttons[order.order_id].click()
        for _ in range(50):
            if cancelled:
                return
            await asyncio.sleep(0.01)

    loop.run_until_complete(click())
    assert cancelled == [order.order_id]
