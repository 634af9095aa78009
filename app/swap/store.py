"""Swap persistence: the current state of each match plus an append-only history.

Tables (migration 2): `matches` (one row per match: current state record, terminal flag) and
`swap_events` (every state ever entered, with its time). Records are JSON written by a small
explicit codec: dataclasses by registered name, bytes as {"b": hex}; `fmt` holds the record
format version. Each save commits durably (Store.transaction fsyncs) before it returns, so the
driver may act on the state right after.

The records hold the swap secret and the per-swap key in clear, like the reference clients;
the database file is private to the user (encrypting it with the wallet key is future work).
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
    STATE_FORMAT,
    STATE_TYPES,
    Match,
    OurContract,
    Role,
    SwapState,
    TheirContract,
    is_terminal,
    state_name,
)
from app.wallet.coins import SignedTx

_TYPES: dict[str, type] = {t.__name__: t for t in (*STATE_TYPES, Match, OurContract,
                                                     TheirContract, SignedTx)}


class SwapRecordError(SwapError):
    """A stored swap record cannot be read (unknown format version or malformed)."""


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
    return value


def encode_state(state: SwapState) -> str:
    return json.dumps(_encode(state), separators=(",", ":"), sort_keys=True)


def decode_state(record: str, fmt: int) -> SwapState:
    if fmt != STATE_FORMAT:
        raise SwapRecordError("This swap was stored by a newer Cambio.", f"fmt {fmt}")
    try:
        state = _decode(json.loads(record))
    except (ValueError, TypeError, KeyError) as exc:
        raise SwapRecordError("A stored swap could not be read.", repr(exc)) from exc
    if not isinstance(state, STATE_TYPES):
        raise SwapRecordError("A stored swap could not be read.", "not a state")
    return cast(SwapState, state)


@dataclass(frozen=True)
class HistoryEntry:
    state: str
    created_ms: int
    record: str  # JSON; contains secrets, never log it


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
            if db.execute("SELECT 1 FROM matches WHERE match_id = ?",
                          (m.match_id,)).fetchone():
                return False
            db.execute(
                "INSERT INTO matches (match_id, order_id, role, state, terminal, record, "
                "created_ms, updated_ms, fmt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (m.match_id, m.order_id, m.role.value, state_name(state),
                 int(is_terminal(state)), record, now, now, STATE_FORMAT))
            self._append(db, m.match_id, state, record, now)
        return True

    def save(self, state: SwapState) -> None:
        """Replace the current state and append it to the history, durably."""
        now = self._clock()
        record = encode_state(state)
        with self.store.transaction() as db:
            cur = db.execute(
                "UPDATE matches SET state = ?, terminal = ?, record = ?, updated_ms = ?, fmt = ? "
                "WHERE match_id = ?",
                (state_name(state), int(is_terminal(state)), record, now, STATE_FORMAT,
                 state.match.match_id))
            if cur.rowcount != 1:
                raise SwapRecordError("Unknown swap.", state.match.match_id)
            self._append(db, state.match.match_id, state, record, now)

    def save_many(self, states: list[SwapState]) -> None:
        """Save several states in ONE transaction: all of them or none (case B funding)."""
        now = self._clock()
        with self.store.transaction() as db:
            for state in states:
                record = encode_state(state)
                cur = db.execute(
                    "UPDATE matches SET state = ?, terminal = ?, record = ?, updated_ms = ?, "
                    "fmt = ? WHERE match_id = ?",
                    (state_name(state), int(is_terminal(state)), record, now, STATE_FORMAT,
                     state.match.match_id))
                if cur.rowcount != 1:
                    raise SwapRecordError("Unknown swap.", state.match.match_id)
                self._append(db, state.match.match_id, state, record, now)

    @staticmethod
    def _append(db: Any, match_id: str, state: SwapState, record: str, now: int) -> None:
        db.execute("INSERT INTO swap_events (match_id, state, record, created_ms, fmt) "
                   "VALUES (?, ?, ?, ?, ?)",
                   (match_id, state_name(state), record, now, STATE_FORMAT))

    def load(self, match_id: str) -> SwapState | None:
        rows = self.store.query("SELECT record, fmt FROM matches WHERE match_id = ?",
                                (match_id,))
        return decode_state(rows[0]["record"], rows[0]["fmt"]) if rows else None

    def pending(self) -> list[SwapState]:
        rows = self.store.query(
            "SELECT record, fmt FROM matches WHERE terminal = 0 ORDER BY created_ms")
        return [decode_state(r["record"], r["fmt"]) for r in rows]

    def all_ids(self) -> list[str]:
        return [str(r["match_id"]) for r in
                self.store.query("SELECT match_id FROM matches ORDER BY created_ms")]

    def history(self, match_id: str) -> list[HistoryEntry]:
        rows = self.store.query(
            "SELECT state, created_ms, record FROM swap_events WHERE match_id = ? ORDER BY id",
            (match_id,))
        return [HistoryEntry(str(r["state"]), int(r["created_ms"]), str(r["record"]))
                for r in rows]
