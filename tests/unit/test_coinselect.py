"""Coin selection: exactness of the accounting, dust handling, locks and confirmations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.wallet.coins import Outpoint, TxOutput, Utxo
from app.wallet.coinselect import (
    INPUT_VSIZE,
    Selection,
    output_dust_limit,
    select_coins,
    send_max,
)
from app.wallet.errors import DustError, InsufficientFundsError
from app.wallet.signing import P2WPKH_WITNESS_SIZE, estimate_vsize
from dexproto.assets import Network, get_asset

LTC = get_asset("ltc", Network.REGTEST)
BTC = get_asset("btc", Network.REGTEST)
DEST = b"\x00\x14" + b"\x11" * 20
CHANGE = b"\x00\x14" + b"\x22" * 20
OURS = b"\x00\x14" + b"\x33" * 20


def coin(n: int, value: int, confirmations: int = 1) -> Utxo:
    return Utxo(Outpoint(f"{n:064x}", 0), value, OURS, 100 if confirmations else 0, confirmations)


def vsize(n_inputs: int, scripts: list[bytes]) -> int:
    return estimate_vsize([P2WPKH_WITNESS_SIZE] * n_inputs, scripts)


def check_accounting(sel: Selection, outputs: list[TxOutput], rate: int) -> None:
    scripts = [o.script for o in outputs] + ([CHANGE] if sel.change_value else [])
    assert sel.vsize == vsize(len(sel.coins), scripts)
    assert sel.input_value == sum(o.value for o in outputs) + sel.change_value + sel.fee
    assert sel.fee >= rate * sel.vsize


def test_exact_match_makes_no_change() -> None:
    rate = 10
    fee = rate * vsize(1, [DEST])
    coins = [coin(1, 5_000_000), coin(2, 1_000_000 + fee), coin(3, 700_000)]
    outputs = [TxOutput(DEST, 1_000_000)]
    sel = select_coins(coins, outputs, rate, BTC, CHANGE)
    assert [c.outpoint for c in sel.coins] == [coins[1].outpoint]
    assert sel.change_value == 0 and sel.fee == fee
    check_accounting(sel, outputs, rate)


def test_two_coins_can_make_the_exact_match() -> None:
    rate = 1
    fee = rate * vsize(2, [DEST])
    coins = [coin(1, 9_000_000), coin(2, 600_000), coin(3, 400_000 + fee)]
    sel = select_coins(coins, [TxOutput(DEST, 1_000_000)], rate, BTC, CHANGE)
    assert {c.outpoint for c in sel.coins} == {coins[1].outpoint, coins[2].outpoint}
    assert sel.change_value == 0 and sel.fee == fee


def test_change_above_dust_is_returned() -> None:
    rate = 10
    coins = [coin(1, 10_000_000)]
    outputs = [TxOutput(DEST, 1_000_000)]
    sel = select_coins(coins, outputs, rate, LTC, CHANGE)
    assert sel.change_value == 10_000_000 - 1_000_000 - rate * vsize(1, [DEST, CHANGE])
    assert sel.fee == rate * sel.vsize
    check_accounting(sel, outputs, rate)


def test_dust_change_is_folded_into_the_fee() -> None:
    rate = 10
    dust = output_dust_limit(CHANGE, LTC)
    window = rate * (31 + INPUT_VSIZE)
    # Too much left over for a change-less match, too little for a non-dust change output.
    value = 1_000_000 + rate * vsize(1, [DEST, CHANGE]) + dust - 1
    assert value - 1_000_000 - rate * vsize(1, [DEST]) > window
    outputs = [TxOutput(DEST, 1_000_000)]
    sel = select_coins([coin(1, value)], outputs, rate, LTC, CHANGE)
    assert sel.change_value == 0
    assert sel.fee == value - 1_000_000
    check_accounting(sel, outputs, rate)


def test_locked_coins_are_never_chosen() -> None:
    coins = [coin(1, 50_000_000), coin(2, 3_000_000), coin(3, 2_000_000)]
    locked = {coins[0].outpoint}
    sel = select_coins(coins, [TxOutput(DEST, 4_000_000)], 5, BTC, CHANGE, locked=locked)
    assert locked.isdisjoint(c.outpoint for c in sel.coins)
    with pytest.raises(InsufficientFundsError) as info:
        select_coins(coins, [TxOutput(DEST, 6_000_000)], 5, BTC, CHANGE, locked=locked)
    assert info.value.available == 5_000_000


def test_unconfirmed_coins_excluded_when_asked_and_confirmed_preferred() -> None:
    coins = [coin(1, 9_000_000, confirmations=0), coin(2, 3_000_000, confirmations=2)]
    outputs = [TxOutput(DEST, 1_000_000)]
    sel = select_coins(coins, outputs, 5, BTC, CHANGE)
    assert [c.outpoint for c in sel.coins] == [coins[1].outpoint]
    sel = select_coins(coins, [TxOutput(DEST, 5_000_000)], 5, BTC, CHANGE)
    assert coins[0].outpoint in {c.outpoint for c in sel.coins}
    with pytest.raises(InsufficientFundsError):
        select_coins(coins, [TxOutput(DEST, 5_000_000)], 5, BTC, CHANGE, min_confirmations=1)


def test_insufficient_funds_says_needed_and_available() -> None:
    coins = [coin(1, 1_000_000), coin(2, 500_000)]
    with pytest.raises(InsufficientFundsError) as info:
        select_coins(coins, [TxOutput(DEST, 2_000_000)], 10, LTC, CHANGE)
    err = info.value
    assert err.available == 1_500_000
    assert err.needed == 2_000_000 + 10 * vsize(2, [DEST])
    assert "need 0.02" in str(err) and "have 0.01500000 LTC" in str(err)


def test_dust_outputs_are_refused() -> None:
    limit = output_dust_limit(DEST, LTC)
    with pytest.raises(DustError) as info:
        select_coins([coin(1, 10_000_000)], [TxOutput(DEST, limit - 1)], 10, LTC, CHANGE)
    assert info.value.limit == limit
    sel = select_coins([coin(1, 10_000_000)], [TxOutput(DEST, limit)], 10, LTC, CHANGE)
    assert sel.coins


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        select_coins([coin(1, 10_000)], [], 1, BTC, CHANGE)
    with pytest.raises(ValueError):
        select_coins([coin(1, 10_000)], [TxOutput(DEST, 5_000)], -1, BTC, CHANGE)


def test_selection_is_deterministic_regardless_of_input_order() -> None:
    coins = [coin(i, 100_000 * (i % 7 + 1)) for i in range(30)]
    outputs = [TxOutput(DEST, 1_234_567)]
    first = select_coins(coins, outputs, 3, BTC, CHANGE)
    again = select_coins(list(reversed(coins)), outputs, 3, BTC, CHANGE)
    assert first == again


def test_send_max_sweeps_everything_minus_fee() -> None:
    rate = 10
    coins = [
        coin(1, 3_000_000),
        coin(2, 2_000_000, confirmations=0),
        coin(3, 500),
        coin(4, 1_000_000),
    ]
    sel, amount = send_max(coins, DEST, rate, BTC, locked={coins[3].outpoint})
    # The 500-atom coin costs more to spend than it is worth and stays behind.
    assert {c.outpoint for c in sel.coins} == {coins[0].outpoint, coins[1].outpoint}
    assert sel.fee == rate * vsize(2, [DEST]) == rate * sel.vsize
    assert amount == 5_000_000 - sel.fee and sel.change_value == 0
    sel, amount = send_max(coins, DEST, rate, BTC, min_confirmations=1)
    assert amount == 4_000_000 - rate * vsize(2, [DEST])
    with pytest.raises(InsufficientFundsError):
        send_max([coin(1, 3_000)], DEST, rate, LTC)


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.integers(1, 10_000_000), min_size=0, max_size=25),
    unconfirmed=st.sets(st.integers(0, 24)),
    locked_idx=st.sets(st.integers(0, 24)),
    amounts=st.lists(st.integers(1, 20_000_000), min_size=1, max_size=3),
    rate=st.integers(0, 200),
    min_conf=st.sampled_from([0, 1]),
    use_ltc=st.booleans(),
)
def test_property_accounting_is_exact(
    values: list[int],
    unconfirmed: set[int],
    locked_idx: set[int],
    amounts: list[int],
    rate: int,
    min_conf: int,
    use_ltc: bool,
) -> None:
    asset = LTC if use_ltc else BTC
    coins = [coin(i, v, 0 if i in unconfirmed else 3) for i, v in enumerate(values)]
    locked = {coins[i].outpoint for i in locked_idx if i < len(coins)}
    outputs = [TxOutput(DEST, a) for a in amounts]
    limit = output_dust_limit(DEST, asset)
    try:
        sel = select_coins(
            coins, outputs, rate, asset, CHANGE, locked=locked, min_confirmations=min_conf
        )
    except DustError:
        assert any(a < limit for a in amounts)
        return
    except InsufficientFundsError as err:
        usable = [c for c in coins if c.outpoint not in locked and c.confirmations >= min_conf]
        assert err.available == sum(c.value for c in usable)
        assert err.available < err.needed
        return
    check_accounting(sel, outputs, rate)
    assert len({c.outpoint for c in sel.coins}) == len(sel.coins)
    assert all(c.outpoint not in locked and c.confirmations >= min_conf for c in sel.coins)
    assert sel.change_value == 0 or sel.change_value >= output_dust_limit(CHANGE, asset)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.integers(1_000, 200_000), min_size=1, max_size=9),
    amount=st.integers(1_000, 600_000),
    rate=st.integers(0, 20),
)
def test_property_branch_and_bound_finds_a_changeless_match_when_one_exists(
    values: list[int],
    amount: int,
    rate: int,
) -> None:
    from itertools import combinations

    coins = [coin(i, v) for i, v in enumerate(values)]
    window = rate * (31 + INPUT_VSIZE)
    economic = [c for c in coins if c.value > rate * INPUT_VSIZE]
    exists = any(
        0 <= sum(c.value for c in combo) - amount - rate * vsize(k, [DEST]) <= window
        for k in range(1, len(economic) + 1)
        for combo in combinations(economic, k)
    )
    outputs = [TxOutput(DEST, amount)]
    try:
        sel = select_coins(coins, outputs, rate, BTC, CHANGE)
    except InsufficientFundsError:
        assert not exists
        return
    if exists:
        assert sel.change_value == 0
        assert sel.fee - rate * sel.vsize <= window
    check_accounting(sel, outputs, rate)
