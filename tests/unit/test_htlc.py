"""The §9 contract template, audit, lock times, spend transactions and secret search."""

from __future__ import annotations

import os

import pytest
from bitcoin.core import CTransaction
from bitcoin.core.script import (
    OP_CHECKLOCKTIMEVERIFY,
    OP_CHECKSIG,
    OP_DROP,
    OP_DUP,
    OP_ELSE,
    OP_ENDIF,
    OP_EQUALVERIFY,
    OP_HASH160,
    OP_IF,
    OP_SHA256,
    OP_SIZE,
    CScript,
)
from hypothesis import given
from hypothesis import strategies as st

from app.swap.errors import (
    AuditError,
    AuditField,
    FundingError,
    RefusedError,
    SpendError,
    SwapError,
    TxDecodeError,
)
from app.swap.htlc import (
    ExpectedContract,
    audit_contract,
    audit_contract_tx,
    decode_witnesses,
    find_secret,
)
from app.swap.htlc_tx import (
    SEQUENCE_LOCKTIME,
    bip143_sighash_all,
    build_init_tx,
    build_redeem_tx,
    build_refund_tx,
    check_spendable,
    init_vsize,
    redeem_vsize,
    refund_vsize,
)
from app.swap.observer import tx_outputs
from app.wallet.coins import Outpoint, TxOutput, Utxo
from app.wallet.signing import KeyedUtxo, unsigned_tx, witness_sighash
from dexproto.address import p2wpkh_script, p2wsh_script
from dexproto.assets import get_asset
from dexproto.crypto import hash160, pubkey_from_secret, sha256
from dexproto.errors import ContractError
from dexproto.htlc import (
    LOCK_TIME_POS,
    LOCK_TIME_PUSH_POS,
    RECIPIENT_PKH_POS,
    SECRET_HASH_POS,
    Contract,
    decode_script_num,
    encode_script_num,
    maker_lock_time,
    min_maker_lock_time,
    min_taker_lock_time,
    refund_pkh_pos,
    taker_lock_time,
)

LTC = get_asset("ltc", "regtest")
LOCK = 1_700_000_000
HASH = bytes(range(32))
RECIP = bytes(range(100, 120))
REFUND = bytes(range(200, 220))
OUTPOINT = Outpoint("ab" * 32, 1)

hashes = st.binary(min_size=32, max_size=32)
pkhs = st.binary(min_size=20, max_size=20)
lock_times = st.integers(min_value=500_000_000, max_value=0xFFFF_FFFF)
contracts = st.builds(Contract, hashes, pkhs, pkhs, lock_times)


def reference_script(c: Contract) -> bytes:
    """The same contract through python-bitcoinlib's opcode encoder, an independent check."""
    return bytes(
        CScript(
            [
                OP_IF,
                OP_SIZE,
                32,
                OP_EQUALVERIFY,
                OP_SHA256,
                c.secret_hash,
                OP_EQUALVERIFY,
                OP_DUP,
                OP_HASH160,
                c.recipient_pkh,
                OP_ELSE,
                c.lock_time,
                OP_CHECKLOCKTIMEVERIFY,
                OP_DROP,
                OP_DUP,
                OP_HASH160,
                c.refund_pkh,
                OP_ENDIF,
                OP_EQUALVERIFY,
                OP_CHECKSIG,
            ]
        )
    )


# -- template ---------------------------------------------------------------------------------
def test_template_layout_and_named_positions() -> None:
    script = Contract(HASH, RECIP, REFUND, LOCK).to_script()
    assert len(script) == 97
    assert script[:SECRET_HASH_POS].hex() == "6382012088a820"
    assert script[SECRET_HASH_POS : SECRET_HASH_POS + 32] == HASH
    assert script[39:43].hex() == "8876a914"
    assert script[RECIPIENT_PKH_POS : RECIPIENT_PKH_POS + 20] == RECIP
    assert script[63] == 0x67 and LOCK_TIME_PUSH_POS == 64 and script[64] == 4
    assert script[LOCK_TIME_POS : LOCK_TIME_POS + 4] == LOCK.to_bytes(4, "little")
    assert script[69:74].hex() == "b17576a914"
    assert refund_pkh_pos(4) == 74 and script[74:94] == REFUND
    assert script[94:].hex() == "6888ac"


