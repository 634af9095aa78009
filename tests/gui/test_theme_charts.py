"""The depth chart's top labels (legend, amount unit, mid price) never overlap, at any width
and wherever the mid price falls, in both themes."""

from __future__ import annotations

from itertools import combinations

import pytest
from pytestqt.qtbot import QtBot

from app.dex.orderbook import PriceLevel
from app.ui.chart_paint import TOP
from app.ui.charts import DepthChartWidget, legend_rects
from app.ui.qt import QRectF

pytestmark = [pytest.mark.qt_log_ignore("Detected locale")]


def assert_apart(rects: list[QRectF], width: float) -> None:
    for a, b in combinations(rects, 2):
        assert not a.intersects(b), (a, b)
    for rect in rects:
        assert rect.left() >= 0 and rect.right() <= width, rect


@pytest.mark.parametrize("width", [260, 320, 420, 520, 700, 1000])
@pytest.mark.parametrize("mid_share", [0.0, 0.1, 0.3, 0.5, 0.8, 1.0])
def test_label_layout_never_overlaps(width: int, mid_share: float) -> None:
    plot = QRectF(8, TOP, width - 8 - 84, 200)
    mid_x = plot.left() + plot.width() * mid_share
    for mid_w in (60.0, 110.0, 160.0):  # short and long prices, CJK legend widths
        legend, unit, mid = legend_rects(width, [26.0, 40.0], 24.0, mid_w, mid_x, plot)
        assert_apart([*legend, unit, mid], width)
        assert mid.width() == mid_w
        if mid.top() < TOP:  # in the strip: as close to the mid line as the room allows
            lo, hi = legend[-1].right(), unit.left()
            assert lo < mid.left() and mid.right() < hi
            if lo + mid_w / 2 + 10 < mid_x < hi - mid_w / 2 - 10:
                assert mid.center().x() == pytest.approx(mid_x)
        else:  # no room in the strip: just inside the plot, still near the mid line
            assert plot.contains(mid)


@pytest.mark.parametrize("width", [320, 400, 460, 640])
def test_painted_depth_chart_labels_do_not_overlap(qtbot: QtBot, width: int) -> None:
    chart = DepthChartWidget()
    qtbot.addWidget(chart)
    chart.resize(width, 240)
    chart.set_market("ltc", "btc", 8, 4)
    # a lopsided book: the mid sits far left, where the legend is
    bids = [PriceLevel(3_000_000 - i * 10, 10_000_000, 1) for i in range(3)]
    asks = [PriceLevel(3_001_000 + i * 20_000, 10_000_000, 1) for i in range(40)]
    chart.set_levels(bids, asks)
    chart.grab()
    assert len(chart.label_rects) == 4
    assert chart.width() == width
    assert_apart(chart.label_rects, width)
