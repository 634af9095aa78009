"""The server's SQLite store (WAL): accounts, orders, matches and each market's feed `seq`.

Everything a restart needs is here: booked orders come back onto the books in booking order,
accounts keep their fee state and bans, matches keep their settlement state. Calls are
synchronous and short (one local file); the server runs them on its event loop thread.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
  account_id BLOB PRIMARY KEY, pubkey BLOB NOT NULL, fee_address TEXT NOT NULL,
  fee_txid BLOB, fee_vout INTEGER, paid INTEGER NOT NULL DEFAULT 0,
  banned INTEGER NOT NULL DEFAULT 0, violations INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
  oid BLOB PRIMARY KEY, market TEXT NOT NULL, account BLOB NOT NULL, kind INTEGER NOT NULL,
  side INTEGER NOT NULL, quantity INTEGER NOT NULL, rate INTEGER NOT NULL,
  standing INTEGER NOT NULL, epoch INTEGER NOT NULL, filled INTEGER NOT NULL DEFAULT 0,
  status INTEGER NOT NULL, address TEXT NOT NULL, coins TEXT NOT NULL, target BLOB,
  servertime INTEGER NOT NULL, book_seq INTEGER);
CREATE INDEX IF NOT EXISTS orders_account ON orders(account, servertime);
CREATE INDEX IF NOT EXISTS orders_status ON orders(market, status);
CREATE TABLE IF NOT EXISTS matches (
  matchid BLOB PRIMARY KEY, market TEXT NOT NULL, epoch INTEGER NOT NULL,
  maker_oid BLOB NOT NULL, taker_oid BLOB NOT NULL, maker_account BLOB NOT NULL,
  taker_account BLOB NOT NULL, quantity INTEGER NOT NULL, rate INTEGER NOT NULL,
  servertime INTEGER NOT NULL, status TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS matches_market ON matches(market, servertime);
CREATE INDEX IF NOT EXISTS matches_maker ON matches(maker_oid);
CREATE INDEX IF NOT EXISTS matches_taker ON matches(taker_oid);
CREATE TABLE IF NOT EXISTS markets (name TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS suspensions (
  name TEXT PRIMARY KEY, epoch INTEGER NOT NULL, persist INTEGER NOT NULL,
  purged INTEGER NOT NULL);
"""

FINAL_MATCH = ("match_complete", "revoked")


@dataclass
class AccountRow:
    account_id: bytes
    pubkey: bytes
    fee_address: str
    fee_txid: bytes | None
    fee_vout: int | None
    paid: bool
    banned: bool
    violations: int


@dataclass
class OrderRow:
    oid: bytes
    market: str
    account: bytes
    kind: int
    side: int
    quantity: int
    rate: int
    standing: bool
    epoch: int
    filled: int
    status: int
    address: str
    coins: list[str]  # "txid:vout"
    target: bytes | None
    servertime: int
    book_seq: int | None


@dataclass
class MatchRow:
    matchid: bytes
    market: str
    epoch: int
    maker_oid: bytes
    taker_oid: bytes
    maker_account: bytes
    taker_account: bytes
    quantity: int
    rate: int
    servertime: int
    status: str
    data: dict[str, Any]  # settlement details (contracts, txids, secret, acks, deadlines)


class ServerStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL+NORMAL: durable across crashes
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- accounts -------------------------------------------------------------------------
    def add_account(self, account_id: bytes, pubkey: bytes, fee_address: str, now: int) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO accounts(account_id, pubkey, fee_address, created) "
            "VALUES (?,?,?,?)",
            (account_id, pubkey, fee_address, now),
        )

    def account(self, account_id: bytes) -> AccountRow | None:
        row = self._db.execute(
            "SELECT account_id, pubkey, fee_address, fee_txid, fee_vout, paid, banned, "
            "violations FROM accounts WHERE account_id=?",
            (account_id,),
        ).fetchone()
        if row is None:
            return None
        return AccountRow(
            row[0], row[1], row[2], row[3], row[4], bool(row[5]), bool(row[6]), row[7]
        )

    def set_fee(self, account_id: bytes, txid: bytes, vout: int, paid: bool) -> None:
        self._db.execute(
            "UPDATE accounts SET fee_txid=?, fee_vout=?, paid=? WHERE account_id=?",
            (txid, vout, int(paid), account_id),
        )

    def fee_outpoint_used(self, txid: bytes, vout: int, account_id: bytes) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM accounts WHERE fee_txid=? AND fee_vout=? AND account_id<>?",
            (txid, vout, account_id),
        ).fetchone()
        return row is not None

    def add_violation(self, account_id: bytes, ban_at: int) -> int:
        self._db.execute(
            "UPDATE accounts SET violations=violations+1, "
            "banned=CASE WHEN violations+1>=? THEN 1 ELSE banned END "
            "WHERE account_id=?",
            (ban_at, account_id),
        )
        row = self._db.execute(
            "SELECT violations FROM accounts WHERE account_id=?", (account_id,)
        ).fetchone()
        return int(row[0]) if row else 0

    def set_banned(self, account_id: bytes, banned: bool = True) -> None:
        self._db.execute(
            "UPDATE accounts SET banned=? WHERE account_id=?", (int(banned), account_id)
        )

    # -- orders ---------------------------------------------------------------------------
    _ORDER_COLS = (
        "oid, market, account, kind, side, quantity, rate, standing, epoch, filled, "
        "status, address, coins, target, servertime, book_seq"
    )

    def add_order(self, o: OrderRow) -> None:
        self._db.execute(
            f"INSERT INTO orders({self._ORDER_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                o.oid,
                o.market,
                o.account,
                o.kind,
                o.side,
                o.quantity,
                o.rate,
                int(o.standing),
                o.epoch,
                o.filled,
                o.status,
                o.address,
                json.dumps(o.coins),
                o.target,
                o.servertime,
                o.book_seq,
            ),
        )

    def has_order(self, oid: bytes) -> bool:
        return self._db.execute("SELECT 1 FROM orders WHERE oid=?", (oid,)).fetchone() is not None

    @staticmethod
    def _order(row: tuple[Any, ...]) -> OrderRow:
        return OrderRow(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            bool(row[7]),
            row[8],
            row[9],
            row[10],
            row[11],
            json.loads(row[12]),
            row[13],
            row[14],
            row[15],
        )

    def order(self, oid: bytes) -> OrderRow | None:
        row = self._db.execute(
            f"SELECT {self._ORDER_COLS} FROM orders WHERE oid=?", (oid,)
        ).fetchone()
        return None if row is None else self._order(row)

    def orders_with_status(self, market: str, statuses: Iterable[int]) -> list[OrderRow]:
        marks = ",".join("?" * len(list(statuses)))
        rows = self._db.execute(
            f"SELECT {self._ORDER_COLS} FROM orders WHERE market=? AND status IN ({marks}) "
            "ORDER BY book_seq, servertime",
            (market, *statuses),
        ).fetchall()
        return [self._order(r) for r in rows]

    def recent_orders(self, account: bytes, limit: int = 25) -> list[OrderRow]:
        rows = self._db.execute(
            f"SELECT {self._ORDER_COLS} FROM orders WHERE account=? AND kind<>3 "
            "ORDER BY servertime DESC LIMIT ?",
            (account, limit),
        ).fetchall()
        return [self._order(r) for r in rows]

    def update_orders(
        self, db: sqlite3.Connection, updates: Iterable[tuple[int, int, int | None, bytes]]
    ) -> None:
        """(status, filled, book_seq, oid) rows, inside a transaction."""
        db.executemany(
            "UPDATE orders SET status=?, filled=?, book_seq=COALESCE(?, book_seq) WHERE oid=?",
            updates,
        )

    def set_order_status(self, oid: bytes, status: int) -> None:
        self._db.execute("UPDATE orders SET status=? WHERE oid=?", (status, oid))

    # -- matches --------------------------------------------------------------------------
    _MATCH_COLS = (
        "matchid, market, epoch, maker_oid, taker_oid, maker_account, taker_account, "
        "quantity, rate, servertime, status, data"
    )

    def add_matches(self, db: sqlite3.Connection, rows: Iterable[MatchRow]) -> None:
        db.executemany(
            f"INSERT INTO matches({self._MATCH_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    r.matchid,
                    r.market,
                    r.epoch,
                    r.maker_oid,
                    r.taker_oid,
                    r.maker_account,
                    r.taker_account,
                    r.quantity,
                    r.rate,
                    r.servertime,
                    r.status,
                    json.dumps(r.data),
                )
                for r in rows
            ],
        )

    def save_match(self, r: MatchRow) -> None:
        self._db.execute(
            "UPDATE matches SET status=?, data=? WHERE matchid=?",
            (r.status, json.dumps(r.data), r.matchid),
        )

    @staticmethod
    def _match(row: tuple[Any, ...]) -> MatchRow:
        return MatchRow(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
            row[9],
            row[10],
            json.loads(row[11]),
        )

    def match(self, matchid: bytes) -> MatchRow | None:
        row = self._db.execute(
            f"SELECT {self._MATCH_COLS} FROM matches WHERE matchid=?", (matchid,)
        ).fetchone()
        return None if row is None else self._match(row)

    def active_matches(self) -> list[MatchRow]:
        rows = self._db.execute(
            f"SELECT {self._MATCH_COLS} FROM matches WHERE status NOT IN (?,?) ORDER BY servertime",
            FINAL_MATCH,
        ).fetchall()
        return [self._match(r) for r in rows]

    def trades(self, market: str, since: int = 0, limit: int = 10_000) -> list[MatchRow]:
        """Matches of a market (not revoked), oldest first, from `since` (ms)."""
        rows = self._db.execute(
            f"SELECT {self._MATCH_COLS} FROM matches WHERE market=? AND servertime>=? "
            "AND status<>'revoked' ORDER BY servertime DESC LIMIT ?",
            (market, since, limit),
        ).fetchall()
        return [self._match(r) for r in reversed(rows)]

    def match_statuses(self, oids: list[bytes]) -> dict[bytes, list[str]]:
        """Statuses of every match of each order (as maker or taker)."""
        out: dict[bytes, list[str]] = {}
        if not oids:
            return out
        marks = ",".join("?" * len(oids))
        for maker, taker, status in self._db.execute(
            f"SELECT maker_oid, taker_oid, status FROM matches WHERE maker_oid IN ({marks}) "
            f"UNION ALL SELECT maker_oid, taker_oid, status FROM matches "
            f"WHERE taker_oid IN ({marks})",
            (*oids, *oids),
        ):
            for oid in (maker, taker):
                if oid in oids:
                    out.setdefault(oid, []).append(status)
        return out

    # -- suspension -----------------------------------------------------------------------
    def suspension(self, market: str) -> tuple[int, bool, bool] | None:
        row = self._db.execute(
            "SELECT epoch, persist, purged FROM suspensions WHERE name=?", (market,)
        ).fetchone()
        return None if row is None else (int(row[0]), bool(row[1]), bool(row[2]))

    def set_suspension(self, market: str, value: tuple[int, bool, bool] | None) -> None:
        if value is None:
            self._db.execute("DELETE FROM suspensions WHERE name=?", (market,))
        else:
            self._db.execute(
                "INSERT OR REPLACE INTO suspensions(name, epoch, persist, purged) VALUES (?,?,?,?)",
                (market, value[0], int(value[1]), int(value[2])),
            )

    # -- feed -----------------------------------------------------------------------------
    def seq(self, market: str) -> int:
        row = self._db.execute("SELECT seq FROM markets WHERE name=?", (market,)).fetchone()
        return int(row[0]) if row else 0

    def set_seq(self, db: sqlite3.Connection, market: str, seq: int) -> None:
        db.execute(
            "INSERT INTO markets(name, seq) VALUES (?,?) "
            "ON CONFLICT(name) DO UPDATE SET seq=excluded.seq",
            (market, seq),
        )
