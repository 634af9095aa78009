"""Certificate pins of self-signed Electrum servers: host:port -> SHA-256 of the DER form.

One JSON file per data directory, shared by every chain's backend (and by a CLI run beside
the GUI): each change re-reads the file and writes the merged result atomically, so one
backend pinning its server never drops the pin another one wrote. Losing a pin would be
quietly dangerous: the next connection would pin whatever certificate it is shown.

A file that exists but cannot be read or parsed makes every TLS server be refused and is
never overwritten: starting over with no pins would let a machine in the middle get its own
certificate pinned, so a damaged file needs a person to repair or delete it. A changed
certificate is refused until the user trusts exactly the one that was refused
(`trust_offered`), never whatever the server shows next.
"""

from __future__ import annotations

import json
import ssl
from dataclasses import dataclass
from pathlib import Path

from app.fileio import atomic_write


class PinRefused(ssl.SSLError):
    """A TLS server refused by the certificate pins (its message is the reason)."""


class PinFileBroken(PinRefused):
    """The pin file is damaged: no TLS server can be checked against it."""


@dataclass(frozen=True)
class CertChange:
    """A server showing another certificate than the pinned one."""

    key: str  # host:port
    pinned: str  # SHA-256 hex of the pinned certificate
    offered: str  # SHA-256 hex of the one it showed


class CertificateChanged(PinRefused):
    """The server's certificate is not the one pinned for it: a machine in the middle, or
    an operator who renewed it (then the user trusts the new one after checking it)."""

    def __init__(self, change: CertChange) -> None:
        super().__init__(
            f"the certificate of {change.key} changed since it was pinned (SHA-256 "
            f"{change.offered[:16]}..., pinned {change.pinned[:16]}...); refused"
        )
        self.change = change


class CertPins:
    """The pins of one file (or in memory only, with no path)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._pins: dict[str, str] = {}
        self.broken: str | None = None
        self._reload()

    def _reload(self) -> None:
        if self.path is None or not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text())
            if not isinstance(data, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in data.items()
            ):
                raise ValueError("not a JSON object of host:port -> fingerprint")
        except (OSError, ValueError) as exc:
            self.broken = (
                f"the certificate pin file {self.path} is unreadable ({exc}); "
                "TLS servers are refused until it is repaired or deleted"
            )
            return
        self._pins = dict(data)

    def get(self, key: str) -> str | None:
        self._reload()  # another backend or process may have pinned since
        return self._pins.get(key)

    def pin(self, key: str, fingerprint: str) -> None:
        """Pin `key` on first use (no pin for it yet, in the file as it is now)."""
        self._change(key, None, fingerprint)

    def trust_offered(self, change: CertChange) -> None:
        """Replace the pin the refusal named by the certificate it named; refused when the
        pin is no longer the one the user saw refused."""
        self._change(change.key, change.pinned, change.offered)

    def _change(self, key: str, expected: str | None, fingerprint: str) -> None:
        self._reload()
        if self.broken is not None:
            raise PinFileBroken(self.broken)
        current = self._pins.get(key)
        if current != expected and current != fingerprint:
            raise CertificateChanged(CertChange(key, current or "", fingerprint))
        pins = {**self._pins, key: fingerprint}
        if self.path is not None:
            atomic_write(self.path, json.dumps(pins, indent=1, sort_keys=True).encode())
        self._pins = pins
