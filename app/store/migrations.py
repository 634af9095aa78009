"""Numbered schema migrations. Append only: never edit a migration that has shipped.

Every row that holds a record also holds `fmt`, the version of that record's format, so a
later Cambio can read (and convert) what an earlier one wrote.
"""

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE addresses (
            asset TEXT NOT NULL,
            change INTEGER NOT NULL,
            idx INTEGER NOT NULL,
            script BLOB NOT NULL,
            used INTEGER NOT NULL DEFAULT 0,
            fmt INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (asset, change, idx)
        );
        CREATE UNIQUE INDEX addresses_by_script ON addresses (asset, script);
        CREATE TABLE coin_locks (
            asset TEXT NOT NULL,
            txid TEXT NOT NULL,
            vout INTEGER NOT NULL,
            reason TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            fmt INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (asset, txid, vout)
        );
        CREATE TABLE wallet_txs (
            asset TEXT NOT NULL,
            txid TEXT NOT NULL,
            raw BLOB NOT NULL,
            kind TEXT NOT NULL,
            amount INTEGER NOT NULL,
            fee INTEGER NOT NULL,
            created_ms INTEGER NOT NULL,
            fmt INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (asset, txid)
        );
        """,
    ),
]
