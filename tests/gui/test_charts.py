"""Charts, market list, recent trades, epoch timer and transaction list: they render real
data, switch candle bins, and their models pass Qt's model tester."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.client.read_models import RECEIVE, tx_rows
from app.dex.orderbook import PriceLevel
from app.store.db import Store
from app.store.wallet_txs import WalletTx, read_wallet_txs
from app.trading.charts_data import DAY_MS, Bin, aggregate, ticker_24h
from app.ui.candle_plot import CandlePlot
from app.ui.charts import CandleChartWidget, DepthChartWidget
from app.ui.epoch_timer import EpochTimer
from app.ui.market_list import MARKET_ROLE, Col, MarketList, MarketRow
from app.ui.qt import QPointF, Qt, QWheelEvent, QWidget
from app.ui.trades_view import TradesView
from app.ui.tx_list import TxListView
from app.wallet.coins import Outpoint, Utxo
from dexproto.assets import format_atoms
from dexproto.marketdata import Candle, Trade

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),  # the model tester reports by warning
    pytest.mark.qt_log_ignore("Detected locale"),
]
NOW = 1_760_000_000_000


def trades(count: int, step_ms: int = 45_000) -> list[Trade]:
    out, rate = [], 1_200_000
    for i in range(count):
        rate += (i * 7919) % 3001 - 1450
        out.append(Trade(f"{i:064x}", rate, 1_000_000 * (1 + i % 9), NOW - (count - i) * step_ms))
    return out


def levels() -> tuple[list[PriceLevel], list[PriceLevel]]:
    bids = [PriceLevel(1_234_000 - i * 100, 10_000_000 * (1 + i % 4), 1) for i in range(40)]
    asks = [PriceLevel(1_235_000 + i * 100, 10_000_000 * (1 + i % 5), 1) for i in range(40)]
    return bids, asks


def colored_pixels(widget: QWidget, green: bool) -> int:
    """How many sampled pixels are clearly green (or red): the curves and candles drew."""
    image = widget.grab().toImage()
    found = 0
    for x in range(0, image.width(), 3):
        for y in range(0, image.height(), 3):
            c = image.pixelColor(x, y)
            r, g = c.red(), c.green()
            found += (g > r + 40) if green else (r > g + 40)
    return found


def test_depth_chart_draws_both_sides_and_a_hover_tooltip(qtbot: QtBot) -> None:
    chart = DepthChartWidget()
    qtbot.addWidget(chart)
    chart.resize(700, 320)
    assert colored_pixels(chart, green=True) == 0  # empty book: only the hint
    chart.set_market("ltc", "btc", 6, 4)
    chart.set_levels(*levels())
    assert chart.view is not None and chart.view.mid == 1_234_500
    assert colored_pixels(chart, green=True) > 60
    assert colored_pixels(chart, green=False) > 60
    before = chart.grab().toImage()
    chart.show()
    qtbot.mouseMove(chart, chart.rect().center() - chart.rect().center() / 2)
    qtbot.waitUntil(lambda: chart.hover is not None)
    assert chart.grab().toImage() != before  # crosshair and tooltip drawn
    chart.set_theme("light")
    assert chart.grab().toImage().pixelColor(2, 2).lightness() > 200


def test_candle_chart_bins_switch_the_series(qtbot: QtBot) -> None:
    widget = CandleChartWidget()
    qtbot.addWidget(widget)
    widget.resize(800, 400)
    widget.set_market("ltc", "btc", 6, 4)
    data = trades(3000)
    widget.set_trades(data)
    assert widget.bin is Bin.H1
    hourly = widget.series()
    assert hourly == aggregate(data, Bin.H1.ms)
    with qtbot.waitSignal(widget.bin_changed) as signal:
        widget.buttons[Bin.M1].click()
    assert signal.args == ["1m"]
    minutes = widget.series()
    assert len(minutes) > len(hourly) and widget.plot.candles == minutes
    assert widget.buttons[Bin.M1].isChecked() and not widget.buttons[Bin.H1].isChecked()
    assert colored_pixels(widget, green=True) > 50 and colored_pixels(widget, green=False) > 50


def test_server_candles_take_precedence_over_local_trades(qtbot: QtBot) -> None:
    widget = CandleChartWidget()
    qtbot.addWidget(widget)
    widget.set_trades(trades(100))
    server = [Candle(NOW - DAY_MS, 100, 130, 90, 120, 5), Candle(NOW, 120, 125, 100, 101, 7)]
    widget.set_candles("1d", server)
    assert widget.series() != server  # still on 1h
    widget.set_bin("1d")
    assert widget.series() == server
    widget.set_market("btc", "ltc")  # a new market forgets both
    assert widget.series() == []
    assert widget.plot.grab().toImage().width() > 0  # "No trades yet" renders


def test_candle_hover_wheel_and_lookup(qtbot: QtBot) -> None:
    plot = CandlePlot()
    qtbot.addWidget(plot)
    plot.resize(600, 300)
    series = aggregate(trades(500), Bin.M1.ms)
    plot.set_series(series, Bin.M1.ms)
    rect = plot.plot_rect()
    last_x = rect.left() + (plot.layout_slots(rect)[1] - 3) * plot.slot + 1
    assert plot.candle_at(last_x) == series[-1]
    plot.hover = QPointF(last_x, rect.top() + 20)
    assert not plot.grab().isNull()
    slot = plot.slot
    plot.show()
    qtbot.wait(1)
    event = QWheelEvent(
        QPointF(50, 50),
        QPointF(50, 50),
        QPointF(0, 0).toPoint(),
        QPointF(0, 120).toPoint(),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    plot.wheelEvent(event)
    assert plot.slot > slot


def test_market_list_model_and_selection(qtbot: QtBot, qtmodeltester: ModelTester) -> None:
    markets = MarketList()
    qtbot.addWidget(markets)
    qtmodeltester.check(markets.markets)
    markets.set_markets(
        [MarketRow("ltc_btc", "ltc", "btc", price_decimals=6), MarketRow("btc_ltc", "btc", "ltc")]
    )
    model = markets.markets
    ticker = ticker_24h(trades(2000), NOW)
    with qtbot.waitSignal(model.dataChanged):
        markets.update_ticker("ltc_btc", ticker)
    assert model.data(model.index(0, Col.MARKET)) == "LTC/BTC"
    assert ticker.last is not None
    assert model.data(model.index(0, Col.LAST)) == format_atoms(ticker.last, 6)
    change = model.data(model.index(0, Col.CHANGE))
    assert isinstance(change, str) and change.endswith("%")
    assert model.data(model.index(1, Col.LAST)) == "—"
    with qtbot.waitSignal(markets.market_selected) as picked:
        markets.selectRow(1)
    assert picked.args == ["btc_ltc"] and markets.current_market() == "btc_ltc"
    assert model.data(model.index(1, 0), MARKET_ROLE) == "btc_ltc"
    qtmodeltester.check(model)


def test_recent_trades_newest_first_with_ticks(qtbot: QtBot, qtmodeltester: ModelTester) -> None:
    view = TradesView()
    qtbot.addWidget(view)
    model = view.model
    model.max_rows = 5
    data = [Trade(f"{i:064x}", r, 10, NOW + i) for i, r in enumerate([100, 101, 101, 99])]
    view.set_trades(data[:3])
    qtmodeltester.check(model)
    assert [t.rate for t, _ in model.rows] == [101, 101, 100]
    assert [tick for _, tick in model.rows] == [1, 1, 0]  # unchanged price keeps its colour
    with qtbot.waitSignal(model.rowsInserted):
        view.add_trades(data)  # only the unseen one is added
    assert [t.rate for t, _ in model.rows] == [99, 101, 101, 100]
    assert model.rows[0][1] == -1
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole) == model.colors.down
    view.add_trades([Trade(f"{i:064x}", 100, 1, NOW + i) for i in range(10, 14)])
    assert model.rowCount() == 5


def test_epoch_timer_counts_down_on_the_server_clock(qtbot: QtBot) -> None:
    now = [100_000]
    timer = EpochTimer(clock=lambda: now[0])
    qtbot.addWidget(timer)
    assert "waiting" in timer.text()
    timer.set_epoch_length(6000)
    timer.sync(61_500)  # the server is 38.5 s behind us
    left = timer.countdown()
    assert left is not None and (left.epoch, left.remaining_ms) == (10, 4500)
    assert timer.text() == "Epoch 10 · matching in 4.5 s"
    now[0] += 4600
    assert timer.countdown() == timer.countdown() and timer.text().endswith("5.9 s")
    timer.resize(260, 44)
    assert not timer.grab().isNull()


def coin(txid: str, vout: int, value: int, confs: int) -> Utxo:
    return Utxo(Outpoint(txid, vout), value, b"\x00\x14" + bytes(20), 0, confs)


def test_tx_rows_merge_payments_and_incoming_coins() -> None:
    sent = [WalletTx("a" * 64, "send", 5000, 141, NOW - 10_000)]
    coins = [
        coin("a" * 64, 1, 900, 2),  # our change: not an incoming payment
        coin("b" * 64, 0, 700, 0),
        coin("c" * 64, 0, 300, 3),
        coin("c" * 64, 1, 200, 3),
    ]
    rows = tx_rows(sent, coins, NOW, 150)
    assert [(r.txid[0], r.kind, r.amount, r.confirmations) for r in rows] == [
        ("b", RECEIVE, 700, 0),
        ("a", "send", -5000, 2),
        ("c", RECEIVE, 500, 3),
    ]
    assert rows[1].fee == 141 and rows[2].fee is None and not rows[2].time_known


def test_tx_list_view_reads_the_store(
    qtbot: QtBot, qtmodeltester: ModelTester, tmp_path: Path
) -> None:
    store = Store(tmp_path / "wallet.sqlite")
    try:
        with store.transaction() as db:
            db.execute(
                "INSERT INTO wallet_txs (asset, txid, raw, kind, amount, fee, created_ms) "
                "VALUES ('ltc', ?, x'00', 'regfee', 100000, 2820, ?)",
                ("d" * 64, NOW),
            )
        sent = read_wallet_txs(store, "ltc")
        assert read_wallet_txs(store, "btc") == []
    finally:
        store.close()
    view = TxListView()
    qtbot.addWidget(view)
    assert view.table.isHidden() and not view.empty.isHidden()
    view.set_rows(tx_rows(sent, [coin("e" * 64, 0, 123, 1)], NOW, 150))
    model = view.model
    qtmodeltester.check(model)
    texts = [model.data(model.index(r, c)) for r in range(2) for c in range(6)]
    assert "Registration fee" in texts and "Received" in texts
    assert "-0.00100000" in texts and "+0.00000123" in texts and "1 confirmation" in texts
    view.copy_txid(model.index(0, 5))
