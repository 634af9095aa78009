"""No private key and no maker secret at rest: swap records name the key's wallet path and
seal the secret; the unlocked wallet gives both back; what is stored is scanned byte by byte."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.store.db import Store
from app.swap.errors import SwapKeyError
from app.swap.keys import MatchKeys, WalletKeys, unlock
from app.swap.states import (
    STATE_FORMAT,
    ClearSecret,
    ContractPrepared,
    CounterpartyAudited,
    InitBroadcast,
    KeyPath,
    Match,
    Matched,
    Role,
    SealedSecret,
    SwapState,
    TheirContract,
)
from app.swap.store import SwapStore, decode_state, encode_state
from app.swap.transitions import Funded, Observation, our_lock_time, transition
from app.wallet.coins import Outpoint, Utxo
from app.wallet.hd import HDWallet
from app.wallet.signing import KeyedUtxo
from dexproto.address import p2wpkh_script
from dexproto.assets import get_asset
from dexproto.crypto import hash160, pubkey_from_secret, sha256
from dexproto.htlc import Contract

T0 = 1_700_000_000_000
H = 3_600_000
SEED, OTHER_SEED = bytes(range(64)), bytes(range(1, 65))
PATH = KeyPath("btc", False, 7)


def wallet_key(seed: bytes, path: KeyPath) -> bytes:
    return HDWallet(seed).account(get_asset(path.asset, "regtest")).secret(path.change, path.index)


def maker_match(
    our_pkh: bytes, path: KeyPath | None = PATH, clear_key: bytes | None = None
) -> Match:
    return Match(
        order_id="aa" * 32,
        match_id="bb" * 32,
        role=Role.MAKER,
        quantity=1,
        rate=1,
        network="regtest",
        our_asset="ltc",
        their_asset="btc",
        our_amount=2_000_000,
        their_amount=1_000_000,
        their_pkh=bytes([5]) * 20,
        our_pkh=our_pkh,
        our_key_path=path,
        clear_key=clear_key,
        redeem_script=p2wpkh_script(bytes(20)),
        refund_script=p2wpkh_script(bytes([3]) * 20),
        our_fee_rate=20,
        their_fee_rate=20,
        their_swap_conf=1,
        match_time_ms=T0,
        maker_lock_ms=48 * H,
        taker_lock_ms=24 * H,
    )


def funded(m: Match, keys: WalletKeys, secret: bytes) -> Funded:
    coin_key = os.urandom(32)
    script = p2wpkh_script(hash160(pubkey_from_secret(coin_key)))
    coin = KeyedUtxo(Utxo(Outpoint("11" * 32, 0), 3_000_000, script, 1, 1), coin_key)
    return Funded(
        (coin,), p2wpkh_script(bytes([9]) * 20), sha256(secret), keys.seal(m.match_id, secret)
    )


def prepared(keys: WalletKeys, secret: bytes) -> ContractPrepared:
    """The maker's state right before its init broadcast, built as the engine would."""
    m = maker_match(hash160(pubkey_from_secret(keys.key_at(PATH, "regtest"))))
    obs = Observation(now_ms=T0, funded=funded(m, keys, secret), keys=unlock(Matched(m), keys))
    state = transition(Matched(m), obs).state
    assert isinstance(state, ContractPrepared)
    return state


def test_the_key_comes_from_the_wallet_at_the_recorded_path() -> None:
    keys = WalletKeys(HDWallet(SEED))
    key = wallet_key(SEED, PATH)
    m = maker_match(hash160(pubkey_from_secret(key)))
    assert keys.our_key(m) == key == unlock(Matched(m), keys).our_key
    with pytest.raises(SwapKeyError, match="another wallet"):  # same path, other seed
        WalletKeys(HDWallet(OTHER_SEED)).our_key(m)
    with pytest.raises(SwapKeyError, match="locked"):
        unlock(Matched(m), None)


