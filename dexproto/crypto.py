"""Hashes and secp256k1 signatures (coincurve). Pure functions, no I/O, no key storage."""

from __future__ import annotations

import hashlib

from coincurve import PrivateKey, PublicKey, PublicKeyXOnly


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def hash160(data: bytes) -> bytes:
    """RIPEMD160(SHA256(data)); pycryptodome covers OpenSSL builds without RIPEMD160."""
    inner = hashlib.sha256(data).digest()
    try:
        return hashlib.new("ripemd160", inner).digest()
    except ValueError:
        from Crypto.Hash import RIPEMD160  # via bip-utils

        return bytes(RIPEMD160.new(inner).digest())


def pubkey_from_secret(secret: bytes) -> bytes:
    """33-byte compressed public key of a 32-byte secret."""
    return PrivateKey(secret).public_key.format(compressed=True)


def xonly_from_secret(secret: bytes) -> bytes:
    """32-byte x-only (BIP-340) public key of a 32-byte secret."""
    return PrivateKey(secret).public_key_xonly.format()


def ecdsa_sign_digest(secret: bytes, digest: bytes) -> bytes:
    """DER ECDSA signature of a 32-byte digest; libsecp256k1 always produces low-S."""
    if len(digest) != 32:
        raise ValueError("digest must be 32 bytes")
    return PrivateKey(secret).sign(digest, hasher=None)


def ecdsa_verify_digest(pubkey: bytes, signature_der: bytes, digest: bytes) -> bool:
    try:
        return PublicKey(pubkey).verify(signature_der, digest, hasher=None)
    except ValueError:
        return False


def schnorr_sign(secret: bytes, message: bytes) -> bytes:
    """BIP-340 signature over SHA-256(message), the protocol's signing rule (§3)."""
    return PrivateKey(secret).sign_schnorr(sha256(message))


def schnorr_verify(xonly_pubkey: bytes, signature: bytes, message: bytes) -> bool:
    """True when `signature` is a valid BIP-340 signature by the key over SHA-256(message)."""
    if len(xonly_pubkey) != 32 or len(signature) != 64:
        return False
    try:
        return PublicKeyXOnly(xonly_pubkey).verify(signature, sha256(message))
    except ValueError:
        return False
