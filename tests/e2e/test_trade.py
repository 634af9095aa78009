"""End-to-end trading on the simnet: server and clients are separate OS processes, the swaps
settle on two real regtest chains, balances are checked to the atom."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import urllib.request
from typing import Any

import pytest

from app.client.client import Client as HeadlessClient
from app.dex.client import DexClient
from app.dex.connection import ConnectionOptions
from app.dex.errors import DexClientError
from app.dex.orderbook import PriceLevel
from app.dex.session import Inbound
from app.wallet.session import unlock_wallet
from dexproto.feed_messages import BookSide
from simnet.harness import TRADER_PASSWORD, Simnet
from tests.e2e.conftest import LOT, RATE
from tests.e2e.procs import Client, accounting, assert_balances, balance, cli, orders, place

pytestmark = pytest.mark.regtest


def test_limit_sell_market_buy_full_swap(simnet: Simnet, traders: tuple[Client, Client]) -> None:
    maker, taker = traders
    m_dir, t_dir = maker.datadir, taker.datadir
    before = {(d, a): balance(d, a) for d in (m_dir, t_dir) for a in ("ltc", "btc")}
    sell = place(m_dir, "sell", "limit", LOT, RATE)
    maker.wait_for(
        lambda e: e["event"] == "OrderBooked" and e["order_id"] == sell, 30, "booked sell"
    )
    started = time.monotonic()
    buy = place(t_dir, "buy", "market", LOT * RATE // 10**8 * 5 // 4)  # 1.25 lots' worth
    match_id = maker.matched(sell)[0]["match_id"]
    assert taker.matched(buy)[0]["match_id"] == match_id
    maker.wait_state(match_id, "Complete")
    taker.wait_state(match_id, "Complete")
    elapsed = time.monotonic() - started
    print(f"\nFULL SWAP wall time (market buy placed -> both sides Complete): {elapsed:.1f} s")
    mk, tk = accounting(m_dir, match_id), accounting(t_dir, match_id)
    quote = LOT * RATE // 10**8
    assert (mk["paid"], tk["paid"]) == (LOT, quote)
    assert_balances(
        simnet,
        {
            (m_dir, "ltc"): before[(m_dir, "ltc")] - LOT - mk["init_fee"],
            (m_dir, "btc"): before[(m_dir, "btc")] + mk["received"],
            (t_dir, "btc"): before[(t_dir, "btc")] - quote - tk["init_fee"],
            (t_dir, "ltc"): before[(t_dir, "ltc")] + tk["received"],
        },
    )
    # The redeem fees are the only other cost: what arrived is the contract less its fee.
    assert 0 < quote - mk["received"] < 10_000 and 0 < LOT - tk["received"] < 10_000


def _booked(maker: Client, order_id: str) -> None:
    maker.wait_for(
        lambda e: e["event"] == "OrderBooked" and e["order_id"] == order_id,
        30,
        f"booked {order_id[:8]}",
    )


def _buy_one_lot(t_dir: object) -> str:
    return place(t_dir, "buy", "market", LOT * RATE // 10**8 * 5 // 4)  # type: ignore[arg-type]


def test_partial_fill_then_cancel(traders: tuple[Client, Client]) -> None:
    maker, taker = traders
    sell = place(maker.datadir, "sell", "limit", 3 * LOT, RATE)
    _booked(maker, sell)
    _buy_one_lot(taker.datadir)
    match_id = maker.matched(sell)[0]["match_id"]
    assert orders(maker.datadir)[sell]["status"] == "booked"  # the rest stays on the book
    cli("trade", "cancel", "--datadir", str(maker.datadir), sell)
    done = maker.wait_for(
        lambda e: e["event"] == "OrderFinished" and e["order_id"] == sell, 30, "cancel"
    )
    assert (done["status"], done["filled"]) == ("cancelled", LOT)
    maker.wait_state(match_id, "Complete")  # the cancel does not touch the filled part
    taker.wait_state(match_id, "Complete")
    info = cli("wallet", "balance", "--datadir", str(maker.datadir), "--asset", "ltc")
    assert info["locked"] == 0  # the order's coins are free again


def test_taker_killed_after_init_restarts_and_completes(traders: tuple[Client, Client]) -> None:
    maker, taker = traders
    sell = place(maker.datadir, "sell", "limit", LOT, RATE)
    _booked(maker, sell)
    buy = _buy_one_lot(taker.datadir)
    match_id = taker.matched(buy)[0]["match_id"]
    taker.wait_state(match_id, "InitBroadcast")
    taker.kill()  # SIGKILL right after its init
    time.sleep(1.0)
    taker.start()
    taker.wait_state(match_id, "Complete", timeout=120)
    maker.wait_state(match_id, "Complete")


def test_server_killed_mid_swap_and_restarted(
    simnet: Simnet, traders: tuple[Client, Client]
) -> None:
    maker, taker = traders
    sell = place(maker.datadir, "sell", "limit", LOT, RATE)
    _booked(maker, sell)
    _buy_one_lot(taker.datadir)
    match_id = maker.matched(sell)[0]["match_id"]
    maker.wait_state(match_id, "InitBroadcast")
    simnet.kill_server()
    time.sleep(2.0)
    simnet.start_server()
    maker.wait_state(match_id, "Complete", timeout=150)
    taker.wait_state(match_id, "Complete", timeout=60)


async def test_book_consistency_after_random_orders_and_seq_gap(
    simnet: Simnet, traders: tuple[Client, Client]
) -> None:
    """A subscriber's mirror equals the server's book after many random orders and cancels,
    with one book notification dropped on purpose (a seq gap: the mirror must resync)."""
    maker, taker = traders
    sub = DexClient(ConnectionOptions(simnet.dex_url))
    sub.start()
    await sub.wait_ready(30)
    mirror = await sub.subscribe("ltc", "btc")
    receive = sub.session.receive
    dropped: list[str] = []

    def lossy(frame: str | bytes) -> Inbound:
        text = frame.decode() if isinstance(frame, bytes) else frame
        if not dropped and '"add_limit"' in text and '"id"' not in text:
            dropped.append(text)
            return Inbound()  # lost: the next notification shows a gap
        return receive(frame)

    sub.session.receive = lossy  # type: ignore[method-assign]
    rng = random.Random(5)
    wallets = [unlock_wallet(d, TRADER_PASSWORD) for d in (maker.datadir, taker.datadir)]
    cores = [HeadlessClient(w, settle=False) for w in wallets]
    try:
        for core in cores:
            await core.start()
            await core.ready(30)
        placed: list[tuple[HeadlessClient, str]] = []
        for i in range(16):
            core = cores[i % 2]
            side = "sell" if core is cores[0] else "buy"
            # Sells far above buys: nothing crosses, so no swaps are started here.
            rate = (
                2 * RATE + rng.randrange(50) * 1000
                if side == "sell"
                else RATE // 2 - rng.randrange(50) * 1000
            )
            oid = await core.place_order("ltc_btc", side, "limit", rng.randint(1, 3) * LOT, rate)
            placed.append((core, oid))
            if i % 5 == 4:  # cancel one of the earlier ones now and then
                c, target = placed[rng.randrange(len(placed) - 1)]
                with contextlib.suppress(DexClientError):
                    await c.cancel_order(target)
            await asyncio.sleep(rng.random() * 0.5)
        assert dropped, "no book notification was dropped"
        deadline = time.monotonic() + 20
        while True:
            await asyncio.sleep(0.5)
            server = await asyncio.to_thread(_http_book, simnet.dex_url)
            mine = {
                "bids": _levels(mirror.depth(BookSide.BUY)),
                "asks": _levels(mirror.depth(BookSide.SELL)),
            }
            theirs = {
                k: [(lv["rate"], lv["quantity"], lv["orders"]) for lv in server[k]]
                for k in ("bids", "asks")
            }
            if mirror.synced and mirror.seq == server["seq"] and mine == theirs:
                break
            assert time.monotonic() < deadline, f"mirror {mine} != server {theirs}"
        assert len(theirs["asks"]) + len(theirs["bids"]) >= 8
    finally:
        for core in cores:
            await core.stop()
        for w in wallets:
            await w.close()
        await sub.close()


def _levels(levels: list[PriceLevel]) -> list[tuple[int, int, int]]:
    return [(lv.rate, lv.quantity, lv.count) for lv in levels]


def _http_book(dex_url: str) -> dict[str, Any]:
    url = dex_url.replace("ws://", "http://") + "/api/markets/ltc_btc/book"
    with urllib.request.urlopen(url, timeout=5) as r:
        data: dict[str, Any] = json.loads(r.read())
    return data
