"""Our BTC-side transactions through Bitcoin Core's own script interpreter (libbitcoinkernel):
built by the project's code (wallet, swap transitions, batch, bumps), verified with Bitcoin's
consensus flags; and the spends it must refuse, each with the kind of its refusal."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TypedDict

import pytest
from bitcoin.core import (
    CMutableTransaction,
    CScriptWitness,
    CTransaction,
    CTxInWitness,
    CTxWitness,
    b2lx,
)
from pbk import ScriptPubkey, ScriptVerifyException, ScriptVerifyStatus, Transaction
from pbk import ScriptVerificationFlags as Flags

from app.store.db import Store
from app.swap.batch import prepare_batch
from app.swap.htlc_tx import (
    REDEEM_BRANCH,
    REFUND_BRANCH,
    SEQUENCE_LOCKTIME,
    bip143_sighash_all,
    build_redeem_tx,
)
from app.swap.states import (
    InitBroadcast,
    KeyPath,
    Match,
    Matched,
    Redeeming,
    Refunding,
    Role,
)
from app.swap.transitions import ChainTx, Funded, transition
from app.wallet.backends.base import SpendInfo
from app.wallet.coins import Outpoint, TxOutput, Utxo
from app.wallet.hd import HDWallet
from app.wallet.mnemonic import generate_mnemonic
from app.wallet.service import AssetWallet
from app.wallet.signing import (
    SEQUENCE_FINAL,
    SEQUENCE_RBF,
    KeyedUtxo,
    finalize,
    unsigned_tx,
)
from dexproto.address import address_from_script, p2wpkh_script
from dexproto.assets import get_asset
from dexproto.crypto import ecdsa_sign_digest, pubkey_from_secret, sha256
from dexproto.htlc import Contract
from tests.btc_kernel import CONSENSUS, KernelRefused, Refusal, verdicts, verify_btc_tx
from tests.fakes.chain_backends import CoinsBackend
from tests.fakes.matches import pkh
from tests.fakes.swaps import (
    MAKER_KEY,
    RING,
    SECRET,
    T0,
    TAKER_KEY,
    at_init,
    audit_obs,
    match,
    obs,
    signed,
    taker_audit_obs,
    taker_contract,
)

BTC = get_asset("btc", "mainnet")
DEST = p2wpkh_script(bytes(range(20)))
NO_CLTV = Flags(CONSENSUS & ~int(Flags.CHECKLOCKTIMEVERIFY))


def keyed_coin(value: int, outpoint: Outpoint) -> KeyedUtxo:
    key = os.urandom(32)
    return KeyedUtxo(Utxo(outpoint, value, p2wpkh_script(pkh(key)), 1, 1), key)


def out(coin: KeyedUtxo) -> TxOutput:
    return TxOutput(coin.utxo.script, coin.utxo.value)


def refused(raw: bytes, spent: list[TxOutput]) -> Refusal:
    with pytest.raises(KernelRefused) as info:
        verify_btc_tx(raw, spent)
    assert info.value.index == 0
    return info.value.kind


# -- the BTC side of a swap, built by the transitions ----------------------------------------
def taker_init(coin: KeyedUtxo) -> InitBroadcast:
    """The taker (paying BTC) audits the maker's contract, funds its own from `coin`."""
    m = match(Role.TAKER)
    assert m.our_asset == "btc"
    audited = transition(Matched(m), taker_audit_obs()).state
    change = p2wpkh_script(bytes([9]) * 20)
    prepared = transition(
        audited,
        signed(Role.TAKER, their_init=ChainTx("cc" * 32, (), 2), funded=Funded((coin,), change)),
    ).state
    step = transition(prepared, obs(our_init_confs=0))
    assert isinstance(step.state, InitBroadcast)
    return step.state


def taker_refunding(init: InitBroadcast) -> Refunding:
    lock = init.ours.contract.lock_time
    step = transition(init, signed(Role.TAKER, our_init_confs=9, our_mtp=lock, our_tip=300))
    assert isinstance(step.state, Refunding)
    return step.state


def contract_out(contract: Contract, value: int) -> TxOutput:
    return TxOutput(contract.p2wsh_script(), value)


