"""BIP32 key derivation on coincurve, BIP84 accounts (P2WPKH) and the DEX account key.

Addresses come from the account's branch xpubs (one HMAC and one point tweak each) rather
than private derivation from the root, which is much faster; secrets are derived only when
something has to be signed. Nothing here logs or reprs key material.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field

from coincurve import PrivateKey, PublicKey

from app.wallet.errors import KeyDerivationError
from app.wallet.mnemonic import mnemonic_to_seed
from dexproto.address import encode_segwit, p2wpkh_script_for_pubkey
from dexproto.assets import AssetParams
from dexproto.crypto import hash160, sha256d, xonly_from_secret

HARDENED = 0x8000_0000
_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

# Serialization version bytes (private, public): BIP32 mainnet/testnet, SLIP-132 BIP84.
XPRV, XPUB = bytes.fromhex("0488ade4"), bytes.fromhex("0488b21e")
TPRV, TPUB = bytes.fromhex("04358394"), bytes.fromhex("043587cf")
ZPRV, ZPUB = bytes.fromhex("04b2430c"), bytes.fromhex("04b24746")
VPRV, VPUB = bytes.fromhex("045f18bc"), bytes.fromhex("045f1cf6")
_PRIVATE_VERSIONS = {XPRV, TPRV, ZPRV, VPRV}
_PUBLIC_VERSIONS = {XPUB, TPUB, ZPUB, VPUB}

DEX_PURPOSE = 1017  # protocol §3: account key at m/1017'/0'/<server index>'


def b58check_encode(payload: bytes) -> str:
    data = payload + sha256d(payload)[:4]
    value = int.from_bytes(data, "big")
    out = ""
    while value:
        value, rem = divmod(value, 58)
        out = _B58[rem] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58check_decode(text: str) -> bytes:
    value = 0
    for char in text:
        digit = _B58.find(char)
        if digit < 0:
            raise ValueError("invalid base58 character")
        value = value * 58 + digit
    body = value.to_bytes((value.bit_length() + 7) // 8, "big")
    data = b"\0" * (len(text) - len(text.lstrip("1"))) + body
    if len(data) < 4 or sha256d(data[:-4])[:4] != data[-4:]:
        raise ValueError("base58 checksum mismatch")
    return data[:-4]


def parse_path(path: str) -> list[int]:
    """'m/84'/1'/0'/0/5' -> child numbers; accepts ' h or H for hardened."""
    parts = path.strip().split("/")
    if not parts or parts[0] != "m":
        raise ValueError(f"derivation path must start with 'm': {path!r}")
    out: list[int] = []
    for part in parts[1:]:
        hardened = part[-1:] in ("'", "h", "H")
        digits = part[:-1] if hardened else part
        if not digits.isdigit() or int(digits) >= HARDENED:
            raise ValueError(f"bad path component {part!r} in {path!r}")
        out.append(int(digits) + (HARDENED if hardened else 0))
    return out


def format_path(indexes: Sequence[int]) -> str:
    return "/".join(["m"] + [f"{i - HARDENED}'" if i >= HARDENED else str(i) for i in indexes])


@dataclass(frozen=True)
class ExtendedKey:
    """A BIP32 node: a 32-byte secret (private) or 33-byte compressed pubkey (public)."""

    key: bytes = field(repr=False)
    chain_code: bytes = field(repr=False)
    depth: int = 0
    parent_fingerprint: bytes = b"\0\0\0\0"
    child_number: int = 0

    @classmethod
    def from_seed(cls, seed: bytes) -> ExtendedKey:
        if not 16 <= len(seed) <= 64:
            raise ValueError("BIP32 seed must be 16 to 64 bytes")
        digest = hmac.digest(b"Bitcoin seed", seed, "sha512")
        secret = digest[:32]
        if not 0 < int.from_bytes(secret, "big") < _ORDER:
            raise KeyDerivationError("This seed gives an invalid master key.")
        return cls(secret, digest[32:])

    @property
    def is_private(self) -> bool:
        return len(self.key) == 32

    @functools.cached_property
    def pubkey(self) -> bytes:
        """33-byte compressed public key."""
        if self.is_private:
            return PrivateKey(self.key).public_key.format(compressed=True)
        return self.key

    @functools.cached_property
    def fingerprint(self) -> bytes:
        return hash160(self.pubkey)[:4]

    def neuter(self) -> ExtendedKey:
        return ExtendedKey(
            self.pubkey, self.chain_code, self.depth, self.parent_fingerprint, self.child_number
        )

    def child(self, index: int) -> ExtendedKey:
        if not 0 <= index <= 0xFFFF_FFFF:
            raise ValueError("child index out of range")
        if index >= HARDENED:
            if not self.is_private:
                raise ValueError("cannot derive a hardened child from a public key")
            data = b"\0" + self.key + index.to_bytes(4, "big")
        else:
            data = self.pubkey + index.to_bytes(4, "big")
        digest = hmac.digest(self.chain_code, data, "sha512")
        tweak, chain = digest[:32], digest[32:]
        tweak_int = int.from_bytes(tweak, "big")
        if tweak_int >= _ORDER:
            raise KeyDerivationError("Invalid child key; use the next index.", str(index))
        if self.is_private:
            # Plain integer arithmetic: cheaper than building coincurve key objects.
            child_int = (tweak_int + int.from_bytes(self.key, "big")) % _ORDER
            if child_int == 0:
                raise KeyDerivationError("Invalid child key; use the next index.", str(index))
            key = child_int.to_bytes(32, "big")
        else:
            try:
                key = PublicKey(self.key).add(tweak).format(compressed=True)
            except ValueError as exc:  # the point at infinity
                raise KeyDerivationError("Invalid child key; use the next index.") from exc
        return ExtendedKey(key, chain, self.depth + 1, self.fingerprint, index)

    def derive(self, path: str | Sequence[int]) -> ExtendedKey:
        """Descend along `path` ('m/...' from this node, or a list of child numbers)."""
        node = self
        for index in parse_path(path) if isinstance(path, str) else path:
            node = node.child(index)
        return node

    def to_string(self, version: bytes | None = None) -> str:
        """Base58Check serialization; default xprv/xpub, pass TPUB, ZPUB, ... for others."""
        if version is None:
            version = XPRV if self.is_private else XPUB
        if version in _PRIVATE_VERSIONS and not self.is_private:
            raise ValueError("a public key cannot be serialized with a private version")
        if version in _PUBLIC_VERSIONS and self.is_private:
            return self.neuter().to_string(version)
        key = b"\0" + self.key if self.is_private else self.key
        return b58check_encode(
            version
            + bytes([self.depth])
            + self.parent_fingerprint
            + self.child_number.to_bytes(4, "big")
            + self.chain_code
            + key
        )

    @classmethod
    def from_string(cls, text: str) -> ExtendedKey:
        """Parse any xprv/xpub/tprv/tpub/zprv/zpub/vprv/vpub; raises ValueError."""
        data = b58check_decode(text.strip())
        if len(data) != 78:
            raise ValueError("extended key has the wrong length")
        version, depth, parent, child = data[:4], data[4], data[5:9], data[9:13]
        chain, key = data[13:45], data[45:]
        if depth == 0 and (parent != b"\0\0\0\0" or child != b"\0\0\0\0"):
            raise ValueError("master key with a parent")
        if version in _PRIVATE_VERSIONS:
            if key[0] != 0 or not 0 < int.from_bytes(key[1:], "big") < _ORDER:
                raise ValueError("invalid private key in extended key")
            key = key[1:]
        elif version in _PUBLIC_VERSIONS:
            PublicKey(key)  # raises ValueError when not a point on the curve
            if key[0] not in (2, 3):
                raise ValueError("extended public key must be compressed")
        else:
            raise ValueError("unknown extended key version")
        return cls(key, chain, depth, parent, int.from_bytes(child, "big"))


class AccountKeys:
    """One BIP84 account (m/84'/coin'/account'): keys, scripts and addresses per index."""

    def __init__(self, asset: AssetParams, account_key: ExtendedKey, path: str) -> None:
        self.asset = asset
        self.base_path = path
        self._private = account_key if account_key.is_private else None
        self.xpub = account_key.neuter()
        # The two branch nodes are derived once; every address is one step below them.
        self._branch_pub = (self.xpub.child(0), self.xpub.child(1))
        self._branch_prv = (account_key.child(0), account_key.child(1)) if self._private else None
        self._pubkeys: dict[tuple[bool, int], bytes] = {}

    @property
    def watch_only(self) -> bool:
        return self._branch_prv is None

    def path(self, change: bool, index: int) -> str:
        return f"{self.base_path}/{int(change)}/{_check_index(index)}"

    def pubkey(self, change: bool, index: int) -> bytes:
        """33-byte compressed pubkey, derived from the branch xpub and cached."""
        cache_key = (bool(change), _check_index(index))
        pub = self._pubkeys.get(cache_key)
        if pub is None:
            pub = self._branch_pub[int(change)].child(index).key
            self._pubkeys[cache_key] = pub
        return pub

    def secret(self, change: bool, index: int) -> bytes:
        """32-byte private key; not cached, so secrets live only as long as the caller needs."""
        if self._branch_prv is None:
            raise ValueError("watch-only account has no private keys")
        return self._branch_prv[int(change)].child(_check_index(index)).key

    def script(self, change: bool, index: int) -> bytes:
        return p2wpkh_script_for_pubkey(self.pubkey(change, index))

    def address(self, change: bool, index: int) -> str:
        return encode_segwit(self.asset.hrp, 0, hash160(self.pubkey(change, index)))

    def __repr__(self) -> str:
        return f"AccountKeys({self.asset.symbol}/{self.asset.network}, {self.base_path})"


def _check_index(index: int) -> int:
    if not 0 <= index < HARDENED:
        raise ValueError("address index must be in [0, 2**31)")
    return index


class HDWallet:
    """The key tree of one seed. Accounts are built once and cached."""

    def __init__(self, seed: bytes) -> None:
        self._root = ExtendedKey.from_seed(seed)
        self._accounts: dict[tuple[int, str, int], AccountKeys] = {}

    @classmethod
    def from_mnemonic(cls, phrase: str, passphrase: str = "") -> HDWallet:
        return cls(mnemonic_to_seed(phrase, passphrase))

    @property
    def root(self) -> ExtendedKey:
        return self._root

    @property
    def fingerprint(self) -> bytes:
        """Master key fingerprint (as in descriptors' key origins)."""
        return self._root.fingerprint

    def derive(self, path: str | Sequence[int]) -> ExtendedKey:
        return self._root.derive(path)

    def account(self, asset: AssetParams, account: int = 0) -> AccountKeys:
        """BIP84 account m/84'/<coin type>'/<account>' of `asset`."""
        cache_key = (asset.coin_type, asset.hrp, account)
        keys = self._accounts.get(cache_key)
        if keys is None:
            path = f"m/84'/{asset.coin_type}'/{_check_index(account)}'"
            keys = AccountKeys(asset, self._root.derive(path), path)
            self._accounts[cache_key] = keys
        return keys

    def dex_account_key(self, server_index: int) -> bytes:
        """32-byte secret of the DEX account key at m/1017'/0'/<server_index>' (§3)."""
        path = [DEX_PURPOSE + HARDENED, HARDENED, _check_index(server_index) + HARDENED]
        return self._root.derive(path).key

    def dex_account_pubkey(self, server_index: int) -> bytes:
        """32-byte x-only (BIP-340) public key of the DEX account key."""
        return xonly_from_secret(self.dex_account_key(server_index))

    def __repr__(self) -> str:
        return f"HDWallet(fingerprint={self.fingerprint.hex()})"
