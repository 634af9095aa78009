from pathlib import Path

import pytest

from app.store.db import SCHEMA_VERSION, Store
from app.store.errors import StoreVersionError


def test_migrations_apply_once_and_wal_is_on(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    assert store.schema_version == SCHEMA_VERSION
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    store.set_meta("k", "v")
    store.close()
    reopened = Store(tmp_path / "c.db")
    assert reopened.get_meta("k") == "v"
    reopened.close()


def test_failed_transaction_changes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    store.set_meta("k", "before")
    with pytest.raises(RuntimeError), store.transaction() as db:
        db.execute("UPDATE meta SET value = 'after' WHERE key = 'k'")
        raise RuntimeError("crash between two writes")
    assert store.get_meta("k") == "before"
    store.close()


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    with store.transaction() as db:
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    store.close()
    with pytest.raises(StoreVersionError, match="newer Cambio"):
        Store(tmp_path / "c.db")
