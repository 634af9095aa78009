"""Hostile and broken clients: each gets the right error code and the server keeps serving.

The server runs for real on a loopback port; the chain is a fake (funding and fee checks
against a real node are in tests/integration/test_dexserver_ws.py).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dexproto import jsonrpc
from dexproto._wire import Json
from dexserver.app import DexServer
from dexserver.rpcserver import Connection
from tests.fakes.dex_client import Coin
from tests.fakes.dexserver_rig import FakeChainView, client, fake_chains, paid_client, server_config

Env = tuple[DexServer, FakeChainView]


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    chain = FakeChainView()
    server = DexServer(
        server_config(tmp_path, rate_limit=20, rate_burst=40), chains=fake_chains(chain)
    )
    await server.start()
    yield server, chain
    await server.stop()


async def still_serves(server: DexServer) -> None:
    other = await client(server)
    try:
        assert (await other.call("assets", None))["apiver"] == 1
    finally:
        await other.close()


async def raw_roundtrip(server: DexServer, frame: str) -> jsonrpc.Response:
    async with websockets.connect(f"ws://127.0.0.1:{server.port}") as ws:
        await ws.send(frame)
        msg = jsonrpc.parse_frame(await asyncio.wait_for(ws.recv(), 5))
        assert isinstance(msg, jsonrpc.Response)
        return msg


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ('{"jsonrpc":"2.0","method":"assets","id":1', -32700),
        ("\u00ff\u00fe not json", -32700),
        ('{"jsonrpc":"2.0","method":"assets","id":1,"id":2}', -32700),
        ("[1,2,3]", -32600),
        ('{"jsonrpc":"1.0","method":"assets","id":1}', -32600),
        (
            '{"jsonrpc":"2.0","method":"register","params":{"pubkey":"00","timestamp":"x",'
            '"sig":"00"},"id":3}',
            -32602,
        ),
        (
            '{"jsonrpc":"2.0","method":"register","params":{"pubkey":"'
            + "11" * 32
            + '","timestamp":1.5,"sig":"'
            + "22" * 64
            + '"},"id":3}',
            -32602,
        ),
        ('{"jsonrpc":"2.0","method":"no_such_method","id":4}', -32601),
        ('{"jsonrpc":"2.0","method":"match","params":[],"id":5}', -32601),
    ],
)
async def test_bad_frames(env: Env, frame: str, code: int) -> None:
    reply = await raw_roundtrip(env[0], frame)
    assert reply.error is not None and reply.error.code == code
    await still_serves(env[0])


async def test_oversized_frame_closes_only_that_client(
    env: Env,
) -> None:
    async with websockets.connect(f"ws://127.0.0.1:{env[0].port}", max_size=None) as ws:
        await ws.send("x" * ((1 << 20) + 1))
        with pytest.raises(websockets.ConnectionClosed) as info:
            await asyncio.wait_for(ws.recv(), 5)
        assert info.value.rcvd is not None and info.value.rcvd.code == 1009
    await still_serves(env[0])


async def test_bad_signature_and_replay(env: Env) -> None:
    c = await client(env[0])
    params = c.register_params().to_json()
    bad = dict(params, sig="00" * 64)
    assert await c.error_code("register", bad) == 1
    assert (await c.call_raw("register", params)).error is None
    again = await c.call_raw("register", params)
    assert again.error is not None and again.error.code == 15
    stale = c.register_params(timestamp=1).to_json()
    assert await c.error_code("register", stale) == 18
    await c.close()
    await still_serves(env[0])


async def test_order_errors(env: Env) -> None:
    server, chain = env
    c = await paid_client(server, chain)
    coin = Coin(secrets.token_bytes(32), b"", 0)
    coin.txid, coin.vout = chain.pay(coin.script, 10_000_000)
    addr = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
    order = c.limit_params("sell", 2_000_000, 1_000_000, [coin], addr).to_json()
    assert (await c.call_raw("limit", order)).error is None
    dup = await c.call_raw("limit", order)
    assert dup.error is not None and dup.error.code == 15
    lot = c.limit_params("sell", 1_500_000, 1_000_000, [coin], addr).to_json()
    assert await c.error_code("limit", lot) == 5
    step = c.limit_params("sell", 1_000_000, 1_000_050, [coin], addr).to_json()
    assert await c.error_code("limit", step) == 6
    reuse = c.limit_params("sell", 1_000_000, 1_000_000, [coin], addr).to_json()
    assert await c.error_code("limit", reuse) == 8
    poor = Coin(secrets.token_bytes(32), b"", 0)
    poor.txid, poor.vout = chain.pay(poor.script, 1_000_000)
    short = c.limit_params("sell", 1_000_000, 1_000_000, [poor], addr).to_json()
    assert await c.error_code("limit", short) == 7
    forged = dict(order, sig="11" * 64, timestamp=order["timestamp"])
    assert await c.error_code("limit", forged) in (1, 15)
    stranger = await client(server)
    other = stranger.limit_params("sell", 1_000_000, 1_000_000, [poor], addr).to_json()
    assert await stranger.error_code("limit", other) == 2
    await stranger.close()
    await c.close()
    await still_serves(server)


async def test_flood_is_rate_limited(env: Env) -> None:
    frame = jsonrpc.request_frame("assets", None, 1)
    codes = []
    async with websockets.connect(f"ws://127.0.0.1:{env[0].port}", max_size=None) as ws:
        for _ in range(100):
            await ws.send(frame)
        for _ in range(100):
            msg = jsonrpc.parse_frame(await asyncio.wait_for(ws.recv(), 5))
            assert isinstance(msg, jsonrpc.Response)
            codes.append(msg.error.code if msg.error else 0)
    assert 16 in codes and 0 in codes
    await still_serves(env[0])


class _Sink:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, message: str) -> None:
        self.sent.append(message)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        pass


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_methods = st.sampled_from(
    [
        "assets",
        "register",
        "notifyfee",
        "connect",
        "orderbook",
        "limit",
        "market",
        "cancel",
        "init",
        "redeem",
        "match_status",
        "match",
        "unsub_orderbook",
        "nope",
    ]
)
_frames = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200),
    _json.map(json.dumps),
    st.builds(
        lambda meth, params, rid: json.dumps(
            {"jsonrpc": "2.0", "method": meth, "params": params, "id": rid}
        ),
        _methods,
        _json,
        st.integers(-5, 2**64),
    ),
)


def test_fuzz_dispatcher(tmp_path: Path) -> None:
    loop = asyncio.new_event_loop()
    chain = FakeChainView()
    server = DexServer(server_config(tmp_path), chains=fake_chains(chain))
    loop.run_until_complete(server.start())
    sink = _Sink()
    conn = Connection(sink, server.handlers(), rate=1e9, burst=10**9)

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_frames)
    def check(frame: str | bytes) -> None:
        before = conn.queue.qsize()
        loop.run_until_complete(conn.handle(frame))
        assert conn.queue.qsize() - before <= 1
        while not conn.queue.empty():
            reply = jsonrpc.parse_frame(conn.queue.get_nowait())
            assert isinstance(reply, jsonrpc.Response)
            if reply.error is not None:
                assert reply.error.code != -32603, reply.error

    try:
        check()
    finally:
        loop.run_until_complete(server.stop())
        loop.close()


async def test_settlement_needs_a_known_match(env: Env) -> None:
    server, chain = env
    c = await client(server)
    init: Json = {
        "orderid": "11" * 32,
        "matchid": "22" * 32,
        "txid": "33" * 32,
        "vout": 0,
        "contract": "00",
        "timestamp": 1,
        "sig": "44" * 64,
    }
    assert await c.error_code("init", init) == 2
    await c.close()
    c = await paid_client(server, chain)
    assert await c.error_code("init", init) == 12
    status = await c.call_raw("match_status", {"matchids": ["22" * 32]})
    assert status.error is not None and status.error.code == 12
    await c.close()
    await still_serves(server)


async def http_get(port: int, path: str) -> tuple[int, Any]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    await writer.wait_closed()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


async def test_http_api(env: Env) -> None:
    port = env[0].port
    status, cfg = await http_get(port, "/api/config")
    assert status == 200 and cfg["markets"][0]["name"] == "ltc_btc"
    status, book = await http_get(port, "/api/markets/ltc_btc/book")
    assert status == 200 and book["bids"] == [] and book["asks"] == []
    assert (await http_get(port, "/api/markets/ltc_btc/trades")) == (200, [])
    assert (await http_get(port, "/api/markets/ltc_btc/candles?bin=1m")) == (200, [])
    assert (await http_get(port, "/api/markets/ltc_btc/candles?bin=2m"))[0] == 400
    assert (await http_get(port, "/api/markets/xxx_btc/book"))[0] == 404
    await still_serves(env[0])