def test_five_byte_lock_time_shifts_the_tail() -> None:
    script = Contract(HASH, RECIP, REFUND, 0x8000_0000).to_script()
    assert len(script) == 98
    assert script[LOCK_TIME_PUSH_POS : LOCK_TIME_POS + 5].hex() == "050000008000"
    assert script[refund_pkh_pos(5) : refund_pkh_pos(5) + 20] == REFUND


@given(contracts)
def test_matches_bitcoinlib_encoding_and_parses_back(c: Contract) -> None:
    script = c.to_script()
    assert script == reference_script(c)
    assert Contract.parse(script) == c
    assert c.p2wsh_script() == b"\x00\x20" + sha256(script)


def test_address_uses_asset_hrp() -> None:
    assert Contract(HASH, RECIP, REFUND, LOCK).address(LTC).startswith("rltc1q")


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, ""),
        (1, "01"),
        (0x7F, "7f"),
        (0x80, "8000"),
        (-1, "81"),
        (-0x80, "8080"),
        (500_000_000, "0065cd1d"),
        (0x7FFF_FFFF, "ffffff7f"),
        (0x8000_0000, "0000008000"),
        (0xFFFF_FFFF, "ffffffff00"),
    ],
)
def test_script_number_edges(value: int, encoded: str) -> None:
    assert encode_script_num(value).hex() == encoded
    assert decode_script_num(bytes.fromhex(encoded)) == value


@given(st.integers(min_value=-(2**39), max_value=2**39))
def test_script_number_round_trip(value: int) -> None:
    assert decode_script_num(encode_script_num(value)) == value


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lock_time": 499_999_999},
        {"lock_time": 2**32},
        {"secret_hash": HASH[:31]},
        {"recipient_pkh": RECIP + b"\x00"},
        {"refund_pkh": b""},
    ],
)
def test_contract_rejects_out_of_range_fields(kwargs: dict[str, object]) -> None:
    fields: dict[str, object] = {
        "secret_hash": HASH,
        "recipient_pkh": RECIP,
        "refund_pkh": REFUND,
        "lock_time": LOCK,
        **kwargs,
    }
    with pytest.raises(ContractError):
        Contract(**fields)  # type: ignore[arg-type]


def _variants() -> list[bytes]:
    good = Contract(HASH, RECIP, REFUND, LOCK).to_script()
    nonminimal = good[:64] + b"\x05" + good[65:69] + b"\x00" + good[69:]
    negative = good[:68] + b"\x9d" + good[69:]  # sign bit set: a negative lock time
    return [
        b"",
        good[:-1],
        good + b"\xac",
        good.replace(b"\xb1", b"\xb2", 1),
        nonminimal,
        negative,
        good[:64] + b"\x06" + good[65:],
        p2wpkh_script(RECIP),
        bytes(97),
    ]


@pytest.mark.parametrize("script", _variants())
def test_parse_rejects_other_scripts(script: bytes) -> None:
    with pytest.raises(ContractError):
        Contract.parse(script)


@given(contracts, st.data())
def test_random_mutations_are_rejected_or_parse_exactly(c: Contract, data: st.DataObject) -> None:
    script = bytearray(c.to_script())
    kind = data.draw(st.sampled_from(["replace", "insert", "delete"]))
    pos = data.draw(st.integers(0, len(script) - 1))
    if kind == "replace":
        script[pos] = data.draw(st.integers(0, 255).filter(lambda b: b != script[pos]))
    elif kind == "insert":
        script.insert(pos, data.draw(st.integers(0, 255)))
    else:
        del script[pos]
    try:
        parsed = Contract.parse(bytes(script))
    except ContractError:
        return
    assert parsed != c and parsed.to_script() == bytes(script)


