"""Keys, coins and spends for the chain-backend tests: a fresh P2WPKH key, a coin paid to it
by a regtest node's miner wallet, and a signed transaction spending coins to a fresh key."""

from __future__ import annotations

import os

from app.wallet.coins import Outpoint, SignedTx, TxOutput, Utxo
from app.wallet.signing import KeyedUtxo, sign_p2wpkh_tx
from dexproto.address import p2wpkh_script_for_pubkey
from dexproto.crypto import pubkey_from_secret
from simnet.node import RegtestNode


def new_key() -> tuple[bytes, bytes]:
    """A fresh secret and its P2WPKH output script."""
    secret = os.urandom(32)
    return secret, p2wpkh_script_for_pubkey(pubkey_from_secret(secret))


def funded(
    node: RegtestNode, secret: bytes, script: bytes, value: int, mine: bool = False
) -> KeyedUtxo:
    txid, vout = node.fund_script(script, value, mine=mine)
    return KeyedUtxo(Utxo(Outpoint(txid, vout), value, script, 0, 0), secret)


def spend(coins: list[KeyedUtxo], fee: int = 5_000) -> tuple[SignedTx, bytes]:
    """All of `coins` less `fee` to a fresh key: the signed tx and the key's script."""
    _, dest = new_key()
    value = sum(c.utxo.value for c in coins) - fee
    return sign_p2wpkh_tx(coins, [TxOutput(dest, value)]), dest
