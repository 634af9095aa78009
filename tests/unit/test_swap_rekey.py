"""Swap records from before format 2 (private key and maker secret in clear) are taken over
when the wallet is unlocked: key -> wallet path, secret -> sealed, the old bytes gone from the
database files; a key the wallet does not know stays, flagged, and is never logged."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from app.client.matches import swap_keys
from app.config import AppConfig
from app.store.db import Store
from app.store.migrations import MIGRATIONS
from app.swap.engine import SwapEngine
from app.swap.keys import unlock
from app.swap.states import (
    LEGACY_FORMAT,
    STATE_FORMAT,
    ClearSecret,
    Complete,
    InitBroadcast,
    KeyPath,
    Matched,
    SealedSecret,
)
from app.swap.store import SwapStore, decode_state
from app.wallet.hd import HDWallet
from app.wallet.session import OpenWallet
from dexproto.address import p2wpkh_script
from dexproto.assets import Network, get_asset
from dexproto.crypto import hash160, pubkey_from_secret, sha256
from dexproto.htlc import Contract, maker_lock_time

T0 = 1_700_000_000_000
H = 3_600_000
SEED = bytes(range(64))
ORDER_INDEX = 3  # our order's receiving address: BTC receive branch, index 3


def b(data: bytes) -> dict[str, str]:
    return {"b": data.hex()}


def v1_match(match_id: str, key: bytes) -> dict[str, Any]:
    """A `Match` exactly as format 1 wrote it: `our_key` in clear, no key hash, no path."""
    return {
        "t": "Match",
        "f": {
            "order_id": "aa" * 32,
            "match_id": match_id,
            "role": "maker",
            "quantity": 1,
            "rate": 1,
            "network": "regtest",
            "our_asset": "ltc",
            "their_asset": "btc",
            "our_amount": 2_000_000,
            "their_amount": 1_000_000,
            "their_pkh": b(bytes([5]) * 20),
            "our_key": b(key),
            "redeem_script": b(p2wpkh_script(bytes(20))),
            "refund_script": b(p2wpkh_script(bytes([3]) * 20)),
            "our_fee_rate": 20,
            "their_fee_rate": 20,
            "their_swap_conf": 1,
            "match_time_ms": T0,
            "maker_lock_ms": 48 * H,
            "taker_lock_ms": 24 * H,
        },
    }


def v1_init_broadcast(match_id: str, key: bytes, secret: bytes) -> dict[str, Any]:
    """A format-1 maker `InitBroadcast`: the secret in clear beside its hash."""
    pkh = hash160(pubkey_from_secret(key))
    contract = Contract(sha256(secret), bytes([5]) * 20, pkh, maker_lock_time(T0, 48 * H))
    tx = {"t": "SignedTx", "f": {"raw": b(bytes(60)), "txid": "12" * 32, "vsize": 150, "fee": 3000}}
    ours = {
        "t": "OurContract",
        "f": {
            "script": b(contract.to_script()),
            "value": 2_000_000,
            "init": tx,
            "vout": 0,
            "refund": tx,
            "start_height": 5,
        },
    }
    return {
        "t": "InitBroadcast",
        "f": {
            "match": v1_match(match_id, key),
            "secret_hash": b(sha256(secret)),
            "ours": ours,
            "theirs": None,
            "secret": b(secret),
        },
    }


def old_database(path: Path, swaps: dict[str, list[dict[str, Any]]]) -> None:
    """A database as Cambio before format 2 left it: schema 3, format-1 swap records (each
    match's history, the last one current)."""
    db = sqlite3.connect(path, isolation_level=None)
    for version, sql in MIGRATIONS:
        if version <= 3:
            for statement in filter(str.strip, sql.split(";")):
                db.execute(statement)
    db.execute("PRAGMA user_version=3")
    for match_id, history in swaps.items():
        current = history[-1]
        db.execute(
            "INSERT INTO matches (match_id, order_id, role, state, terminal, record, "
            "created_ms, updated_ms, fmt) VALUES (?, ?, 'maker', ?, 0, ?, 1, 2, 1)",
            (match_id, "aa" * 32, current["t"], json.dumps(current)),
        )
        for i, rec in enumerate(history):
            db.execute(
                "INSERT INTO swap_events (match_id, state, record, created_ms, fmt) "
                "VALUES (?, ?, ?, ?, 1)",
                (match_id, rec["t"], json.dumps(rec), i),
            )
    db.close()


def open_wallet(datadir: Path) -> OpenWallet:
    """The wallet unlocked on that data directory: the store opens (migrating to schema 4)."""
    w = OpenWallet(
        datadir, AppConfig(network=Network.REGTEST), HDWallet(SEED), Store(datadir / "cambio.db")
    )
    w.asset("btc").receive_address()  # stores the receive scripts 0..19, as a used wallet has
    return w


def our_key(index: int) -> bytes:
    return HDWallet(SEED).account(get_asset("btc", "regtest")).secret(False, index)


def raw_files(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_old_record_is_taken_over_and_nothing_secret_remains(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ours = our_key(ORDER_INDEX)
    stranger, secret, mid, other = os.urandom(32), os.urandom(32), "bb" * 32, "cc" * 32
    matched = {"t": "Matched", "f": {"match": v1_match(mid, ours)}}
    foreign = v1_init_broadcast(other, stranger, os.urandom(32))
    old_database(
        tmp_path / "cambio.db",
        {mid: [matched, v1_init_broadcast(mid, ours, secret)], other: [foreign]},
    )
    wallet = open_wallet(tmp_path)
    swaps = SwapStore(wallet.store)
    assert swaps.ids_with_clear_keys() == [mid, other]  # migration 4 flagged both
    old = decode_state(json.dumps(foreign), LEGACY_FORMAT)  # format 1 is still read
    assert old.match.clear_key == stranger and isinstance(old, InitBroadcast)
    assert isinstance(old.sealed_secret, ClearSecret)
    events_before = len(swaps.history(mid))

    with caplog.at_level(logging.DEBUG):
        keys = swap_keys(wallet, swaps)

    state = swaps.load(mid)
    assert isinstance(state, InitBroadcast)
    assert state.match.our_key_path == KeyPath("btc", False, ORDER_INDEX)
    assert state.match.clear_key is None and isinstance(state.sealed_secret, SealedSecret)
    assert unlock(state, keys).our_key == ours and unlock(state, keys).secret == secret
    history = swaps.history(mid)
    assert len(history) == events_before and {h.fmt for h in history} == {STATE_FORMAT}
    assert all(decode_state(h.record, h.fmt).match == state.match for h in history)
    rows = wallet.store.query("SELECT match_id, fmt, key_in_clear, record FROM matches")
    flags = {r["match_id"]: (r["fmt"], r["key_in_clear"]) for r in rows}
    assert flags == {mid: (STATE_FORMAT, 0), other: (LEGACY_FORMAT, 1)}
    assert next(r["record"] for r in rows if r["match_id"] == other) == json.dumps(foreign)
    # Neither our key nor the secret is anywhere in the database files any more.
    raw = raw_files(wallet.store.path)
    for needle in (ours, secret):
        assert needle not in raw and needle.hex().encode() not in raw
    assert stranger.hex().encode() in raw  # the flagged record kept its key: the scan sees it
    logs = "\n".join(r.getMessage() for r in caplog.records)
    assert f"swap {other[:8]}: its key is not one of this wallet's" in logs
    for needle in (ours, secret, stranger):
        assert needle.hex() not in logs
    # Idempotent: a second unlock finds only the flagged record and leaves it as it is.
    swap_keys(wallet, swaps)
    assert swaps.load(mid) == state and swaps.ids_with_clear_keys() == [other]


def test_terminal_records_lose_their_key_too(tmp_path: Path) -> None:
    ours, mid = our_key(0), "dd" * 32
    done = {
        "t": "Complete",
        "f": {"match": v1_match(mid, ours), "redeem_txid": "34" * 32, "received": 990_000},
    }
    old_database(tmp_path / "cambio.db", {mid: [done]})
    wallet = open_wallet(tmp_path)
    swaps = SwapStore(wallet.store)
    swap_keys(wallet, swaps)
    state = swaps.load(mid)
    assert isinstance(state, Complete) and state.match.our_key_path == KeyPath("btc", False, 0)
    assert ours.hex().encode() not in raw_files(wallet.store.path)


async def test_the_engine_settles_a_flagged_record_with_its_clear_key(tmp_path: Path) -> None:
    """A key the wallet cannot take over still signs: the swap is not stranded."""
    stranger, secret = os.urandom(32), os.urandom(32)
    old_database(
        tmp_path / "cambio.db", {"ee" * 32: [v1_init_broadcast("ee" * 32, stranger, secret)]}
    )
    wallet = open_wallet(tmp_path)
    swaps = SwapStore(wallet.store)
    keys = swap_keys(wallet, swaps)
    state = swaps.load("ee" * 32)
    assert state is not None and state.match.clear_key == stranger
    engine = SwapEngine(swaps, {}, {}, _no_send, keys=keys)
    got = engine._unlock(state)  # what the transitions would get this tick
    assert got is not None and got.our_key == stranger and got.secret == secret
    assert engine._unlock(Matched(state.match)) is not None


async def _no_send(msg: object) -> None:
    return None
