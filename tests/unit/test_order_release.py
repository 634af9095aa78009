"""A finished order's coins are freed once none of its matches is still to be funded
(app/client/orders.py `release_finished`): a match waiting for its init spends them."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from app.client.events import Dispatcher
from app.client.order_store import OrderRecord, OrderStore
from app.client.orders import OrderService
from app.store.db import Store
from app.swap.states import Matched, Role
from app.swap.store import SwapStore
from tests.fakes.swaps import at_init, match

ORDER = "aa" * 32  # the order of tests/fakes/swaps.py `match`


class LockedCoins:
    """The order's coins, locked to it, and the unlocks asked for."""

    def __init__(self) -> None:
        self.unlocked: list[str] = []

    def lock_reasons(self) -> dict[str, str]:
        return {} if self.unlocked else {"ab" * 32 + ":0": f"order:{ORDER}"}

    def unlock_coins(self, reason: str) -> None:
        self.unlocked.append(reason)


def service(tmp_path: Path) -> tuple[OrderService, SwapStore, LockedCoins]:
    store = Store(tmp_path / "cambio.db")
    coins = LockedCoins()
    wallet: Any = SimpleNamespace(
        config=SimpleNamespace(nodes={"btc": None}), asset=lambda symbol: coins
    )
    orders, swaps = OrderStore(store), SwapStore(store)
    orders.add(
        OrderRecord(
            ORDER,
            "wss://dex",
            "ltc_btc",
            "ltc",
            "btc",
            "buy",
            "limit",
            10**6,
            10**6,
            "standing",
            "addr",
            "btc",
            (),
        )
    )
    orders.set_status(ORDER, "executed")

    no_dex: Any = None  # releasing asks no server

    async def ready() -> Any:
        raise AssertionError("not asked")

    part = OrderService(
        wallet,
        orders,
        swaps,
        Dispatcher(),
        dex=lambda: no_dex,
        dex_url=lambda: "wss://dex",
        ready=ready,
        publish_server_time=lambda: None,
    )
    return part, swaps, coins


def test_coins_wait_for_the_init_of_a_match_then_are_freed(tmp_path: Path) -> None:
    part, swaps, coins = service(tmp_path)
    swaps.create(Matched(match(Role.TAKER)))  # its init will spend the order's coins
    part.release_finished()
    assert coins.unlocked == []
    swaps.save(at_init(Role.TAKER))  # funded: what is left of the coins is free
    part.release_finished()
    assert coins.unlocked == [f"order:{ORDER}"]
