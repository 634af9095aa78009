"""Order arithmetic of spec §7, one implementation for the order form, the client and the server.

All amounts are integer atoms. A rate r is quote atoms per 10^8 base atoms; quote(Q, r) is
Q·r / 10^8, exact when lot size · rate step is a multiple of 10^8 (the spec's "by choice of lot
size and rate step") and rounded down otherwise, on both sides alike, so a client never funds
less than the server asks for. Fees are worst cases: one init tx per lot (f_base) and one
P2WPKH input per backing coin (f_utxo).

The client and the server must compute the same numbers: a client that asks for less than the
server checks is refused (error 7), one that asks for more locks coins it did not need.
"""

from __future__ import annotations

from fractions import Fraction

RATE_SCALE = 10**8  # a rate is quote atoms per 10^8 base atoms
P2WPKH_INPUT_VBYTES = 68  # §7 backing fee per coin


def on_lot(quantity: int, lot_size: int) -> bool:
    """A positive multiple of the lot size (error 5 otherwise)."""
    return quantity > 0 and quantity % lot_size == 0


def on_rate_step(rate: int, rate_step: int) -> bool:
    """A positive multiple of the rate step (error 6 otherwise)."""
    return rate > 0 and rate % rate_step == 0


def quote_amount(quantity: int, rate: int) -> int:
    """quote(Q, r): quote atoms of `quantity` base atoms at `rate`, rounded down."""
    return quantity * rate // RATE_SCALE


def lots(quantity: int, lot_size: int) -> int:
    """Whole lots in a base quantity (a limit order or a market sell)."""
    return quantity // lot_size


def market_buy_lots(spend: int, lot_size: int, best_rate: int) -> int:
    """Lots a market buy of `spend` quote atoms may fill, priced at the best ask, rounded up:
    the fee reserve must cover the last, partial lot too."""
    return -(-spend * RATE_SCALE // (best_rate * lot_size))


def swap_fees(lot_count: int, swapsize: int, feerate: int) -> int:
    """f_base: one init transaction of `swapsize` vbytes per lot at `feerate` atoms/vB."""
    return lot_count * swapsize * feerate


def backing_fees(coins: int, feerate: int) -> int:
    """f_utxo: one P2WPKH input per backing coin."""
    return coins * P2WPKH_INPUT_VBYTES * feerate


def funding_need(amount: int, lot_count: int, coins: int, feerate: int, swapsize: int) -> int:
    """What `coins` backing coins must hold: amount + f_base + f_utxo (paying chain's rates)."""
    return amount + swap_fees(lot_count, swapsize, feerate) + backing_fees(coins, feerate)


def buy_buffer_minimum(buy_buffer: Fraction, lot_size: int, best_rate: int) -> Fraction:
    """The least a market buy may spend: b_m · lotsize · r_best / 10^8, exact (a fraction)."""
    return buy_buffer * lot_size * best_rate / RATE_SCALE


def below_buy_buffer(spend: int, buy_buffer: Fraction, lot_size: int, best_rate: int) -> bool:
    """True when a market buy of `spend` quote atoms is refused (error 7)."""
    return spend < buy_buffer_minimum(buy_buffer, lot_size, best_rate)


def min_market_buy(buy_buffer: Fraction, lot_size: int, best_rate: int) -> int:
    """The smallest whole spend (quote atoms) a market buy is accepted with."""
    minimum = buy_buffer_minimum(buy_buffer, lot_size, best_rate)
    return -(-minimum.numerator // minimum.denominator)
