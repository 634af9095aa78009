"""Exceptions of the headless client (the root is app/errors.py: CambioError).

The client's refusals hang from the tree whose failures they are, so a caller that catches
that tree catches them too:

    DexClientError                   (app/dex/errors.py)
    ├── OrderNotPlaced               an order refused before it was sent: the account is not
    │                                connected, no sell order to buy from, its coins were
    │                                taken meanwhile (orders.py)
    ├── RegistrationFailed           a registration attempt that failed for a passing reason
    │                                (the fee not confirmed in time, a coin taken meanwhile, a
    │                                payment that can never confirm, the server changed);
    │                                `register_until_done` tries again
    ├── RegistrationRefused          we do not pay this server's registration fee (its terms,
    │                                our limits, or the user said no): final, nothing paid
    └── DexSwitchRefused             orders open or swaps active on the current server
                                     (server_switch.py, .blockers)
    WalletError                      (app/wallet/errors.py)
    └── FundingRefused               a swap would take more than its order's coins and the
                                     fee allowance (funding.py)
    CambioError
    ├── SettlerBusy                  another process settles this wallet's swaps (.holder)
    ├── NoKeyToAccept                no refused server key to accept for that URL (also a
    │                                ValueError)
    └── MatchConversionError         a match this wallet cannot settle: unknown order, a
                                     foreign address (also a ValueError)

The UI catches errors by type from the errors modules (the import contract,
tests/unit/test_import_contract.py); nothing of dexproto reaches it: app/dex maps its errors
at its edge.
"""

from __future__ import annotations

from pathlib import Path

from app.dex.errors import DexClientError
from app.errors import CambioError


class OrderNotPlaced(DexClientError):
    """The order was refused here, before it was sent; nothing is locked for it."""


class RegistrationFailed(DexClientError):
    """A registration attempt failed for a reason that may pass; it is tried again."""


class RegistrationRefused(DexClientError):
    """We do not pay this server's registration fee: its terms break what it advertises or our
    limits, or the user said no. Already reported as `ServerRefused`; retrying cannot help."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SettlerBusy(CambioError):
    """Another process settles this wallet's swaps; the message names it."""

    def __init__(self, datadir: Path, holder: str) -> None:
        who = f"process {holder}" if holder else "another process"
        super().__init__(
            f"{who} is already settling the swaps of {datadir}; close it first "
            "(two settling processes could fund one match twice)"
        )
        self.holder = holder


class NoKeyToAccept(CambioError, ValueError):
    def __init__(self, url: str) -> None:
        super().__init__(f"no changed server key was refused for {url}")


class MatchConversionError(CambioError, ValueError):
    """The match cannot be settled by this wallet (unknown order, foreign address, …)."""
