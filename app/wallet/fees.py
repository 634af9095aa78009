"""Fee-rate policy: the node's estimate, kept between a floor and a cap. Integer atoms/vbyte.

* floor: the asset's minimum relay fee (atoms per 1000 vB) in atoms/vB, rounded up, at
  least 1 -- a lower rate would not even be relayed;
* cap: a sanity limit against a broken or hostile estimate;
* fallback: used when the node has no estimate (regtest, a freshly started node).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.wallet.backends.base import ChainBackend
from dexproto.assets import AssetParams, Network


class FeeSpeed(StrEnum):
    FAST = "fast"
    NORMAL = "normal"
    SLOW = "slow"


TARGET_BLOCKS: dict[FeeSpeed, int] = {FeeSpeed.FAST: 2, FeeSpeed.NORMAL: 6, FeeSpeed.SLOW: 24}

# atoms/vB. Litecoin's floor is ten times Bitcoin's (10 vs 1), its cap is kept proportionate
# to typical fees there; fallbacks are modest rates that confirm on a quiet chain.
DEFAULT_CAPS = {"btc": 1000, "ltc": 2000}
DEFAULT_FALLBACKS = {"btc": 10, "ltc": 20}
REGTEST_FALLBACK = 20


@dataclass(frozen=True)
class FeeQuote:
    rate: int  # atoms/vB, within [floor, cap]
    estimated: bool  # False: the fallback rate was used (say so in the UI)
    clamped: bool  # True: the estimate was outside [floor, cap] and was moved inside


@dataclass(frozen=True)
class FeePolicy:
    floor: int
    cap: int
    fallback: int

    def __post_init__(self) -> None:
        if not 1 <= self.floor <= self.fallback <= self.cap:
            raise ValueError(
                f"need 1 <= floor <= fallback <= cap, got {self.floor}, {self.fallback}, {self.cap}"
            )

    @classmethod
    def for_asset(
        cls, asset: AssetParams, *, cap: int | None = None, fallback: int | None = None
    ) -> FeePolicy:
        floor = max(1, -(-asset.min_relay_fee // 1000))
        cap = DEFAULT_CAPS.get(asset.symbol, 1000) if cap is None else cap
        if fallback is None:
            # Regtest: a Litecoin node may stand in for the BTC chain and it relays nothing
            # under 10 atoms/vB, so one fallback that suits both chains.
            fallback = (
                REGTEST_FALLBACK
                if asset.network is Network.REGTEST
                else DEFAULT_FALLBACKS.get(asset.symbol, 10)
            )
            fallback = min(max(fallback, floor), cap)
        return cls(floor=floor, cap=cap, fallback=fallback)

    def quote(self, estimate: int | None) -> FeeQuote:
        """Turn a backend estimate (or None) into the rate to use."""
        if estimate is None:
            return FeeQuote(self.fallback, estimated=False, clamped=False)
        rate = self.clamp(estimate)
        return FeeQuote(rate, estimated=True, clamped=rate != estimate)

    def clamp(self, rate: int) -> int:
        return min(max(rate, self.floor), self.cap)


def target_blocks(speed: FeeSpeed | str | int) -> int:
    """Confirmation target for a named speed, or a block count given directly (>= 1)."""
    if isinstance(speed, bool):
        raise ValueError(f"unknown fee speed {speed!r}")
    if isinstance(speed, int):
        if speed < 1:
            raise ValueError("the confirmation target must be at least 1 block")
        return speed
    try:
        return TARGET_BLOCKS[FeeSpeed(speed)]
    except ValueError:
        names = ", ".join(s.value for s in FeeSpeed)
        raise ValueError(f"unknown fee speed {speed!r} (use one of: {names})") from None


async def fee_rate(
    backend: ChainBackend, policy: FeePolicy, speed: FeeSpeed | str | int = FeeSpeed.NORMAL
) -> FeeQuote:
    """The fee rate to use now for `speed`. Backend errors propagate (the caller retries)."""
    return policy.quote(await backend.estimate_fee_rate(target_blocks(speed)))
