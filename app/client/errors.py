"""The errors a client call may raise that are defined outside an errors module, named here so
the UI catches them by type without importing the modules that raise them (the import
contract, tests/unit/test_import_contract.py), and the DEX package's error tree, so the UI
names no module of the DEX protocol package at all. The other error trees are
app/{wallet,swap,store}/errors.py.
"""

from __future__ import annotations

from app.client.registration import RegistrationRefused
from app.client.server_switch import DexSwitchRefused
from app.dex.connection import NotConnected, RequestTimeout
from app.wallet.service import NoNodeConfiguredError
from dexproto.errors import DexError, RemoteError

__all__ = [
    "DexError",
    "DexSwitchRefused",
    "NoNodeConfiguredError",
    "NotConnected",
    "RegistrationRefused",
    "RemoteError",
    "RequestTimeout",
]
