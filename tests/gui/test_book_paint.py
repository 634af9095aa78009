"""The order book's own row painting: depth bars from the right edge in proportion to the
depth, the level's own bar over it, texts right-aligned in their columns, the hover row, and
partial repaints that cover only the rows asked for."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.dex.orderbook import PriceLevel
from app.ui.book_model import BookModel, Column
from app.ui.book_view import ROW_HEIGHT, BookTable, BookView
from app.ui.qt import QColor, QPointF, Qt
from app.ui.style import DARK_PALETTE

pytestmark = [pytest.mark.qt_log_ignore("Detected locale", "propagateSizeHints")]
LOT = 1_000_000
PANEL = QColor(DARK_PALETTE.panel)


def book_view(qtbot: QtBot) -> BookView:
    """Four bid levels of 1, 1, 2, 4 lots (depth 1, 2, 4, 8) and one ask; bars are full at
    the depth of 4 levels, so the bids' cumulative bars are 1/8, 2/8, 4/8 and 8/8 wide."""
    model = BookModel(interval_ms=10, bar_levels=4)
    view = BookView(model)
    qtbot.addWidget(view)
    view.resize(460, 400)
    view.set_market("ltc", "btc", LOT, 1000)
    bids = [PriceLevel(3_000_000 - i * 1000, q * LOT, 1) for i, q in enumerate((1, 1, 2, 4))]
    model.load(bids, [PriceLevel(3_010_000, LOT, 1)])
    view.show()
    qtbot.waitExposed(view)
    return view


def tinted(color: QColor) -> bool:
    return color != PANEL and color.green() > color.red() + 8


def bar_start(image: Any, row: int) -> int:  # a QImage
    """The leftmost x of the tinted run that ends at the right edge, on the row's top line."""
    y = row * ROW_HEIGHT + 2  # inside the bar, above the glyphs
    x: int = image.width() - 1
    while x > 0 and tinted(image.pixelColor(x - 1, y)):
        x -= 1
    return x


def test_bars_grow_from_the_right_in_proportion_to_depth(qtbot: QtBot) -> None:
    view = book_view(qtbot)
    table = view.bids
    image = table.viewport().grab().toImage()
    width = table.viewport().width()
    for row, eighths in enumerate((1, 2, 4, 8)):
        assert abs(bar_start(image, row) - (width - width * eighths // 8)) <= 1, row
    # the level's own size is the stronger bar at the right end: row 3 (4 of 8 lots)
    y = 3 * ROW_HEIGHT + 2
    strong, faint = image.pixelColor(width - 2, y), image.pixelColor(width // 4, y)
    assert strong.green() > faint.green()
    assert image.pixelColor(width // 4, y + ROW_HEIGHT) == PANEL  # below the last level


def test_texts_are_right_aligned_in_their_columns(qtbot: QtBot) -> None:
    view = book_view(qtbot)
    table = view.bids
    image = table.viewport().grab().toImage()
    for column in Column:
        right = table.columnViewportPosition(column) + table.columnWidth(column)
        ink = [
            x
            for x in range(table.columnViewportPosition(column), right)
            for y in range(4, ROW_HEIGHT - 3)
            if image.pixelColor(x, y).lightness() > 110
        ]  # row 0 text, over a faint bar
        assert ink, column
        assert right - 16 <= max(ink) < right - 6  # 10 px from the right edge, give or take


def test_hover_lights_one_row_and_repaints_only_rows(qtbot: QtBot) -> None:
    view = book_view(qtbot)
    table: BookTable = view.bids
    painted: list[tuple[int, int]] = []
    original = table.visible_rows

    def spy(top: int, bottom: int) -> range:
        painted.append((top, bottom))
        return original(top, bottom)

    table.visible_rows = spy  # type: ignore[method-assign]
    qtbot.mouseMove(table.viewport(), QPointF(40, 5 * ROW_HEIGHT + 5).toPoint())  # below the levels
    qtbot.mouseMove(table.viewport(), QPointF(40, ROW_HEIGHT + 5).toPoint())
    qtbot.waitUntil(lambda: table.hover_row == 1)
    painted.clear()
    table.viewport().repaint(0, ROW_HEIGHT, 10, ROW_HEIGHT)
    assert painted == [(ROW_HEIGHT, 2 * ROW_HEIGHT - 1)]
    assert list(original(ROW_HEIGHT, 2 * ROW_HEIGHT - 1)) == [1]
    image = table.viewport().grab().toImage()
    assert image.pixelColor(2, ROW_HEIGHT + 2) == QColor(DARK_PALETTE.book_hover)
    assert image.pixelColor(2, 2) == PANEL
    assert list(original(9 * ROW_HEIGHT, 12 * ROW_HEIGHT)) == []  # nothing below the levels


def test_clicking_a_row_still_emits_its_rate(qtbot: QtBot) -> None:
    view = book_view(qtbot)
    index = view.bids.model().index(2, Column.TOTAL)
    with qtbot.waitSignal(view.price_clicked) as clicked:
        qtbot.mouseClick(
            view.bids.viewport(),
            Qt.MouseButton.LeftButton,
            pos=view.bids.visualRect(index).center(),
        )
    assert clicked.args == [2_998_000]
