"""Order entry without Qt: the order form's state, the §7 rules, fee estimates and the request.

Amounts are integer atoms. A rate r is quote atoms per 10^8 base atoms (per base coin); the §7
arithmetic (quote amounts, lots, fees, the buy buffer) is dexproto/rules.py, the server's own.
Funding mirrors
app.client.funding: the order is backed by the smallest single coin that covers it, else by the
largest coins until they do, and needs amount + f_base + f_utxo on the paying chain, where
f_base = lots · swapsize · feerate (worst case: one init tx per lot) and
f_utxo = coins · 68 vB · feerate. A market buy is sized in quote atoms (what it may spend) and
must reach buybuffer · lotsize · best ask / 10^8.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction

from app.trading.errors import TradingError
from dexproto.codec import MAX_COINS
from dexproto.messages import ConfigResult, Side, TimeInForce
from dexproto.rules import (
    RATE_SCALE,
    backing_fees,
    below_buy_buffer,
    market_buy_lots,
    min_market_buy,
    on_lot,
    on_rate_step,
    quote_amount,
    swap_fees,
)


class OrderKind(StrEnum):
    LIMIT = "limit"
    MARKET = "market"


class Issue(StrEnum):
    NOT_CONNECTED = "not_connected"
    NO_PRICE = "no_price"
    OFF_RATE_STEP = "off_rate_step"  # nearest = the valid rates either side
    NO_AMOUNT = "no_amount"
    OFF_LOT_SIZE = "off_lot_size"  # nearest = the valid quantities either side
    TOO_SMALL = "too_small"  # need = one lot
    NO_ASKS = "no_asks"  # a market buy has no best ask to be priced against
    BELOW_BUY_BUFFER = "below_buy_buffer"  # need = the smallest allowed spend
    INSUFFICIENT_FUNDS = "insufficient_funds"  # need = funding required, have = spendable


class Field(StrEnum):
    PRICE = "price"
    QUANTITY = "quantity"
    FORM = "form"


@dataclass(frozen=True)
class Problem:
    issue: Issue
    field: Field
    need: int = 0
    have: int = 0
    nearest: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class ChainFees:
    feerate: int  # atoms per vbyte
    swapsize: int  # vbytes of an init tx with one input and one contract output

    def swap_fees(self, lots: int) -> int:
        return swap_fees(lots, self.swapsize, self.feerate)

    def backing_fees(self, coins: int) -> int:
        return backing_fees(coins, self.feerate)


@dataclass(frozen=True)
class MarketRules:
    base: str
    quote: str
    lot_size: int  # base atoms (the base asset's lotsize)
    rate_step: int  # quote atoms (the quote asset's ratestep)
    base_fees: ChainFees
    quote_fees: ChainFees
    buy_buffer: Fraction = Fraction(5, 4)

    @property
    def name(self) -> str:
        return f"{self.base}_{self.quote}"

    @classmethod
    def from_config(cls, config: ConfigResult, base: str, quote: str) -> MarketRules:
        assets = {a.symbol: a for a in config.assets}
        b, q = assets[base], assets[quote]
        return cls(
            base,
            quote,
            b.lotsize,
            q.ratestep,
            ChainFees(b.feerate, b.swapsize),
            ChainFees(q.feerate, q.swapsize),
            Fraction(config.buybuffer),
        )

    def paying(self, side: Side) -> tuple[str, ChainFees]:
        """The asset an order of `side` spends, and its chain's fees."""
        return (self.quote, self.quote_fees) if side is Side.BUY else (self.base, self.base_fees)


def step_value(value: int, step: int, steps: int) -> int:
    """`steps` grid steps from `value`; an off-grid value first snaps in the direction of
    travel (one step up from 1.4 lots gives 2 lots, one down gives 1). Never below one step."""
    k = value // step if steps > 0 else -(-value // step)
    return max(step, (k + steps) * step)


