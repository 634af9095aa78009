"""Faults on the simnet, every party its own OS process: §9 case B (one maker init funding
two takers' matches), a maker that never initiates (revoked after the broadcast timeout, maker
at fault, no funds lost), and a connection to the server dropped mid-swap without a server
restart (reconnect with backoff, resubscribe, re-send the unacknowledged report, complete).

One simnet with three traders for case B and the drop (trader3 talks to the server through a
loopback proxy the test can cut); the revocation test has its own simnet with a short
broadcast timeout and the maker's LTC node behind a proxy."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.client.client import Client as HeadlessClient
from app.store.db import Store
from app.swap.states import ours_of
from app.swap.store import SwapStore, decode_state
from app.wallet.session import unlock_wallet
from simnet.harness import TRADER_PASSWORD, Simnet
from tests.e2e.conftest import LOT, RATE
from tests.e2e.procs import (
    Client,
    Event,
    TcpProxy,
    accounting,
    assert_balances,
    balances,
    cli,
    orders,
    place,
    point_trader,
)

pytestmark = pytest.mark.regtest
QUOTE = LOT * RATE // 10**8  # one lot's price
BUY_ONE_LOT = QUOTE * 5 // 4  # a market buy worth 1.25 lots fills exactly one
BTIMEOUT_MS = 6_000  # the revocation test's broadcast timeout


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def net3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Simnet, TcpProxy]]:
    """A simnet with three traders; trader3 reaches the DEX server through a proxy."""
    net = Simnet.start(
        tmp_path_factory.mktemp("simnet-faults"), traders=3, epochlen=2000, mine_interval=1.0
    )
    proxy = TcpProxy(net.server_port, websocket=True)
    try:
        point_trader(net.traders["trader3"], dex_url=proxy.ws_url)
        yield net, proxy
    finally:
        proxy.close()
        net.stop()


@pytest.fixture(scope="module")
def trio(net3: tuple[Simnet, TcpProxy]) -> Iterator[tuple[Client, Client, Client]]:
    net, _ = net3
    clients = (
        Client(net.traders["trader1"], "maker").start(),
        Client(net.traders["trader2"], "taker2").start(),
        Client(net.traders["trader3"], "taker3").start(),
    )
    try:
        for c in clients:
            c.wait_registered()
        yield clients
    finally:
        for c in clients:
            c.stop()


@pytest.fixture
def revoking_net(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Simnet, TcpProxy, Client, Client]]:
    """Its own simnet: short broadcast timeout; the maker's LTC node behind a proxy."""
    net = Simnet.start(
        tmp_path_factory.mktemp("simnet-revoke"),
        traders=2,
        epochlen=2000,
        mine_interval=1.0,
        btimeout=BTIMEOUT_MS,
    )
    proxy = TcpProxy(net.nodes["ltc"].rpc_port)
    maker = taker = None
    try:
        point_trader(net.traders["trader1"], node=("ltc", proxy.http_url))
        maker = Client(net.traders["trader1"], "maker").start()
        taker = Client(net.traders["trader2"], "taker").start()
        maker.wait_registered()
        taker.wait_registered()
        yield net, proxy, maker, taker
    finally:
        for c in (maker, taker):
            if c is not None:
                c.stop()
        proxy.close()
        net.stop()


# -- helpers ----------------------------------------------------------------------------------
def wait_until(pred: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout}s")
        time.sleep(0.2)


def _booked(client: Client, order_id: str) -> None:
    client.wait_for(
        lambda e: e["event"] == "OrderBooked" and e["order_id"] == order_id,
        60,
        f"booked {order_id[:8]}",
    )


def _locked(datadir: Path, asset: str) -> int:
    return int(cli("wallet", "balance", "--datadir", str(datadir), "--asset", asset)["locked"])


def _init_txids(datadir: Path, match_id: str) -> set[str]:
    """Every init transaction a swap's recorded states ever held (one, normally)."""
    store = Store(datadir / "cambio.db")
    try:
        found = set()
        for entry in SwapStore(store).history(match_id):
            ours = ours_of(decode_state(entry.record, 1))
            if ours is not None:
                found.add(ours.init.txid)
        return found
    finally:
        store.close()


def _outbox(datadir: Path) -> list[tuple[str, str]]:
    db = sqlite3.connect(f"file:{datadir / 'cambio.db'}?mode=ro", uri=True)
    try:
        return [
            (str(m), str(i))
            for m, i in db.execute("SELECT method, match_id FROM dex_outbox").fetchall()
        ]
    finally:
        db.close()


