"""The order form in the trading view: inline errors, steppers, max, a click on the book, and
the confirmation dialog in front of every order."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.dex.orderbook import OrderBookMirror
from app.trading.orderform import ChainFees, Field, MarketRules, OrderKind, OrderRequest
from app.ui.book_model import RATE_ROLE, Column
from app.ui.order_widgets import AtomSpinBox
from app.ui.qt import Qt
from app.ui.trading_view import TradingView
from benchmarks.bench_book import LOT, MARKET, RATE_STEP, BookFeed
from dexproto.messages import Side, TimeInForce

RULES = MarketRules("ltc", "btc", LOT, RATE_STEP, ChainFees(10, 225), ChainFees(3, 220))


def make_view(qtbot: QtBot, connected: bool = True) -> tuple[TradingView, OrderBookMirror]:
    view = TradingView(interval_ms=10)
    qtbot.addWidget(view)
    view.resize(980, 700)
    view.set_market(RULES)
    mirror = OrderBookMirror(MARKET)
    mirror.apply_snapshot(BookFeed(seed=9).snapshot(500))
    view.apply_snapshot(mirror)
    view.set_connected(connected)
    view.set_balance("btc", [100_000_000])
    view.set_balance("ltc", [2_000_000_000])
    view.show()
    qtbot.waitExposed(view)
    return view, mirror


def type_into(qtbot: QtBot, box: AtomSpinBox, text: str) -> None:
    box.lineEdit().clear()
    box.lineEdit().setFocus()
    qtbot.keyClicks(box.lineEdit(), text)


def test_inline_errors_off_step_lot_small_funds_connection(qtbot: QtBot) -> None:
    view, _ = make_view(qtbot, connected=False)
    form = view.form
    assert form.problem_texts()[Field.PRICE] == ""  # untouched fields stay quiet
    assert "Not connected" in form.problem_texts()[Field.FORM]
    type_into(qtbot, form.price, "0.030125")
    assert "multiple of 0.00001 BTC: try 0.03012 or 0.03013" in form.problem_texts()[Field.PRICE]
    assert form.price.property("error") is True
    type_into(qtbot, form.qty, "1.25")
    assert "whole number of lots" in form.problem_texts()[Field.QUANTITY]
    assert "try 1.20 or 1.30" in form.problem_texts()[Field.QUANTITY]
    type_into(qtbot, form.qty, "0.05")
    assert "smallest order is one lot: 0.10 LTC" in form.problem_texts()[Field.QUANTITY]
    type_into(qtbot, form.price, "0.03")
    type_into(qtbot, form.qty, "40")  # 1.2 BTC > the 1 BTC coin
    assert "Insufficient funds" in form.problem_texts()[Field.QUANTITY]
    assert form.problem_texts()[Field.PRICE] == ""
    assert form.price.property("error") is False
    view.set_connected(True)
    assert form.problem_texts()[Field.FORM] == ""


def test_submit_reveals_errors_of_untouched_fields(qtbot: QtBot) -> None:
    view, _ = make_view(qtbot)
    with qtbot.assertNotEmitted(view.order_requested):
        qtbot.mouseClick(view.form.submit, Qt.MouseButton.LeftButton)
    assert view.form.problem_texts()[Field.PRICE] == "Enter a price."
    assert view.form.problem_texts()[Field.QUANTITY] == "Enter an amount."
    assert view.form.confirm is None


def test_clicking_a_book_level_fills_the_price(qtbot: QtBot) -> None:
    view, mirror = make_view(qtbot)
    view.form.market_tab.click()
    bids = view.book_view.bids
    index = bids.model().index(3, Column.AMOUNT)
    rate = index.data(RATE_ROLE)
    assert rate == mirror.depth(view.book.bids.side)[3].rate
    qtbot.mouseClick(
        bids.viewport(), Qt.MouseButton.LeftButton, pos=bids.visualRect(index).center()
    )
    assert view.form.state is not None and view.form.state.rate == rate
    assert view.form.state.kind is OrderKind.LIMIT and view.form.limit_tab.isChecked()
    assert view.form.price.text_value() == f"{rate / 1e8:.5f}"


def test_steppers_max_and_lots(qtbot: QtBot) -> None:
    view, mirror = make_view(qtbot)
    form = view.form
    ask = mirror.best_ask()
    assert ask is not None
    form.price.stepBy(1)  # from empty: the best ask
    assert form.state is not None and form.state.rate == ask.rate
    form.price.stepBy(2)
    assert form.state.rate == ask.rate + 2 * RATE_STEP
    form.qty.stepBy(3)
    assert form.state.quantity == 3 * LOT and form.qty.text_value() == "0.30"
    assert form.lots.text().startswith("= 3 lots")
    qtbot.mouseClick(form.max_button, Qt.MouseButton.LeftButton)
    most = form.state.max_quantity()
    assert most and form.state.quantity == most and form.state.problems() == ()
    form.qty.stepBy(1)
    assert "Insufficient funds" in form.problem_texts()[Field.QUANTITY]


def test_confirmation_dialog_then_order_requested(qtbot: QtBot) -> None:
    view, mirror = make_view(qtbot)
    form = view.form
    bid = mirror.best_bid()
    assert bid is not None
    form.sell_tab.click()
    form.set_price(bid.rate)
    type_into(qtbot, form.qty, "2.5")
    form.tif.setCurrentIndex(1)
    assert form.submit.text() == "Sell LTC"
    qtbot.mouseClick(form.submit, Qt.MouseButton.LeftButton)
    dialog = form.confirm
    assert dialog is not None and dialog.isVisible()
    with qtbot.assertNotEmitted(view.order_requested):
        dialog.cancel.click()
    qtbot.mouseClick(form.submit, Qt.MouseButton.LeftButton)
    assert form.confirm is not None and form.confirm is not dialog
    with qtbot.waitSignal(view.order_requested) as signal:
        form.confirm.confirm.click()
    request = signal.args[0]
    assert isinstance(request, OrderRequest)
    assert (request.side, request.kind, request.tif, request.quantity, request.rate) == (
        Side.SELL,
        OrderKind.LIMIT,
        TimeInForce.IMMEDIATE,
        25 * LOT,
        bid.rate,
    )
    assert request.estimate.asset == "ltc" and request.estimate.lots == 25


def test_market_buy_below_the_buffer(qtbot: QtBot) -> None:
    view, mirror = make_view(qtbot)
    form = view.form
    form.market_tab.click()
    assert not form.price.isEnabled()
    assert form.qty_label.text() == "Spend (BTC)"
    type_into(qtbot, form.qty, "0.001")
    ask = mirror.best_ask()
    assert ask is not None
    minimum = -(-5 * LOT * ask.rate // (4 * 10**8))
    assert f"at least {minimum / 1e8:.8f} BTC" in form.problem_texts()[Field.QUANTITY]
