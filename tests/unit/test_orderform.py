"""Order entry rules (app.trading.orderform) and the book rows (app.trading.book_rows)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.dex.orderbook import LevelChange, PriceLevel
from app.trading.book_rows import OpKind, SideRows, Spread, decimals_for
from app.trading.orderform import (
    ChainFees,
    Field,
    Funds,
    InvalidOrderError,
    Issue,
    MarketRules,
    OrderFormState,
    OrderKind,
    snap_value,
    step_value,
)
from dexproto.assets import Network
from dexproto.feed_messages import BookSide
from dexproto.messages import (
    AssetInfo,
    ConfigResult,
    LockTimes,
    MarketInfo,
    RegFee,
    Side,
    TimeInForce,
)
from dexproto.rules import funding_need, quote_amount

LOT = 10_000_000  # 0.1 LTC
STEP = 1_000  # 0.00001 BTC
RULES = MarketRules("ltc", "btc", LOT, STEP, ChainFees(10, 225), ChainFees(3, 220))
RATE = 3_012_000  # 0.03012 BTC per LTC


def form(**kw: object) -> OrderFormState:
    base = OrderFormState(RULES, connected=True)
    return base.with_(**kw)


def issues(state: OrderFormState) -> list[Issue]:
    return [p.issue for p in state.problems()]


# --- stepping ---------------------------------------------------------------------------
def test_step_and_snap_examples() -> None:
    assert step_value(0, LOT, 1) == LOT
    assert step_value(LOT, LOT, 1) == 2 * LOT
    assert step_value(14_000_000, LOT, 1) == 2 * LOT  # off grid: up to the next lot
    assert step_value(14_000_000, LOT, -1) == LOT  # ... or down to the one below
    assert step_value(LOT, LOT, -1) == LOT  # never below one step
    assert step_value(5 * LOT, LOT, -3) == 2 * LOT
    assert snap_value(14_999_999, LOT) == LOT
    assert snap_value(15_000_000, LOT) == 2 * LOT
    assert snap_value(1, LOT) == LOT


@given(st.integers(0, 10**15), st.integers(1, 10**9), st.integers(-50, 50).filter(bool))
def test_step_lands_on_the_grid_in_the_direction_of_travel(
    value: int, step: int, steps: int
) -> None:
    moved = step_value(value, step, steps)
    assert moved % step == 0 and moved >= step
    if steps > 0:
        assert moved > value
    elif value > step:
        assert moved < value or moved == step
    assert abs(snap_value(value, step) - value) <= step // 2 or snap_value(value, step) == step


def test_form_steps_from_the_book_when_empty() -> None:
    s = form(best_bid=RATE - STEP, best_ask=RATE)
    assert s.step_rate(1).rate == RATE  # a buyer starts at the best ask
    assert s.with_(side=Side.SELL).step_rate(-1).rate == RATE - STEP  # a seller at the best bid
    assert s.step_rate(1).step_rate(1).rate == RATE + STEP
    assert form().step_rate(1).rate == STEP  # no book: one step
    assert form().step_quantity(1).quantity == LOT
    assert form(quantity=25_000_000).step_quantity(-1).quantity == 2 * LOT
    buy = form(kind=OrderKind.MARKET, best_ask=RATE)
    assert buy.quantity_step() == quote_amount(LOT, RATE) == 301_200  # a lot's worth
    assert buy.step_quantity(2).quantity == 602_400
    assert form(rate=RATE + 400, quantity=LOT + 1).snapped() == form(rate=RATE, quantity=LOT)


# --- validation -------------------------------------------------------------------------
def test_limit_field_problems() -> None:
    assert issues(form()) == [Issue.NO_PRICE, Issue.NO_AMOUNT]
    off = form(rate=RATE + 500, quantity=LOT).problems()
    assert off[0].issue is Issue.OFF_RATE_STEP and off[0].field is Field.PRICE
    assert off[0].nearest == (RATE, RATE + STEP)
    small = form(rate=RATE, quantity=LOT - 1).problems()[0]
    assert (small.issue, small.need) == (Issue.TOO_SMALL, LOT)
    lots = form(rate=RATE, quantity=LOT * 3 + 5).problems()[0]
    assert (lots.issue, lots.field, lots.nearest) == (
        Issue.OFF_LOT_SIZE,
        Field.QUANTITY,
        (3 * LOT, 4 * LOT),
    )
    assert Issue.NOT_CONNECTED in issues(form(rate=RATE, quantity=LOT, connected=False))


def test_sell_needs_quantity_plus_worst_case_fees_on_the_base_chain() -> None:
    q = 12 * LOT
    need = q + 12 * 225 * 10 + 68 * 10  # 12 init txs, one backing coin
    s = form(side=Side.SELL, rate=RATE, quantity=q)
    est = s.estimate()
    assert est is not None
    assert (est.asset, est.amount, est.lots, est.swap_fees, est.coins, est.backing_fees) == (
        "ltc",
        q,
        12,
        27_000,
        1,
        680,
    )
    assert est.required == need == funding_need(q, 12, 1, 10, 225)
    assert issues(s.with_(base_funds=Funds((need,)))) == []
    short = s.with_(base_funds=Funds((need - 1,))).problems()
    assert [(p.issue, p.need, p.have) for p in short] == [
        (Issue.INSUFFICIENT_FUNDS, need, need - 1)
    ]


def test_buy_needs_the_quote_amount_plus_fees_at_the_quote_rate() -> None:
    q = 5 * LOT
    amount = q * RATE // 100_000_000
    assert amount == 1_506_000
    s = form(rate=RATE, quantity=q)
    need_two = funding_need(amount, 5, 2, 3, 220)  # no single coin covers it: two coins
    s = s.with_(quote_funds=Funds((1_000_000, need_two - 1_000_000, 10)))
    est = s.estimate()
    assert est is not None and est.asset == "btc" and est.coins == 2
    assert est.required == need_two
    assert s.problems() == ()
    one = s.with_(quote_funds=Funds((need_two,)))  # one coin is enough: one input's fee less
    assert one.estimate() is not None and one.estimate().coins == 1  # type: ignore[union-attr]


def test_market_buy_is_sized_in_quote_atoms_above_the_buffer() -> None:
    s = form(kind=OrderKind.MARKET, quantity=376_500)
    assert issues(s) == [Issue.NO_ASKS]
    s = s.with_(best_ask=RATE)
    minimum = Fraction(5, 4) * LOT * RATE / 100_000_000  # 376,500 quote atoms
    assert minimum == 376_500
    rich = Funds((10**9,))
    assert s.with_(quote_funds=rich).problems() == ()
    low = s.with_(quantity=376_499).problems()[0]
    assert (low.issue, low.need) == (Issue.BELOW_BUY_BUFFER, 376_500)
    est = s.with_(quote_funds=rich).estimate()
    assert est is not None
    assert est.lots == 2  # ceil(376,500 / 301,200) lots, as the server counts them
    assert est.required == 376_500 + 2 * 220 * 3 + 68 * 3


def test_market_buy_minimum_rounds_up() -> None:
    rules = MarketRules(
        "ltc", "btc", LOT, STEP, ChainFees(10, 225), ChainFees(3, 220), Fraction(4, 3)
    )
    s = OrderFormState(
        rules,
        kind=OrderKind.MARKET,
        best_ask=RATE,
        quantity=1,
        connected=True,
        quote_funds=Funds((10**9,)),
    )
    assert s.problems()[0].need == 401_600  # 4/3 · 301,200 = 401,600 exactly
    assert s.with_(quantity=401_600).problems() == ()
    higher = s.with_(best_ask=RATE + STEP)  # 4/3 · 301,300 = 401,733.33: rounds up
    assert higher.problems()[0].need == 401_734
    assert higher.with_(quantity=401_733).problems()[0].issue is Issue.BELOW_BUY_BUFFER
    assert higher.with_(quantity=401_734).problems() == ()


@settings(max_examples=150, deadline=None)
@given(
    side=st.sampled_from(Side),
    market=st.booleans(),
    coins=st.lists(st.integers(1, 3 * 10**9), max_size=6),
    rate=st.integers(1, 10_000).map(lambda n: n * STEP),
)
def test_max_is_the_largest_quantity_the_coins_back(
    side: Side, market: bool, coins: list[int], rate: int
) -> None:
    kind = OrderKind.MARKET if market else OrderKind.LIMIT
    s = form(
        side=side,
        kind=kind,
        rate=rate,
        best_ask=rate,
        best_bid=rate,
        base_funds=Funds(tuple(coins)),
        quote_funds=Funds(tuple(coins)),
    )
    most = s.max_quantity()
    assert most is not None
    unit = 1 if s.market_buy else LOT
    if most:
        top = s.with_(quantity=most)
        assert Issue.INSUFFICIENT_FUNDS not in issues(top)
        est = top.estimate()
        assert est is not None and est.required <= sum(coins)
    # One more unit is unaffordable, unless a market buy that size is still under the buffer
    # minimum (then that problem is reported first).
    beyond = issues(s.with_(quantity=most + unit))
    assert Issue.INSUFFICIENT_FUNDS in beyond or (s.market_buy and Issue.BELOW_BUY_BUFFER in beyond)


def test_max_needs_a_price_for_limit_buys_and_an_ask_for_market_buys() -> None:
    assert form().max_quantity() is None
    assert form(kind=OrderKind.MARKET).max_quantity() is None
    assert form(side=Side.SELL).max_quantity() == 0
    assert form(side=Side.SELL, base_funds=Funds((LOT + 2250 + 680,))).max_quantity() == LOT


# --- the request ------------------------------------------------------------------------
def test_request_carries_what_the_core_needs() -> None:
    s = form(rate=RATE, quantity=2 * LOT, tif=TimeInForce.IMMEDIATE, quote_funds=Funds((10**8,)))
    r = s.request()
    assert (r.market, r.side, r.kind, r.tif, r.quantity, r.rate) == (
        "ltc_btc",
        Side.BUY,
        OrderKind.LIMIT,
        TimeInForce.IMMEDIATE,
        2 * LOT,
        RATE,
    )
    m = s.with_(
        kind=OrderKind.MARKET, side=Side.SELL, tif=TimeInForce.STANDING, base_funds=Funds((10**9,))
    ).request()
    assert (m.kind, m.tif, m.rate, m.estimate.asset) == (
        OrderKind.MARKET,
        TimeInForce.IMMEDIATE,
        0,
        "ltc",
    )
    with pytest.raises(InvalidOrderError) as err:
        s.with_(connected=False).request()
    assert [p.issue for p in err.value.problems] == [Issue.NOT_CONNECTED]


def test_amount_helpers() -> None:
    s = form(rate=RATE, quantity=25 * LOT)
    assert s.lots() == 25 and s.quote_total() == 7_530_000
    assert form(kind=OrderKind.MARKET, side=Side.SELL, quantity=LOT).quote_total() is None
    assert (
        form(kind=OrderKind.MARKET, side=Side.SELL, quantity=LOT, best_bid=RATE).quote_total()
        == 301_200
    )
    assert s.with_funds("btc", (5,)).quote_funds.total == 5
    assert s.with_funds("doge", (5,)) == s


def test_rules_from_the_server_config() -> None:
    def asset(symbol: str, lot: int, step: int, fee: int) -> AssetInfo:
        return AssetInfo(
            symbol=symbol,
            network=Network.REGTEST,
            lotsize=lot,
            ratestep=step,
            feerate=fee,
            swapsize=225,
            swapconf=1,
            fundconf=1,
            scripts=("P2WPKH",),
        )

    config = ConfigResult(
        pubkey=bytes(32),
        apiver=1,
        epochlen=60_000,
        buybuffer="1.5",
        cancelmax="0.6",
        btimeout=720_000,
        regfee=RegFee(asset="ltc", amount=1, confs=1),
        locktimes=LockTimes(maker=2, taker=1),
        assets=(asset("ltc", LOT, 10, 10), asset("btc", 100_000, STEP, 4)),
        markets=(MarketInfo(name="ltc_btc", base="ltc", quote="btc", marketid=0, epochlen=60_000),),
    )
    rules = MarketRules.from_config(config, "ltc", "btc")
    assert rules == MarketRules(
        "ltc", "btc", LOT, STEP, ChainFees(10, 225), ChainFees(4, 225), Fraction(3, 2)
    )


def test_coin_selection_follows_the_core() -> None:
    def need(n: int) -> int:
        return 1_000 + 100 * n

    assert Funds((5_000, 1_100, 1_200)).backing(need) == 1  # the smallest single coin
    assert Funds((700, 600, 500)).backing(need) == 2  # largest first until covered
    assert Funds((300, 300)).backing(need) is None


# --- book rows --------------------------------------------------------------------------
def test_side_rows_plan_commit_and_depth() -> None:
    rows = SideRows(BookSide.BUY)
    rows.load([PriceLevel(300, 5, 1), PriceLevel(200, 7, 2)])
    assert [(r.rate, r.cumulative) for r in rows.rows] == [(300, 5), (200, 12)]
    for change, kind, index in (
        (LevelChange(BookSide.BUY, 250, 3, 1), OpKind.INSERT, 1),
        (LevelChange(BookSide.BUY, 300, 0, 0), OpKind.REMOVE, 0),
        (LevelChange(BookSide.BUY, 200, 1, 1), OpKind.CHANGE, 1),
    ):
        op = rows.plan(change)
        assert op is not None and (op.kind, op.index) == (kind, index)
        rows.commit(op, change)
    assert rows.plan(LevelChange(BookSide.BUY, 999, 0, 0)) is None
    assert rows.refresh_depth() == 0
    assert [(r.rate, r.quantity, r.cumulative) for r in rows.rows] == [(250, 3, 3), (200, 1, 4)]
    assert rows.depth_at(1) == 3 and rows.depth_at(10) == 4 and rows.depth_at(0) == 0
    with pytest.raises(ValueError):
        SideRows(BookSide.SELL).load([PriceLevel(300, 5, 1), PriceLevel(200, 7, 2)])


def test_spread_and_decimals() -> None:
    s = Spread(bid=3_011_000, ask=3_013_000)
    assert (s.spread, s.mid, s.basis_points) == (2_000, 3_012_000, 6)
    assert decimals_for(1_000) == 5 and decimals_for(10**8, 2) == 2 and decimals_for(1) == 8


def test_trading_logic_imports_no_qt() -> None:
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, app.trading.orderform, app.trading.book_rows; "
        "sys.exit(any(m.startswith('PySide6') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0
