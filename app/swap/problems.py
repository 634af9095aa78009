"""What the swap engine tells its listener: events, and problems shown once, not every tick.

A loop retries what failed every few seconds; a problem that stays the same (a node behind,
the chain unreadable, an action failing) is shown the first time and logged at debug level
after that, until whoever showed it clears it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from app.swap.errors import SwapError
from app.swap.messages import SwapEvent, SwapProblem
from app.wallet.errors import WalletError

log = logging.getLogger(__name__)

EventFn = Callable[[SwapEvent], None]


def error_text(exc: Exception) -> str:
    """What to show of an error: our own errors' user message (their detail is for the log),
    else the exception's type and text."""
    if isinstance(exc, (SwapError, WalletError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class Problems:
    """The engine's events to `on_event`, and which problem was last shown for what."""

    def __init__(self, on_event: EventFn | None) -> None:
        self._on_event = on_event
        # (match, what) -> the problem last shown for it: shown once, not every tick.
        self._shown: dict[tuple[str, str], str] = {}

    def emit(self, event: SwapEvent) -> None:
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:  # the listener's problem: settling goes on
                log.exception("swap %s: the event listener failed", event.match_id[:8])

    def problem(self, match_id: str, message: str) -> None:
        log.warning("swap %s: %s", match_id[:8], message)
        self.emit(SwapProblem(match_id, message))

    def once(self, match_id: str, what: str, message: str, token: str | None = None) -> None:
        """Show `message` unless the last one shown for `what` had the same `token` (default:
        the message itself); `clear(match_id, what)` lets the next one show."""
        token = message if token is None else token
        if self._shown.get((match_id, what)) == token:
            log.debug("swap %s: %s", match_id[:8], message)
            return
        self._shown[(match_id, what)] = token
        self.problem(match_id, message)

    def failed(self, match_id: str, where: str, exc: Exception) -> None:
        """An error no rule foresaw in one part of the loop (`where`): shown once, with its
        traceback logged once, for support."""
        message = f"could not go on with the swap, retrying: {error_text(exc)}"
        if self._shown.get((match_id, where)) != message:
            log.error("swap %s: %s failed", match_id[:8], where, exc_info=exc)
        self.once(match_id, where, message)

    def clear(self, match_id: str, what: str) -> bool:
        """Forget the problem shown for `what`; True when there was one."""
        return self._shown.pop((match_id, what), None) is not None

    def forget(self, match_id: str) -> None:
        """The swap ended: nothing of it is shown again."""
        for key in [k for k in self._shown if k[0] == match_id]:
            del self._shown[key]
