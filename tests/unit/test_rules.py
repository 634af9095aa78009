"""dexproto/rules.py: the §7 order arithmetic shared by the order form, the client and the server.

The edge cases are those where rounding or positivity could make the client and the server
disagree: an off-grid or zero amount, a quote amount that is not exact, a market buy that is
one atom short of its buy buffer, a partial last lot.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from dexproto import rules

LOT = 100_000_000  # 1 LTC
STEP = 1_000  # quote atoms per 10^8 base atoms


@pytest.mark.parametrize(
    ("quantity", "ok"),
    [
        (LOT, True),
        (3 * LOT, True),
        (0, False),
        (-LOT, False),
        (LOT + 1, False),
        (LOT - 1, False),
    ],
)
def test_on_lot_is_a_positive_multiple(quantity: int, ok: bool) -> None:
    assert rules.on_lot(quantity, LOT) is ok


@pytest.mark.parametrize(
    ("rate", "ok"),
    [
        (STEP, True),
        (7 * STEP, True),
        (0, False),
        (-STEP, False),
        (STEP + 1, False),
    ],
)
def test_on_rate_step_is_a_positive_multiple(rate: int, ok: bool) -> None:
    assert rules.on_rate_step(rate, STEP) is ok


def test_quote_amount_is_exact_on_the_grid() -> None:
    # 2.5 LTC at 0.0125 BTC/LTC = 0.03125 BTC
    assert rules.quote_amount(250_000_000, 1_250_000) == 3_125_000


def test_quote_amount_rounds_down_off_the_grid() -> None:
    # A lot size and rate step whose product is no multiple of 10^8: the spec's exactness
    # does not hold, and both sides round down alike (1 * 99_999_999 / 10^8 = 0.99999999).
    assert rules.quote_amount(1, 99_999_999) == 0
    assert rules.quote_amount(3, 50_000_001) == 1


def test_lots_and_market_buy_lots() -> None:
    assert rules.lots(5 * LOT, LOT) == 5
    best = 1_000_000  # 0.01 BTC per LTC: one lot costs 1_000_000 quote atoms
    assert rules.market_buy_lots(1_000_000, LOT, best) == 1
    assert rules.market_buy_lots(1_000_001, LOT, best) == 2  # the partial lot needs fees too
    assert rules.market_buy_lots(2_500_000, LOT, best) == 3
    assert rules.market_buy_lots(1, LOT, best) == 1


def test_fees_and_funding_need() -> None:
    assert rules.swap_fees(3, 225, 10) == 6_750
    assert rules.backing_fees(2, 10) == 2 * 68 * 10
    amount = rules.quote_amount(3 * LOT, 1_250_000)
    assert rules.funding_need(amount, 3, 2, 10, 225) == amount + 6_750 + 1_360


def test_buy_buffer_boundary_is_exact() -> None:
    buffer, best = Fraction("1.25"), 1_000_000
    least = rules.min_market_buy(buffer, LOT, best)
    assert least == 1_250_000
    assert not rules.below_buy_buffer(least, buffer, LOT, best)
    assert rules.below_buy_buffer(least - 1, buffer, LOT, best)


def test_buy_buffer_minimum_rounds_up_to_a_whole_atom() -> None:
    # 1.1 · 1 · 3 / 10^8 is a fraction of an atom: one atom is the least accepted.
    buffer = Fraction("1.1")
    assert rules.buy_buffer_minimum(buffer, 1, 3) == Fraction(33, 10**9)
    assert rules.min_market_buy(buffer, 1, 3) == 1
    assert rules.below_buy_buffer(0, buffer, 1, 3)
    assert not rules.below_buy_buffer(1, buffer, 1, 3)
    # a decimal string, not a float: Fraction("1.1") is exactly 11/10
    assert rules.min_market_buy(Fraction("1.1"), LOT, 1_000_000) == 1_100_000
