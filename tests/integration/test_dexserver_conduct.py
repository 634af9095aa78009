"""Conduct on a live server with a fake chain (spec §10–§11): broadcast timeouts, the
cancellation ratio, cancels after a long disconnection, bans, suspension, trades/candles."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dexproto import codec, signing
from dexproto.address import decode_segwit, p2wsh_script
from dexproto.crypto import sha256
from dexproto.htlc import Contract, maker_lock_time
from dexserver.app import DexServer
from dexserver.book import Status
from dexserver.chain import TxOut
from tests.fakes.dex_client import Coin, TestClient
from tests.fakes.dexserver_rig import (
    LOT,
    FakeChainView,
    address,
    client,
    fake_chains,
    paid_client,
    server_config,
)
from tests.waits import until

RATE = 1_000_000  # 0.01 BTC/LTC
Env = tuple[DexServer, FakeChainView]


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    chain = FakeChainView()
    server = DexServer(
        server_config(tmp_path, epochlen=300, btimeout=1200), chains=fake_chains(chain)
    )
    await server.start()
    yield server, chain
    await server.stop()


def coin(chain: FakeChainView, atoms: int = 10_000_000) -> Coin:
    c = Coin(secrets.token_bytes(32), b"", 0)
    c.txid, c.vout = chain.pay(c.script, atoms)
    return c


async def book_sell(c: TestClient, chain: FakeChainView, qty: int = LOT) -> bytes:
    p = c.limit_params("sell", qty, RATE, [coin(chain)], address("bcrt"))
    await c.call("limit", p.to_json())
    return p.orderid


def violations(server: DexServer, c: TestClient) -> int:
    row = server.store.account(c.account_id)
    assert row is not None
    return row.violations


async def test_broadcast_timeout_revokes_with_fault(env: Env) -> None:
    server, chain = env
    maker, taker = await paid_client(server, chain), await paid_client(server, chain)
    await maker.call("orderbook", {"base": "ltc", "quote": "btc"})
    sell1, sell2 = await book_sell(maker, chain), await book_sell(maker, chain)
    await maker.wait_note("add_limit")
    await maker.wait_note("add_limit")
    taker_addr = address("rltc")
    buy = taker.limit_params("buy", 2 * LOT, RATE, [coin(chain)], taker_addr, standing=False)
    await taker.call("limit", buy.to_json())
    notes = await maker.wait_note("match")
    assert isinstance(notes, list) and len(notes) == 2
    by_order = {bytes.fromhex(n["orderid"]): n for n in notes}
    # the maker inits the match of sell2 only; its taker then never inits
    n2 = by_order[sell2]
    contract = Contract(
        sha256(b"s" * 32),
        decode_segwit("rltc", taker_addr),
        bytes(20),
        maker_lock_time(n2["servertime"], server.config.maker_lock),
    )
    txid = secrets.token_bytes(32)
    chain.outputs[(txid.hex(), 0)] = TxOut(p2wsh_script(contract.to_script()), LOT, 1)
    mid2 = bytes.fromhex(n2["matchid"])
    await maker.call(
        "init", maker.init_params(sell2, mid2, txid, 0, contract.to_script()).to_json()
    )
    revoked = [await maker.wait_note("revoke_match", timeout=5) for _ in range(2)]
    t_revoked = [await taker.wait_note("revoke_match", timeout=5) for _ in range(2)]
    for c, got in ((maker, revoked), (taker, t_revoked)):
        for r in got:
            signing.verify(
                server.pubkey,
                bytes.fromhex(r["sig"]),
                codec.RevokePayload(bytes.fromhex(r["orderid"]), bytes.fromhex(r["matchid"])),
                what="revoke",
            )
        states = await c.call("match_status", {"matchids": [r["matchid"] for r in got]})
        assert {s["status"] for s in states} == {"revoked"}
    mid1 = bytes.fromhex(by_order[sell1]["matchid"])
    stored = [server.store.match(mid1), server.store.match(mid2)]
    assert [r.data["fault"] for r in stored if r] == ["maker", "taker"]
    assert violations(server, maker) == 1 and violations(server, taker) == 1
    assert await maker.call("trades", {"base": "ltc", "quote": "btc"}) == []


async def test_cancel_ratio_violations_then_ban(env: Env) -> None:
    server, chain = env
    c = await paid_client(server, chain)
    await c.call("orderbook", {"base": "ltc", "quote": "btc"})
    oids = [await book_sell(c, chain) for _ in range(4)]
    for _ in oids:
        await c.wait_note("add_limit")
    # an immediate limit that does not cross is neither a cancel nor a completion
    miss = c.limit_params("buy", LOT, RATE // 2, [coin(chain)], address("rltc"), standing=False)
    await c.call("limit", miss.to_json())
    await until(
        lambda: (o := server.store.order(miss.orderid)) is not None and o.status == Status.UNFILLED,
        "the order unfilled",
    )
    assert server.conduct.cancel_ratio(c.account_id) is None
    for i, oid in enumerate(oids[:3]):
        await c.call("cancel", c.cancel_params(oid).to_json())
        await c.wait_note("remove_order", orderid=oid.hex())
        # 1/1 > 0.6 each time (the lambda is awaited in this pass)
        await until(lambda: violations(server, c) == i + 1, f"violation {i + 1}")  # noqa: B023
    # the third violation bans: the last standing order is revoked, connect is refused
    await c.wait_note("remove_order", orderid=oids[3].hex())
    row = server.store.order(oids[3])
    assert row is not None and row.status == Status.REVOKED
    again = await TestClient(f"ws://127.0.0.1:{server.port}", c.secret).open()
    refused = await again.call_raw("connect", again.connect_params().to_json())
    assert refused.error is not None and refused.error.code == 4
    late = await c.call_raw(
        "limit", c.limit_params("sell", LOT, RATE, [coin(chain)], address("bcrt")).to_json()
    )
    assert late.error is not None and late.error.code == 4
    await again.close()


async def test_long_disconnection_cancels_standing_orders(env: Env) -> None:
    server, chain = env
    watcher = await client(server)
    await watcher.call("orderbook", {"base": "ltc", "quote": "btc"})
    away, stays = await paid_client(server, chain), await paid_client(server, chain)
    gone = await book_sell(away, chain)
    kept = await book_sell(stays, chain)
    await watcher.wait_note("add_limit")
    await watcher.wait_note("add_limit")
    await away.close()
    await watcher.wait_note("remove_order", orderid=gone.hex(), timeout=5)
    row = server.store.order(gone)
    assert row is not None and row.status == Status.CANCELLED  # counted as a cancel
    await until(lambda: violations(server, away) == 1, "a violation")
    await asyncio.sleep(0.7)  # more epochs: the connected account keeps its order
    kept_row = server.store.order(kept)
    assert kept_row is not None and kept_row.status == Status.BOOKED
    await watcher.close()


async def test_suspension(env: Env, tmp_path: Path) -> None:
    server, chain = env
    c = await paid_client(server, chain)
    await c.call("orderbook", {"base": "ltc", "quote": "btc"})
    oid = await book_sell(c, chain)
    await c.wait_note("add_limit")
    epoch = server.suspend("ltc_btc", persist=True)
    note = await c.wait_note("suspension")
    assert note == {"marketid": 0, "epoch": epoch, "persist": True}
    refused = await c.call_raw(
        "limit", c.limit_params("sell", LOT, RATE, [coin(chain)], address("bcrt")).to_json()
    )
    assert refused.error is not None and refused.error.code == 11
    await asyncio.sleep(0.7)
    snap = await c.call("orderbook", {"base": "ltc", "quote": "btc"})
    assert [o["oid"] for o in snap["book"]["orders"]] == [oid.hex()]  # persist: book stays
    server.resume("ltc_btc")
    second = await book_sell(c, chain)
    await c.wait_note("add_limit", timeout=3)
    server.suspend("ltc_btc", persist=False)
    assert (await c.wait_note("suspension"))["persist"] is False
    removed = {(await c.wait_note("remove_order", timeout=3))["orderid"] for _ in range(2)}
    assert removed == {oid.hex(), second.hex()}
    row = server.store.order(oid)
    assert row is not None and row.status == Status.REVOKED  # the server's purge, no penalty
    assert violations(server, c) == 0
    assert server.store.suspension("ltc_btc") is not None  # survives a restart
    bad = await c.call_raw("candles", {"base": "ltc", "quote": "btc", "bin": "2m"})
    assert bad.error is not None and bad.error.code == -32602
    assert await c.call("candles", {"base": "ltc", "quote": "btc", "bin": "1m"}) == []
    unknown = await c.call_raw("trades", {"base": "doge", "quote": "btc"})
    assert unknown.error is not None and unknown.error.code == 10
