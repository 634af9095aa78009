"""Is a node in step with its chain? (review M6; no I/O)

Every time-critical step reads a chain's clock from our node: the maker reveals while the
taker chain's median-time-past leaves the margin, the taker funds while the maker's chain
leaves the gap, a refund goes out at our chain's lock time. A node that is behind (in initial
block download, restarted after days, stuck, eclipsed) shows an old clock, so before those
steps the engine checks the node's tip against our own clock (`rules.max_tip_age_s`); a node
behind makes the step wait and the user is told which node and by how much.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.safety.rules import rules_for
from app.wallet.backends.base import SyncState
from dexproto.assets import get_asset


@dataclass(frozen=True)
class NodeLag:
    """A node that is behind: its chain, how old its tip is on our clock, whether it says it
    is in initial block download."""

    asset: str  # symbol, e.g. "ltc"
    age_s: int
    initial_download: bool

    def message(self) -> str:
        text = f"{self.asset.upper()} node is behind: its tip is {_age(self.age_s)} old"
        return f"{text} (initial block download)" if self.initial_download else text


def node_lag(asset: str, network: str, sync: SyncState, now_ms: int) -> NodeLag | None:
    """None when the node is in step; else how it is behind."""
    age = max(0, now_ms // 1000 - sync.tip_time)
    bound = rules_for(network).max_tip_age_s(get_asset(asset, network).block_seconds)
    if sync.initial_download or age > bound:
        return NodeLag(asset, age, sync.initial_download)
    return None


def _age(seconds: int) -> str:
    """'3 h 10 min', '45 min', '30 s'."""
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    if seconds >= 60:
        return f"{seconds // 60} min"
    return f"{seconds} s"
