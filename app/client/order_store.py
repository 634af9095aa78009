"""Order bookkeeping of the headless client.

An order is written here before it is sent (its ID is the hash of its serialization, known up
front), with the coins that back it; each match of it is recorded before the server's `match`
request is acknowledged. Tables from migration 3: `orders`, `order_matches`.

Status: new (stored, not yet accepted) -> epoch (accepted) -> booked -> executed | cancelled;
or unfilled (an immediate order that found nothing), failed (refused by the server), revoked
(everything it matched was revoked).

A revoked match (§9 `revoke_match`) is not returned to the book: the order keeps its place
(and a booked remainder stays booked), but `filled` counts only matches not revoked, and
`revoked` the base atoms of those that were. `order_matches.revoked` keeps why (RevokeCause).
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict, dataclass, replace
from enum import IntEnum

from app.store.db import Store
from app.store.errors import RecordUnreadable

ORDER_FORMAT = 1
LIVE = ("new", "epoch", "booked", "cancelling")
FINAL = ("executed", "cancelled", "unfilled", "failed", "revoked")
# An order with its revoked quantity and the weightiest cause among its revoked matches.
_SELECT = (
    "SELECT o.*, COALESCE(r.quantity, 0) AS revoked_quantity, COALESCE(r.cause, 0) AS cause "
    "FROM orders o LEFT JOIN (SELECT order_id, SUM(quantity) AS quantity, MAX(revoked) AS "
    "cause FROM order_matches WHERE revoked > 0 GROUP BY order_id) r "
    "ON r.order_id = o.order_id"
)


class RevokeCause(IntEnum):
    """`order_matches.revoked`: 0 not revoked; otherwise who missed the broadcast timeout
    (§10), as far as our swap's state tells. Higher values win when an order has several."""

    NONE = 0
    UNKNOWN = 1
    COUNTERPARTY = 2  # the other side did not fund (or redeem) in time
    OURS = 3  # our own step came too late (a conduct violation against our account)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class OrderRecord:
    order_id: str
    dex_url: str
    market: str  # "ltc_btc"
    base: str
    quote: str
    side: str  # buy | sell
    otype: str  # limit | market
    quantity: int  # base atoms (quote atoms for a market buy, §7)
    rate: int  # 0 for market orders
    tif: str  # standing | immediate
    address: str  # where we receive (the asset we buy)
    fund_asset: str  # the asset we pay
    coins: tuple[str, ...]  # "txid:vout" backing the order
    epoch: int = 0
    status: str = "new"
    filled: int = 0  # base atoms matched so far, revoked matches left out
    created_ms: int = 0
    revoked: int = 0  # base atoms of revoked matches (from order_matches, not stored here)
    revoke_cause: RevokeCause = RevokeCause.NONE

    @property
    def receive_asset(self) -> str:
        return self.base if self.side == "buy" else self.quote

    @property
    def lock_reason(self) -> str:
        return f"order:{self.order_id}"

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["coins"] = list(self.coins)
        del data["revoked"], data["revoke_cause"]  # derived from order_matches
        return data


def final_status(order: OrderRecord) -> str:
    """The status of an order that has left the book or its epoch."""
    if (
        order.otype == "limit"
        and order.tif == "standing"
        and order.filled + order.revoked < order.quantity
    ):
        return "cancelled"  # left the book before it was all matched
    if order.filled > 0:
        return "executed"
    return "revoked" if order.revoked > 0 else "unfilled"


def _record(row: sqlite3.Row) -> OrderRecord:
    try:
        return _parse_record(row)
    except (ValueError, TypeError, KeyError) as exc:  # json's errors are ValueErrors
        raise RecordUnreadable("order", str(row["order_id"]), exc) from exc


def _parse_record(row: sqlite3.Row) -> OrderRecord:
    data = json.loads(row["record"])
    data["coins"] = tuple(data["coins"])
    data["status"] = str(row["status"])
    data["filled"] = int(row["filled"])
    data.pop("revoked", None)
    data.pop("revoke_cause", None)
    order = OrderRecord(**data)
    keys = row.keys()
    if "revoked_quantity" in keys:
        order = replace(
            order,
            revoked=int(row["revoked_quantity"]),
            revoke_cause=RevokeCause(int(row["cause"])),
        )
    return order


class OrderStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, order: OrderRecord) -> None:
        now = now_ms()
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO orders (order_id, dex_url, market, record, status, filled, "
                "created_ms, updated_ms, fmt) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    order.order_id,
                    order.dex_url,
                    order.market,
                    json.dumps(order.to_json()),
                    order.status,
                    order.filled,
                    now,
                    now,
                    ORDER_FORMAT,
                ),
            )

    def get(self, order_id: str) -> OrderRecord | None:
        rows = self.store.query(f"{_SELECT} WHERE o.order_id = ?", (order_id,))
        return _record(rows[0]) if rows else None

    def all(self) -> list[OrderRecord]:
        return [_record(r) for r in self.store.query(f"{_SELECT} ORDER BY o.created_ms")]

    def live(self) -> list[OrderRecord]:
        marks = ",".join("?" * len(LIVE))
        rows = self.store.query(
            f"{_SELECT} WHERE o.status IN ({marks}) ORDER BY o.created_ms", LIVE
        )
        return [_record(r) for r in rows]

    def set_status(self, order_id: str, status: str, epoch: int | None = None) -> None:
        with self.store.transaction() as db:
            if epoch is not None:
                row = db.execute(
                    "SELECT record FROM orders WHERE order_id = ?", (order_id,)
                ).fetchone()
                if row is not None:
                    try:
                        data = json.loads(row[0])
                    except ValueError as exc:  # rolled back: nothing changes
                        raise RecordUnreadable("order", order_id, exc) from exc
                    data["epoch"] = epoch
                    db.execute(
                        "UPDATE orders SET record = ? WHERE order_id = ?",
                        (json.dumps(data), order_id),
                    )
            db.execute(
                "UPDATE orders SET status = ?, updated_ms = ? WHERE order_id = ?",
                (status, now_ms(), order_id),
            )

    def add_match(self, order_id: str, match_id: str, quantity: int, rate: int) -> bool:
        """Record a match of our order once; False when it was already known."""
        with self.store.transaction() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO order_matches (match_id, order_id, quantity, rate, "
                "created_ms) VALUES (?,?,?,?,?)",
                (match_id, order_id, quantity, rate, now_ms()),
            )
            if cur.rowcount != 1:
                return False
            db.execute(
                "UPDATE orders SET filled = filled + ?, updated_ms = ? WHERE order_id = ?",
                (quantity, now_ms(), order_id),
            )
        return True

    def revoke_match(
        self, match_id: str, cause: RevokeCause = RevokeCause.UNKNOWN
    ) -> OrderRecord | None:
        """Take a revoked match out of its order's fill (once); an order already finished
        gets its status again from what is left. Returns the order when it changed."""
        with self.store.transaction() as db:
            row = db.execute(
                "SELECT order_id, quantity, revoked FROM order_matches WHERE match_id = ?",
                (match_id,),
            ).fetchone()
            if row is None:
                return None
            order_id, quantity, was = str(row[0]), int(row[1]), int(row[2])
            if was:  # known already; a later look may still tell whose fault it was
                db.execute(
                    "UPDATE order_matches SET revoked = ? WHERE match_id = ? AND revoked < ?",
                    (int(cause), match_id, int(cause)),
                )
                return None
            db.execute(
                "UPDATE order_matches SET revoked = ? WHERE match_id = ?", (int(cause), match_id)
            )
            db.execute(
                "UPDATE orders SET filled = MAX(filled - ?, 0), updated_ms = ? WHERE order_id = ?",
                (quantity, now_ms(), order_id),
            )
        order = self.get(order_id)
        if order is not None and order.status in FINAL and order.status != "failed":
            status = final_status(order)
            if status != order.status:
                self.set_status(order_id, status)
                order = replace(order, status=status)
        return order

    def match_terms(self, order_id: str) -> list[tuple[str, int, int]]:
        """(match ID, quantity, rate) of every match stored for the order, revoked ones too."""
        rows = self.store.query(
            "SELECT match_id, quantity, rate FROM order_matches WHERE order_id = ?", (order_id,)
        )
        return [(str(r["match_id"]), int(r["quantity"]), int(r["rate"])) for r in rows]

    def matches_of(self, order_id: str) -> list[str]:
        rows = self.store.query(
            "SELECT match_id FROM order_matches WHERE order_id = ?", (order_id,)
        )
        return [str(r["match_id"]) for r in rows]
