"""Review M5 on a real node: the spend of a contract carries the spending input's witness as
the node decoded it (`txinwitness` of `getrawtransaction … 1` in the mempool, of
`getblock … 2` once mined), and the secret is read from it, so a transaction the node
serializes with the MWEB flag (a Litecoin peg-in in its mempool: flag 0x09) still gives it."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest

from app.assets import get_asset
from app.crypto import hash160, pubkey_from_secret, sha256
from app.swap.errors import TxDecodeError
from app.swap.htlc import Contract, decode_witnesses, find_secret
from app.swap.htlc_tx import build_redeem_tx
from app.wallet.address import p2wpkh_script
from app.wallet.backends.corerpc import CoreRpcBackend
from app.wallet.coins import Outpoint
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode

pytestmark = pytest.mark.regtest
LTC = get_asset("ltc", "regtest")


def _pkh(key: bytes) -> bytes:
    return hash160(pubkey_from_secret(key))


def _flag_mweb(tx: dict[str, Any]) -> None:
    """Rewrite a segwit tx's hex as litecoind shows a peg-in in its mempool: flag 0x09."""
    hex_ = str(tx["hex"])
    assert hex_[8:12] == "0001"
    tx["hex"] = hex_[:8] + "0009" + hex_[12:]


class _MwebHexNode(CoreRpcBackend):
    """The node's JSON unchanged except every transaction's `hex`, flagged as MWEB."""

    async def call(self, method: str, *params: Any) -> Any:
        reply = await super().call(method, *params)
        if method == "getrawtransaction" and len(params) > 1 and params[1]:
            _flag_mweb(reply)
        elif method == "getblock" and len(params) > 1 and params[1] == 2:
            for tx in reply["tx"]:
                if str(tx["hex"])[8:12] == "0001":
                    _flag_mweb(tx)
        return reply


async def test_the_secret_comes_from_the_witness_the_node_decoded(ltc_node: RegtestNode) -> None:
    node = ltc_node
    key, secret = os.urandom(32), os.urandom(32)
    contract = Contract(sha256(secret), _pkh(key), _pkh(os.urandom(32)),
                        node.median_time_past() + 7200)
    txid, vout = await asyncio.to_thread(node.fund_script, contract.p2wsh_script(), 1_000_000)
    start = int(node.rpc("getblockcount"))
    outpoint = Outpoint(txid, vout)
    redeem = build_redeem_tx(contract, contract.to_script(), outpoint, 1_000_000, secret, key,
                             p2wpkh_script(_pkh(os.urandom(32))), 20, LTC)
    node.rpc("sendrawtransaction", redeem.raw.hex())
    decoded = node.rpc("getrawtransaction", redeem.txid, True)["vin"][0]["txinwitness"]
    node_stack = tuple(bytes.fromhex(item) for item in decoded)
    assert node_stack[-1] == contract.to_script() and secret in node_stack
    plain = CoreRpcBackend(node.rpc_url, RPC_USER, RPC_PASSWORD)
    flagged = _MwebHexNode(node.rpc_url, RPC_USER, RPC_PASSWORD)
    try:
        for mined in (False, True):
            if mined:
                await asyncio.to_thread(node.mine, 1)
            for backend in (plain, flagged):
                spend = await backend.find_spend(outpoint, start)
                assert spend is not None and spend.txid == redeem.txid and spend.vin == 0
                assert (spend.height is not None) is mined
                assert spend.witness == node_stack  # the node's decoding, item by item
                assert find_secret([spend.witness], contract) == secret
            assert spend.raw[5] == 0x09  # the flagged one: its raw bytes cannot be parsed
            with pytest.raises(TxDecodeError):
                decode_witnesses(spend.raw)
    finally:
        await plain.close()
        await flagged.close()
