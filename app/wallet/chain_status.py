"""How one chain is reached right now, for the status line of each chain in Settings.

`chain_status(symbol, backend)` asks the backend once (its tip: an Electrum backend connects
and checks its headers on that call) and returns plain data; the UI words it. For a light
chain it also carries `ElectrumBackend.status_line()` (English, for logs and the CLI).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from app.wallet.backends.base import ChainBackend
from app.wallet.backends.cert_pins import CertChange
from app.wallet.backends.electrum import ElectrumBackend
from app.wallet.backends.switchable import SwitchableBackend
from app.wallet.errors import WalletError

ELECTRUM, NODE, NONE = "electrum", "node", "none"
# A node whose best block is older than this is behind or stuck: its confirmations and lock-time
# clock lag the network's (blocks come every 2.5 to 10 minutes; two hours without one is rare).
STALE_TIP_S = 2 * 3600


@dataclass(frozen=True)
class ChainStatus:
    symbol: str
    kind: str  # ELECTRUM | NODE | NONE (no backend configured)
    reachable: bool = False
    height: int | None = None  # light: from our own verified headers
    server: str = ""  # the Electrum server in use
    servers: int = 0  # Electrum servers configured
    dropped: int = 0  # of them, caught in a lie and no longer asked
    syncing: bool = False  # node: still in its initial block download
    tip_age: int | None = None  # node: seconds since its best block's time
    detail: str = ""  # why it is not reachable
    line: str = ""  # ElectrumBackend.status_line()
    cert_changes: tuple[CertChange, ...] = ()  # servers refused for a new certificate

    @property
    def behind(self) -> bool:
        """A reachable node still in its initial download or with a stale best block."""
        return self.syncing or (self.tip_age is not None and self.tip_age > STALE_TIP_S)


async def chain_status(
    symbol: str, backend: ChainBackend | None, now: float | None = None
) -> ChainStatus:
    inner = backend.inner if isinstance(backend, SwitchableBackend) else backend
    if backend is None or inner is None:
        return ChainStatus(symbol, NONE)
    if isinstance(inner, ElectrumBackend):
        try:  # through the switchable wrapper: a switch waits for this call to return
            tip = await backend.tip()
        except (WalletError, OSError) as exc:
            return _electrum(symbol, inner, detail=str(exc))
        return _electrum(symbol, inner, height=tip.height)
    try:
        tip = await backend.tip()
        sync = await backend.sync_state()
    except (WalletError, OSError) as exc:
        return ChainStatus(symbol, NODE, detail=str(exc))
    age = max(0, int((time.time() if now is None else now) - sync.tip_time))
    return ChainStatus(
        symbol, NODE, reachable=True, height=tip.height, syncing=sync.initial_download, tip_age=age
    )


def trust_certificate(symbol: str, backend: ChainBackend | None, change: CertChange) -> None:
    """Pin the certificate one of `symbol`'s Electrum servers was refused for."""
    inner = backend.inner if isinstance(backend, SwitchableBackend) else backend
    if not isinstance(inner, ElectrumBackend):
        raise WalletError(f"{symbol.upper()} is not on Electrum servers")
    inner.trust_new_certificate(change)


def _electrum(
    symbol: str, backend: ElectrumBackend, *, height: int | None = None, detail: str = ""
) -> ChainStatus:
    servers = backend.status()
    up = [s for s in servers if s.state == "connected"]
    return ChainStatus(
        symbol,
        ELECTRUM,
        reachable=bool(up) and height is not None,
        height=height,
        server=up[0].url if up else "",
        servers=len(servers),
        dropped=sum(1 for s in servers if s.state == "dropped"),
        detail=detail,
        line=backend.status_line(),
        cert_changes=tuple(s.cert_change for s in servers if s.cert_change is not None),
    )
