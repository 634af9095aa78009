"""The main window on laptop screens: it fits 1280×720 (in English and in Chinese), the order
button, the fee lines and the status bar stay inside it, its size survives a restart; a click
on the book offers the amount up to that row; a swap waiting on confirmations says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.client.client import Client
from app.client.events import SwapStep
from app.dex.orderbook import OrderBookMirror
from app.swap.states import CounterpartyAudited, Matched, Role, Stage
from app.swap.transitions import transition
from app.trading.orderform import ChainFees, MarketRules
from app.ui import i18n
from app.ui.book_model import Column
from app.ui.main_window import MainWindow
from app.ui.qt import QApplication, QRect, QScrollArea, Qt, QTimer, QWidget
from app.ui.swap_tracker import wait_text
from app.ui.wallet_view import AssetSnapshot
from app.ui.window_geometry import settings_file
from app.wallet.session import create_wallet, unlock_wallet
from benchmarks.bench_book import LOT, MARKET, RATE_STEP, BookFeed
from dexproto.assets import Network, get_asset
from tests.fakes.swaps import match, taker_audit_obs

RULES = MarketRules("ltc", "btc", LOT, RATE_STEP, ChainFees(10, 225), ChainFees(3, 220))
LAPTOPS = [(1366, 768), (1280, 720)]


def make_core(datadir: Path) -> Client:
    if not datadir.exists():
        create_wallet(datadir, "pw", network=Network.REGTEST, scrypt_n=2**10)
    return Client(unlock_wallet(datadir, "pw"), dex_url="ws://127.0.0.1:9")


@pytest.fixture
def core(tmp_path: Path) -> Iterator[Client]:
    core = make_core(tmp_path / "w")
    yield core
    core.wallet.store.close()


def open_window(qtbot: QtBot, core: Client) -> MainWindow:
    win = MainWindow(core, ["ltc", "btc"])
    qtbot.addWidget(win)
    for timer in win.findChildren(QTimer):
        timer.stop()  # no chain refresh: there are no nodes here
    return win


def with_market(win: MainWindow) -> MainWindow:
    """A market, a book, funds and both wallet cards, as after the server's config and the
    first refresh (long texts: the wallet cards set the window's least width)."""
    win.trade.set_market(RULES, "Epoch 6 s · BTC simulated by a Litecoin regtest chain")
    mirror = OrderBookMirror(MARKET)
    mirror.apply_snapshot(BookFeed(seed=9).snapshot(80))
    win.trade.show_book(mirror)
    win.trade.trading.set_balance("btc", [100_000_000])
    for symbol in ("ltc", "btc"):
        win.wallet_view.show_snapshot(
            AssetSnapshot(
                get_asset(symbol, Network.REGTEST),
                available=12_345_678_901,
                locked_orders=19_897_180,
                locked_swaps=0,
                unconfirmed=296_540,
                address=win.core.wallet.asset(symbol).receive_address(),
                stand_in=symbol == "btc",
            )
        )
    return win


def shown_at(qtbot: QtBot, win: MainWindow, width: int, height: int) -> None:
    win.setWindowState(Qt.WindowState.WindowNoState)
    win.show()
    win.resize(width, height)
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.size().width() == width and win.size().height() == height)
    QApplication.processEvents()


def whole_inside(widget: QWidget, win: MainWindow) -> bool:
    """Shown, not clipped by a scroll area or a parent, and within the window."""
    top_left = widget.mapTo(win, widget.rect().topLeft())
    placed = QRect(top_left, widget.size())
    return (
        widget.isVisible()
        and win.rect().contains(placed)
        and widget.visibleRegion().boundingRect() == widget.rect()
    )


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_minimum_size_fits_1280_by_720(
    qtbot: QtBot, core: Client, qapp: QApplication, language: str
) -> None:
    assert i18n.install_language(language, qapp)
    try:
        win = with_market(open_window(qtbot, core))
        if language == "zh_CN":
            assert win.tabs.tabText(0) != "Trade"  # the catalogue is really in use
        hint = win.minimumSizeHint()
        assert hint.width() <= 1280 and hint.height() <= 720, hint
        for index in range(win.tabs.count()):  # every tab, not only the one shown first
            tab = win.tabs.widget(index)
            assert tab is not None
            page = tab.minimumSizeHint()
            assert page.width() <= 1240 and page.height() <= 600, (index, page)
    finally:
        i18n.install_language("en", qapp)


@pytest.mark.parametrize(("width", "height"), LAPTOPS)
def test_order_button_fees_and_status_bar_inside_a_laptop_window(
    qtbot: QtBot, core: Client, width: int, height: int
) -> None:
    win = with_market(open_window(qtbot, core))
    shown_at(qtbot, win, width, height)
    form = win.trade.trading.form
    assert form.submit.text() == "Buy LTC"
    for widget in (
        form.submit,
        form.fees,
        form.funding,
        form.total,
        win.status,
        win.status.dex,
        *win.status.chains.values(),
    ):
        assert whole_inside(widget, win), widget
    assert win.status.geometry().bottom() < height
    assert win.trade.depth_chart.isVisible() and win.trade.candles.height() >= 90
    win.tabs.setCurrentIndex(3)
    QApplication.processEvents()
    wallet_page = win.tabs.widget(3)
    assert isinstance(wallet_page, QScrollArea)
    assert wallet_page.horizontalScrollBar().maximum() == 0  # both cards, side by side
    for card in win.wallet_view.cards.values():
        assert whole_inside(card.send, win) and whole_inside(card.copy, win)


