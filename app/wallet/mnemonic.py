"""BIP39 English mnemonics: generate, validate word by word, complete, and turn into a seed.

The word list is bip-utils' copy of the BIP39 English list, read straight from its package
directory (importing bip_utils costs ~150 ms) and pinned by the SHA-256 the BIP publishes.
Checksum and seed stretching are a few lines of hashlib, so nothing else is borrowed.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import hashlib
import importlib.util
import secrets
import unicodedata
from pathlib import Path

from app.wallet.errors import (
    MnemonicChecksumError,
    MnemonicError,
    MnemonicWordCountError,
    MnemonicWordError,
)

WORD_COUNT = 12  # what Cambio generates: 128 bits of entropy
VALID_WORD_COUNTS = (12, 15, 18, 21, 24)  # what BIP39 allows; restores accept them all
_ENGLISH_SHA256 = "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"
_PBKDF2_ROUNDS = 2048


@functools.cache
def wordlist() -> tuple[str, ...]:
    """The 2048 BIP39 English words, in order."""
    words = _read_packaged_list()
    if words is None:  # e.g. a bundle that keeps bip_utils in a zip: ask the library
        from bip_utils import Bip39Languages
        from bip_utils.bip.bip39.bip39_mnemonic_utils import Bip39WordsListGetter

        lst = Bip39WordsListGetter().GetByLanguage(Bip39Languages.ENGLISH)
        words = tuple(str(lst.GetWordAtIdx(i)) for i in range(lst.Length()))
    if len(words) != 2048 or list(words) != sorted(words):
        raise MnemonicError("The BIP39 word list is damaged.", "bad length or order")
    return words


def _read_packaged_list() -> tuple[str, ...] | None:
    spec = importlib.util.find_spec("bip_utils")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "bip/bip39/wordlist/english.txt"
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(raw).hexdigest() != _ENGLISH_SHA256:
        raise MnemonicError("The BIP39 word list is damaged.", f"hash mismatch: {path}")
    return tuple(raw.decode("ascii").split())


@functools.cache
def _index() -> dict[str, int]:
    return {word: i for i, word in enumerate(wordlist())}


def normalize_words(phrase: str) -> list[str]:
    """NFKD, lower case, split on any whitespace (so pasted line breaks and tabs are fine)."""
    return unicodedata.normalize("NFKD", phrase).lower().split()


def entropy_to_mnemonic(entropy: bytes) -> str:
    """Words for 16-32 bytes of entropy (a multiple of 4): entropy bits + SHA-256 checksum."""
    if len(entropy) not in (16, 20, 24, 28, 32):
        raise ValueError("entropy must be 16, 20, 24, 28 or 32 bytes")
    checksum_bits = len(entropy) * 8 // 32
    checksum = hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits)
    value = (int.from_bytes(entropy, "big") << checksum_bits) | checksum
    count = (len(entropy) * 8 + checksum_bits) // 11
    words = wordlist()
    return " ".join(words[(value >> (11 * (count - 1 - i))) & 0x7FF] for i in range(count))


def generate_mnemonic() -> str:
    """A fresh 12-word mnemonic from 128 bits of the OS's CSPRNG."""
    return entropy_to_mnemonic(secrets.token_bytes(16))


def suggest_words(word: str, limit: int = 4) -> list[str]:
    """Close BIP39 words for a mistyped one: same 4-letter stem first, then by similarity."""
    word = unicodedata.normalize("NFKD", word).lower()
    words = wordlist()
    # The first four letters identify a BIP39 word, so a shared stem is the best hint.
    stem = complete_word(word[:4]) if len(word) >= 4 else []
    close = difflib.get_close_matches(word, words, n=limit, cutoff=0.6)
    out: list[str] = []
    for candidate in stem[:limit] + close:
        if candidate not in out:
            out.append(candidate)
    return out[:limit]


def complete_word(prefix: str, limit: int | None = None) -> list[str]:
    """BIP39 words that start with `prefix` (the UI's completer); empty prefix gives none."""
    prefix = unicodedata.normalize("NFKD", prefix).strip().lower()
    if not prefix:
        return []
    words = wordlist()
    start = bisect.bisect_left(words, prefix)
    out: list[str] = []
    for word in words[start:]:
        if not word.startswith(prefix) or (limit is not None and len(out) >= limit):
            break
        out.append(word)
    return out


def mnemonic_to_entropy(phrase: str, word_counts: tuple[int, ...] = VALID_WORD_COUNTS) -> bytes:
    """Validate `phrase` and return its entropy.

    Checks run in the order most useful to a person typing: each word against the list
    (reporting the first unknown one with its 1-based position), then the word count,
    then the checksum.
    """
    words = normalize_words(phrase)
    index = _index()
    for position, word in enumerate(words, start=1):
        if word not in index:
            raise MnemonicWordError(position, word, suggest_words(word))
    if len(words) not in word_counts:
        raise MnemonicWordCountError(len(words), word_counts)
    value = 0
    for word in words:
        value = (value << 11) | index[word]
    checksum_bits = len(words) * 11 // 33
    entropy_bits = len(words) * 11 - checksum_bits
    entropy = (value >> checksum_bits).to_bytes(entropy_bits // 8, "big")
    expected = hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits)
    if value & ((1 << checksum_bits) - 1) != expected:
        raise MnemonicChecksumError()
    return entropy


def validate_mnemonic(phrase: str, word_counts: tuple[int, ...] = VALID_WORD_COUNTS) -> None:
    """Raise a MnemonicError subclass naming the problem; return None when valid."""
    mnemonic_to_entropy(phrase, word_counts)


def is_valid_mnemonic(phrase: str, word_counts: tuple[int, ...] = VALID_WORD_COUNTS) -> bool:
    try:
        mnemonic_to_entropy(phrase, word_counts)
    except MnemonicError:
        return False
    return True


def mnemonic_to_seed(phrase: str, passphrase: str = "") -> bytes:
    """The 64-byte BIP39 seed: PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic"+passphrase.

    The phrase is validated first (a typo must not silently open an empty wallet) and
    normalized to single spaces; the passphrase is only NFKD-normalized, never trimmed.
    """
    validate_mnemonic(phrase)
    sentence = " ".join(normalize_words(phrase)).encode("utf-8")
    salt = ("mnemonic" + unicodedata.normalize("NFKD", passphrase)).encode("utf-8")
    return hashlib.pbkdf2_hmac("sha512", sentence, salt, _PBKDF2_ROUNDS)
