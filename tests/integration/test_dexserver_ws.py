"""The DEX server over real websockets, funding proofs and fees checked on real regtest nodes:
register, pay, notifyfee, connect, subscribe, place, match, cancel, restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from dexproto.epoch import match_seed
from dexserver.app import DexServer
from simnet.node import RegtestNode
from tests.fakes.dex_client import TestClient
from tests.fakes.dexserver_rig import LOT, address, fund, registered, server_config

pytestmark = pytest.mark.regtest
RATE = 1_000_000  # 0.01 LTC lots at 0.01 BTC/LTC


async def test_register_trade_cancel_restart(
    tmp_path: Path, ltc_node: RegtestNode, btc_node: RegtestNode
) -> None:
    cfg = server_config(tmp_path, {"ltc": ltc_node, "btc": btc_node})
    server = DexServer(cfg)
    await server.start()
    try:
        seller = await registered(server, ltc_node)
        buyer = await registered(server, ltc_node)
        unpaid = await TestClient(f"ws://127.0.0.1:{server.port}").open()
        await unpaid.call("register", unpaid.register_params().to_json())
        refused = await unpaid.call_raw("connect", unpaid.connect_params().to_json())
        assert refused.error is not None and refused.error.code == 3
        await unpaid.close()

        book = await seller.call("orderbook", {"base": "ltc", "quote": "btc"})
        assert book["book"]["orders"] == []
        seq = book["seq"]

        sell_coin = fund(ltc_node, 10_000_000)
        sell = seller.limit_params("sell", 2 * LOT, RATE, [sell_coin], address("bcrt"))
        res = await seller.call("limit", sell.to_json())
        assert res["servertime"] > 0
        spent_twice = seller.limit_params("sell", LOT, RATE, [sell_coin], address("bcrt"))
        reuse = await seller.call_raw("limit", spent_twice.to_json())
        assert reuse.error is not None and reuse.error.code == 8
        added = await seller.wait_note("add_limit", seq=seq + 1)
        assert added["order"]["oid"] == sell.orderid.hex()

        buy_coin = fund(btc_node, 1_000_000)
        buy = buyer.limit_params("buy", LOT, RATE, [buy_coin], address("rltc"))
        await buyer.call("limit", buy.to_json())
        data = await seller.wait_note("match_data")
        ids = [bytes.fromhex(x) for x in data["orderids"]]
        assert buy.orderid in ids and ids == sorted(ids)
        assert bytes.fromhex(data["seed"]) == match_seed(ids)
        upd = await seller.wait_note("update_remaining", seq=seq + 2)
        assert upd["remaining"] == LOT
        m_seller = await seller.wait_note("match")
        m_buyer = await buyer.wait_note("match")
        assert isinstance(m_seller, list) and isinstance(m_buyer, list)
        assert m_seller[0]["side"] == "maker" and m_buyer[0]["side"] == "taker"
        assert m_seller[0]["matchid"] == m_buyer[0]["matchid"]
        assert m_seller[0]["quantity"] == LOT and m_seller[0]["rate"] == RATE
        status = await buyer.call("match_status", {"matchids": [m_buyer[0]["matchid"]]})
        assert status[0]["status"] == "newly_matched"

        rest = buyer.limit_params(
            "buy", LOT, RATE // 2, [fund(btc_node, 1_000_000)], address("rltc")
        )
        await buyer.call("limit", rest.to_json())
        await seller.wait_note("add_limit", seq=seq + 3)
        await seller.call("cancel", seller.cancel_params(sell.orderid).to_json())
        await seller.wait_note("remove_order", seq=seq + 4, orderid=sell.orderid.hex())
        again = await seller.call_raw("cancel", seller.cancel_params(sell.orderid).to_json())
        assert again.error is not None and again.error.code == 9
        seller_secret = seller.secret
        await seller.close()
        await buyer.close()
    finally:
        await server.stop()

    server = DexServer(cfg)  # restart: same datadir and key
    await server.start()
    try:
        back = await TestClient(f"ws://127.0.0.1:{server.port}", seller_secret).open()
        result = await back.call("connect", back.connect_params().to_json())
        assert [m["status"] for m in result["matches"]] == ["newly_matched"]
        book = await back.call("orderbook", {"base": "ltc", "quote": "btc"})
        assert [o["oid"] for o in book["book"]["orders"]] == [rest.orderid.hex()]
        assert book["seq"] == seq + 4
        await back.close()
        await asyncio.sleep(0)
    finally:
        await server.stop()
