"""Market data for the Trade tab: recent trades (market list ticker, trades view) and candles
of the shown market, fetched from the server every few seconds and at once on a bin change.

Polled, not pushed: the protocol has no trade feed; a match shows up within one interval.
Fetch failures (not connected yet, a dropped link) are quiet: the next round retries.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from app.dex.errors import DexClientError
from app.ui.qt import QObject, QTimer

if TYPE_CHECKING:
    from app.ui.client_bridge import ClientBridge
    from app.ui.trade_tab import TradeTab

log = logging.getLogger("cambio.ui")
FEED_MS = 4000


class MarketFeed(QObject):
    def __init__(self, bridge: ClientBridge, tab: TradeTab, interval_ms: int = FEED_MS) -> None:
        super().__init__(bridge)
        self.bridge, self.tab = bridge, tab
        self._task: asyncio.Task[Any] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)
        tab.candles.bin_changed.connect(self.fetch_candles)

    def start(self) -> None:
        self._timer.start()
        self.poll()

    def poll(self) -> None:
        if not _loop_running() or (self._task is not None and not self._task.done()):
            return  # no asyncio loop (widget tests), or the last round is still running
        self._task = self.bridge.spawn(self.fetch_all())

    def fetch_candles(self, bin_name: str) -> None:
        if _loop_running():
            self.bridge.spawn(self._candles(bin_name))

    async def fetch_all(self) -> None:
        config = self.bridge.config
        for market in config.markets if config is not None else ():
            try:
                trades = await self.bridge.core.trades(market.name)
            except (DexClientError, TimeoutError, OSError) as exc:
                log.debug("trades %s: %s", market.name, exc)
                return
            self.tab.show_trades(market.name, trades)
        await self._candles(self.tab.candles.bin.value)

    async def _candles(self, bin_name: str) -> None:
        rules = self.tab.rules
        if rules is None:
            return
        try:
            candles = await self.bridge.core.candles(rules.name, bin_name)
        except (DexClientError, TimeoutError, OSError) as exc:
            log.debug("candles %s %s: %s", rules.name, bin_name, exc)
            return
        self.tab.show_candles(rules.name, bin_name, candles)


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