def maker_redeeming() -> Redeeming:
    """The maker (receiving BTC) redeems the taker's BTC contract ("cc"*32:0, 1_000_000)."""
    m = match(Role.MAKER)
    assert m.their_asset == "btc"
    audited = transition(at_init(Role.MAKER), audit_obs(taker_contract(), 1_000_000)).state
    step = transition(
        audited,
        signed(
            Role.MAKER,
            our_init_confs=3,
            their_tip=100,
            their_init=ChainTx("cc" * 32, (), 2),
            their_mtp=T0 // 1000,
        ),
    )
    assert isinstance(step.state, Redeeming) and step.state.signed_height == 100
    return step.state


def redeem_out(state: Redeeming) -> TxOutput:
    return contract_out(state.theirs.contract, state.theirs.value)


# -- the kernel and its flags -------------------------------------------------------------------
def test_the_flags_are_bitcoins_consensus_set_and_taproot_needs_the_spent_outputs() -> None:
    assert CONSENSUS == Flags.ALL
    state = maker_redeeming()
    tx, spk = Transaction(state.redeem.raw), ScriptPubkey(redeem_out(state).script)
    with pytest.raises(ScriptVerifyException) as info:  # why the helper passes all of them
        spk.verify(state.theirs.value, tx, None, 0, CONSENSUS)
    assert info.value.status is ScriptVerifyStatus.ERROR_SPENT_OUTPUTS_REQUIRED
    (bad,) = verdicts(state.redeem.raw, [redeem_out(state)], Flags.WITNESS)  # no P2SH
    assert bad.refusal is Refusal.INVALID_FLAGS
    with pytest.raises(ValueError):
        verdicts(state.redeem.raw, [])
    with pytest.raises(ValueError):  # policy flags are not in the kernel: refused, no abort
        verdicts(state.redeem.raw, [redeem_out(state)], Flags(CONSENSUS | 2))


# -- what we build, accepted ----------------------------------------------------------------------
async def test_wallet_send_with_two_inputs_and_change(tmp_path: Path) -> None:
    keys = HDWallet.from_mnemonic(generate_mnemonic()).account(BTC)
    coins = [
        Utxo(Outpoint("11" * 32, 0), 60_000, keys.script(False, 0), 100, 5),
        Utxo(Outpoint("22" * 32, 3), 70_000, keys.script(True, 0), 101, 4),
    ]
    wallet = AssetWallet(BTC, keys, Store(tmp_path / "w.db"), CoinsBackend(coins))
    signed_tx = await wallet.create_payment(address_from_script(DEST, BTC), 100_000, 10)
    tx = CTransaction.deserialize(signed_tx.raw)
    by_outpoint = {(c.outpoint.txid, c.outpoint.vout): c for c in coins}
    spent = [by_outpoint[(b2lx(i.prevout.hash), i.prevout.n)] for i in tx.vin]
    assert len(spent) == 2 and len(tx.vout) == 2  # both coins, payment and change
    verify_btc_tx(signed_tx.raw, [TxOutput(c.script, c.value) for c in spent])


def test_init_with_one_contract_its_refund_and_the_bumped_refunds() -> None:
    coin = keyed_coin(1_100_000, Outpoint("11" * 32, 0))
    init = taker_init(coin)
    verify_btc_tx(init.ours.init.raw, [out(coin)])
    assert len(CTransaction.deserialize(init.ours.init.raw).vout) == 2  # contract, change
    state = taker_refunding(init)
    spent = [contract_out(init.ours.contract, init.ours.value)]
    verify_btc_tx(state.refund.raw, spent)  # the presigned refund
    for tip in (302, 304):  # miners pass it over: re-signed higher each time
        mempool = SpendInfo(state.refund.txid, 0, state.refund.raw, None)
        step = transition(state, signed(Role.TAKER, our_tip=tip, our_spend=mempool))
        assert isinstance(step.state, Refunding) and len(step.state.bumps) == len(state.bumps) + 1
        state = step.state
    fees = [v.fee for v in state.versions]
    assert len(fees) == 3 and fees == sorted(set(fees))
    for version in state.versions:
        verify_btc_tx(version.raw, spent)


