"""Moving to another DEX server (Settings) is allowed only when nothing is left on the current
one: no open order (it would stay booked there, its coins locked) and no active swap (its
reports go to the server that matched it, and an unacknowledged report still counts).
`switch_blockers` counts what is in the way; `Client.switch_dex` refuses with
`DexSwitchRefused` while there is any. `switch_until_registered` is the move with its
registration retries (Settings uses it; the retries live in the client, never in the UI).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from app.client.errors import RegistrationRefused
from app.client.order_store import OrderStore
from app.client.outbox import StoreOutbox
from app.dex.errors import DexClientError
from app.swap.store import SwapStore
from app.wallet.errors import WalletError


@dataclass(frozen=True)
class SwitchBlockers:
    """What keeps us on the current server: open orders there, swaps not settled (or whose
    settlement reports the server has not acknowledged yet)."""

    orders: int
    swaps: int

    def __bool__(self) -> bool:
        return bool(self.orders or self.swaps)


class DexSwitchRefused(DexClientError):
    """Documented in app/client/errors.py; defined here with the blockers it carries."""

    def __init__(self, blockers: SwitchBlockers) -> None:
        super().__init__(
            "Cannot change the DEX server while orders are open or swaps are active.",
            f"{blockers.orders} open orders and {blockers.swaps} active swaps on the current "
            "server",
        )
        self.blockers = blockers


def switch_blockers(orders: OrderStore, swaps: SwapStore, outbox: StoreOutbox) -> SwitchBlockers:
    live = len(orders.live())  # all live orders are on the current server
    active = {s.match.match_id for s in swaps.pending()}
    active |= {item.matchid.hex() for item in outbox.pending()}
    return SwitchBlockers(live, len(active))


async def switch_until_registered(
    switch: Callable[[], Awaitable[None]],
    retry: Callable[[], Awaitable[bool]],
    on_error: Callable[[BaseException], None],
) -> bool:
    """`switch` (Client.switch_dex); when registering at the new server fails for a passing
    reason (server or node down), report it and `retry` (Client.register_until_done) until
    it is done. False when the retries end refused or another server was chosen meanwhile.
    DexSwitchRefused and RegistrationRefused reach the caller: they are answers, not
    passing failures."""
    try:
        await switch()
    except (DexSwitchRefused, RegistrationRefused):
        raise
    except (DexClientError, TimeoutError, OSError, WalletError) as exc:
        on_error(exc)
        return await retry()
    return True
