"""DEX server order intake over real websockets on loopback (dexserver.app.DexServer).

The server runs in its own process (so the clients' JSON and signing do not share its CPU
time) with a fake chain that answers every funding coin as unspent, confirmed and paid to
the P2WPKH its txid names (txid = HASH160(coin key) ‖ 12 zero bytes): every order gets the
full intake path — account and timestamp, order signature, funding proof signature, chain
lookup, coin locks, SQLite insert, server signature — without a node's latency.
CLIENTS connections each keep WINDOW requests in flight; the epoch is long (60 s) so no
matching happens while orders arrive. Orders are signed before timing starts.

  server.intake_orders_per_s   accepted standing limit orders per second (all clients)
  server.intake_latency_ms     mean round trip of one order at that load (lower is better)
"""

from __future__ import annotations

import asyncio
import multiprocessing
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any, cast

from benchmarks.framework import Result
from dexproto.address import decode_segwit, encode_segwit, p2wpkh_script
from dexproto.crypto import hash160, pubkey_from_secret
from dexserver.chain import ChainView, TxOut, TxView

CLIENTS = 8
ORDERS_PER_CLIENT = 600
WINDOW = 32
LOT, RATE = 1_000_000, 1_000_000


class NamedChain:
    """Every txid is an output of 1 coin paying P2WPKH(txid[:20]), 6 confirmations."""

    def _out(self, txid: str) -> TxOut:
        return TxOut(p2wpkh_script(bytes.fromhex(txid)[:20]), 100_000_000, 6)

    async def unspent(self, txid: str, vout: int) -> TxOut:
        return self._out(txid)

    async def tx(self, txid: str) -> TxView:
        return TxView(6, [], {0: self._out(txid)})

    async def close(self) -> None:
        pass


def _serve(datadir: str, port_out: Any, stop: Any) -> None:
    from dexserver.app import DexServer
    from dexserver.config import parse_config

    node = {"url": "http://127.0.0.1:1", "user": "u", "password": "p"}
    asset = {
        "network": "regtest",
        "lotsize": LOT,
        "ratestep": 100,
        "feerate": 10,
        "swapsize": 225,
        "swapconf": 1,
        "fundconf": 1,
        "node": node,
    }
    cfg = parse_config(
        {
            "port": 0,
            "datadir": datadir,
            "epochlen": 60_000,
            "rate_limit": 1_000_000,
            "rate_burst": 1_000_000,
            "regfee": {"asset": "ltc", "amount": 100_000, "confs": 1},
            "assets": [{"symbol": "ltc", **asset}, {"symbol": "btc", **asset}],
            "markets": [{"base": "ltc", "quote": "btc", "marketid": 0}],
        },
        Path(datadir),
    )

    async def main() -> None:
        chain = NamedChain()
        server = DexServer(cfg, chains=cast(dict[str, ChainView], {"ltc": chain, "btc": chain}))
        await server.start()
        port_out.put(server.port)
        await asyncio.get_running_loop().run_in_executor(None, stop.wait)
        await server.stop()

    asyncio.run(main())


async def _client(url: str) -> tuple[Any, list[Any]]:
    from tests.fakes.dex_client import Coin, TestClient

    c = await TestClient(url).open()
    reg = await c.call("register", c.register_params().to_json())
    fee_txid = decode_segwit("rltc", reg["address"]) + bytes(12)
    await c.call("notifyfee", c.notifyfee_params(fee_txid, 0).to_json())
    await c.call("connect", c.connect_params().to_json())
    address = encode_segwit("bcrt", 0, hash160(pubkey_from_secret(secrets.token_bytes(32))))
    orders = []
    for i in range(ORDERS_PER_CLIENT):
        key = secrets.token_bytes(32)
        coin = Coin(key, hash160(pubkey_from_secret(key)) + bytes(12), 0)
        orders.append(c.limit_params("sell", LOT, RATE + 100 * (i % 50), [coin], address).to_json())
    return c, orders


async def _drive(url: str) -> tuple[float, float, int]:
    clients = [await _client(url) for _ in range(CLIENTS)]
    latencies: list[float] = []

    async def run(c: Any, orders: list[Any]) -> int:
        sem, ok = asyncio.Semaphore(WINDOW), 0

        async def one(params: Any) -> None:
            nonlocal ok
            async with sem:
                t = time.perf_counter()
                resp = await c.call_raw("limit", params)
                latencies.append(time.perf_counter() - t)
                ok += resp.error is None

        await asyncio.gather(*(one(p) for p in orders))
        return ok

    start = time.perf_counter()
    accepted = sum(await asyncio.gather(*(run(c, o) for c, o in clients)))
    elapsed = time.perf_counter() - start
    for c, _ in clients:
        await c.close()
    return accepted / elapsed, 1000 * sum(latencies) / len(latencies), accepted


def run() -> list[Result]:
    ctx = multiprocessing.get_context("spawn")  # a clean interpreter for the server
    with tempfile.TemporaryDirectory() as tmp:
        port_q, stop = ctx.Queue(), ctx.Event()
        proc = ctx.Process(target=_serve, args=(tmp, port_q, stop), daemon=True)
        proc.start()
        try:
            port = port_q.get(timeout=30)
            rate, latency, accepted = asyncio.run(_drive(f"ws://127.0.0.1:{port}"))
        finally:
            stop.set()
            proc.join(10)
            if proc.is_alive():
                proc.terminate()
    if accepted != CLIENTS * ORDERS_PER_CLIENT:
        raise RuntimeError(f"only {accepted} of {CLIENTS * ORDERS_PER_CLIENT} orders accepted")
    return [
        Result("server.intake_orders_per_s", rate, "orders/s"),
        Result("server.intake_latency_ms", latency, "ms", higher_is_better=False),
    ]


if __name__ == "__main__":
    for r in run():
        print(f"{r.name}: {r.value:.1f} {r.unit}")
