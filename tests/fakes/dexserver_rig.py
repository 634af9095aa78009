"""What tests of the real DEX server (dexserver/) run it with: its config (on a fake node
address, or on real regtest nodes), a fake chain view that pays any script, and scripted
clients (tests/fakes/dex_client.py) registered on it, the fee paid on the fake chain or on a
real node."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from dexproto.address import decode_segwit, encode_segwit, p2wpkh_script
from dexproto.crypto import hash160, pubkey_from_secret
from dexserver.app import DexServer
from dexserver.chain import ChainView, TxOut, TxView
from dexserver.config import ServerConfig, parse_config
from simnet.node import RPC_PASSWORD, RPC_USER, RegtestNode
from tests.fakes.dex_client import Coin, TestClient

LOT = 1_000_000  # the lot size of server_config: 0.01 LTC
REGFEE = 100_000  # the registration fee of server_config, in LTC atoms


class FakeChainView:
    """The server's view of a chain (dexserver.chain.ChainView) without a node: outputs exist
    once `pay` made them, with the confirmations given."""

    def __init__(self) -> None:
        self.outputs: dict[tuple[str, int], TxOut] = {}

    def pay(self, script: bytes, value: int, confs: int = 6) -> tuple[bytes, int]:
        txid = secrets.token_bytes(32)
        self.outputs[(txid.hex(), 0)] = TxOut(script, value, confs)
        return txid, 0

    async def unspent(self, txid: str, vout: int) -> TxOut | None:
        return self.outputs.get((txid, vout))

    async def tx(self, txid: str) -> TxView | None:
        outs = {v: o for (t, v), o in self.outputs.items() if t == txid}
        if not outs:
            return None
        return TxView(min(o.confirmations for o in outs.values()), [], outs)

    async def close(self) -> None:
        pass


def fake_chains(chain: FakeChainView) -> dict[str, ChainView]:
    """Both assets on one fake chain, as DexServer takes its chains (it only calls what
    FakeChainView has)."""
    return cast(dict[str, ChainView], {"ltc": chain, "btc": chain})


def server_config(
    tmp: Path, nodes: Mapping[str, RegtestNode] | None = None, *, feerate: int = 10, **extra: Any
) -> ServerConfig:
    """The LTC/BTC regtest market: 0.01 LTC lots, 1 s epochs, a 0.001 LTC registration fee;
    the chains on `nodes`, or on an address nothing listens on (for a FakeChainView)."""

    def asset(symbol: str) -> dict[str, Any]:
        node: dict[str, Any] = {"url": "http://127.0.0.1:1", "user": "u", "password": "p"}
        if nodes is not None:
            node = {"url": nodes[symbol].rpc_url, "user": RPC_USER, "password": RPC_PASSWORD}
        return {
            "symbol": symbol,
            "network": "regtest",
            "lotsize": LOT,
            "ratestep": 100,
            "feerate": feerate,
            "swapsize": 225,
            "swapconf": 1,
            "fundconf": 1,
            "node": node,
        }

    raw = {
        "port": 0,
        "datadir": str(tmp / "dex"),
        "epochlen": 1000,
        "btimeout": 600_000,
        "regfee": {"asset": "ltc", "amount": REGFEE, "confs": 1},
        "assets": [asset("ltc"), asset("btc")],
        "markets": [{"base": "ltc", "quote": "btc", "marketid": 0}],
        **extra,
    }
    return parse_config(raw, tmp)


async def client(server: DexServer, secret: bytes | None = None) -> TestClient:
    return await TestClient(f"ws://127.0.0.1:{server.port}", secret).open()


async def paid_client(server: DexServer, chain: FakeChainView) -> TestClient:
    """A client registered and connected, its fee paid on the fake chain."""
    c = await client(server)
    reg = await c.call("register", c.register_params().to_json())
    txid, vout = chain.pay(b"\x00\x14" + decode_segwit("rltc", reg["address"]), reg["fee"])
    await c.call("notifyfee", c.notifyfee_params(txid, vout).to_json())
    await c.call("connect", c.connect_params().to_json())
    return c


async def registered(
    server: DexServer, node: RegtestNode, secret: bytes | None = None
) -> TestClient:
    """A client registered and connected, its fee paid on `node` (one block mined)."""
    c = await client(server, secret)
    reg = await c.call("register", c.register_params().to_json())
    assert reg["asset"] == "ltc" and reg["fee"] == REGFEE
    script = p2wpkh_script(decode_segwit("rltc", reg["address"]))
    txid, vout = node.fund_script(script, reg["fee"])  # mines one block: 1 confirmation
    await c.call("notifyfee", c.notifyfee_params(bytes.fromhex(txid), vout).to_json())
    result = await c.call("connect", c.connect_params().to_json())
    assert result["orders"] == [] and result["matches"] == []
    return c


def fund(node: RegtestNode, atoms: int) -> Coin:
    """A funding coin of `atoms` on `node`, confirmed."""
    coin = Coin(secrets.token_bytes(32), b"", 0)
    txid, coin.vout = node.fund_script(coin.script, atoms)
    coin.txid = bytes.fromhex(txid)
    return coin


def address(hrp: str) -> str:
    """A fresh P2WPKH address on the network of `hrp`."""
    return encode_segwit(hrp, 0, hash160(pubkey_from_secret(secrets.token_bytes(32))))
