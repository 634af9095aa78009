"""§9 contracts against a real Litecoin Core regtest node: init with two contracts, audit,
redeem (and the secret found on chain), refund rejected before the lock time, accepted after."""

from __future__ import annotations

import os
from typing import Any

from app.swap.htlc import ExpectedContract, audit_contract_tx, find_secret
from app.swap.htlc_tx import (
    build_init_tx,
    build_redeem_tx,
    build_refund_tx,
    init_vsize,
    redeem_vsize,
    refund_vsize,
)
from app.wallet.coins import Outpoint, SignedTx, TxOutput, Utxo
from app.wallet.signing import KeyedUtxo
from dexproto.address import p2wpkh_script
from dexproto.assets import get_asset
from dexproto.crypto import hash160, pubkey_from_secret, sha256
from dexproto.htlc import Contract
from simnet.node import RegtestNode, coin_to_atoms

LTC = get_asset("ltc", "regtest")
RATE = 20  # atoms per vbyte, above Litecoin's minimum relay fee


def _pkh(key: bytes) -> bytes:
    return hash160(pubkey_from_secret(key))


def _accept(node: RegtestNode, tx: SignedTx) -> dict[str, Any]:
    result: dict[str, Any] = node.rpc("testmempoolaccept", [tx.hex])[0]
    return result


def _broadcast(node: RegtestNode, tx: SignedTx) -> None:
    accepted = _accept(node, tx)
    assert accepted["allowed"], accepted
    assert accepted["vsize"] == tx.vsize
    assert coin_to_atoms(accepted["fees"]["base"]) == tx.fee
    assert node.rpc("sendrawtransaction", tx.hex) == tx.txid
    node.mine(1)


def _outputs(node: RegtestNode, txid: str) -> list[TxOutput]:
    decoded = node.rpc("getrawtransaction", txid, True)
    return [
        TxOutput(bytes.fromhex(o["scriptPubKey"]["hex"]), coin_to_atoms(o["value"]))
        for o in decoded["vout"]
    ]


def test_init_redeem_and_refund_on_regtest(fresh_node: RegtestNode) -> None:
    node = fresh_node
    fund_key, maker_key, taker_key = os.urandom(32), os.urandom(32), os.urandom(32)
    fund_script = p2wpkh_script(_pkh(fund_key))
    txid, vout = node.fund_script(fund_script, 100_000_000)
    coin = KeyedUtxo(Utxo(Outpoint(txid, vout), 100_000_000, fund_script, 0, 0), fund_key)

    mtp = node.median_time_past()
    secret_a, secret_b = os.urandom(32), os.urandom(32)
    # A is redeemed by the taker; B's lock time is just ahead of the chain's clock.
    contract_a = Contract(sha256(secret_a), _pkh(taker_key), _pkh(maker_key), mtp + 7200)
    contract_b = Contract(sha256(secret_b), _pkh(taker_key), _pkh(maker_key), mtp + 600)
    change_script = p2wpkh_script(_pkh(maker_key))
    init = build_init_tx(
        [coin], [(contract_a, 30_000_000), (contract_b, 20_000_000)], change_script, RATE, LTC
    )
    assert init.tx.fee == RATE * init_vsize(1, 2, change_script)
    assert init.tx.vsize <= init_vsize(1, 2, change_script) <= init.tx.vsize + 3
    _broadcast(node, init.tx)
    outputs = _outputs(node, init.tx.txid)
    assert sum(o.value for o in outputs) == 100_000_000 - init.tx.fee
    assert init.contract_vouts == (0, 1) and init.change_vout == 2
    assert outputs[2].value == init.change_value == 50_000_000 - init.tx.fee

    # The taker's audit of what the node now holds.
    expected = ExpectedContract(30_000_000, sha256(secret_a), _pkh(taker_key), mtp + 7200 - 60)
    assert (
        audit_contract_tx(contract_a.to_script(), outputs, init.contract_vouts[0], expected)
        == contract_a
    )

    dest = p2wpkh_script(_pkh(os.urandom(32)))
    redeem = build_redeem_tx(
        contract_a,
        contract_a.to_script(),
        init.outpoint(0),
        30_000_000,
        secret_a,
        taker_key,
        dest,
        RATE,
        LTC,
    )
    assert redeem.fee == RATE * redeem_vsize(97, dest)
    _broadcast(node, redeem)
    assert _outputs(node, redeem.txid)[0].value == 30_000_000 - redeem.fee
    raw = bytes.fromhex(node.rpc("getrawtransaction", redeem.txid))
    assert find_secret(raw, contract_a) == secret_a
    stacks = [
        [bytes.fromhex(item) for item in vin["txinwitness"]]
        for vin in node.rpc("getrawtransaction", redeem.txid, True)["vin"]
    ]
    assert find_secret(stacks, contract_a) == secret_a

    refund = build_refund_tx(
        contract_b, contract_b.to_script(), init.outpoint(1), 20_000_000, maker_key, dest, RATE, LTC
    )
    assert refund.fee == RATE * refund_vsize(97, dest)
    early = _accept(node, refund)
    assert not early["allowed"] and early["reject-reason"] == "non-final", early
    # Move the chain's median-time-past past the lock time: 6 of the last 11 blocks.
    node.set_mock_time(contract_b.lock_time + 60)
    node.mine(6)
    assert node.median_time_past() > contract_b.lock_time
    _broadcast(node, refund)
    assert _outputs(node, refund.txid)[0].value == 20_000_000 - refund.fee
    assert (
        find_secret(bytes.fromhex(node.rpc("getrawtransaction", refund.txid)), contract_b) is None
    )


def test_five_byte_lock_time_refund_after_2038(fresh_node: RegtestNode) -> None:
    """Lock times from 2**31 need a 5-byte script number; CLTV must accept it on chain."""
    node = fresh_node
    maker_key = os.urandom(32)
    contract = Contract(sha256(os.urandom(32)), _pkh(os.urandom(32)), _pkh(maker_key), 2**31 + 100)
    assert len(contract.to_script()) == 98
    txid, vout = node.fund_script(contract.p2wsh_script(), 1_000_000)
    node.set_mock_time(contract.lock_time + 60)
    node.mine(6)
    dest = p2wpkh_script(_pkh(maker_key))
    refund = build_refund_tx(
        contract, contract.to_script(), Outpoint(txid, vout), 1_000_000, maker_key, dest, RATE, LTC
    )
    assert refund.fee == RATE * refund_vsize(98, dest)
    _broadcast(node, refund)
