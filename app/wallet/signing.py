"""Segwit v0 transaction assembly, size estimation and signing.

python-bitcoinlib serializes and computes BIP143 sighashes; coincurve signs (low-S DER).
No network access and no key storage here: callers pass the secrets they hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bitcoin.core import (
    CMutableTransaction,
    CMutableTxIn,
    CMutableTxOut,
    COutPoint,
    CScript,
    CScriptWitness,
    CTxInWitness,
    CTxWitness,
    b2lx,
    lx,
)
from bitcoin.core.script import SIGHASH_ALL, SIGVERSION_WITNESS_V0, SignatureHash

from app.wallet.coins import Outpoint, SignedTx, TxOutput, Utxo
from dexproto.crypto import ecdsa_sign_digest, hash160, pubkey_from_secret

# Sequence numbers: RBF-signalling (BIP125) and the one a CLTV refund needs (non-final).
SEQUENCE_RBF = 0xFFFFFFFD
SEQUENCE_FINAL = 0xFFFFFFFF

# Worst-case sizes: DER signature up to 72 bytes plus the sighash byte.
MAX_SIG_LEN = 73
P2WPKH_WITNESS_SIZE = 1 + (1 + MAX_SIG_LEN) + (1 + 33)
TX_OVERHEAD_WEIGHT = (4 + 4 + 1 + 1) * 4 + 2  # version, locktime, counts; segwit marker+flag
INPUT_BASE_WEIGHT = (32 + 4 + 1 + 4) * 4  # outpoint, empty scriptSig, sequence


@dataclass(frozen=True)
class KeyedUtxo:
    """A P2WPKH coin together with the secret that spends it."""

    utxo: Utxo
    secret: bytes = field(repr=False)  # a private key: never in a log line


def output_weight(script: bytes) -> int:
    return (8 + _varint_len(len(script)) + len(script)) * 4


def _varint_len(n: int) -> int:
    return 1 if n < 0xFD else 3 if n <= 0xFFFF else 5


def estimate_vsize(witness_sizes: Sequence[int], output_scripts: Sequence[bytes]) -> int:
    """Virtual size of a segwit tx with the given input witness sizes and outputs (rounded up)."""
    weight = TX_OVERHEAD_WEIGHT
    weight += sum(INPUT_BASE_WEIGHT + w for w in witness_sizes)
    weight += sum(output_weight(s) for s in output_scripts)
    return (weight + 3) // 4


def p2wpkh_script_code(pubkey: bytes) -> bytes:
    """BIP143 scriptCode of a P2WPKH input: the P2PKH script of the key hash."""
    return b"\x76\xa9\x14" + hash160(pubkey) + b"\x88\xac"


def witness_sighash(tx: CMutableTransaction, index: int, script_code: bytes, amount: int) -> bytes:
    return bytes(
        SignatureHash(
            CScript(script_code),
            tx,
            index,
            SIGHASH_ALL,
            amount=amount,
            sigversion=SIGVERSION_WITNESS_V0,
        )
    )


def sign_witness_input(
    tx: CMutableTransaction, index: int, script_code: bytes, amount: int, secret: bytes
) -> bytes:
    """DER signature plus SIGHASH_ALL for input `index` of a segwit v0 tx."""
    digest = witness_sighash(tx, index, script_code, amount)
    return ecdsa_sign_digest(secret, digest) + bytes([SIGHASH_ALL])


def unsigned_tx(
    outpoints: Sequence[Outpoint],
    sequences: Sequence[int],
    outputs: Sequence[TxOutput],
    locktime: int = 0,
) -> CMutableTransaction:
    vin = [
        CMutableTxIn(COutPoint(lx(o.txid), o.vout), nSequence=seq)
        for o, seq in zip(outpoints, sequences, strict=True)
    ]
    vout = [CMutableTxOut(o.value, CScript(o.script)) for o in outputs]
    return CMutableTransaction(vin, vout, nLockTime=locktime, nVersion=2)


def finalize(tx: CMutableTransaction, witnesses: Sequence[Sequence[bytes]], fee: int) -> SignedTx:
    """Attach witness stacks and produce the serialized, identified transaction."""
    tx.wit = CTxWitness([CTxInWitness(CScriptWitness(list(w))) for w in witnesses])
    raw = tx.serialize()
    weight = len(tx.serialize(params={"include_witness": False})) * 3 + len(raw)
    return SignedTx(raw=raw, txid=b2lx(tx.GetTxid()), vsize=(weight + 3) // 4, fee=fee)


def sign_p2wpkh_tx(
    coins: Sequence[KeyedUtxo], outputs: Sequence[TxOutput], locktime: int = 0, rbf: bool = True
) -> SignedTx:
    """Spend P2WPKH coins to `outputs`; the fee is whatever the inputs leave over."""
    fee = sum(c.utxo.value for c in coins) - sum(o.value for o in outputs)
    if fee < 0:
        raise ValueError("outputs exceed inputs")
    seq = SEQUENCE_RBF if rbf else SEQUENCE_FINAL
    tx = unsigned_tx([c.utxo.outpoint for c in coins], [seq] * len(coins), outputs, locktime)
    witnesses = []
    for index, coin in enumerate(coins):
        pubkey = pubkey_from_secret(coin.secret)
        sig = sign_witness_input(
            tx, index, p2wpkh_script_code(pubkey), coin.utxo.value, coin.secret
        )
        witnesses.append([sig, pubkey])
    return finalize(tx, witnesses, fee)
