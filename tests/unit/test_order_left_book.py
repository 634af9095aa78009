"""A booked order that leaves the book mirror is finished only once it has stayed gone for an
epoch (app/client/orders.py `refresh`): matching takes an order off the book before its
`match` request arrives, and an order finished at once would refuse that match as cancelled
(the server then revokes it, with us at fault)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app.client import orders as orders_mod
from app.client.events import Dispatcher, OrderFinished
from app.client.order_store import OrderRecord, OrderStore
from app.client.orders import EPOCH_GRACE_MS, OrderService
from app.store.db import Store
from app.swap.store import SwapStore

ORDER = "ab" * 32
EPOCH_MS = 2_000


class Mirror:
    synced = True

    def __init__(self) -> None:
        self.orders: set[bytes] = {bytes.fromhex(ORDER)}

    def get(self, oid: bytes) -> object | None:
        return object() if oid in self.orders else None


class Clock:
    def __init__(self) -> None:
        self.ms = 1_000_000 * EPOCH_MS

    def __call__(self) -> int:
        return self.ms


def status(orders: OrderStore) -> str:
    record = orders.get(ORDER)
    assert record is not None
    return record.status


def service(tmp_path: Path, mirror: Mirror) -> tuple[OrderService, OrderStore, list[object]]:
    store = Store(tmp_path / "cambio.db")
    wallet: Any = SimpleNamespace(
        config=SimpleNamespace(nodes={}),
        asset=lambda symbol: SimpleNamespace(unlock_coins=lambda reason: None),
    )
    orders = OrderStore(store)
    record = OrderRecord(
        ORDER,
        "wss://dex",
        "ltc_btc",
        "ltc",
        "btc",
        "sell",
        "limit",
        10**6,
        10**6,
        "standing",
        "addr",
        "ltc",
        (),
        epoch=1,
        status="booked",
    )
    orders.add(record)
    dex: Any = SimpleNamespace(
        config=object(),
        ready=True,
        account=None,
        book=lambda base, quote: mirror,
        session=SimpleNamespace(market=lambda base, quote: SimpleNamespace(epochlen=EPOCH_MS)),
    )
    events = Dispatcher()
    seen: list[object] = []
    events.subscribe(seen.append)

    async def ready() -> Any:
        return dex.config

    part = OrderService(
        wallet,
        orders,
        SwapStore(store),
        events,
        dex=lambda: dex,
        dex_url=lambda: "wss://dex",
        ready=ready,
        publish_server_time=lambda: None,
    )
    return part, orders, seen


async def test_an_order_off_the_book_waits_an_epoch_for_its_match(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, mirror = Clock(), Mirror()
    monkeypatch.setattr(orders_mod, "now_ms", clock)
    part, orders, seen = service(tmp_path, mirror)
    await part.refresh()
    mirror.orders.clear()  # matched in this epoch: off the book, the match not here yet
    await part.refresh()
    clock.ms += EPOCH_MS
    await part.refresh()
    assert status(orders) == "booked"  # still takes its match
    assert not [e for e in seen if isinstance(e, OrderFinished)]
    clock.ms += EPOCH_GRACE_MS
    await part.refresh()
    assert status(orders) == "cancelled"  # gone for good: it left the book unfilled
    assert [e.order_id for e in seen if isinstance(e, OrderFinished)] == [ORDER]
    orders.store.close()


async def test_an_order_back_on_the_book_starts_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, mirror = Clock(), Mirror()
    monkeypatch.setattr(orders_mod, "now_ms", clock)
    part, orders, _seen = service(tmp_path, mirror)
    mirror.orders.clear()
    await part.refresh()  # missed one snapshot
    mirror.orders.add(bytes.fromhex(ORDER))
    clock.ms += 2 * EPOCH_MS
    await part.refresh()
    mirror.orders.clear()
    clock.ms += EPOCH_MS  # gone again, but for less than an epoch and the grace
    await part.refresh()
    assert status(orders) == "booked"
    orders.store.close()
