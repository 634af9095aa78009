"""The store-backed outbox of settlement reports (table `dex_outbox`, migration 3): a signed
init or redeem report is written before it is sent and kept until the server acknowledges it,
so a crash or a dropped connection never loses one (the DEX client re-sends them on connect).
"""

from __future__ import annotations

import json

from app.client.order_store import now_ms
from app.dex.outbox import REPORT_METHODS, OutboxItem
from app.store.db import Store
from app.store.errors import RecordUnreadable
from dexproto._wire import Json


class StoreOutbox:
    """app.dex Outbox kept in SQLite: a report survives a crash until the server acks it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, item: OutboxItem) -> None:
        if item.method not in REPORT_METHODS:
            raise ValueError(f"not a settlement report: {item.method!r}")
        with self.store.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO dex_outbox (method, match_id, params, "
                "created_ms) VALUES (?,?,?,?)",
                (item.method, item.matchid.hex(), json.dumps(item.params), now_ms()),
            )

    def ack(self, method: str, matchid: bytes) -> None:
        with self.store.transaction() as db:
            db.execute(
                "DELETE FROM dex_outbox WHERE method = ? AND match_id = ?", (method, matchid.hex())
            )

    def pending(self) -> list[OutboxItem]:
        rows = self.store.query("SELECT * FROM dex_outbox ORDER BY created_ms")
        items = []
        for r in rows:
            try:
                params: dict[str, Json] = json.loads(r["params"])
                items.append(OutboxItem(str(r["method"]), bytes.fromhex(r["match_id"]), params))
            except ValueError as exc:  # json's and fromhex's
                raise RecordUnreadable("report", f"{r['method']} {r['match_id']}", exc) from exc
        return items
