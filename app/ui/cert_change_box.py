"""The prompt shown when an Electrum server was refused for another TLS certificate than the
one pinned on first use (app/wallet/backends/cert_pins.py). The server stays refused unless the
user compares the new fingerprint with the one its operator published and trusts exactly it.

Non-modal (`open`); trusting calls the dialog's one client action (`Client.trust_certificate`).
"""

from __future__ import annotations

from collections.abc import Callable

from app.client.views import CertChange
from app.ui.qt import QCoreApplication, QMessageBox, QWidget
from app.ui.server_key_dialog import trust_prompt


def _tr(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def grouped(fingerprint: str) -> str:
    """A SHA-256 hex fingerprint in groups of four, for reading aloud and comparing."""
    groups = [fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4)]
    return "\n".join(" ".join(groups[i : i + 8]) for i in range(0, len(groups), 8))


def cert_change_box(
    parent: QWidget, change: CertChange, trust: Callable[[CertChange], object]
) -> QMessageBox:
    text = _tr(
        "CertChangeBox",
        "The Electrum server {server} shows another certificate than the one pinned when "
        "Cambio first used it. An operator who renewed the certificate does this, and so does "
        "someone between you and the server.\n\nNew certificate (SHA-256):\n{offered}\n\n"
        "Pinned certificate:\n{pinned}\n\nTrust the new one only if its fingerprint is the one "
        "the operator published. Until then Cambio keeps asking the other servers.",
    ).format(server=change.key, offered=grouped(change.offered), pinned=grouped(change.pinned))
    title = _tr("CertChangeBox", "Server certificate changed")
    take = _tr("CertChangeBox", "Trust the new certificate")
    keep = _tr("CertChangeBox", "Keep refusing")
    return trust_prompt(parent, title, text, take, keep, lambda: trust(change))
