"""Match terms checked against our own stored order before anything is stored, acked or funded
(C1, C4, M1, L4 of the security review).

The server chooses every number of a `match`: quantity, rate, fee rate, role, match time. It
may also collude with the counterparty. Unchecked, it could fill a cancelled order, fill one
a thousand times over, at 1 % of our limit, or make a market order the maker. `refusal` is
pure: it answers why a match is refused, in the user's words, or None.

Rules (each a client constant or our own order, never a server value):
- the order is live (not final), was placed on this server, and its market is the server's;
- quantity is a positive lot multiple and, with every match already stored for the order
  (revoked ones too: a revoked match does not return to the book), at most the order's
  quantity; for a market buy the quote total of its matches stays within its quote amount;
- the rate is a positive rate-step multiple and, for a limit order, no worse than the limit
  (sell: rate >= limit, buy: rate <= limit);
- a market or immediate order is never the maker;
- both swap amounts are positive atoms;
- the match time is within the network's clock skew of our clock, and the server's lock
  durations pass the network's rules (app/safety/rules.py).
The fee side (`fee_refusal`) is checked with the node's bounds: the init/refund rate and the
redeem rate inside app/safety/fee_rates.py's bounds, the init/refund rate not below the
server's own advertised rate, and the worst-case fees within the user's share of the value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.client.order_store import FINAL, OrderRecord
from app.safety.fee_rates import FeeBounds
from app.safety.limits import SafetyLimits
from app.safety.rules import client_swap_confs, rules_for
from app.swap.htlc_tx import init_vsize, redeem_vsize, refund_vsize
from dexproto.address import p2wpkh_script
from dexproto.assets import format_amount, format_atoms
from dexproto.messages import AssetInfo, ConfigResult
from dexproto.rules import quote_amount

CONTRACT_SIZE = 97  # bytes of a §9 contract with a 4-byte lock time
_P2WPKH = p2wpkh_script(bytes(20))  # the shape of every script we pay to


@dataclass(frozen=True)
class MatchTerms:
    """The numbers of one match as the server states them (a `match` note or a resync)."""

    match_id: str
    quantity: int  # base atoms
    rate: int  # quote atoms per 10^8 base atoms
    role: str  # maker | taker
    feerate: int  # atoms/vB for our init and refund
    servertime: int  # ms


@dataclass(frozen=True)
class PriorMatch:
    """A match already stored for the order."""

    match_id: str
    quantity: int
    rate: int


def swap_amounts(order: OrderRecord, quantity: int, rate: int) -> tuple[int, int]:
    """(atoms we pay, atoms we receive) for `quantity` base atoms at `rate`."""
    base, quote = quantity, quote_amount(quantity, rate)
    return (base, quote) if order.side == "sell" else (quote, base)


def required_confs(config: ConfigResult, asset: str, network: str, limits: SafetyLimits) -> int:
    """Confirmations of the counterparty's contract before we act on it (M1): the most of the
    server's `swapconf`, the client's own minimum for the chain and the user's setting."""
    server = _asset(config, asset).swapconf
    return max(server, client_swap_confs(asset, network), limits.min_confs.get(asset, 0))


def _asset(config: ConfigResult, symbol: str) -> AssetInfo:
    for asset in config.assets:
        if asset.symbol == symbol:
            return asset
    raise KeyError(symbol)


def refusal(
    order: OrderRecord,
    prior: Sequence[PriorMatch],
    terms: MatchTerms,
    config: ConfigResult,
    *,
    dex_url: str,
    network: str,
    now_ms: int,
) -> str | None:
    """Why the server's match of `order` is refused, or None. `prior` holds the matches
    already stored for the order (this one left out)."""
    if order.dex_url != dex_url:
        return f"the order was placed on {order.dex_url}, not on this server"
    if not any(
        m.name == order.market and m.base == order.base and m.quote == order.quote
        for m in config.markets
    ):
        return f"the server does not list the order's market {order.market}"
    if order.status in FINAL:
        return f"the order is {order.status}: it takes no more matches"
    try:
        lot, step = _asset(config, order.base).lotsize, _asset(config, order.quote).ratestep
    except KeyError as exc:
        return f"the server does not list the asset {exc.args[0]}"
    problem = (
        _quantity_problem(order, prior, terms, lot)
        or _rate_problem(order, terms, step)
        or _role_problem(order, terms)
        or _clock_problem(terms, config, network, now_ms)
    )
    if problem is not None:
        return problem
    ours, theirs = swap_amounts(order, terms.quantity, terms.rate)
    if ours <= 0 or theirs <= 0:
        return (
            f"the match of {format_atoms(terms.quantity)} {order.base.upper()} at "
            f"{format_atoms(terms.rate)} comes to nothing on one side"
        )
    return None


