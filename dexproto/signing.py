"""Signing and checking protocol serializations (spec §3): BIP-340 over SHA-256(bytes).

Accepts either raw bytes or an dexproto.codec payload. A failed check raises SignatureError
(code 1) naming what was being checked, so logs and the UI can say which message was bad.
"""

from __future__ import annotations

from dexproto.codec import CoinProofPayload, Payload
from dexproto.crypto import schnorr_sign, schnorr_verify
from dexproto.errors import SignatureError


def _bytes(serialization: bytes | Payload) -> bytes:
    return serialization if isinstance(serialization, bytes) else serialization.encode()


def sign(secret: bytes, serialization: bytes | Payload) -> bytes:
    """64-byte BIP-340 signature by the 32-byte `secret` over SHA-256(serialization)."""
    if len(secret) != 32:
        raise ValueError("a signing secret is 32 bytes")
    return schnorr_sign(secret, _bytes(serialization))


def verify(pubkey: bytes, sig: bytes, serialization: bytes | Payload, *, what: str) -> None:
    """Check a signature by the x-only `pubkey`; raise SignatureError if it does not hold."""
    if not schnorr_verify(pubkey, sig, _bytes(serialization)):
        raise SignatureError(f"bad signature on {what}")


def verify_server(
    server_pubkey: bytes, sig: bytes, serialization: bytes | Payload, *, what: str
) -> None:
    """A server signature that fails is a protocol violation (§3): reject the message."""
    verify(server_pubkey, sig, serialization, what=f"server {what}")


def xonly(pubkey: bytes) -> bytes:
    """x-only form of a 33-byte compressed key (drop the parity byte), 32-byte keys as is."""
    if len(pubkey) == 33 and pubkey[0] in (2, 3):
        return pubkey[1:]
    if len(pubkey) == 32:
        return pubkey
    raise ValueError("expected a 32-byte x-only or 33-byte compressed public key")


def sign_coin(coin_secret: bytes, account_id: bytes, txid: bytes, vout: int) -> bytes:
    """Funding proof (§7): the coin key signs account ID ‖ txid ‖ vout."""
    return sign(coin_secret, CoinProofPayload(account_id, txid, vout))


def verify_coin(pubkey: bytes, sig: bytes, account_id: bytes, txid: bytes, vout: int) -> None:
    """Check a funding proof against the coin's 33-byte compressed key (its x-only form)."""
    payload = CoinProofPayload(account_id, txid, vout)
    verify(xonly(pubkey), sig, payload, what=f"funding coin {txid.hex()}:{vout}")
