"""A revoked match (§9 `revoke_match`) in My orders: it leaves the order's fill, an order
already shown as filled says it was revoked (and why), a booked remainder stays booked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from app.client.order_store import OrderRecord, OrderStore, RevokeCause, final_status
from app.client.orders import revoke_cause
from app.store.db import Store
from app.swap.states import Failed, Matched, Role
from tests.fakes.swaps import at_init, match, prepared

LOT = 1_000_000


@pytest.fixture
def orders(tmp_path: Path) -> Iterator[OrderStore]:
    store = Store(tmp_path / "cambio.db")
    yield OrderStore(store)
    store.close()


def order(
    oid: str, quantity: int = 2 * LOT, tif: str = "standing", status: str = "booked"
) -> OrderRecord:
    return OrderRecord(
        oid,
        "ws://127.0.0.1:1",
        "ltc_btc",
        "ltc",
        "btc",
        "sell",
        "limit",
        quantity,
        10**7,
        tif,
        "bcrt1qx",
        "ltc",
        ("ab" * 32 + ":0",),
        status=status,
    )


def test_a_fully_revoked_order_is_no_longer_shown_filled(orders: OrderStore) -> None:
    orders.add(order("01" * 32, quantity=LOT))
    orders.add_match("01" * 32, "m1" * 32, LOT, 10**7)
    orders.set_status("01" * 32, final_status(orders.get("01" * 32)))  # type: ignore[arg-type]
    assert orders.get("01" * 32).status == "executed"  # type: ignore[union-attr]
    changed = orders.revoke_match("m1" * 32, RevokeCause.COUNTERPARTY)
    assert changed is not None and changed.status == "revoked"
    again = orders.get("01" * 32)
    assert again is not None
    assert (again.status, again.filled, again.revoked) == ("revoked", 0, LOT)
    assert again.revoke_cause is RevokeCause.COUNTERPARTY
    assert orders.revoke_match("m1" * 32, RevokeCause.COUNTERPARTY) is None  # once only
    assert orders.get("01" * 32).filled == 0  # type: ignore[union-attr]


def test_partly_revoked_keeps_what_settled_and_the_book_keeps_the_rest(orders: OrderStore) -> None:
    orders.add(order("02" * 32, quantity=3 * LOT))
    orders.add_match("02" * 32, "a1" * 32, LOT, 10**7)
    orders.add_match("02" * 32, "a2" * 32, LOT, 10**7)
    booked = orders.revoke_match("a2" * 32)  # cause unknown: no swap state to tell
    assert booked is not None and booked.status == "booked"  # the rest stays on the book
    assert (booked.filled, booked.revoked) == (LOT, LOT)
    assert [o.order_id for o in orders.live()] == ["02" * 32]
    orders.revoke_match("a2" * 32, RevokeCause.OURS)  # learnt later whose step was late
    assert orders.get("02" * 32).revoke_cause is RevokeCause.OURS  # type: ignore[union-attr]
    orders.add_match("02" * 32, "a3" * 32, LOT, 10**7)  # the booked rest matches later
    done = orders.get("02" * 32)
    assert done is not None and final_status(done) == "executed"
    assert (done.filled, done.revoked) == (2 * LOT, LOT)


def test_final_status_of_orders_that_left_the_book() -> None:
    standing = order("03" * 32, quantity=2 * LOT)
    assert final_status(replace(standing, filled=LOT)) == "cancelled"  # rest cancelled
    assert final_status(replace(standing, filled=LOT, revoked=LOT)) == "executed"
    assert final_status(replace(standing, revoked=2 * LOT)) == "revoked"
    immediate = order("04" * 32, tif="immediate")
    assert final_status(immediate) == "unfilled"
    assert final_status(replace(immediate, revoked=LOT)) == "revoked"
    assert final_status(replace(immediate, filled=LOT)) == "executed"


def test_revoked_figures_are_not_stored_in_the_record(orders: OrderStore) -> None:
    orders.add(order("05" * 32))
    record = orders.store.query("SELECT record FROM orders")[0]["record"]
    assert "revoked" not in record  # derived from order_matches, never stored twice
    assert orders.get("05" * 32) == order("05" * 32)  # created_ms is set by the caller


def test_whose_step_was_late_comes_from_the_swap_state() -> None:
    assert revoke_cause(None) is RevokeCause.UNKNOWN
    assert revoke_cause(Matched(match(Role.MAKER))) is RevokeCause.OURS  # we never funded
    assert revoke_cause(Matched(match(Role.TAKER))) is RevokeCause.COUNTERPARTY
    assert revoke_cause(prepared(Role.TAKER)) is RevokeCause.OURS  # we were funding
    maker_out = at_init(Role.MAKER)
    assert maker_out.theirs is None
    assert revoke_cause(maker_out) is RevokeCause.COUNTERPARTY  # the taker never funded
    assert revoke_cause(at_init(Role.TAKER)) is RevokeCause.COUNTERPARTY  # no maker redeem
    assert revoke_cause(Failed(match(Role.MAKER), "x")) is RevokeCause.UNKNOWN
