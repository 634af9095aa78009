"""The safety constants that apply to one swap, for its card on the Swaps screen (no Qt here).

From the stored match alone (network, role, match time, lock durations, the server's
`swapconf`) and the client's rules (app/safety/rules.py):
- both refund times: the contract's own lock time where it is known (ours once prepared,
  theirs once audited), else the one the match sets (match time + the role's duration);
- the reveal margin (a maker reveals its secret only while the taker's lock time is at least
  this far ahead of the taker chain's time) and the fund margin (a taker funds only while its
  own lock time is at least this far ahead of now); `ours_margin` names the one our role obeys;
- the confirmations of the other side's contract we wait for: the server's `swapconf`, at
  least the client's own minimum for that chain (the user's minimum is taken into `swapconf`
  when the match is accepted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.safety.rules import client_swap_confs, rules_for
from app.swap.states import Role, SwapState, ours_of, theirs_of
from dexproto.htlc import maker_lock_time, taker_lock_time


@dataclass(frozen=True)
class SwapSafety:
    our_lock_time: int  # unix seconds: when our contract can be refunded
    their_lock_time: int  # unix seconds: when theirs can
    reveal_margin_s: int
    fund_margin_s: int
    ours_margin: str  # "reveal" (maker) or "fund" (taker)
    confirmations: int  # of their contract, before we act on it
    their_asset: str


def swap_safety(state: SwapState) -> SwapSafety:
    m = state.match
    maker = maker_lock_time(m.match_time_ms, m.maker_lock_ms)
    taker = taker_lock_time(m.match_time_ms, m.taker_lock_ms)
    ours, theirs = ours_of(state), theirs_of(state)
    is_maker = m.role is Role.MAKER
    rules = rules_for(m.network)
    return SwapSafety(
        our_lock_time=ours.contract.lock_time
        if ours is not None
        else (maker if is_maker else taker),
        their_lock_time=theirs.contract.lock_time
        if theirs is not None
        else (taker if is_maker else maker),
        reveal_margin_s=rules.reveal_margin_s(m.taker_lock_ms),
        fund_margin_s=rules.fund_margin_s(m.taker_lock_ms),
        ours_margin="reveal" if is_maker else "fund",
        confirmations=max(m.their_swap_conf, client_swap_confs(m.their_asset, m.network)),
        their_asset=m.their_asset,
    )


def utc_text(unix_s: int) -> str:
    """'2026-12-02 18:40 UTC': lock times are chain times, the same for both sides."""
    return datetime.fromtimestamp(unix_s, UTC).strftime("%Y-%m-%d %H:%M UTC")


def span_text(seconds: int) -> str:
    """'6h', '1h 30m', '1m', '30s', '1m 30s': a margin's length."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h"] if hours else []
    if minutes:
        parts.append(f"{minutes}m")
    if secs or not parts:
        parts.append(f"{secs}s")
    return " ".join(parts)