# -- audit ------------------------------------------------------------------------------------
def _audit_case() -> tuple[bytes, TxOutput, ExpectedContract]:
    c = Contract(HASH, RECIP, REFUND, LOCK)
    return (
        c.to_script(),
        TxOutput(c.p2wsh_script(), 5_000_000),
        ExpectedContract(
            amount=5_000_000, secret_hash=HASH, recipient_pkh=RECIP, min_lock_time=LOCK - 60
        ),
    )


def test_audit_accepts_the_expected_contract() -> None:
    script, output, expected = _audit_case()
    assert audit_contract(script, output, expected) == Contract.parse(script)
    assert (
        audit_contract_tx(
            script, [TxOutput(b"\x00\x14" + RECIP, 7), output], None, expected
        ).refund_pkh
        == REFUND
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 5_000_001}, AuditField.AMOUNT),
        ({"secret_hash": sha256(b"other")}, AuditField.SECRET_HASH),
        ({"recipient_pkh": REFUND}, AuditField.RECIPIENT),
        ({"min_lock_time": LOCK + 1}, AuditField.LOCK_TIME),
    ],
)
def test_audit_names_the_mismatched_field(change: dict[str, object], field: AuditField) -> None:
    script, output, expected = _audit_case()
    bad = ExpectedContract(**{**expected.__dict__, **change})
    with pytest.raises(AuditError) as info:
        audit_contract(script, output, bad)
    assert info.value.field is field and str(field) in str(info.value)


def test_audit_rejects_wrong_output_script_and_missing_output() -> None:
    script, output, expected = _audit_case()
    other = Contract(HASH, RECIP, REFUND, LOCK + 1).p2wsh_script()
    with pytest.raises(AuditError) as info:
        audit_contract(script, TxOutput(other, output.value), expected)
    assert info.value.field is AuditField.P2WSH
    for outputs, vout in (([output], 1), ([TxOutput(other, output.value)], None)):
        with pytest.raises(AuditError) as info:
            audit_contract_tx(script, outputs, vout, expected)
        assert info.value.field is AuditField.OUTPUT
    with pytest.raises(SwapError, match="Not a swap contract"):  # dexproto's, mapped
        audit_contract(script[:-1], output, expected)


def test_lock_times_from_match_time() -> None:
    match_ms, maker_ms, taker_ms = 1_700_000_000_500, 48 * 3600_000, 24 * 3600_000
    assert maker_lock_time(match_ms, maker_ms) == 1_700_000_000 + 48 * 3600
    assert taker_lock_time(match_ms, taker_ms) == 1_700_000_000 + 24 * 3600
    assert min_maker_lock_time(match_ms, maker_ms) == maker_lock_time(match_ms, maker_ms) - 60
    assert min_taker_lock_time(match_ms, taker_ms) == taker_lock_time(match_ms, taker_ms) - 60


# -- transactions -----------------------------------------------------------------------------
def _keys() -> tuple[bytes, bytes, bytes, Contract]:
    secret, recip_key, refund_key = os.urandom(32), os.urandom(32), os.urandom(32)
    c = Contract(
        sha256(secret),
        hash160(pubkey_from_secret(recip_key)),
        hash160(pubkey_from_secret(refund_key)),
        LOCK,
    )
    return secret, recip_key, refund_key, c


DEST = p2wpkh_script(bytes(20))


def test_spend_vsize_estimates_are_tight_upper_bounds() -> None:
    assert (redeem_vsize(97, DEST), refund_vsize(97, DEST)) == (143, 135)
    for _ in range(40):  # signatures vary in length: 70-72 DER bytes + sighash
        secret, recip_key, refund_key, c = _keys()
        script = c.to_script()
        redeem = build_redeem_tx(c, script, OUTPOINT, 100_000, secret, recip_key, DEST, 10, LTC)
        refund = build_refund_tx(c, script, OUTPOINT, 100_000, refund_key, DEST, 10, LTC)
        for tx, estimate in ((redeem, 143), (refund, 135)):
            assert tx.vsize <= estimate <= tx.vsize + 3
            assert tx.fee == 10 * estimate
            assert CTransaction.deserialize(tx.raw).vout[0].nValue == 100_000 - tx.fee


