"""A stored order or queued report whose record no longer parses (edited by hand, a bad
disk) is refused with a StoreError that names it, not a bare ValueError, and nothing is
changed by the refused call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.client.order_store import OrderRecord, OrderStore
from app.client.outbox import StoreOutbox
from app.dex.outbox import OutboxItem
from app.errors import user_message
from app.store.db import Store
from app.store.errors import RecordUnreadable, StoreError

OID = "0a" * 32
MATCH = bytes([0xB2]) * 32


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = Store(tmp_path / "cambio.db")
    yield db
    db.close()


def an_order() -> OrderRecord:
    return OrderRecord(
        order_id=OID,
        dex_url="ws://127.0.0.1:1",
        market="ltc_btc",
        base="ltc",
        quote="btc",
        side="sell",
        otype="limit",
        quantity=10**6,
        rate=10**7,
        tif="standing",
        address="bcrt1qx",
        fund_asset="ltc",
        coins=("ab" * 32 + ":0",),
        status="booked",
    )


def damage(store: Store, table: str, column: str, value: str) -> None:
    with store.transaction() as db:
        db.execute(f"UPDATE {table} SET {column} = ?", (value,))


@pytest.mark.parametrize("record", ["{not json", '{"order_id": "x"}', "[]"])
def test_a_damaged_order_is_a_store_error_naming_it(store: Store, record: str) -> None:
    orders = OrderStore(store)
    orders.add(an_order())
    damage(store, "orders", "record", record)
    for read in (lambda: orders.get(OID), orders.all, orders.live):
        with pytest.raises(RecordUnreadable) as caught:
            read()
        assert isinstance(caught.value, StoreError)
        assert user_message(caught.value) == "A stored order could not be read."
        assert OID in caught.value.detail


def test_a_refused_status_change_of_a_damaged_order_changes_nothing(store: Store) -> None:
    orders = OrderStore(store)
    orders.add(an_order())
    damage(store, "orders", "record", "{not json")
    with pytest.raises(RecordUnreadable):
        orders.set_status(OID, "epoch", epoch=7)
    (row,) = store.query("SELECT status, record FROM orders")
    assert (row["status"], row["record"]) == ("booked", "{not json")


@pytest.mark.parametrize(("column", "value"), [("params", "{not json"), ("match_id", "not hex")])
def test_a_damaged_queued_report_is_a_store_error_naming_it(
    store: Store, column: str, value: str
) -> None:
    outbox = StoreOutbox(store)
    outbox.add(OutboxItem("init", MATCH, {"matchid": MATCH.hex()}))
    damage(store, "dex_outbox", column, value)
    with pytest.raises(RecordUnreadable) as caught:
        outbox.pending()
    assert user_message(caught.value) == "A stored report could not be read."
    assert caught.value.detail.startswith("report init ")
    assert len(store.query("SELECT * FROM dex_outbox")) == 1  # kept as it is
