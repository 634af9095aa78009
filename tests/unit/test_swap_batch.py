"""Case B preparation (no I/O): which matches may share one init, and what gets signed."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from app.swap.batch import check_batch, prepare_batch
from app.swap.errors import FundingError, SwapError
from app.swap.states import Role, SealedSecret
from app.wallet.coins import Outpoint, Utxo
from app.wallet.signing import KeyedUtxo
from dexproto.crypto import sha256
from tests.fakes.matches import fresh_script, make_matches, p2wpkh_for, role_keys


def _coin(value: int) -> KeyedUtxo:
    key = os.urandom(32)
    return KeyedUtxo(Utxo(Outpoint("11" * 32, 0), value, p2wpkh_for(key), 1, 1), key)


def test_refuses_takers_mixed_assets_and_duplicates() -> None:
    (m1, t1), (m2, _) = make_matches(2_000_000, 1_000_000), make_matches(3_000_000, 1_000_000)
    for bad in ([], [m1, t1], [m1, replace(m2, our_fee_rate=m2.our_fee_rate + 1)], [m1, m1]):
        with pytest.raises(SwapError):
            check_batch(bad)


def test_one_init_two_outputs_each_refund_its_own() -> None:
    m1, m2 = make_matches(2_000_000, 1)[0], make_matches(3_000_000, 1)[0]
    keys, secrets = role_keys(Role.MAKER), [os.urandom(32), os.urandom(32)]
    states = prepare_batch([m1, m2], secrets, [_coin(6_000_000)], fresh_script(), 7, keys)
    assert len({s.ours.init.txid for s in states}) == 1
    for s, m, secret in zip(states, (m1, m2), secrets, strict=True):  # stored sealed only
        assert s.secret_hash == sha256(secret) and isinstance(s.sealed_secret, SealedSecret)
        assert keys.unseal(m.match_id, s.sealed_secret) == secret
    assert [s.ours.vout for s in states] == [0, 1]
    assert len({s.ours.refund.txid for s in states}) == 2
    assert [s.ours.value for s in states] == [2_000_000, 3_000_000]
    with pytest.raises(FundingError):  # nothing is signed for anyone when coins fall short
        prepare_batch([m1, m2], [os.urandom(32)] * 2, [_coin(5_000_000)], fresh_script(), 7, keys)
