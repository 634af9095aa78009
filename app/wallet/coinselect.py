"""Coin selection for P2WPKH wallets. Pure and deterministic: same coins in, same answer out.

Policy:
  * Coins in `locked` (reserved for an order or a swap) and coins with fewer than
    `min_confirmations` are never chosen. Confirmed coins are tried first; unconfirmed ones
    only when the confirmed ones are not enough.
  * Branch-and-bound looks for a set whose value covers outputs + fee with an excess no larger
    than what a change output would cost to create and later spend: no change, the excess is
    fee. Otherwise largest-first accumulation with a change output.
  * A change output below the asset's dust limit is not made; its value is added to the fee.
  * The fee is `fee_rate` x estimate_vsize(...) of the exact shape returned (all amounts in
    integer atoms), so inputs == outputs + change + fee always holds.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass

from app.wallet.coins import Outpoint, TxOutput, Utxo
from app.wallet.errors import DustError, InsufficientFundsError
from app.wallet.signing import (
    INPUT_BASE_WEIGHT,
    P2WPKH_WITNESS_SIZE,
    estimate_vsize,
    output_weight,
)
from dexproto.assets import AssetParams

# Upper bound of the vsize one more P2WPKH input adds (273 weight units, rounded up).
INPUT_VSIZE = (INPUT_BASE_WEIGHT + P2WPKH_WITNESS_SIZE + 3) // 4
BNB_MAX_TRIES = 100_000


@dataclass(frozen=True)
class Selection:
    """Coins to spend; `change_value` 0 means no change output. `fee` is what the inputs
    leave over after the outputs and the change."""

    coins: tuple[Utxo, ...]
    change_value: int
    fee: int
    vsize: int

    @property
    def input_value(self) -> int:
        return sum(c.value for c in self.coins)


def output_dust_limit(script: bytes, asset: AssetParams) -> int:
    """Smallest value the node relays for an output paying `script`."""
    return asset.dust_limit(output_weight(script) // 4)


def spendable(
    utxos: Sequence[Utxo],
    locked: Set[Outpoint] = frozenset(),
    min_confirmations: int = 0,
) -> list[Utxo]:
    """Coins that may be spent, largest first, ties by outpoint (duplicates dropped)."""
    seen: dict[Outpoint, Utxo] = {}
    for coin in utxos:
        if coin.outpoint in locked or coin.confirmations < min_confirmations:
            continue
        seen.setdefault(coin.outpoint, coin)
    return sorted(seen.values(), key=lambda c: (-c.value, c.outpoint))


def _fee_fn(fee_rate: int, scripts: Sequence[bytes]) -> Callable[[int], tuple[int, int]]:
    """n inputs -> (fee, vsize) for a tx with these output scripts."""

    @functools.cache
    def fee(n: int) -> tuple[int, int]:
        vsize = estimate_vsize([P2WPKH_WITNESS_SIZE] * n, scripts)
        return fee_rate * vsize, vsize

    return fee


def _branch_and_bound(
    coins: Sequence[Utxo],
    target: int,
    fee: Callable[[int], tuple[int, int]],
    window: int,
) -> tuple[Utxo, ...] | None:
    """A subset with 0 <= value - target - fee <= window (smallest excess found), or None.

    Only coins worth more than the fee they add are passed in, so adding a coin always raises
    the excess: once over the window a branch is dead, once in it there is nothing to gain.
    """
    suffix = [0] * (len(coins) + 1)
    for i in range(len(coins) - 1, -1, -1):
        suffix[i] = suffix[i + 1] + coins[i].value
    best: tuple[int, int, tuple[int, ...]] | None = None
    # Depth-first, including before excluding, so larger coins are tried first. `selected`
    # holds the included indexes of the current branch; everything else before `index` is out.
    selected: list[int] = []
    total = index = 0
    for _ in range(BNB_MAX_TRIES):
        paid = fee(len(selected))[0]
        excess = total - target - paid
        backtrack = True
        if selected and excess > window:
            pass
        elif selected and excess >= 0:
            if best is None or (excess, len(selected)) < best[:2]:
                best = (excess, len(selected), tuple(selected))
            if excess == 0:
                break
        elif index < len(coins) and total + suffix[index] - target - paid >= 0:
            backtrack = False
        if not backtrack:
            selected.append(index)
            total += coins[index].value
            index += 1
            continue
        if not selected:
            break  # the whole tree has been searched
        last = selected.pop()
        total -= coins[last].value
        index = last + 1
        # Excluding a coin and then including an equal one would repeat a searched branch.
        while index < len(coins) and coins[index].value == coins[last].value:
            index += 1
    return None if best is None else tuple(coins[i] for i in best[2])


def _select_from(
    coins: Sequence[Utxo],
    outputs: Sequence[TxOutput],
    fee_rate: int,
    asset: AssetParams,
    change_script: bytes,
) -> Selection | None:
    target = sum(o.value for o in outputs)
    scripts = [o.script for o in outputs]
    fee_plain = _fee_fn(fee_rate, scripts)
    fee_change = _fee_fn(fee_rate, [*scripts, change_script])
    # What a change output would cost now plus what spending it later costs.
    window = fee_rate * ((output_weight(change_script) + 3) // 4 + INPUT_VSIZE)
    economic = [c for c in coins if c.value > fee_rate * INPUT_VSIZE]
    exact = _branch_and_bound(economic, target, fee_plain, window)
    if exact is not None:
        total = sum(c.value for c in exact)
        return Selection(exact, 0, total - target, fee_plain(len(exact))[1])
    chosen: list[Utxo] = []
    total = 0
    for coin in coins:
        chosen.append(coin)
        total += coin.value
        if total >= target + fee_plain(len(chosen))[0]:
            break
    else:
        return None
    paid, vsize = fee_change(len(chosen))
    change = total - target - paid
    if change >= output_dust_limit(change_script, asset):
        return Selection(tuple(chosen), change, paid, vsize)
    # Change would be dust (or negative): leave it out and let it go to the miners.
    return Selection(tuple(chosen), 0, total - target, fee_plain(len(chosen))[1])


def _check_rate(fee_rate: int) -> None:
    if isinstance(fee_rate, bool) or not isinstance(fee_rate, int) or fee_rate < 0:
        raise ValueError(f"fee rate must be a non-negative integer, not {fee_rate!r}")


def select_coins(
    utxos: Sequence[Utxo],
    outputs: Sequence[TxOutput],
    fee_rate: int,
    asset: AssetParams,
    change_script: bytes,
    *,
    locked: Set[Outpoint] = frozenset(),
    min_confirmations: int = 0,
) -> Selection:
    """Choose coins to pay `outputs` at `fee_rate` atoms/vB, with change to `change_script`.

    Raises DustError for an output below the dust limit and InsufficientFundsError (with the
    amount needed and the amount spendable) when the eligible coins are not enough.
    """
    _check_rate(fee_rate)
    if not outputs:
        raise ValueError("nothing to pay")
    for out in outputs:
        limit = output_dust_limit(out.script, asset)
        if out.value < limit:
            raise DustError(out.value, limit, asset.ticker)
    eligible = spendable(utxos, locked, min_confirmations)
    confirmed = [c for c in eligible if c.confirmations > 0]
    tiers = [confirmed, eligible] if len(confirmed) < len(eligible) else [eligible]
    for tier in tiers:
        if tier:
            selection = _select_from(tier, outputs, fee_rate, asset, change_script)
            if selection is not None:
                return selection
    target = sum(o.value for o in outputs)
    fee = _fee_fn(fee_rate, [o.script for o in outputs])(max(len(eligible), 1))[0]
    raise InsufficientFundsError(target + fee, sum(c.value for c in eligible), asset.ticker)


def send_max(
    utxos: Sequence[Utxo],
    dest_script: bytes,
    fee_rate: int,
    asset: AssetParams,
    *,
    locked: Set[Outpoint] = frozenset(),
    min_confirmations: int = 0,
) -> tuple[Selection, int]:
    """Sweep every spendable coin to `dest_script`: (selection, amount the recipient gets).

    Coins worth less than the fee of spending them are left behind (they would only lower
    the amount). No change output.
    """
    _check_rate(fee_rate)
    coins = [
        c for c in spendable(utxos, locked, min_confirmations) if c.value > fee_rate * INPUT_VSIZE
    ]
    fee, vsize = _fee_fn(fee_rate, [dest_script])(max(len(coins), 1))
    total = sum(c.value for c in coins)
    limit = output_dust_limit(dest_script, asset)
    if total - fee < limit:
        raise InsufficientFundsError(fee + limit, total, asset.ticker)
    return Selection(tuple(coins), 0, fee, vsize), total - fee