def test_sealed_secret_opens_only_with_its_wallet_and_match() -> None:
    keys, secret = WalletKeys(HDWallet(SEED)), os.urandom(32)
    a, b = keys.seal("bb" * 32, secret), keys.seal("bb" * 32, secret)
    assert a.nonce != b.nonce and a.box != b.box and secret not in a.box
    assert keys.unseal("bb" * 32, a) == secret == WalletKeys(HDWallet(SEED)).unseal("bb" * 32, b)
    with pytest.raises(SwapKeyError):
        WalletKeys(HDWallet(OTHER_SEED)).unseal("bb" * 32, a)
    with pytest.raises(SwapKeyError):
        keys.unseal("cc" * 32, a)  # the match id is bound to the box


def test_unlock_checks_the_secret_against_the_contract_hash() -> None:
    keys, secret = WalletKeys(HDWallet(SEED)), os.urandom(32)
    state = prepared(keys, secret)
    assert unlock(state, keys) == MatchKeys(wallet_key(SEED, PATH), secret)
    with pytest.raises(SwapKeyError, match="locked"):  # a sealed secret needs the wallet
        unlock(state, None)
    wrong = ContractPrepared(
        state.match,
        state.secret_hash,
        state.ours,
        None,
        keys.seal(state.match.match_id, os.urandom(32)),
    )
    with pytest.raises(SwapKeyError, match="does not fit"):
        unlock(wrong, keys)


def test_a_clear_key_from_an_old_record_still_signs_without_the_wallet() -> None:
    key, secret = os.urandom(32), os.urandom(32)
    m = maker_match(hash160(pubkey_from_secret(key)), path=None, clear_key=key)
    state = InitBroadcast(
        m,
        sha256(secret),
        prepared(WalletKeys(HDWallet(SEED)), secret).ours,
        None,
        ClearSecret(secret),
    )
    assert unlock(state, None) == MatchKeys(key, secret)
    with pytest.raises(ValueError):  # the key must fit the recorded key hash
        maker_match(bytes(20), path=None, clear_key=key)
    with pytest.raises(ValueError):  # one of path and clear key, never both or none
        maker_match(hash160(pubkey_from_secret(key)), path=PATH, clear_key=key)


def _raw_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())


def test_stored_records_hold_neither_our_key_nor_the_secret(tmp_path: Path) -> None:
    keys, secret = WalletKeys(HDWallet(SEED)), os.urandom(32)
    key = wallet_key(SEED, PATH)
    state = prepared(keys, secret)
    audited = CounterpartyAudited(
        state.match, state.secret_hash, _their_contract(state), state.ours, state.sealed_secret
    )
    states: list[SwapState] = [
        InitBroadcast(state.match, state.secret_hash, state.ours, None, state.sealed_secret),
        audited,
    ]
    path = tmp_path / "cambio.db"
    store = SwapStore(Store(path))
    assert store.create(Matched(state.match))
    store.save(state)
    for s in states:
        store.save(s)
    assert store.load(state.match.match_id) == audited
    raw = _raw_bytes(path)
    store.store.close()
    raw += _raw_bytes(path)
    for needle in (key, secret):
        assert needle not in raw and needle.hex().encode() not in raw
    assert state.secret_hash.hex().encode() in raw  # the scan does see what is stored


def _their_contract(state: ContractPrepared) -> TheirContract:
    m = state.match
    c = Contract(state.secret_hash, m.our_pkh, m.their_pkh, our_lock_time(m) - 3600)
    return TheirContract(c.to_script(), m.their_amount, "dd" * 32, 0, 5)


def test_sealed_secret_and_path_survive_the_record_format() -> None:
    state = prepared(WalletKeys(HDWallet(SEED)), os.urandom(32))
    again = decode_state(encode_state(state), STATE_FORMAT)
    assert again == state and isinstance(again, ContractPrepared)
    assert again.match.our_key_path == PATH and isinstance(again.sealed_secret, SealedSecret)
