"""Auditing a counterparty's §9 contract, and finding the secret in a redeem.

The template and the lock times are dexproto/htlc.py (shared with the server). A
counterparty's contract is never interpreted opcode by opcode: it is rebuilt from our
expected parameters and compared byte for byte. No I/O in this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.swap.contract import make_contract, parse_contract
from app.swap.errors import AuditError, AuditField, TxDecodeError
from app.wallet.coins import TxOutput
from app.wallet.txparse import ParsedTx, TxParseError, parse_tx
from dexproto.address import p2wsh_script
from dexproto.crypto import sha256
from dexproto.htlc import SECRET_SIZE, Contract


@dataclass(frozen=True)
class ExpectedContract:
    """What a counterparty's contract must be, from our side of the match."""

    amount: int  # atoms, exact
    secret_hash: bytes
    recipient_pkh: bytes  # our own key hash
    min_lock_time: int  # UNIX seconds


def audit_contract(script: bytes, output: TxOutput, expected: ExpectedContract) -> Contract:
    """Check a counterparty contract and the output said to pay it; AuditError names the field.

    The contract is rebuilt from our expected parameters plus the two fields that are the
    counterparty's to choose (refund key hash, lock time) and compared byte for byte.
    """
    theirs = parse_contract(script)
    if theirs.secret_hash != expected.secret_hash:
        raise AuditError(
            AuditField.SECRET_HASH, expected.secret_hash.hex(), theirs.secret_hash.hex()
        )
    if theirs.recipient_pkh != expected.recipient_pkh:
        raise AuditError(
            AuditField.RECIPIENT, expected.recipient_pkh.hex(), theirs.recipient_pkh.hex()
        )
    if theirs.lock_time < expected.min_lock_time:
        raise AuditError(
            AuditField.LOCK_TIME, f">= {expected.min_lock_time}", str(theirs.lock_time)
        )
    rebuilt = make_contract(
        expected.secret_hash, expected.recipient_pkh, theirs.refund_pkh, theirs.lock_time
    ).to_script()
    if rebuilt != script:
        raise AuditError(AuditField.SCRIPT, rebuilt.hex(), script.hex())
    if output.script != p2wsh_script(rebuilt):
        raise AuditError(AuditField.P2WSH, p2wsh_script(rebuilt).hex(), output.script.hex())
    if output.value != expected.amount:
        raise AuditError(AuditField.AMOUNT, str(expected.amount), str(output.value))
    return theirs


def audit_contract_tx(
    script: bytes, outputs: Sequence[TxOutput], vout: int | None, expected: ExpectedContract
) -> Contract:
    """audit_contract on output `vout` of a transaction (or the first paying the contract)."""
    if vout is None:
        target = p2wsh_script(script)
        vout = next((i for i, o in enumerate(outputs) if o.script == target), None)
        if vout is None:
            raise AuditError(AuditField.OUTPUT, "an output paying the contract", "none")
    if not 0 <= vout < len(outputs):
        raise AuditError(AuditField.OUTPUT, f"output {vout}", f"{len(outputs)} outputs")
    return audit_contract(script, outputs[vout], expected)


# -- learning the secret ---------------------------------------------------------------------
def extract_redeem_secret(witness_stack: Sequence[bytes], secret_hash: bytes) -> bytes | None:
    """The 32-byte preimage of `secret_hash` in a witness stack, else None (e.g. a refund).

    Any item will do: a preimage authenticates itself, so no position needs trusting.
    """
    for item in witness_stack:
        if len(item) == SECRET_SIZE and sha256(item) == secret_hash:
            return bytes(item)
    return None


def read_tx(raw: bytes) -> ParsedTx:
    """`raw` read by the one transaction decoder (app/wallet/txparse.py: legacy and plain
    segwit only, so a Litecoin MWEB transaction is refused), its error in the swap's tree."""
    try:
        return parse_tx(raw)
    except TxParseError as exc:
        raise TxDecodeError("The transaction could not be read.", str(exc)) from exc


def decode_witnesses(raw_tx: bytes) -> list[list[bytes]]:
    """The witness stack of each input of a serialized transaction (empty for legacy)."""
    return [list(stack) for stack in read_tx(raw_tx).witnesses]


def find_secret(tx: bytes | Sequence[Sequence[bytes]], contract: Contract) -> bytes | None:
    """The swap secret revealed by a transaction spending `contract`, or None.

    `tx` is input witness stacks as the node decoded them (`SpendInfo.witness`: what the
    swap transitions give, so any serialization the node accepts, MWEB included, is read),
    or a raw transaction, decoded here (plain segwit only). Only inputs whose witness script
    is this contract count; None also for a refund.
    """
    stacks = decode_witnesses(tx) if isinstance(tx, bytes) else tx
    script = contract.to_script()
    for stack in stacks:
        if stack and bytes(stack[-1]) == script:
            secret = extract_redeem_secret(stack[:-1], contract.secret_hash)
            if secret is not None:
                return secret
    return None
