"""Swap persistence: the current state of each match plus an append-only history.

Tables (migration 2): `matches` (one row per match: current state record, terminal flag,
`key_in_clear` since migration 4) and `swap_events` (every state ever entered, with its time).
Records are JSON written by a small explicit codec: dataclasses by registered name, bytes as
{"b": hex}; `fmt` holds the record format version. Each save commits durably
(Store.transaction fsyncs) before it returns, so the driver may act on the state right after.

Records hold no private key and no maker secret in clear (format 2): the key's HD path and
the sealed secret; format 3 only adds the fee-bump fields of `Redeeming` and format 4
`CounterpartyAudited.confirmed_ms`, all with defaults, so format 2 and 3 records decode
unchanged. Format 1 records (key and secret in clear) are still
read, as matches with a `clear_key`; `key_in_clear` marks the rows holding one until
app/swap/rekey.py takes them over with the unlocked wallet.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from app.store.db import Store
from app.swap.errors import SwapError
from app.swap.states import (
    FEE_BUMP_FORMAT,
    KEYLESS_FORMAT,
    LEGACY_FORMAT,
    STATE_FORMAT,
    STATE_TYPES,
    ClearSecret,
    KeyPath,
    Match,
    OurContract,
    Role,
    SealedSecret,
    SwapState,
    TheirContract,
    is_terminal,
    state_name,
)
from app.wallet.coins import SignedTx
from dexproto.crypto import hash160, pubkey_from_secret

_TYPES: dict[str, type] = {
    t.__name__: t
    for t in (
        *STATE_TYPES,
        Match,
        OurContract,
        TheirContract,
        SignedTx,
        KeyPath,
        SealedSecret,
        ClearSecret,
    )
}
_MAKER_SECRET_STATES = ("CounterpartyAudited", "ContractPrepared", "InitBroadcast")


class SwapRecordError(SwapError):
    """A stored swap record cannot be read (unknown format version or malformed)."""


class StaleSwapWrite(SwapRecordError):
    """The stored state is not the one this writer started from: another writer moved the
    swap on (M4: two writers must never both think they funded)."""


def _encode(value: object) -> Any:
    if isinstance(value, Role):
        return value.value
    if isinstance(value, bytes):
        return {"b": value.hex()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if name not in _TYPES:
            raise TypeError(f"cannot store {name}")
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"t": name, "f": fields}
    if isinstance(value, tuple):  # e.g. the replaced redeem versions
        return [_encode(v) for v in value]
    if value is None or isinstance(value, (int, str)):
        return value
    raise TypeError(f"cannot store {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"b"}:
            return bytes.fromhex(value["b"])
        cls = _TYPES.get(value.get("t", ""))
        if cls is None:
            raise SwapRecordError("A stored swap could not be read.", f"type {value.get('t')}")
        fields = {k: _decode(v) for k, v in value["f"].items()}
        if cls is Match:
            fields["role"] = Role(fields["role"])
        return cls(**fields)
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


def _upgrade_v1(value: Any) -> Any:
    """Format 1 JSON -> format 2: `Match.our_key` becomes `clear_key` (+ its key hash), a
    maker's `secret` a `ClearSecret`. Parts already in format 2 shape pass unchanged."""
    if isinstance(value, list):
        return [_upgrade_v1(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _upgrade_v1(v) for k, v in value.items()}
    fields = out.get("f")
    if not isinstance(fields, dict):
        return out
    if out.get("t") == "Match" and "our_key" in fields:
        key = bytes.fromhex(fields.pop("our_key")["b"])
        fields.update(
            clear_key={"b": key.hex()},
            our_key_path=None,
            our_pkh={"b": hash160(pubkey_from_secret(key)).hex()},
        )
    elif out.get("t") in _MAKER_SECRET_STATES and "secret" in fields:
        secret = fields.pop("secret")
        fields["sealed_secret"] = (
            None if secret is None else {"t": "ClearSecret", "f": {"value": secret}}
        )
    return out


def encode_state(state: SwapState) -> str:
    return json.dumps(_encode(state), separators=(",", ":"), sort_keys=True)


def decode_state(record: str, fmt: int) -> SwapState:
    if fmt not in (STATE_FORMAT, FEE_BUMP_FORMAT, KEYLESS_FORMAT, LEGACY_FORMAT):
        raise SwapRecordError("This swap was stored by a newer Cambio.", f"fmt {fmt}")
    try:
        tree = json.loads(record)
        state = _decode(_upgrade_v1(tree) if fmt == LEGACY_FORMAT else tree)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SwapRecordError("A stored swap could not be read.", repr(exc)) from exc
    if not isinstance(state, STATE_TYPES):
        raise SwapRecordError("A stored swap could not be read.", "not a state")
    return cast(SwapState, state)


@dataclass(frozen=True)
class HistoryEntry:
    state: str
    created_ms: int
    record: str  # JSON; never log it (old records may hold a key in clear)
    fmt: int = STATE_FORMAT


@dataclass(frozen=True)
class StoredRecord:
    """One stored record of a match: its current row (`event_id` None) or a history row."""

    event_id: int | None
    state: SwapState


def _key_in_clear(state: SwapState) -> int:
    return int(state.match.clear_key is not None)


class SwapStore:
    """Swap records inside the client's Store."""

    def __init__(self, store: Store, clock_ms: Callable[[], int] | None = None) -> None:
        self.store = store
        self._clock = clock_ms or (lambda: int(time.time() * 1000))

    def create(self, state: SwapState) -> bool:
        """Insert a new match; False (and nothing written) when it is already stored."""
        m = state.match
        now = self._clock()
        record = encode_state(state)
        with self.store.transaction() as db:
            if db.execute("SELECT 1 FROM matches WHERE match_id = ?", (m.match_id,)).fetchone():
                return False
            db.execute(
                "INSERT INTO matches (match_id, order_id, role, state, terminal, record, "
                "created_ms, updated_ms, fmt, key_in_clear) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    m.match_id,
                    m.order_id,
                    m.role.value,
                    state_name(state),
                    int(is_terminal(state)),
                    record,
                    now,
                    now,
                    STATE_FORMAT,
                    _key_in_clear(state),
                ),
            )
            self._append(db, m.match_id, state, record, now)
        return True

    def save(self, state: SwapState, expected: str | None = None) -> None:
        """Replace the current state and append it to the history, durably. With `expected`
        (the state name the writer started from) it is a compare-and-swap: StaleSwapWrite,
        and nothing written, when the stored state is another."""
        self.save_many([state], expected)

    def save_many(self, states: list[SwapState], expected: str | None = None) -> None:
        """Save several states in ONE transaction: all of them or none (case B funding)."""
        now = self._clock()
        with self.store.transaction() as db:
            for state in states:
                mid = state.match.match_id
                if expected is not None:
                    row = db.execute(
                        "SELECT state FROM matches WHERE match_id = ?", (mid,)
                    ).fetchone()
                    if row is not None and str(row[0]) != expected:
                        raise StaleSwapWrite(
                            "The swap was changed by another process.",
                            f"{mid[:16]}: stored {row[0]}, expected {expected}",
                        )
                record = encode_state(state)
                cur = db.execute(
                    "UPDATE matches SET state = ?, terminal = ?, record = ?, updated_ms = ?, "
                    "fmt = ?, key_in_clear = ? WHERE match_id = ?",
                    (
                        state_name(state),
                        int(is_terminal(state)),
                        record,
                        now,
                        STATE_FORMAT,
                        _key_in_clear(state),
                        mid,
                    ),
                )
                if cur.rowcount != 1:
                    raise SwapRecordError("Unknown swap.", mid)
                self._append(db, mid, state, record, now)

    @staticmethod
    def _append(db: Any, match_id: str, state: SwapState, record: str, now: int) -> None:
        db.execute(
            "INSERT INTO swap_events (match_id, state, record, created_ms, fmt) "
            "VALUES (?, ?, ?, ?, ?)",
            (match_id, state_name(state), record, now, STATE_FORMAT),
        )

    def load(self, match_id: str) -> SwapState | None:
        rows = self.store.query("SELECT record, fmt FROM matches WHERE match_id = ?", (match_id,))
        return decode_state(rows[0]["record"], rows[0]["fmt"]) if rows else None

    def pending(self) -> list[SwapState]:
        rows = self.store.query(
            "SELECT record, fmt FROM matches WHERE terminal = 0 ORDER BY created_ms"
        )
        return [decode_state(r["record"], r["fmt"]) for r in rows]

    def times(self) -> dict[str, tuple[int, int]]:
        """Each swap's first and last write (ms): when it was matched and last moved."""
        return {
            str(r["match_id"]): (int(r["created_ms"]), int(r["updated_ms"]))
            for r in self.store.query("SELECT match_id, created_ms, updated_ms FROM matches")
        }

    def all_ids(self) -> list[str]:
        return [
            str(r["match_id"])
            for r in self.store.query("SELECT match_id FROM matches ORDER BY created_ms")
        ]

    def history(self, match_id: str) -> list[HistoryEntry]:
        rows = self.store.query(
            "SELECT state, created_ms, record, fmt FROM swap_events WHERE match_id = ? ORDER BY id",
            (match_id,),
        )
        return [
            HistoryEntry(str(r["state"]), int(r["created_ms"]), str(r["record"]), int(r["fmt"]))
            for r in rows
        ]

    # -- taking old records over (app/swap/rekey.py) -------------------------------------------
    def ids_with_clear_keys(self) -> list[str]:
        """Matches with a record (current or history) that may hold a key in clear."""
        rows = self.store.query(
            "SELECT match_id FROM matches WHERE key_in_clear = 1 OR fmt < ? "
            "UNION SELECT match_id FROM swap_events WHERE fmt < ? ORDER BY match_id",
            (KEYLESS_FORMAT, KEYLESS_FORMAT),
        )
        return [str(r["match_id"]) for r in rows]

    def records(self, match_id: str) -> list[StoredRecord]:
        """Every record of a match, current first, decoded (old formats upgraded)."""
        out = [
            StoredRecord(None, decode_state(r["record"], r["fmt"]))
            for r in self.store.query(
                "SELECT record, fmt FROM matches WHERE match_id = ?", (match_id,)
            )
        ]
        out += [
            StoredRecord(int(r["id"]), decode_state(r["record"], r["fmt"]))
            for r in self.store.query(
                "SELECT id, record, fmt FROM swap_events WHERE match_id = ? ORDER BY id",
                (match_id,),
            )
        ]
        return out

    def rewrite(self, match_id: str, records: list[StoredRecord]) -> None:
        """Replace stored records in place (no history entry, times kept), in one transaction,
        with SQLite's secure_delete on so the replaced bytes are zeroed, not left in free
        space; then a WAL checkpoint so the old page images leave the -wal file too."""
        with self.store.transaction() as db:
            db.execute("PRAGMA secure_delete = ON")
            for r in records:
                record = encode_state(r.state)
                if r.event_id is None:
                    db.execute(
                        "UPDATE matches SET record = ?, fmt = ?, key_in_clear = ? "
                        "WHERE match_id = ?",
                        (record, STATE_FORMAT, _key_in_clear(r.state), match_id),
                    )
                else:
                    db.execute(
                        "UPDATE swap_events SET record = ?, fmt = ? WHERE id = ? AND match_id = ?",
                        (record, STATE_FORMAT, r.event_id, match_id),
                    )

    def scrub_files(self) -> bool:
        """Checkpoint the WAL into the database and truncate it; False when another
        connection kept it busy (the old pages are then overwritten on a later checkpoint)."""
        rows = self.store.query("PRAGMA wal_checkpoint(TRUNCATE)")
        return bool(rows) and int(rows[0][0]) == 0
