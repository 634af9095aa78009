"""The trading screen's core: the order book beside the order form, one widget to embed.

The window feeds it from DEX events and wallet data:

    view.set_market(MarketRules.from_config(config, "ltc", "btc"))
    on BookUpdated(delta=None): view.apply_snapshot(mirror)
    on BookUpdated(delta):      view.apply_delta(delta)
    view.set_balance("btc", coin_values); view.set_connected(True)
    view.order_requested.connect(lambda req: core.place_order(req))   # an OrderRequest

The book sits in a vertical splitter (`splitter`) so the trade tab can put the charts above
it; the form keeps the view's full height beside them, its submit button always in sight.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.client.views import BookDelta, BookUpdated, MarketRules, OrderBookMirror
from app.ui.book_model import BookModel
from app.ui.book_view import BookView
from app.ui.order_form_view import OrderFormView
from app.ui.qt import QFrame, QHBoxLayout, QSplitter, Qt, QVBoxLayout, QWidget, Signal

FORM_WIDTH = 330


class TradingView(QWidget):
    order_requested = Signal(object)  # OrderRequest, after the user confirmed it

    def __init__(self, parent: QWidget | None = None, interval_ms: int = 50) -> None:
        super().__init__(parent)
        self.book = BookModel(self, interval_ms=interval_ms)
        self.book_view = BookView(self.book)
        self.form = OrderFormView()
        self.form.setFixedWidth(FORM_WIDTH)
        card = QFrame()
        card.setObjectName("card")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(1, 1, 1, 1)
        inner.addWidget(self.book_view)
        self.book_card = card
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("tradesplit")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(10)
        self.splitter.addWidget(card)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(10)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.form)
        self.book_view.level_clicked.connect(self.form.set_level)
        self.book.flushed.connect(self._book_moved)
        self.form.order_requested.connect(self.order_requested)

    def set_market(self, rules: MarketRules) -> None:
        """Switch to a market; the book stays empty until the next snapshot."""
        self.book.load((), ())
        self.book_view.set_market(rules.base, rules.quote, rules.lot_size, rules.rate_step)
        self.form.set_market(rules)

    def apply_snapshot(self, mirror: OrderBookMirror) -> None:
        self.book.load_mirror(mirror)

    def apply_delta(self, delta: BookDelta) -> None:
        self.book.queue(delta)  # shown at the next coalesced flush

    def on_book_updated(self, event: BookUpdated, mirror: OrderBookMirror) -> None:
        if event.delta is None:
            self.apply_snapshot(mirror)
        else:
            self.apply_delta(event.delta)

    def set_balance(self, asset: str, coins: Iterable[int]) -> None:
        """Values of the spendable coins of `asset`: unlocked, with `fundconf` confirmations."""
        self.form.set_funds(asset, tuple(coins))

    def set_connected(self, connected: bool) -> None:
        self.form.set_connected(connected)

    def _book_moved(self) -> None:
        self.form.set_best(self.book.best_bid(), self.book.best_ask())
