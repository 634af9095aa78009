"""Protocol details the spec settles (§5, §7), against the real server over websockets with
funding and fees checked on regtest: which bytes the `connect` result signs, error 3 for a
wrong fee output, 2 for an order before `connect`, 7 for funding that does not add up and for
a market buy under the buffer, and `timeinforce: "immediate"` on a market order."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from dexproto import codec, signing
from dexproto import messages as m
from dexproto.address import decode_segwit, p2wpkh_script
from dexproto.errors import SignatureError
from dexserver.app import DexServer
from simnet.node import RegtestNode
from tests.fakes.dex_client import TestClient
from tests.fakes.dexserver_rig import LOT, address, fund, registered, server_config

pytestmark = pytest.mark.regtest
RATE = 1_000_000  # 0.01 BTC/LTC


@pytest.fixture
async def server(
    tmp_path: Path, ltc_node: RegtestNode, btc_node: RegtestNode
) -> AsyncIterator[DexServer]:
    srv = DexServer(server_config(tmp_path, {"ltc": ltc_node, "btc": btc_node}))
    await srv.start()
    yield srv
    await srv.stop()


async def code_of(c: TestClient, method: str, params: Any) -> int | None:
    resp = await c.call_raw(method, params.to_json())
    return None if resp.error is None else resp.error.code


def check_sig(server: DexServer, sig_hex: str, payload: codec.Payload) -> None:
    signing.verify(server.pubkey, bytes.fromhex(sig_hex), payload, what="server")


async def test_connect_result_signs_the_clients_connect_bytes(
    server: DexServer, ltc_node: RegtestNode
) -> None:
    c = await registered(server, ltc_node)
    try:
        params = c.connect_params()
        result = await c.call("connect", params.to_json())
        check_sig(server, result["sig"], params.payload())
        other = dataclasses.replace(params.payload(), timestamp=params.timestamp + 1)
        with pytest.raises(SignatureError):
            check_sig(server, result["sig"], other)
    finally:
        await c.close()


async def test_a_wrong_fee_output_is_error_3(server: DexServer, ltc_node: RegtestNode) -> None:
    c = await TestClient(f"ws://127.0.0.1:{server.port}").open()
    try:
        reg = await c.call("register", c.register_params().to_json())
        elsewhere = p2wpkh_script(decode_segwit("rltc", address("rltc")))
        txid, vout = ltc_node.fund_script(elsewhere, reg["fee"])
        assert await code_of(c, "notifyfee", c.notifyfee_params(bytes.fromhex(txid), vout)) == 3
        fee_script = p2wpkh_script(decode_segwit("rltc", reg["address"]))
        txid, vout = ltc_node.fund_script(fee_script, reg["fee"] - 1)
        assert await code_of(c, "notifyfee", c.notifyfee_params(bytes.fromhex(txid), vout)) == 3
        assert await code_of(c, "connect", c.connect_params()) == 3  # not paid: no account yet
    finally:
        await c.close()


async def test_orders_before_connect_are_error_2(
    server: DexServer, ltc_node: RegtestNode, btc_node: RegtestNode
) -> None:
    paid = await registered(server, ltc_node)
    fresh = await TestClient(f"ws://127.0.0.1:{server.port}", paid.secret).open()
    try:  # the same, paid account on a connection that has not done `connect`
        limit = fresh.limit_params("sell", LOT, RATE, [fund(ltc_node, 5 * LOT)], address("bcrt"))
        assert await code_of(fresh, "limit", limit) == 2
        market = fresh.market_params("sell", LOT, [fund(ltc_node, 5 * LOT)], address("bcrt"))
        assert await code_of(fresh, "market", market) == 2
    finally:
        await fresh.close()
        await paid.close()


async def test_funding_that_does_not_add_up_and_a_market_buy_under_the_buffer_are_error_7(
    server: DexServer, ltc_node: RegtestNode, btc_node: RegtestNode
) -> None:
    seller = await registered(server, ltc_node)
    buyer = await registered(server, ltc_node)
    try:
        short = seller.limit_params("sell", 2 * LOT, RATE, [fund(ltc_node, LOT)], address("bcrt"))
        assert await code_of(seller, "limit", short) == 7  # 2 lots + fees from 1 lot of coins
        no_ask = buyer.market_params("buy", 100_000, [fund(btc_node, 1_000_000)], address("rltc"))
        assert await code_of(buyer, "market", no_ask) == 7  # no standing sell to price it
        await seller.call("orderbook", {"base": "ltc", "quote": "btc"})
        sell = seller.limit_params("sell", LOT, RATE, [fund(ltc_node, 5 * LOT)], address("bcrt"))
        await seller.call("limit", sell.to_json())
        await seller.wait_note("add_limit")
        buffer = 125 * LOT * RATE // 10**8 // 100  # b_m · lotsize · r_best / 10^8 = 12500
        under = buyer.market_params("buy", buffer - 1, [fund(btc_node, 1_000_000)], address("rltc"))
        assert await code_of(buyer, "market", under) == 7
        at = buyer.market_params("buy", buffer, [fund(btc_node, 1_000_000)], address("rltc"))
        assert await code_of(buyer, "market", at) is None
    finally:
        await seller.close()
        await buyer.close()


async def test_a_market_order_may_say_immediate_never_standing(
    server: DexServer, ltc_node: RegtestNode
) -> None:
    c = await registered(server, ltc_node)
    try:
        p = c.market_params(
            "sell", LOT, [fund(ltc_node, 5 * LOT)], address("bcrt"), tif=m.TimeInForce.IMMEDIATE
        )
        assert p.to_json()["timeinforce"] == "immediate"
        assert codec.order_id(p.payload(0)) == codec.order_id(
            dataclasses.replace(p, timeinforce=None).payload(0)
        )  # same bytes, same ID
        result = await c.call("market", p.to_json())  # was: -32602 unknown field(s)
        check_sig(server, result["sig"], p.payload(result["servertime"]))
        standing = {
            **c.market_params("sell", LOT, [fund(ltc_node, 5 * LOT)], address("bcrt")).to_json(),
            "timeinforce": "standing",
        }
        resp = await c.call_raw("market", standing)
        assert resp.error is not None and resp.error.code == -32602
        assert "immediate" in resp.error.message
    finally:
        await c.close()
