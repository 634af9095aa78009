"""Transactions signed by app.wallet.signing are accepted by a real Litecoin Core node."""

from __future__ import annotations

import os

from app.wallet.coins import Outpoint, TxOutput, Utxo
from app.wallet.signing import P2WPKH_WITNESS_SIZE, KeyedUtxo, estimate_vsize, sign_p2wpkh_tx
from dexproto.address import p2wpkh_script_for_pubkey
from dexproto.crypto import pubkey_from_secret
from simnet.node import RegtestNode


def test_p2wpkh_spend_is_accepted_and_vsize_estimate_is_an_upper_bound(
    ltc_node: RegtestNode,
) -> None:
    secrets = [os.urandom(32) for _ in range(3)]
    scripts = [p2wpkh_script_for_pubkey(pubkey_from_secret(s)) for s in secrets]
    coins = []
    for secret, script in zip(secrets, scripts, strict=True):
        txid, vout = ltc_node.fund_script(script, 50_000_000, mine=False)
        utxo = Utxo(Outpoint(txid, vout), 50_000_000, script, 0, 0)
        coins.append(KeyedUtxo(utxo, secret))
    ltc_node.mine(1)
    dest = p2wpkh_script_for_pubkey(pubkey_from_secret(os.urandom(32)))
    outputs = [TxOutput(dest, 149_000_000)]
    signed = sign_p2wpkh_tx(coins, outputs)
    estimate = estimate_vsize([P2WPKH_WITNESS_SIZE] * 3, [dest])
    assert signed.vsize <= estimate <= signed.vsize + 3
    accepted = ltc_node.rpc("testmempoolaccept", [signed.hex])[0]
    assert accepted["allowed"], accepted
    assert accepted["vsize"] == signed.vsize
    assert ltc_node.rpc("sendrawtransaction", signed.hex) == signed.txid
    decoded = ltc_node.rpc("getrawtransaction", signed.txid, True)
    assert all(vin["sequence"] == 0xFFFFFFFD for vin in decoded["vin"])
