"""Client-side check of a `match_data` notification (spec §8).

The client verifies at least that its own orders of the epoch are listed, that the list is
sorted ascending without duplicates, and that the seed is SHA256 over that list; it then
re-runs the shuffle so the UI can show where each of its orders was processed. Problems are
returned as data (not raised): a mismatch is reported to the user, the feed carries on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from dexproto.epoch import match_seed, shuffle
from dexproto.feed_messages import MatchDataNote


class Problem(StrEnum):
    WRONG_MARKET = "wrong_market"
    WRONG_EPOCH = "wrong_epoch"
    NOT_SORTED = "not_sorted"
    DUPLICATE_IDS = "duplicate_ids"
    BAD_SEED = "bad_seed"
    MISSING_ORDER = "missing_order"


@dataclass(frozen=True)
class FairnessIssue:
    problem: Problem
    detail: str
    order_id: bytes | None = None


@dataclass(frozen=True)
class FairnessReport:
    """`shuffled` is the processing order the protocol mandates (sorted unique IDs shuffled
    with the correct seed); `positions` maps each of our listed orders to its index there."""

    marketid: int
    epoch: int
    issues: tuple[FairnessIssue, ...]
    shuffled: tuple[bytes, ...]
    positions: dict[bytes, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.issues


def check_match_data(
    data: MatchDataNote,
    our_order_ids: Iterable[bytes],
    *,
    marketid: int | None = None,
    epoch: int | None = None,
) -> FairnessReport:
    """Check `data` against the IDs of our orders placed in that epoch (and, when given,
    the market and epoch we expected it for)."""
    issues: list[FairnessIssue] = []
    if marketid is not None and data.marketid != marketid:
        issues.append(
            FairnessIssue(
                Problem.WRONG_MARKET, f"match data for market {data.marketid}, expected {marketid}"
            )
        )
    if epoch is not None and data.epoch != epoch:
        issues.append(
            FairnessIssue(
                Problem.WRONG_EPOCH, f"match data for epoch {data.epoch}, expected {epoch}"
            )
        )

    listed = list(data.orderids)
    unique = sorted(set(listed))
    if len(unique) != len(listed):
        issues.append(
            FairnessIssue(
                Problem.DUPLICATE_IDS, f"{len(listed) - len(unique)} order ID(s) listed twice"
            )
        )
    elif listed != unique:
        issues.append(FairnessIssue(Problem.NOT_SORTED, "order IDs are not sorted ascending"))

    seed = match_seed(unique)
    if data.seed != seed:
        issues.append(
            FairnessIssue(
                Problem.BAD_SEED, f"seed {data.seed.hex()} is not SHA256 of the order IDs"
            )
        )

    present = set(unique)
    ours = list(dict.fromkeys(our_order_ids))  # keep the caller's order, drop repeats
    for oid in ours:
        if oid not in present:
            issues.append(
                FairnessIssue(
                    Problem.MISSING_ORDER, f"our order {oid.hex()[:16]}… is not listed", oid
                )
            )

    shuffled = tuple(shuffle(unique, seed))
    index = {oid: i for i, oid in enumerate(shuffled)}
    positions = {oid: index[oid] for oid in ours if oid in index}
    return FairnessReport(data.marketid, data.epoch, tuple(issues), shuffled, positions)
