"""Holds back the funding of taker swaps resumed at start until the DEX server confirmed them.

A taker that was offline may have missed a `revoke_match` (the server revokes a match the
taker did not fund within btimeout), and the swaps resume before the DEX connection is up.
Funding a revoked match hands the maker a free option on our coins, so a taker swap loaded at
start and not yet funded (Matched, or CounterpartyAudited without our contract) funds only
once a `connect` or `match_status` answer after the restart lists the match as not revoked;
never when the server says revoked, or when no such answer came within the network's
`resume_wait_ms` (the swap then ends Failed, nothing of ours on chain). Matches that arrive in
this run are not held. The engine asks `fund_allowed` (its `FundGate`); the core reports what
the server said (`confirmed`, `revoked`). No I/O: the clock is injected.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from app.safety.rules import rules_for
from app.swap.states import Role, SwapState, unfunded


def needs_confirmation(state: SwapState) -> bool:
    """A taker swap with nothing of ours on chain yet."""
    if state.match.role is not Role.TAKER:
        return False
    return unfunded(state)


class ResumeGate:
    """Per match id: allowed (True), refused (False) or unknown (None) to fund."""

    def __init__(self, clock_ms: Callable[[], int] | None = None) -> None:
        self._clock = clock_ms or (lambda: int(time.monotonic() * 1000))
        self._deadlines: dict[str, int] = {}  # held match id -> clock ms of the last chance
        self._revoked: set[str] = set()

    def hold(self, states: Iterable[SwapState]) -> list[str]:
        """Hold the unfunded taker swaps among `states` (those loaded at start) until the
        server confirms them; returns their ids."""
        now = self._clock()
        held = []
        for state in states:
            if needs_confirmation(state):
                mid = state.match.match_id
                self._deadlines[mid] = now + rules_for(state.match.network).resume_wait_ms
                held.append(mid)
        return held

    def confirmed(self, match_ids: Iterable[str]) -> None:
        """The server listed these matches as live (not revoked)."""
        for mid in match_ids:
            if mid not in self._revoked:
                self._deadlines.pop(mid, None)

    def revoked(self, match_id: str) -> None:
        """The server says the match is revoked: it is never funded."""
        self._revoked.add(match_id)
        self._deadlines.pop(match_id, None)

    def fund_allowed(self, match_id: str) -> bool | None:
        if match_id in self._revoked:
            return False
        deadline = self._deadlines.get(match_id)
        if deadline is None:
            return True  # confirmed, or never held (a match of this run)
        return None if self._clock() <= deadline else False