def test_own_bip143_digest_matches_bitcoinlib_and_covers_2038() -> None:
    script = Contract(HASH, RECIP, REFUND, LOCK).to_script()
    outputs = [TxOutput(DEST, 90_000), TxOutput(script, 5)]
    tx = unsigned_tx([OUTPOINT, Outpoint("ef" * 32, 7)], [SEQUENCE_LOCKTIME, 5], outputs, LOCK)
    for index in (0, 1):
        assert bip143_sighash_all(tx, index, script, 100_000) == witness_sighash(
            tx, index, script, 100_000
        )
    late = unsigned_tx([OUTPOINT], [SEQUENCE_LOCKTIME], outputs, 2**32 - 1)
    assert len(bip143_sighash_all(late, 0, script, 100_000)) == 32  # bitcoinlib raises here


def test_spend_transactions_fields() -> None:
    secret, recip_key, refund_key, c = _keys()
    script = c.to_script()
    refund = CTransaction.deserialize(
        build_refund_tx(c, script, OUTPOINT, 100_000, refund_key, DEST, 10, LTC).raw
    )
    assert refund.nLockTime == LOCK and refund.vin[0].nSequence == SEQUENCE_LOCKTIME
    stack = list(refund.wit.vtxinwit[0].scriptWitness.stack)
    assert stack[1:] == [pubkey_from_secret(refund_key), b"", script]
    redeem = CTransaction.deserialize(
        build_redeem_tx(c, script, OUTPOINT, 100_000, secret, recip_key, DEST, 10, LTC).raw
    )
    stack = list(redeem.wit.vtxinwit[0].scriptWitness.stack)
    assert stack[1:] == [pubkey_from_secret(recip_key), secret, b"\x01", script]
    assert redeem.nLockTime == 0


def test_spend_refuses_wrong_key_secret_or_script() -> None:
    secret, recip_key, refund_key, c = _keys()
    script = c.to_script()
    with pytest.raises(SpendError):
        build_redeem_tx(c, script, OUTPOINT, 100_000, secret, refund_key, DEST, 10, LTC)
    with pytest.raises(SpendError):
        build_redeem_tx(c, script, OUTPOINT, 100_000, os.urandom(32), recip_key, DEST, 10, LTC)
    with pytest.raises(SpendError):
        build_refund_tx(c, script, OUTPOINT, 100_000, recip_key, DEST, 10, LTC)
    with pytest.raises(SwapError, match="does not match its parameters"):
        build_refund_tx(c, script + b"\x00", OUTPOINT, 100_000, refund_key, DEST, 10, LTC)


def test_dust_refusal_and_check_spendable_boundary() -> None:
    limit = LTC.p2wpkh_dust  # 2940 atoms at Litecoin's dust relay fee
    worst_fee = 10 * redeem_vsize(98, DEST)  # redeem of a 5-byte-lock contract is the largest
    assert check_spendable(limit + worst_fee, 10, LTC) == limit
    with pytest.raises(RefusedError) as info:
        check_spendable(limit + worst_fee - 1, 10, LTC)
    assert info.value.limit == limit and "redeem" in str(info.value)
    with pytest.raises(RefusedError):
        check_spendable(LTC.p2wsh_dust - 1, 0, LTC)
    secret, recip_key, refund_key, c = _keys()
    value = limit + 10 * redeem_vsize(97, DEST) - 1
    with pytest.raises(RefusedError):
        build_redeem_tx(c, c.to_script(), OUTPOINT, value, secret, recip_key, DEST, 10, LTC)
    build_refund_tx(c, c.to_script(), OUTPOINT, value, refund_key, DEST, 10, LTC)  # smaller


def _coin(value: int) -> KeyedUtxo:
    key = os.urandom(32)
    script = p2wpkh_script(hash160(pubkey_from_secret(key)))
    return KeyedUtxo(Utxo(Outpoint("cd" * 32, 0), value, script, 1, 1), key)


