"""Resume every unfinished swap from the store: on launch, with no user action needed.

Resuming is just running the driver loop again: each state's transition first looks at the
chains, so a swap interrupted anywhere continues from what actually happened (our init already
broadcast, the counterparty redeemed, the lock time passed) and only repeats idempotent actions.
"""

from __future__ import annotations

import logging

from app.swap.engine import SwapEngine
from app.swap.states import state_name

log = logging.getLogger(__name__)


def resume_all(engine: SwapEngine) -> list[str]:
    """Start the loop of every non-terminal swap; returns their match ids."""
    resumed = []
    for state in engine.store.pending():
        match_id = state.match.match_id
        log.info("resuming swap %s in %s", match_id[:8], state_name(state))
        engine.start(match_id)
        resumed.append(match_id)
    return resumed