def snap_value(value: int, step: int) -> int:
    """The nearest multiple of `step` (halves round up), at least one step."""
    return max(step, (value + step // 2) // step * step)


def _neighbours(value: int, step: int) -> tuple[int, int]:
    low = value // step * step
    return max(step, low), low + step


@dataclass(frozen=True)
class Funds:
    """Spendable coins of one asset: unlocked, with the server's `fundconf` confirmations."""

    coins: tuple[int, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.coins)

    def backing(self, need: Callable[[int], int]) -> int | None:
        """How many coins the core would pick for an order needing `need(coins)` atoms, or
        None when the coins cannot cover it (same rule as app.client.funding.pick_order_coins)."""
        if any(v >= need(1) for v in self.coins):
            return 1
        total = 0
        for n, value in enumerate(sorted(self.coins, reverse=True), 1):
            total += value
            if n > MAX_COINS:
                return None
            if total >= need(n):
                return n
        return None


@dataclass(frozen=True)
class FeeEstimate:
    asset: str  # the paying asset; its chain pays the fees
    amount: int  # what the order spends without fees
    lots: int
    swap_fees: int  # f_base
    coins: int
    backing_fees: int  # f_utxo

    @property
    def fees(self) -> int:
        return self.swap_fees + self.backing_fees

    @property
    def required(self) -> int:
        return self.amount + self.fees


@dataclass(frozen=True)
class OrderRequest:
    """What the core needs to place the order (it picks and proves the coins itself)."""

    market: str
    base: str
    quote: str
    side: Side
    kind: OrderKind
    tif: TimeInForce  # always immediate for market orders
    quantity: int  # ordersize: base atoms; quote atoms for a market buy (§7)
    rate: int  # 0 for market orders
    estimate: FeeEstimate


class InvalidOrderError(TradingError, ValueError):
    """The form's problems, listed in the message (documented in app/trading/errors.py)."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__(", ".join(p.issue.value for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class OrderFormState:
    rules: MarketRules
    side: Side = Side.BUY
    kind: OrderKind = OrderKind.LIMIT
    tif: TimeInForce = TimeInForce.STANDING
    rate: int = 0
    quantity: int = 0  # base atoms; quote atoms to spend for a market buy
    connected: bool = False
    base_funds: Funds = field(default_factory=Funds)
    quote_funds: Funds = field(default_factory=Funds)
    best_bid: int | None = None
    best_ask: int | None = None

    @property
    def market_buy(self) -> bool:
        return self.kind is OrderKind.MARKET and self.side is Side.BUY

    @property
    def quantity_asset(self) -> str:
        return self.rules.quote if self.market_buy else self.rules.base

    @property
    def funds(self) -> Funds:
        return self.quote_funds if self.side is Side.BUY else self.base_funds

    @property
    def effective_tif(self) -> TimeInForce:
        return TimeInForce.IMMEDIATE if self.kind is OrderKind.MARKET else self.tif

    def with_(self, **changes: object) -> OrderFormState:
        return replace(self, **changes)  # type: ignore[arg-type]

    def with_funds(self, asset: str, coins: tuple[int, ...]) -> OrderFormState:
        if asset == self.rules.base:
            return replace(self, base_funds=Funds(coins))
        if asset == self.rules.quote:
            return replace(self, quote_funds=Funds(coins))
        return self

    # --- stepping -----------------------------------------------------------------------
    def quantity_step(self) -> int:
        """A lot; for a market buy, one lot's worth at the best ask (any atom count is valid)."""
        if self.market_buy:
            return max(1, quote_amount(self.rules.lot_size, self.best_ask or 0))
        return self.rules.lot_size

    def step_rate(self, steps: int) -> OrderFormState:
        start = self.rate or self._reference_rate()
        if not self.rate and start:
            return replace(self, rate=start)  # the first step lands on the book's price
        return replace(self, rate=step_value(start, self.rules.rate_step, steps))

    def step_quantity(self, steps: int) -> OrderFormState:
        step = self.quantity_step()
        if self.market_buy:
            return replace(self, quantity=max(step, self.quantity + steps * step))
        return replace(self, quantity=step_value(self.quantity, step, steps))

    def snapped(self) -> OrderFormState:
        """Price and quantity moved to the nearest valid values (those that are set)."""
        rate = snap_value(self.rate, self.rules.rate_step) if self.rate else 0
        qty = self.quantity
        if qty and not self.market_buy:
            qty = snap_value(qty, self.rules.lot_size)
        return replace(self, rate=rate, quantity=qty)

    def _reference_rate(self) -> int:
        """The price an empty field steps to: the best price on the side we take from."""
        best = self.best_ask if self.side is Side.BUY else self.best_bid
        return best or self.best_bid or self.best_ask or 0

    # --- amounts ------------------------------------------------------------------------
    def lots(self) -> Fraction:
        return Fraction(0) if self.market_buy else Fraction(self.quantity, self.rules.lot_size)

    def quote_total(self) -> int | None:
        """Quote atoms the order trades: exact for a limit or market buy; for a market sell,
        an estimate at the best bid; None when unknown."""
        if self.market_buy:
            return self.quantity
        rate = self.rate if self.kind is OrderKind.LIMIT else (self.best_bid or 0)
        return quote_amount(self.quantity, rate) if rate else None

    def _plan(self) -> tuple[Callable[[int], int], Callable[[int], int]] | None:
        """(amount(units), lots(units)) of the order per unit of quantity: lots for limit
        orders and market sells, quote atoms for a market buy. None when unpriced."""
        lot = self.rules.lot_size
        if self.market_buy:
            best = self.best_ask
            if not best:
                return None
            return (lambda s: s), (lambda s: market_buy_lots(s, lot, best))
        if self.side is Side.SELL:
            return (lambda n: n * lot), (lambda n: n)
        if self.kind is OrderKind.MARKET or self.rate <= 0:
            return None
        rate = self.rate
        return (lambda n: quote_amount(n * lot, rate)), (lambda n: n)

    def _need(self, units: int) -> Callable[[int], int] | None:
        plan = self._plan()
        if plan is None:
            return None
        amount, lots = plan
        fees = self.rules.paying(self.side)[1]
        a, f = amount(units), fees.swap_fees(lots(units))
        return lambda coins: a + f + fees.backing_fees(coins)

    def _units(self) -> int:
        return self.quantity if self.market_buy else self.quantity // self.rules.lot_size

    def estimate(self) -> FeeEstimate | None:
        """Worst-case fees and the funding required, or None without a price or amount."""
        plan = self._plan()
        need = self._need(self._units())
        if plan is None or need is None or self._units() <= 0:
            return None
        asset, fees = self.rules.paying(self.side)
        coins = self.funds.backing(need) or max(1, min(len(self.funds.coins), MAX_COINS))
        amount, lots = plan[0](self._units()), plan[1](self._units())
        return FeeEstimate(
            asset, amount, lots, fees.swap_fees(lots), coins, fees.backing_fees(coins)
        )

    def max_quantity(self) -> int | None:
        """The largest valid quantity the spendable coins back, fees included (0 if none);
        None when it depends on a price that is missing."""
        if self._plan() is None:
            return None
        lot, total = self.rules.lot_size, self.funds.total
        low, high = 0, total if self.market_buy else total // lot
        if not self.market_buy and self.side is Side.BUY:
            high = total * RATE_SCALE // (lot * self.rate) + 1
        while low < high:  # the largest feasible unit count; feasibility is monotone
            mid = (low + high + 1) // 2
            need = self._need(mid)
            if need is not None and self.funds.backing(need) is not None:
                low = mid
            else:
                high = mid - 1
        return low if self.market_buy else low * lot

    # --- validation ---------------------------------------------------------------------
    def problems(self) -> tuple[Problem, ...]:
        out: list[Problem] = []
        rules = self.rules
        if self.kind is OrderKind.LIMIT:
            if self.rate <= 0:
                out.append(Problem(Issue.NO_PRICE, Field.PRICE))
            elif not on_rate_step(self.rate, rules.rate_step):
                out.append(
                    Problem(
                        Issue.OFF_RATE_STEP,
                        Field.PRICE,
                        need=rules.rate_step,
                        nearest=_neighbours(self.rate, rules.rate_step),
                    )
                )
        if self.quantity <= 0:
            out.append(Problem(Issue.NO_AMOUNT, Field.QUANTITY))
        elif self.market_buy:
            if not self.best_ask:
                out.append(Problem(Issue.NO_ASKS, Field.QUANTITY))
            else:
                if below_buy_buffer(self.quantity, rules.buy_buffer, rules.lot_size, self.best_ask):
                    least = min_market_buy(rules.buy_buffer, rules.lot_size, self.best_ask)
                    out.append(Problem(Issue.BELOW_BUY_BUFFER, Field.QUANTITY, need=least))
        elif self.quantity < rules.lot_size:
            out.append(Problem(Issue.TOO_SMALL, Field.QUANTITY, need=rules.lot_size))
        elif not on_lot(self.quantity, rules.lot_size):
            out.append(
                Problem(
                    Issue.OFF_LOT_SIZE,
                    Field.QUANTITY,
                    need=rules.lot_size,
                    nearest=_neighbours(self.quantity, rules.lot_size),
                )
            )
        if not out:
            estimate = self.estimate()
            need = self._need(self._units())
            if estimate and need and self.funds.backing(need) is None:
                out.append(
                    Problem(
                        Issue.INSUFFICIENT_FUNDS,
                        Field.QUANTITY,
                        need=estimate.required,
                        have=self.funds.total,
                    )
                )
        if not self.connected:
            out.append(Problem(Issue.NOT_CONNECTED, Field.FORM))
        return tuple(out)

    def request(self) -> OrderRequest:
        """The order to place; raises InvalidOrderError listing what is wrong."""
        problems = self.problems()
        estimate = self.estimate()
        if problems or estimate is None:
            raise InvalidOrderError(problems)
        rate = self.rate if self.kind is OrderKind.LIMIT else 0
        return OrderRequest(
            self.rules.name,
            self.rules.base,
            self.rules.quote,
            self.side,
            self.kind,
            self.effective_tif,
            self.quantity,
            rate,
            estimate,
        )
