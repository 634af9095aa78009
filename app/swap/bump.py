"""Fee bumping of our redeem by replacement (BIP125): when, and to what rate. Pure, no I/O.

Why it matters: once our redeem is in the mempool the secret is public. If it sits there
until the counterparty's lock time passes, the counterparty can redeem our contract with that
secret AND refund theirs. So an unconfirmed redeem is re-signed at a higher rate:

  * when `after_blocks` blocks were found on their chain since we signed the current version
    (miners passed it over), or
  * in the safety margin: their chain's median-time-past is within 1/`margin_divisor` of the
    window we had when we first signed (lock time - MTP then), or within `min_margin_s`
    seconds of the lock time; there we bump after every block.

The new rate is the highest of the node's next-block estimate, the old rate x 3/2 and the
old rate + the incremental relay fee (BIP125 rules 3, 4 and 6: a higher absolute fee and fee
rate, paying for its own relay; every version has the same shape and size estimate, so a
higher rate is a higher fee). It is capped so the fee never exceeds half of what we redeem
(`max_fee_share`): beyond that the bump is worth less than what it protects only in the
pathological case, and a runaway estimate cannot burn the swap. At the cap, no more bumps.

A version the node refused for its fee (`refused_for_fee`: below the relay or mempool minimum,
e.g. a presigned refund after a fee spike) is not a replacement, since nothing of ours is in
the mempool: it is re-signed at once at `refused_rate`, above the node's minimum (M2). The
clock of `after_blocks` starts only once a version is known to the node: blocks found while
nothing of ours was in a mempool did not pass it over.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BumpPolicy:
    after_blocks: int = 2  # blocks without confirmation before a bump
    margin_divisor: int = 4  # the last 1/4 of the window is the safety margin
    min_margin_s: int = 2 * 3600  # and at least the last two hours before their lock time
    step_num: int = 3  # each bump raises the rate at least x step_num / step_den
    step_den: int = 2
    max_fee_share_den: int = 2  # the fee never exceeds value / max_fee_share_den
    # False where the node refused a replacement (Litecoin Core 0.21 runs with
    # -mempoolreplacement=0 by default): more versions would only be refused too.
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.after_blocks < 1 or self.margin_divisor < 1 or self.min_margin_s < 0:
            raise ValueError("bad bump policy")
        if self.step_num <= self.step_den or self.max_fee_share_den < 1:
            raise ValueError("bad bump policy")


DEFAULT_BUMP = BumpPolicy()


@dataclass(frozen=True)
class RedeemClock:
    """Where the current redeem version stands: their chain's tip when it was signed, their
    MTP when the first version was signed, and their contract's lock time."""

    signed_height: int
    first_mtp: int
    lock_time: int


def in_safety_margin(clock: RedeemClock, mtp: int, policy: BumpPolicy = DEFAULT_BUMP) -> bool:
    window = max(0, clock.lock_time - clock.first_mtp)
    margin = max(window // policy.margin_divisor, policy.min_margin_s)
    return clock.lock_time - mtp <= margin


def bump_due(clock: RedeemClock, tip: int, mtp: int, policy: BumpPolicy = DEFAULT_BUMP) -> bool:
    """Whether to re-sign the unconfirmed redeem now (their chain at `tip`, `mtp`)."""
    if not policy.enabled:
        return False
    blocks = tip - clock.signed_height
    if blocks >= policy.after_blocks:
        return True
    return blocks >= 1 and in_safety_margin(clock, mtp, policy)


def max_rate(value: int, vsize: int, policy: BumpPolicy = DEFAULT_BUMP) -> int:
    """The highest rate whose fee stays within the cap (value / max_fee_share_den)."""
    return (value // policy.max_fee_share_den) // vsize


# The node's reject reasons that mean "pay more" (Bitcoin Core / Litecoin Core wording). Not
# "insufficient fee": that is a replacement refused under BIP125, with a version in the mempool.
_FEE_REASONS = (
    "min relay fee not met",
    "mempool min fee not met",
    "mempool full",
    "min fee not met",
)


def refused_for_fee(reason: str | None) -> bool:
    """Whether the node's refusal `reason` (None: not refused) was about the fee rate."""
    return reason is not None and any(r in reason.lower() for r in _FEE_REASONS)


def refused_rate(
    old_rate: int,
    estimate: int | None,
    floor: int | None,
    incremental: int,
    value: int,
    vsize: int,
    policy: BumpPolicy = DEFAULT_BUMP,
) -> int | None:
    """The rate to re-sign a version the node refused for its fee: the highest of the
    estimate, the node's minimum `floor` + a margin (a tenth, at least the incremental relay
    fee: the minimum keeps moving in a spike) and the old rate + the increment; without a
    floor, at least old rate x 3/2. Capped as `next_rate`; None when the cap is below what
    the node takes, or leaves nothing above the old rate (the stored version stays)."""
    step = max(1, incremental)
    want = max(estimate or 0, old_rate + step)
    if floor is not None:
        want = max(want, floor + max(step, -(-floor // 10)))
    else:
        want = max(want, -(-old_rate * policy.step_num // policy.step_den))
    rate = min(want, max_rate(value, vsize, policy))
    if rate <= old_rate or (floor is not None and rate < floor):
        return None
    return rate


def next_rate(
    old_rate: int,
    estimate: int | None,
    incremental: int,
    value: int,
    vsize: int,
    policy: BumpPolicy = DEFAULT_BUMP,
) -> int | None:
    """The replacement's rate in atoms/vB, or None when the cap leaves no room for a valid
    replacement (the current version stays; it is as good as we are willing to pay)."""
    stepped = -(-old_rate * policy.step_num // policy.step_den)  # ceiling, integers only
    want = max(estimate or 0, stepped, old_rate + max(1, incremental))
    rate = min(want, max_rate(value, vsize, policy))
    if rate < old_rate + max(1, incremental):
        return None
    return rate
