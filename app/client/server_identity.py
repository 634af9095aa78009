"""Who each DEX server is to us, and who we are to it, kept in the store's `meta` table.

- `serverkey:<url>`: the server's pubkey, pinned on first use (at registration, or at the
  first `connect` of an account that has no pin yet). A later `assets` with another key is
  refused by the DEX session (app/dex/session.py `ServerKeyChanged`) until the user accepts
  the new key (`accept`), which pins the key the refusal named, not whatever comes next.
- `serverkey_offered:<url>`: the key of the last refused configuration (what `accept` pins);
  written by whichever process saw the refusal, so `client accept-server-key` works offline.
- `account_index:<url>`: our DEX account key index (m/1017'/0'/<index>'), one per server so
  colluding servers cannot link our accounts. The first server keeps index 0; a datadir from
  before this mapping gives index 0 to every server it already paid a fee to (those accounts
  exist under index 0 and must keep working); each new URL takes the next unused index.
"""

from __future__ import annotations

from app.client.errors import NoKeyToAccept
from app.store.db import Store

PIN = "serverkey:"
OFFERED = "serverkey_offered:"
INDEX = "account_index:"
REGFEE = "regfee:"  # app/client/registration.py: one fee record per registered server


def key_prefix(key: bytes) -> str:
    """Enough of a key for a person to compare (16 hex digits)."""
    return key.hex()[:16]


def key_changed_reason(pinned: bytes, offered: bytes) -> str:
    return (
        f"the server's key changed: pinned {key_prefix(pinned)}…, now "
        f"{key_prefix(offered)}…; not trading there until you accept the new key"
    )


class ServerIdentity:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._reported: set[tuple[str, bytes]] = set()  # refusals already shown (this process)

    # -- the server's key --------------------------------------------------------------------
    def pinned_key(self, url: str) -> bytes | None:
        value = self.store.get_meta(PIN + url)
        return None if value is None else bytes.fromhex(value)

    def pin_first(self, url: str, pubkey: bytes) -> bool:
        """Pin `pubkey` unless a key is already pinned for `url`; True when pinned now."""
        with self.store.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (PIN + url, pubkey.hex())
            )
            return cursor.rowcount == 1

    def offered_key(self, url: str) -> bytes | None:
        value = self.store.get_meta(OFFERED + url)
        return None if value is None else bytes.fromhex(value)

    def note_refused(self, url: str, offered: bytes) -> bool:
        """Record the refused key; True the first time this process sees it (show it once,
        not at every reconnect attempt)."""
        if self.store.get_meta(OFFERED + url) != offered.hex():
            self.store.set_meta(OFFERED + url, offered.hex())
        fresh = (url, offered) not in self._reported
        self._reported.add((url, offered))
        return fresh

    def accept(self, url: str) -> bytes:
        """Pin the key that was refused for `url` (the user accepted it); returns it."""
        offered = self.offered_key(url)
        if offered is None:
            raise NoKeyToAccept(url)
        with self.store.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (PIN + url, offered.hex())
            )
            db.execute("DELETE FROM meta WHERE key = ?", (OFFERED + url,))
        self._reported = {r for r in self._reported if r[0] != url}
        return offered

    # -- our account index ------------------------------------------------------------------
    def account_index(self, url: str) -> int:
        """The account key index for `url`, assigned (and stored) on first use."""
        with self.store.transaction() as db:
            rows = db.execute(
                "SELECT key, value FROM meta WHERE key LIKE ? OR key LIKE ?",
                (INDEX + "%", REGFEE + "%"),
            ).fetchall()
            indexes = {k[len(INDEX) :]: int(v) for k, v in rows if k.startswith(INDEX)}
            if url in indexes:
                return indexes[url]
            if not indexes:  # before per-server indexes: registered accounts used index 0
                for key, _ in rows:
                    if key.startswith(REGFEE):
                        indexes[key[len(REGFEE) :]] = 0
                        db.execute(
                            "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                            (INDEX + key[len(REGFEE) :], "0"),
                        )
                if url in indexes:
                    return 0
            index = max(indexes.values(), default=-1) + 1
            db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (INDEX + url, str(index)))
            return index
