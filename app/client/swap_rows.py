"""What the Swaps screen shows of one swap, computed from its stored state (no Qt here).

The step tracker follows the order things happen for our role:
    maker: matched -> our init -> their init -> redeemed
    taker: matched -> their init -> our init -> redeemed
and, once our coins go back to us, the last step becomes "refunded".
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import StrEnum

from app.client.swap_safety import SwapSafety, swap_safety
from app.safety.rules import client_swap_confs
from app.swap.states import (
    Complete,
    ContractPrepared,
    CounterpartyAudited,
    Failed,
    InitBroadcast,
    Redeeming,
    Refunded,
    Refunding,
    RefundPath,
    Role,
    Stage,
    SwapState,
    describe,
    is_terminal,
    ours_of,
    stage_of,
    theirs_of,
)
from dexproto.assets import format_atoms, get_asset


class Step(StrEnum):
    MATCHED = "matched"
    OUR_INIT = "our_init"
    THEIR_INIT = "their_init"
    REDEEMED = "redeemed"
    REFUNDED = "refunded"
    FAILED = "failed"


class Mark(StrEnum):
    DONE = "done"
    ACTIVE = "active"
    TODO = "todo"
    WARN = "warn"  # the refund path
    BAD = "bad"


@dataclass(frozen=True)
class Wait:
    """A transaction the swap waits on to confirm: `need` confirmations on chain `asset`."""

    txid: str
    asset: str
    need: int
    block_seconds: int  # the chain's block interval, for an estimate of the wait
    server_rule: bool = False  # the counterparty waits for the server's swapconf of `asset`
    # (`need` is then our own rule for that chain, until the server's config is known)


@dataclass(frozen=True)
class SwapRow:
    match_id: str
    order_id: str
    role: str
    state: Stage
    terminal: bool
    steps: tuple[tuple[Step, Mark], ...]
    pay_asset: str
    pay_atoms: int
    receive_asset: str
    receive_atoms: int
    our_txid: str | None  # our init
    their_txid: str | None  # their init
    final_txid: str | None  # redeem or refund
    lock_time: int | None  # our contract's refund time, unix seconds
    created_ms: int
    updated_ms: int
    detail: str
    safety: SwapSafety | None = None  # the lock times, margins and confirmations that apply
    received_atoms: int | None = None  # what reached our wallet: the contract less the fee
    redeem_fee: int | None = None  # paid by our redeem out of the contract
    wait: Wait | None = None

    @property
    def outcome(self) -> str:
        return {
            Stage.COMPLETE: "completed",
            Stage.REFUNDED: "refunded",
            Stage.FAILED: "failed",
        }.get(self.state, "in progress")


def steps_of(state: SwapState) -> tuple[tuple[Step, Mark], ...]:
    ours, theirs = ours_of(state), theirs_of(state)
    complete = isinstance(state, Complete)
    our_done = complete or (ours is not None and not isinstance(state, ContractPrepared))
    their_done = complete or theirs is not None
    refund = isinstance(state, RefundPath)
    if isinstance(state, Refunded):
        our_done = True
    order = (
        (Step.OUR_INIT, Step.THEIR_INIT)
        if state.match.role is Role.MAKER
        else (Step.THEIR_INIT, Step.OUR_INIT)
    )
    done = {Step.MATCHED: True, Step.OUR_INIT: our_done, Step.THEIR_INIT: their_done}
    marks: list[tuple[Step, Mark]] = [(Step.MATCHED, Mark.DONE)]
    active_given = is_terminal(state) or refund
    for step in order:
        if done[step]:
            marks.append((step, Mark.DONE))
        elif not active_given:
            marks.append((step, Mark.ACTIVE))
            active_given = True
        else:
            marks.append((step, Mark.TODO))
    if refund:
        marks.append((Step.REFUNDED, Mark.DONE if isinstance(state, Refunded) else Mark.WARN))
    elif isinstance(state, Failed):
        marks.append((Step.FAILED, Mark.BAD))
    elif complete:
        marks.append((Step.REDEEMED, Mark.DONE))
    else:
        mark = Mark.ACTIVE if isinstance(state, Redeeming) or not active_given else Mark.TODO
        marks.append((Step.REDEEMED, mark))
    return tuple(marks)


def wait_of(state: SwapState) -> Wait | None:
    """The confirmations the swap's next step waits for, if any: their init before we act on
    it, our init before the counterparty does, our redeem or refund until it confirms."""
    m = state.match

    def on(txid: str, asset: str, need: int, server_rule: bool = False) -> Wait:
        return Wait(txid, asset, need, get_asset(asset, m.network).block_seconds, server_rule)

    if isinstance(state, CounterpartyAudited):
        return on(state.theirs.txid, m.their_asset, m.their_swap_conf)
    if isinstance(state, InitBroadcast):
        return on(
            state.ours.init.txid,
            m.our_asset,
            client_swap_confs(m.our_asset, m.network),
            server_rule=True,
        )
    if isinstance(state, Redeeming):
        return on(state.redeem.txid, m.their_asset, 1)
    if isinstance(state, Refunding):
        return on(state.refund.txid, m.our_asset, 1)
    return None


def swap_row(state: SwapState, created_ms: int = 0, updated_ms: int = 0) -> SwapRow:
    m = state.match
    ours, theirs = ours_of(state), theirs_of(state)
    final = (
        state.redeem_txid
        if isinstance(state, Complete)
        else (state.refund_txid if isinstance(state, Refunded) else None)
    )
    # The audit took their contract at exactly their_amount; the redeem's fee came out of it.
    received = state.received if isinstance(state, Complete) else None
    fee = None if received is None else m.their_amount - received
    return SwapRow(
        match_id=m.match_id,
        order_id=m.order_id,
        role=m.role.value,
        state=stage_of(state),
        terminal=is_terminal(state),
        steps=steps_of(state),
        pay_asset=m.our_asset,
        pay_atoms=m.our_amount,
        receive_asset=m.their_asset,
        receive_atoms=m.their_amount,
        our_txid=ours.init.txid if ours is not None else None,
        their_txid=theirs.txid if theirs is not None else None,
        final_txid=final,
        lock_time=ours.contract.lock_time if ours is not None else None,
        created_ms=created_ms,
        updated_ms=updated_ms,
        detail=describe(state),
        safety=None if is_terminal(state) else swap_safety(state),  # shown on cards only
        received_atoms=received,
        redeem_fee=fee,
        wait=wait_of(state),
    )


def countdown(seconds: int) -> str:
    """1h 05m, 4m 09s, 12s: short enough for a table cell."""
    seconds = max(0, seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


CSV_HEADER = (
    "match_id",
    "order_id",
    "role",
    "result",
    "paid",
    "paid_asset",
    "received",
    "received_asset",
    "redeem_fee",
    "our_init_txid",
    "their_init_txid",
    "final_txid",
    "matched_ms",
    "finished_ms",
)


def history_csv(rows: list[SwapRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for r in rows:
        received, fee = (
            ("", "")
            if r.received_atoms is None or r.redeem_fee is None
            else (format_atoms(r.received_atoms), format_atoms(r.redeem_fee))
        )
        writer.writerow(
            (
                r.match_id,
                r.order_id,
                r.role,
                r.outcome,
                format_atoms(r.pay_atoms),
                r.pay_asset,
                received,
                r.receive_asset,
                fee,
                r.our_txid or "",
                r.their_txid or "",
                r.final_txid or "",
                r.created_ms,
                r.updated_ms,
            )
        )
    return out.getvalue()
