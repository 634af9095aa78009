"""Exceptions of the safety package (the root is app/errors.py: CambioError).

    SafetyError                      base
    └── LimitsError                  a safety limit out of its range, or malformed in
                                     config.json (limits.py; also a ValueError)
    DexClientError                   (app/dex/errors.py)
    └── ServerTermsRefused           we do not trade on this server: its lock times fail the
                                     network's rules, or its assets are on another network
                                     (.url, .reason)

Everything else this package finds wrong (a match's terms, a fee rate out of bounds) is a
reason string handed to the caller, which refuses with it (app/client/intake.py,
app/client/registration.py).
"""

from __future__ import annotations

from app.dex.errors import DexClientError
from app.errors import CambioError


class SafetyError(CambioError):
    """Base of the safety package."""


class LimitsError(SafetyError, ValueError):
    """A safety limit out of its range (the message names it)."""


class ServerTermsRefused(DexClientError):
    """We do not trade on this server; the message says why."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"Not trading on the DEX server {url}: {reason}.")
        self.url = url
        self.reason = reason
