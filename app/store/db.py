"""The client's SQLite store: WAL mode, full fsync on commit, numbered migrations.

Writes that protect money (secrets, contracts, signed transactions) go through `transaction()`,
which commits durably before it returns, so callers can broadcast right after.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.fileio import private_file
from app.store.errors import StoreError, StoreVersionError
from app.store.migrations import MIGRATIONS

SCHEMA_VERSION = max(version for version, _ in MIGRATIONS)


class Store:
    """One SQLite database file; safe to share between threads of one process."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # The swap records, presigned transactions and wallet scripts are private: the
            # file is made 0600 before SQLite opens it, and its WAL and SHM files follow it.
            private_file(self.path)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA user_version").fetchone()  # creates -wal and -shm
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    os.chmod(side, 0o600)
            # FULL: a committed swap record survives power loss, not only a process crash.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=5000")
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"Cannot open the database {self.path}.", str(exc)) from exc
        try:
            self._migrate()
        except BaseException:
            self._db.close()
            raise

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise StoreVersionError(
                f"{self.path} was written by a newer Cambio (schema {current}, "
                f"this one knows {SCHEMA_VERSION}); upgrade Cambio to open it."
            )
        for version, sql in MIGRATIONS:
            if version <= current:
                continue
            with self.transaction() as db:
                for statement in filter(str.strip, sql.split(";")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={version}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT (durable on return) or ROLLBACK on any exception."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError("The database is not writable.", str(exc)) from exc
            try:
                yield self._db
            except sqlite3.Error as exc:  # a statement of the caller's failed
                self._db.execute("ROLLBACK")
                raise StoreError("Could not write to the database.", str(exc)) from exc
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreError("Could not commit to the database.", str(exc)) from exc

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                cursor = self._db.execute(sql, params)
                cursor.row_factory = sqlite3.Row
                return list(cursor.fetchall())
            except sqlite3.Error as exc:
                raise StoreError("Could not read the database.", str(exc)) from exc

    def get_meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0]["value"]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def close(self) -> None:
        with self._lock:
            self._db.close()
