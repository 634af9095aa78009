"""Fee-rate policy: floor, cap, fallback and named speeds."""

from __future__ import annotations

import pytest

from app.wallet.fees import FeePolicy, FeeQuote, FeeSpeed, fee_rate, target_blocks
from dexproto.assets import Network, get_asset
from tests.fakes.chain_backends import EstimateOnly


def test_floor_comes_from_the_min_relay_fee() -> None:
    assert FeePolicy.for_asset(get_asset("btc", Network.MAINNET)).floor == 1
    assert FeePolicy.for_asset(get_asset("ltc", Network.MAINNET)).floor == 10


def test_defaults_per_asset_and_network() -> None:
    btc = FeePolicy.for_asset(get_asset("btc", Network.MAINNET))
    ltc = FeePolicy.for_asset(get_asset("ltc", Network.MAINNET))
    assert (btc.cap, btc.fallback) == (1000, 10)
    assert (ltc.cap, ltc.fallback) == (2000, 20)
    # Regtest fallbacks clear a Litecoin stand-in node's 10 atoms/vB relay minimum.
    assert FeePolicy.for_asset(get_asset("btc", Network.REGTEST)).fallback >= 10
    # A default fallback is kept inside a lower configured cap.
    assert FeePolicy.for_asset(get_asset("btc", Network.MAINNET), cap=5).fallback == 5


def test_quote_clamps_and_falls_back() -> None:
    policy = FeePolicy(floor=10, cap=500, fallback=20)
    assert policy.quote(None) == FeeQuote(20, estimated=False, clamped=False)
    assert policy.quote(37) == FeeQuote(37, estimated=True, clamped=False)
    assert policy.quote(3) == FeeQuote(10, estimated=True, clamped=True)
    assert policy.quote(90_000) == FeeQuote(500, estimated=True, clamped=True)


def test_inconsistent_policy_is_refused() -> None:
    with pytest.raises(ValueError):
        FeePolicy(floor=0, cap=10, fallback=5)
    with pytest.raises(ValueError):
        FeePolicy(floor=20, cap=10, fallback=15)
    with pytest.raises(ValueError):
        FeePolicy.for_asset(get_asset("ltc", Network.MAINNET), cap=5)
    with pytest.raises(ValueError):
        FeePolicy.for_asset(get_asset("btc", Network.MAINNET), cap=50, fallback=80)


def test_named_speeds() -> None:
    assert [target_blocks(s) for s in FeeSpeed] == [2, 6, 24]
    assert target_blocks("slow") == 24
    assert target_blocks(3) == 3
    for bad in ("warp", 0, True):
        with pytest.raises(ValueError):
            target_blocks(bad)


async def test_fee_rate_asks_the_backend_for_the_speed_target() -> None:
    policy = FeePolicy(floor=1, cap=1000, fallback=10)
    backend = EstimateOnly(42)
    assert await fee_rate(backend, policy, FeeSpeed.FAST) == FeeQuote(42, True, False)
    assert await fee_rate(backend, policy) == FeeQuote(42, True, False)
    assert backend.asked == [2, 6]
    assert (await fee_rate(EstimateOnly(None), policy, "slow")).rate == 10
