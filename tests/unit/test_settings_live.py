"""Settings that apply while the app runs, and the server clock behind the epoch countdown:
the clock estimator, the DEX client feeding it from every server time (fake local clock
against the scripted server), the core publishing it, the switchable chain backend, and a DEX
server change refused while an order is open."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.client.client import Client
from app.client.events import ServerTime
from app.client.order_store import OrderRecord
from app.client.server_switch import DexSwitchRefused
from app.config import NodeConfig
from app.dex.client import DexClient, now_ms
from app.dex.connection import ClientOptions, ConnectionOptions
from app.dex.events import FairnessChecked
from app.dex.server_clock import ServerClock
from app.wallet.backends.base import BlockInfo
from app.wallet.backends.switchable import SwitchableBackend
from app.wallet.errors import BackendError, NoNodeConfiguredError
from app.wallet.session import OpenWallet, create_wallet, unlock_wallet
from dexproto.assets import Network
from dexproto.epoch import match_seed
from dexproto.messages import ConnectParams, Side, TimeInForce
from dexproto.signing import sign
from tests.fakes.chain_backends import Unused
from tests.fakes.dex_server import ACCOUNT, SERVER_SECRET, FakeServer, funding_coin, next_event

EPOCH = 60_000  # the fake server's epoch length


# --- the estimator ------------------------------------------------------------------------
def test_clock_trusts_ours_until_the_server_says_otherwise() -> None:
    clock = ServerClock()
    assert clock.now(1_000) == 1_000 and clock.samples == 0
    clock.stamped(server_ms=10_500, sent_ms=1_000, received_ms=1_200)  # 9.4 s ahead of us
    assert clock.offset == 9_400 and (clock.low, clock.high) == (9_300, 9_500)


def test_epoch_bounds_correct_a_clock_in_the_wrong_epoch() -> None:
    clock = ServerClock()
    local = 10 * EPOCH - 50_000  # we are 50 s behind a server already in epoch 10
    clock.in_epoch(10, EPOCH, sent_ms=local - 30, received_ms=local)
    assert clock.now(local) // EPOCH == 10  # our own clock would say epoch 9
    later = 11 * EPOCH - 50_000 + 15  # match_data of epoch 10, 15 ms after it closed
    clock.closed(10, EPOCH, received_ms=later)
    assert abs(clock.now(later) - (11 * EPOCH + 15)) <= 15


def test_a_push_only_raises_the_floor_and_a_jump_starts_over() -> None:
    clock = ServerClock()
    clock.stamped(5_000, 1_000, 1_100)  # offset in [3_900, 4_000]
    clock.pushed(server_ms=4_000, received_ms=10)  # says offset >= 3_990
    assert clock.low == 3_990 and clock.offset == 3_990
    clock.stamped(100_000, 90_000, 90_010)  # our clock stepped: contradicts all of it
    assert (clock.low, clock.high) == (9_990, 10_000) and clock.offset == 9_995


# --- the DEX client feeds it -------------------------------------------------------------
class FakeTime:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def connect_in_epoch(epoch: int) -> Any:
    def answer(params: Any) -> dict[str, Any]:
        payload = ConnectParams.from_json(params).payload()
        return {
            "startepoch": epoch,
            "orders": [],
            "matches": [],
            "sig": sign(SERVER_SECRET, payload).hex(),
        }

    return answer


async def test_client_follows_every_server_time(server: FakeServer) -> None:
    skew = 50_000  # our clock is 50 s behind the server's
    epoch = server.servertime // EPOCH
    server.handlers["connect"] = connect_in_epoch(epoch)
    server.handlers["orderbook"] = lambda p: {
        "book": {"marketid": 0, "epoch": epoch, "orders": []},
        "seq": 1,
    }
    clock = FakeTime(server.servertime - skew)
    client = DexClient(
        ConnectionOptions(server.url),
        account_secret=ACCOUNT,
        clock_ms=clock,
        options=ClientOptions(request_timeout=2),
    )
    client.start()
    try:
        await client.wait_ready(5)
        assert client.server_now() // EPOCH == epoch  # right from the connect sequence
        await client.subscribe("ltc", "btc")

        clock.ms = (epoch + 1) * EPOCH - skew + 15  # 15 ms after the server closed the epoch
        ids = [bytes([1]) * 32]
        await server.notify(
            "match_data",
            {
                "marketid": 0,
                "epoch": epoch,
                "orderids": [i.hex() for i in ids],
                "seed": match_seed(ids).hex(),
            },
        )
        await next_event(client, FairnessChecked)
        assert abs(client.server_now() - (clock.ms + skew)) <= 15

        clock.ms += 2_000
        server.servertime = clock.ms + skew  # the order result's stamp: exact
        await client.place_limit(
            "ltc",
            "btc",
            side=Side.SELL,
            quantity=10**6,
            rate=100_000,
            tif=TimeInForce.STANDING,
            coins=[funding_coin()],
            address="bcrt1qours",
        )
        assert client.server_now() == clock.ms + skew
    finally:
        await client.close()


@pytest.fixture
def wallet(tmp_path: Path) -> OpenWallet:
    create_wallet(tmp_path / "w", "pw", network=Network.REGTEST, scrypt_n=2**10)
    return unlock_wallet(tmp_path / "w", "pw")


async def test_core_publishes_the_server_clock_on_connect(
    server: FakeServer, wallet: OpenWallet
) -> None:
    ahead = 3 * EPOCH  # the server's clock is three epochs ahead of ours
    epoch = (now_ms() + ahead) // EPOCH
    server.handlers["connect"] = connect_in_epoch(epoch)
    core = Client(wallet, dex_url=server.url, settle=False)
    times: list[int] = []
    core.events.subscribe(lambda e: times.append(e.ms) if isinstance(e, ServerTime) else None)
    await core.start()
    try:
        await core.ready(5)
        for _ in range(50):
            if times:
                break
            await asyncio.sleep(0.02)
        assert times and times[-1] // EPOCH == epoch
    finally:
        await core.stop()
        await wallet.close()


# --- the switchable backend ---------------------------------------------------------------
class FakeBackend(Unused):
    """A node that answers `tip` with its height; `gate` holds a call open."""

    def __init__(self, height: int) -> None:
        self.height = height
        self.closed = 0
        self.gate: asyncio.Event | None = None

    async def tip(self) -> BlockInfo:
        if self.gate is not None:
            await self.gate.wait()
        return BlockInfo(self.height, "00" * 32, 0, 0)

    async def close(self) -> None:
        self.closed += 1

    async def blocks(self, since: str | None = None) -> AsyncGenerator[BlockInfo, None]:
        yield await self.tip()


async def test_switch_takes_effect_at_the_next_call_and_closes_the_old_node() -> None:
    old, new = FakeBackend(100), FakeBackend(200)
    backend = SwitchableBackend(old, lambda: NoNodeConfiguredError("ltc"))
    assert (await backend.tip()).height == 100
    old.gate = asyncio.Event()
    running = asyncio.ensure_future(backend.tip())  # a call in flight on the old node
    await asyncio.sleep(0)
    await backend.switch(new)
    assert (await backend.tip()).height == 200 and old.closed == 0  # still busy
    old.gate.set()
    assert (await running).height == 100 and old.closed == 1  # closed once it returned
    await backend.switch(None)
    assert new.closed == 1
    with pytest.raises(NoNodeConfiguredError):
        await backend.tip()


async def test_wallet_rebuilds_only_the_changed_node(wallet: OpenWallet) -> None:
    ltc, btc = wallet.asset("ltc"), wallet.asset("btc")
    before = ltc.backend
    with pytest.raises(NoNodeConfiguredError):
        await ltc.backend.tip()
    nodes = {"ltc": NodeConfig("http://127.0.0.1:9")}  # nothing listens on port 9
    changed = await wallet.apply_config(replace(wallet.config, nodes=nodes))
    assert changed == ["ltc"] and ltc.backend is before  # the same object, a new node
    with pytest.raises(BackendError):  # now it is the node that fails, not "no node"
        await ltc.backend.tip()
    with pytest.raises(NoNodeConfiguredError):
        await btc.backend.tip()
    assert await wallet.apply_config(wallet.config) == []
    with pytest.raises(ValueError, match="network"):
        await wallet.apply_config(replace(wallet.config, network=Network.TESTNET))
    await wallet.close()


# --- a server change refused while an order is open --------------------------------------
async def test_switch_refused_with_an_open_order(wallet: OpenWallet) -> None:
    core = Client(wallet, dex_url="ws://127.0.0.1:9", settle=False)
    assert not core.switch_blockers()
    core.order_store.add(
        OrderRecord(
            "ab" * 32,
            core.dex_url,
            "ltc_btc",
            "ltc",
            "btc",
            "sell",
            "limit",
            10**6,
            10**7,
            "standing",
            "bcrt1qx",
            "ltc",
            (),
            status="booked",
        )
    )
    client = core.dex
    with pytest.raises(DexSwitchRefused) as refused:
        await core.switch_dex("ws://127.0.0.1:10")
    assert (refused.value.blockers.orders, refused.value.blockers.swaps) == (1, 0)
    assert core.dex is client and core.dex_url == "ws://127.0.0.1:9"
    await core.stop()
    await wallet.close()
