"""Swap keys from the unlocked wallet: the per-swap private key and the maker's sealed secret.

Swap records hold no private key (states.py): a match names the HD path of its key, and the
engine asks a `KeyRing` for the key only when it signs (the refund before our init, a redeem).
The maker's secret is sealed with ChaCha20-Poly1305 under a key of the wallet (SEAL_PATH), the
match id as associated data; the secret hash in the record tells a wrong wallet apart.
Presigned refunds need neither, so they work with the wallet locked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from app.swap.errors import SwapKeyError
from app.swap.states import (
    ClearSecret,
    KeyPath,
    Match,
    SealedSecret,
    SwapState,
    WithSealedSecret,
)
from app.wallet.hd import HDWallet
from dexproto.assets import get_asset
from dexproto.crypto import hash160, pubkey_from_secret, sha256

# The DEX purpose (protocol §3 puts account keys under m/1017'/0'); branch 1' seals secrets.
SEAL_PATH = "m/1017'/1'/0'"
_NONCE_BYTES = 12


class KeyRing(Protocol):
    """What the engine needs from the unlocked wallet."""

    def our_key(self, match: Match) -> bytes: ...

    def seal(self, match_id: str, secret: bytes) -> SealedSecret: ...

    def unseal(self, match_id: str, sealed: SealedSecret) -> bytes: ...


@dataclass(frozen=True)
class MatchKeys:
    """One match's key (and the maker's secret, opened) for one transition; never stored."""

    our_key: bytes = field(repr=False)
    secret: bytes | None = field(default=None, repr=False)


def _aad(match_id: str) -> bytes:
    return b"cambio swap secret " + match_id.encode()


class WalletKeys:
    """The KeyRing of an HD wallet held in memory (the unlocked wallet)."""

    def __init__(self, hd: HDWallet) -> None:
        self._hd = hd
        self._aead = ChaCha20Poly1305(hd.derive(SEAL_PATH).key)

    def key_at(self, path: KeyPath, network: str) -> bytes:
        return self._hd.account(get_asset(path.asset, network)).secret(path.change, path.index)

    def our_key(self, match: Match) -> bytes:
        if match.clear_key is not None:
            return match.clear_key
        if match.our_key_path is None:  # Match refuses this; keeps mypy honest
            raise SwapKeyError("This swap has no key.", match.match_id[:16])
        key = self.key_at(match.our_key_path, match.network)
        if hash160(pubkey_from_secret(key)) != match.our_pkh:
            raise SwapKeyError("This swap was made by another wallet.", match.match_id[:16])
        return key

    def seal(self, match_id: str, secret: bytes) -> SealedSecret:
        nonce = os.urandom(_NONCE_BYTES)  # random per seal: a nonce is never reused
        return SealedSecret(nonce, self._aead.encrypt(nonce, secret, _aad(match_id)))

    def unseal(self, match_id: str, sealed: SealedSecret) -> bytes:
        try:
            return self._aead.decrypt(sealed.nonce, sealed.box, _aad(match_id))
        except (InvalidTag, ValueError):
            raise SwapKeyError(
                "This swap's secret was sealed by another wallet.", match_id[:16]
            ) from None


def unlock(state: SwapState, ring: KeyRing | None) -> MatchKeys:
    """The key (and maker secret) of `state`'s match; SwapKeyError when the wallet is locked
    (`ring` None) or is not the one that made the swap."""
    m = state.match
    if ring is not None:
        key = ring.our_key(m)
    elif m.clear_key is not None:
        key = m.clear_key
    else:
        raise SwapKeyError("The wallet is locked.", m.match_id[:16])
    secret = None
    if isinstance(state, WithSealedSecret):
        held = state.sealed_secret
        if isinstance(held, ClearSecret):
            secret = held.value
        elif held is not None:
            if ring is None:
                raise SwapKeyError("The wallet is locked.", m.match_id[:16])
            secret = ring.unseal(m.match_id, held)
        if secret is not None and sha256(secret) != state.secret_hash:
            raise SwapKeyError("This swap's secret does not fit its contract.", m.match_id[:16])
    return MatchKeys(key, secret)
