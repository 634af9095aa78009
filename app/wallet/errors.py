"""Exceptions of the wallet package (the root is app/errors.py: CambioError).

    WalletError                      base; str() is the user message, .detail is internal
    ├── MnemonicError                the recovery phrase is not valid
    │   ├── MnemonicWordCountError       wrong number of words (.count, .expected)
    │   ├── MnemonicWordError            a word not in the BIP39 list (.position 1-based, .word,
    │   │                                .suggestions)
    │   └── MnemonicChecksumError        every word is known but the checksum does not match
    ├── KeyDerivationError           BIP32 hit an invalid child key (odds about 1 in 2**127)
    ├── KeystoreError                the encrypted wallet file
    │   ├── WrongPasswordError           decryption failed: wrong password
    │   ├── PassphraseNeeded             the wallet was made with a BIP39 passphrase and none
    │   │                                was given (raised by session.unlock_wallet, for the
    │   │                                GUI and the CLI alike)
    │   ├── KeystoreCorruptError         unreadable, truncated or malformed file
    │   ├── KeystoreMissingError         no wallet file at that path
    │   └── KeystoreExistsError          refusing to overwrite an existing wallet file
    ├── InsufficientFundsError       not enough spendable coins (.needed, .available atoms)
    ├── TooManyCoinsError            enough in all, but over more coins than an order may name
    │                                (.needed, .available atoms, .limit coins)
    ├── DustError                    an output below the dust limit (.amount, .limit atoms)
    ├── CoinLockedError              a coin is reserved by an order or a swap (.outpoint)
    ├── NoNodeConfiguredError        the wallet has no chain backend for an asset
    ├── SpvError                     a header or merkle proof failed a check (spv.py; also a
    │                                ValueError)
    ├── TxParseError                 bytes that are not a transaction we read (txparse.py; also
    │                                a ValueError)
    └── BackendError                 chain backend (node RPC, Electrum) failures
        ├── NodeUnreachableError         cannot connect, or the connection dropped
        ├── NodeResponseError            the node answered with an error (.code) or an answer
        │   │                            of the wrong shape
        │   ├── NodeAuthError                the node refused our credentials, HTTP 401/403
        │   │                                (backends/base.py)
        │   ├── TxRejectedError              broadcast refused; .reason is the node's own
        │   │                                text (backends/base.py)
        │   └── MalformedAnswer              an Electrum answer without its protocol shape:
        │                                    the server is dropped (backends/electrum.py)
        ├── WrongNetworkError            the node's genesis block is another network's
        │                                (backends/base.py)
        ├── CredentialsFileError         the node's cookie or login file cannot be read
        │                                (backends/rpcauth.py)
        ├── ServerLied                   an Electrum server said what our headers or hashes
        │                                disprove: it is dropped (backends/electrum.py)
        └── PinRefused                   a TLS Electrum server refused by the certificate
            │                            pins (backends/electrum_conn.py)
            ├── PinFileBroken                the pin file is damaged: every TLS server is
            │                                refused until it is repaired or deleted
            └── CertificateChanged           the certificate is not the pinned one

Third-party errors (aiohttp, OSError, ssl, json) are mapped at the backends with
``raise ... from exc`` (mostly to NodeUnreachableError / NodeResponseError); the message never
contains secrets (passwords, seeds, keys).
"""

from __future__ import annotations

from app.errors import CambioError
from dexproto.assets import format_amount


class WalletError(CambioError):
    """Base of the wallet package."""


class MnemonicError(WalletError):
    """The recovery phrase is not a valid BIP39 mnemonic."""


class MnemonicWordCountError(MnemonicError):
    def __init__(self, count: int, expected: tuple[int, ...]) -> None:
        self.count = count
        self.expected = expected
        want = ", ".join(str(n) for n in expected[:-1])
        want = f"{want} or {expected[-1]}" if want else str(expected[-1])
        super().__init__(f"The recovery phrase has {count} words; it should have {want}.")


class MnemonicWordError(MnemonicError):
    def __init__(self, position: int, word: str, suggestions: list[str]) -> None:
        self.position = position  # 1-based, as the user counts
        self.word = word
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Word {position} ({word!r}) is not in the word list.{hint}")


class MnemonicChecksumError(MnemonicError):
    def __init__(self) -> None:
        super().__init__(
            "The recovery phrase checksum does not match: a word is wrong or out of order."
        )


class KeyDerivationError(WalletError):
    """BIP32 produced an invalid key; the caller should use the next index."""


class KeystoreError(WalletError):
    """The encrypted wallet file could not be read or written."""


class WrongPasswordError(KeystoreError):
    def __init__(self) -> None:
        super().__init__("Wrong password.")


class PassphraseNeeded(KeystoreError):
    """The password is right, but the wallet was made with a BIP39 passphrase we were not
    given: without it the seed would open a different, empty wallet."""

    def __init__(self) -> None:
        super().__init__("This wallet was made with a BIP39 passphrase: give it too.")


class KeystoreCorruptError(KeystoreError):
    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        super().__init__(f"The wallet file {path} is damaged and cannot be read.", detail)


class KeystoreMissingError(KeystoreError):
    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"No wallet file at {path}.")


class KeystoreExistsError(KeystoreError):
    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"A wallet file already exists at {path}; it was not replaced.")


class InsufficientFundsError(WalletError):
    def __init__(self, needed: int, available: int, ticker: str = "") -> None:
        self.needed = needed
        self.available = available
        super().__init__(
            f"Not enough funds: need {format_amount(needed, ticker)}, "
            f"have {format_amount(available, ticker)}."
        )


class TooManyCoinsError(WalletError):
    """The funds are there, but spread over more coins than one order may name (the
    protocol's coin count is one byte)."""

    def __init__(self, needed: int, available: int, limit: int, ticker: str = "") -> None:
        self.needed = needed
        self.available = available
        self.limit = limit
        super().__init__(
            f"The {limit} largest coins hold less than the {format_amount(needed, ticker)} this "
            f"order needs ({format_amount(available, ticker)} in all). Send your coins to your "
            "own address first (Wallet, Send max) to join them, then place the order."
        )


class DustError(WalletError):
    def __init__(self, amount: int, limit: int, ticker: str = "") -> None:
        self.amount = amount
        self.limit = limit
        super().__init__(
            f"Amount {format_amount(amount, ticker)} is too small to send "
            f"(the minimum is {format_amount(limit, ticker)})."
        )


class CoinLockedError(WalletError):
    def __init__(self, outpoint: str, detail: str = "") -> None:
        self.outpoint = outpoint
        super().__init__(f"Coin {outpoint} is reserved by an order or a swap.", detail)


class NoNodeConfiguredError(WalletError):
    def __init__(self, symbol: str) -> None:
        super().__init__(f"No {symbol.upper()} node is configured for this wallet.")


class BackendError(WalletError):
    """A chain backend (node RPC or Electrum server) failed."""


class NodeUnreachableError(BackendError):
    def __init__(self, endpoint: str, detail: str = "") -> None:
        self.endpoint = endpoint
        super().__init__(f"Cannot reach the node at {endpoint}.", detail)


class NodeResponseError(BackendError):
    def __init__(self, message: str, code: int | None = None, detail: str = "") -> None:
        self.code = code
        suffix = f" (code {code})" if code is not None else ""
        super().__init__(f"The node returned an error{suffix}: {message}", detail)
