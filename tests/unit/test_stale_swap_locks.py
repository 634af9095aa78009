"""Coins locked for a swap whose init was never stored are released on start; others stay."""

from __future__ import annotations

import os
from pathlib import Path

from app.client.funding import SWAP_FUND, init_inputs, lock_reasons, release_stale_swap_locks
from app.store.db import Store
from app.wallet.coins import Outpoint, TxOutput, Utxo
from app.wallet.hd import HDWallet
from app.wallet.mnemonic import generate_mnemonic
from app.wallet.service import AssetWallet
from app.wallet.signing import KeyedUtxo, sign_p2wpkh_tx
from dexproto.address import p2wpkh_script_for_pubkey
from dexproto.assets import Network, get_asset
from dexproto.crypto import pubkey_from_secret

LTC = get_asset("ltc", Network.REGTEST)


def test_only_locks_no_stored_init_spends_are_released(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    wallet = AssetWallet(LTC, HDWallet.from_mnemonic(generate_mnemonic()).account(LTC), store, None)
    spent, stale, other = (Outpoint(os.urandom(32).hex(), i) for i in range(3))
    order_coin = Outpoint(os.urandom(32).hex(), 7)
    wallet.lock_coins([spent, stale, other], SWAP_FUND)
    wallet.lock_coins([order_coin], "order:ab")

    secret = os.urandom(32)
    script = p2wpkh_script_for_pubkey(pubkey_from_secret(secret))
    init = sign_p2wpkh_tx(
        [KeyedUtxo(Utxo(spent, 100_000, script, 1, 1), secret)], [TxOutput(script, 90_000)]
    )
    reserved = init_inputs([init.raw])
    assert reserved == {spent}

    assert release_stale_swap_locks(wallet, reserved) == 2
    assert lock_reasons(wallet) == {spent: SWAP_FUND, order_coin: "order:ab"}
    assert release_stale_swap_locks(wallet, reserved) == 0
    store.close()