def _quantity_problem(
    order: OrderRecord, prior: Sequence[PriorMatch], terms: MatchTerms, lot: int
) -> str | None:
    base = order.base.upper()
    if terms.quantity <= 0 or terms.quantity % lot:
        return (
            f"the server matched {format_amount(terms.quantity, base)}, not a multiple "
            f"of the lot size {format_amount(lot, base)}"
        )
    market_buy = order.otype == "market" and order.side == "buy"
    if market_buy:  # sized in quote atoms (§7)
        spent = sum(quote_amount(p.quantity, p.rate) for p in prior)
        total = spent + quote_amount(terms.quantity, terms.rate)
        if total > order.quantity:
            quote = order.quote.upper()
            return (
                f"the server matched {format_amount(total, quote)} in all, more than "
                f"the order's {format_amount(order.quantity, quote)}"
            )
        return None
    matched = sum(p.quantity for p in prior)
    if matched + terms.quantity > order.quantity:
        left = order.quantity - matched
        return (
            f"the server matched {format_amount(terms.quantity, base)}, more than the "
            f"{format_amount(max(left, 0), base)} left of the order"
        )
    return None


def _rate_problem(order: OrderRecord, terms: MatchTerms, step: int) -> str | None:
    price = f"{order.quote.upper()} per {order.base.upper()}"
    if terms.rate <= 0 or terms.rate % step:
        return (
            f"the server's rate {format_atoms(terms.rate)} {price} is not a multiple of "
            f"the rate step {format_atoms(step)}"
        )
    if order.otype != "limit":
        return None
    worse = terms.rate < order.rate if order.side == "sell" else terms.rate > order.rate
    if worse:
        return (
            f"the server offered {format_atoms(terms.rate)} {price}, worse than your "
            f"limit {format_atoms(order.rate)}"
        )
    return None


def _role_problem(order: OrderRecord, terms: MatchTerms) -> str | None:
    if terms.role not in ("maker", "taker"):
        return f"unknown role {terms.role!r}"
    if terms.role == "maker" and (order.otype == "market" or order.tif == "immediate"):
        kind = "a market" if order.otype == "market" else "an immediate"
        return f"the server made {kind} order the maker; such an order only ever takes"
    return None


def _clock_problem(
    terms: MatchTerms, config: ConfigResult, network: str, now_ms: int
) -> str | None:
    rules = rules_for(network)
    skew = terms.servertime - now_ms
    if abs(skew) > rules.clock_skew_ms:
        direction = "ahead of" if skew > 0 else "behind"
        return (
            f"the server's match time is {abs(skew) // 1000} s {direction} our clock "
            f"(at most {rules.clock_skew_ms // 1000} s allowed)"
        )
    lock = rules.lock_problem(config.locktimes.maker, config.locktimes.taker)
    if lock is not None:
        return f"the server's lock times are unsafe: {lock}"
    return None


def fee_refusal(
    order: OrderRecord,
    terms: MatchTerms,
    config: ConfigResult,
    *,
    ours: FeeBounds,
    theirs: FeeBounds,
    limits: SafetyLimits,
) -> str | None:
    """Why the match's fees are refused, or None. `ours`/`theirs`: the bounds on the chain
    of what we pay (init, refund) and of what we receive (redeem)."""
    our_asset, their_asset = ours.asset.symbol, theirs.asset.symbol
    advertised = _asset(config, our_asset).feerate
    if terms.feerate < advertised:
        return (
            f"the match's {our_asset.upper()} fee rate {terms.feerate} atoms/vB is below "
            f"the server's own minimum {advertised}: its server would refuse our init"
        )
    redeem_rate = _asset(config, their_asset).feerate
    problem = ours.problem(terms.feerate, "our swap transactions") or theirs.problem(
        redeem_rate, "our redeem"
    )
    if problem is not None:
        return problem
    paid, received = swap_amounts(order, terms.quantity, terms.rate)
    our_fees = (init_vsize(1, 1, _P2WPKH) + refund_vsize(CONTRACT_SIZE, _P2WPKH)) * terms.feerate
    redeem_fee = redeem_vsize(CONTRACT_SIZE, _P2WPKH) * redeem_rate
    # our_fees/paid + redeem_fee/received > share, in integers
    limit = limits.max_fee_share_bp
    if (our_fees * received + redeem_fee * paid) * 10_000 > limit * paid * received:
        share = (our_fees * received + redeem_fee * paid) * 10_000 // (paid * received)
        return (
            f"the swap's fees could take {_percent(share)} of its value "
            f"({format_amount(our_fees, our_asset)} + {format_amount(redeem_fee, their_asset)}"
            f"), more than your {_percent(limit)}"
        )
    return None


def _percent(bp: int) -> str:
    """Basis points as '2.50 %' (integers only)."""
    return f"{bp // 100}.{bp % 100:02d} %"
