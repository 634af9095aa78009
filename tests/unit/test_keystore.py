"""Encrypted keystore: round trip, wrong password, damage, interrupted writes, keyring fallback."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

import keyring.core
import pytest
from keyring.backends import fail
from keyring.errors import KeyringLocked, NoKeyringError, PasswordDeleteError

from app.wallet import keystore as ks
from app.wallet.errors import (
    KeystoreCorruptError,
    KeystoreError,
    KeystoreExistsError,
    KeystoreMissingError,
    WrongPasswordError,
)

N = 2**10  # low scrypt cost keeps the tests fast
ENTROPY = bytes.fromhex("9e885d952ad362caeb4efe34a8e91bd2")
RECORD = ks.SeedRecord(ENTROPY, has_passphrase=True)
PASSWORD = "correct horse battery staple"


@pytest.fixture
def wallet_file(tmp_path: Path) -> Path:
    path = tmp_path / "wallets" / "main.keystore"
    ks.save_keystore(path, RECORD, PASSWORD, scrypt_n=N)
    return path


def _rewrite(path: Path, edit: Any) -> None:
    """Apply `edit` to the parsed document and store it with a valid checksum."""
    doc = json.loads(path.read_bytes())
    del doc["checksum"]
    edit(doc)
    canonical = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    doc["checksum"] = hashlib.sha256(canonical).hexdigest()
    path.write_text(json.dumps(doc))


def test_round_trip(wallet_file: Path) -> None:
    record = ks.load_keystore(wallet_file, PASSWORD)
    assert record == RECORD
    assert record.mnemonic == (
        "ozone drill grab fiber curtain grace pudding thank cruise elder eight picnic"
    )
    assert len(record.seed("TREZOR")) == 64
    info = ks.read_info(wallet_file)
    assert (info.version, info.scrypt_n, len(info.wallet_id)) == (ks.VERSION, N, 32)
    text = wallet_file.read_text()
    assert ENTROPY.hex() not in text and PASSWORD not in text and "ozone" not in text
    assert repr(record).find(ENTROPY.hex()) == -1


def test_default_cost_and_fresh_salt(tmp_path: Path) -> None:
    assert ks.DEFAULT_SCRYPT_N >= 2**15
    a, b = tmp_path / "a", tmp_path / "b"
    ks.save_keystore(a, RECORD, PASSWORD, scrypt_n=N)
    ks.save_keystore(b, RECORD, PASSWORD, scrypt_n=N)
    doc_a, doc_b = json.loads(a.read_bytes()), json.loads(b.read_bytes())
    assert doc_a["kdf"]["salt"] != doc_b["kdf"]["salt"]
    assert doc_a["cipher"]["nonce"] != doc_b["cipher"]["nonce"]
    assert doc_a["ciphertext"] != doc_b["ciphertext"]
    with pytest.raises(ValueError):
        ks.save_keystore(tmp_path / "c", RECORD, PASSWORD, scrypt_n=2**9)
    with pytest.raises(ValueError):
        ks.save_keystore(tmp_path / "c", RECORD, PASSWORD, scrypt_n=3000)


def test_wrong_password_leaves_file_unchanged(wallet_file: Path) -> None:
    before = wallet_file.read_bytes()
    with pytest.raises(WrongPasswordError) as info:
        ks.load_keystore(wallet_file, PASSWORD + "!")
    assert str(info.value) == "Wrong password."
    with pytest.raises(WrongPasswordError):
        ks.change_password(wallet_file, "nope", "new password", scrypt_n=N)
    assert wallet_file.read_bytes() == before


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KeystoreMissingError, match="No wallet file"):
        ks.load_keystore(tmp_path / "absent.keystore", PASSWORD)


def test_refuses_to_overwrite(wallet_file: Path) -> None:
    before = wallet_file.read_bytes()
    with pytest.raises(KeystoreExistsError):
        ks.save_keystore(wallet_file, ks.SeedRecord(b"\1" * 16), "x", scrypt_n=N)
    assert wallet_file.read_bytes() == before


def test_every_flipped_byte_is_reported_as_damage(wallet_file: Path) -> None:
    original = wallet_file.read_bytes()
    for pos in range(len(original)):
        damaged = bytearray(original)
        damaged[pos] ^= 0x01
        wallet_file.write_bytes(bytes(damaged))
        with pytest.raises(KeystoreCorruptError):
            ks.load_keystore(wallet_file, PASSWORD)
    wallet_file.write_bytes(original)
    assert ks.load_keystore(wallet_file, PASSWORD) == RECORD


@pytest.mark.parametrize("keep", [0, 1, 50, 0.5, -2])
def test_truncated_file(wallet_file: Path, keep: float) -> None:
    raw = wallet_file.read_bytes()
    cut = int(len(raw) * keep) if isinstance(keep, float) else keep
    wallet_file.write_bytes(raw[:cut])
    with pytest.raises(KeystoreCorruptError) as info:
        ks.load_keystore(wallet_file, PASSWORD)
    assert "damaged" in str(info.value) and PASSWORD not in info.value.detail


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[]",
        b"null",
        b'{"format": "cambio-keystore"}',
        b"\xff\xfe\x00garbage",
        b"{" * 100_000,
    ],
)
def test_garbage_files(wallet_file: Path, content: bytes) -> None:
    wallet_file.write_bytes(content)
    with pytest.raises(KeystoreCorruptError):
        ks.load_keystore(wallet_file, PASSWORD)


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["kdf"].update(n=2**40),  # would need terabytes
        lambda d: d["kdf"].update(n=1000),
        lambda d: d["kdf"].update(r="8"),
        lambda d: d["cipher"].update(nonce="00"),
        lambda d: d["cipher"].update(name="rot13"),
        lambda d: d.update(ciphertext="zz"),
        lambda d: d.update(extra=1),
        lambda d: d.pop("wallet_id"),
        lambda d: d.update(format="other-wallet"),
    ],
)
def test_bad_fields_with_valid_checksum(wallet_file: Path, edit: Any) -> None:
    _rewrite(wallet_file, edit)
    with pytest.raises(KeystoreCorruptError):
        ks.load_keystore(wallet_file, PASSWORD)


def test_header_is_authenticated(wallet_file: Path) -> None:
    # A consistent-looking edit of the header (checksum recomputed) fails the AEAD.
    _rewrite(wallet_file, lambda d: d.update(wallet_id="ff" * 16))
    with pytest.raises(WrongPasswordError):
        ks.load_keystore(wallet_file, PASSWORD)


def test_newer_format_version(wallet_file: Path) -> None:
    _rewrite(wallet_file, lambda d: d.update(version=ks.VERSION + 1))
    with pytest.raises(KeystoreError, match="newer version") as info:
        ks.load_keystore(wallet_file, PASSWORD)
    assert not isinstance(info.value, KeystoreCorruptError)


def test_permissions_are_0600(wallet_file: Path) -> None:
    assert stat.S_IMODE(wallet_file.stat().st_mode) == 0o600
    os.chmod(wallet_file, 0o644)
    ks.change_password(wallet_file, PASSWORD, "new password", scrypt_n=N)
    assert stat.S_IMODE(wallet_file.stat().st_mode) == 0o600


def test_change_password(wallet_file: Path) -> None:
    wallet_id = ks.read_info(wallet_file).wallet_id
    old_salt = json.loads(wallet_file.read_bytes())["kdf"]["salt"]
    ks.change_password(wallet_file, PASSWORD, "new password", scrypt_n=N)
    assert ks.load_keystore(wallet_file, "new password") == RECORD
    with pytest.raises(WrongPasswordError):
        ks.load_keystore(wallet_file, PASSWORD)
    assert ks.read_info(wallet_file).wallet_id == wallet_id
    assert json.loads(wallet_file.read_bytes())["kdf"]["salt"] != old_salt


def test_interrupted_write_keeps_the_old_file(
    wallet_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = wallet_file.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeystoreError, match="Cannot write"):
        ks.change_password(wallet_file, PASSWORD, "new password", scrypt_n=N)
    monkeypatch.undo()
    assert wallet_file.read_bytes() == before
    assert ks.load_keystore(wallet_file, PASSWORD) == RECORD
    assert sorted(p.name for p in wallet_file.parent.iterdir()) == [wallet_file.name]


def test_crash_leftover_temp_file_is_harmless(wallet_file: Path) -> None:
    # A power cut after the temp write but before the rename leaves a stray temp file.
    (wallet_file.parent / f".{wallet_file.name}.abc123.tmp").write_bytes(b'{"half": ')
    assert ks.load_keystore(wallet_file, PASSWORD) == RECORD
    ks.change_password(wallet_file, PASSWORD, "again", scrypt_n=N)
    assert ks.load_keystore(wallet_file, "again") == RECORD


def test_interrupt_during_write_cleans_temp(
    wallet_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ks.change_password(wallet_file, PASSWORD, "new password", scrypt_n=N)
    monkeypatch.undo()
    assert ks.load_keystore(wallet_file, PASSWORD) == RECORD
    assert [p.name for p in wallet_file.parent.iterdir()] == [wallet_file.name]


# --- keyring -----------------------------------------------------------------------------


class _RaisingKeyring:
    """Duck-typed backend that behaves like a machine without Secret Service."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


class _MemoryKeyring:
    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


@pytest.mark.parametrize(
    "backend",
    [
        _RaisingKeyring(NoKeyringError("no backend")),
        _RaisingKeyring(KeyringLocked("locked")),
        fail.Keyring(),  # type: ignore[no-untyped-call]
    ],
)
def test_no_keyring_means_ask_again_and_nothing_on_disk(
    backend: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert ks.remember_password("wallet-1", PASSWORD) is False
    assert ks.recall_password("wallet-1") is None
    assert ks.forget_password("wallet-1") is False
    assert list(tmp_path.rglob("*")) == []  # no plain-text fallback anywhere


def test_keyring_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = _MemoryKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", backend)
    assert ks.recall_password("wallet-1") is None
    assert ks.remember_password("wallet-1", PASSWORD) is True
    assert backend.store == {(ks.KEYRING_SERVICE, "wallet-1"): PASSWORD}
    assert ks.recall_password("wallet-1") == PASSWORD
    assert ks.forget_password("wallet-1") is True
    assert ks.forget_password("wallet-1") is False
    assert ks.recall_password("wallet-1") is None
