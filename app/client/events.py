"""Typed events from the headless client (app/client/) to whoever shows them (UI, CLI, logs).

Everything the user should see arrives here as a frozen dataclass through one `Dispatcher`:
orders booked, matched, finished; every swap step; refunds; connection changes; errors. No Qt:
app/ui turns these into signals. Texts carry no secrets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from app.dex.orderbook import BookDelta
from app.swap.states import Stage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OrderPlaced:
    """The server accepted the order (it is in epoch `epoch`)."""

    order_id: str
    market: str
    side: str
    otype: str
    quantity: int
    rate: int
    epoch: int


@dataclass(frozen=True)
class OrderBooked:
    order_id: str


@dataclass(frozen=True)
class OrderMatched:
    order_id: str
    match_id: str
    role: str  # maker | taker
    quantity: int
    rate: int


@dataclass(frozen=True)
class OrderFinished:
    """The order left the book or its epoch: executed, cancelled, unfilled or failed."""

    order_id: str
    status: str
    filled: int


@dataclass(frozen=True)
class SwapStep:
    """A swap moved from `old` (None: it was just stored) to `new`."""

    match_id: str
    old: Stage | None
    new: Stage
    detail: str


@dataclass(frozen=True)
class SwapRefund:
    """Our contract is being (or was) refunded: the counterparty did not complete."""

    match_id: str
    detail: str


@dataclass(frozen=True)
class SwapsResumed:
    count: int
    elapsed_ms: int


@dataclass(frozen=True)
class MatchRevokedByServer:
    match_id: str
    order_id: str


@dataclass(frozen=True)
class DexConnection:
    connected: bool
    detail: str


@dataclass(frozen=True)
class CoreError:
    """Something the user should know about; `message` is UI text, `detail` for support."""

    message: str
    detail: str


@dataclass(frozen=True)
class BookChanged:
    """A market's book mirror moved: `delta` is None when it was (re)loaded from a snapshot,
    so views apply the delta incrementally and reload only on None."""

    market: str  # "ltc_btc"
    delta: BookDelta | None


@dataclass(frozen=True)
class ServerTime:
    """The server's clock now (ms), estimated by the DEX client from every server time it saw
    (app/dex/server_clock.py): lets views follow the server's clock (epochs)."""

    ms: int


@dataclass(frozen=True)
class MatchRefused:
    """A match the server offered and we refused before anything was stored, signed or sent
    (app/safety/match_terms.py); `reason` is the user's text ("the server offered …")."""

    order_id: str
    match_id: str
    reason: str


@dataclass(frozen=True)
class ServerRefused:
    """We do not trade on this server: its configuration (lock times), its key or its
    registration terms fail our rules. `reason` is the user's text."""

    url: str
    reason: str


@dataclass(frozen=True)
class EpochChecked:
    """The fairness check of an epoch's `match_data` that held one of our orders
    (dexproto/fairness.py): `problems` empty means verified."""

    market: str
    epoch: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


CoreEvent = (
    OrderPlaced
    | OrderBooked
    | OrderMatched
    | OrderFinished
    | SwapStep
    | SwapRefund
    | SwapsResumed
    | MatchRevokedByServer
    | DexConnection
    | CoreError
    | BookChanged
    | ServerTime
    | MatchRefused
    | ServerRefused
    | EpochChecked
)
Listener = Callable[[CoreEvent], None]


class Dispatcher:
    """Fans events out to listeners in the order they subscribed. A listener that raises is
    logged and skipped: one broken view must not stop the others (or the swap engine)."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def emit(self, event: CoreEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a listener's bug; logged with its traceback
                log.exception("event listener failed on %s", type(event).__name__)
