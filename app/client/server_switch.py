"""Moving to another DEX server (Settings) is allowed only when nothing is left on the current
one: no open order (it would stay booked there, its coins locked) and no active swap (its
reports go to the server that matched it, and an unacknowledged report still counts).
`switch_blockers` counts what is in the way; `Client.switch_dex` refuses with
`DexSwitchRefused` while there is any.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.client.order_store import OrderStore
from app.client.outbox import StoreOutbox
from app.swap.store import SwapStore
from dexproto.errors import DexError


@dataclass(frozen=True)
class SwitchBlockers:
    """What keeps us on the current server: open orders there, swaps not settled (or whose
    settlement reports the server has not acknowledged yet)."""

    orders: int
    swaps: int

    def __bool__(self) -> bool:
        return bool(self.orders or self.swaps)


class DexSwitchRefused(DexError):
    def __init__(self, blockers: SwitchBlockers) -> None:
        super().__init__(f"{blockers.orders} open orders and {blockers.swaps} active swaps "
                         "on the current server")
        self.blockers = blockers

    @property
    def user_message(self) -> str:
        return "cannot change the DEX server while orders are open or swaps are active"


def switch_blockers(orders: OrderStore, swaps: SwapStore, outbox: StoreOutbox) -> SwitchBlockers:
    live = len(orders.live())  # all live orders are on the current server
    active = {s.match.match_id for s in swaps.pending()}
    active |= {item.matchid.hex() for item in outbox.pending()}
    return SwitchBlockers(live, len(active))
