"""Market data for the charts, the market list and the epoch timer. Pure: no Qt, no I/O.

Server shapes (dexserver/marketdata.py): trade {matchid, rate, quantity, time}, candle
{start, open, high, low, close, volume}; times in ms, rates quote atoms per 10^8 base atoms,
quantities base atoms. Everything here stays in integers; only the widgets turn values into
pixel positions.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.dex.orderbook import PriceLevel
from dexproto.assets import ATOMS_PER_COIN
from dexproto.marketdata import Candle, Trade

DAY_MS = 86_400_000


class Bin(StrEnum):
    M1 = "1m"
    H1 = "1h"
    D1 = "1d"

    @property
    def ms(self) -> int:
        return BIN_MS[self]


BIN_MS: dict[Bin, int] = {Bin.M1: 60_000, Bin.H1: 3_600_000, Bin.D1: DAY_MS}


# --- candles ---------------------------------------------------------------------------------
def aggregate(trades: Iterable[Trade], width: int) -> list[Candle]:
    """OHLCV bins of `width` ms from trades sorted by time (the server's algorithm): each
    trade is a one-point candle, binned like finer candles."""
    return rebin(
        (Candle(t.time, t.rate, t.rate, t.rate, t.rate, t.quantity) for t in trades), width
    )


def rebin(candles: Iterable[Candle], width: int) -> list[Candle]:
    """Coarser candles from finer ones (1m -> 1h): `width` must be a multiple of theirs
    (any start time works for one-point candles)."""
    out: list[Candle] = []
    for c in candles:
        start = c.start // width * width
        if out and out[-1].start == start:
            p = out[-1]
            out[-1] = Candle(
                start, p.open, max(p.high, c.high), min(p.low, c.low), c.close, p.volume + c.volume
            )
        else:
            out.append(Candle(start, c.open, c.high, c.low, c.close, c.volume))
    return out


# --- 24 h ticker -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Ticker:
    last: int | None  # rate of the latest trade
    reference: int | None  # rate 24 h ago: the last trade before the window, else its first
    change_bp: int | None  # (last - reference) / reference in basis points, toward zero
    high: int | None
    low: int | None
    volume: int  # base atoms traded in the window


def ticker_24h(trades: Sequence[Trade], now_ms: int) -> Ticker:
    """Last price and 24 h change from trades sorted oldest first."""
    if not trades:
        return Ticker(None, None, None, None, None, 0)
    times = [t.time for t in trades]
    first_in = bisect_left(times, now_ms - DAY_MS)
    window = trades[first_in:]
    last = trades[-1].rate
    if first_in > 0:
        reference: int | None = trades[first_in - 1].rate
    else:
        reference = window[0].rate if window else None
    change = None
    if reference:
        diff = last - reference
        change = (abs(diff) * 10_000 // reference) * (1 if diff >= 0 else -1)
    rates = [t.rate for t in window]
    return Ticker(
        last,
        reference,
        change,
        max(rates, default=None),
        min(rates, default=None),
        sum(t.quantity for t in window),
    )


def format_change(change_bp: int | None) -> str:
    if change_bp is None:
        return "—"
    sign = "+" if change_bp > 0 else "-" if change_bp < 0 else ""
    whole, frac = divmod(abs(change_bp), 100)
    return f"{sign}{whole}.{frac:02d}%"


# --- depth chart -----------------------------------------------------------------------------
@dataclass(frozen=True)
class DepthPoint:
    rate: int
    base: int  # cumulative base atoms from the best level up to this one
    quote: int  # what that cumulative amount costs in quote atoms


def depth_curve(levels: Iterable[PriceLevel]) -> list[DepthPoint]:
    """Cumulative curve over levels given best first (OrderBookMirror.depth order)."""
    out, base, quote = [], 0, 0
    for level in levels:
        base += level.quantity
        quote += level.rate * level.quantity // ATOMS_PER_COIN
        out.append(DepthPoint(level.rate, base, quote))
    return out


def depth_at(curve: Sequence[DepthPoint], rate: int, bids: bool) -> DepthPoint | None:
    """The cumulative point a trade down (bids) or up (asks) to `rate` reaches, or None."""
    if bids:  # rates fall along the curve: the last point with point.rate >= rate
        keys = [-p.rate for p in curve]
        i = bisect_right(keys, -rate)
    else:
        i = bisect_right([p.rate for p in curve], rate)
    return curve[i - 1] if i else None


@dataclass(frozen=True)
class DepthView:
    bids: list[DepthPoint]
    asks: list[DepthPoint]
    mid: int
    lo: int  # price window shown, symmetric around mid
    hi: int
    max_base: int  # highest cumulative amount inside the window (the y scale)


def depth_view(
    bids: Sequence[PriceLevel], asks: Sequence[PriceLevel], max_fraction_bp: int = 5000
) -> DepthView | None:
    """Both curves and a window centred on the mid price. The half width reaches the farthest
    level shown but at most `max_fraction_bp` of the mid, so one stray order far away does not
    squash the interesting part flat against the middle."""
    bid_c, ask_c = depth_curve(bids), depth_curve(asks)
    if not bid_c and not ask_c:
        return None
    both = bid_c and ask_c
    mid = (bid_c[0].rate + ask_c[0].rate) // 2 if both else (bid_c or ask_c)[0].rate
    reach = max(mid - bid_c[-1].rate if bid_c else 0, ask_c[-1].rate - mid if ask_c else 0)
    reach += reach // 20  # a margin, so the farthest level's step is visible
    half = max(1, min(reach, mid * max_fraction_bp // 10_000) or mid // 100)
    lo, hi = max(0, mid - half), mid + half
    inside = [p.base for p in bid_c if p.rate >= lo] + [p.base for p in ask_c if p.rate <= hi]
    return DepthView(bid_c, ask_c, mid, lo, hi, max(inside, default=0))


# --- axes ------------------------------------------------------------------------------------
def nice_step(span: int, count: int) -> int:
    """The 1-2-5 step (integer, >= 1) whose tick count over `span` is nearest to `count`."""
    count = max(1, count)
    raw = max(1, span // count)
    power = 1
    while power * 10 <= raw:
        power *= 10
    steps = [power * m for m in (1, 2, 5, 10)]
    return min(steps, key=lambda step: (abs(span / step - count), step))


def nice_ticks(lo: int, hi: int, count: int = 5) -> list[int]:
    """Round values between lo and hi inclusive for axis labels."""
    if hi <= lo:
        return [lo]
    step = nice_step(hi - lo, count)
    first = -(-lo // step) * step
    return list(range(first, hi + 1, step))


TIME_STEPS_MS = (
    60_000,
    300_000,
    900_000,
    1_800_000,
    3_600_000,
    10_800_000,
    21_600_000,
    43_200_000,
    DAY_MS,
    2 * DAY_MS,
    7 * DAY_MS,
    30 * DAY_MS,
)


def time_ticks(start: int, end: int, max_ticks: int) -> list[int]:
    """Round times (ms) in [start, end] with at most `max_ticks` of them."""
    span = max(1, end - start)
    step = next((s for s in TIME_STEPS_MS if span // s <= max(1, max_ticks)), TIME_STEPS_MS[-1])
    first = -(-start // step) * step
    return list(range(first, end + 1, step))


# --- epochs ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Countdown:
    epoch: int
    remaining_ms: int  # until the epoch closes and its orders are matched
    length_ms: int

    @property
    def elapsed_ppm(self) -> int:
        """How far the epoch has run, in millionths (for a progress bar)."""
        return (self.length_ms - self.remaining_ms) * 1_000_000 // self.length_ms


def epoch_countdown(epochlen_ms: int, server_now_ms: int) -> Countdown:
    if epochlen_ms <= 0 or server_now_ms < 0:
        raise ValueError("need epochlen > 0 and a time >= 0")
    epoch = server_now_ms // epochlen_ms
    return Countdown(epoch, (epoch + 1) * epochlen_ms - server_now_ms, epochlen_ms)


class ServerClock:
    """The server's clock seen from ours: an offset learned from a `servertime` sample.

    Epochs are cut by the server's clock, so a local clock a few seconds off would show the
    countdown a few seconds off without it."""

    def __init__(self) -> None:
        self.offset_ms = 0

    def sync(self, server_ms: int, local_ms: int) -> None:
        self.offset_ms = server_ms - local_ms

    def now(self, local_ms: int) -> int:
        return local_ms + self.offset_ms


def format_countdown(ms: int) -> str:
    """'4.2 s' under a minute (epochs are short), else 'm:ss'."""
    ms = max(0, ms)
    if ms < 60_000:
        return f"{ms // 1000}.{ms % 1000 // 100} s"
    seconds = -(-ms // 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"
