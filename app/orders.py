"""Order bookkeeping of the headless client, and the store-backed outbox of settlement reports.

An order is written here before it is sent (its ID is the hash of its serialization, known up
front), with the coins that back it; each match of it is recorded before the server's `match`
request is acknowledged. Tables from migration 3: `orders`, `order_matches`, `dex_outbox`.

Status: new (stored, not yet accepted) -> epoch (accepted) -> booked -> executed | cancelled;
or unfilled (an immediate order that found nothing), failed (refused by the server).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass

from app.dex._wire import Json
from app.dex.outbox import REPORT_METHODS, OutboxItem
from app.store.db import Store

ORDER_FORMAT = 1
LIVE = ("new", "epoch", "booked", "cancelling")
FINAL = ("executed", "cancelled", "unfilled", "failed")


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
    filled: int = 0  # base atoms matched so far
    created_ms: int = 0

    @property
    def receive_asset(self) -> str:
        return self.base if self.side == "buy" else self.quote

    @property
    def lock_reason(self) -> str:
        return f"order:{self.order_id}"

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["coins"] = list(self.coins)
        return data


def _record(row: object) -> OrderRecord:
    data = json.loads(row["record"])  # type: ignore[index]
    data["coins"] = tuple(data["coins"])
    data["status"] = str(row["status"])  # type: ignore[index]
    data["filled"] = int(row["filled"])  # type: ignore[index]
    return OrderRecord(**data)


class OrderStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, order: OrderRecord) -> None:
        now = now_ms()
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO orders (order_id, dex_url, market, record, status, filled, "
                "created_ms, updated_ms, fmt) VALUES (?,?,?,?,?,?,?,?,?)",
                (order.order_id, order.dex_url, order.market, json.dumps(order.to_json()),
                 order.status, order.filled, now, now, ORDER_FORMAT))

    def get(self, order_id: str) -> OrderRecord | None:
        rows = self.store.query("SELECT * FROM orders WHERE order_id = ?", (order_id,))
        return _record(rows[0]) if rows else None

    def all(self) -> list[OrderRecord]:
        return [_record(r) for r in self.store.query("SELECT * FROM orders ORDER BY created_ms")]

    def live(self) -> list[OrderRecord]:
        marks = ",".join("?" * len(LIVE))
        rows = self.store.query(f"SELECT * FROM orders WHERE status IN ({marks}) "
                                "ORDER BY created_ms", LIVE)
        return [_record(r) for r in rows]

    def set_status(self, order_id: str, status: str, epoch: int | None = None) -> None:
        with self.store.transaction() as db:
            if epoch is not None:
                row = db.execute("SELECT record FROM orders WHERE order_id = ?",
                                 (order_id,)).fetchone()
                if row is not None:
                    data = json.loads(row[0])
                    data["epoch"] = epoch
                    db.execute("UPDATE orders SET record = ? WHERE order_id = ?",
                               (json.dumps(data), order_id))
            db.execute("UPDATE orders SET status = ?, updated_ms = ? WHERE order_id = ?",
                       (status, now_ms(), order_id))

    def add_match(self, order_id: str, match_id: str, quantity: int, rate: int) -> bool:
        """Record a match of our order once; False when it was already known."""
        with self.store.transaction() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO order_matches (match_id, order_id, quantity, rate, "
                "created_ms) VALUES (?,?,?,?,?)", (match_id, order_id, quantity, rate, now_ms()))
            if cur.rowcount != 1:
                return False
            db.execute("UPDATE orders SET filled = filled + ?, updated_ms = ? "
                       "WHERE order_id = ?", (quantity, now_ms(), order_id))
        return True

    def revoke_match(self, match_id: str) -> None:
        with self.store.transaction() as db:
            db.execute("UPDATE order_matches SET revoked = 1 WHERE match_id = ?", (match_id,))

    def matches_of(self, order_id: str) -> list[str]:
        rows = self.store.query("SELECT match_id FROM order_matches WHERE order_id = ?",
                                (order_id,))
        return [str(r["match_id"]) for r in rows]


class StoreOutbox:
    """app.dex Outbox kept in SQLite: a report survives a crash until the server acks it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, item: OutboxItem) -> None:
        if item.method not in REPORT_METHODS:
            raise ValueError(f"not a settlement report: {item.method!r}")
        with self.store.transaction() as db:
            db.execute("INSERT OR REPLACE INTO dex_outbox (method, match_id, params, "
                       "created_ms) VALUES (?,?,?,?)",
                       (item.method, item.matchid.hex(), json.dumps(item.params), now_ms()))

    def ack(self, method: str, matchid: bytes) -> None:
        with self.store.transaction() as db:
            db.execute("DELETE FROM dex_outbox WHERE method = ? AND match_id = ?",
                       (method, matchid.hex()))

    def pending(self) -> list[OutboxItem]:
        rows = self.store.query("SELECT * FROM dex_outbox ORDER BY created_ms")
        items = []
        for r in rows:
            params: dict[str, Json] = json.loads(r["params"])
            items.append(OutboxItem(str(r["method"]), bytes.fromhex(r["match_id"]), params))
        return items
