"""The wallet seed encrypted at rest, and the optional OS-keyring password memory.

File (JSON, mode 0600, written atomically):

    {"format": "cambio-keystore", "version": 1, "wallet_id": "<hex>",
     "kdf": {"name": "scrypt", "n": 65536, "r": 8, "p": 1, "salt": "<hex>"},
     "cipher": {"name": "chacha20-poly1305", "nonce": "<hex>"},
     "ciphertext": "<hex>", "checksum": "<sha256 hex>"}

The plaintext is JSON {"entropy": hex, "has_passphrase": bool}. Every field except the
ciphertext and checksum is the AEAD's associated data, so editing the header fails
decryption. The checksum (SHA-256 of the canonical document without it) is not security
(the AEAD is); it tells a damaged file apart from a wrong password, which an AEAD alone
cannot. A BIP39 passphrase is never written: `has_passphrase` tells the app to ask for it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from app.fileio import atomic_write
from app.wallet.errors import (
    KeystoreCorruptError,
    KeystoreError,
    KeystoreExistsError,
    KeystoreMissingError,
    WrongPasswordError,
)
from app.wallet.mnemonic import entropy_to_mnemonic, mnemonic_to_seed

log = logging.getLogger(__name__)

FORMAT = "cambio-keystore"
VERSION = 1
DEFAULT_SCRYPT_N = 2**16  # ~0.15 s and 64 MiB on a laptop: slow for guessing, fine for a login
MIN_SCRYPT_N = 2**10  # tests pass a low n; files claiming less are treated as damaged
_MAX_SCRYPT_MEMORY = 256 * 1024 * 1024  # a hostile file must not make us allocate gigabytes
_MAX_FILE_SIZE = 64 * 1024
KEYRING_SERVICE = "cambio"


@dataclass(frozen=True)
class SeedRecord:
    """What the keystore protects: BIP39 entropy and whether a passphrase goes with it."""

    entropy: bytes = field(repr=False)
    has_passphrase: bool = False

    @property
    def mnemonic(self) -> str:
        return entropy_to_mnemonic(self.entropy)

    def seed(self, passphrase: str = "") -> bytes:
        """The 64-byte BIP39 seed for HDWallet."""
        return mnemonic_to_seed(self.mnemonic, passphrase)


@dataclass(frozen=True)
class KeystoreInfo:
    """The non-secret header, readable without the password."""

    version: int
    wallet_id: str
    scrypt_n: int


def save_keystore(
    path: Path,
    record: SeedRecord,
    password: str,
    *,
    scrypt_n: int = DEFAULT_SCRYPT_N,
    wallet_id: str | None = None,
    overwrite: bool = False,
) -> KeystoreInfo:
    """Encrypt `record` under `password` and write it atomically; refuses to overwrite."""
    if not overwrite and path.exists():
        raise KeystoreExistsError(str(path))
    if len(record.entropy) not in (16, 20, 24, 28, 32):
        raise ValueError("entropy must be 16-32 bytes")
    if scrypt_n < MIN_SCRYPT_N or scrypt_n & (scrypt_n - 1) or 1024 * scrypt_n > _MAX_SCRYPT_MEMORY:
        raise ValueError("scrypt n must be a power of two within the allowed range")
    header: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "wallet_id": wallet_id or secrets.token_hex(16),
        "kdf": {
            "name": "scrypt",
            "n": scrypt_n,
            "r": 8,
            "p": 1,
            "salt": secrets.token_bytes(16).hex(),
        },
        "cipher": {"name": "chacha20-poly1305", "nonce": secrets.token_bytes(12).hex()},
    }
    key = _derive_key(password, header["kdf"])
    plaintext = _canonical(
        {"entropy": record.entropy.hex(), "has_passphrase": record.has_passphrase}
    )
    nonce = bytes.fromhex(header["cipher"]["nonce"])
    doc = dict(
        header, ciphertext=ChaCha20Poly1305(key).encrypt(nonce, plaintext, _canonical(header)).hex()
    )
    doc["checksum"] = hashlib.sha256(_canonical(doc)).hexdigest()
    _atomic_write(path, json.dumps(doc, indent=1, sort_keys=True).encode() + b"\n")
    return KeystoreInfo(VERSION, header["wallet_id"], scrypt_n)


def load_keystore(path: Path, password: str) -> SeedRecord:
    """Decrypt the wallet file: KeystoreMissingError, KeystoreCorruptError, WrongPasswordError."""
    header, ciphertext = _read(path)
    key = _derive_key(password, header["kdf"])
    try:
        plaintext = ChaCha20Poly1305(key).decrypt(
            bytes.fromhex(header["cipher"]["nonce"]), ciphertext, _canonical(header)
        )
    except InvalidTag:
        raise WrongPasswordError() from None
    try:
        body = json.loads(plaintext)
        entropy = bytes.fromhex(body["entropy"])
        has_passphrase = body["has_passphrase"]
    except (ValueError, KeyError, TypeError) as exc:
        raise KeystoreCorruptError(str(path), f"bad plaintext: {type(exc).__name__}") from None
    if len(entropy) not in (16, 20, 24, 28, 32) or not isinstance(has_passphrase, bool):
        raise KeystoreCorruptError(str(path), "bad plaintext fields")
    return SeedRecord(entropy, has_passphrase)


def read_info(path: Path) -> KeystoreInfo:
    """The header (wallet id, format version, KDF cost) without decrypting."""
    header, _ = _read(path)
    return KeystoreInfo(header["version"], header["wallet_id"], header["kdf"]["n"])


def change_password(
    path: Path,
    old_password: str,
    new_password: str,
    *,
    scrypt_n: int = DEFAULT_SCRYPT_N,
) -> KeystoreInfo:
    """Re-encrypt with a fresh salt and nonce; the old file stays until the new one is in place."""
    record = load_keystore(path, old_password)
    wallet_id = read_info(path).wallet_id
    return save_keystore(
        path, record, new_password, scrypt_n=scrypt_n, wallet_id=wallet_id, overwrite=True
    )


def _canonical(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def _derive_key(password: str, kdf: dict[str, Any]) -> bytes:
    # NFKD so the same password typed on different systems (composed or not) opens the file.
    secret = unicodedata.normalize("NFKD", password).encode("utf-8")
    return Scrypt(
        salt=bytes.fromhex(kdf["salt"]), length=32, n=kdf["n"], r=kdf["r"], p=kdf["p"]
    ).derive(secret)


def _check_kdf(kdf: Any, where: str) -> None:
    ok = (
        isinstance(kdf, dict)
        and kdf.get("name") == "scrypt"
        and all(type(kdf.get(k)) is int for k in ("n", "r", "p"))
        and isinstance(kdf.get("salt"), str)
        and len(kdf["salt"]) == 32
    )
    if ok:
        n, r, p = kdf["n"], kdf["r"], kdf["p"]
        ok = (
            n & (n - 1) == 0
            and n >= MIN_SCRYPT_N
            and 1 <= r <= 32
            and 1 <= p <= 16
            and 128 * n * r <= _MAX_SCRYPT_MEMORY
        )
    if not ok:
        raise KeystoreCorruptError(where, "bad kdf parameters")


def _read(path: Path) -> tuple[dict[str, Any], bytes]:
    """Parse and check the document; returns (header, ciphertext)."""
    where = str(path)
    try:
        with path.open("rb") as f:
            raw = f.read(_MAX_FILE_SIZE + 1)
    except FileNotFoundError:
        raise KeystoreMissingError(where) from None
    except OSError as exc:
        raise KeystoreError(f"Cannot read the wallet file {where}.", str(exc)) from exc
    try:
        if len(raw) > _MAX_FILE_SIZE:
            raise ValueError("file too large")
        doc = json.loads(raw.decode("utf-8"))
        if not isinstance(doc, dict):
            raise ValueError("not a JSON object")
        checksum = doc.pop("checksum")
        if not isinstance(checksum, str) or checksum != hashlib.sha256(_canonical(doc)).hexdigest():
            raise ValueError("checksum mismatch")
        if doc.get("format") != FORMAT:
            raise ValueError("not a Cambio wallet file")
        ciphertext = bytes.fromhex(doc.pop("ciphertext"))
    except (ValueError, KeyError, TypeError) as exc:  # JSONDecodeError, UnicodeError included
        raise KeystoreCorruptError(where, f"{type(exc).__name__}: {exc}") from None
    if doc.get("version") != VERSION:
        if isinstance(doc.get("version"), int) and doc["version"] > VERSION:
            raise KeystoreError(
                "The wallet file was made by a newer version of Cambio.",
                f"version {doc['version']}",
            )
        raise KeystoreCorruptError(where, "bad version")
    _check_kdf(doc.get("kdf"), where)
    cipher, wallet_id = doc.get("cipher"), doc.get("wallet_id")
    if (
        not isinstance(cipher, dict)
        or cipher.get("name") != "chacha20-poly1305"
        or not isinstance(cipher.get("nonce"), str)
        or len(cipher["nonce"]) != 24
        or not isinstance(wallet_id, str)
        or not 0 < len(wallet_id) <= 64
        or len(ciphertext) < 16
        or set(doc) != {"format", "version", "wallet_id", "kdf", "cipher"}
    ):
        raise KeystoreCorruptError(where, "bad header fields")
    try:
        bytes.fromhex(cipher["nonce"])
        bytes.fromhex(doc["kdf"]["salt"])
    except ValueError:
        raise KeystoreCorruptError(where, "bad hex in header") from None
    return doc, ciphertext


def _atomic_write(path: Path, data: bytes) -> None:
    """fileio.atomic_write, with OS failures reported as a keystore error."""
    try:
        atomic_write(path, data, mode=0o600)
    except OSError as exc:
        raise KeystoreError(f"Cannot write the wallet file {path}.", str(exc)) from exc


# --- "remember password" through the OS keyring; never a file fallback -------------------


def remember_password(wallet_id: str, password: str) -> bool:
    """Store the password in the OS keyring; False when there is no usable keyring."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, wallet_id, password)
    except KeyringError as exc:
        log.info("keyring unavailable, password not remembered: %s", type(exc).__name__)
        return False
    return True


def recall_password(wallet_id: str) -> str | None:
    """The remembered password, or None (nothing stored, or no keyring): ask the user."""
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, wallet_id)
    except KeyringError as exc:
        log.info("keyring unavailable: %s", type(exc).__name__)
        return None


def forget_password(wallet_id: str) -> bool:
    """Remove a remembered password; False when none was stored or there is no keyring."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.delete_password(KEYRING_SERVICE, wallet_id)
    except KeyringError as exc:  # PasswordDeleteError when nothing was stored
        log.info("keyring: password not deleted: %s", type(exc).__name__)
        return False
    return True