def test_init_funds_several_contracts_with_change() -> None:
    c1, c2 = _keys()[3], _keys()[3]
    coin = _coin(10_000_000)
    init = build_init_tx([coin], [(c1, 1_000_000), (c2, 2_000_000)], DEST, 10, LTC)
    assert init_vsize(1, 2, DEST) == 196
    assert init.tx.vsize <= 196 <= init.tx.vsize + 3 and init.tx.fee == 1960
    tx = CTransaction.deserialize(init.tx.raw)
    assert init.contract_vouts == (0, 1) and init.change_vout == 2
    assert [o.nValue for o in tx.vout] == [1_000_000, 2_000_000, 10_000_000 - 3_000_000 - 1960]
    assert bytes(tx.vout[1].scriptPubKey) == p2wsh_script(c2.to_script())
    assert init.outpoint(1) == Outpoint(init.tx.txid, 1)


def test_init_drops_dust_change_and_refuses_short_funds() -> None:
    c = _keys()[3]
    fee_no_change = 10 * init_vsize(1, 1, None)
    coin = _coin(1_000_000 + fee_no_change + 100)  # change of ~100 - extra fee: dust
    init = build_init_tx([coin], [(c, 1_000_000)], DEST, 10, LTC)
    assert init.change_vout is None and init.tx.fee == fee_no_change + 100
    with pytest.raises(FundingError):
        build_init_tx([_coin(1_000_000 + fee_no_change - 1)], [(c, 1_000_000)], DEST, 10, LTC)
    with pytest.raises(RefusedError):
        build_init_tx([coin], [(c, LTC.p2wsh_dust - 1)], DEST, 10, LTC)
    stranger = KeyedUtxo(coin.utxo, os.urandom(32))
    with pytest.raises(SpendError):
        build_init_tx([stranger], [(c, 1_000_000)], DEST, 10, LTC)


# -- secret search ----------------------------------------------------------------------------
def test_find_secret_in_redeem_not_in_refund() -> None:
    secret, recip_key, refund_key, c = _keys()
    script = c.to_script()
    redeem = build_redeem_tx(c, script, OUTPOINT, 100_000, secret, recip_key, DEST, 10, LTC)
    refund = build_refund_tx(c, script, OUTPOINT, 100_000, refund_key, DEST, 10, LTC)
    assert find_secret(redeem.raw, c) == secret
    assert find_secret(refund.raw, c) is None
    assert find_secret([[b"sig", b"pub", secret, b"\x01", script]], c) == secret
    other = _keys()[3]
    assert find_secret(redeem.raw, other) is None  # spends some other contract
    init = build_init_tx([_coin(10_000_000)], [(c, 1_000_000)], DEST, 10, LTC)
    assert find_secret(init.tx.raw, c) is None  # plain P2WPKH spend


def test_find_secret_refuses_undecodable_and_mweb_transactions() -> None:
    secret, recip_key, _, c = _keys()
    raw = build_redeem_tx(c, c.to_script(), OUTPOINT, 100_000, secret, recip_key, DEST, 10, LTC).raw
    for bad in (raw[:-1], raw + b"\x00", raw[:5] + b"\x08" + raw[6:], b"\x02\x00"):
        with pytest.raises(TxDecodeError):
            find_secret(bad, c)


def test_the_one_decoder_reads_what_python_bitcoinlib_reads() -> None:
    """app/wallet/txparse.py, which the swap now reads every transaction with, against
    python-bitcoinlib's reading of a real redeem (witness) and a real init (outputs)."""
    secret, recip_key, _, c = _keys()
    redeem = build_redeem_tx(c, c.to_script(), OUTPOINT, 100_000, secret, recip_key, DEST, 10, LTC)
    theirs = CTransaction.deserialize(redeem.raw)
    stacks = [[bytes(i) for i in w.scriptWitness.stack] for w in theirs.wit.vtxinwit]
    assert decode_witnesses(redeem.raw) == stacks and secret in stacks[0]
    init = build_init_tx([_coin(10_000_000)], [(c, 1_000_000)], DEST, 10, LTC).tx
    outputs = tuple(
        TxOutput(bytes(o.scriptPubKey), o.nValue) for o in CTransaction.deserialize(init.raw).vout
    )
    assert tx_outputs(init.raw) == outputs and outputs[0].value == 1_000_000
