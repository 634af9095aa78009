"""Match terms against our own order (app/safety/match_terms.py): each rule refuses a hostile
server's number and lets the honest one through."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.client.order_store import OrderRecord
from app.safety.errors import LimitsError
from app.safety.fee_rates import bounds_from
from app.safety.limits import SafetyLimits
from app.safety.match_terms import (
    MatchTerms,
    PriorMatch,
    fee_refusal,
    refusal,
    required_confs,
)
from app.safety.rules import HOUR_MS, MINUTE_MS, rules_for
from app.safety.server_terms import server_problem
from dexproto.assets import Network, get_asset
from dexproto.messages import ConfigResult
from tests.fakes.dex_server import config

URL = "ws://127.0.0.1:7000"
NOW = 1_700_000_000_000
LOT, RATE = 1_000_000, 10_000_000  # 0.01 LTC lots at 0.1 BTC/LTC
LIMITS = SafetyLimits.default(Network.REGTEST)


def cfg(**changes: object) -> ConfigResult:
    data = config()
    data.update(changes)
    return ConfigResult.from_json(data)


def order(
    side: str = "sell",
    otype: str = "limit",
    quantity: int = 2 * LOT,
    rate: int = RATE,
    tif: str = "standing",
    status: str = "booked",
) -> OrderRecord:
    fund = "ltc" if side == "sell" else "btc"
    return OrderRecord(
        "aa" * 32,
        URL,
        "ltc_btc",
        "ltc",
        "btc",
        side,
        otype,
        quantity,
        rate,
        tif,
        "addr",
        fund,
        (),
        status=status,
    )


def terms(
    quantity: int = LOT,
    rate: int = RATE,
    role: str = "maker",
    feerate: int = 20,
    servertime: int = NOW,
) -> MatchTerms:
    return MatchTerms("bb" * 32, quantity, rate, role, feerate, servertime)


def check(
    o: OrderRecord, t: MatchTerms, prior: tuple[PriorMatch, ...] = (), c: ConfigResult | None = None
) -> str | None:
    return refusal(o, prior, t, c or cfg(), dex_url=URL, network="regtest", now_ms=NOW)


def test_an_honest_match_passes() -> None:
    assert check(order(), terms()) is None
    assert check(order(side="buy"), terms(role="taker")) is None


@pytest.mark.parametrize(
    "side,rate,word",
    [("sell", RATE - 100, "worse than your limit"), ("buy", RATE + 100, "worse than your limit")],
)
def test_a_worse_rate_is_refused(side: str, rate: int, word: str) -> None:
    reason = check(order(side=side), terms(rate=rate))
    assert reason is not None and word in reason
    assert "0.09999900" in reason or "0.10000100" in reason  # the offered price, in coins


def test_a_better_rate_is_taken() -> None:
    assert check(order(side="sell"), terms(rate=RATE + 100)) is None
    assert check(order(side="buy"), terms(rate=RATE - 100)) is None


def test_overfill_in_one_note_and_across_notes() -> None:
    assert "more than the" in (check(order(), terms(quantity=3 * LOT)) or "")
    first = PriorMatch("cc" * 32, LOT, RATE)
    assert check(order(), terms(quantity=LOT), (first,)) is None
    second = PriorMatch("dd" * 32, LOT, RATE)
    reason = check(order(), terms(quantity=LOT), (first, second))
    assert reason is not None and "0.00000000 LTC left" in reason


def test_lot_and_rate_step_multiples() -> None:
    assert "lot size" in (check(order(), terms(quantity=LOT + 7)) or "")
    assert "lot size" in (check(order(), terms(quantity=0)) or "")
    assert "rate step" in (check(order(), terms(rate=RATE + 1)) or "")


@pytest.mark.parametrize("status", ["cancelled", "executed", "failed", "revoked", "unfilled"])
def test_a_finished_order_takes_no_match(status: str) -> None:
    reason = check(order(status=status), terms())
    assert reason is not None and status in reason


def test_another_server_or_market() -> None:
    assert "not on this server" in (
        check(replace(order(), dex_url="ws://127.0.0.1:1"), terms()) or ""
    )
    other = replace(order(), market="btc_ltc", base="btc", quote="ltc")
    assert "market" in (check(other, terms()) or "")


def test_market_and_immediate_orders_never_make() -> None:
    assert "market order the maker" in (check(order(otype="market", rate=0), terms()) or "")
    assert "immediate order the maker" in (check(order(tif="immediate"), terms()) or "")
    assert check(order(otype="market", rate=0), terms(role="taker")) is None


def test_a_market_buy_stays_within_its_quote_amount() -> None:
    buy = order(side="buy", otype="market", quantity=LOT * RATE // 10**8 * 3 // 2, rate=0)
    assert check(buy, terms(role="taker")) is None
    prior = (PriorMatch("cc" * 32, LOT, RATE),)
    assert "more than the order's" in (check(buy, terms(role="taker"), prior) or "")


def test_amounts_that_round_to_nothing() -> None:
    # 0.01 LTC at 0.00000100 BTC/LTC is 0.00000001 BTC... and at 0.00000010, nothing.
    c = cfg(assets=[dict(a, ratestep=1) for a in config()["assets"]])
    reason = check(order(rate=1), terms(rate=1), c=c)
    assert reason is not None and "nothing" in reason


def test_the_match_time_must_be_near_our_clock() -> None:
    skew = rules_for("regtest").clock_skew_ms
    assert check(order(), terms(servertime=NOW + skew)) is None
    assert "ahead of our clock" in (check(order(), terms(servertime=NOW + skew + 1)) or "")
    assert "behind our clock" in (check(order(), terms(servertime=NOW - skew - 1)) or "")


@pytest.mark.parametrize(
    "maker,taker,word",
    [
        (2, 1, "outside"),  # milliseconds
        (48 * HOUR_MS, 48 * HOUR_MS, "leaves less than"),  # inverted / equal
        (80 * 365 * 24 * HOUR_MS, 40 * 365 * 24 * HOUR_MS, "outside"),  # decades
        (30 * 24 * HOUR_MS, 24 * HOUR_MS, "longer than"),  # maker a month
    ],
)
def test_unsafe_lock_times_refuse_the_server_and_its_matches(
    maker: int, taker: int, word: str
) -> None:
    data = config()
    data["locktimes"] = {"maker": maker, "taker": max(taker, 1)}
    c = ConfigResult.from_json(data) if taker < maker else None
    if c is None:  # the wire model already refuses taker >= maker
        with pytest.raises(Exception, match="shorter"):
            ConfigResult.from_json(data)
        problem = rules_for("regtest").lock_problem(maker, taker)
        assert problem is not None and word in problem
        return
    assert word in (server_problem(c, "regtest") or "")
    assert word in (check(order(), terms(), c=c) or "")


def test_real_networks_want_hours() -> None:
    rules = rules_for("mainnet")
    assert rules.lock_problem(48 * HOUR_MS, 24 * HOUR_MS) is None
    assert rules.lock_problem(20 * MINUTE_MS, 10 * MINUTE_MS) is not None  # the simnet's
    assert rules.lock_problem(25 * HOUR_MS, 24 * HOUR_MS) is not None  # gap of 1 h


def test_a_server_on_another_network() -> None:
    c = cfg(assets=[dict(a, network="mainnet") for a in config()["assets"]])
    assert "mainnet" in (server_problem(c, "regtest") or "")


def test_required_confirmations_take_the_most() -> None:
    c = cfg(assets=[dict(a, swapconf=0) for a in config()["assets"]])
    assert required_confs(c, "ltc", "regtest", LIMITS) == 1
    assert required_confs(c, "ltc", "mainnet", LIMITS) == 4  # the client's own minimum
    mine = replace(LIMITS, min_confs={"btc": 0, "ltc": 6})
    assert required_confs(c, "ltc", "mainnet", mine) == 6
    assert required_confs(cfg(), "btc", "regtest", LIMITS) == 1


def fees(
    o: OrderRecord,
    t: MatchTerms,
    *,
    floor: int | None = None,
    estimate: int | None = None,
    limits: SafetyLimits = LIMITS,
    c: ConfigResult | None = None,
) -> str | None:
    ours = bounds_from(get_asset(o.fund_asset, "regtest"), limits, floor, estimate)
    theirs = bounds_from(get_asset(o.receive_asset, "regtest"), limits, floor, estimate)
    return fee_refusal(o, t, c or cfg(), ours=ours, theirs=theirs, limits=limits)


def test_fee_rates_inside_the_bounds_pass() -> None:
    assert fees(order(), terms(feerate=20)) is None


def test_a_huge_fee_rate_is_refused() -> None:
    reason = fees(order(), terms(feerate=694_375))
    assert reason is not None and "above" in reason and "your limit" in reason


def test_a_fee_rate_far_above_the_estimate_is_refused() -> None:
    reason = fees(order(quantity=100 * LOT), terms(quantity=100 * LOT, feerate=200), estimate=20)
    assert reason is not None and "4 × the node's estimate of 20" in reason


def test_a_fee_rate_below_what_the_node_relays_is_refused() -> None:
    reason = fees(order(), terms(feerate=20), floor=25)
    assert reason is not None and "below the 25 atoms/vB our node relays" in reason


def test_a_fee_rate_below_the_servers_own_is_refused() -> None:
    reason = fees(order(), terms(feerate=9))  # the config advertises 10
    assert reason is not None and "server's own minimum" in reason


def test_a_fee_share_above_the_users_limit_is_refused() -> None:
    # Legal rate, tiny match: 0.01 LTC at 0.001 BTC/LTC is 1000 BTC atoms for our redeem.
    reason = fees(order(rate=100_000), terms(rate=100_000, feerate=20))
    assert reason is not None and "of its value" in reason and "10.00 %" in reason
    generous = replace(LIMITS, max_fee_share_bp=5000)
    assert "of its value" in (
        fees(order(rate=100_000), terms(rate=100_000), limits=generous) or ""
    )  # redeem alone is above half of 1000 atoms
    assert fees(order(), terms(), limits=generous) is None


def test_limits_validate_and_round_trip() -> None:
    limits = SafetyLimits.default(Network.MAINNET)
    assert limits.max_fee_share_bp == 300
    back = SafetyLimits.from_json(limits.to_json(), Network.MAINNET)
    assert back == limits
    with pytest.raises(LimitsError, match="fee rate"):
        SafetyLimits.from_json({"max_fee_rate": {"btc": 0}}, Network.MAINNET)
    with pytest.raises(LimitsError, match="whole number"):
        SafetyLimits.from_json({"max_fee_share_bp": "3"}, Network.MAINNET)
    with pytest.raises(LimitsError, match="fee share"):
        SafetyLimits.from_json({"max_fee_share_bp": 9000}, Network.MAINNET)