def test_a_short_window_scrolls_the_fields_and_keeps_the_button(qtbot: QtBot, core: Client) -> None:
    win = with_market(open_window(qtbot, core))
    shown_at(qtbot, win, 1280, 720)
    hint = win.minimumSizeHint()  # once shown: polished, in its real fonts
    shown_at(qtbot, win, hint.width(), hint.height())
    form = win.trade.trading.form
    assert whole_inside(form.submit, win)
    assert form.fields_scroll.verticalScrollBar().maximum() > 0  # the fields scroll instead


def test_size_is_remembered_in_the_datadir(qtbot: QtBot, tmp_path: Path) -> None:
    # The offscreen screen is 800×600: a restored width is shrunk to it (then held at the
    # window's minimum), as on a real screen smaller than the saved size; the height fits.
    core = make_core(tmp_path / "w")
    first = open_window(qtbot, core)
    shown_at(qtbot, first, 1300, 560)
    splitter = first.trade.trading.splitter
    splitter.setSizes([150, sum(splitter.sizes()) - 150])
    first.close()
    assert settings_file(tmp_path / "w").exists()
    core.wallet.store.close()

    core = make_core(tmp_path / "w")  # a restart: a new core and window on the same datadir
    again = open_window(qtbot, core)
    again.show()
    qtbot.waitExposed(again)
    assert again.height() == 560
    assert again.width() == max(
        again.screen().availableGeometry().width(), again.minimumSizeHint().width()
    )
    assert again.trade.trading.splitter.sizes()[0] == 150
    again.close()
    core.wallet.store.close()

    other = make_core(tmp_path / "other")  # another --datadir: its own size, not this one
    fresh = open_window(qtbot, other)
    assert not settings_file(tmp_path / "other").exists()
    assert fresh.height() != 560
    fresh.close()
    other.wallet.store.close()


def test_book_click_offers_the_amount_up_to_that_row(qtbot: QtBot, core: Client) -> None:
    win = with_market(open_window(qtbot, core))
    shown_at(qtbot, win, 1366, 768)
    trading = win.trade.trading
    trading.book.flush()
    bids = trading.book_view.bids
    index = bids.model().index(3, Column.PRICE)
    qtbot.mouseClick(
        bids.viewport(), Qt.MouseButton.LeftButton, pos=bids.visualRect(index).center()
    )
    levels = trading.book.bids.rows.rows[:4]  # best bid down to the clicked row
    form = trading.form
    assert form.state is not None
    assert form.state.rate == levels[3].rate
    assert form.state.quantity == sum(level.quantity for level in levels) > levels[3].quantity
    assert form.qty.text_value() == f"{form.state.quantity / 1e8:.2f}"


def test_swap_waiting_on_confirmations_says_how_many_and_how_long(
    qtbot: QtBot, core: Client
) -> None:
    win = open_window(qtbot, core)
    audited = transition(Matched(match(Role.TAKER)), taker_audit_obs()).state
    assert isinstance(audited, CounterpartyAudited)  # their LTC contract, 2 confirmations due
    mid = audited.match.match_id
    core.swaps.create(audited)
    core.events.emit(SwapStep(mid, Stage.MATCHED, Stage.COUNTERPARTY_AUDITED, ""))
    view = win.swaps_view
    card = view.cards[mid]
    view.confirmations[audited.theirs.txid] = 1
    view._tick()
    # LTC's 2.5-minute blocks: one more block is about 3 minutes.
    assert card.tracker.waiting == "1 of 2 confirmations on LTC · about 3 min"
    view.confirmations[audited.theirs.txid] = 2
    view._tick()
    assert card.tracker.waiting == "2 of 2 confirmations on LTC"
    assert card.tracker.minimumHeight() > 46  # a line for the text under the steps


def test_wait_text_estimates_from_the_block_interval(core: Client) -> None:
    from app.client.swap_rows import Wait

    btc = Wait("ab" * 32, "btc", 3, 600)
    assert wait_text(btc, 0) == "0 of 3 confirmations on BTC · about 30 min"
    assert wait_text(btc, 1, need=6) == "1 of 6 confirmations on BTC · about 50 min"
    assert (
        wait_text(Wait("ab" * 32, "btc", 20, 600), 0) == "0 of 20 confirmations on BTC · about 4 h"
    )
    assert (
        wait_text(Wait("ab" * 32, "ltc", 1, 30), 0)
        == "0 of 1 confirmations on LTC · under a minute"
    )
