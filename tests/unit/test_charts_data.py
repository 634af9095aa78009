"""Market data math for the charts: parsing, candles, the 24 h ticker, depth curves, axes,
and the epoch countdown. Pure, no Qt."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest

from app.dex.orderbook import PriceLevel
from app.trading.charts_data import (
    DAY_MS,
    Bin,
    DepthPoint,
    ServerClock,
    aggregate,
    depth_at,
    depth_curve,
    depth_view,
    epoch_countdown,
    format_change,
    format_countdown,
    nice_step,
    nice_ticks,
    rebin,
    ticker_24h,
    time_ticks,
)
from dexproto.marketdata import Candle, MarketDataError, Trade, parse_candles, parse_trades
from dexserver.marketdata import BINS, candles


def trade(time: int, rate: int, qty: int = 10, n: int = 0) -> Trade:
    return Trade(f"{n:064x}", rate, qty, time)


def random_trades(count: int, seed: int = 1) -> list[Trade]:
    rnd = random.Random(seed)
    t, out = 1_700_000_000_000, []
    for i in range(count):
        t += rnd.randint(0, 400_000)
        out.append(trade(t, rnd.randint(900, 1100), rnd.randint(1, 50), i))
    return out


def test_parse_trades_validates_and_sorts() -> None:
    data = [
        {"matchid": "ab" * 32, "rate": 5, "quantity": 7, "time": 20},
        {"matchid": "cd" * 32, "rate": 6, "quantity": 8, "time": 10},
    ]
    parsed = parse_trades(data)
    assert [t.time for t in parsed] == [10, 20]
    assert parsed[1] == Trade("ab" * 32, 5, 7, 20)


@pytest.mark.parametrize(
    "bad",
    [
        {"x": 1},
        [1],
        [{"matchid": "ab", "rate": 1, "quantity": 1, "time": 1}],
        [{"matchid": "ab" * 32, "rate": 0, "quantity": 1, "time": 1}],
        [{"matchid": "ab" * 32, "rate": True, "quantity": 1, "time": 1}],
        [{"matchid": "ab" * 32, "rate": 1.5, "quantity": 1, "time": 1}],
        [{"matchid": "ab" * 32, "rate": 1, "quantity": 1}],
    ],
)
def test_parse_trades_refuses_bad_shapes(bad: object) -> None:
    with pytest.raises(MarketDataError):
        parse_trades(bad)


def test_parse_candles_checks_ohlc_consistency() -> None:
    good = {"start": 60_000, "open": 5, "high": 9, "low": 4, "close": 6, "volume": 3}
    assert parse_candles([good]) == [Candle(60_000, 5, 9, 4, 6, 3)]
    with pytest.raises(MarketDataError, match=r"low\.\.high"):
        parse_candles([dict(good, high=5)])
    with pytest.raises(MarketDataError):
        parse_candles([dict(good, volume=-1)])


@pytest.mark.parametrize("bin_name", ["1m", "1h", "1d"])
def test_aggregate_matches_the_server(bin_name: str) -> None:
    trades = random_trades(3000)
    width = BINS[bin_name]
    ours = aggregate(trades, width)
    server = candles([(t.time, t.rate, t.quantity) for t in trades], width)
    assert [c.__dict__ for c in ours][-len(server) :] == server
    assert ours == parse_candles(server) or len(ours) > len(server)  # server keeps the last 1000


def test_rebin_equals_aggregating_at_the_coarser_width() -> None:
    trades = random_trades(2000, seed=7)
    minutes = aggregate(trades, Bin.M1.ms)
    assert rebin(minutes, Bin.H1.ms) == aggregate(trades, Bin.H1.ms)
    assert rebin(minutes, Bin.D1.ms) == aggregate(trades, Bin.D1.ms)
    assert sum(c.volume for c in minutes) == sum(t.quantity for t in trades)


def test_ticker_uses_the_price_from_24_hours_ago() -> None:
    now = 10 * DAY_MS
    trades = [
        trade(now - DAY_MS - 5, 1000),
        trade(now - 3600_000, 1100, 4),
        trade(now - 1000, 1250, 6),
    ]
    t = ticker_24h(trades, now)
    assert (t.last, t.reference, t.change_bp) == (1250, 1000, 2500)
    assert (t.high, t.low, t.volume) == (1250, 1100, 10)
    assert format_change(t.change_bp) == "+25.00%"


def test_ticker_without_older_trades_compares_with_the_first_in_the_window() -> None:
    now = 10 * DAY_MS
    t = ticker_24h([trade(now - 50, 3000), trade(now - 10, 2999)], now)
    assert t.change_bp == -3  # -0.0333% rounds toward zero
    assert format_change(t.change_bp) == "-0.03%"


def test_ticker_of_an_idle_market() -> None:
    now = 10 * DAY_MS
    t = ticker_24h([trade(now - 3 * DAY_MS, 500)], now)
    assert (t.last, t.change_bp, t.volume, t.high) == (500, 0, 0, None)
    empty = ticker_24h([], now)
    assert empty.last is None and format_change(empty.change_bp) == "—"
    assert format_change(0) == "0.00%"


def test_depth_curve_accumulates_base_and_quote() -> None:
    levels = [PriceLevel(50_000_000, 100_000_000, 1), PriceLevel(40_000_000, 200_000_000, 2)]
    assert depth_curve(levels) == [
        DepthPoint(50_000_000, 100_000_000, 50_000_000),
        DepthPoint(40_000_000, 300_000_000, 130_000_000),
    ]


def test_depth_at_reads_the_step_under_a_price() -> None:
    bids = depth_curve([PriceLevel(100, 5, 1), PriceLevel(90, 5, 1), PriceLevel(80, 5, 1)])
    asks = depth_curve([PriceLevel(110, 2, 1), PriceLevel(120, 2, 1)])
    assert depth_at(bids, 101, True) is None  # above the best bid: nothing sells there
    assert depth_at(bids, 100, True) == bids[0]
    assert depth_at(bids, 85, True) == bids[1]
    assert depth_at(bids, 1, True) == bids[2]
    assert depth_at(asks, 109, False) is None
    assert depth_at(asks, 115, False) == asks[0]
    assert depth_at(asks, 10**9, False) == asks[1]


def test_depth_view_centres_on_the_mid_and_caps_far_levels() -> None:
    bids = [PriceLevel(990, 10, 1), PriceLevel(950, 10, 1)]
    asks = [PriceLevel(1010, 5, 1), PriceLevel(1100, 5, 1), PriceLevel(9000, 500, 1)]
    view = depth_view(bids, asks, max_fraction_bp=1000)
    assert view is not None
    assert view.mid == 1000
    assert (view.lo, view.hi) == (900, 1100)  # capped: the stray ask at 9000 is outside
    assert view.max_base == 20  # its 500 do not set the scale either
    one_side = depth_view(bids, [])
    assert one_side is not None and one_side.mid == 990 and one_side.lo < 950
    assert depth_view([], []) is None


def test_nice_ticks_are_round_and_inside() -> None:
    assert nice_step(1000, 5) == 200
    assert nice_step(70, 5) == 20
    assert nice_step(0, 5) == 1
    ticks = nice_ticks(1_234_000, 1_256_000, 4)
    assert ticks == [1_235_000, 1_240_000, 1_245_000, 1_250_000, 1_255_000]
    assert nice_ticks(5, 5) == [5]


def test_time_ticks_pick_a_readable_step() -> None:
    start = 1_700_000_000_000
    ticks = time_ticks(start, start + 6 * 3600_000, 6)
    assert len(ticks) <= 7 and all(t % 3600_000 == 0 for t in ticks)
    assert all(b - a == ticks[1] - ticks[0] for a, b in pairwise(ticks))


def test_epoch_countdown_and_server_clock() -> None:
    c = epoch_countdown(6000, 60_000 + 1500)
    assert (c.epoch, c.remaining_ms, c.elapsed_ppm) == (10, 4500, 250_000)
    assert epoch_countdown(6000, 66_000).remaining_ms == 6000  # a fresh epoch is whole
    clock = ServerClock()
    clock.sync(server_ms=100_000, local_ms=97_000)  # our clock is 3 s behind
    assert clock.now(98_000) == 101_000
    with pytest.raises(ValueError):
        epoch_countdown(0, 5)


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (4230, "4.2 s"),
        (0, "0.0 s"),
        (-5, "0.0 s"),
        (59_999, "59.9 s"),
        (65_000, "1:05"),
        (3_600_000, "60:00"),
    ],
)
def test_format_countdown(ms: int, text: str) -> None:
    assert format_countdown(ms) == text
