"""The theme: one palette per theme drives every stylesheet and every painted widget, a live
switch reaches the widgets already on screen, colours stay readable, and no widget keeps its
own colour literals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.client.swap_rows import Mark, Step
from app.dex.orderbook import OrderBookMirror
from app.trading.orderform import ChainFees, MarketRules
from app.ui import forms
from app.ui.qt import QApplication, QColor, Qt
from app.ui.style import (
    DARK,
    DARK_PALETTE,
    LIGHT,
    LIGHT_PALETTE,
    Palette,
    apply_app_theme,
    current_palette,
    dialog_style,
    form_style,
)
from app.ui.swap_tracker import StepTracker
from app.ui.trade_tab import TradeTab
from benchmarks.bench_book import LOT, MARKET, RATE_STEP, BookFeed
from dexproto.marketdata import Trade

pytestmark = [pytest.mark.qt_log_ignore("Detected locale", "propagateSizeHints")]
RULES = MarketRules("ltc", "btc", LOT, RATE_STEP, ChainFees(10, 225), ChainFees(3, 220))
UI = Path(__file__).resolve().parents[2] / "app" / "ui"
HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|QColor\(\d")
# Files whose colours are still their own, with the reason; every other file takes its
# colours from style.Palette (style.py is the palette itself).
NOT_YET_THEMED = {
    "status.py": "status dots: green/amber/red/grey read on both backgrounds",
    "wallet_view.py": "the QR code stays dark on white in both themes, for scanners",
}


@pytest.fixture
def dark_again(qapp: QApplication) -> Iterator[None]:
    before = qapp.styleSheet()
    yield
    apply_app_theme("dark")
    qapp.setStyleSheet(before)


def trade_tab(qtbot: QtBot) -> TradeTab:
    tab = TradeTab()
    qtbot.addWidget(tab)
    tab.resize(1280, 800)
    tab.set_market(RULES)
    mirror = OrderBookMirror(MARKET)
    mirror.apply_snapshot(BookFeed(seed=4).snapshot(300))
    tab.show_book(mirror)
    tab.show_trades(
        RULES.name,
        [
            Trade(f"{i:064x}", 3_000_000 + (i % 3 - 1) * 1000, LOT, 1_760_000_000_000 + i)
            for i in range(6)
        ],
    )
    tab.show()
    qtbot.waitExposed(tab)
    return tab


def luminance(hex_color: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    color = QColor(hex_color)
    return (
        0.2126 * channel(color.red())
        + 0.7152 * channel(color.green())
        + 0.0722 * channel(color.blue())
    )


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def colours_of(p: Palette) -> set[str]:
    return {
        getattr(p, f.name)
        for f in fields(p)
        if isinstance(getattr(p, f.name), str) and getattr(p, f.name).startswith("#")
    }


def test_a_live_switch_recolours_the_widgets_on_screen(
    qtbot: QtBot, qapp: QApplication, dark_again: None
) -> None:
    tab = trade_tab(qtbot)
    book, depth, trades = tab.trading.book_view, tab.depth_chart, tab.trades.model
    form = tab.trading.form
    assert book.bids.colors.texts[0] == QColor(DARK_PALETTE.up)
    assert DARK_PALETTE.panel in book.styleSheet()

    assert apply_app_theme("light") is LIGHT_PALETTE and current_palette() is LIGHT_PALETTE
    assert qapp.styleSheet() == LIGHT
    # the book: bid/ask text, bars and hover from the light palette, its sheet too
    bids, asks = book.bids.colors, book.asks.colors
    assert (bids.texts[0], asks.texts[0]) == (QColor(LIGHT_PALETTE.up), QColor(LIGHT_PALETTE.down))
    assert bids.texts[1] == QColor(LIGHT_PALETTE.text_soft)
    assert bids.hover == QColor(LIGHT_PALETTE.book_hover)
    assert bids.depth.alpha() == LIGHT_PALETTE.depth_alpha
    assert LIGHT_PALETTE.panel in book.styleSheet() and DARK_PALETTE.panel not in book.styleSheet()
    # the charts, the trades' tick colours, the market list, the epoch timer
    for chart in (depth, tab.candles.plot):
        assert chart.colors.background == QColor(LIGHT_PALETTE.panel)
        assert chart.colors.up == QColor(LIGHT_PALETTE.up)
    assert depth.grab().toImage().pixelColor(3, 3) == QColor(LIGHT_PALETTE.panel)
    ticked = next(r for r in range(trades.rowCount()) if trades.rows[r][1] != 0)
    tick_color = trades.data(trades.index(ticked, 0), Qt.ItemDataRole.ForegroundRole)
    assert tick_color in (QColor(LIGHT_PALETTE.up), QColor(LIGHT_PALETTE.down))
    assert tab.markets.markets.colors.down == QColor(LIGHT_PALETTE.down)
    assert LIGHT_PALETTE.muted in tab.markets.styleSheet()
    assert tab.epoch.colors.accent == QColor(LIGHT_PALETTE.accent)
    assert LIGHT_PALETTE.buy in form.styleSheet() and DARK_PALETTE.surface not in form.styleSheet()
    # what is painted really is light: the book's empty area and the form's card
    image = book.bids.viewport().grab().toImage()
    assert image.pixelColor(2, image.height() - 2).lightness() > 240
    assert form.grab().toImage().pixelColor(form.width() // 2, 4).lightness() > 240

    apply_app_theme("dark")
    assert book.bids.colors.texts[0] == QColor(DARK_PALETTE.up)
    assert depth.colors.background == QColor(DARK_PALETTE.panel)
    assert form.grab().toImage().pixelColor(form.width() // 2, 4).lightness() < 60


def test_widgets_built_after_a_switch_start_in_that_theme(qtbot: QtBot, dark_again: None) -> None:
    apply_app_theme("light")
    tab = trade_tab(qtbot)
    assert tab.trading.book_view.asks.colors.texts[0] == QColor(LIGHT_PALETTE.down)
    assert tab.depth_chart.colors.background == QColor(LIGHT_PALETTE.panel)
    tracker = StepTracker()
    qtbot.addWidget(tracker)
    tracker.resize(420, 46)
    tracker.set_steps(
        (
            (Step.MATCHED, Mark.DONE),
            (Step.OUR_INIT, Mark.ACTIVE),
            (Step.THEIR_INIT, Mark.TODO),
            (Step.REDEEMED, Mark.TODO),
        )
    )
    image = tracker.grab().toImage()
    done_dot = image.pixelColor(int(420 / 8), 4 + 14 // 2)
    assert done_dot == QColor(LIGHT_PALETTE.ok)
    # the step labels are dark text on the light card, not the dark theme's near-white
    label_row = [image.pixelColor(x, 32) for x in range(0, 105)]
    assert min(c.lightness() for c in label_row) < 120


def test_form_rules_follow_the_palette() -> None:
    assert form_style("dark") in dialog_style(DARK_PALETTE, forms.ThemedDialog.RULES)
    light, dark = form_style("light"), form_style("dark")
    assert LIGHT_PALETTE.sunken in light and DARK_PALETTE.sunken not in light
    assert DARK_PALETTE.sunken in dark and LIGHT_PALETTE.error not in dark
    assert set(re.findall(r"#[0-9a-f]{6}", light)) <= colours_of(LIGHT_PALETTE)
    assert set(re.findall(r"#[0-9a-f]{6}", DARK)) <= colours_of(DARK_PALETTE)
    assert set(re.findall(r"#[0-9a-f]{6}", LIGHT)) <= colours_of(LIGHT_PALETTE)


@pytest.mark.parametrize("p", [DARK_PALETTE, LIGHT_PALETTE], ids=lambda p: p.name)
def test_text_colours_are_readable(p: Palette) -> None:
    """WCAG AA (4.5:1) for text on the backgrounds it sits on; bid and ask colours apart."""
    for background in (p.window, p.surface, p.panel):
        for name in ("text", "muted", "faint", "up", "down", "error", "link", "label"):
            ratio = contrast(getattr(p, name), background)
            assert ratio >= 4.5, f"{p.name}: {name} on {background} is {ratio:.2f}:1"
    for fill_, text in (
        (p.accent, p.on_accent),
        (p.buy, p.on_accent),
        (p.sell, p.on_accent),
        (p.banner_bg, p.banner_text),
        (p.book_hover, p.text_soft),
    ):
        assert contrast(fill_, text) >= 4.0, f"{p.name}: {text} on {fill_}"
    up, down = QColor(p.up), QColor(p.down)
    assert up.green() > up.red() + 60 and down.red() > down.green() + 60


def test_no_colour_literals_outside_the_palette() -> None:
    stray = {}
    for path in sorted(UI.glob("*.py")):
        if path.name == "style.py" or path.name in NOT_YET_THEMED:
            continue
        hits = HEX.findall(path.read_text())
        if hits:
            stray[path.name] = hits
    assert not stray, f"colours outside style.Palette: {stray}"
