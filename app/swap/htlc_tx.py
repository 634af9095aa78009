"""Transactions around a §9 contract: init (fund), redeem, refund. No I/O.

Fees are `fee_rate` atoms per vbyte times a worst-case size estimate (73-byte signatures),
so the real fee rate is never below the one asked for. Every builder refuses to create an
output the node would reject as dust; `check_spendable` asks the same question before any
coin is locked for a swap.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from bitcoin.core import CMutableTransaction

from app.swap.errors import ContractError, FundingError, RefusedError, SpendError
from app.wallet.coins import Outpoint, SignedTx, TxOutput
from app.wallet.signing import (
    MAX_SIG_LEN,
    P2WPKH_WITNESS_SIZE,
    SEQUENCE_RBF,
    KeyedUtxo,
    estimate_vsize,
    finalize,
    sign_p2wpkh_tx,
    unsigned_tx,
)
from dexproto.address import p2wpkh_script
from dexproto.assets import AssetParams
from dexproto.crypto import ecdsa_sign_digest, hash160, pubkey_from_secret, sha256, sha256d
from dexproto.htlc import MAX_CONTRACT_SIZE, Contract

# A refund must not be final, or nLockTime (and so CLTV) is ignored; below 0xFFFFFFFE it also
# signals BIP125, so a re-signed refund at a higher fee may replace a stuck presigned one.
SEQUENCE_LOCKTIME = SEQUENCE_RBF
REDEEM_BRANCH = b"\x01"  # OP_IF takes the redeem branch
REFUND_BRANCH = b""  # empty = false: the CLTV branch

_PUBKEY_ITEM = 1 + 33
_SIG_ITEM = 1 + MAX_SIG_LEN
# Stand-in for "some P2WPKH address of ours" when sizing before the address is known.
_P2WPKH_PLACEHOLDER = p2wpkh_script(bytes(20))


def redeem_witness_size(contract_len: int) -> int:
    # item count, sig, pubkey, secret, branch selector, witness script
    return 1 + _SIG_ITEM + _PUBKEY_ITEM + (1 + 32) + (1 + 1) + (1 + contract_len)


def refund_witness_size(contract_len: int) -> int:
    return 1 + _SIG_ITEM + _PUBKEY_ITEM + 1 + (1 + contract_len)


def redeem_vsize(contract_len: int, dest_script: bytes) -> int:
    return estimate_vsize([redeem_witness_size(contract_len)], [dest_script])


def refund_vsize(contract_len: int, dest_script: bytes) -> int:
    return estimate_vsize([refund_witness_size(contract_len)], [dest_script])


def init_vsize(inputs: int, contracts: int, change_script: bytes | None) -> int:
    scripts = [b"\x00\x20" + bytes(32)] * contracts + ([change_script] if change_script else [])
    return estimate_vsize([P2WPKH_WITNESS_SIZE] * inputs, scripts)


def _dust_limit(script: bytes, asset: AssetParams) -> int:
    return asset.dust_limit(8 + 1 + len(script))  # value, length byte, script


def _check_fee_rate(fee_rate: int) -> None:
    if isinstance(fee_rate, bool) or not isinstance(fee_rate, int) or fee_rate < 0:
        raise ValueError(f"fee rate must be a non-negative integer, got {fee_rate!r}")


def check_spendable(value: int, fee_rate: int, asset: AssetParams) -> int:
    """Raise RefusedError unless a contract of `value` can be redeemed AND refunded at
    `fee_rate` to a P2WPKH address without dust; returns the smaller spend's output value.

    Sized for the longest contract (5-byte lock time), so it holds for any lock time.
    """
    _check_fee_rate(fee_rate)
    if value < asset.p2wsh_dust:
        raise RefusedError("swap contract", value, asset.p2wsh_dust, asset.ticker)
    limit = _dust_limit(_P2WPKH_PLACEHOLDER, asset)
    worst = value
    for what, vsize in (
        ("redeem transaction", redeem_vsize(MAX_CONTRACT_SIZE, _P2WPKH_PLACEHOLDER)),
        ("refund transaction", refund_vsize(MAX_CONTRACT_SIZE, _P2WPKH_PLACEHOLDER)),
    ):
        left = value - fee_rate * vsize
        if left < limit:
            raise RefusedError(what, left, limit, asset.ticker)
        worst = min(worst, left)
    return worst


@dataclass(frozen=True)
class InitTx:
    """A signed transaction funding one or more contracts (protocol case B)."""

    tx: SignedTx
    contract_vouts: tuple[int, ...]  # same order as the contracts passed in
    change_vout: int | None  # None when the change would have been dust
    change_value: int

    def outpoint(self, index: int) -> Outpoint:
        return Outpoint(self.tx.txid, self.contract_vouts[index])


def build_init_tx(
    coins: Sequence[KeyedUtxo],
    contracts: Sequence[tuple[Contract, int]],
    change_script: bytes,
    fee_rate: int,
    asset: AssetParams,
) -> InitTx:
    """Fund each (contract, value) with one P2WSH output; change last, or to the fee if dust.

    Sequences are final: the refund tx is signed before broadcast against this very txid, so
    the init tx must not be replaceable (fee bumps go through CPFP on the change).
    """
    _check_fee_rate(fee_rate)
    if not contracts:
        raise ValueError("no contracts to fund")
    for coin in coins:
        if coin.utxo.script != p2wpkh_script(hash160(pubkey_from_secret(coin.secret))):
            raise SpendError(
                "A funding coin does not belong to the key given for it.", str(coin.utxo.outpoint)
            )
    outputs = []
    for contract, value in contracts:
        if value < asset.p2wsh_dust:
            raise RefusedError("swap contract", value, asset.p2wsh_dust, asset.ticker)
        outputs.append(TxOutput(contract.p2wsh_script(), value))
    available = sum(c.utxo.value for c in coins)
    funded = sum(o.value for o in outputs)
    fee = fee_rate * init_vsize(len(coins), len(outputs), change_script)
    change = available - funded - fee
    change_vout: int | None = None
    if change >= _dust_limit(change_script, asset):
        change_vout = len(outputs)
        outputs.append(TxOutput(change_script, change))
    else:
        need = funded + fee_rate * init_vsize(len(coins), len(outputs), None)
        if available < need:
            raise FundingError(need, available, asset.ticker)
        change = 0  # too small to be worth an output: the miner gets it
    signed = sign_p2wpkh_tx(coins, outputs, rbf=False)
    return InitTx(signed, tuple(range(len(contracts))), change_vout, change)


def bip143_sighash_all(
    tx: CMutableTransaction, index: int, script_code: bytes, amount: int
) -> bytes:
    """BIP143 SIGHASH_ALL digest. Our own because python-bitcoinlib 0.12 packs nLockTime as a
    signed int32 there, which fails for refunds locked at or after 2**31 (year 2038)."""
    prevouts = b"".join(txin.prevout.serialize() for txin in tx.vin)
    sequences = b"".join(struct.pack("<I", txin.nSequence) for txin in tx.vin)
    outputs = b"".join(txout.serialize() for txout in tx.vout)
    if len(script_code) >= 0xFD:  # contracts are < 100 bytes: a one-byte length prefix
        raise ValueError("script code too long")
    preimage = b"".join(
        (
            struct.pack("<i", tx.nVersion),
            sha256d(prevouts),
            sha256d(sequences),
            tx.vin[index].prevout.serialize(),
            bytes([len(script_code)]),
            script_code,
            struct.pack("<q", amount),
            struct.pack("<I", tx.vin[index].nSequence),
            sha256d(outputs),
            struct.pack("<I", tx.nLockTime),
            struct.pack("<I", 1),  # SIGHASH_ALL
        )
    )
    return sha256d(preimage)


def _spend(
    contract: Contract,
    contract_script: bytes,
    outpoint: Outpoint,
    value: int,
    key: bytes,
    dest_script: bytes,
    fee_rate: int,
    asset: AssetParams,
    redeem: bytes | None,
) -> SignedTx:
    """Common body of redeem (`redeem` = the secret) and refund (`redeem` None)."""
    _check_fee_rate(fee_rate)
    if contract_script != contract.to_script():
        raise ContractError("The stored contract script does not match its parameters.")
    pubkey = pubkey_from_secret(key)
    want_pkh = contract.recipient_pkh if redeem is not None else contract.refund_pkh
    if hash160(pubkey) != want_pkh:
        raise SpendError("This key cannot spend the contract.")
    if redeem is None:
        what, vsize = "refund transaction", refund_vsize(len(contract_script), dest_script)
        sequence, locktime = SEQUENCE_LOCKTIME, contract.lock_time
    else:
        what, vsize = "redeem transaction", redeem_vsize(len(contract_script), dest_script)
        sequence, locktime = SEQUENCE_RBF, 0
    fee = fee_rate * vsize
    out_value = value - fee
    limit = _dust_limit(dest_script, asset)
    if out_value < limit:
        raise RefusedError(what, out_value, limit, asset.ticker)
    tx = unsigned_tx([outpoint], [sequence], [TxOutput(dest_script, out_value)], locktime)
    # BIP143 scriptCode of a P2WSH input is the witness script itself.
    sig = ecdsa_sign_digest(key, bip143_sighash_all(tx, 0, contract_script, value)) + b"\x01"
    if redeem is None:
        witness = [sig, pubkey, REFUND_BRANCH, contract_script]
    else:
        witness = [sig, pubkey, redeem, REDEEM_BRANCH, contract_script]
    return finalize(tx, [witness], fee)


def build_redeem_tx(
    contract: Contract,
    contract_script: bytes,
    outpoint: Outpoint,
    value: int,
    secret: bytes,
    recipient_secret_key: bytes,
    dest_script: bytes,
    fee_rate: int,
    asset: AssetParams,
) -> SignedTx:
    """Spend the contract's redeem branch, revealing `secret`; witness
    [sig, pubkey, secret, 0x01, contract]."""
    if len(secret) != 32 or sha256(secret) != contract.secret_hash:
        raise SpendError("The secret does not match the contract's secret hash.")
    return _spend(
        contract,
        contract_script,
        outpoint,
        value,
        recipient_secret_key,
        dest_script,
        fee_rate,
        asset,
        redeem=secret,
    )


def build_refund_tx(
    contract: Contract,
    contract_script: bytes,
    outpoint: Outpoint,
    value: int,
    refund_secret_key: bytes,
    dest_script: bytes,
    fee_rate: int,
    asset: AssetParams,
) -> SignedTx:
    """Spend the CLTV branch: nLockTime = lock time, non-final sequence, witness
    [sig, pubkey, "", contract]. Valid once the chain's median-time-past passes the lock time."""
    return _spend(
        contract,
        contract_script,
        outpoint,
        value,
        refund_secret_key,
        dest_script,
        fee_rate,
        asset,
        redeem=None,
    )