def test_redeem_and_the_bumped_redeems() -> None:
    state = maker_redeeming()
    mtp = state.first_mtp or 0
    for tip in (102, 104):
        step = transition(state, signed(Role.MAKER, their_tip=tip, their_mtp=mtp, redeem_confs=0))
        assert isinstance(step.state, Redeeming) and len(step.state.replaced) > len(state.replaced)
        state = step.state
    fees = [v.fee for v in state.versions]
    assert len(fees) == 3 and fees == sorted(set(fees))
    for version in state.versions:
        verify_btc_tx(version.raw, [redeem_out(state)])


def btc_maker(index: int, amount: int) -> Match:
    path = KeyPath("btc", False, index)
    return replace(
        match(Role.MAKER),
        match_id=f"{index:02x}" * 32,
        our_asset="btc",
        their_asset="ltc",
        our_amount=amount,
        our_key_path=path,
        our_pkh=pkh(RING.key_at(path, "regtest")),
    )


def test_batch_init_with_three_contracts_each_refund_and_each_redeem() -> None:
    matches = [btc_maker(i, amount) for i, amount in enumerate((400_000, 700_000, 1_000_000))]
    secrets = [os.urandom(32) for _ in matches]
    coins = [
        keyed_coin(1_500_000, Outpoint("33" * 32, 1)),
        keyed_coin(900_000, Outpoint("44" * 32, 0)),
    ]
    states = prepare_batch(matches, secrets, coins, p2wpkh_script(bytes([8]) * 20), 100, RING)
    init = states[0].ours.init
    assert {s.ours.init.txid for s in states} == {init.txid}
    assert len(CTransaction.deserialize(init.raw).vout) == 4  # three contracts and change
    verify_btc_tx(init.raw, [out(c) for c in coins])
    asset = get_asset("btc", "regtest")
    for s, secret in zip(states, secrets, strict=True):
        spent = [contract_out(s.ours.contract, s.ours.value)]
        verify_btc_tx(s.ours.refund.raw, spent)
        redeem = build_redeem_tx(
            s.ours.contract,
            s.ours.script,
            s.ours.outpoint,
            s.ours.value,
            secret,
            TAKER_KEY,
            DEST,
            20,
            asset,
        )
        verify_btc_tx(redeem.raw, spent)


# -- what Bitcoin must refuse ---------------------------------------------------------------------
def spend(
    script: bytes,
    outpoint: Outpoint,
    value: int,
    key: bytes,
    items: list[bytes],
    pubkey: bytes | None = None,
    *,
    locktime: int,
    sequence: int,
) -> bytes:
    """A contract spend signed like htlc_tx._spend, with every field ours to choose:
    witness [sig(key), pubkey, *items, script]."""
    fee = 3_000
    tx = unsigned_tx([outpoint], [sequence], [TxOutput(DEST, value - fee)], locktime)
    sig = ecdsa_sign_digest(key, bip143_sighash_all(tx, 0, script, value)) + b"\x01"
    witness = [sig, pubkey or pubkey_from_secret(key), *items, script]
    return finalize(tx, [witness], fee).raw


def with_witness_item(raw: bytes, position: int, item: bytes) -> bytes:
    """The same signed transaction with one witness item replaced (signatures do not cover
    the witness, so they stay valid)."""
    tx = CMutableTransaction.from_tx(CTransaction.deserialize(raw))
    stack = list(tx.wit.vtxinwit[0].scriptWitness.stack)
    stack[position] = item
    tx.wit = CTxWitness([CTxInWitness(CScriptWitness(stack))])
    return bytes(tx.serialize())


def _refund_case() -> tuple[InitBroadcast, list[TxOutput]]:
    init = taker_init(keyed_coin(1_100_000, Outpoint("11" * 32, 0)))
    return init, [contract_out(init.ours.contract, init.ours.value)]


