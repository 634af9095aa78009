"""Review M5 on real nodes: the spend of a contract carries the spending input's witness as
the node decoded it (`txinwitness` of `getrawtransaction … 1` in the mempool, of
`getblock … 2` once mined), and the secret is read from it, so a transaction the node
serializes with the MWEB flag (a Litecoin peg-in in its mempool: flag 0x09) still gives it.

The last test is the attack itself: on a Litecoin node with MWEB active, the "maker" (played
by the test) redeems the taker's contract with a real peg-in transaction and sends no
`redemption` message; the real taker engine learns the secret from the mempool and completes
(before, its loop died on TxDecodeError)."""

from __future__ import annotations

import asyncio
import os
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bitcoin.core import lx

from app.swap.engine import Funding
from app.swap.errors import TxDecodeError
from app.swap.htlc import decode_witnesses, find_secret
from app.swap.htlc_tx import bip143_sighash_all, build_redeem_tx, redeem_vsize
from app.swap.messages import CounterpartyInit, InitReport
from app.swap.states import Complete, Role
from app.wallet.backends.corerpc import CoreRpcBackend
from app.wallet.coins import Outpoint, TxOutput, Utxo
from app.wallet.signing import KeyedUtxo, unsigned_tx
from dexproto.address import p2wpkh_script
from dexproto.assets import get_asset
from dexproto.crypto import ecdsa_sign_digest, hash160, pubkey_from_secret, sha256
from dexproto.htlc import Contract, maker_lock_time
from simnet.errors import NodeError
from simnet.node import (
    RPC_PASSWORD,
    RPC_USER,
    RegtestNode,
    atoms_to_coin_str,
    find_daemon,
    stop_quietly,
)
from tests.fakes.matches import RATE, fresh_script, make_matches, role_keys
from tests.integration.swap_harness import Wire, backend, miner, open_engine
from tests.integration.swap_rig import MAKER_AMOUNT, TAKER_AMOUNT, balance
from tests.waits import until

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
    contract = Contract(
        sha256(secret), _pkh(key), _pkh(os.urandom(32)), node.median_time_past() + 7200
    )
    txid, vout = await asyncio.to_thread(node.fund_script, contract.p2wsh_script(), 1_000_000)
    start = int(node.rpc("getblockcount"))
    outpoint = Outpoint(txid, vout)
    redeem = build_redeem_tx(
        contract,
        contract.to_script(),
        outpoint,
        1_000_000,
        secret,
        key,
        p2wpkh_script(_pkh(os.urandom(32))),
        20,
        LTC,
    )
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
            assert spend is not None  # the flagged one: its raw bytes cannot be parsed
            assert spend.raw[5] == 0x09
            with pytest.raises(TxDecodeError):
                decode_witnesses(spend.raw)
    finally:
        await plain.close()
        await flagged.close()


# -- a real MWEB peg-in redeeming the taker's contract --------------------------------------------
@pytest.fixture
def mweb_node(tmp_path: Path) -> Iterator[RegtestNode]:
    """A Litecoin Core regtest node on which MWEB activates at block 432 (simnet's nodes keep
    it from activating), whose wallet does not broadcast: the test takes the wallet's peg-in
    transaction apart before anything is sent."""
    daemon = find_daemon("litecoin")
    assert daemon is not None
    node = RegtestNode(tmp_path / "mweb", daemon=daemon, label="btc")
    node.datadir.mkdir(parents=True)
    args = [
        daemon,
        "-regtest",
        f"-datadir={node.datadir}",
        "-server=1",
        "-listen=0",
        f"-port={node.p2p_port}",
        f"-rpcport={node.rpc_port}",
        "-rpcbind=127.0.0.1",
        "-rpcallowip=127.0.0.1",
        f"-rpcuser={RPC_USER}",
        f"-rpcpassword={RPC_PASSWORD}",
        "-fallbackfee=0.0002",
        "-txindex=1",
        "-printtoconsole=0",
        "-discover=0",
        "-dnsseed=0",
        "-upnp=0",
        "-walletbroadcast=0",
    ]
    with open(node.datadir / "daemon.out", "ab") as out:
        node.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                node.rpc("getblockchaininfo")
                break
            except (NodeError, OSError):
                assert node.process.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        node.rpc("createwallet", "miner")
        yield node
    finally:
        stop_quietly(node)


