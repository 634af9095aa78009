"""Pure swap transitions: (state, observation) -> Step(new state, actions). No I/O.

The driver (engine.py) has the observer (observer.py) build an Observation from the chains
and the inbox, calls `transition`, persists the new state, and only then has the actor
(actor.py) perform the actions. Every handler looks at what the chains already show first
(our contract spent? refunded? the lock time passed?), so running a transition again after
a restart is always safe: actions are idempotent (broadcasting a known transaction,
re-sending a report).

Signing here is deterministic (RFC 6979) computation, not I/O. Keys are not stored: the
driver puts this match's key (and the maker's opened secret) into the observation from the
unlocked wallet; without them (wallet locked) a step that must sign waits, while stored
presigned refunds still go out.

The handlers live by path: lock_steps.py (funding, our init, the audit), redeem_steps.py
(our redeem and its fee bumps), refund_steps.py (our contract watched, the refund); what
they read and return is in steps.py. This module dispatches, and mypy proves (through
`assert_never`) that every state is handled.
"""

from __future__ import annotations

from typing import assert_never

from app.swap.lock_steps import (
    UNCONFIRMED,
    audit,
    audited,
    init_broadcast,
    init_report,
    matched,
    our_lock_time,
    prepared,
    vanished,
)
from app.swap.redeem_steps import redeeming
from app.swap.refund_steps import awaiting_refund, refunding
from app.swap.states import (
    AwaitingRefund,
    Complete,
    ContractPrepared,
    CounterpartyAudited,
    Failed,
    InitBroadcast,
    Matched,
    Redeeming,
    Refunded,
    Refunding,
    SwapState,
)
from app.swap.steps import (
    Action,
    Broadcast,
    ChainTx,
    Fund,
    Funded,
    Observation,
    RefuseAudit,
    Send,
    Side,
    Step,
    WaitForNode,
)

# The transitions' vocabulary, importable from here with `transition` itself.
__all__ = [
    "UNCONFIRMED",
    "Action",
    "Broadcast",
    "ChainTx",
    "Fund",
    "Funded",
    "Observation",
    "RefuseAudit",
    "Send",
    "Side",
    "Step",
    "WaitForNode",
    "audit",
    "init_report",
    "our_lock_time",
    "transition",
]


def transition(state: SwapState, obs: Observation) -> Step:
    """The next state and the actions to take once it is stored."""
    match state:
        case Complete() | Refunded() | Failed():
            return Step(state)
        case Matched():
            return matched(state, obs)
        case CounterpartyAudited():
            return vanished(state, obs) or audited(state, obs)
        case ContractPrepared():
            return prepared(state, obs)
        case InitBroadcast():
            return init_broadcast(state, obs)
        case Redeeming():
            return redeeming(state, obs)
        case AwaitingRefund():
            return awaiting_refund(state, obs)
        case Refunding():
            return refunding(state, obs)
        case _:
            assert_never(state)
