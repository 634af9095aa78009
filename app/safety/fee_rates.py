"""Bounds on every fee rate a server names (C2 of the security review).

A server chooses the fee rate of our init and refund (`match.feerate`), of our redeem
(`assets[].feerate`) and of the registration payment. Unchecked, one `match` with a huge rate
burns about twice the swap's value in fees with no counterparty at all; one below what the node
relays leaves an init that never confirms, its coins locked. So a rate is used only inside
[floor, ceiling] for its chain:

- floor: what our node relays and keeps now (`min_fee_rate`, the mempool minimum after a fee
  spike), at least the asset's relay floor;
- ceiling: min(the user's maximum for the chain, `fee_estimate_factor` × the node's next-blocks
  estimate when it has one), never below the floor.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.safety.limits import SafetyLimits
from app.safety.rules import rules_for
from app.wallet.backends.base import ChainBackend
from app.wallet.fees import FeePolicy
from dexproto.assets import AssetParams

ESTIMATE_TARGET = 2  # blocks: the estimate a server rate is compared with


@dataclass(frozen=True)
class FeeBounds:
    asset: AssetParams
    floor: int  # atoms/vB
    ceiling: int  # atoms/vB
    user_max: int  # the user's maximum for this chain
    estimate: int | None  # the node's estimate, if it has one

    def problem(self, rate: int, what: str) -> str | None:
        """Why `rate` (for `what`, e.g. "our init and refund") is refused, or None."""
        ticker = self.asset.ticker
        if rate < self.floor:
            return (
                f"the server's {ticker} fee rate for {what} is {rate} atoms/vB, below the "
                f"{self.floor} atoms/vB our node relays"
            )
        if rate > self.ceiling:
            why = (
                "your limit"
                if self.ceiling >= self.user_max
                else f"{rules_for(self.asset.network).fee_estimate_factor} × the node's "
                f"estimate of {self.estimate}"
            )
            return (
                f"the server's {ticker} fee rate for {what} is {rate} atoms/vB, above "
                f"{self.ceiling} atoms/vB ({why})"
            )
        return None


def bounds_from(
    asset: AssetParams, limits: SafetyLimits, node_floor: int | None, estimate: int | None
) -> FeeBounds:
    """Pure: the bounds for one chain from the node's answers (None: not known)."""
    floor = max(FeePolicy.for_asset(asset).floor, node_floor or 0)
    ceiling = limits.max_fee_rate[asset.symbol]
    if estimate is not None and estimate > 0:
        ceiling = min(ceiling, rules_for(asset.network).fee_estimate_factor * estimate)
    return FeeBounds(asset, floor, max(ceiling, floor), limits.max_fee_rate[asset.symbol], estimate)


async def fee_bounds(backend: ChainBackend, asset: AssetParams, limits: SafetyLimits) -> FeeBounds:
    """Ask the node for its relay floor and estimate; BackendError propagates (the caller
    refuses: without our node we cannot judge a rate)."""
    node_floor = await backend.min_fee_rate()
    estimate = await backend.estimate_fee_rate(ESTIMATE_TARGET)
    return bounds_from(asset, limits, node_floor, estimate)
