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
    (
        2,
        """
        CREATE TABLE matches (
            match_id TEXT PRIMARY KEY,
            order_id TEXT NOT NULL,
            role TEXT NOT NULL,
            state TEXT NOT NULL,
            terminal INTEGER NOT NULL DEFAULT 0,
            record TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            updated_ms INTEGER NOT NULL,
            fmt INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX matches_pending ON matches (terminal);
        CREATE TABLE swap_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            match_id TEXT NOT NULL REFERENCES matches (match_id),
            state TEXT NOT NULL,
            record TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            fmt INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX swap_events_by_match ON swap_events (match_id, id);
        """,
    ),
    (
        3,
        # Orders we placed (stored before they are sent: the ID is known up front) and the
        # signed init/redeem reports the server has not acknowledged yet (app/client/outbox.py).
        """
        CREATE TABLE orders (
            order_id TEXT PRIMARY KEY,
            dex_url TEXT NOT NULL,
            market TEXT NOT NULL,
            record TEXT NOT NULL,
            status TEXT NOT NULL,
            filled INTEGER NOT NULL DEFAULT 0,
            created_ms INTEGER NOT NULL,
            updated_ms INTEGER NOT NULL,
            fmt INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX orders_by_status ON orders (status);
        CREATE TABLE order_matches (
            match_id TEXT PRIMARY KEY,
            order_id TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            rate INTEGER NOT NULL,
            revoked INTEGER NOT NULL DEFAULT 0,
            created_ms INTEGER NOT NULL,
            fmt INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE dex_outbox (
            method TEXT NOT NULL,
            match_id TEXT NOT NULL,
            params TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            fmt INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (method, match_id)
        )
        """,
    ),
    (
        4,
        # Swap records stop holding private keys (record format 2). Rows written before may
        # hold one in clear: flagged until the unlocked wallet takes them over
        # (app/swap/rekey.py), and kept flagged when it cannot.
        """
        ALTER TABLE matches ADD COLUMN key_in_clear INTEGER NOT NULL DEFAULT 0;
        UPDATE matches SET key_in_clear = 1 WHERE fmt = 1
        """,
    ),
]