def test_a_refund_before_its_lock_time_is_refused_by_cltv() -> None:
    init, spent = _refund_case()
    o, lock = init.ours, init.ours.contract.lock_time

    def refund(locktime: int, sequence: int = SEQUENCE_LOCKTIME) -> bytes:
        return spend(
            o.script,
            o.outpoint,
            o.value,
            TAKER_KEY,
            [REFUND_BRANCH],
            locktime=locktime,
            sequence=sequence,
        )

    verify_btc_tx(refund(lock), spent)  # the control: our fields, our signature, accepted
    early = refund(lock - 1)
    assert refused(early, spent) is Refusal.LOCKTIME
    assert verdicts(early, spent, NO_CLTV)[0].ok  # CLTV alone refuses it
    assert refused(refund(700_000), spent) is Refusal.LOCKTIME  # a height, not a time
    assert refused(refund(0), spent) is Refusal.LOCKTIME


def test_a_refund_with_a_final_sequence_is_refused_by_cltv() -> None:
    init, spent = _refund_case()
    o = init.ours
    final = spend(
        o.script,
        o.outpoint,
        o.value,
        TAKER_KEY,
        [REFUND_BRANCH],
        locktime=o.contract.lock_time,
        sequence=SEQUENCE_FINAL,
    )
    assert refused(final, spent) is Refusal.LOCKTIME
    assert verdicts(final, spent, NO_CLTV)[0].ok


def test_a_redeem_with_a_wrong_secret_is_refused() -> None:
    state = maker_redeeming()
    spent = [redeem_out(state)]
    verify_btc_tx(state.redeem.raw, spent)
    stack = list(CTransaction.deserialize(state.redeem.raw).wit.vtxinwit[0].scriptWitness.stack)
    assert stack[2] == SECRET
    for wrong in (os.urandom(32), sha256(SECRET), SECRET[:31]):  # and a 31-byte one (OP_SIZE)
        bad = with_witness_item(state.redeem.raw, 2, wrong)
        assert refused(bad, spent) is Refusal.SCRIPT
        assert not verdicts(bad, spent, NO_CLTV)[0].ok


class RedeemFields(TypedDict):
    locktime: int
    sequence: int


REDEEM_FIELDS = RedeemFields(locktime=0, sequence=SEQUENCE_RBF)  # as build_redeem_tx signs


def test_a_redeem_signed_by_the_wrong_key_is_refused() -> None:
    state = maker_redeeming()
    t, spent = state.theirs, [redeem_out(state)]
    good = spend(t.script, t.outpoint, t.value, MAKER_KEY, [SECRET, REDEEM_BRANCH], **REDEEM_FIELDS)
    verify_btc_tx(good, spent)  # the control
    stranger = os.urandom(32)
    # the recipient's public key with a stranger's signature: OP_CHECKSIG fails
    forged = spend(
        t.script,
        t.outpoint,
        t.value,
        stranger,
        [SECRET, REDEEM_BRANCH],
        pubkey_from_secret(MAKER_KEY),
        **REDEEM_FIELDS,
    )
    assert refused(forged, spent) is Refusal.SCRIPT
    # the stranger's own key: its hash is not the recipient's
    other = spend(t.script, t.outpoint, t.value, stranger, [SECRET, REDEEM_BRANCH], **REDEEM_FIELDS)
    assert refused(other, spent) is Refusal.SCRIPT
    # the refund key on the redeem branch
    refund_key = spend(
        t.script, t.outpoint, t.value, TAKER_KEY, [SECRET, REDEEM_BRANCH], **REDEEM_FIELDS
    )
    assert refused(refund_key, spent) is Refusal.SCRIPT


def test_the_amount_is_in_the_signature() -> None:
    state = maker_redeeming()
    script, value = redeem_out(state).script, state.theirs.value
    verify_btc_tx(state.redeem.raw, [TxOutput(script, value)])
    for other in (value - 1, value + 1, 2 * value):
        assert refused(state.redeem.raw, [TxOutput(script, other)]) is Refusal.SCRIPT
    coin = keyed_coin(1_100_000, Outpoint("11" * 32, 0))
    init = taker_init(coin)  # and a P2WPKH input's amount too
    assert refused(init.ours.init.raw, [TxOutput(coin.utxo.script, 1_100_001)]) is Refusal.SCRIPT