def _send(node: RegtestNode, address: str, atoms: int) -> str:
    """Pay `address` from the wallet and broadcast it (the wallet itself does not)."""
    txid = str(node.rpc("sendtoaddress", address, atoms_to_coin_str(atoms), wallet="miner"))
    node.rpc("sendrawtransaction", node.rpc("gettransaction", txid, wallet="miner")["hex"])
    return txid


def _vout(node: RegtestNode, txid: str, script: bytes) -> int:
    tx = node.rpc("getrawtransaction", txid, True)
    return next(
        int(o["n"]) for o in tx["vout"] if o.get("scriptPubKey", {}).get("hex") == script.hex()
    )


class _WalletFunding:
    """The taker's coins: a fresh key paid from the node's wallet (amount + a margin)."""

    def __init__(self, node: RegtestNode) -> None:
        self.node = node
        self.change_script = fresh_script()

    async def fund(
        self, amount: int, fee_rate: int, contracts: int, orders: tuple[str, ...] = ()
    ) -> Funding:
        key = os.urandom(32)
        script = p2wpkh_script(_pkh(key))
        total = amount + 100_000
        txid = await asyncio.to_thread(_send, self.node, self.node.node_address(script), total)
        vout = await asyncio.to_thread(_vout, self.node, txid, script)
        return Funding(
            (KeyedUtxo(Utxo(Outpoint(txid, vout), total, script, 0, 0), key),), self.change_script
        )


def _varint(raw: bytes, i: int) -> tuple[int, int]:
    n = raw[i]
    if n < 0xFD:
        return n, i + 1
    assert n == 0xFD
    return struct.unpack_from("<H", raw, i + 1)[0], i + 3


