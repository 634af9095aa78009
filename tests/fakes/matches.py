"""Match and key builders for swap tests, on any chain (no node needed): a fresh maker/taker
pair of regtest matches (`make_matches`), each role's fixed-seed wallet (`role_keys`) and fresh
keys and scripts. The engines on regtest nodes (tests/integration/swap_harness.py) and the
unit tests of batches and the driver build their matches here."""

from __future__ import annotations

import functools
import hashlib
import os
import secrets
import time
from dataclasses import replace

from app.swap.keys import WalletKeys
from app.swap.states import KeyPath, Match, Role
from app.wallet.hd import HDWallet
from dexproto.address import p2wpkh_script
from dexproto.crypto import hash160, pubkey_from_secret

RATE = 20  # atoms/vB, above Litecoin's relay minimum
HOUR_MS = 3_600_000


def pkh(key: bytes) -> bytes:
    return hash160(pubkey_from_secret(key))


def p2wpkh_for(key: bytes) -> bytes:
    """The P2WPKH script paying `key`."""
    return p2wpkh_script(pkh(key))


def fresh_script() -> bytes:
    """A P2WPKH script of a key nobody keeps."""
    return p2wpkh_for(os.urandom(32))


@functools.cache
def role_keys(role: Role) -> WalletKeys:
    """Each role's wallet: a fixed test seed, so a restarted process (swap_proc.py) derives
    the same keys from the paths stored in its records."""
    return WalletKeys(HDWallet(hashlib.sha512(f"cambio test {role.value}".encode()).digest()))


def new_key_path(role: Role, asset: str) -> tuple[KeyPath, bytes]:
    """A fresh receiving key of `role`'s wallet on `asset` (regtest): (its path, its key)."""
    path = KeyPath(asset, False, secrets.randbelow(2**31))
    return path, role_keys(role).key_at(path, "regtest")


def make_matches(
    maker_amount: int,
    taker_amount: int,
    *,
    maker_lock_ms: int = 48 * HOUR_MS,
    taker_lock_ms: int = 24 * HOUR_MS,
    match_time_ms: int | None = None,
) -> tuple[Match, Match]:
    """A maker paying `maker_amount` LTC for the taker's `taker_amount` BTC."""
    order_m, order_t, match_id = os.urandom(32).hex(), os.urandom(32).hex(), os.urandom(32).hex()
    maker_path, maker_key = new_key_path(Role.MAKER, "btc")
    taker_path, taker_key = new_key_path(Role.TAKER, "ltc")
    t = match_time_ms if match_time_ms is not None else int(time.time() * 1000)
    maker = Match(
        order_id=order_m,
        match_id=match_id,
        role=Role.MAKER,
        quantity=maker_amount,
        rate=1,
        network="regtest",
        our_asset="ltc",
        their_asset="btc",
        our_amount=maker_amount,
        their_amount=taker_amount,
        their_pkh=pkh(taker_key),
        our_pkh=pkh(maker_key),
        our_key_path=maker_path,
        redeem_script=fresh_script(),
        refund_script=fresh_script(),
        our_fee_rate=RATE,
        their_fee_rate=RATE,
        their_swap_conf=1,
        match_time_ms=t,
        maker_lock_ms=maker_lock_ms,
        taker_lock_ms=taker_lock_ms,
    )
    taker = replace(  # the same match seen from the other side
        maker,
        order_id=order_t,
        role=Role.TAKER,
        our_asset="btc",
        their_asset="ltc",
        our_amount=taker_amount,
        their_amount=maker_amount,
        their_pkh=pkh(maker_key),
        our_pkh=pkh(taker_key),
        our_key_path=taker_path,
        redeem_script=fresh_script(),
        refund_script=fresh_script(),
    )
    return maker, taker
