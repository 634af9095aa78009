"""End-to-end trading with one side light: trader1 on the chains' Core RPC, trader2 on e-x
(ElectrumX) servers over the same regtest chains, both as separate `client run` processes
through the project's DEX server over real websockets; balances checked to the atom (the
light side's through its Electrum servers)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import load_config
from simnet.harness import Simnet
from tests.e2e.conftest import LOT, RATE
from tests.e2e.procs import Client, accounting, balance, place

pytestmark = pytest.mark.regtest
QUOTE = LOT * RATE // 10**8


@pytest.fixture(scope="module")
def simnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simnet]:
    net = Simnet.start(
        tmp_path_factory.mktemp("simnet-light"),
        traders=2,
        epochlen=2000,
        mine_interval=1.0,
        electrum=True,
    )
    net.make_light("trader2")
    yield net
    net.stop()


@pytest.fixture(scope="module")
def traders(simnet: Simnet) -> Iterator[tuple[Client, Client]]:
    """(on Core RPC, on Electrum)."""
    core = Client(simnet.traders["trader1"], "core").start()
    light = Client(simnet.traders["trader2"], "light").start()
    try:
        core.wait_registered()
        light.wait_registered()
        yield core, light
    finally:
        core.stop()
        light.stop()


def _settled(datadir: Path, asset: str, want: int, timeout: float = 30.0) -> int:
    """The wallet's balance once it equals `want` (the chain and the Electrum index catch up
    with the last spends within a block or two), else the last one seen."""
    deadline = time.monotonic() + timeout
    while True:
        got = balance(datadir, asset)
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(0.5)


def _trade(simnet: Simnet, maker: Client, taker: Client) -> float:
    """Maker sells one LOT of LTC at RATE, taker market-buys it; both sides Complete and every
    balance moved by exactly the swap's amounts and fees. Returns the swap's wall time."""
    m_dir, t_dir = maker.datadir, taker.datadir
    before = {(d, a): balance(d, a) for d in (m_dir, t_dir) for a in ("ltc", "btc")}
    sell = place(m_dir, "sell", "limit", LOT, RATE)
    maker.wait_for(
        lambda e: e["event"] == "OrderBooked" and e["order_id"] == sell, 30, "booked sell"
    )
    started = time.monotonic()
    buy = place(t_dir, "buy", "market", QUOTE * 5 // 4)  # 1.25 lots' worth: fills one lot
    match_id = maker.matched(sell)[0]["match_id"]
    assert taker.matched(buy)[0]["match_id"] == match_id
    maker.wait_state(match_id, "Complete", timeout=120)
    taker.wait_state(match_id, "Complete", timeout=120)
    elapsed = time.monotonic() - started
    mk, tk = accounting(m_dir, match_id), accounting(t_dir, match_id)
    assert (mk["paid"], tk["paid"]) == (LOT, QUOTE)
    # The redeem fees are the only other cost: what arrived is the contract less its fee.
    assert 0 < QUOTE - mk["received"] < 10_000 and 0 < LOT - tk["received"] < 10_000
    simnet.mine(1)
    want = {
        (m_dir, "ltc"): before[(m_dir, "ltc")] - LOT - mk["init_fee"],
        (m_dir, "btc"): before[(m_dir, "btc")] + mk["received"],
        (t_dir, "btc"): before[(t_dir, "btc")] - QUOTE - tk["init_fee"],
        (t_dir, "ltc"): before[(t_dir, "ltc")] + tk["received"],
    }
    got = {key: _settled(*key, want=value) for key, value in want.items()}
    assert got == want
    return elapsed


def test_the_light_side_is_on_electrum(simnet: Simnet) -> None:
    light, core = load_config(simnet.traders["trader2"]), load_config(simnet.traders["trader1"])
    assert {s: n.electrum for s, n in light.nodes.items()} == {
        s: e.url for s, e in simnet.electrum.items()
    }
    assert all(n.rpc_url == "" for n in light.nodes.values())
    assert all(n.rpc_url and not n.electrum for n in core.nodes.values())


def test_core_maker_light_taker_full_swap(simnet: Simnet, traders: tuple[Client, Client]) -> None:
    core, light = traders
    elapsed = _trade(simnet, maker=core, taker=light)
    print(f"\nFULL SWAP, light taker (market buy placed -> both Complete): {elapsed:.1f} s")


def test_light_maker_core_taker_full_swap(simnet: Simnet, traders: tuple[Client, Client]) -> None:
    core, light = traders
    elapsed = _trade(simnet, maker=light, taker=core)
    print(f"\nFULL SWAP, light maker (market buy placed -> both Complete): {elapsed:.1f} s")


def test_light_maker_refunds_after_lock_time_when_the_taker_vanishes(
    simnet: Simnet, traders: tuple[Client, Client]
) -> None:
    """Last in the module: it moves the chains' clock. The light side learns the lock time
    has passed from its own verified headers' median time past, and refunds over e-x."""
    core, light = traders
    before = balance(light.datadir, "ltc")
    sell = place(light.datadir, "sell", "limit", LOT, RATE)
    light.wait_for(
        lambda e: e["event"] == "OrderBooked" and e["order_id"] == sell, 30, "booked sell"
    )
    place(core.datadir, "buy", "market", QUOTE * 5 // 4)
    match_id = light.matched(sell)[0]["match_id"]
    light.wait_state(match_id, "InitBroadcast")
    core.kill()  # the counterparty disappears after the light maker's init
    simnet.time_travel(25 * 60)  # past the maker's 20-minute lock time
    light.wait_for(lambda e: e["event"] == "SwapRefund" and e["match_id"] == match_id, 90, "refund")
    light.wait_state(match_id, "Refunded", timeout=90)
    acct = accounting(light.datadir, match_id)
    assert acct["refunded"] == acct["refund_value"] > 0
    simnet.mine(1)
    want = before - acct["init_fee"] - (LOT - acct["refund_value"])
    assert _settled(light.datadir, "ltc", want) == want
