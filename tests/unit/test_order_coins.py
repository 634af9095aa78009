"""The coins an order is funded with (app/client/funding.py pick_order_coins): the smallest
coin that covers it, else the largest first; never more than an order may name (a one-byte
count), and a wallet whose funds are there but too scattered is told to join them first."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.client.funding import pick_order_coins
from app.store.db import Store
from app.wallet.coins import Outpoint, Utxo
from app.wallet.errors import InsufficientFundsError, TooManyCoinsError
from app.wallet.hd import HDWallet
from app.wallet.mnemonic import generate_mnemonic
from app.wallet.service import AssetWallet
from dexproto.assets import Network, get_asset
from dexproto.codec import MAX_COINS
from dexproto.rules import funding_need
from tests.fakes.chain_backends import CoinsBackend

LTC = get_asset("ltc", Network.REGTEST)
FEERATE, SWAPSIZE = 10, 225


def wallet_with(tmp_path: Path, values: list[int]) -> AssetWallet:
    keys = HDWallet.from_mnemonic(generate_mnemonic()).account(LTC)
    wallet = AssetWallet(LTC, keys, Store(tmp_path / "w.db"), CoinsBackend([]))
    script = wallet.change_script()  # one of ours, so the wallet can key it
    coins = [
        Utxo(Outpoint(f"{i + 1:064x}", 0), value, script, 100, 6) for i, value in enumerate(values)
    ]
    assert isinstance(wallet.backend, CoinsBackend)
    wallet.backend.coins = coins
    return wallet


async def test_the_smallest_single_coin_that_covers_the_order(tmp_path: Path) -> None:
    need = funding_need(1_000_000, 1, 1, FEERATE, SWAPSIZE)
    wallet = wallet_with(tmp_path, [need - 1, need + 50_000, need + 5, 3 * need])
    picked = await pick_order_coins(wallet, 1_000_000, 1, FEERATE, SWAPSIZE, 1)
    assert [k.utxo.value for k in picked] == [need + 5]
    wallet.store.close()


async def test_never_more_coins_than_an_order_may_name(tmp_path: Path) -> None:
    amount = 30_000_000
    small = 100_000  # 400 coins: 40 000 000 atoms in all, yet 255 of them hold 25 500 000
    wallet = wallet_with(tmp_path, [small] * 400)
    with pytest.raises(TooManyCoinsError, match="Send max") as info:
        await pick_order_coins(wallet, amount, 30, FEERATE, SWAPSIZE, 1)
    assert info.value.limit == MAX_COINS == 255
    assert info.value.available == 400 * small
    wallet.store.close()


async def test_up_to_the_limit_the_largest_coins_are_taken(tmp_path: Path) -> None:
    wallet = wallet_with(tmp_path, [100_000] * 300)
    picked = await pick_order_coins(wallet, 20_000_000, 20, FEERATE, SWAPSIZE, 1)
    assert MAX_COINS >= len(picked) > 200
    assert sum(k.utxo.value for k in picked) >= funding_need(
        20_000_000, 20, len(picked), FEERATE, SWAPSIZE
    )
    wallet.store.close()


async def test_too_little_in_all_is_plain_insufficient_funds(tmp_path: Path) -> None:
    wallet = wallet_with(tmp_path, [100_000] * 300)
    with pytest.raises(InsufficientFundsError):
        await pick_order_coins(wallet, 50_000_000, 50, FEERATE, SWAPSIZE, 1)
    wallet.store.close()
