"""`--screenshot-dir DIR` (make screenshots): live simnet data in every tab, one PNG per tab.

Waits for the book, balances and registration, makes one trade (so Orders and Swaps show real
rows), leaves a swap in flight and a standing order, then saves the Trade tab at common laptop
and desktop sizes (trade-1366x768.png, ...), trade/orders/swaps/wallet.png and the same four in
the light theme (trade-light.png, ...).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.dex.errors import DexClientError
from app.ui.window_actions import apply_theme

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

log = logging.getLogger("cambio.ui")
TABS = ("trade", "orders", "swaps", "wallet")
THEMES = {"dark": "", "light": "-light"}  # theme -> file name suffix (not saved to the config)
SIZES = ((1366, 768), (1280, 720), (1440, 900))  # the most common laptop screens, and larger


async def wait_for(check: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"screenshots: no {what} within {timeout:.0f} s")
        await asyncio.sleep(0.25)


async def place(window: MainWindow, side: str, lots: int, rate: int, tif: str) -> None:
    rules = window.trade.rules
    assert rules is not None  # waited for
    for _ in range(20):  # the first funding coins may still be confirming
        try:
            await window.core.place_order(
                rules.name, side, "limit", lots * rules.lot_size, rate, tif
            )
            return
        except (DexClientError, ValueError, OSError) as exc:
            log.info("screenshots: %s order not placed yet: %s", side, exc)
            await asyncio.sleep(1.0)


async def save_sizes(window: MainWindow, directory: Path) -> None:
    """The Trade tab with the window as large as each screen (Xvfb has no window manager:
    the window is placed and sized as a maximised one would be)."""
    window.tabs.setCurrentIndex(0)
    start = window.geometry()
    for width, height in SIZES:
        window.setGeometry(0, 0, width, height)
        await asyncio.sleep(0.8)
        path = directory / f"trade-{width}x{height}.png"
        window.grab().save(str(path))
        log.info("screenshot saved: %s (%d×%d)", path, window.width(), window.height())
    window.setGeometry(start)
    await asyncio.sleep(0.3)


async def take_screenshots(window: MainWindow, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    book = window.trade.trading.book
    try:
        await wait_for(
            lambda: (
                window.loaded.is_set()
                and window.trade.rules is not None
                and window.core.dex.account is not None
                and book.best_ask()
                and book.best_bid()
            ),
            180,
            "live book",
        )
        ask, bid = book.best_ask(), book.best_bid()
        assert ask is not None and bid is not None
        if not window.swaps_view.finished():
            await place(window, "buy", 5, ask, "immediate")
            await wait_for(window.swaps_view.finished, 180, "completed swap")
        await place(window, "sell", 4, ask + 10 * (ask - bid), "standing")
        await place(window, "sell", 3, bid, "immediate")
        await wait_for(window.swaps_view.pending, 60, "swap in progress")
        await asyncio.sleep(3.0)  # a few confirmations and a repaint
        window.schedule_refresh()
        form = window.trade.trading.form
        form.set_price(book.best_ask() or ask)
        form.qty.stepBy(5)
        for theme in THEMES:
            apply_theme(window, theme)
            for index, name in enumerate(TABS):
                window.tabs.setCurrentIndex(index)
                await asyncio.sleep(0.6)
                path = directory / f"{name}{THEMES[theme]}.png"
                window.grab().save(str(path))
                log.info("screenshot saved: %s", path)
        apply_theme(window, "dark")
        await save_sizes(window, directory)  # last: the swap in flight is in swaps.png
    finally:
        window.quit_confirmed = True  # the simnet's swaps resume on the next `make run`
        window.close()