def _server_match(net: Simnet, match_id: str) -> dict[str, Any]:
    """The server's record of a match, with the violations of both accounts."""
    db = sqlite3.connect(f"file:{net.dir / 'dex' / 'dexserver.sqlite'}?mode=ro", uri=True)
    try:
        row = db.execute(
            "SELECT status, data, maker_account, taker_account, maker_oid, "
            "taker_oid FROM matches WHERE matchid = ?",
            (bytes.fromhex(match_id),),
        ).fetchone()
        assert row is not None, f"the server has no match {match_id[:8]}"
        status, data, maker, taker, maker_oid, taker_oid = row
        counts = dict(db.execute("SELECT account_id, violations FROM accounts").fetchall())
        return {
            "status": status,
            "data": json.loads(data),
            "maker_oid": maker_oid.hex(),
            "taker_oid": taker_oid.hex(),
            "maker_violations": counts[maker],
            "taker_violations": counts[taker],
        }
    finally:
        db.close()


async def _place_together(dirs: list[Path], side: str, otype: str, qty: int) -> list[str]:
    """One order per trader, sent at the same moment just after an epoch starts (short-lived
    in-process clients, gone before the epoch closes, so the daemons get the matches)."""
    wallets = [unlock_wallet(d, TRADER_PASSWORD) for d in dirs]
    cores = [HeadlessClient(w, settle=False) for w in wallets]
    try:
        for core in cores:
            await core.start()
            await core.ready(30)
        epochlen = cores[0].dex.config.markets[0].epochlen  # type: ignore[union-attr]
        now = time.time() * 1000
        await asyncio.sleep((epochlen - now % epochlen + 100) / 1000)
        oids = await asyncio.gather(*(c.place_order("ltc_btc", side, otype, qty) for c in cores))
        records = [c.order_store.get(o) for c, o in zip(cores, oids, strict=True)]
        epochs = {r.epoch for r in records if r is not None}
        assert len(epochs) == 1, f"the orders landed in different epochs {epochs}"
        return list(oids)
    finally:
        for core in cores:
            await core.stop()
        for w in wallets:
            await w.close()


def _matches_of(client: Client, order_id: str, count: int, timeout: float = 60.0) -> list[str]:
    def enough() -> bool:
        return (
            len(
                [
                    e
                    for e in client.poll()
                    if e["event"] == "OrderMatched" and e["order_id"] == order_id
                ]
            )
            >= count
        )

    wait_until(enough, timeout, f"{count} matches of {order_id[:8]}")
    return [
        e["match_id"]
        for e in client.poll()
        if e["event"] == "OrderMatched" and e["order_id"] == order_id
    ]


def _finished(order_id: str) -> Callable[[Event], bool]:
    return lambda e: e["event"] == "OrderFinished" and e["order_id"] == order_id


def _connection(connected: bool) -> Callable[[Event], bool]:
    return lambda e: e["event"] == "DexConnection" and e["connected"] is connected


# -- 2: §9 case B -----------------------------------------------------------------------------
def test_case_b_one_maker_init_funds_two_takers(
    net3: tuple[Simnet, TcpProxy], trio: tuple[Client, Client, Client]
) -> None:
    net, _ = net3
    maker, ta, tb = trio
    keys = [(c.datadir, a) for c in trio for a in ("ltc", "btc")]
    before = balances(keys)
    sell = place(maker.datadir, "sell", "limit", 2 * LOT, RATE)
    _booked(maker, sell)
    buys = asyncio.run(_place_together([ta.datadir, tb.datadir], "buy", "market", BUY_ONE_LOT))
    mids = _matches_of(maker, sell, 2)
    assert len(mids) == 2
    taker_mids = [ta.matched(buys[0])[0]["match_id"], tb.matched(buys[1])[0]["match_id"]]
    assert sorted(taker_mids) == sorted(mids)
    for mid in mids:
        maker.wait_state(mid, "Complete", timeout=120)
    for taker, mid in zip((ta, tb), taker_mids, strict=True):
        taker.wait_state(mid, "Complete", timeout=120)
    # One init transaction held both of the maker's contracts, and no other was ever made.
    inits = _init_txids(maker.datadir, mids[0]) | _init_txids(maker.datadir, mids[1])
    assert len(inits) == 1, f"the maker's contracts were funded by {len(inits)} inits"
    assert _init_txids(ta.datadir, taker_mids[0]) != _init_txids(tb.datadir, taker_mids[1])
    mk = [accounting(maker.datadir, mid) for mid in mids]
    assert [a["paid"] for a in mk] == [LOT, LOT]
    assert mk[0]["init_fee"] == mk[1]["init_fee"] > 0  # the one shared init's fee
    expected = dict(before)
    expected[(maker.datadir, "ltc")] -= 2 * LOT + mk[0]["init_fee"]
    expected[(maker.datadir, "btc")] += mk[0]["received"] + mk[1]["received"]
    for taker, mid in zip((ta, tb), taker_mids, strict=True):
        tk = accounting(taker.datadir, mid)
        assert tk["paid"] == QUOTE
        expected[(taker.datadir, "btc")] -= QUOTE + tk["init_fee"]
        expected[(taker.datadir, "ltc")] += tk["received"]
        assert 0 < LOT - tk["received"] < 10_000  # only the redeem fee
    assert all(0 < QUOTE - a["received"] < 10_000 for a in mk)
    assert_balances(net, expected)
    swaps = {
        s["match_id"]: s for s in cli("swaps", "list", "--datadir", str(maker.datadir))["swaps"]
    }
    assert all(swaps[mid]["state"] == "Complete" for mid in mids)


