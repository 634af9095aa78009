"""The client's own timing rules of a swap, applied by the transitions (no I/O).

Constants are the network's `NetworkRules` (app/safety/rules.py), never the server's:

- the taker accepts a maker contract only if its lock time leaves the gap after our own
  (`min_maker_lock`): the window in which we, holding the secret, redeem the maker's contract
  after the maker redeemed ours and before the maker can refund;
- the maker starts its redeem (reveals the secret) only while the taker's lock time is at
  least `reveal_margin_s` ahead of the taker chain's median-time-past (`reveal_refusal`);
- the taker funds only while its own lock time is `fund_margin_s` ahead of now, the maker's
  lock time still leaves the gap after max(now, the maker chain's MTP), and at most
  `btimeout_ms` after the maker's contract got its confirmations (`fund_refusal`).

Times are UNIX seconds (lock times, MTP) unless the name ends in `_ms`.
"""

from __future__ import annotations

from app.safety.rules import rules_for
from app.swap.states import Match
from dexproto.htlc import taker_lock_time, taker_min_maker_lock_time

KEPT = "the secret is kept; our coins come back at our lock time"


def span(seconds: int) -> str:
    """'2 h 5 min', '2 min 30 s', '40 s': the two largest units, for refusal texts."""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((hours, "h"), (minutes, "min"), (secs, "s")) if n]
    return " ".join(parts[:2]) or "0 s"


def _ceil_s(ms: int) -> int:
    return -(-ms // 1000)


def gap_s(m: Match) -> int:
    return _ceil_s(rules_for(m.network).gap_ms(m.taker_lock_ms))


def min_maker_lock(m: Match) -> int:
    """Earliest maker lock time the taker accepts: the match's maker lock time − 1 min and,
    whatever durations the server configured, our own lock time + the network's gap."""
    return taker_min_maker_lock_time(
        m.match_time_ms,
        m.maker_lock_ms,
        m.taker_lock_ms,
        rules_for(m.network).gap_ms(m.taker_lock_ms),
    )


def reveal_refusal(m: Match, taker_lock: int, their_mtp: int) -> str | None:
    """Why the maker must not start its redeem now, or None. A redeem that confirms after the
    taker can refund lets the taker take both sides."""
    margin = rules_for(m.network).reveal_margin_s(m.taker_lock_ms)
    left = taker_lock - their_mtp
    if left >= margin:
        return None
    if left <= 0:
        return f"the taker's contract expired: {KEPT}"
    return (
        f"the taker's contract expires in {span(left)} on its chain, less than the "
        f"{span(margin)} our redeem needs to confirm safely: {KEPT}"
    )


def fund_refusal(
    m: Match, maker_lock: int, now_ms: int, their_mtp: int | None, confirmed_ms: int | None
) -> str | None:
    """Why the taker must not fund now, or None (see the module docstring)."""
    rules = rules_for(m.network)
    now = now_ms // 1000
    ours = taker_lock_time(m.match_time_ms, m.taker_lock_ms)
    margin = rules.fund_margin_s(m.taker_lock_ms)
    if ours - now < margin:
        return (
            f"too late to fund: our contract could be refunded in {span(ours - now)}, "
            f"less than {span(margin)} from now"
        )
    left = maker_lock - max(now, their_mtp or 0)
    if left < gap_s(m):
        return (
            f"too late to fund: the maker can refund its contract in {span(left)}, less "
            f"than the {span(gap_s(m))} we need to redeem it after the maker redeems ours"
        )
    if confirmed_ms is not None and now_ms - confirmed_ms > rules.btimeout_ms:
        return (
            f"too late to fund: the maker's contract was confirmed "
            f"{span((now_ms - confirmed_ms) // 1000)} ago, more than the "
            f"{span(rules.btimeout_ms // 1000)} the server waits for us"
        )
    return None