def _pegin_redeem(
    node: RegtestNode,
    template_coin: Outpoint,
    outpoint: Outpoint,
    value: int,
    contract: Contract,
    secret: bytes,
    key: bytes,
) -> str:
    """A peg-in transaction redeeming `contract` at `outpoint`: the wallet builds a peg-in
    spending `template_coin` (worth `value` too, every other coin locked); its only input is
    swapped for the contract's, signed over the same outputs (the MWEB kernel does not commit
    to canonical inputs), and the result broadcast. Returns its txid."""
    others = [
        {"txid": u["txid"], "vout": u["vout"]}
        for u in node.rpc("listunspent", 0, wallet="miner")
        if "vout" in u
    ]
    node.rpc(
        "lockunspent",
        True,
        [{"txid": template_coin.txid, "vout": template_coin.vout}],
        wallet="miner",
    )
    node.rpc("lockunspent", False, others, wallet="miner")
    try:
        mweb = node.rpc("getnewaddress", "", "mweb", wallet="miner")
        made = node.rpc("sendtoaddress", mweb, atoms_to_coin_str(value // 2), wallet="miner")
    finally:
        node.rpc("lockunspent", True, others, wallet="miner")
    raw = bytes.fromhex(node.rpc("gettransaction", made, wallet="miner")["hex"])
    assert raw[4:6] == b"\x00\x09"  # segwit + MWEB
    count, i = _varint(raw, 6)
    assert count == 1
    prevout, i = raw[i : i + 36], i + 36
    assert prevout == lx(template_coin.txid) + struct.pack("<I", template_coin.vout)
    script_len, i = _varint(raw, i)
    sequence = struct.unpack_from("<I", raw, i + script_len)[0]
    outputs_at = i + script_len + 4
    count, i = _varint(raw, outputs_at)
    outputs = []
    for _ in range(count):
        amount = struct.unpack_from("<q", raw, i)[0]
        script_len, i = _varint(raw, i + 8)
        outputs.append(TxOutput(raw[i : i + script_len], amount))
        i += script_len
    outputs_end = i
    items, i = _varint(raw, i)  # the one input's witness
    for _ in range(items):
        size, i = _varint(raw, i)
        i += size
    mweb_and_locktime = raw[i:]
    locktime = struct.unpack("<I", raw[-4:])[0]
    script = contract.to_script()
    tx = unsigned_tx([outpoint], [sequence], outputs, locktime)
    sig = ecdsa_sign_digest(key, bip143_sighash_all(tx, 0, script, value)) + b"\x01"
    witness = [sig, pubkey_from_secret(key), secret, b"\x01", script]
    spend = b"".join(
        (
            raw[:6],
            b"\x01",
            lx(outpoint.txid),
            struct.pack("<I", outpoint.vout),
            b"\x00",
            struct.pack("<I", sequence),
            raw[outputs_at:outputs_end],
            bytes([len(witness)]),
            *(bytes([len(w)]) + w for w in witness),
            mweb_and_locktime,
        )
    )
    return str(node.rpc("sendrawtransaction", spend.hex()))


async def test_a_taker_redeemed_by_an_mweb_pegin_learns_the_secret_from_the_mempool(
    tmp_path: Path,
    ltc_node: RegtestNode,
    mweb_node: RegtestNode,
) -> None:
    """The taker pays on the MWEB node ("btc"), receives on ltc_node. The played maker funds
    a good contract, then redeems the taker's with a peg-in (no `redemption` message): the
    node serves it with flag 0x09; the taker reads the secret from its decoded witness,
    redeems the maker's contract and completes, to the atom."""
    node = mweb_node
    address = node.rpc("getnewaddress", "", "bech32", wallet="miner")
    await asyncio.to_thread(node.rpc, "generatetoaddress", 430, address)
    mine = node.rpc("getnewaddress", "", "bech32", wallet="miner")  # the wallet's own coin
    template_script = bytes.fromhex(
        node.rpc("getaddressinfo", mine, wallet="miner")["scriptPubKey"]
    )
    txid = await asyncio.to_thread(_send, node, mine, TAKER_AMOUNT)
    template = Outpoint(txid, _vout(node, txid, template_script))
    node.rpc("lockunspent", False, [{"txid": template.txid, "vout": template.vout}], wallet="miner")
    await asyncio.to_thread(node.rpc, "generatetoaddress", 1, address)  # 432 is MWEB's
    maker, taker = make_matches(MAKER_AMOUNT, TAKER_AMOUNT)
    secret = os.urandom(32)
    wire = Wire()
    backends = {"ltc": backend(ltc_node), "btc": backend(node)}
    engine = open_engine(
        tmp_path / "taker.db",
        backends,
        _WalletFunding(node),
        wire,
        Role.TAKER,
    )
    mining = asyncio.create_task(miner([ltc_node]))
    try:
        await engine.add_match(taker)
        theirs = Contract(
            sha256(secret),
            taker.our_pkh,
            maker.our_pkh,
            maker_lock_time(maker.match_time_ms, maker.maker_lock_ms),
        )
        txid, vout = await asyncio.to_thread(
            ltc_node.fund_script, theirs.p2wsh_script(), MAKER_AMOUNT
        )
        engine.deliver(
            CounterpartyInit(
                maker.order_id,
                maker.match_id,
                txid,
                vout,
                theirs.to_script(),
                int(time.time() * 1000),
            )
        )
        await until(
            lambda: any(isinstance(m, InitReport) for _, m in wire.sent),
            "an InitReport",
            timeout=60,
        )
        report = next(m for _, m in wire.sent if isinstance(m, InitReport))
        ours = Contract.parse(report.contract)
        outpoint = Outpoint(report.txid, report.vout)
        assert maker.our_key_path is not None
        maker_key = role_keys(Role.MAKER).key_at(maker.our_key_path, "regtest")
        pegin = await asyncio.to_thread(
            _pegin_redeem, node, template, outpoint, TAKER_AMOUNT, ours, secret, maker_key
        )
        assert node.rpc("getrawtransaction", pegin)[8:12] == "0009"  # as the review found
        end = await asyncio.wait_for(engine.wait(taker.match_id), 60)
        assert isinstance(end, Complete), end
        assert await balance(backends["ltc"], taker.redeem_script) == (
            MAKER_AMOUNT - RATE * redeem_vsize(97, taker.redeem_script)
        )
        assert not wire.delivered  # no `redemption` message ever reached the taker
        spend = await backends["btc"].find_spend(outpoint, 431)
        assert spend is not None and spend.txid == pegin and spend.height is None
        assert find_secret([spend.witness], ours) == secret
        await asyncio.to_thread(node.rpc, "generatetoaddress", 1, address)  # with the peg-in
        mined = await backends["btc"].find_spend(outpoint, 431)
        assert mined is not None and mined.height == 432 and mined.witness == spend.witness
    finally:
        mining.cancel()
        await asyncio.gather(mining, return_exceptions=True)
        await engine.stop()
        for b in backends.values():
            await b.close()