# -- 7: the connection drops mid-swap, no server restart --------------------------------------
def test_connection_drop_mid_swap_reconnects_and_completes(
    net3: tuple[Simnet, TcpProxy], trio: tuple[Client, Client, Client]
) -> None:
    net, proxy = net3
    maker, _, taker = trio  # trader3: its link to the server runs through the proxy
    sell = place(maker.datadir, "sell", "limit", LOT, RATE)
    _booked(maker, sell)
    # The taker's `init` report is swallowed and its connection cut right there.
    proxy.cut_on("init")
    armed_at = len(taker.poll())
    buy = place(taker.datadir, "buy", "market", BUY_ONE_LOT)
    mid = taker.matched(buy)[0]["match_id"]
    wait_until(proxy.tripped.is_set, 90, "init report from the taker")
    dropped = taker.wait_for(_connection(False), 30, "disconnection", since=armed_at)
    cut_at = taker.events.index(dropped) + 1
    # Our contract is on chain, the server never heard of it: the report waits in the outbox.
    assert ("init", mid) in _outbox(taker.datadir)
    seen = _server_match(net, mid)
    assert seen["status"] == "maker_swap_cast" and "taker_init" not in seen["data"]
    # Held down until the client has been turned away twice: it keeps retrying, backing off.
    wait_until(lambda: proxy.refused >= 2, 30, "reconnect attempts while the link is down")
    proxy.restore()
    taker.wait_for(_connection(True), 60, "reconnection", since=cut_at)
    taker.wait_state(mid, "Complete", timeout=120)
    maker.wait_state(mid, "Complete", timeout=120)
    done = _server_match(net, mid)
    assert done["status"] == "match_complete"
    assert {done["data"]["taker_init"]["txid"]} == _init_txids(taker.datadir, mid)
    wait_until(lambda: not _outbox(taker.datadir), 30, "empty outbox")
    # Resubscribed: the daemon's book mirror follows the market again.
    bid = place(taker.datadir, "buy", "limit", LOT, RATE // 2)
    _booked(taker, bid)
    cli("trade", "cancel", "--datadir", str(taker.datadir), bid)
    end = taker.wait_for(_finished(bid), 60, "cancel of the bid")
    assert end["status"] == "cancelled"


# -- 4: the maker never initiates --------------------------------------------------------------
def test_maker_never_initiates_match_revoked_maker_at_fault(
    revoking_net: tuple[Simnet, TcpProxy, Client, Client],
) -> None:
    net, ltc_link, maker, taker = revoking_net
    keys = [(c.datadir, a) for c in (maker, taker) for a in ("ltc", "btc")]
    before = balances(keys)
    sell = place(maker.datadir, "sell", "limit", LOT, RATE)
    _booked(maker, sell)
    ltc_link.cut()  # the maker can no longer reach the chain it pays on: it cannot fund
    buy = place(taker.datadir, "buy", "market", BUY_ONE_LOT)
    mid = maker.matched(sell)[0]["match_id"]  # stored by the maker, acknowledged
    assert taker.matched(buy)[0]["match_id"] == mid
    for side in (taker, maker):
        side.wait_for(
            lambda e: e["event"] == "MatchRevokedByServer" and e["match_id"] == mid,
            BTIMEOUT_MS / 1000 + 60,
            f"revoke_match at the {side.name}",
        )
        side.wait_state(mid, "Failed", timeout=30)
    seen = _server_match(net, mid)
    assert seen["maker_oid"] == sell and seen["taker_oid"] == buy
    assert (seen["status"], seen["data"]["fault"]) == ("revoked", "maker")
    assert (seen["maker_violations"], seen["taker_violations"]) == (1, 0)
    assert "maker_init" not in seen["data"] and "taker_init" not in seen["data"]
    ltc_link.restore()
    # No funds lost: nothing went on chain, both orders ended and released their coins.
    for side, oid in ((maker, sell), (taker, buy)):
        side.wait_for(_finished(oid), 60, f"end of {oid[:8]}")
    assert orders(maker.datadir)[sell]["status"] not in ("new", "epoch", "booked")
    assert _locked(maker.datadir, "ltc") == 0 and _locked(taker.datadir, "btc") == 0
    assert_balances(net, before, timeout=10)
