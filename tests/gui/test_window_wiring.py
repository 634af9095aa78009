"""The window's wiring: book events as deltas (no polling), the Trade tab's market data
widgets, Send and the transaction list per asset, Settings with a live theme switch, and the
strict parsing of the `trades`/`candles` results."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
import qasync

from app.client.client import Client
from app.client.events import BookChanged, ServerTime
from app.dex.events import BookUpdated
from app.dex.orderbook import ApplyStatus, BookDelta, OrderBookMirror
from app.dex.session import Call, Session
from app.trading.orderform import ChainFees, MarketRules
from app.ui.main_window import MainWindow
from app.ui.qt import QApplication
from app.ui.send_dialog import SendDialog
from app.ui.style import LIGHT
from app.ui.wallet_view import AssetSnapshot
from app.ui.window_actions import apply_theme
from dexproto.errors import ProtocolError
from dexproto.jsonrpc import response_frame
from dexproto.marketdata import Candle, Trade

RULES = MarketRules("ltc", "btc", 1_000_000, 1_000, ChainFees(10, 225), ChainFees(3, 220))
DELTA = BookDelta(ApplyStatus.APPLIED, ())


def test_core_forwards_book_updates_as_events(core: Client) -> None:
    seen: list[object] = []
    core.events.subscribe(seen.append)
    core.dex_events.on_dex_event(BookUpdated(1, "ltc_btc", DELTA))
    core.dex_events.on_dex_event(BookUpdated(1, "ltc_btc", None))
    assert seen == [BookChanged("ltc_btc", DELTA), BookChanged("ltc_btc", None)]


def test_book_deltas_are_queued_and_snapshots_reload(
    window: MainWindow,
    core: Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window.trade.set_market(RULES)
    mirror = OrderBookMirror(1)
    deltas: list[BookDelta] = []
    snapshots: list[OrderBookMirror] = []
    monkeypatch.setattr(window.bridge, "book", lambda _m: mirror)
    monkeypatch.setattr(window.trade.trading, "apply_delta", deltas.append)
    monkeypatch.setattr(window.trade.trading, "apply_snapshot", snapshots.append)
    core.events.emit(BookChanged("ltc_btc", DELTA))  # no snapshot shown yet: load it whole
    assert snapshots == [mirror] and deltas == []
    core.events.emit(BookChanged("ltc_btc", DELTA))
    core.events.emit(BookChanged("ltc_btc", DELTA))
    assert deltas == [DELTA, DELTA] and len(snapshots) == 1
    core.events.emit(BookChanged("ltc_btc", None))  # resync: a fresh snapshot
    core.events.emit(BookChanged("btc_ltc", None))  # another market: not shown
    assert len(snapshots) == 2 and len(deltas) == 2
    assert not hasattr(window.bridge, "_book_timer")  # no polling left


def test_trade_tab_shows_market_data_and_epoch(
    window: MainWindow,
    core: Client,
) -> None:
    tab = window.trade
    tab.set_market(RULES)
    trades = [
        Trade("ab" * 32, 1_000_000, 2_000_000, 1_000),
        Trade("cd" * 32, 1_100_000, 1_000_000, 2_000),
    ]
    tab.show_trades("ltc_btc", trades)
    assert tab.markets.markets.rowCount() == 1
    assert tab.markets.markets.rows[0].ticker.last == 1_100_000
    assert tab.trades.model.rowCount() == 2
    candles = [Candle(0, 1_000_000, 1_100_000, 1_000_000, 1_100_000, 3_000_000)]
    tab.show_candles("ltc_btc", "1h", candles)
    assert tab.candles.series() == candles
    tab.epoch.set_epoch_length(10_000)
    core.events.emit(ServerTime(123_456))
    assert tab.epoch.server.offset_ms != 0
    assert "Epoch" in tab.epoch.text()


def test_send_button_opens_the_send_dialog(
    window: MainWindow,
    loop: qasync.QEventLoop,
) -> None:
    view = window.wallet_view
    assert set(view.txs) == {"ltc", "btc"}
    card = view.cards["ltc"]
    assert not card.send.isEnabled()
    aw = window.wallet.asset("ltc")
    view.show_snapshot(
        AssetSnapshot(
            aw.asset,
            available=50_000_000,
            unconfirmed=0,
            locked_orders=0,
            locked_swaps=0,
            address="rltc1qexample",
        )
    )
    assert card.send.isEnabled()

    async def click() -> None:
        card.send.click()
        dialog = window.send_dialog
        assert isinstance(dialog, SendDialog) and dialog.pending is not None
        with contextlib.suppress(Exception):  # no node here: the fee estimate fails
            await dialog.pending
        dialog.reject()

    loop.run_until_complete(asyncio.wait_for(click(), 10))


def test_settings_opens_and_the_theme_switches_live(
    window: MainWindow,
    qapp: QApplication,
) -> None:
    before = qapp.styleSheet()
    window.settings_button.click()
    dialog = window.settings_dialog
    assert dialog is not None and dialog.isVisible()
    try:
        dialog.theme_changed.emit("light")
        assert window.theme == "light" and qapp.styleSheet() == LIGHT
    finally:
        apply_theme(window, "dark")
        qapp.setStyleSheet(before)
        dialog.reject()


def _answer(method: str, params: dict[str, object], result: object) -> object:
    session = Session()
    call = Call(method, params)  # type: ignore[arg-type]
    request_id, _frame = session.request(call, 1e12)
    inbound = session.receive(response_frame(request_id, json.loads(json.dumps(result))))
    assert inbound.resolved is not None
    if inbound.resolved.error is not None:
        raise inbound.resolved.error
    return inbound.resolved.result


def test_trades_and_candles_results_are_parsed_strictly() -> None:
    import app.dex.client  # noqa: F401 - registers the result parsers

    trade = {"matchid": "ab" * 32, "rate": 5, "quantity": 7, "time": 9}
    assert _answer("trades", {}, [trade]) == [Trade("ab" * 32, 5, 7, 9)]
    with pytest.raises(ProtocolError):
        _answer("trades", {}, [{**trade, "rate": -1}])
    candle = {"start": 0, "open": 2, "high": 3, "low": 1, "close": 2, "volume": 4}
    assert _answer("candles", {}, [candle]) == [Candle(0, 2, 3, 1, 2, 4)]
    with pytest.raises(ProtocolError):
        _answer("candles", {}, [{**candle, "high": 0}])
